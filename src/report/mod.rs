//! Figures and `report.html` for a finished run, built only from the files
//! the run wrote (`summary.csv`, `quantiles.csv`, `daily.csv`,
//! `manifest.json`, `scenario.toml`). `bordersim run` calls [`build`] after
//! writing them; `bordersim report DIR` calls it on an existing directory.
//!
//! - [`data`]: reads the files into typed tables (errors name the file);
//! - [`figures`]: which figures, with what titles, rendered by
//!   [`crate::plots`];
//! - [`html`]: the page;
//! - [`text`]: dates, labels, escaping.
//!
//! Files are written through [`crate::output::atomic::Staging`]: figures
//! under `DIR/figures/NAME.png` and `.svg`, then `DIR/report.html`.

pub mod data;
pub mod figures;
pub mod html;
pub mod paired;
pub mod text;

pub use data::{ReportError, RunFiles};

use crate::output::atomic::Staging;
use std::path::{Path, PathBuf};

/// Subdirectory of the figures.
pub const FIGURES_DIR: &str = "figures";
/// File name of the page.
pub const REPORT_FILE: &str = "report.html";

/// Renders the figures and the page of the run in `dir`; returns the paths
/// written. A sweep's or comparison's directory (its `manifest.json` says
/// so) gets theirs from [`paired::build`].
pub fn build(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    if paired::paired_kind(dir).is_some() {
        return paired::build(dir);
    }
    let data = RunFiles::load(dir)?;
    let figures = figures::render_all(&data)?;
    let mut page = html::page(&data, &figures);
    // Tornado figures of a sensitivity analysis written into the same
    // directory go in before the assumptions.
    let sens = html::sensitivity_section(dir);
    if let Some(i) = page.find("<h2 id=\"assumptions\"")
        && !sens.is_empty()
    {
        page.insert_str(i, &sens);
    }
    write_report(
        dir,
        figures.iter().map(|f| (f.name.as_str(), &f.rendered)),
        &page,
    )
}

/// Writes `figures/NAME.png` and `.svg` for every figure, then the page.
pub(crate) fn write_report<'a>(
    dir: &Path,
    figures: impl Iterator<Item = (&'a str, &'a crate::plots::Rendered)>,
    page: &str,
) -> Result<Vec<PathBuf>, ReportError> {
    let fig_dir = dir.join(FIGURES_DIR);
    let write_err = |file: &Path| {
        let file = file.display().to_string();
        move |source| ReportError::Write { file, source }
    };
    let mut fig_stage = Staging::new(&fig_dir).map_err(write_err(&fig_dir))?;
    for (stem, rendered) in figures {
        for (ext, bytes) in [("png", &rendered.png[..]), ("svg", rendered.svg.as_bytes())] {
            let name = format!("{stem}.{ext}");
            fig_stage
                .write(&name, bytes)
                .map_err(write_err(&fig_dir.join(&name)))?;
        }
    }
    let mut page_stage = Staging::new(dir).map_err(write_err(dir))?;
    page_stage
        .write(REPORT_FILE, page.as_bytes())
        .map_err(write_err(&dir.join(REPORT_FILE)))?;
    let mut written = fig_stage.commit().map_err(write_err(&fig_dir))?;
    written.extend(page_stage.commit().map_err(write_err(dir))?);
    Ok(written)
}
