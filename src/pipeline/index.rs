//! The archive's `index.html`, rewritten by `run` once the report is archived: every archived
//! run with its figures, read from its JSON report, and links to its files.
//!
//! The reports are already safe when this runs, so nothing here fails the run: an index that
//! cannot be made is a warning, and the next run writes it again.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use jiff::tz::TimeZone;
use tracing::{info, warn};

use crate::analyze::history::read_point;
use crate::deliver::archive::{self, ArchiveSettings, ArchivedRun};
use crate::locale::Catalog;
use crate::render::index::{Figures, IndexRow, index};
use crate::report::HistoryPoint;

/// Rewrites the archive's `index.html`: one row per archived run, newest first, titled with
/// `cluster`, times in `timezone`. A failure is one warning naming the path and what to do.
pub(super) fn write(
    settings: &ArchiveSettings,
    cluster: &str,
    timezone: &TimeZone,
    catalog: &Catalog,
) {
    let runs = match archive::runs(&settings.dir) {
        Ok(runs) => runs,
        Err(e) => return warn_unwritten(settings, &e),
    };
    let rows: Vec<IndexRow> = runs.iter().map(row).collect();
    let html = index(&rows, catalog, cluster, timezone);
    match archive::write_index(settings, &html) {
        Ok(path) => info!(path = %path.display(), runs = rows.len(), "archive index written"),
        Err(e) => warn_unwritten(settings, &e),
    }
}

fn warn_unwritten(settings: &ArchiveSettings, e: &archive::ArchiveError) {
    warn!(
        "the archive's index {} was not updated (the reports are archived; the next run writes it again): {}",
        settings.dir.join(archive::INDEX_FILE).display(),
        crate::error::one_line(e)
    );
}

/// A run's row: its files by name, and its figures read from its JSON report without holding
/// the file's text (a big cluster's report is tens of MiB).
fn row(run: &ArchivedRun) -> IndexRow {
    let files = run
        .files
        .iter()
        .filter_map(|(ext, path)| Some((*ext, path.file_name()?.to_str()?.to_owned())))
        .collect();
    IndexRow {
        at: run.at,
        figures: run.file("json").map_or(Figures::NoJson, figures),
        files,
    }
}

/// An archived report's figures, read from its JSON without holding the file's text (a big
/// cluster's report is tens of MiB); for the index and the history.
///
/// # Errors
/// The file cannot be opened, or is not a kube-patrol JSON report: the reason, one line.
pub(super) fn read_archived(json: &Path) -> Result<HistoryPoint, String> {
    File::open(json)
        .map_err(|e| e.to_string())
        .and_then(|file| read_point(BufReader::new(file)).map_err(|e| e.to_string()))
}

fn figures(json: &Path) -> Figures {
    match read_archived(json) {
        Ok(point) => Figures::Read(point),
        Err(e) => {
            warn!(
                "cannot read the archived report {} ({e}): the archive's index shows it without figures; replace or remove the file",
                json.display()
            );
            Figures::Unreadable
        }
    }
}
