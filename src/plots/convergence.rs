//! Convergence of a run: the running mean of an outcome against the number
//! of replicates, with a band of ±2 Monte Carlo standard errors (about a
//! 95% interval for the mean), and the final mean as a reference line. The
//! band narrows as 1/√n; where it is still wide, more replicates help.
//!
//! The horizontal axis is logarithmic when the counts span a factor of 8 or
//! more (the run records powers of two early on, then every wave).

use super::style::{self, AXIS, AXIS_DESC_SIZE, GRID, Key, TICK_SIZE, okabe_ito};
use super::{PlotError, Rendered, render_both};
use crate::output::format::{compact, thousands};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Width × height in pixels.
pub const SIZE: (u32, u32) = (1200, 700);
/// Colour of the band and the running mean.
const MAIN: RGBColor = okabe_ito::BLUE;
/// Opacity of the ±2 MCSE band.
const BAND_ALPHA: f64 = 0.22;
/// Most points drawn with a dot and a whisker each.
const MAX_MARKED: usize = 24;
/// Colour of the final-mean reference line.
const FINAL: RGBColor = okabe_ito::VERMILLION;

/// What the figure shows.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub title: String,
    pub subtitle: String,
    /// Vertical axis, with the unit: "Mean direct loss (US$)".
    pub y_desc: String,
    /// Unit of the metric (as in `summary.csv`): formats the ticks.
    pub unit: &'a str,
    /// Replicate counts, increasing.
    pub replicates: &'a [u64],
    /// Running mean at each count.
    pub mean: &'a [f64],
    /// Its Monte Carlo standard error (NaN where unknown: no band there).
    pub mcse: &'a [f64],
    /// A note under the chart (empty: none).
    pub note: String,
}

/// Draws the figure as PNG and SVG.
pub fn render(input: &Input<'_>, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| draw(r, input), |r| draw(r, input))
}

/// `(n, mean, mcse)` where the count and mean are usable.
fn points(input: &Input<'_>) -> Vec<(f64, f64, f64)> {
    input
        .replicates
        .iter()
        .zip(input.mean)
        .zip(input.mcse)
        .filter(|((n, m), _)| **n > 0 && m.is_finite())
        .map(|((n, m), s)| (*n as f64, *m, *s))
        .collect()
}

/// A replicate count for a tick: `64`, `4,096`, `120k`, `1.5M`.
fn count_tick(x: f64) -> String {
    if x.abs() >= 100_000.0 {
        let s = compact(x);
        // "120k", "1.50M" → "1.5M".
        match s.find('.') {
            Some(_) => {
                let suffix: String = s.chars().filter(|c| c.is_alphabetic()).collect();
                let digits = s.trim_end_matches(char::is_alphabetic);
                let digits = digits.trim_end_matches('0').trim_end_matches('.');
                format!("{digits}{suffix}")
            }
            None => s,
        }
    } else {
        thousands(x)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &Input<'_>,
) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let keys = vec![
        (Key::Line(MAIN, 3), "running mean".to_string()),
        (
            Key::Swatch(MAIN.mix(BAND_ALPHA)),
            "± 2 Monte Carlo standard errors".to_string(),
        ),
        (Key::Dashed(FINAL, 2), "mean of the whole run".to_string()),
    ];
    let body = style::legend_row(&body, &keys)?;
    let body = if input.note.is_empty() {
        body
    } else {
        style::footnote(&body, &input.note)?
    };
    let pts = points(input);
    let Some(&(n_last, final_mean, _)) = pts.last() else {
        return super::distribution::no_data(&body);
    };
    let n_first = pts[0].0;
    let (mut lo, mut hi) = (final_mean, final_mean);
    for &(_, m, s) in &pts {
        let s = if s.is_finite() { s } else { 0.0 };
        lo = lo.min(m - 2.0 * s);
        hi = hi.max(m + 2.0 * s);
    }
    let (ylo, yhi) = style::padded(lo, hi, 0.06);
    let body = body.margin(0, 8, 8, 12);
    if n_last / n_first >= 8.0 {
        let x = (n_first / 1.15..n_last * 1.15).log_scale().base(2.0);
        chart(
            &body,
            input,
            &pts,
            x,
            (ylo, yhi),
            "Replicates (logarithmic scale)",
        )
    } else {
        let (xlo, xhi) = style::padded(n_first, n_last, 0.05);
        chart(
            &body,
            input,
            &pts,
            xlo.max(0.0)..xhi,
            (ylo, yhi),
            "Replicates",
        )
    }
}

fn chart<DB: DrawingBackend, X>(
    area: &DrawingArea<DB, Shift>,
    input: &Input<'_>,
    pts: &[(f64, f64, f64)],
    x: X,
    (ylo, yhi): (f64, f64),
    x_desc: &str,
) -> Result<(), PlotError>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .margin_right(24)
        .margin_top(6)
        .x_label_area_size(62)
        .y_label_area_size(96)
        .build_cartesian_2d(x, ylo..yhi)?;
    let unit = input.unit;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_labels(10)
        .y_labels(7)
        .x_desc(x_desc)
        .y_desc(input.y_desc.as_str())
        .axis_desc_style(style::font(AXIS_DESC_SIZE))
        .label_style(style::font(TICK_SIZE))
        .x_label_formatter(&|v| count_tick(*v))
        .y_label_formatter(&|v| style::tick(*v, unit))
        .draw()?;

    // The band, over the runs of points whose MCSE is known.
    let banded: Vec<&(f64, f64, f64)> = pts.iter().filter(|p| p.2.is_finite()).collect();
    if banded.len() >= 2 {
        let poly: Vec<(f64, f64)> = banded
            .iter()
            .map(|(n, m, s)| (*n, m + 2.0 * s))
            .chain(banded.iter().rev().map(|(n, m, s)| (*n, m - 2.0 * s)))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(
            poly,
            MAIN.mix(BAND_ALPHA).filled(),
        )))?;
    }
    // Whiskers and dots mark the recorded counts while they are few
    // enough to tell apart (a lone point then still shows its interval).
    let marked = pts.len() <= MAX_MARKED;
    let whiskers = if marked { &banded[..] } else { &[] };
    chart.draw_series(whiskers.iter().map(|(n, m, s)| {
        PathElement::new(
            vec![(*n, m - 2.0 * s), (*n, m + 2.0 * s)],
            MAIN.mix(0.55).stroke_width(2),
        )
    }))?;
    let (first, last) = (pts[0].0, pts[pts.len() - 1].0);
    let final_mean = pts[pts.len() - 1].1;
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(first, final_mean), (last, final_mean)],
        8,
        5,
        FINAL.stroke_width(2),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        pts.iter().map(|(n, m, _)| (*n, *m)).collect::<Vec<_>>(),
        MAIN.stroke_width(3),
    )))?;
    let dots = if marked { pts } else { &[] };
    chart.draw_series(
        dots.iter()
            .map(|(n, m, _)| Circle::new((*n, *m), 4, MAIN.filled())),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_ticks() {
        assert_eq!(count_tick(64.0), "64");
        assert_eq!(count_tick(4096.0), "4,096");
        assert_eq!(count_tick(120_000.0), "120k");
        assert_eq!(count_tick(1_500_000.0), "1.5M");
        assert_eq!(count_tick(1_000_000.0), "1M");
    }

    #[test]
    fn renders_a_single_point_and_nan_errors() {
        let input = Input {
            title: "t".into(),
            subtitle: "s".into(),
            y_desc: "y".into(),
            unit: "USD",
            replicates: &[64, 128],
            mean: &[1.0e6, 1.1e6],
            mcse: &[f64::NAN, f64::NAN],
            note: String::new(),
        };
        render(&input, (400, 300)).expect("renders");
        let one = Input {
            replicates: &[50],
            mean: &[2.0],
            mcse: &[0.5],
            ..input
        };
        render(&one, (400, 300)).expect("renders");
    }
}
