//! The report as plain data: what [`crate::analyze`] produces and [`crate::render`] prints.
//!
//! Serialized as-is, it is the JSON output (`-o json`), a stable format documented in README.md:
//! keys may be added, the documented ones keep their meaning.

use serde::Serialize;

use crate::snapshot::Source;

/// One inspection's findings.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The reference time of the inspection, RFC 3339 in UTC.
    pub generated_at: String,
    /// The tool that made the report.
    pub tool: Tool,
    /// Where the data came from.
    pub source: Source,
    /// The cluster's display name (`--cluster-name`), for the title block.
    pub cluster: String,
    /// Totals over all namespaces.
    pub summary: Summary,
    /// One row per namespace inspected, sorted by name.
    pub namespaces: Vec<NamespaceSummary>,
    /// Every pod inspected, by namespace then name.
    pub pods: Vec<PodRow>,
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
}
