//! `kube-patrol report`: one report to standard output, or every format into a directory.

use std::io::Write;
use std::path::Path;

use super::{Inspection, Plan, inspect, load_config, partial, render_one};
use crate::analyze::trend::{self, TrendSettings};
use crate::cli::{Exit, Failure, Format, ReportArgs};
use crate::locale::Catalog;
use crate::render::Style;
use crate::report::Report;
use crate::report::Trend;

/// Runs `kube-patrol report`.
///
/// # Errors
/// A [`Failure`] carrying the exit code for the binary. A partial report is written first,
/// then reported as [`Exit::Partial`].
pub async fn report(args: ReportArgs) -> Result<(), Failure> {
    let mut config = load_config(&args.inspect)?;
    // Routing is `run`'s: no team's report is made here.
    config.teams.clear();
    let plan = Plan::new(&args.inspect, config)?;
    let Inspection {
        mut report,
        catalog,
        ..
    } = inspect(&args.inspect, &plan).await?;
    if let Some(path) = &args.compare_with {
        let settings = plan.config.trend.settings();
        let trend = compare_with(path, &report, &settings)?;
        crate::analyze::with_trend(&mut report, trend, &catalog);
    }
    match &args.out_dir {
        Some(dir) => write_all_formats(dir, &report, &catalog, &plan.style)?,
        None => write_stdout(&render_one(args.output, &report, &catalog, &plan.style)?)?,
    }
    match partial(&report) {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

/// The trend against the report in `path`; asked for by name, so unlike `run`'s archive, a file
/// that cannot be used is an error.
fn compare_with(path: &Path, report: &Report, settings: &TrendSettings) -> Result<Trend, Failure> {
    let fail = |e: &(dyn std::error::Error + 'static)| {
        Failure::new(
            Exit::Usage,
            anyhow::anyhow!(
                "cannot compare with {}: {} (give a JSON report written by kube-patrol: -o json, or the archive's latest.json)",
                path.display(),
                crate::error::one_line(e)
            ),
        )
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(&e))?;
    let previous = trend::parse_previous(&text).map_err(|e| fail(&e))?;
    Ok(trend::trend(&previous, report, settings))
}

/// Every format into `dir`; each file is complete before the next is written.
fn write_all_formats(
    dir: &Path,
    report: &Report,
    catalog: &Catalog,
    style: &Style,
) -> Result<(), Failure> {
    let fail = |e: std::io::Error, what: &Path| {
        Failure::new(
            Exit::Usage,
            anyhow::anyhow!(
                "cannot write {}: {e} (check that the directory is writable and has room)",
                what.display()
            ),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(e, dir))?;
    for (name, format) in [
        ("report.md", Format::Markdown),
        ("report.html", Format::Html),
        ("report.json", Format::Json),
    ] {
        let path = dir.join(name);
        let text = render_one(format, report, catalog, style)?;
        std::fs::write(&path, text).map_err(|e| fail(e, &path))?;
        tracing::info!(path = %path.display(), "wrote");
    }
    Ok(())
}

pub(super) fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(
            Exit::Internal,
            anyhow::Error::new(e).context("failed to write the report to standard output"),
        )),
    }
}
