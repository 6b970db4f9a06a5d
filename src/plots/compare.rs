//! Paired differences `B − A` (`bordersim compare`, and sweep points
//! against their baseline): for each outcome a panel, and in it one row per
//! variant: a thin bar over the 90% of replicates (p5–p95), a thick bar
//! over the middle 50% (p25–p75), a dot at the median and a vertical tick at
//! the mean, against a zero line; P(B > A) is written at the end of the row.
//!
//! Every outcome shown is a cost or a harm, so a row is coloured vermillion
//! where B is higher (worse) in the median, bluish green where lower. Panels
//! have their own horizontal axis: outcomes differ in unit and scale.

use super::style::{
    self, ANNOTATION_SIZE, AXIS, AXIS_DESC_SIZE, CAPTION_SIZE, GRID, LEGEND_SIZE, MARGIN, MUTED,
    TICK_SIZE, okabe_ito,
};
use super::{PlotError, Rendered, render_both};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of the figure.
pub const WIDTH: u32 = 1400;
/// Colour of a row where B is higher (worse).
const HIGHER: RGBColor = okabe_ito::VERMILLION;
/// Colour of a row where B is lower (better).
const LOWER: RGBColor = okabe_ito::BLUISH_GREEN;
/// Colour of a row with no difference in the median.
const SAME: RGBColor = RGBColor(120, 120, 120);
/// Height of a row, in pixels.
const ROW_H: u32 = 46;
/// Width kept right of each chart for the P(B > A) labels.
const PROB_W: i32 = 150;
/// Height of a panel's caption strip.
const CAPTION_H: i32 = 34;

/// One variant's paired difference in one outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The variant (B), e.g. "interventions".
    pub label: String,
    /// p5, p25, p50, p75, p95 of `B − A` across replicates.
    pub q: [f64; 5],
    /// Mean of `B − A`.
    pub mean: f64,
    /// Share of replicates with `B > A`.
    pub prob_higher: f64,
}

/// One outcome.
#[derive(Clone, Debug)]
pub struct Panel {
    /// e.g. "Direct loss".
    pub caption: String,
    /// Horizontal axis, with the unit: "B − A (US$)".
    pub x_desc: String,
    /// Unit (as in the tables): formats the ticks.
    pub unit: String,
    pub rows: Vec<Row>,
}

/// What the figure shows.
#[derive(Clone, Debug)]
pub struct Input {
    pub title: String,
    pub subtitle: String,
    pub panels: Vec<Panel>,
    /// A note under the charts (empty: none).
    pub note: String,
}

/// Columns of the panel grid.
fn columns(n: usize) -> usize {
    if n <= 1 { 1 } else { 2 }
}

/// The size [`render`] should be given: panels in two columns, each as
/// tall as its rows.
pub fn size_for(panels: usize, rows: usize) -> (u32, u32) {
    let grid_rows = panels.div_ceil(columns(panels)).max(1) as u32;
    let panel_h = if rows <= 1 {
        // Compact: the outcome labels its only row, no caption strip.
        ROW_H + 62 + 24
    } else {
        CAPTION_H as u32 + ROW_H * rows as u32 + 62 + 18
    };
    let width = if panels <= 1 { 1200 } else { WIDTH };
    (width, 250 + grid_rows * panel_h + 40)
}

/// Draws the figure as PNG and SVG.
pub fn render(input: &Input, size: (u32, u32)) -> Result<Rendered, PlotError> {
    render_both(size, |r| draw(r, input), |r| draw(r, input))
}

fn row_colour(r: &Row) -> RGBColor {
    if r.q[2] > 0.0 {
        HIGHER
    } else if r.q[2] < 0.0 {
        LOWER
    } else {
        SAME
    }
}

fn finite(r: &Row) -> bool {
    r.q.iter().all(|v| v.is_finite()) && r.mean.is_finite()
}

/// "P(B > A) = 97%", with "<1%" and ">99%" for the rare but possible.
pub fn prob_label(r: &Row) -> String {
    if r.q.iter().all(|&v| v == 0.0) && r.mean == 0.0 {
        return "no difference".to_string();
    }
    let p = r.prob_higher;
    let pct = if !p.is_finite() {
        "n/a".to_string()
    } else if p > 0.0 && p < 0.005 {
        "<1%".to_string()
    } else if p < 1.0 && p > 0.995 {
        ">99%".to_string()
    } else {
        format!("{:.0}%", p * 100.0)
    };
    format!("P(B > A) = {pct}")
}

/// The legend: colours, then the marks of a row, drawn as they appear.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let style = style::font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let row_h = (LEGEND_SIZE * 1.8) as i32;
    let width = area.dim_in_pixel().0 as i32;
    let (mut x, mut y) = (MARGIN, row_h / 2);
    let items: [(u8, &str); 6] = [
        (0, "B higher than A (median)"),
        (1, "B lower than A (median)"),
        (2, "90% of replicates (p5–p95)"),
        (3, "middle 50% (p25–p75)"),
        (4, "median"),
        (5, "mean"),
    ];
    for (kind, label) in items {
        let (tw, _) = area.estimate_text_size(label, &style)?;
        let item_w = 30 + 8 + tw as i32 + 28;
        if x + item_w > width - MARGIN && x > MARGIN {
            x = MARGIN;
            y += row_h;
        }
        let ink = okabe_ito::BLACK.mix(0.75);
        match kind {
            0 => area.draw(&Rectangle::new(
                [(x, y - 8), (x + 30, y + 8)],
                HIGHER.filled(),
            ))?,
            1 => area.draw(&Rectangle::new(
                [(x, y - 8), (x + 30, y + 8)],
                LOWER.filled(),
            ))?,
            2 => area.draw(&PathElement::new(
                vec![(x, y), (x + 30, y)],
                ink.stroke_width(3),
            ))?,
            3 => area.draw(&Rectangle::new([(x, y - 7), (x + 30, y + 7)], ink.filled()))?,
            4 => {
                area.draw(&Circle::new((x + 15, y), 8, WHITE.filled()))?;
                area.draw(&Circle::new((x + 15, y), 6, okabe_ito::BLACK.filled()))?;
            }
            _ => area.draw(&PathElement::new(
                vec![(x + 15, y - 12), (x + 15, y + 12)],
                okabe_ito::BLACK.stroke_width(3),
            ))?,
        }
        area.draw(&Text::new(label.to_string(), (x + 38, y), style.clone()))?;
        x += item_w;
    }
    let (_, rest) = area.split_vertically(y + row_h / 2 + 12);
    Ok(rest)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &Input) -> Result<(), PlotError> {
    let body = style::header(root, &input.title, &input.subtitle)?;
    let body = legend(&body)?;
    let body = if input.note.is_empty() {
        body
    } else {
        style::footnote(&body, &input.note)?
    };
    let n = input.panels.len();
    if n == 0 || input.panels.iter().all(|p| p.rows.is_empty()) {
        let (w, h) = body.dim_in_pixel();
        body.draw(&Text::new(
            "No differences to show",
            (w as i32 / 2, h as i32 / 2),
            style::font(CAPTION_SIZE)
                .color(&MUTED)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
        return Ok(());
    }
    let cols = columns(n);
    let grid_rows = n.div_ceil(cols);
    let body = body.margin(0, 4, 6, 10);
    let cells = body.split_evenly((grid_rows, cols));
    // One variant: each outcome labels its only row (the title names the
    // variant). Several: a caption per outcome, a label per variant.
    let compact = input.panels.iter().all(|p| p.rows.len() <= 1);
    let label_style = row_label_style(compact);
    let labels: Vec<&str> = if compact {
        input.panels.iter().map(|p| p.caption.as_str()).collect()
    } else {
        input
            .panels
            .iter()
            .flat_map(|p| &p.rows)
            .map(|r| r.label.as_str())
            .collect()
    };
    // Row labels get the width of the longest, within limits.
    let label_w = labels
        .iter()
        .map(|l| body.estimate_text_size(l, &label_style).map(|(w, _)| w))
        .collect::<Result<Vec<u32>, _>>()?
        .into_iter()
        .max()
        .unwrap_or(60)
        .clamp(60, 260);
    let cap_style = style::bold(CAPTION_SIZE - 1.0).pos(Pos::new(HPos::Left, VPos::Top));
    for (i, (panel, cell)) in input.panels.iter().zip(&cells).enumerate() {
        let cell = if i >= cols {
            cell.margin(10, 0, 0, 0)
        } else {
            cell.clone()
        };
        let plot_area = if compact {
            cell.margin(8, 0, 0, 0)
        } else {
            let (cap_area, plot_area) = cell.split_vertically(CAPTION_H);
            cap_area.draw(&Text::new(
                panel.caption.clone(),
                (label_w as i32 + 20, 4),
                cap_style.clone(),
            ))?;
            plot_area
        };
        draw_panel(&plot_area, panel, label_w, compact)?;
    }
    Ok(())
}

fn row_label_style(compact: bool) -> TextStyle<'static> {
    if compact {
        style::bold(TICK_SIZE + 1.0)
    } else {
        style::font(TICK_SIZE + 1.0)
    }
}

fn x_range(panel: &Panel) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for r in panel.rows.iter().filter(|r| finite(r)) {
        lo = lo.min(r.q[0]).min(r.mean);
        hi = hi.max(r.q[4]).max(r.mean);
    }
    style::padded(lo, hi, 0.06)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    label_w: u32,
    compact: bool,
) -> Result<(), PlotError> {
    let k = panel.rows.len().max(1);
    let (xlo, xhi) = x_range(panel);
    let (chart_area, prob_area) = {
        let w = area.dim_in_pixel().0 as i32;
        area.split_horizontally(w - PROB_W)
    };
    let mut chart = ChartBuilder::on(&chart_area)
        .margin_right(12)
        .margin_top(2)
        .x_label_area_size(62)
        .y_label_area_size(label_w + 18)
        .build_cartesian_2d(xlo..xhi, 0.0..k as f64)?;
    let unit = panel.unit.as_str();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .x_labels(6)
        .y_labels(0)
        .x_desc(panel.x_desc.as_str())
        .axis_desc_style(style::font(AXIS_DESC_SIZE))
        .label_style(style::font(TICK_SIZE))
        .x_label_formatter(&|v| style::tick(*v, unit))
        .draw()?;
    // The zero line: no difference.
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(0.0, 0.0), (0.0, k as f64)],
        6,
        4,
        okabe_ito::BLACK.stroke_width(2),
    )))?;
    for (i, r) in panel.rows.iter().enumerate() {
        // First row on top.
        let y = k as f64 - i as f64 - 0.5;
        let label = if compact { &panel.caption } else { &r.label };
        row_label(area, &chart, label, y, label_w, compact)?;
        prob_text(&prob_area, &chart, r, y)?;
        if !finite(r) {
            continue;
        }
        let c = row_colour(r);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(r.q[0], y), (r.q[4], y)],
            c.stroke_width(3),
        )))?;
        // Whisker ends, so that a narrow interval still reads as one.
        chart.draw_series([r.q[0], r.q[4]].into_iter().map(|x| {
            EmptyElement::at((x, y)) + PathElement::new(vec![(0, -7), (0, 7)], c.stroke_width(2))
        }))?;
        let (x25, _) = chart.backend_coord(&(r.q[1], y));
        let (x75, _) = chart.backend_coord(&(r.q[3], y));
        chart.draw_series(std::iter::once(
            EmptyElement::at((r.q[1], y))
                + Rectangle::new([(0, -9), ((x75 - x25).max(2), 9)], c.filled()),
        ))?;
        // The mean under the median's dot: a tick through the bar that
        // still shows above and below the dot when the two coincide.
        chart.draw_series(std::iter::once(
            EmptyElement::at((r.mean, y))
                + PathElement::new(vec![(0, -15), (0, 15)], WHITE.stroke_width(5))
                + PathElement::new(vec![(0, -14), (0, 14)], okabe_ito::BLACK.stroke_width(3)),
        ))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((r.q[2], y))
                + Circle::new((0, 0), 9, WHITE.filled())
                + Circle::new((0, 0), 7, okabe_ito::BLACK.filled()),
        ))?;
    }
    Ok(())
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A row's label (the variant, or in compact mode the outcome),
/// right-aligned left of the chart at row `y`.
fn row_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<'_, DB>,
    label: &str,
    y: f64,
    label_w: u32,
    compact: bool,
) -> Result<(), PlotError> {
    let (_, py) = chart.backend_coord(&(0.0, y));
    let (_, by) = area.get_base_pixel();
    let st = row_label_style(compact).pos(Pos::new(HPos::Right, VPos::Center));
    // Long labels are cut to the label column.
    let mut text = label.to_string();
    let mut chars: Vec<char> = label.chars().collect();
    while chars.len() > 4 && area.estimate_text_size(&text, &st)?.0 > label_w {
        chars.pop();
        text = format!("{}…", chars.iter().collect::<String>().trim_end());
    }
    area.draw(&Text::new(text, (label_w as i32 + 10, py - by), st))?;
    Ok(())
}

/// "P(B > A) = 97%" right of the chart at row `y`.
fn prob_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<'_, DB>,
    r: &Row,
    y: f64,
) -> Result<(), PlotError> {
    let (_, py) = chart.backend_coord(&(0.0, y));
    let (_, by) = area.get_base_pixel();
    let st = style::font(ANNOTATION_SIZE)
        .color(&MUTED)
        .pos(Pos::new(HPos::Left, VPos::Center));
    area.draw(&Text::new(prob_label(r), (4, py - by), st))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(p50: f64, prob: f64) -> Row {
        Row {
            label: "interventions".into(),
            q: [p50 - 2.0, p50 - 1.0, p50, p50 + 1.0, p50 + 2.0],
            mean: p50,
            prob_higher: prob,
        }
    }

    #[test]
    fn probability_labels() {
        assert_eq!(prob_label(&row(1.0, 0.97)), "P(B > A) = 97%");
        assert_eq!(prob_label(&row(1.0, 0.999)), "P(B > A) = >99%");
        assert_eq!(prob_label(&row(1.0, 0.001)), "P(B > A) = <1%");
        assert_eq!(prob_label(&row(1.0, 1.0)), "P(B > A) = 100%");
        let zero = Row {
            q: [0.0; 5],
            mean: 0.0,
            prob_higher: 0.0,
            ..row(0.0, 0.0)
        };
        assert_eq!(prob_label(&zero), "no difference");
    }

    #[test]
    fn renders_with_and_without_rows() {
        let panel = Panel {
            caption: "Direct loss".into(),
            x_desc: "B − A (US$)".into(),
            unit: "USD".into(),
            rows: vec![row(-2e6, 0.1), row(3e6, 0.9)],
        };
        let input = Input {
            title: "t".into(),
            subtitle: "s".into(),
            panels: vec![panel.clone(), panel],
            note: String::new(),
        };
        render(&input, size_for(2, 2)).expect("renders");
        let empty = Input {
            panels: Vec::new(),
            ..input
        };
        render(&empty, size_for(0, 0)).expect("renders");
    }
}
