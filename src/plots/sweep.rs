//! Outcomes against a swept value (`bordersim sweep`): at each sweep point,
//! the band holding 90% of replicates (p5–p95), the middle 50% (p25–p75),
//! the median (line, with a dot at each point actually simulated) and the
//! mean (dashed). The same chart draws the marginal cost of one more unit
//! (mean line, bands of the per-replicate slopes) against the midpoints.
//!
//! Between sweep points the bands are straight lines: only the dots were
//! simulated. With several series (a grid over two fields) each series gets
//! its colour, its median line and a lighter p5–p95 band. When the swept
//! value is not a number, points sit side by side as intervals instead.
//!
//! One panel, or small multiples with a vertical axis each (outcomes in
//! different units).

use super::style::{self, AXIS, AXIS_DESC_SIZE, CAPTION_SIZE, GRID, Key, TICK_SIZE, okabe_ito};
use super::{PlotError, Rendered, render_both};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width × height of a one-panel figure.
pub const SIZE: (u32, u32) = (1200, 700);
/// Width × height of small multiples (two to six panels).
pub const GRID_SIZE: (u32, u32) = (1500, 950);
/// Colour of a single series.
const MAIN: RGBColor = okabe_ito::BLUE;
/// Opacity of the p5–p95 band.
const OUTER_ALPHA: f64 = 0.18;
/// Opacity of the p25–p75 band (over the outer band).
const INNER_ALPHA: f64 = 0.38;
/// Opacity of each series' p5–p95 band when there are several.
const SERIES_ALPHA: f64 = 0.13;

/// The size [`render`] should be given for `panels` panels.
pub fn size_for(panels: usize) -> (u32, u32) {
    if panels <= 1 { SIZE } else { GRID_SIZE }
}

/// Which statistic a line shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Centre {
    Median,
    Mean,
}

impl Centre {
    fn label(self) -> &'static str {
        match self {
            Centre::Median => "median",
            Centre::Mean => "mean",
        }
    }
}

/// One sweep point of one series.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Position on the horizontal axis: the swept value (numeric axis) or
    /// the index of the category.
    pub x: f64,
    /// p5, p25, p50, p75, p95 across replicates.
    pub q: [f64; 5],
    pub mean: f64,
}

impl Point {
    fn centre(&self, c: Centre) -> f64 {
        match c {
            Centre::Median => self.q[2],
            Centre::Mean => self.mean,
        }
    }
    fn finite(&self) -> bool {
        self.x.is_finite() && self.q.iter().all(|v| v.is_finite()) && self.mean.is_finite()
    }
}

/// Points sharing the values of every other swept field.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label (empty for a lone series).
    pub label: String,
    pub points: Vec<Point>,
}

/// One outcome.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Above the panel (small multiples only; empty for none).
    pub caption: String,
    /// Vertical axis, with the unit.
    pub y_desc: String,
    /// Unit (as in the tables): formats the ticks.
    pub unit: String,
    pub series: Vec<Series>,
}

/// The horizontal axis.
#[derive(Clone, Debug)]
pub enum XAxis {
    /// The swept value, with its unit (formats the ticks).
    Numeric { desc: String, unit: String },
    /// One category per point (`Point::x` is its index).
    Categories { desc: String, labels: Vec<String> },
}

/// What the figure shows.
#[derive(Clone, Debug)]
pub struct Input {
    pub title: String,
    pub subtitle: String,
    pub x: XAxis,
    pub panels: Vec<Panel>,
    /// The solid line.
    pub line: Centre,
    /// A dashed line for the other statistic.
    pub dashed: Option<Centre>,
    /// Whether the vertical ranges reach zero (and start or end there
    /// when the data are all of one sign).
    pub from_zero: bool,
    /// A note under the charts (empty: none).
    pub note: String,
}

/// Draws the figure as PNG and SVG.
pub fn render(input: &Input, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| draw(r, input), |r| draw(r, input))
}

/// Columns of the panel grid.
fn columns(n: usize) -> usize {
    match n {
        0 | 1 => 1,
        2 | 4 => 2,
        _ => 3,
    }
}

fn colour(i: usize, n: usize) -> RGBColor {
    if n <= 1 { MAIN } else { style::category(i) }
}

fn legend(input: &Input) -> Vec<(Key, String)> {
    let several = input
        .panels
        .iter()
        .map(|p| p.series.len())
        .max()
        .unwrap_or(0)
        > 1;
    let mut keys = Vec::new();
    let categories = matches!(input.x, XAxis::Categories { .. });
    if several {
        let first = &input.panels[0];
        for (i, s) in first.series.iter().enumerate() {
            keys.push((Key::Line(colour(i, first.series.len()), 3), s.label.clone()));
        }
        keys.push((
            Key::Swatch(okabe_ito::BLACK.mix(SERIES_ALPHA + 0.05)),
            if categories {
                "bars: 90% of replicates (p5–p95)".to_string()
            } else {
                "bands: 90% of replicates (p5–p95)".to_string()
            },
        ));
    } else if categories {
        keys.push((Key::Line(MAIN, 3), "90% of replicates (p5–p95)".to_string()));
        keys.push((
            Key::Swatch(MAIN.mix(0.75)),
            format!("middle 50% (p25–p75), dot at the {}", input.line.label()),
        ));
    } else {
        keys.push((
            Key::Swatch(MAIN.mix(OUTER_ALPHA)),
            "90% of replicates (p5–p95)".to_string(),
        ));
        keys.push((
            Key::Swatch(MAIN.mix(OUTER_ALPHA + INNER_ALPHA * (1.0 - OUTER_ALPHA))),
            "middle 50% (p25–p75)".to_string(),
        ));
        keys.push((Key::Line(MAIN, 3), input.line.label().to_string()));
    }
    if let Some(d) = input.dashed {
        keys.push((Key::Dashed(okabe_ito::BLACK, 2), d.label().to_string()));
    }
    keys
}

fn y_range(panel: &Panel, input: &Input) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in &panel.series {
        for p in s.points.iter().filter(|p| p.finite()) {
            lo = lo.min(p.q[0]).min(p.mean);
            hi = hi.max(p.q[4]).max(p.mean);
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if input.from_zero {
        if lo >= 0.0 {
            let (_, phi) = style::padded(0.0, hi, 0.05);
            return (0.0, phi);
        }
        if hi <= 0.0 {
            let (plo, _) = style::padded(lo, 0.0, 0.05);
            return (plo, 0.0);
        }
    }
    style::padded(lo, hi, 0.05)
}

fn x_range(input: &Input) -> (f64, f64) {
    match &input.x {
        XAxis::Categories { labels, .. } => (-0.6, labels.len().max(1) as f64 - 0.4),
        XAxis::Numeric { .. } => {
            let xs = input
                .panels
                .iter()
                .flat_map(|p| &p.series)
                .flat_map(|s| &s.points)
                .filter(|p| p.finite())
                .map(|p| p.x);
            let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
            if lo.is_finite() {
                style::padded(lo, hi, 0.04)
            } else {
                (0.0, 1.0)
            }
        }
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &Input) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let body = style::legend_row(&body, &legend(input))?;
    let body = if input.note.is_empty() {
        body
    } else {
        style::footnote(&body, &input.note)?
    };
    let n = input.panels.len();
    let has_data = input
        .panels
        .iter()
        .flat_map(|p| &p.series)
        .any(|s| s.points.iter().any(Point::finite));
    if n == 0 || !has_data {
        return super::distribution::no_data(&body);
    }
    let cols = columns(n);
    let rows = n.div_ceil(cols);
    let body = body.margin(0, 6, 6, 10);
    let cells = body.split_evenly((rows, cols));
    let xr = x_range(input);
    let cap_style = style::font(CAPTION_SIZE - 2.0).pos(Pos::new(HPos::Center, VPos::Top));
    let show_captions = n > 1 || input.panels.iter().any(|p| !p.caption.is_empty());
    let cap_h = if show_captions {
        ((CAPTION_SIZE - 2.0) * 1.3) as i32 + 8
    } else {
        0
    };
    for (i, (panel, cell)) in input.panels.iter().zip(&cells).enumerate() {
        let row = i / cols;
        let cell = if row > 0 {
            cell.margin(16, 0, 0, 0)
        } else {
            cell.clone()
        };
        let (cw, _) = cell.dim_in_pixel();
        let (cap_area, plot_area) = cell.split_vertically(cap_h);
        if show_captions {
            cap_area.draw(&Text::new(
                panel.caption.clone(),
                (cw as i32 / 2, 2),
                cap_style.clone(),
            ))?;
        }
        let bottom = row + 1 == rows || i + cols >= n;
        draw_panel(&plot_area, input, panel, xr, bottom, n > 1)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &Input,
    panel: &Panel,
    (xlo, xhi): (f64, f64),
    bottom: bool,
    small: bool,
) -> Result<(), PlotError> {
    let (ylo, yhi) = y_range(panel, input);
    let mut chart = ChartBuilder::on(area)
        .margin_right(if small { 14 } else { 24 })
        .margin_top(4)
        .x_label_area_size(if bottom { 60 } else { 34 })
        .y_label_area_size(if small { 84 } else { 96 })
        .build_cartesian_2d(xlo..xhi, ylo..yhi)?;
    let unit = panel.unit.as_str();
    let (x_desc, x_unit, categories) = match &input.x {
        XAxis::Numeric { desc, unit } => (desc.as_str(), unit.as_str(), None),
        XAxis::Categories { desc, labels } => (desc.as_str(), "", Some(labels)),
    };
    let x_fmt = |v: &f64| style::tick(*v, x_unit);
    let y_fmt = |v: &f64| style::tick(*v, unit);
    let mut mesh = chart.configure_mesh();
    mesh.max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        // Categories are labelled below, one under each.
        .x_labels(if categories.is_some() {
            0
        } else if small {
            5
        } else {
            9
        })
        .y_labels(if small { 5 } else { 7 })
        .axis_desc_style(style::font(AXIS_DESC_SIZE))
        .label_style(style::font(TICK_SIZE))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .y_desc(panel.y_desc.as_str());
    if categories.is_some() {
        mesh.disable_x_mesh();
    }
    if bottom {
        mesh.x_desc(x_desc);
    }
    mesh.draw()?;
    if let Some(labels) = categories {
        let (bx, by) = area.get_base_pixel();
        let st = style::font(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, l) in labels.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64, ylo));
            area.draw(&Text::new(l.clone(), (px - bx, py - by + 8), st.clone()))?;
        }
    }

    // Zero line where the range crosses zero (e.g. marginal savings).
    if ylo < 0.0 && yhi > 0.0 {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(xlo, 0.0), (xhi, 0.0)],
            okabe_ito::BLACK.mix(0.6).stroke_width(1),
        )))?;
    }

    let ns = panel.series.len();
    let categories = matches!(input.x, XAxis::Categories { .. });
    for (si, s) in panel.series.iter().enumerate() {
        let c = colour(si, ns);
        let pts: Vec<&Point> = s.points.iter().filter(|p| p.finite()).collect();
        if pts.is_empty() {
            continue;
        }
        if categories {
            intervals(&mut chart, input, &pts, c, si, ns)?;
            continue;
        }
        let band = |lo: usize, hi: usize| -> Vec<(f64, f64)> {
            pts.iter()
                .map(|p| (p.x, p.q[hi]))
                .chain(pts.iter().rev().map(|p| (p.x, p.q[lo])))
                .collect()
        };
        if ns == 1 {
            chart.draw_series(std::iter::once(Polygon::new(
                band(0, 4),
                c.mix(OUTER_ALPHA).filled(),
            )))?;
            chart.draw_series(std::iter::once(Polygon::new(
                band(1, 3),
                c.mix(INNER_ALPHA).filled(),
            )))?;
        } else {
            chart.draw_series(std::iter::once(Polygon::new(
                band(0, 4),
                c.mix(SERIES_ALPHA).filled(),
            )))?;
        }
        if pts.len() == 1 {
            // A lone point: its interval as whiskers.
            let p = pts[0];
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(p.x, p.q[0]), (p.x, p.q[4])],
                c.stroke_width(2),
            )))?;
        }
        if let Some(d) = input.dashed {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                pts.iter().map(|p| (p.x, p.centre(d))).collect::<Vec<_>>(),
                7,
                5,
                if ns == 1 {
                    okabe_ito::BLACK.stroke_width(2)
                } else {
                    c.stroke_width(2)
                },
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            pts.iter()
                .map(|p| (p.x, p.centre(input.line)))
                .collect::<Vec<_>>(),
            c.stroke_width(3),
        )))?;
        chart.draw_series(pts.iter().map(|p| {
            EmptyElement::at((p.x, p.centre(input.line)))
                + Circle::new((0, 0), 6, WHITE.filled())
                + Circle::new((0, 0), 4, c.filled())
        }))?;
    }
    Ok(())
}

/// Categorical axis: each point as a vertical interval (thin p5–p95, thick
/// p25–p75, dot at the solid-line statistic), series side by side.
fn intervals<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    input: &Input,
    pts: &[&Point],
    c: RGBColor,
    si: usize,
    ns: usize,
) -> Result<(), PlotError> {
    let width = 0.6 / ns as f64;
    let offset = (si as f64 + 0.5) * width - 0.3;
    for p in pts {
        let x = p.x + offset;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, p.q[0]), (x, p.q[4])],
            c.stroke_width(3),
        )))?;
        let half = (width * 0.3).min(0.12);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x - half, p.q[1]), (x + half, p.q[3])],
            c.mix(0.75).filled(),
        )))?;
        if let Some(d) = input.dashed {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(x - half * 1.3, p.centre(d)), (x + half * 1.3, p.centre(d))],
                5,
                3,
                okabe_ito::BLACK.stroke_width(2),
            )))?;
        }
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, p.centre(input.line)))
                + Circle::new((0, 0), 7, WHITE.filled())
                + Circle::new((0, 0), 5, c.filled()),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: f64, m: f64) -> Point {
        Point {
            x,
            q: [0.5 * m, 0.8 * m, m, 1.2 * m, 1.6 * m],
            mean: 1.1 * m,
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(columns(1), 1);
        assert_eq!(columns(4), 2);
        assert_eq!(columns(6), 3);
        assert_eq!(size_for(1), SIZE);
        assert_eq!(size_for(6), GRID_SIZE);
    }

    #[test]
    fn renders_numeric_categorical_and_empty() {
        let panel = Panel {
            caption: String::new(),
            y_desc: "Loss (US$)".into(),
            unit: "USD".into(),
            series: vec![Series {
                label: String::new(),
                points: vec![point(1.0, 1e5), point(5.0, 1e7), point(20.0, 8e7)],
            }],
        };
        let mut input = Input {
            title: "t".into(),
            subtitle: "s".into(),
            x: XAxis::Numeric {
                desc: "Closure (days)".into(),
                unit: "days".into(),
            },
            panels: vec![panel.clone()],
            line: Centre::Median,
            dashed: Some(Centre::Mean),
            from_zero: true,
            note: String::new(),
        };
        render(&input, (600, 400)).expect("numeric");
        input.x = XAxis::Categories {
            desc: "Point".into(),
            labels: vec!["a".into(), "b".into(), "c".into()],
        };
        input.panels[0].series[0].points = vec![point(0.0, 1.0), point(1.0, 2.0)];
        render(&input, (600, 400)).expect("categorical");
        input.panels.clear();
        render(&input, (600, 400)).expect("empty");
    }
}
