//! Locating field paths in the source text, for error messages.

use toml_edit::{Document, Item};

/// 1-based (line, column) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, col)
}

/// The parsed document, kept to resolve paths to positions.
pub struct SpanIndex<'a> {
    text: &'a str,
    doc: Option<Document<&'a str>>,
}

impl<'a> SpanIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            doc: Document::parse(text).ok(),
        }
    }

    /// Position of the deepest existing prefix of `path` (a missing field
    /// points at its table).
    pub fn locate(&self, path: &[&str]) -> (usize, usize) {
        let Some(doc) = &self.doc else { return (0, 0) };
        let mut best = None;
        let mut item = doc.as_item();
        for seg in path {
            let next = match seg.parse::<usize>() {
                Ok(i) => item.get(i),
                Err(_) => item.get(*seg),
            };
            match next {
                Some(n) => {
                    best = span_of(n).or_else(|| key_span(item, seg)).or(best);
                    item = n;
                }
                None => break,
            }
        }
        let offset = best.or_else(|| span_of(doc.as_item())).unwrap_or(0);
        line_col(self.text, offset)
    }

    /// The dotted path of the innermost field whose value spans `offset`.
    pub fn path_at(&self, offset: usize) -> String {
        let Some(doc) = &self.doc else {
            return String::new();
        };
        let mut path = Vec::new();
        descend(doc.as_item(), offset, &mut path);
        path.join(".")
    }
}

fn span_of(item: &Item) -> Option<usize> {
    match item {
        Item::Value(v) => v.span().map(|s| s.start),
        Item::Table(t) => t.span().map(|s| s.start),
        Item::ArrayOfTables(a) => a.span().map(|s| s.start),
        Item::None => None,
    }
}

fn key_span(item: &Item, seg: &str) -> Option<usize> {
    let t = item.as_table_like()?;
    let (k, _) = t.get_key_value(seg)?;
    k.span().map(|s| s.start)
}

fn item_range(item: &Item) -> Option<std::ops::Range<usize>> {
    match item {
        Item::Value(v) => v.span(),
        Item::Table(t) => t.span(),
        Item::ArrayOfTables(a) => a.span(),
        Item::None => None,
    }
}

/// Appends to `path` the keys leading to `offset`; `true` if any matched.
fn descend(item: &Item, offset: usize, path: &mut Vec<String>) -> bool {
    let Some(t) = item.as_table_like() else {
        return false;
    };
    for (k, child) in t.iter() {
        let key_hit = t
            .get_key_value(k)
            .and_then(|(key, _)| key.span())
            .is_some_and(|s| s.contains(&offset));
        let val_hit =
            item_range(child).is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1));
        if key_hit || val_hit {
            path.push(k.to_string());
            descend(child, offset, path);
            return true;
        }
    }
    // A `[header]` table's span covers only its header (and a table created
    // implicitly by `[a.b]` has none), so look inside for the lines below it.
    for (k, child) in t.iter() {
        if child.is_table() {
            path.push(k.to_string());
            if descend(child, offset, path) {
                return true;
            }
            path.pop();
        }
    }
    false
}
