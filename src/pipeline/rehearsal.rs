//! Every template tried on a sample report before the cluster is read: one that fails to render
//! (an unknown variable, a filter's error) stops the run at once with exit 2, instead of after
//! the cluster was read, when the run has one chance a week.
//!
//! The sample is the seed cluster shipped in `examples/` (every STATUS, evidence, logs, events),
//! with a trend against an earlier copy of itself, so that the templates' branches run.

use jiff::Timestamp;

use super::Plan;
use crate::analyze::{self, Settings, trend};
use crate::cli::{Exit, Failure};
use crate::collect::{self, NamespaceSelection};
use crate::locale::Catalog;
use crate::render;
use crate::report::Report;

const SAMPLE_DUMP: &str = include_str!("../../examples/seed-cluster.json");
const SAMPLE_TIME: &str = "2025-12-26T02:00:00Z";

/// Renders the Markdown and HTML templates and the email's `subject` template on the sample.
///
/// # Errors
/// The first template that fails, with its name and error (exit 2).
pub(super) fn rehearse(plan: &Plan, subject: Option<&str>) -> Result<(), Failure> {
    let catalog = Catalog::builtin(plan.lang);
    let report = sample(&catalog);
    let fail = |e: render::Error| {
        Failure::new(
            Exit::Usage,
            anyhow::anyhow!(
                "{} (tried on a sample report before reading the cluster)",
                crate::error::one_line(&e)
            ),
        )
    };
    render::html(&report, &catalog, &plan.style).map_err(fail)?;
    if let Some(template) = subject {
        render::subject(&report, &catalog, &plan.style, Some(template)).map_err(fail)?;
    }
    Ok(())
}

/// The seed cluster's report, with a trend: one problem new since the week before, one
/// resolved, restarts grown.
fn sample(catalog: &Catalog) -> Report {
    let selection = NamespaceSelection {
        all: true,
        ..NamespaceSelection::default()
    };
    let snapshot = collect::from_dump_reader(SAMPLE_DUMP.as_bytes(), "sample.json", &selection)
        .unwrap_or_default();
    let now: Timestamp = SAMPLE_TIME.parse().unwrap_or_default();
    let settings = Settings::new(now, "sample".to_owned(), catalog.clone());
    let mut report = analyze::report_of(&snapshot, &settings);
    if let Some(previous) = week_before(&report) {
        let trend = trend::trend(&previous, &report, &trend::TrendSettings::default());
        analyze::with_trend(&mut report, trend, catalog);
    }
    report
}

/// The report as it might have been a week earlier: its first problem pod healthy, a pod that
/// is gone now failing, fewer restarts.
fn week_before(report: &Report) -> Option<trend::PreviousReport> {
    let mut before = serde_json::to_value(report).ok()?;
    before["generated_at"] = serde_json::json!("2025-12-19T02:00:00Z");
    let pods = before["pods"].as_array_mut()?;
    if let Some(problem) = pods.iter_mut().find(|p| p["health"] != "healthy") {
        problem["health"] = serde_json::json!("healthy");
        problem["problems"] = serde_json::json!([]);
    }
    for pod in pods.iter_mut() {
        let restarts = pod["restart_count"].as_i64().unwrap_or(0);
        pod["restart_count"] = serde_json::json!((restarts - 10).max(0));
    }
    let mut gone = pods.first()?.clone();
    gone["name"] = serde_json::json!("gone-since-last-week");
    gone["health"] = serde_json::json!("unhealthy");
    gone["problems"] = serde_json::json!([{"code": "crash_loop"}]);
    pods.push(gone);
    trend::parse_previous(&before.to_string()).ok()
}
