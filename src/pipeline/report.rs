//! `kube-patrol report`: one report to standard output, or every format into a directory.

use std::io::Write;
use std::path::Path;

use super::{Inspection, Plan, fleet, inspect, load_config, partial, render_one};
use crate::analyze::trend::{self, TrendSettings};
use crate::cli::{Exit, Failure, Format, ReportArgs};
use crate::locale::Catalog;
use crate::report::Trend;
use crate::report::{ClusterEntry, FleetReport, Report};

/// Runs `kube-patrol report`.
///
/// # Errors
/// A [`Failure`] carrying the exit code for the binary. A partial report is written first,
/// then reported as [`Exit::Partial`].
pub async fn report(args: ReportArgs) -> Result<(), Failure> {
    let mut config = load_config(&args.inspect)?;
    // Routing is `run`'s: no team's report is made here.
    config.teams.clear();
    let targets = fleet::targets(&args.inspect, &config)?;
    if !targets.is_empty() {
        let plan = Plan::fleet(&args.inspect, config)?;
        return report_fleet(&args, &plan, &targets).await;
    }
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
        Some(dir) => write_all_formats(dir, |format| {
            render_one(format, &report, &catalog, &plan.style)
        })?,
        None => write_stdout(&render_one(args.output, &report, &catalog, &plan.style)?)?,
    }
    match partial(&report) {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

/// `report` over several clusters: the fleet report to standard output or into a directory.
async fn report_fleet(
    args: &ReportArgs,
    plan: &Plan,
    targets: &[fleet::Target],
) -> Result<(), Failure> {
    let mut fleet = fleet::inspect_fleet(&args.inspect, plan, targets).await?;
    let catalog = Catalog::builtin(plan.lang);
    if let Some(path) = &args.compare_with {
        compare_fleet_with(path, &mut fleet, &plan.config.trend.settings(), &catalog)?;
    }
    let render = |format| fleet::render_fleet(format, &fleet, &catalog, &plan.style);
    match &args.out_dir {
        Some(dir) => write_all_formats(dir, render)?,
        None => write_stdout(&render(args.output)?)?,
    }
    match fleet::none_read(&fleet).or_else(|| fleet::partial(&fleet)) {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

/// Each cluster's trend against its report in the fleet report (or single report) in `path`,
/// matched by cluster name; a cluster without one there has no trend.
fn compare_fleet_with(
    path: &Path,
    fleet: &mut FleetReport,
    settings: &TrendSettings,
    catalog: &Catalog,
) -> Result<(), Failure> {
    let fail = |e: &dyn std::fmt::Display| {
        Failure::new(
            Exit::Usage,
            anyhow::anyhow!(
                "cannot compare with {}: {e} (give a JSON report written by kube-patrol: -o json, or the archive's latest.json)",
                path.display()
            ),
        )
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(&e))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| fail(&e))?;
    let previous: Vec<serde_json::Value> = match value.get("clusters") {
        Some(serde_json::Value::Array(clusters)) => clusters.clone(),
        _ => vec![value],
    };
    for entry in &mut fleet.clusters {
        let ClusterEntry::Report(report) = entry else {
            continue;
        };
        let before = previous
            .iter()
            .find(|p| p.get("cluster").and_then(|c| c.as_str()) == Some(report.cluster.as_str()))
            .filter(|p| p.get("summary").is_some());
        if let Some(before) = before {
            let parsed = trend::parse_previous(&before.to_string()).map_err(|e| fail(&e))?;
            let trend = trend::trend(&parsed, report, settings);
            crate::analyze::with_trend(report, trend, catalog);
        }
    }
    Ok(())
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

/// Every format `render` makes into `dir` (report.md, report.html, report.json); each file is
/// complete before the next is written.
pub(super) fn write_all_formats(
    dir: &Path,
    render: impl Fn(Format) -> Result<String, Failure>,
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
        let text = render(format)?;
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
