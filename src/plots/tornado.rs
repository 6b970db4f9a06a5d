//! Tornado figure of one outcome: one horizontal bar per input, largest
//! swing at the top, drawn from the base value (every input at its median)
//! to the outcome with the input at its low level (p10) and at its high
//! level (p90). The input's own p10 and p90 are written at the bar ends.

use super::style::{
    self, ANNOTATION_SIZE, AXIS, AXIS_DESC_SIZE, GRID, Key, MUTED, TICK_SIZE, okabe_ito,
};
use super::{PlotError, Rendered, render_both};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width × height in pixels.
pub const SIZE: (u32, u32) = (1200, 820);

/// Colour of the bars to the outcome with the input at its low level.
pub const LOW_COLOUR: RGBColor = okabe_ito::BLUE;
/// Colour of the bars to the outcome with the input at its high level.
pub const HIGH_COLOUR: RGBColor = okabe_ito::ORANGE;

/// One input's bar.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Input name, shown left of the chart (shortened to fit).
    pub label: String,
    /// Outcome with the input at its low level.
    pub low: f64,
    /// Outcome with the input at its high level.
    pub high: f64,
    /// Written at the end of the low bar (e.g. the input's p10), or empty.
    pub low_note: String,
    /// Written at the end of the high bar, or empty.
    pub high_note: String,
}

/// What the figure shows.
#[derive(Clone, Debug)]
pub struct Input {
    pub title: String,
    pub subtitle: String,
    /// Unit of the outcome, for the tick labels (`USD`, `workers`, …).
    pub unit: String,
    /// Horizontal axis, with the unit.
    pub x_desc: String,
    /// Outcome with every input at its median.
    pub base: f64,
    /// Bars from the top down (largest swing first).
    pub bars: Vec<Bar>,
    /// Legend labels of the low and high bars and of the base line.
    pub low_label: String,
    pub high_label: String,
    pub base_label: String,
    /// Shown under the chart (may be empty).
    pub note: String,
}

/// Draws the figure as PNG and SVG.
pub fn render(input: &Input, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| draw(r, input), |r| draw(r, input))
}

/// `text` shortened with an ellipsis to at most `max` pixels in `font`.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle<'_>,
    max: u32,
) -> Result<String, PlotError> {
    if area.estimate_text_size(text, font)?.0 <= max {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let s: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if area.estimate_text_size(&s, font)?.0 <= max {
            return Ok(s);
        }
    }
    Ok("…".into())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &Input) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let keys = vec![
        (Key::Swatch(LOW_COLOUR.to_rgba()), input.low_label.clone()),
        (Key::Swatch(HIGH_COLOUR.to_rgba()), input.high_label.clone()),
        (Key::Line(okabe_ito::BLACK, 2), input.base_label.clone()),
    ];
    let body = style::legend_row(&body, &keys)?;
    let body = if input.note.is_empty() {
        body
    } else {
        style::footnote(&body, &input.note)?
    };
    let bars: Vec<&Bar> = input
        .bars
        .iter()
        .filter(|b| b.low.is_finite() && b.high.is_finite())
        .collect();
    if bars.is_empty() || !input.base.is_finite() {
        return super::distribution::no_data(&body);
    }
    let n = bars.len();
    let (lo, hi) = bars.iter().fold((input.base, input.base), |(lo, hi), b| {
        (lo.min(b.low).min(b.high), hi.max(b.low).max(b.high))
    });
    // Room for the notes at the bar ends.
    let (xl, xh) = style::padded(lo, hi, 0.12);

    let label_font = style::font(TICK_SIZE + 1.0).pos(Pos::new(HPos::Right, VPos::Center));
    let width = body.dim_in_pixel().0;
    let max_label = (width as f64 * 0.38) as u32;
    let mut labels = Vec::with_capacity(n);
    let mut widest = 0;
    for b in &bars {
        let l = fit(&body, &b.label, &label_font, max_label)?;
        widest = widest.max(body.estimate_text_size(&l, &label_font)?.0);
        labels.push(l);
    }

    let mut chart = ChartBuilder::on(&body)
        .margin_left(style::MARGIN as u32)
        .margin_right(36)
        .margin_top(8)
        .margin_bottom(10)
        .x_label_area_size(64)
        .y_label_area_size(widest + 16)
        .build_cartesian_2d(xl..xh, 0.0..n as f64)?;
    let x_fmt = |v: &f64| style::tick(*v, &input.unit);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(7)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_desc(input.x_desc.as_str())
        .axis_desc_style(style::font(AXIS_DESC_SIZE))
        .label_style(style::font(TICK_SIZE + 1.0))
        .x_label_formatter(&x_fmt)
        .draw()?;

    let note_font = |right: bool| {
        style::font(ANNOTATION_SIZE - 1.0)
            .color(&MUTED)
            .pos(Pos::new(
                if right { HPos::Left } else { HPos::Right },
                VPos::Center,
            ))
    };
    let base = input.base;
    for (i, (b, label)) in bars.iter().zip(&labels).enumerate() {
        let c = (n - i) as f64 - 0.5;
        chart.draw_series(std::iter::once(
            EmptyElement::at((xl, c)) + Text::new(label.clone(), (-10, 0), label_font.clone()),
        ))?;
        // The bar farther from the base first, so a nearer one on the same
        // side stays visible on top of it.
        let mut parts = [(b.low, LOW_COLOUR), (b.high, HIGH_COLOUR)];
        if (b.low - base).abs() < (b.high - base).abs() {
            parts.swap(0, 1);
        }
        for (v, col) in parts {
            if v != base {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(base.min(v), c - 0.34), (base.max(v), c + 0.34)],
                    col.filled(),
                )))?;
            }
        }
        for (v, note) in [(b.low, &b.low_note), (b.high, &b.high_note)] {
            if note.is_empty() {
                continue;
            }
            let right = v >= base;
            chart.draw_series(std::iter::once(
                EmptyElement::at((v, c))
                    + Text::new(
                        note.clone(),
                        (if right { 6 } else { -6 }, 0),
                        note_font(right),
                    ),
            ))?;
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(base, 0.0), (base, n as f64)],
        okabe_ito::BLACK.stroke_width(2),
    )))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(bars: Vec<Bar>) -> Input {
        Input {
            title: "Direct loss: what moves it".into(),
            subtitle: "One at a time".into(),
            unit: "USD".into(),
            x_desc: "Direct loss (USD)".into(),
            base: 1.0e6,
            bars,
            low_label: "input at p10".into(),
            high_label: "input at p90".into(),
            base_label: "base".into(),
            note: "a note".into(),
        }
    }

    #[test]
    fn renders_png_and_svg() {
        let bars = vec![
            Bar {
                label: "october 2025 closure: duration days".into(),
                low: 2.0e5,
                high: 4.0e6,
                low_note: "5.1".into(),
                high_note: "178".into(),
            },
            Bar {
                label: "a very long input name that will certainly not fit into the space left of the chart at all".into(),
                low: 1.2e6,
                high: 1.1e6,
                low_note: String::new(),
                high_note: String::new(),
            },
        ];
        let r = render(&input(bars), SIZE).unwrap();
        assert!(r.png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(r.svg.contains("duration days"));
        assert!(r.svg.contains('…'));
    }

    #[test]
    fn no_finite_bars_is_not_an_error() {
        let bars = vec![Bar {
            label: "x".into(),
            low: f64::NAN,
            high: 1.0,
            low_note: String::new(),
            high_note: String::new(),
        }];
        let r = render(&input(bars), SIZE).unwrap();
        assert!(r.svg.contains("No data"));
    }
}
