//! Figures, drawn with plotters. One module per kind of figure; each exposes
//! its size as a constant and a pure `render(input, size)` that returns the
//! figure as PNG bytes and SVG text. Nothing here touches the file system
//! (the report writes the bytes through [`crate::output::atomic`]).
//!
//! Text is drawn with a font compiled into the binary ([`style`]), so
//! figures render on machines without any system fonts.
//!
//! - [`distribution`]: histogram and exceedance curve of one outcome;
//! - [`prices`]: peak price multipliers of every commodity (small-multiple
//!   histograms, and exceedance curves on one chart);
//! - [`fan`]: fan charts of daily series (p5–p95, p25–p75, median);
//! - [`breakdown`]: loss components by crossing (stacked means, spreads);
//! - [`convergence`]: running mean of a run with its ±2 MCSE band;
//! - [`sweep`]: outcomes against a swept value (bands), and marginal costs;
//! - [`compare`]: paired differences B − A as horizontal intervals;
//! - [`tornado`]: one-at-a-time sensitivity of one outcome (bars from the
//!   base value to the outcome at each input's p10 and p90).

pub mod breakdown;
pub mod compare;
pub mod convergence;
pub mod density;
pub mod distribution;
pub mod fan;
pub mod prices;
pub mod style;
pub mod sweep;
pub mod tornado;

use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;

/// A figure could not be drawn or encoded.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the figure: {0}")]
pub struct PlotError(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

/// One figure, in both formats.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// PNG file contents.
    pub png: Vec<u8>,
    /// SVG document.
    pub svg: String,
}

/// Draws a figure twice, once on a bitmap (encoded as PNG) and once as SVG.
/// `png` and `svg` are the same drawing code instantiated for each backend.
pub fn render_both<P, S>(size: (u32, u32), png: P, svg: S) -> Result<Rendered, PlotError>
where
    P: FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), PlotError>,
    S: FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), PlotError>,
{
    style::register_fonts()?;
    let (w, h) = size;
    if w == 0 || h == 0 {
        return Err(PlotError(format!("empty figure size {w}×{h}")));
    }
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        root.fill(&WHITE)?;
        png(&root)?;
        root.present()?;
    }
    let mut svg_text = String::new();
    {
        let root = SVGBackend::with_string(&mut svg_text, size).into_drawing_area();
        root.fill(&WHITE)?;
        svg(&root)?;
        root.present()?;
    }
    Ok(Rendered {
        png: encode_png(&pixels, size)?,
        svg: svg_text,
    })
}

/// RGB8 pixels → PNG bytes.
fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, PlotError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc
        .write_header()
        .map_err(|e| PlotError(format!("PNG encoding: {e}")))?;
    writer
        .write_image_data(rgb)
        .map_err(|e| PlotError(format!("PNG encoding: {e}")))?;
    writer
        .finish()
        .map_err(|e| PlotError(format!("PNG encoding: {e}")))?;
    Ok(out)
}

/// A metric's quantile function on a probability grid (`p` increasing from
/// 0 to 1, `x` non-decreasing), as in `quantiles.csv`.
#[derive(Clone, Copy, Debug)]
pub struct QuantileFn<'a> {
    pub p: &'a [f64],
    pub x: &'a [f64],
}

/// The 5th, 50th and 95th percentiles (from `summary.csv`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marks {
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}
