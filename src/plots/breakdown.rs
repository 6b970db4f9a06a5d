//! Loss components by crossing: stacked bars of the mean of each component
//! (means add up, so the stack is the mean total), and beside them the
//! spread of each component across replicates (median dot, p5–p95
//! whisker). Percentiles do not add up, so the spread is shown per
//! component rather than for the stack.

use super::style::{
    self, ANNOTATION_SIZE, AXIS, AXIS_DESC_SIZE, CAPTION_SIZE, GRID, Key, TICK_SIZE, okabe_ito,
};
use super::{Marks, PlotError, Rendered, render_both};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width × height in pixels.
pub const SIZE: (u32, u32) = (1200, 700);

/// Colours of the components, in order.
pub const COMPONENT_COLOURS: [RGBColor; 6] = [
    okabe_ito::VERMILLION,
    okabe_ito::ORANGE,
    okabe_ito::SKY_BLUE,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::BLUE,
];

fn colour(k: usize) -> RGBColor {
    COMPONENT_COLOURS[k % COMPONENT_COLOURS.len()]
}

/// One crossing: per component, its mean and percentiles.
#[derive(Clone, Debug)]
pub struct Crossing {
    pub label: String,
    pub means: Vec<f64>,
    pub spread: Vec<Marks>,
}

/// What the figure shows.
#[derive(Clone, Debug)]
pub struct Input {
    pub title: String,
    pub subtitle: String,
    /// Component names, in stacking order (bottom first).
    pub components: Vec<String>,
    pub crossings: Vec<Crossing>,
    /// Shown under the charts.
    pub note: String,
    /// Vertical axis, with the unit.
    pub y_desc: String,
}

/// Draws the figure as PNG and SVG.
pub fn render(input: &Input, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| draw(r, input), |r| draw(r, input))
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &Input) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let keys: Vec<(Key, String)> = input
        .components
        .iter()
        .enumerate()
        .map(|(k, c)| (Key::Swatch(colour(k).to_rgba()), c.clone()))
        .collect();
    let body = style::legend_row(&body, &keys)?;
    let body = if input.note.is_empty() {
        body
    } else {
        style::footnote(&body, &input.note)?
    };
    let n = input.crossings.len();
    if n == 0 || input.components.is_empty() {
        return super::distribution::no_data(&body);
    }
    let w = body.dim_in_pixel().0;
    let (left, right) = body.split_horizontally(w / 2);
    stacked(&left, input)?;
    spread(&right, input)?;
    Ok(())
}

/// One chart of the figure: a crossing per category on x, USD from 0 to
/// `ytop` on y, with its caption, grid and crossing labels drawn.
fn usd_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    input: &Input,
    caption: &str,
    ytop: f64,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, PlotError> {
    let mut chart = ChartBuilder::on(area)
        .caption(
            caption,
            style::font(CAPTION_SIZE).pos(Pos::new(HPos::Center, VPos::Top)),
        )
        .margin_left(12)
        .margin_right(24)
        .margin_top(18)
        .x_label_area_size(40)
        .y_label_area_size(88)
        .build_cartesian_2d(0.0..input.crossings.len() as f64, 0.0..ytop)?;
    let y_fmt = |v: &f64| style::tick(*v, "USD");
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .y_labels(6)
        .y_desc(input.y_desc.as_str())
        .axis_desc_style(style::font(AXIS_DESC_SIZE))
        .label_style(style::font(TICK_SIZE + 1.0))
        .y_label_formatter(&y_fmt)
        .draw()?;
    category_labels(&mut chart, input)?;
    Ok(chart)
}

/// Writes the crossing names under the horizontal axis (a category axis;
/// plotters' numeric ticks are switched off).
fn category_labels<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    input: &Input,
) -> Result<(), PlotError> {
    let style = style::font(TICK_SIZE + 1.0).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, c) in input.crossings.iter().enumerate() {
        chart.draw_series(std::iter::once(
            EmptyElement::at((i as f64 + 0.5, 0.0))
                + Text::new(c.label.clone(), (0, 10), style.clone()),
        ))?;
    }
    Ok(())
}

fn stacked<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &Input,
) -> Result<(), PlotError> {
    let totals: Vec<f64> = input
        .crossings
        .iter()
        .map(|c| {
            c.means
                .iter()
                .filter(|m| m.is_finite())
                .map(|m| m.max(0.0))
                .sum()
        })
        .collect();
    let top = totals.iter().copied().fold(0.0, f64::max);
    let ytop = if top > 0.0 { top * 1.15 } else { 1.0 };
    let mut chart = usd_chart(area, input, "Mean loss, by component", ytop)?;
    for (i, c) in input.crossings.iter().enumerate() {
        let (x0, x1) = (i as f64 + 0.2, i as f64 + 0.8);
        let mut base = 0.0;
        for (k, m) in c.means.iter().enumerate() {
            let m = if m.is_finite() { m.max(0.0) } else { 0.0 };
            if m > 0.0 {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, base), (x1, base + m)],
                    colour(k).filled(),
                )))?;
            }
            base += m;
        }
        chart.draw_series(std::iter::once(
            EmptyElement::at((i as f64 + 0.5, base))
                + Text::new(
                    format!("mean {}", crate::output::format::with_unit(base, "USD")),
                    (0, -8),
                    style::bold(ANNOTATION_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom)),
                ),
        ))?;
    }
    Ok(())
}

fn spread<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &Input,
) -> Result<(), PlotError> {
    let kn = input.components.len();
    let top = input
        .crossings
        .iter()
        .flat_map(|c| c.spread.iter().map(|m| m.p95))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let ytop = if top > 0.0 { top * 1.08 } else { 1.0 };
    let mut chart = usd_chart(
        area,
        input,
        "Spread: median and 90% range of each component",
        ytop,
    )?;
    for (i, c) in input.crossings.iter().enumerate() {
        for (k, m) in c.spread.iter().enumerate() {
            if !(m.p5.is_finite() && m.p50.is_finite() && m.p95.is_finite()) {
                continue;
            }
            let x = i as f64 + 0.15 + 0.7 * (k as f64 + 0.5) / kn as f64;
            let col = colour(k);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, m.p5), (x, m.p95)],
                col.stroke_width(4),
            )))?;
            for v in [m.p5, m.p95] {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((x, v))
                        + PathElement::new(vec![(-7, 0), (7, 0)], col.stroke_width(3)),
                ))?;
            }
            chart.draw_series(std::iter::once(Circle::new((x, m.p50), 7, col.filled())))?;
            chart.draw_series(std::iter::once(Circle::new(
                (x, m.p50),
                7,
                okabe_ito::BLACK.stroke_width(1),
            )))?;
        }
    }
    Ok(())
}
