//! `bordersim validate`: check a scenario and show what it resolves to.

use super::{CliError, load};
use crate::cli::ValidateArgs;
use bordersim::output::format::thousands;

pub fn validate(a: ValidateArgs) -> Result<(), CliError> {
    let s = load(Some(&a.file))?;
    print!("{}", resolved_table(&s));
    Ok(())
}

fn short(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x.abs() >= 10_000.0 {
        thousands(x)
    } else if x == x.round() {
        format!("{x:.0}")
    } else {
        format!("{:.4}", x)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// The table printed by `validate`.
pub fn resolved_table(s: &bordersim::scenario::Scenario) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let m = &s.meta;
    let _ = writeln!(out, "{}: valid", s.file);
    let _ = writeln!(out, "scenario   {} — {}", m.name, m.title);
    let _ = writeln!(
        out,
        "horizon    {} days{}; seed {}; {} replicates; arrival noise {}",
        m.horizon,
        m.start_date
            .as_deref()
            .map(|d| format!(" from {d}"))
            .unwrap_or_default(),
        m.seed,
        m.replicates,
        if m.arrival_noise { "on" } else { "off" }
    );
    let _ = writeln!(
        out,
        "contents   {} crossings, {} commodities, {} flows, {} events; priority {:?}",
        s.crossings.len(),
        s.commodities.len(),
        s.flows.len(),
        s.events.len(),
        s.priority
    );
    let uncertain = s.params.iter().filter(|p| p.is_uncertain()).count();
    let _ = writeln!(
        out,
        "inputs     {} ({} uncertain)\n",
        s.params.len(),
        uncertain
    );
    let w = s
        .params
        .iter()
        .map(|p| p.path.len())
        .max()
        .unwrap_or(10)
        .max(10);
    let dw = s
        .params
        .iter()
        .map(|p| p.dist.describe().chars().count())
        .max()
        .unwrap_or(12)
        .max(12);
    let _ = writeln!(
        out,
        "{:<w$}  {:<dw$}  {:>10}  {:>10}  {:>10}  {:<14} from",
        "input", "distribution", "p5", "median", "p95", "unit"
    );
    for p in &s.params {
        let d = &p.dist;
        let _ = writeln!(
            out,
            "{:<w$}  {:<dw$}  {:>10}  {:>10}  {:>10}  {:<14} {}",
            p.path,
            d.describe(),
            short(d.quantile(0.05)),
            short(d.quantile(0.5)),
            short(d.quantile(0.95)),
            p.unit,
            if p.given { "file" } else { "default" }
        );
    }
    for c in &s.crossings {
        let _ = writeln!(
            out,
            "{:<w$}  {:<dw$}  {:>10}  {:>10}  {:>10}  {:<14} file",
            format!("crossings.{}.savings_days", c.name),
            c.savings_days.describe(),
            short(c.savings_days.quantile(0.05)),
            short(c.savings_days.quantile(0.5)),
            short(c.savings_days.quantile(0.95)),
            "days (across workers)"
        );
    }
    out
}
