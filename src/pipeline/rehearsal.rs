//! Every template tried on a sample report before the cluster is read: one that fails to render
//! (an unknown variable, a filter's error) stops the run at once with exit 2, instead of after
//! the cluster was read, when the run has one chance a week.
//!
//! The sample is the seed cluster shipped in `examples/` (every STATUS, evidence, logs, events),
//! with a trend against an earlier copy of itself and a silence in each state, so that the
//! templates' branches run.

use jiff::Timestamp;

use super::Plan;
use crate::analyze::silence::{ConfigSilence, Until};
use crate::analyze::{self, Settings, trend};
use crate::cli::{Exit, Failure};
use crate::collect::{self, NamespaceSelection};
use crate::locale::Catalog;
use crate::model::SILENCE_ANNOTATION;
use crate::render;
use crate::report::{Owner, ProblemCode, Report};

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
    let mut snapshot = collect::from_dump_reader(SAMPLE_DUMP.as_bytes(), "sample.json", &selection)
        .unwrap_or_default();
    let now: Timestamp = SAMPLE_TIME.parse().unwrap_or_default();
    let mut settings = Settings::new(now, "sample".to_owned(), catalog.clone());
    settings.silences.config = silences();
    if let Some(deployment) = snapshot.workloads.deployments.first_mut() {
        let note = (SILENCE_ANNOTATION.into(), "until=someday".into());
        deployment.metadata.annotations = Some(std::iter::once(note).collect());
    }
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

/// A silence of the seed's problem pods in force (through their Deployment), one ending within
/// the week, one ended and one unused; a malformed annotation is added to the snapshot.
fn silences() -> Vec<ConfigSilence> {
    let entry = |until: &str, line: usize| ConfigSilence {
        namespace: None,
        pod: None,
        workload: None,
        problems: Vec::new(),
        reason: "sample".to_owned(),
        owner: "sample@example.com".to_owned(),
        until: Until::parse(until).unwrap_or(Until::Date(jiff::civil::date(2026, 1, 1))),
        until_text: until.to_owned(),
        file: "sample.yaml".to_owned(),
        line,
    };
    vec![
        ConfigSilence {
            workload: Some(Owner {
                kind: "Deployment".into(),
                name: "pigo-cron".into(),
            }),
            ..entry("2026-02-01", 1)
        },
        ConfigSilence {
            pod: Some("prometheus-*".to_owned()),
            problems: vec![ProblemCode::LeftoverCompleted],
            ..entry("2025-12-30", 2)
        },
        ConfigSilence {
            pod: Some("pigo-cron-*".to_owned()),
            ..entry("2025-12-01", 3)
        },
        ConfigSilence {
            namespace: Some("nowhere-*".to_owned()),
            ..entry("2026-01-15", 4)
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;
    use crate::report::SilenceState;

    #[test]
    fn the_sample_has_a_silence_in_each_state_for_the_templates_to_show() {
        let report = sample(&Catalog::builtin(Lang::En));
        let mut states: Vec<SilenceState> = report.silences.iter().map(|s| s.state).collect();
        states.dedup();
        use SilenceState::*;
        assert_eq!(states, [Active, Expiring, Expired, Unused, Invalid]);
        assert!(report.pods.iter().any(|p| p.is_silenced()));
    }
}
