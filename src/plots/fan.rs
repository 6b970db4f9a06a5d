//! Fan charts of a daily series: for every day, the band holding 90% of
//! replicates (p5–p95, light), the middle 50% (p25–p75, darker) and the
//! median line. One panel per crossing or commodity, on a shared vertical
//! axis so that panels compare at a glance.
//!
//! Bands are pointwise: the median of day 30 and that of day 31 may come
//! from different replicates.

use super::style::{self, AXIS, AXIS_DESC_SIZE, GRID, Key, TICK_SIZE, okabe_ito};
use super::{PlotError, Rendered, render_both};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Width × height for up to four panels.
pub const SIZE: (u32, u32) = (1200, 700);
/// Width × height for five panels or more.
pub const GRID_SIZE: (u32, u32) = (1600, 900);
/// Colour of the bands and the median.
const MAIN: RGBColor = okabe_ito::BLUE;
/// Opacity of the p5–p95 band.
const OUTER_ALPHA: f64 = 0.18;
/// Opacity of the p25–p75 band (drawn over the outer band).
const INNER_ALPHA: f64 = 0.38;
/// Colour of the reference line.
const REFERENCE: RGBColor = okabe_ito::VERMILLION;

/// The size [`render`] should be given for `panels` panels.
pub fn size_for(panels: usize) -> (u32, u32) {
    if panels <= 4 { SIZE } else { GRID_SIZE }
}

/// One panel: a caption and, per day, the p5, p25, p50, p75 and p95.
#[derive(Clone, Debug)]
pub struct Panel<'a> {
    pub caption: String,
    pub bands: &'a [[f64; 5]],
}

/// What the figure shows.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub title: String,
    pub subtitle: String,
    /// Vertical axis, with the unit.
    pub y_desc: String,
    /// Horizontal axis: "Days since 12 Oct 2025".
    pub x_desc: String,
    /// Unit of the series (as in `daily.csv`): formats the ticks.
    pub unit: &'a str,
    pub panels: Vec<Panel<'a>>,
    /// A horizontal reference line and its legend label (e.g. 1 = normal
    /// price).
    pub reference: Option<(f64, String)>,
    /// A fixed vertical range (e.g. 0 to 1 for shares); otherwise the
    /// range of the bands.
    pub y_range: Option<(f64, f64)>,
    /// Whether the automatic vertical range starts at zero.
    pub from_zero: bool,
}

/// Draws the figure as PNG and SVG.
pub fn render(input: &Input<'_>, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| draw(r, input), |r| draw(r, input))
}

fn finite_days(bands: &[[f64; 5]]) -> impl Iterator<Item = (f64, &[f64; 5])> {
    bands
        .iter()
        .enumerate()
        .filter(|(_, b)| b.iter().all(|v| v.is_finite()))
        .map(|(d, b)| (d as f64, b))
}

fn y_range(input: &Input<'_>) -> (f64, f64) {
    if let Some(r) = input.y_range {
        return r;
    }
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for p in &input.panels {
        for (_, b) in finite_days(p.bands) {
            lo = lo.min(b[0]);
            hi = hi.max(b[4]);
        }
    }
    if let Some((r, _)) = &input.reference {
        lo = lo.min(*r);
        hi = hi.max(*r);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if input.from_zero {
        lo = lo.min(0.0);
    }
    let (plo, phi) = style::padded(lo, hi, 0.05);
    if input.from_zero && lo >= 0.0 {
        (0.0, phi)
    } else {
        (plo, phi)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &Input<'_>,
) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let mut keys = vec![
        (
            Key::Swatch(MAIN.mix(OUTER_ALPHA)),
            "90% of replicates (p5–p95)".to_string(),
        ),
        (
            Key::Swatch(MAIN.mix(OUTER_ALPHA + INNER_ALPHA * (1.0 - OUTER_ALPHA))),
            "middle 50% (p25–p75)".to_string(),
        ),
        (Key::Line(MAIN, 3), "median".to_string()),
    ];
    if let Some((_, label)) = &input.reference {
        keys.push((Key::Dashed(REFERENCE, 2), label.clone()));
    }
    let body = style::legend_row(&body, &keys)?;
    let n = input.panels.len();
    if n == 0 {
        return super::distribution::no_data(&body);
    }
    let captions: Vec<&str> = input.panels.iter().map(|p| p.caption.as_str()).collect();
    let (panels, cols) = style::panel_grid(&body, &captions)?;
    let (ylo, yhi) = y_range(input);
    let days = input
        .panels
        .iter()
        .map(|p| p.bands.len())
        .max()
        .unwrap_or(1);
    let xhi = (days.max(2) - 1) as f64;

    for (panel, grid) in input.panels.iter().zip(&panels) {
        let (plot_area, bottom, left) = (&grid.area, grid.bottom, grid.left);
        let mut chart = ChartBuilder::on(plot_area)
            .margin_right(18)
            .margin_top(4)
            .x_label_area_size(if bottom { 58 } else { 30 })
            .y_label_area_size(if left { 92 } else { 62 })
            .build_cartesian_2d(0.0..xhi, ylo..yhi)?;
        let unit = input.unit;
        let x_fmt = |v: &f64| format!("{v:.0}");
        let y_fmt = |v: &f64| style::tick(*v, unit);
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .max_light_lines(0)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_labels(if cols >= 4 { 4 } else { 7 })
            .y_labels(6)
            .axis_desc_style(style::font(AXIS_DESC_SIZE))
            .label_style(style::font(TICK_SIZE))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt);
        if bottom {
            mesh.x_desc(input.x_desc.as_str());
        }
        if left {
            mesh.y_desc(input.y_desc.as_str());
        }
        mesh.draw()?;

        let pts: Vec<(f64, &[f64; 5])> = finite_days(panel.bands).collect();
        if pts.is_empty() {
            continue;
        }
        let band = |lo: usize, hi: usize| -> Vec<(f64, f64)> {
            pts.iter()
                .map(|(d, b)| (*d, b[hi]))
                .chain(pts.iter().rev().map(|(d, b)| (*d, b[lo])))
                .collect()
        };
        chart.draw_series(std::iter::once(Polygon::new(
            band(0, 4),
            MAIN.mix(OUTER_ALPHA).filled(),
        )))?;
        chart.draw_series(std::iter::once(Polygon::new(
            band(1, 3),
            MAIN.mix(INNER_ALPHA).filled(),
        )))?;
        if let Some((r, _)) = &input.reference {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(0.0, *r), (xhi, *r)],
                8,
                5,
                REFERENCE.stroke_width(2),
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            pts.iter().map(|(d, b)| (*d, b[2])).collect::<Vec<_>>(),
            MAIN.stroke_width(3),
        )))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_shapes() {
        assert_eq!(style::grid_columns(1), 1);
        assert_eq!(style::grid_columns(2), 2);
        assert_eq!(style::grid_columns(4), 2);
        assert_eq!(style::grid_columns(8), 4);
        assert_eq!(style::grid_columns(10), 4);
        assert_eq!(size_for(2), SIZE);
        assert_eq!(size_for(8), GRID_SIZE);
    }
}
