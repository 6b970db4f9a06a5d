//! Scenario files: parsing ([`raw`]), validation ([`validate`]) and the
//! validated model ([`model`]) the engine runs.

pub mod bundled;
pub mod model;
pub mod raw;
pub mod reference;
pub mod spans;
pub mod validate;
pub mod variants;

pub use model::*;

use crate::error::{InputError, LoadError};
use spans::{SpanIndex, line_col};
use std::path::Path;

/// Loads and validates a scenario from a file path.
pub fn load_path(path: &Path) -> Result<Scenario, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        file: file.clone(),
        source,
    })?;
    load_str(&text, &file)
}

/// Loads a scenario by file path, or by the name of a bundled scenario when
/// no such file exists.
pub fn load_path_or_bundled(arg: &str) -> Result<Scenario, LoadError> {
    let path = Path::new(arg);
    if !path.exists()
        && let Some(b) = bundled::get(arg)
    {
        return load_str(b.text, &format!("<bundled:{}>", b.name));
    }
    load_path(path)
}

/// Parses and validates scenario text; `file` names it in messages.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, LoadError> {
    let one = |path: String, line: usize, column: usize, message: String| {
        LoadError::Invalid(vec![InputError {
            file: file.to_string(),
            path,
            line,
            column,
            message,
        }])
    };
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(one(
            String::new(),
            0,
            0,
            "the file is empty; a scenario needs at least [scenario], [crossings.*], [commodities.*] and [flows.*]".into(),
        ));
    }
    let index = SpanIndex::new(text);
    let raw: raw::RawScenario = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let (mut path, (line, column)) = match e.span() {
                Some(s) => (index.path_at(s.start), line_col(text, s.start)),
                None => (String::new(), (0, 0)),
            };
            let message = e.message().trim().to_string();
            if let Some(field) = missing_field(&message) {
                path = if path.is_empty() {
                    field
                } else {
                    format!("{path}.{field}")
                };
            }
            return Err(one(path, line, column, message));
        }
    };
    validate::validate(&raw, file, text).map_err(|problems| {
        LoadError::Invalid(
            problems
                .into_iter()
                .map(|(path, message)| {
                    let segs: Vec<&str> = path.split('.').collect();
                    let (line, column) = index.locate(&segs);
                    InputError {
                        file: file.to_string(),
                        path,
                        line,
                        column,
                        message,
                    }
                })
                .collect(),
        )
    })
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}
