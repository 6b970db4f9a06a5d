//! Errors the library returns. Input problems carry the file, the field path
//! and the line and column, so a user can go straight to the mistake.

use std::fmt;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The file as the user named it (or `<bundled:NAME>`).
    pub file: String,
    /// Dotted field path, e.g. `crossings.torkham.workers`; empty for the
    /// whole file.
    pub path: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.path.is_empty() {
            write!(f, ": `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything that can go wrong loading a scenario.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid scenario. Holds every problem
    /// found (at least one).
    #[error("{}", display_all(.0))]
    Invalid(Vec<InputError>),
}

fn display_all(errors: &[InputError]) -> String {
    let mut s = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&e.to_string());
    }
    s
}

impl LoadError {
    /// The individual problems (empty for IO errors).
    pub fn problems(&self) -> &[InputError] {
        match self {
            LoadError::Invalid(v) => v,
            LoadError::Io { .. } => &[],
        }
    }
}
