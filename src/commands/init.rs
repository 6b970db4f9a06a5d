//! `bordersim init NAME [--from BUNDLED]`: write `NAME.toml`, a commented copy
//! of a bundled scenario with its `[scenario] name` set to NAME. Never
//! overwrites: the file is created with `create_new`, so an existing file is
//! an error (exit 2) even if it appears between the check and the write.

use super::CliError;
use super::scenarios::find;
use crate::cli::InitArgs;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

pub fn init(a: InitArgs) -> Result<(), CliError> {
    let name = a.name.strip_suffix(".toml").unwrap_or(&a.name);
    if !valid_name(name) {
        return Err(CliError::Input(format!(
            "invalid scenario name {name:?}: use only letters, digits, `_` and `-` (at most 64); \
             it becomes the file name NAME.toml and the scenario's `[scenario] name`"
        )));
    }
    let from = find(&a.from)?;
    let text = copy_text(from.text, from.name, name)?;
    // The copy must still be a valid scenario (it is, unless the bundled
    // file itself is broken, which the tests rule out).
    bordersim::scenario::load_str(&text, &format!("{name}.toml"))
        .map_err(|e| anyhow::anyhow!("the copy of {} does not validate: {e}", from.name))?;

    let path = PathBuf::from(format!("{name}.toml"));
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CliError::Input(format!(
                "{} already exists; init never overwrites a file: choose another NAME or remove it",
                path.display()
            )));
        }
        Err(e) => {
            return Err(anyhow::Error::from(e)
                .context(format!("cannot create {}", path.display()))
                .into());
        }
    };
    if let Err(e) = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
    {
        drop(file);
        let _ = std::fs::remove_file(&path);
        return Err(anyhow::Error::from(e)
            .context(format!("writing {}", path.display()))
            .into());
    }
    println!(
        "wrote {} (a copy of the bundled scenario {}); check it with `bordersim validate {}`",
        path.display(),
        from.name,
        path.display()
    );
    Ok(())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The bundled text with a header comment and `[scenario] name = "NAME"`;
/// every other line, comments included, is kept as it is.
pub fn copy_text(text: &str, from: &str, name: &str) -> Result<String, CliError> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("the bundled scenario {from} does not parse"))?;
    let value = doc
        .get_mut("scenario")
        .and_then(|t| t.get_mut("name"))
        .and_then(|v| v.as_value_mut())
        .ok_or_else(|| anyhow::anyhow!("the bundled scenario {from} has no [scenario] name"))?;
    let decor = value.decor().clone();
    *value = toml_edit::Value::from(name);
    *value.decor_mut() = decor;
    Ok(format!(
        "# {name}.toml: written by `bordersim init {name} --from {from}` (bordersim {}).\n\
         # A copy of the bundled scenario {from}, to edit. Check it with\n\
         # `bordersim validate {name}.toml` and run it with `bordersim run {name}.toml`;\n\
         # every field is described in docs/scenario-reference.md.\n\
         #\n{}",
        env!("CARGO_PKG_VERSION"),
        doc
    ))
}
