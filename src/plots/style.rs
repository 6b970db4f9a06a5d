//! What every figure shares: the embedded font, the Okabe–Ito palette, text
//! sizes, tick-label formats, and the title/legend strips drawn above the
//! charts.

use super::PlotError;
use crate::output::format::{compact, thousands, usd};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::OnceLock;

/// Font family every figure asks for. It is registered with the embedded
/// DejaVu Sans, so no system font is ever looked up; the name is also a CSS
/// font list, so SVG viewers use DejaVu Sans where they have it and their
/// sans-serif otherwise.
pub const FONT: &str = "DejaVu Sans, sans-serif";

/// DejaVu Sans, subset (see `assets/fonts/LICENSE-DejaVu.txt`).
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, subset.
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the embedded fonts with plotters (once per process).
pub fn register_fonts() -> Result<(), PlotError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        // Also as plain `sans-serif`, plotters' default family.
        [FONT, "sans-serif"].iter().all(|name| {
            plotters::style::register_font(name, FontStyle::Normal, REGULAR).is_ok()
                && plotters::style::register_font(name, FontStyle::Bold, BOLD).is_ok()
        })
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError(
            "the embedded font is not a valid TrueType font".into(),
        ))
    }
}

// Text sizes in pixels, chosen to stay legible when a 1200-px-wide figure is
// shrunk onto a slide.
pub const TITLE_SIZE: f64 = 30.0;
pub const SUBTITLE_SIZE: f64 = 19.0;
pub const CAPTION_SIZE: f64 = 20.0;
pub const AXIS_DESC_SIZE: f64 = 18.0;
pub const TICK_SIZE: f64 = 16.0;
pub const ANNOTATION_SIZE: f64 = 16.0;
pub const LEGEND_SIZE: f64 = 17.0;
/// Left and right margin of the title and legend strips.
pub const MARGIN: i32 = 24;

/// Okabe & Ito (2008) colour-blind-safe palette.
pub mod okabe_ito {
    use plotters::style::RGBColor;
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
}

/// Colours for categories (commodities, components), in order of use: the
/// strongest contrasts on white first, yellow last.
pub const CATEGORICAL: [RGBColor; 8] = [
    okabe_ito::BLUE,
    okabe_ito::VERMILLION,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::ORANGE,
    okabe_ito::SKY_BLUE,
    okabe_ito::BLACK,
    okabe_ito::YELLOW,
];

/// Colour of category `i` (cycles after eight).
pub fn category(i: usize) -> RGBColor {
    CATEGORICAL[i % CATEGORICAL.len()]
}

/// Body text.
pub const TEXT: RGBColor = RGBColor(34, 34, 34);
/// Secondary text (subtitles, notes).
pub const MUTED: RGBColor = RGBColor(85, 85, 85);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(225, 225, 225);
/// Axis lines.
pub const AXIS: RGBColor = RGBColor(120, 120, 120);

/// A font of the embedded family.
pub fn font(size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal).color(&TEXT)
}

/// A bold font of the embedded family.
pub fn bold(size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Bold).color(&TEXT)
}

/// Removes trailing zeros of the number inside a formatted value:
/// `$1.50M` → `$1.5M`, `2.00×` → `2×`.
fn trim_zeros(s: &str) -> String {
    let Some(dot) = s.find('.') else {
        return s.to_string();
    };
    let end = s[dot + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(s.len(), |i| dot + 1 + i);
    let digits = s[dot + 1..end].trim_end_matches('0');
    let head = if digits.is_empty() {
        s[..dot].to_string()
    } else {
        format!("{}.{digits}", &s[..dot])
    };
    format!("{head}{}", &s[end..])
}

/// A plain number for a tick: `12,500`, `1.2M`, `0.25`.
fn plain_tick(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        trim_zeros(&compact(x))
    } else if a >= 1000.0 {
        thousands(x)
    } else if a >= 10.0 || a == 0.0 {
        trim_zeros(&format!("{x:.1}"))
    } else {
        trim_zeros(&format!("{x:.2}"))
    }
}

/// A tick label in a metric's unit: `$1.5M`, `12,500`, `40%`, `2.5×`.
pub fn tick(x: f64, unit: &str) -> String {
    if !x.is_finite() {
        return String::new();
    }
    // Ticks such as 0.30000000000000004 or -0.0 print cleanly.
    let x = if x.abs() < 1e-12 { 0.0 } else { x };
    match unit {
        "USD" => trim_zeros(&usd(x)),
        "share" => format!("{}%", plain_tick(x * 100.0)),
        "%" => format!("{}%", plain_tick(x)),
        "×" => format!("{}×", plain_tick(x)),
        _ => plain_tick(x),
    }
}

/// Breaks `text` into lines no wider than `max_width` pixels in `style`.
pub fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    max_width: u32,
) -> Result<Vec<String>, PlotError> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        let (w, _) = area.estimate_text_size(&candidate, style)?;
        if w > max_width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// Draws a bold title and a muted, wrapped subtitle at the top of `area`;
/// returns the area below them.
pub fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let width = area.dim_in_pixel().0;
    let max = width.saturating_sub(2 * MARGIN as u32);
    let top = Pos::new(HPos::Left, VPos::Top);
    let t_style = bold(TITLE_SIZE).pos(top);
    let s_style = font(SUBTITLE_SIZE).color(&MUTED).pos(top);
    let mut y = 16;
    for line in wrap(area, title, &t_style, max)? {
        area.draw(&Text::new(line, (MARGIN, y), t_style.clone()))?;
        y += (TITLE_SIZE * 1.25) as i32;
    }
    y += 2;
    for line in wrap(area, subtitle, &s_style, max)? {
        area.draw(&Text::new(line, (MARGIN, y), s_style.clone()))?;
        y += (SUBTITLE_SIZE * 1.35) as i32;
    }
    let (_, rest) = area.split_vertically(y + 6);
    Ok(rest)
}

/// How a legend entry is drawn.
#[derive(Clone, Debug)]
pub enum Key {
    /// A filled box.
    Swatch(RGBAColor),
    /// A line of the given colour and width.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor, u32),
}

/// Draws one row of legend entries at the top of `area`, left to right;
/// returns the area below it.
pub fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(Key, String)],
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let style = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let row_h = (LEGEND_SIZE * 1.8) as i32;
    let width = area.dim_in_pixel().0 as i32;
    let (mut x, mut y) = (MARGIN, row_h / 2);
    for (key, label) in items {
        let (tw, _) = area.estimate_text_size(label, &style)?;
        let item_w = 30 + 8 + tw as i32 + 28;
        if x + item_w > width - MARGIN && x > MARGIN {
            x = MARGIN;
            y += row_h;
        }
        match key {
            Key::Swatch(c) => {
                area.draw(&Rectangle::new([(x, y - 8), (x + 30, y + 8)], c.filled()))?;
            }
            Key::Line(c, w) => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + 30, y)],
                    c.stroke_width(*w),
                ))?;
            }
            Key::Dashed(c, w) => {
                area.draw(&DashedPathElement::new(
                    vec![(x, y), (x + 30, y)],
                    6,
                    4,
                    c.stroke_width(*w),
                ))?;
            }
        }
        area.draw(&Text::new(label.clone(), (x + 38, y), style.clone()))?;
        x += item_w;
    }
    let (_, rest) = area.split_vertically(y + row_h / 2 + 12);
    Ok(rest)
}

/// Draws a muted note at the bottom of `area`; returns the area above it.
pub fn footnote<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    note: &str,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let (w, h) = area.dim_in_pixel();
    let style = font(ANNOTATION_SIZE)
        .color(&MUTED)
        .pos(Pos::new(HPos::Left, VPos::Top));
    let lines = wrap(area, note, &style, w.saturating_sub(2 * MARGIN as u32))?;
    let line_h = (ANNOTATION_SIZE * 1.35) as i32;
    let total = line_h * lines.len() as i32 + 10;
    let (upper, lower) = area.split_vertically(h as i32 - total);
    for (i, line) in lines.into_iter().enumerate() {
        lower.draw(&Text::new(
            line,
            (MARGIN, 2 + i as i32 * line_h),
            style.clone(),
        ))?;
    }
    Ok(upper)
}

/// Rounds a (lo, hi) range outwards a little and makes it non-empty.
pub fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    if hi - lo <= 1e-12 * lo.abs().max(hi.abs()).max(1e-300) {
        let d = (lo.abs() * 0.1).max(1.0);
        return (lo - d, hi + d);
    }
    let d = (hi - lo) * frac;
    (lo - d, hi + d)
}

/// One panel of a [`panel_grid`]: where to draw its chart, and whether its
/// axes carry labels (bottom row, left column).
pub struct Panel<DB: DrawingBackend> {
    pub area: DrawingArea<DB, Shift>,
    pub bottom: bool,
    pub left: bool,
}

/// Columns of a grid of `n` panels.
pub fn grid_columns(n: usize) -> usize {
    match n {
        0 | 1 => 1,
        2 | 3 => n,
        4 => 2,
        5..=8 => 4,
        _ => (n as f64).sqrt().ceil() as usize,
    }
}

/// Splits `body` into a grid of panels, one per caption, draws each
/// caption (wrapped to the cell width; every cell reserves the height of
/// the longest) above its panel, and returns the panels and the number of
/// columns.
pub fn panel_grid<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    captions: &[&str],
) -> Result<(Vec<Panel<DB>>, usize), PlotError> {
    let n = captions.len();
    let cols = grid_columns(n);
    let rows = n.div_ceil(cols);
    let body = body.margin(0, 6, 6, 10);
    let cells = body.split_evenly((rows, cols));
    let cap_style = font(CAPTION_SIZE - 2.0).pos(Pos::new(HPos::Center, VPos::Top));
    let cell_w = cells[0].dim_in_pixel().0.saturating_sub(20);
    let wrapped: Vec<Vec<String>> = captions
        .iter()
        .map(|c| wrap(&cells[0], c, &cap_style, cell_w))
        .collect::<Result<_, _>>()?;
    let cap_lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let line_h = ((CAPTION_SIZE - 2.0) * 1.3) as i32;
    let cap_h = cap_lines as i32 * line_h + 6;
    let mut panels = Vec::with_capacity(n);
    for (i, cell) in cells.iter().take(n).enumerate() {
        let (row, col) = (i / cols, i % cols);
        let (cw, _) = cell.dim_in_pixel();
        // Row gap: keeps a caption clear of the tick labels above it.
        let cell = if row > 0 {
            cell.margin(14, 0, 0, 0)
        } else {
            cell.clone()
        };
        let (cap_area, area) = cell.split_vertically(cap_h);
        for (k, line) in wrapped[i].iter().enumerate() {
            cap_area.draw(&Text::new(
                line.clone(),
                (cw as i32 / 2, 2 + k as i32 * line_h),
                cap_style.clone(),
            ))?;
        }
        panels.push(Panel {
            area,
            bottom: row + 1 == rows || i + cols >= n,
            left: col == 0,
        });
    }
    Ok((panels, cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks() {
        assert_eq!(tick(1_500_000.0, "USD"), "$1.5M");
        assert_eq!(tick(2_000_000.0, "USD"), "$2M");
        assert_eq!(tick(0.0, "USD"), "$0");
        assert_eq!(tick(-250_000.0, "USD"), "-$250k");
        assert_eq!(tick(12_500.0, "trucks"), "12,500");
        assert_eq!(tick(0.30000000000000004, "trucks"), "0.3");
        assert_eq!(tick(0.25, "share"), "25%");
        assert_eq!(tick(2.5, "×"), "2.5×");
        assert_eq!(tick(3.0, "×"), "3×");
        assert_eq!(tick(4_200_000.0, "workers"), "4.2M");
    }

    #[test]
    fn trims() {
        assert_eq!(trim_zeros("$1.50M"), "$1.5M");
        assert_eq!(trim_zeros("$950"), "$950");
        assert_eq!(trim_zeros("2.00×"), "2×");
        assert_eq!(trim_zeros("10.0"), "10");
    }

    #[test]
    fn padding() {
        assert_eq!(padded(0.0, 10.0, 0.1), (-1.0, 11.0));
        let (lo, hi) = padded(5.0, 5.0, 0.1);
        assert!(lo < 5.0 && hi > 5.0);
        let (lo, hi) = padded(f64::NAN, 1.0, 0.1);
        assert!(lo < hi);
    }

    #[test]
    fn fonts_register() {
        register_fonts().expect("embedded fonts are valid");
    }
}
