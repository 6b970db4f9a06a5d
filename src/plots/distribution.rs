//! Distribution of one outcome across replicates: a histogram with the 5th,
//! 50th and 95th percentiles marked (left) and the exceedance curve
//! "probability the outcome exceeds X" (right), which is how risk people
//! read tails.

use super::density::{self, BINS};
use super::style::{
    self, ANNOTATION_SIZE, AXIS, AXIS_DESC_SIZE, CAPTION_SIZE, GRID, MUTED, TICK_SIZE, okabe_ito,
};
use super::{Marks, PlotError, QuantileFn, Rendered, render_both};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width × height in pixels.
pub const SIZE: (u32, u32) = (1200, 700);
/// Colour of the bars and the exceedance curve.
const MAIN: RGBColor = okabe_ito::BLUE;
/// Colour of the p5/p95 markers.
const RANGE: RGBColor = okabe_ito::VERMILLION;

/// What the figure shows.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    /// e.g. "Direct loss: distribution across 10,000 replicates".
    pub title: String,
    /// Second line: scenario and one-line summary.
    pub subtitle: String,
    /// Horizontal axis, with the unit: "Direct loss (US$)".
    pub axis: String,
    /// Caption of the exceedance panel: "Probability the direct loss
    /// exceeds X".
    pub exceed_caption: String,
    /// Unit of the metric (as in `summary.csv`): formats the ticks.
    pub unit: &'a str,
    pub quantiles: QuantileFn<'a>,
    pub marks: Marks,
}

/// Draws the figure as PNG and SVG.
pub fn render(input: &Input<'_>, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| draw(r, input), |r| draw(r, input))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &Input<'_>,
) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let q = &input.quantiles;
    if !q.is_valid() {
        return no_data(&body);
    }
    let (lo, hi) = q.display_range();
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        style::padded(lo, hi, 0.0)
    };
    let max = q.x[q.x.len() - 1];
    let body = if max > hi {
        style::footnote(
            &body,
            &format!(
                "Axes end at the 99.5th percentile ({}); the largest replicate is {}.",
                crate::output::format::with_unit(hi, input.unit),
                crate::output::format::with_unit(max, input.unit)
            ),
        )?
    } else {
        body
    };
    let (xl, xh) = style::padded(lo, hi, 0.02);
    let w = body.dim_in_pixel().0;
    let (left, right) = body.split_horizontally(w / 2);
    histogram(&left, input, lo, hi, (xl, xh))?;
    exceedance(&right, input, hi, (xl, xh))?;
    Ok(())
}

pub(crate) fn no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        "No data: the values are missing or not finite",
        (w as i32 / 2, h as i32 / 2),
        style::font(CAPTION_SIZE)
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    Ok(())
}

fn histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &Input<'_>,
    lo: f64,
    hi: f64,
    (xl, xh): (f64, f64),
) -> Result<(), PlotError> {
    let q = &input.quantiles;
    let bins = if q.x[0] == q.x[q.x.len() - 1] {
        // Every replicate has the same value: one bar, centred on it.
        let (v, w) = (q.x[0], (hi - lo) / BINS as f64);
        vec![density::Bin {
            lo: v - w / 2.0,
            hi: v + w / 2.0,
            mass: 1.0,
        }]
    } else {
        density::histogram(q, lo, hi, BINS)
    };
    let top = bins.iter().map(|b| b.mass).fold(0.0, f64::max) * 100.0;
    // Head room for three staggered marker labels.
    let ytop = if top > 0.0 { top * 1.38 } else { 1.0 };
    let mut chart = ChartBuilder::on(area)
        .caption(
            "How likely each value is",
            style::font(CAPTION_SIZE).pos(Pos::new(HPos::Center, VPos::Top)),
        )
        .margin_left(12)
        .margin_right(28)
        .margin_top(8)
        .margin_bottom(8)
        .x_label_area_size(62)
        .y_label_area_size(78)
        .build_cartesian_2d(xl..xh, 0.0..ytop)?;
    let unit = input.unit;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_labels(6)
        .y_labels(6)
        .x_desc(input.axis.as_str())
        .y_desc("Share of replicates (%)")
        .axis_desc_style(style::font(AXIS_DESC_SIZE))
        .label_style(style::font(TICK_SIZE))
        .x_label_formatter(&|v| style::tick(*v, unit))
        .y_label_formatter(&|v| style::tick(*v, "%"))
        .draw()?;
    chart.draw_series(bins.iter().map(|b| {
        let mut r = Rectangle::new(
            [(b.lo, 0.0), (b.hi, b.mass * 100.0)],
            MAIN.mix(0.6).filled(),
        );
        r.set_margin(0, 0, 1, 1);
        r
    }))?;
    let m = input.marks;
    let marks = [
        (
            m.p5,
            format!("5th percentile {}", fmt(m.p5, unit)),
            RANGE,
            true,
        ),
        (
            m.p50,
            format!("median {}", fmt(m.p50, unit)),
            okabe_ito::BLACK,
            false,
        ),
        (
            m.p95,
            format!("95th percentile {}", fmt(m.p95, unit)),
            RANGE,
            true,
        ),
    ];
    let visible = |v: f64| v.is_finite() && v >= xl && v <= xh;
    // Lines first, then the labels on top of all of them.
    for (v, _, colour, dashed) in &marks {
        let v = *v;
        if !visible(v) {
            continue;
        }
        let line = vec![(v, 0.0), (v, ytop * 0.98)];
        if *dashed {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                line,
                8,
                5,
                colour.stroke_width(2),
            )))?;
        } else {
            chart.draw_series(std::iter::once(PathElement::new(
                line,
                colour.stroke_width(3),
            )))?;
        }
    }
    for (k, (v, label, colour, _)) in marks.into_iter().enumerate() {
        if !visible(v) {
            continue;
        }
        let y = ytop * (0.96 - 0.085 * k as f64);
        let right_side = (v - xl) / (xh - xl) > 0.62;
        let (dx, h) = if right_side {
            (-7, HPos::Right)
        } else {
            (7, HPos::Left)
        };
        let text_style = style::font(ANNOTATION_SIZE)
            .color(&colour)
            .pos(Pos::new(h, VPos::Center));
        let bg = backdrop(
            chart.plotting_area(),
            &label,
            &text_style,
            (dx, 0),
            right_side,
        )?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((v, y)) + bg + Text::new(label, (dx, 0), text_style),
        ))?;
    }
    Ok(())
}

fn exceedance<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &Input<'_>,
    hi: f64,
    (xl, xh): (f64, f64),
) -> Result<(), PlotError> {
    let pts: Vec<(f64, f64)> = density::exceedance(&input.quantiles, hi)
        .into_iter()
        .map(|(x, e)| (x, e * 100.0))
        .collect();
    let mut chart = ChartBuilder::on(area)
        .caption(
            input.exceed_caption.as_str(),
            style::font(CAPTION_SIZE).pos(Pos::new(HPos::Center, VPos::Top)),
        )
        .margin_left(12)
        .margin_right(28)
        .margin_top(8)
        .margin_bottom(8)
        .x_label_area_size(62)
        .y_label_area_size(78)
        .build_cartesian_2d(xl..xh, 0.0..105.0)?;
    let unit = input.unit;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_labels(6)
        .y_labels(6)
        .x_desc(format!("X: {}", lowercase_first(&input.axis)))
        .y_desc("Probability of exceeding X (%)")
        .axis_desc_style(style::font(AXIS_DESC_SIZE))
        .label_style(style::font(TICK_SIZE))
        .x_label_formatter(&|v| style::tick(*v, unit))
        .y_label_formatter(&|v| style::tick(*v, "%"))
        .draw()?;
    if let (Some(first), Some(last)) = (pts.first(), pts.last()) {
        let mut area_pts = pts.clone();
        area_pts.push((last.0, 0.0));
        area_pts.push((first.0, 0.0));
        chart.draw_series(std::iter::once(Polygon::new(
            area_pts,
            MAIN.mix(0.12).filled(),
        )))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        pts.clone(),
        MAIN.stroke_width(3),
    )))?;
    let m = input.marks;
    // Each marker sits on the curve: P(X > v), which is 50% at the median
    // and 5% at the 95th percentile unless a point mass sits there.
    let mut shown: Vec<f64> = Vec::new();
    for v in [m.p50, m.p95] {
        if !(v.is_finite() && v >= xl && v <= xh) || shown.contains(&v) {
            continue;
        }
        shown.push(v);
        let pct = 100.0 * (1.0 - input.quantiles.cdf(v));
        let label = format!("{} chance above {}", percent(pct), fmt(v, unit));
        let guide = okabe_ito::BLACK.mix(0.45).stroke_width(1);
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(xl, pct), (v, pct), (v, 0.0)],
            5,
            4,
            guide,
        )))?;
        chart.draw_series(std::iter::once(Circle::new(
            (v, pct),
            6,
            okabe_ito::BLACK.filled(),
        )))?;
        let right_side = (v - xl) / (xh - xl) > 0.55;
        let (dx, h) = if right_side {
            (-10, HPos::Right)
        } else {
            (10, HPos::Left)
        };
        let text_style = style::font(ANNOTATION_SIZE).pos(Pos::new(h, VPos::Center));
        let bg = backdrop(
            chart.plotting_area(),
            &label,
            &text_style,
            (dx, -16),
            right_side,
        )?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((v, pct)) + bg + Text::new(label, (dx, -16), text_style),
        ))?;
    }
    Ok(())
}

/// A white box behind a label drawn at pixel offset `(dx, dy)` from its
/// anchor (vertically centred, extending left when `leftwards`), so that
/// lines under the label do not cross the text.
fn backdrop<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    label: &str,
    text_style: &TextStyle<'_>,
    (dx, dy): (i32, i32),
    leftwards: bool,
) -> Result<Rectangle<(i32, i32)>, PlotError> {
    let (w, h) = area.estimate_text_size(label, text_style)?;
    let (w, h) = (w as i32, h as i32);
    let (x0, x1) = if leftwards {
        (dx - w - 4, dx + 4)
    } else {
        (dx - 4, dx + w + 4)
    };
    Ok(Rectangle::new(
        [(x0, dy - h / 2 - 4), (x1, dy + h / 2 + 4)],
        WHITE.mix(0.88).filled(),
    ))
}

/// `50%`, `5%`, `0.5%`.
fn percent(pct: f64) -> String {
    if pct >= 1.0 || pct <= 0.0 {
        format!("{pct:.0}%")
    } else {
        format!("{pct:.1}%")
    }
}

fn fmt(x: f64, unit: &str) -> String {
    crate::output::format::with_unit(x, unit)
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
