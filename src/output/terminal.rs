//! The short human summary printed after a run.

use super::format::with_unit;
use crate::engine::Engine;
use crate::run::RunResult;
use std::fmt::Write;

/// Headline metrics (name, label), all totals.
pub const HEADLINES: &[(&str, &str)] = &[
    ("direct_loss_usd", "Direct loss"),
    ("spoiled_value_usd", "Spoiled cargo"),
    ("lost_wages_usd", "Lost wages"),
    ("workers_exhausting_savings", "Workers exhausting savings"),
    ("consumer_extra_spending_usd", "Consumers' extra spending"),
    ("producer_glut_loss_usd", "Producers' glut loss"),
    ("waiting_cost_usd", "Waiting costs"),
    ("trade_value_delayed_usd", "Trade delayed"),
    ("trade_value_forgone_usd", "Trade forgone"),
    ("customs_revenue_lost_usd", "Customs revenue lost"),
    ("days_closed", "Days closed"),
    ("peak_backlog_trucks", "Peak backlog"),
    ("trucks_stranded", "Stranded at horizon"),
];

/// Renders the headline table: median and 90% range of each headline
/// metric, then the peak price multiplier of each commodity.
pub fn summary_text(engine: &Engine, r: &RunResult) -> String {
    let mut out = String::new();
    let s = engine.scenario;
    let _ = writeln!(
        out,
        "{} — {} replicates, seed {}, {} days",
        s.meta.title, r.replicates, r.seed, s.meta.horizon
    );
    let _ = writeln!(out, "{:<34} {:>14}   90% range (p5 – p95)", "", "median");
    let mut line = |label: &str, i: usize| {
        let d = &engine.layout.defs[i];
        let m = &r.metrics[i];
        let _ = writeln!(
            out,
            "{:<34} {:>14}   {} – {}",
            label,
            with_unit(m.p50, d.unit),
            with_unit(m.p5, d.unit),
            with_unit(m.p95, d.unit)
        );
    };
    for (name, label) in HEADLINES {
        if let Some(i) = engine.layout.find(name, "all") {
            line(label, i);
        }
    }
    for g in &s.commodities {
        if let Some(i) = engine.layout.find("peak_price_multiplier", &g.name) {
            line(&format!("Peak price {}", g.name), i);
        }
    }
    out
}
