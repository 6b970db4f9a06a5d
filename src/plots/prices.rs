//! Peak price multiplier of every commodity in its importing market: small
//! multiple histograms (one panel per commodity, percentiles marked) and
//! the exceedance curves of all commodities on one chart. Each commodity
//! keeps its colour in both figures.

use super::density::{self, BINS};
use super::style::{self, ANNOTATION_SIZE, AXIS, AXIS_DESC_SIZE, GRID, Key, TICK_SIZE, okabe_ito};
use super::{Marks, PlotError, QuantileFn, Rendered, render_both};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width × height of the histograms for up to four commodities.
pub const SIZE: (u32, u32) = (1200, 700);
/// Width × height of the histograms for five commodities or more.
pub const GRID_SIZE: (u32, u32) = (1600, 900);
/// Width × height of the exceedance chart.
pub const EXCEEDANCE_SIZE: (u32, u32) = (1200, 800);

/// The size [`render_histograms`] should be given for `panels` commodities.
pub fn size_for(panels: usize) -> (u32, u32) {
    if panels <= 4 { SIZE } else { GRID_SIZE }
}

/// One commodity.
#[derive(Clone, Debug)]
pub struct Commodity<'a> {
    pub label: String,
    pub quantiles: QuantileFn<'a>,
    pub marks: Marks,
}

/// What the figures show.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub title: String,
    pub subtitle: String,
    /// Horizontal axis: "Peak price (× normal)".
    pub axis: String,
    /// Unit of the metric (`×`).
    pub unit: &'a str,
    pub commodities: Vec<Commodity<'a>>,
}

/// Draws the small-multiple histograms as PNG and SVG.
pub fn render_histograms(input: &Input<'_>, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| histograms(r, input), |r| histograms(r, input))
}

/// Draws the exceedance chart as PNG and SVG.
pub fn render_exceedance(input: &Input<'_>, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| exceedance(r, input), |r| exceedance(r, input))
}

/// The shared horizontal range: from the smallest minimum to the largest
/// 99.5th percentile over the commodities.
fn shared_range(input: &Input<'_>) -> Option<(f64, f64)> {
    let valid: Vec<&Commodity<'_>> = input
        .commodities
        .iter()
        .filter(|c| c.quantiles.is_valid())
        .collect();
    if valid.is_empty() {
        return None;
    }
    let lo = valid
        .iter()
        .map(|c| c.quantiles.x[0])
        .fold(f64::INFINITY, f64::min);
    let hi = valid
        .iter()
        .map(|c| c.quantiles.display_range().1)
        .fold(f64::NEG_INFINITY, f64::max);
    Some(if hi > lo {
        (lo, hi)
    } else {
        style::padded(lo, hi, 0.0)
    })
}

fn histograms<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &Input<'_>,
) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let body = style::legend_row(
        &body,
        &[
            (Key::Line(okabe_ito::BLACK, 3), "median".to_string()),
            (
                Key::Dashed(okabe_ito::BLACK, 2),
                "5th and 95th percentiles".to_string(),
            ),
        ],
    )?;
    let Some((lo, hi)) = shared_range(input) else {
        return super::distribution::no_data(&body);
    };
    let (xl, xh) = style::padded(lo, hi, 0.02);
    let labels: Vec<&str> = input.commodities.iter().map(|c| c.label.as_str()).collect();
    let (panels, _) = style::panel_grid(&body, &labels)?;
    for (i, (c, grid)) in input.commodities.iter().zip(&panels).enumerate() {
        let (plot_area, bottom, left) = (&grid.area, grid.bottom, grid.left);
        let colour = style::category(i);
        let q = &c.quantiles;
        let bins = if q.is_valid() {
            density::histogram(q, lo, hi, BINS)
        } else {
            Vec::new()
        };
        let top = bins.iter().map(|b| b.mass).fold(0.0, f64::max) * 100.0;
        let ytop = if top > 0.0 { top * 1.3 } else { 1.0 };
        let mut chart = ChartBuilder::on(plot_area)
            .margin_right(18)
            .margin_top(4)
            .x_label_area_size(if bottom { 58 } else { 30 })
            .y_label_area_size(if left { 80 } else { 56 })
            .build_cartesian_2d(xl..xh, 0.0..ytop)?;
        let unit = input.unit;
        let x_fmt = |v: &f64| style::tick(*v, unit);
        let y_fmt = |v: &f64| style::tick(*v, "%");
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .max_light_lines(0)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_labels(5)
            .y_labels(4)
            .axis_desc_style(style::font(AXIS_DESC_SIZE))
            .label_style(style::font(TICK_SIZE))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt);
        if bottom {
            mesh.x_desc(input.axis.as_str());
        }
        if left {
            mesh.y_desc("Share of replicates (%)");
        }
        mesh.draw()?;
        chart.draw_series(bins.iter().map(|b| {
            let mut r = Rectangle::new(
                [(b.lo, 0.0), (b.hi, b.mass * 100.0)],
                colour.mix(0.7).filled(),
            );
            r.set_margin(0, 0, 1, 1);
            r
        }))?;
        let m = c.marks;
        for (v, solid) in [(m.p5, false), (m.p50, true), (m.p95, false)] {
            if !(v.is_finite() && v >= xl && v <= xh) {
                continue;
            }
            let line = vec![(v, 0.0), (v, ytop * 0.8)];
            if solid {
                chart.draw_series(std::iter::once(PathElement::new(
                    line,
                    okabe_ito::BLACK.stroke_width(3),
                )))?;
            } else {
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    line,
                    6,
                    4,
                    okabe_ito::BLACK.stroke_width(2),
                )))?;
            }
        }
        let note = format!(
            "median {}, 90%: {} – {}",
            fmt(m.p50, unit),
            fmt(m.p5, unit),
            fmt(m.p95, unit)
        );
        chart.draw_series(std::iter::once(
            EmptyElement::at((xl, ytop))
                + Text::new(
                    note,
                    (8, 6),
                    style::font(ANNOTATION_SIZE - 1.0).pos(Pos::new(HPos::Left, VPos::Top)),
                ),
        ))?;
    }
    Ok(())
}

fn exceedance<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &Input<'_>,
) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let keys: Vec<(Key, String)> = input
        .commodities
        .iter()
        .enumerate()
        .map(|(i, c)| (Key::Line(style::category(i), 4), c.label.clone()))
        .collect();
    let body = style::legend_row(&body, &keys)?;
    let Some((lo, hi)) = shared_range(input) else {
        return super::distribution::no_data(&body);
    };
    let (xl, xh) = style::padded(lo, hi, 0.02);
    let body = body.margin(0, 6, 6, 10);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(28)
        .margin_top(6)
        .x_label_area_size(62)
        .y_label_area_size(84)
        .build_cartesian_2d(xl..xh, 0.0..105.0)?;
    let unit = input.unit;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_labels(10)
        .y_labels(6)
        .x_desc(format!("X: {}", input.axis.to_lowercase()))
        .y_desc("Probability the peak price exceeds X (%)")
        .axis_desc_style(style::font(AXIS_DESC_SIZE))
        .label_style(style::font(TICK_SIZE))
        .x_label_formatter(&|v| style::tick(*v, unit))
        .y_label_formatter(&|v| style::tick(*v, "%"))
        .draw()?;
    for (i, c) in input.commodities.iter().enumerate() {
        if !c.quantiles.is_valid() {
            continue;
        }
        let pts = density::exceedance(&c.quantiles, hi);
        chart.draw_series(std::iter::once(PathElement::new(
            pts.into_iter()
                .map(|(x, e)| (x, e * 100.0))
                .collect::<Vec<_>>(),
            style::category(i).stroke_width(3),
        )))?;
    }
    Ok(())
}

fn fmt(x: f64, unit: &str) -> String {
    crate::output::format::with_unit(x, unit)
}
