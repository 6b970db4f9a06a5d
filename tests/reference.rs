//! `docs/scenario-reference.md` against the serde types: every table and
//! field a scenario accepts must be documented, every documented one must
//! exist, and the same for the distribution families and their parameters.
//!
//! The accepted names come from `bordersim::scenario::reference`, which
//! reads them from serde itself (`deserialize_struct` is handed each derived
//! struct's static field list), so nothing here is maintained by hand.
//!
//! Layout the test expects (see the document): a heading per table whose text
//! contains `` `[path]` `` (`[scenario]`, `[crossings.NAME]`,
//! `[policy.green_lane]`, …) and, under it, a table whose rows start with
//! `` | `field` | ``; the top-level tables under the heading "Top-level
//! tables"; the families under "Distributions", one row each, with the
//! parameter names in backticks in the second cell.

use bordersim::dist::{Dist, DistSpec};
use bordersim::scenario::reference::{FIELDS, distribution_families};
use std::collections::{BTreeMap, BTreeSet};

const DOC: &str = include_str!("../docs/scenario-reference.md");
const TOP_LEVEL_HEADING: &str = "Top-level tables";
const DISTRIBUTIONS_HEADING: &str = "Distributions";

/// The document split at headings: heading text → body lines.
fn sections(doc: &str) -> Vec<(String, Vec<&str>)> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    let mut in_code = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            out.push((line.trim_start_matches('#').trim().to_string(), Vec::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push(line);
        }
    }
    out
}

/// The cells of a table row (`| a | b |` → `["a", "b"]`), or `None`.
fn cells(line: &str) -> Option<Vec<&str>> {
    let t = line.trim();
    if !t.starts_with('|') {
        return None;
    }
    let inner = t.trim_start_matches('|').trim_end_matches('|');
    Some(inner.split('|').map(str::trim).collect())
}

/// Every `` `name` `` in a string.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// The first-cell names of the table rows of a section body (a first cell
/// that is exactly one backticked name).
fn row_names<'a>(body: &[&'a str]) -> Vec<&'a str> {
    body.iter()
        .filter_map(|l| cells(l))
        .filter_map(|c| {
            let first = *c.first()?;
            let names = backticked(first);
            (names.len() == 1 && first == format!("`{}`", names[0])).then(|| names[0])
        })
        .collect()
}

/// The heading for a table path, e.g. `crossings.NAME` → the section whose
/// heading contains `` `[crossings.NAME]` ``; the file itself → "Top-level
/// tables".
fn find_section<'d, 'a>(
    secs: &'d [(String, Vec<&'a str>)],
    path: &str,
) -> Option<&'d (String, Vec<&'a str>)> {
    if path.is_empty() {
        return secs.iter().find(|(h, _)| h == TOP_LEVEL_HEADING);
    }
    let tag = format!("`[{path}]`");
    secs.iter().find(|(h, _)| h.contains(&tag))
}

#[test]
fn every_accepted_field_is_documented_and_every_documented_field_exists() {
    let secs = sections(DOC);
    let mut problems = Vec::new();
    assert!(
        FIELDS.len() >= 9,
        "the probe found too few tables: {:?}",
        *FIELDS
    );
    for table in FIELDS.iter() {
        let shown = if table.path.is_empty() {
            format!("the top level ({})", table.type_name)
        } else {
            format!("[{}] ({})", table.path, table.type_name)
        };
        let Some((heading, body)) = find_section(&secs, &table.path) else {
            problems.push(format!(
                "{shown}: no section; add a heading containing `[{}]` with a field table",
                table.path
            ));
            continue;
        };
        let documented: BTreeSet<&str> = row_names(body).into_iter().collect();
        let accepted: BTreeSet<&str> = table.fields.iter().copied().collect();
        for f in accepted.difference(&documented) {
            problems.push(format!(
                "{shown}: field `{f}` is accepted but not documented under \"{heading}\""
            ));
        }
        for f in documented.difference(&accepted) {
            problems.push(format!(
                "{shown}: \"{heading}\" documents `{f}`, which the scenario file does not accept"
            ));
        }
    }
    // A top-level field that is not a struct (`sources`, a map of strings)
    // has no table of fields but still needs its own section.
    let root = FIELDS
        .iter()
        .find(|s| s.path.is_empty())
        .expect("the file itself");
    for f in root.fields {
        let plain = format!("`[{f}]`");
        let named = format!("`[{f}.NAME]`");
        if !secs
            .iter()
            .any(|(h, _)| h.contains(&plain) || h.contains(&named))
        {
            problems.push(format!(
                "top-level table `{f}` has no section (a heading containing `[{f}]` or `[{f}.NAME]`)"
            ));
        }
    }
    // Every table heading of the document names a real table.
    let known: BTreeSet<String> = FIELDS
        .iter()
        .map(|s| s.path.clone())
        .chain(root.fields.iter().map(|f| f.to_string()))
        .collect();
    for (h, _) in &secs {
        for tag in backticked(h) {
            if let Some(path) = tag.strip_prefix('[').and_then(|t| t.strip_suffix(']'))
                && !known.contains(path)
            {
                problems.push(format!(
                    "heading \"{h}\" documents `[{path}]`, which is not a table of the scenario file"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/scenario-reference.md is out of date with src/scenario/raw.rs:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_distribution_family_and_parameter_is_documented() {
    let secs = sections(DOC);
    let (_, body) = secs
        .iter()
        .find(|(h, _)| h == DISTRIBUTIONS_HEADING)
        .expect("a \"Distributions\" section");
    let rows: BTreeMap<&str, Vec<&str>> = body
        .iter()
        .filter_map(|l| cells(l))
        .filter_map(|c| {
            let names = backticked(c.first()?);
            (names.len() == 1).then(|| (names[0], c.get(1).map_or(vec![], |p| backticked(p))))
        })
        .collect();
    let families = distribution_families();
    assert!(families.len() >= 10, "families: {families:?}");
    let mut problems = Vec::new();
    for (family, params) in &families {
        match rows.get(family.as_str()) {
            None => problems.push(format!("family `{family}` has no row")),
            Some(doc_params) => {
                let doc: BTreeSet<&str> = doc_params.iter().copied().collect();
                let code: BTreeSet<&str> = params.iter().copied().collect();
                for p in code.difference(&doc) {
                    problems.push(format!("`{family}`: parameter `{p}` is not documented"));
                }
                for p in doc.difference(&code) {
                    problems.push(format!(
                        "`{family}`: documented parameter `{p}` does not exist"
                    ));
                }
            }
        }
    }
    for f in rows.keys() {
        if !families.iter().any(|(n, _)| n == f) {
            problems.push(format!("documented family `{f}` does not exist"));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/scenario-reference.md is out of date with src/dist.rs:\n  {}",
        problems.join("\n  ")
    );
}

/// The examples in the reference parse: every `example` cell that looks like
/// `field = value` is valid TOML, and every bare `{ family = … }` example is a
/// valid distribution (a cheap guard against typos in the syntax the page
/// teaches).
#[test]
fn examples_are_valid() {
    #[derive(serde::Deserialize)]
    struct Wrap {
        x: DistSpec,
    }
    let mut bad = Vec::new();
    let mut checked = 0;
    for line in DOC.lines() {
        let Some(c) = cells(line) else { continue };
        let Some(last) = c.last() else { continue };
        for ex in backticked(last) {
            if ex.contains('…') || ex.starts_with('[') {
                continue;
            }
            if ex.starts_with('{') {
                checked += 1;
                match toml::from_str::<Wrap>(&format!("x = {ex}")) {
                    Ok(w) => {
                        if let Err(e) = Dist::from_spec(&w.x) {
                            bad.push(format!("{ex}: {}", e.message));
                        }
                    }
                    Err(e) => bad.push(format!("{ex}: {e}")),
                }
            } else if ex.contains(" = ") {
                checked += 1;
                if let Err(e) = ex.parse::<toml::Table>() {
                    bad.push(format!("{ex}: {e}"));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} examples found");
    assert!(bad.is_empty(), "invalid examples: {bad:#?}");
}
