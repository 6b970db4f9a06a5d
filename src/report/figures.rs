//! Which figures a report has, and what each one shows: turns the run's
//! tables into the inputs of the [`crate::plots`] modules and renders them
//! (in parallel; each figure is independent).

use super::data::RunFiles;
use super::text::{count, human_date, short_label};
use crate::output::format::with_unit;
use crate::plots::{PlotError, Rendered, breakdown, convergence, distribution, fan, prices};
use rayon::prelude::*;

/// Headline outcomes drawn as a distribution figure each: (metric, label,
/// horizontal axis, exceedance caption).
pub const DISTRIBUTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "direct_loss_usd",
        "Direct loss",
        "Direct loss (US$)",
        "Probability the direct loss exceeds X",
    ),
    (
        "spoiled_value_usd",
        "Spoiled cargo",
        "Value of spoiled cargo (US$)",
        "Probability the spoiled value exceeds X",
    ),
    (
        "lost_wages_usd",
        "Lost wages",
        "Lost wages of crossing workers (US$)",
        "Probability lost wages exceed X",
    ),
    (
        "workers_exhausting_savings",
        "Workers exhausting savings",
        "Workers who exhaust their savings",
        "Probability more than X workers exhaust savings",
    ),
    (
        "customs_revenue_lost_usd",
        "Customs revenue lost",
        "Customs revenue lost (US$)",
        "Probability the customs loss exceeds X",
    ),
];

/// Loss components of the per-crossing breakdown: (metric, label).
pub const COMPONENTS: &[(&str, &str)] = &[
    ("spoiled_value_usd", "Spoiled cargo"),
    ("waiting_cost_usd", "Waiting costs"),
    ("diversion_cost_usd", "Diversion costs"),
    ("lost_wages_usd", "Lost wages"),
];

/// Where a figure goes in the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Distributions,
    OverTime,
    ByCrossing,
    Convergence,
}

/// A rendered figure.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File stem under `figures/`.
    pub name: String,
    pub section: Section,
    /// What it shows, in a sentence (the report's caption).
    pub caption: String,
    pub size: (u32, u32),
    pub rendered: Rendered,
}

/// What to draw, before drawing.
enum Job<'a> {
    Distribution(distribution::Input<'a>),
    PriceHistograms(prices::Input<'a>),
    PriceExceedance(prices::Input<'a>),
    Fan(fan::Input<'a>),
    Breakdown(breakdown::Input),
    Convergence(convergence::Input<'a>),
}

struct Spec<'a> {
    name: String,
    section: Section,
    caption: String,
    size: (u32, u32),
    job: Job<'a>,
}

/// Builds and renders every figure the run's files allow, in report order.
pub fn render_all(data: &RunFiles) -> Result<Vec<Figure>, PlotError> {
    let specs = specs(data);
    specs
        .into_par_iter()
        .map(|s| {
            let rendered = match &s.job {
                Job::Distribution(i) => distribution::render(i, s.size),
                Job::PriceHistograms(i) => prices::render_histograms(i, s.size),
                Job::PriceExceedance(i) => prices::render_exceedance(i, s.size),
                Job::Fan(i) => fan::render(i, s.size),
                Job::Breakdown(i) => breakdown::render(i, s.size),
                Job::Convergence(i) => convergence::render(i, s.size),
            }?;
            Ok(Figure {
                name: s.name,
                section: s.section,
                caption: s.caption,
                size: s.size,
                rendered,
            })
        })
        .collect()
}

/// "over 180 days from 12 Oct 2025" (or "over 180 days").
pub fn horizon_phrase(data: &RunFiles) -> String {
    let h = data.scenario.meta.horizon;
    match &data.scenario.meta.start_date {
        Some(d) => format!("over {h} days from {}", human_date(d)),
        None => format!("over {h} days"),
    }
}

fn x_desc(data: &RunFiles) -> String {
    match &data.scenario.meta.start_date {
        Some(d) => format!("Days since {}", human_date(d)),
        None => "Days since the start".to_string(),
    }
}

fn specs(data: &RunFiles) -> Vec<Spec<'_>> {
    let s = &data.scenario;
    let n = data.manifest.replicates;
    let reps = format!("{} replicates", count(n));
    let context = format!("{}, {}", s.meta.title, horizon_phrase(data));
    let mut out = Vec::new();

    for &(metric, label, axis, exceed) in DISTRIBUTIONS {
        let (Some(row), Some(q)) = (data.summary(metric, "all"), data.quantiles(metric, "all"))
        else {
            continue;
        };
        let unit = q.unit.as_str();
        let f = |x| with_unit(x, unit);
        out.push(Spec {
            name: format!("distribution_{metric}"),
            section: Section::Distributions,
            caption: format!(
                "{label}: how likely each value is (left) and the probability of exceeding any value (right), across {reps}. Median {}; 90% of replicates between {} and {}.",
                f(row.stats.p50),
                f(row.stats.p5),
                f(row.stats.p95)
            ),
            size: distribution::SIZE,
            job: Job::Distribution(distribution::Input {
                title: format!("{label}: distribution across {reps}"),
                subtitle: format!(
                    "{context}. Median {}; 90% of replicates between {} and {}.",
                    f(row.stats.p50),
                    f(row.stats.p5),
                    f(row.stats.p95)
                ),
                axis: axis.to_string(),
                exceed_caption: exceed.to_string(),
                unit,
                quantiles: q.function(),
                marks: row.marks(),
            }),
        });
    }

    let commodities: Vec<prices::Commodity<'_>> = s
        .commodities
        .iter()
        .filter_map(|g| {
            let row = data.summary("peak_price_multiplier", &g.name)?;
            let q = data.quantiles("peak_price_multiplier", &g.name)?;
            Some(prices::Commodity {
                label: g.label.clone(),
                quantiles: q.function(),
                marks: row.marks(),
            })
        })
        .collect();
    if !commodities.is_empty() {
        let k = commodities.len();
        let input = prices::Input {
            title: "Peak price in the importing market, by commodity".to_string(),
            subtitle: format!(
                "{context}: the highest daily price of each commodity, as a multiple of its normal price (1× = normal), across {reps}."
            ),
            axis: "Peak price (× normal)".to_string(),
            unit: "×",
            commodities,
        };
        out.push(Spec {
            name: "peak_price_histograms".into(),
            section: Section::Distributions,
            caption: format!(
                "Peak price multiplier of each commodity in its importing market across {reps}: distribution, median and 90% range."
            ),
            size: prices::size_for(k),
            job: Job::PriceHistograms(input.clone()),
        });
        out.push(Spec {
            name: "peak_price_exceedance".into(),
            section: Section::Distributions,
            caption: format!(
                "Probability that the peak price of each commodity exceeds a given multiple of its normal price, across {reps}."
            ),
            size: prices::EXCEEDANCE_SIZE,
            job: Job::PriceExceedance(prices::Input {
                title: "Probability the peak price exceeds X".to_string(),
                ..input
            }),
        });
    }

    let bands_note = format!(
        "{context}. Bands across {reps}, day by day (pointwise: a band is not a single trajectory)."
    );
    let crossing_panels = |series: &str| -> Vec<fan::Panel<'_>> {
        s.crossings
            .iter()
            .filter_map(|c| {
                data.daily(series, &c.name).map(|d| fan::Panel {
                    caption: c.label.clone(),
                    bands: &d.bands,
                })
            })
            .collect()
    };
    let backlog = crossing_panels("backlog_trucks");
    if !backlog.is_empty() {
        out.push(fan_spec(
            "fan_backlog_trucks",
            "Trucks waiting at each crossing, day by day: median, middle 50% and 90% of replicates.",
            fan::Input {
                title: "Trucks waiting at each crossing".into(),
                subtitle: bands_note.clone(),
                y_desc: "Trucks in the queue (end of day)".into(),
                x_desc: x_desc(data),
                unit: "trucks",
                panels: backlog,
                reference: None,
                y_range: None,
                from_zero: true,
            },
        ));
    }
    let price_panels: Vec<fan::Panel<'_>> = s
        .commodities
        .iter()
        .filter_map(|g| {
            data.daily("price_multiplier", &g.name).map(|d| fan::Panel {
                caption: g.label.clone(),
                bands: &d.bands,
            })
        })
        .collect();
    if !price_panels.is_empty() {
        out.push(fan_spec(
            "fan_price_multiplier",
            "Daily price of each commodity in its importing market, as a multiple of the normal price.",
            fan::Input {
                title: "Price in the importing market, by commodity".into(),
                subtitle: bands_note.clone(),
                y_desc: "Price (× normal)".into(),
                x_desc: x_desc(data),
                unit: "×",
                panels: price_panels,
                reference: Some((1.0, "normal price".into())),
                y_range: None,
                from_zero: false,
            },
        ));
    }
    let open = crossing_panels("open_fraction");
    if !open.is_empty() {
        out.push(fan_spec(
            "fan_open_fraction",
            "Share of each crossing's capacity open, day by day.",
            fan::Input {
                title: "Share of each crossing's capacity open".into(),
                subtitle: bands_note.clone(),
                y_desc: "Open (% of capacity)".into(),
                x_desc: x_desc(data),
                unit: "share",
                panels: open,
                reference: None,
                y_range: Some((0.0, 1.04)),
                from_zero: true,
            },
        ));
    }
    if let Some(d) = data.daily("cumulative_direct_loss_usd", "all") {
        out.push(fan_spec(
            "fan_cumulative_direct_loss_usd",
            "Direct loss accumulated since the start, day by day.",
            fan::Input {
                title: "Cumulative direct loss".into(),
                subtitle: bands_note.clone(),
                y_desc: "Direct loss so far (US$)".into(),
                x_desc: x_desc(data),
                unit: "USD",
                panels: vec![fan::Panel {
                    caption: "All crossings and markets".into(),
                    bands: &d.bands,
                }],
                reference: None,
                y_range: None,
                from_zero: true,
            },
        ));
    }

    let crossings: Vec<breakdown::Crossing> = s
        .crossings
        .iter()
        .filter_map(|c| {
            let rows: Option<Vec<_>> = COMPONENTS
                .iter()
                .map(|(m, _)| data.summary(m, &c.name))
                .collect();
            let rows = rows?;
            Some(breakdown::Crossing {
                label: short_label(&c.label),
                means: rows.iter().map(|r| r.stats.mean).collect(),
                spread: rows.iter().map(|r| r.marks()).collect(),
            })
        })
        .collect();
    if !crossings.is_empty() {
        let mean = |m: &str| {
            data.summary(m, "all")
                .map_or_else(|| "n/a".to_string(), |r| with_unit(r.stats.mean, "USD"))
        };
        let note = format!(
            "Not shown: consumers' extra spending (mean {}) and producers' glut loss (mean {}), which fall on markets rather than crossings. The direct loss (mean {}) includes them.",
            mean("consumer_extra_spending_usd"),
            mean("producer_glut_loss_usd"),
            mean("direct_loss_usd"),
        );
        out.push(Spec {
            name: "breakdown_by_crossing".into(),
            section: Section::ByCrossing,
            caption: format!(
                "Loss components at each crossing: means stacked (left) and each component's median and 90% range (right), across {reps}."
            ),
            size: breakdown::SIZE,
            job: Job::Breakdown(breakdown::Input {
                title: "Where the loss falls: components by crossing".into(),
                subtitle: format!("{context}; across {reps}."),
                components: COMPONENTS.iter().map(|(_, l)| l.to_string()).collect(),
                crossings,
                note,
                y_desc: "Loss (US$)".into(),
            }),
        });
    }

    // Runs of older versions have no convergence.csv.
    if let Some(c) = data.convergence("direct_loss_usd", "all")
        && let (Some(&last_n), Some(&mean), Some(&mcse)) =
            (c.replicates.last(), c.mean.last(), c.mcse.last())
    {
        let unit = c.unit.as_str();
        let rse = if mean != 0.0 && mcse.is_finite() {
            format!(
                " (relative standard error {:.1}%)",
                100.0 * mcse / mean.abs()
            )
        } else {
            String::new()
        };
        let summary = format!(
            "after {} replicates the mean is {} ± {}{rse}",
            count(last_n),
            with_unit(mean, unit),
            with_unit(mcse, unit)
        );
        out.push(Spec {
            name: "convergence_direct_loss_usd".into(),
            section: Section::Convergence,
            caption: format!(
                "Running mean of the direct loss against the number of replicates, with a band of ± 2 Monte Carlo standard errors; {summary}."
            ),
            size: convergence::SIZE,
            job: Job::Convergence(convergence::Input {
                title: "Convergence: mean direct loss as replicates accumulate".into(),
                subtitle: format!("{context}: {summary}."),
                y_desc: "Mean direct loss so far (US$)".into(),
                unit,
                replicates: &c.replicates,
                mean: &c.mean,
                mcse: &c.mcse,
                note: "The band, mean ± 2 standard errors, is about a 95% interval for the mean; it narrows as 1/√n. Where the running mean still drifts, or a rare large replicate makes it jump, more replicates help.".into(),
            }),
        });
    }
    out
}

fn fan_spec<'a>(name: &str, caption: &str, input: fan::Input<'a>) -> Spec<'a> {
    Spec {
        name: name.to_string(),
        section: Section::OverTime,
        caption: caption.to_string(),
        size: fan::size_for(input.panels.len()),
        job: Job::Fan(input),
    }
}
