//! Scenario variants for sweeps: set a field, by its dotted path, to a new
//! value in the scenario's TOML text, keeping everything else (comments
//! included) as written. Because random streams are keyed by field path,
//! a variant shares every draw with the original except those of the fields
//! it changes.

use toml_edit::{DocumentMut, Item, Value};

/// Splits `V1,V2,…` at top-level commas (not inside `{}`, `[]` or quotes).
pub fn split_values(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for ch in list.chars() {
        match quote {
            Some(q) => {
                if ch == q {
                    quote = None;
                }
                cur.push(ch);
            }
            None => match ch {
                '"' | '\'' => {
                    quote = Some(ch);
                    cur.push(ch);
                }
                '{' | '[' => {
                    depth += 1;
                    cur.push(ch);
                }
                '}' | ']' => {
                    depth -= 1;
                    cur.push(ch);
                }
                ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
                _ => cur.push(ch),
            },
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Returns `text` with the field at `path` set to `value` (TOML syntax:
/// `30`, `0.5`, `"fifo"`, `{ uniform = { min = 1, max = 3 } }`). The
/// tables along the path must exist; the field itself may be new.
pub fn set_field(text: &str, path: &str, value: &str) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("the scenario is not valid TOML: {e}"))?;
    let parsed: Value = value
        .parse()
        .map_err(|_| format!("`{value}` is not a TOML value (use e.g. 30, 0.5, \"fifo\" or {{ uniform = {{ min = 1, max = 3 }} }})"))?;
    let segs: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = segs.split_last() else {
        return Err("empty path".into());
    };
    let mut item: &mut Item = doc.as_item_mut();
    for (i, seg) in parents.iter().enumerate() {
        let here = segs[..=i].join(".");
        item = match item.as_table_like_mut().and_then(|t| t.get_mut(seg)) {
            Some(next) => next,
            None => return Err(format!("the scenario has no table `{here}`")),
        };
    }
    let table = item
        .as_table_like_mut()
        .ok_or_else(|| format!("`{}` is not a table", parents.join(".")))?;
    let new = Item::Value(parsed.decorated(" ", ""));
    match table.get_mut(last) {
        // Replace the value in place: the key keeps its comments.
        Some(existing) => *existing = new,
        None => {
            table.insert(last, new);
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_only() {
        assert_eq!(split_values("1, 3,7"), vec!["1", "3", "7"]);
        assert_eq!(
            split_values("{ uniform = { min = 1, max = 3 } },5"),
            vec!["{ uniform = { min = 1, max = 3 } }", "5"]
        );
        assert_eq!(split_values("\"a,b\",c"), vec!["\"a,b\"", "c"]);
    }

    #[test]
    fn sets_existing_and_new_fields() {
        let t = "[events.e]\n# keep me\nduration_days = 5\n";
        let out = set_field(t, "events.e.duration_days", "30").unwrap();
        assert!(out.contains("duration_days = 30") && out.contains("# keep me"));
        let out = set_field(t, "events.e.probability", "0.5").unwrap();
        assert!(out.contains("probability = 0.5"));
        assert!(
            set_field(t, "events.x.duration_days", "1")
                .unwrap_err()
                .contains("events.x")
        );
        assert!(set_field(t, "events.e.duration_days", "{ oops").is_err());
    }
}
