//! The report as Prometheus metrics, in the text exposition format (version 0.0.4): what
//! `run --metrics-file` writes for node-exporter's textfile collector and what is pushed to
//! `metrics.pushgateway`. README's "Prometheus metrics" lists them.
//!
//! Every series carries `cluster` (the report's display name) and, where it applies,
//! `namespace`, so that one Prometheus can tell clusters and namespaces apart. Silenced pods
//! are counted apart from the health tiers, and their silenced problems are left out.

use std::collections::BTreeMap;
use std::fmt::Write;

use jiff::Timestamp;

use crate::report::{Counts, Health, Report};

/// How the run went, for the run's own series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunFacts {
    /// When the run ended (the metrics were made).
    pub finished_at: Timestamp,
    /// From start to now, in seconds.
    pub duration_seconds: f64,
    /// The report was complete and every delivery before the metrics succeeded.
    pub success: bool,
}

/// The metrics of `report` and `run`, every family with its `# HELP` and `# TYPE` lines.
pub fn metrics(report: &Report, run: &RunFacts) -> String {
    let cluster = escape(&report.cluster);
    let mut out = String::new();
    let per_namespace = open_counts(report);

    family(
        &mut out,
        "kube_patrol_pods",
        "Pods inspected by namespace and health tier, by their open (not silenced) problems; pods whose every problem is silenced are in kube_patrol_silenced_pods instead.",
    );
    for (namespace, counts) in &per_namespace {
        let ns = escape(namespace);
        for (health, n) in [
            (Health::Healthy, counts.healthy),
            (Health::Attention, counts.attention),
            (Health::Unhealthy, counts.unhealthy),
        ] {
            let health = health.code();
            let _ = writeln!(
                out,
                "kube_patrol_pods{{cluster=\"{cluster}\",namespace=\"{ns}\",health=\"{health}\"}} {n}"
            );
        }
    }

    family(
        &mut out,
        "kube_patrol_problems",
        "Open (not silenced) problems by namespace, problem code and severity: one per pod and problem.",
    );
    for ((namespace, code, severity), n) in problems(report) {
        let ns = escape(namespace);
        let _ = writeln!(
            out,
            "kube_patrol_problems{{cluster=\"{cluster}\",namespace=\"{ns}\",code=\"{code}\",severity=\"{severity}\"}} {n}"
        );
    }

    family(
        &mut out,
        "kube_patrol_restarts",
        "The sum of the RESTARTS column of the namespace's pods.",
    );
    for (namespace, counts) in &per_namespace {
        let ns = escape(namespace);
        let n = counts.restarts;
        let _ = writeln!(
            out,
            "kube_patrol_restarts{{cluster=\"{cluster}\",namespace=\"{ns}\"}} {n}"
        );
    }

    family(
        &mut out,
        "kube_patrol_silenced_pods",
        "Pods whose every problem is silenced, by namespace.",
    );
    for (namespace, counts) in &per_namespace {
        let ns = escape(namespace);
        let n = counts.silenced;
        let _ = writeln!(
            out,
            "kube_patrol_silenced_pods{{cluster=\"{cluster}\",namespace=\"{ns}\"}} {n}"
        );
    }

    family(
        &mut out,
        "kube_patrol_overall_state",
        "The overall state: 1 for the current one (healthy, attention or unhealthy), 0 for the others.",
    );
    for health in [Health::Healthy, Health::Attention, Health::Unhealthy] {
        let value = u8::from(report.summary.overall == health);
        let state = health.code();
        let _ = writeln!(
            out,
            "kube_patrol_overall_state{{cluster=\"{cluster}\",state=\"{state}\"}} {value}"
        );
    }

    out.push_str(&run_metrics(&report.cluster, run));
    out
}

/// The run's own series only (time, duration, success): what a run that could not make a
/// report pushes, leaving the last report's series as they were.
pub fn run_metrics(cluster: &str, run: &RunFacts) -> String {
    let cluster = escape(cluster);
    let mut out = String::new();
    family(
        &mut out,
        "kube_patrol_last_run_timestamp_seconds",
        "When the last run ended, in seconds since the Unix epoch.",
    );
    let at = run.finished_at.as_millisecond() as f64 / 1000.0;
    let _ = writeln!(
        out,
        "kube_patrol_last_run_timestamp_seconds{{cluster=\"{cluster}\"}} {at}"
    );

    family(
        &mut out,
        "kube_patrol_run_duration_seconds",
        "How long the last run took, in seconds.",
    );
    let d = run.duration_seconds;
    let _ = writeln!(
        out,
        "kube_patrol_run_duration_seconds{{cluster=\"{cluster}\"}} {d}"
    );

    family(
        &mut out,
        "kube_patrol_last_run_success",
        "1 when the last run made a complete report and delivered it everywhere configured, else 0.",
    );
    let ok = u8::from(run.success);
    let _ = writeln!(
        out,
        "kube_patrol_last_run_success{{cluster=\"{cluster}\"}} {ok}"
    );
    out
}

fn family(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
}

/// Each inspected namespace's pods counted by their open problems (as the summary counts),
/// namespaces without pods included.
fn open_counts(report: &Report) -> BTreeMap<&str, Counts> {
    let mut counts: BTreeMap<&str, Counts> = report
        .namespaces
        .iter()
        .map(|ns| (ns.name.as_str(), Counts::default()))
        .collect();
    for pod in &report.pods {
        counts
            .entry(pod.namespace.as_str())
            .or_default()
            .add_open(pod);
    }
    counts
}

/// Open problems counted by namespace, code and severity.
fn problems(report: &Report) -> BTreeMap<(&str, &'static str, &'static str), usize> {
    let mut counts = BTreeMap::new();
    for pod in &report.pods {
        for problem in pod.open_problems() {
            let key = (
                pod.namespace.as_str(),
                problem.code.as_str(),
                problem.severity.code(),
            );
            *counts.entry(key).or_default() += 1;
        }
    }
    counts
}

/// A label value: `\`, `"` and line feeds escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_backslashes_quotes_and_line_feeds() {
        assert_eq!(escape("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    }
}
