//! The report as plain data: what [`crate::analyze`] produces and [`crate::render`] prints.
//!
//! Serialized as-is, it is the JSON output (`-o json`), a stable format documented in README.md:
//! keys may be added, the documented ones keep their meaning. Sentences in it are already in
//! the report's language.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analyze::advice::Action;
use crate::analyze::evidence::Evidence;
use crate::analyze::health::Severity;
use crate::analyze::owners::Owner;
use crate::analyze::statistics::Statistics;
use crate::locale::Lang;
use crate::snapshot::{Missing, Source};

/// One inspection's findings.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The reference time of the inspection, RFC 3339 in UTC.
    pub generated_at: String,
    /// The tool that made the report.
    pub tool: Tool,
    /// Where the data came from.
    pub source: Source,
    /// The cluster's display name, for the title block.
    pub cluster: String,
    pub lang: Lang,
    /// Totals over all namespaces and the overall state.
    pub summary: Summary,
    /// One row per namespace inspected, in the order asked for.
    pub namespaces: Vec<NamespaceSummary>,
    /// Every pod inspected, by namespace then name.
    pub pods: Vec<PodRow>,
    /// The problem pods, most severe first (the 問題 Pod 匯總表).
    pub findings: Vec<FindingRow>,
    /// What to do now and in the long run.
    pub advice: Advice,
    pub statistics: Statistics,
    /// Strengths (優點) and issues (問題) drawn from the data, as sentences.
    pub conclusions: Conclusions,
    /// Evidence that could not be read, and why; non-empty means a partial report.
    pub missing: Vec<Missing>,
    pub partial: bool,
    /// The health criteria as configured, for the appendix.
    pub criteria: Criteria,
    /// What changed since the previous archived report (`run` with an archive); absent for the
    /// first report, for `report`, or when the previous one could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<crate::analyze::trend::Trend>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The health tier of a pod, or of the whole cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Healthy,
    Attention,
    Unhealthy,
}

impl Health {
    /// The name the JSON uses: `healthy`, `attention`, `unhealthy`.
    pub fn code(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Attention => "attention",
            Health::Unhealthy => "unhealthy",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub pods: usize,
    pub healthy: usize,
    pub attention: usize,
    pub unhealthy: usize,
    /// The sum of every pod's RESTARTS.
    pub restarts: i64,
}

impl Counts {
    pub fn add(&mut self, pod: &PodRow) {
        self.pods += 1;
        match pod.health {
            Health::Healthy => self.healthy += 1,
            Health::Attention => self.attention += 1,
            Health::Unhealthy => self.unhealthy += 1,
        }
        self.restarts += pod.restart_count;
    }

    /// Pods that are not healthy: the seed's 不健康 Pod column counts attention and unhealthy.
    pub fn not_healthy(&self) -> usize {
        self.attention + self.unhealthy
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub counts: Counts,
    /// Pods that are not healthy (attention + unhealthy).
    pub not_healthy: usize,
    /// The overall state of the inspected namespaces.
    pub overall: Health,
    /// Why the overall state is what it is, as sentences.
    pub overall_reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NamespaceSummary {
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
    pub not_healthy: usize,
}

/// One pod: kubectl's exact cells and kube-patrol's judgement.
#[derive(Debug, Clone, Serialize)]
pub struct PodRow {
    pub namespace: String,
    pub name: String,
    /// `kubectl get pods -o wide` cells, exactly as the API server prints them.
    pub ready: String,
    pub status: String,
    pub restarts: String,
    pub age: String,
    pub ip: String,
    pub node: String,
    pub nominated_node: String,
    pub readiness_gates: String,
    /// RESTARTS as a number.
    pub restart_count: i64,
    pub health: Health,
    /// The most severe problem's severity; absent for a healthy pod.
    pub severity: Option<Severity>,
    /// Every problem found, most severe first.
    pub problems: Vec<Problem>,
    /// The 問題描述 cell: the most severe problem's message.
    pub description: Option<String>,
    /// The owner chain, nearest first, and the top workload's selector.
    pub owner: Option<OwnerInfo>,
    /// Evidence, for pods that are not healthy.
    pub evidence: Option<Evidence>,
    /// The 問題分析 bullet lines, as sentences.
    pub analysis: Vec<String>,
}

/// One problem of a pod.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Stable code, documented in README (e.g. `crash_loop`, `leftover_completed`).
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The facts the rule saw (status, restarts, threshold, grace, scheduler message...).
    pub evidence: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnerInfo {
    pub chain: Vec<Owner>,
    /// The top workload (`Deployment`, `StatefulSet`, `DaemonSet`, `CronJob`, ...).
    pub workload: Option<Owner>,
    /// Its label selector in kubectl's syntax.
    pub selector: Option<String>,
    /// For an ended pod of an old ReplicaSet: the current ReplicaSet's pod that replaced it.
    pub replacement: Option<Replacement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Replacement {
    pub name: String,
    /// HumanDuration since it was created.
    pub age: String,
    pub age_seconds: i64,
}

/// A row of the 問題 Pod 匯總表.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub namespace: String,
    pub pod: String,
    pub status: String,
    pub severity: Severity,
    pub description: String,
    /// The 建議處理 cell.
    pub action: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Advice {
    /// Immediate actions, high priority first.
    pub immediate: Vec<Action>,
    /// Long-term recommendations tied to what was found.
    pub long_term: Vec<Recommendation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub title: String,
    pub points: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Conclusions {
    pub strengths: Vec<String>,
    pub issues: Vec<String>,
}

/// The thresholds in force, shown in the appendix.
#[derive(Debug, Clone, Serialize)]
pub struct Criteria {
    pub restarts_attention: i64,
    pub restarts_unhealthy: i64,
    pub pending_grace: String,
    pub not_ready_grace: String,
    pub terminating_grace: String,
    pub unhealthy_share_percent: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_health_code_is_its_json_name() {
        for health in [Health::Healthy, Health::Attention, Health::Unhealthy] {
            assert_eq!(serde_json::to_value(health).unwrap(), health.code());
        }
    }
}
