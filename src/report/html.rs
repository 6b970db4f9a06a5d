//! `report.html`: one self-contained page (inline CSS and SVG, no scripts,
//! nothing fetched when it opens) built from the run's files and figures.
//! Numbers are formatted by [`crate::output::format::with_unit`], the same
//! function as the terminal summary.

use super::data::{RunFiles, SummaryRow};
use super::figures::{Figure, Section, horizon_phrase};
use super::text::{count, environment_rows, escape, human_date, linkify};
use crate::output::format::with_unit;
use crate::output::terminal::HEADLINES;
use std::fmt::Write;

pub(crate) const CSS: &str = r#"
:root { --ink: #222; --muted: #555; --rule: #ddd; --accent: #0072B2; --box: #eef5fb; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; line-height: 1.45; font-size: 16px; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.3em; line-height: 1.2; }
h2 { font-size: 1.35em; margin: 1.6em 0 0.6em; padding-bottom: 0.2em; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.1em; margin: 1.2em 0 0.4em; }
p.lede { font-size: 1.05em; }
p.meta, .small, figcaption { color: var(--muted); font-size: 0.92em; }
.headline { background: var(--box); border-left: 6px solid var(--accent); padding: 14px 20px; margin: 20px 0; }
.headline p.big { font-size: 1.3em; margin: 0.2em 0 0.4em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 0.95em; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: #f5f5f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.2em 0 2em; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.9em; background: #f5f5f5; padding: 1px 4px; word-break: break-all; }
dl.sources dt { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.88em; margin-top: 0.5em; }
dl.sources dd { margin: 0 0 0 1.5em; }
nav { font-size: 0.92em; color: var(--muted); }
nav a { margin-right: 0.8em; }
a { color: var(--accent); }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  figure, table, .headline, dl.sources dd { break-inside: avoid; }
  figure svg { border: none; }
}
"#;

/// The headline sentence from the direct loss row.
pub fn headline_sentence(row: &SummaryRow) -> String {
    let f = |x| with_unit(x, &row.unit);
    format!(
        "With 90% probability the closure costs between {} and {}; median {}.",
        f(row.stats.p5),
        f(row.stats.p95),
        f(row.stats.p50)
    )
}

/// Key model assumptions, each pointing to its section of `docs/model.md`.
const ASSUMPTIONS: &[(&str, &str)] = &[
    (
        "Every uncertain input (closure length, capacities, shelf lives, elasticities, wages, …) is a probability distribution, drawn independently of the others in each replicate; the results are distributions across replicates, not forecasts of one outcome.",
        "Replicates; Known limits",
    ),
    (
        "Closures come from the scenario's events. While a crossing is closed or partly open, arriving trucks queue (first in, first out unless the scenario gives perishables a green lane) and are served at the crossing's daily capacity once it reopens.",
        "§1 Open fractions, §3 Service",
    ),
    (
        "Traders keep dispatching for a few days, then stop; a share of undispatched cargo is diverted by another route at extra cost, perishable cargo never dispatched is forgone, and other cargo is deferred until reopening.",
        "§2 Arrivals",
    ),
    (
        "Perishable cargo spoils while it waits, following a Weibull shelf life; trucks still queued at the end of the horizon are counted as stranded, with the spoilage of their wait so far.",
        "§4 Spoilage",
    ),
    (
        "Crossing workers lose the wages of closed days, net of the share they recover in other work; a worker exhausts savings when the uncovered lost days exceed the worker's savings, which vary across workers.",
        "§6 Work and wages, §7 Savings",
    ),
    (
        "Prices in each importing market follow a constant-elasticity demand curve, cushioned by stocks and by substitute supply that ramps in after a lag; partial equilibrium, commodity by commodity. Exporters' prices fall when their goods cannot leave (origin glut).",
        "§8 Prices, §9 Origin glut",
    ),
    (
        "The direct loss adds spoiled cargo, waiting and diversion costs, lost wages, producers' glut loss and consumers' extra spending. Customs revenue and the value of trade delayed or forgone are reported beside it, not added: they are transfers or goods that still exist.",
        "Direct loss",
    ),
    (
        "Normal flows, values and market sizes are constant over the horizon (no seasons), and nothing beyond the scenario's crossings and the diverted share carries trade.",
        "Known limits",
    ),
];

/// The report page.
pub fn page(data: &RunFiles, figures: &[Figure]) -> String {
    let s = &data.scenario;
    let m = &data.manifest;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — bordersim report</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&s.meta.title)
    );

    // Title and description.
    let _ = writeln!(h, "<header>\n<h1>{}</h1>", escape(&s.meta.title));
    let mut meta = vec![format!("Scenario <code>{}</code>", escape(&s.meta.name))];
    if let Some(d) = &s.meta.start_date {
        meta.push(format!("starts {}", escape(&human_date(d))));
    }
    meta.push(format!("{} days", s.meta.horizon));
    meta.push(format!("{} replicates", count(m.replicates)));
    meta.push(format!("seed {}", m.seed));
    let _ = writeln!(h, "<p class=\"meta\">{}</p>", meta.join(" · "));
    if !s.meta.description.is_empty() {
        let _ = writeln!(h, "<p class=\"lede\">{}</p>", escape(&s.meta.description));
    }
    let _ = writeln!(h, "</header>");
    let has_convergence = figures.iter().any(|f| f.section == Section::Convergence);
    let _ = writeln!(
        h,
        "<nav><a href=\"#results\">Results</a><a href=\"#distributions\">Distributions</a>\
         <a href=\"#over-time\">Over time</a><a href=\"#by-crossing\">By crossing</a>{}\
         <a href=\"#assumptions\">Assumptions</a><a href=\"#sources\">Sources</a>\
         <a href=\"#reproduce\">Reproduce</a></nav>",
        if has_convergence {
            "<a href=\"#convergence\">Convergence</a>"
        } else {
            ""
        }
    );

    // Headline box.
    if let Some(row) = data.summary("direct_loss_usd", "all") {
        let _ = writeln!(
            h,
            "<section class=\"headline\">\n<p class=\"big\">{}</p>\n\
             <p class=\"small\">Direct loss {}, across {} replicates: spoiled cargo, waiting and \
             diversion costs, lost wages, producers' glut loss and consumers' extra spending. \
             Mean {} (Monte Carlo standard error {}).</p>\n</section>",
            escape(&headline_sentence(row)),
            escape(&horizon_phrase(data)),
            count(m.replicates),
            escape(&with_unit(row.stats.mean, &row.unit)),
            escape(&with_unit(row.stats.mcse, &row.unit)),
        );
    }

    // Summary tables.
    let _ = writeln!(h, "<h2 id=\"results\">Results</h2>");
    let _ = writeln!(
        h,
        "<table>\n<thead><tr><th>Outcome (total)</th><th class=\"num\">Median</th>\
         <th class=\"num\">90% range (p5 – p95)</th><th class=\"num\">Mean ± MCSE</th></tr></thead>\n<tbody>"
    );
    let mut row_html = |label: &str, r: &SummaryRow| {
        let f = |x| escape(&with_unit(x, &r.unit));
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td>\
             <td class=\"num\">{} ± {}</td></tr>",
            escape(label),
            f(r.stats.p50),
            f(r.stats.p5),
            f(r.stats.p95),
            f(r.stats.mean),
            f(r.stats.mcse)
        );
    };
    for (metric, label) in HEADLINES {
        if let Some(r) = data.summary(metric, "all") {
            row_html(label, r);
        }
    }
    for g in &s.commodities {
        if let Some(r) = data.summary("peak_price_multiplier", &g.name) {
            row_html(&format!("Peak price: {}", g.label), r);
        }
    }
    let _ = writeln!(h, "</tbody>\n</table>");
    crossing_table(&mut h, data);
    let _ = writeln!(
        h,
        "<p class=\"small\">Median and percentiles across replicates; MCSE is the Monte Carlo \
         standard error of the mean. All values are in <code>summary.csv</code> beside this page.</p>"
    );

    // Figures.
    for (section, id, title) in [
        (Section::Distributions, "distributions", "Distributions"),
        (Section::OverTime, "over-time", "Over time"),
        (Section::ByCrossing, "by-crossing", "By crossing"),
        (Section::Convergence, "convergence", "Convergence"),
    ] {
        // Runs without convergence.csv have no convergence section.
        if section == Section::Convergence && !has_convergence {
            continue;
        }
        let _ = writeln!(h, "<h2 id=\"{id}\">{title}</h2>");
        for f in figures.iter().filter(|f| f.section == section) {
            let _ = writeln!(
                h,
                "<figure id=\"fig-{name}\">\n{svg}\n<figcaption>{caption} \
                 Files: <a href=\"figures/{name}.png\">PNG</a>, \
                 <a href=\"figures/{name}.svg\">SVG</a>.</figcaption>\n</figure>",
                name = escape(&f.name),
                svg = inline_svg(&f.rendered.svg, &f.caption),
                caption = escape(&f.caption),
            );
        }
    }

    // Scenario and assumptions.
    let _ = writeln!(
        h,
        "<h2 id=\"assumptions\">Scenario and key assumptions</h2>"
    );
    let labels = |v: Vec<&str>| v.into_iter().map(escape).collect::<Vec<_>>().join("; ");
    let _ = writeln!(
        h,
        "<p><strong>Crossings:</strong> {}.</p>\n<p><strong>Commodities:</strong> {}.</p>",
        labels(s.crossings.iter().map(|c| c.label.as_str()).collect()),
        labels(s.commodities.iter().map(|g| g.label.as_str()).collect()),
    );
    if !s.events.is_empty() {
        let _ = writeln!(
            h,
            "<p><strong>Events:</strong> {}.</p>",
            labels(s.events.iter().map(|e| e.label.as_str()).collect())
        );
    }
    let _ = writeln!(h, "<ul>");
    for (text, section) in ASSUMPTIONS {
        let _ = writeln!(
            h,
            "<li>{} <span class=\"small\">(docs/model.md: {})</span></li>",
            escape(text),
            escape(section)
        );
    }
    let _ = writeln!(
        h,
        "</ul>\n<p class=\"small\">The model is documented equation by equation in \
         <code>docs/model.md</code> of the bordersim source; every input of this scenario, with its \
         distribution and source, is in <code>scenario.toml</code> beside this page.</p>"
    );

    // Sources.
    let _ = writeln!(h, "<h2 id=\"sources\">Sources cited by the scenario</h2>");
    if s.sources.is_empty() {
        let _ = writeln!(h, "<p>The scenario cites no sources.</p>");
    } else {
        let _ = writeln!(h, "<dl class=\"sources\">");
        for (key, text) in &s.sources {
            let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape(key), linkify(text));
        }
        let _ = writeln!(h, "</dl>");
    }

    // Manifest.
    let _ = writeln!(
        h,
        "<h2 id=\"reproduce\">Reproducibility</h2>\n<table>\n<tbody>"
    );
    let mut kv = |k: &str, v: String| {
        let _ = writeln!(h, "<tr><th>{}</th><td>{v}</td></tr>", escape(k));
    };
    kv(
        "Reproduce with",
        format!("<code>{}</code>", escape(&m.reproduce)),
    );
    kv("Seed", m.seed.to_string());
    kv("Replicates", count(m.replicates));
    kv(
        "Scenario",
        format!(
            "<code>{}</code> ({})",
            escape(&m.scenario_name),
            escape(&m.scenario_file)
        ),
    );
    kv(
        "Scenario SHA-256",
        format!("<code>{}</code>", escape(&m.scenario_sha256)),
    );
    kv("bordersim version", escape(&m.bordersim_version));
    kv("Random number generator", escape(&m.rng));
    kv("Quantile method", escape(&m.quantile_method));
    environment_rows(&mut kv, &m.dependencies, m.threads, m.wall_time_seconds);
    kv("Command", format!("<code>{}</code>", escape(&m.command)));
    let _ = writeln!(h, "</tbody>\n</table>");
    let _ = writeln!(
        h,
        "<footer class=\"small\"><p>Written by bordersim from the files in this directory \
         (summary.csv, quantiles.csv, daily.csv, manifest.json, scenario.toml{}); \
         <code>bordersim report DIR</code> rebuilds this page and the figures without rerunning.</p></footer>\n\
         </body>\n</html>",
        if has_convergence {
            ", convergence.csv"
        } else {
            ""
        }
    );
    h
}

/// Per crossing metrics shown in the second table: (metric, label).
const CROSSING_ROWS: &[(&str, &str)] = &[
    ("days_closed", "Days closed"),
    ("peak_backlog_trucks", "Peak backlog"),
    ("spoiled_value_usd", "Spoiled cargo"),
    ("waiting_cost_usd", "Waiting costs"),
    ("diversion_cost_usd", "Diversion costs"),
    ("lost_wages_usd", "Lost wages"),
    ("workers_exhausting_savings", "Workers exhausting savings"),
    ("customs_revenue_lost_usd", "Customs revenue lost"),
];

fn crossing_table(h: &mut String, data: &RunFiles) {
    let crossings = &data.scenario.crossings;
    if crossings.len() < 2 {
        return;
    }
    let _ = write!(
        h,
        "<table>\n<thead><tr><th>By crossing: median (p5 – p95)</th>"
    );
    for c in crossings {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(&c.label));
    }
    let _ = writeln!(h, "</tr></thead>\n<tbody>");
    for (metric, label) in CROSSING_ROWS {
        let _ = write!(h, "<tr><td>{}</td>", escape(label));
        for c in crossings {
            match data.summary(metric, &c.name) {
                Some(r) => {
                    let f = |x| escape(&with_unit(x, &r.unit));
                    let _ = write!(
                        h,
                        "<td class=\"num\">{}<br><span class=\"small\">{} – {}</span></td>",
                        f(r.stats.p50),
                        f(r.stats.p5),
                        f(r.stats.p95)
                    );
                }
                None => {
                    let _ = write!(h, "<td class=\"num\">–</td>");
                }
            }
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody>\n</table>");
}

/// An SVG document ready to sit inside the page: without an XML prolog,
/// labelled for screen readers.
pub(crate) fn inline_svg(svg: &str, label: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let body = &svg[start..];
    match body.strip_prefix("<svg") {
        Some(rest) => format!("<svg role=\"img\" aria-label=\"{}\"{rest}", escape(label)),
        None => body.to_string(),
    }
}

/// The "Sensitivity" section of a run's page when `bordersim sensitivity`
/// wrote its tornado figures into the same directory (empty otherwise): the
/// figures inlined from `figures/tornado_*.svg`, most important outcome
/// first.
pub fn sensitivity_section(dir: &std::path::Path) -> String {
    let fig_dir = dir.join("figures");
    let Ok(entries) = std::fs::read_dir(&fig_dir) else {
        return String::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("tornado_") && n.ends_with(".svg"))
        .collect();
    if names.is_empty() {
        return String::new();
    }
    names.sort_by_key(|n| (!n.contains("direct_loss"), n.clone()));
    let mut h = String::from(
        "<h2 id=\"sensitivity\">Sensitivity</h2>\n<p class=\"small\">Which uncertain inputs \
         drive each outcome: each input swung from its p10 to its p90 with the others at their \
         medians (from <code>bordersim sensitivity</code>; tables in \
         <code>sensitivity_tornado.csv</code>, <code>sensitivity_rank_correlation.csv</code> and \
         <code>sensitivity_sobol.csv</code> beside this page).</p>\n",
    );
    for n in names {
        let Ok(svg) = std::fs::read_to_string(fig_dir.join(&n)) else {
            continue;
        };
        let stem = n.trim_end_matches(".svg");
        let caption = format!("Tornado chart {stem}.");
        let _ = writeln!(
            h,
            "<figure id=\"fig-{name}\">\n{svg}\n<figcaption>{caption} Files: \
             <a href=\"figures/{name}.png\">PNG</a>, <a href=\"figures/{name}.svg\">SVG</a>.\
             </figcaption>\n</figure>",
            name = escape(stem),
            svg = inline_svg(&svg, &caption),
            caption = escape(&caption),
        );
    }
    h
}
