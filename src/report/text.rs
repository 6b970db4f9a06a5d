//! Small text helpers shared by the figures and the page: counts, dates,
//! labels, HTML escaping and links.

use crate::output::format::thousands;
use std::collections::BTreeMap;

/// A count with thousands separators: `10,000`.
pub fn count(n: u64) -> String {
    thousands(n as f64)
}

/// `2025-10-12` → `12 Oct 2025`; anything else is returned unchanged.
pub fn human_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = iso.trim().split('-').collect();
    if let [y, m, d] = parts[..]
        && y.len() == 4
        && let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.parse::<u32>())
        && (1..=12).contains(&m)
        && (1..=31).contains(&d)
    {
        return format!("{d} {} {y}", MONTHS[m - 1]);
    }
    iso.to_string()
}

/// A label without its parenthesised detail: `Torkham (Khyber
/// Pakhtunkhwa – Nangarhar)` → `Torkham`.
pub fn short_label(label: &str) -> String {
    match label.find(" (") {
        Some(i) if i > 0 => label[..i].to_string(),
        _ => label.to_string(),
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text and turns `http://` and `https://` addresses in it into
/// links (plain `<a href>`: nothing is fetched when the page opens).
pub fn linkify(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    loop {
        let next = ["https://", "http://"]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let Some(start) = next else {
            out.push_str(&escape(rest));
            return out;
        };
        out.push_str(&escape(&rest[..start]));
        let tail = &rest[start..];
        let mut end = tail
            .find(|c: char| c.is_whitespace() || "<>\"'".contains(c))
            .unwrap_or(tail.len());
        // Trailing punctuation belongs to the sentence, not the address.
        while end > 0 && tail[..end].ends_with(['.', ',', ';', ':', ')', ']']) {
            end -= 1;
        }
        let url = &tail[..end];
        out.push_str(&format!("<a href=\"{}\">{}</a>", escape(url), escape(url)));
        rest = &tail[end..];
    }
}

/// The rows of a reproducibility table that describe where a run ran:
/// crate versions, threads and the simulation's wall time (the last two
/// only where the manifest has them). `kv(key, html)` writes one row.
pub fn environment_rows(
    kv: &mut impl FnMut(&str, String),
    dependencies: &BTreeMap<String, String>,
    threads: Option<u64>,
    wall_time_seconds: Option<f64>,
) {
    let crates: Vec<String> = dependencies
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    kv("Crate versions", escape(&crates.join(", ")));
    if let Some(t) = threads {
        kv("Threads", t.to_string());
    }
    if let Some(w) = wall_time_seconds {
        kv("Simulation wall time", format!("{w:.2} s"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(human_date("2025-10-12"), "12 Oct 2025");
        assert_eq!(human_date("2025-01-05"), "5 Jan 2025");
        assert_eq!(human_date("soon"), "soon");
        assert_eq!(human_date("2025-13-01"), "2025-13-01");
    }

    #[test]
    fn labels() {
        assert_eq!(
            short_label("Torkham (Khyber Pakhtunkhwa – Nangarhar)"),
            "Torkham"
        );
        assert_eq!(short_label("Chaman"), "Chaman");
        assert_eq!(count(10000), "10,000");
    }

    #[test]
    fn escaping_and_links() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(
            linkify("See https://example.org/x?a=1&b=2. Done"),
            "See <a href=\"https://example.org/x?a=1&amp;b=2\">https://example.org/x?a=1&amp;b=2</a>. Done"
        );
        assert_eq!(linkify("no link <here>"), "no link &lt;here&gt;");
    }
}
