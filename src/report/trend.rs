//! What changed since the previous report: problems new, resolved and still open (tracked by
//! what they belong to), restart growth, pod counts per namespace.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Health, Severity};

/// What changed since the previous report: the `trend` key of the JSON report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trend {
    /// The previous report's reference time, as it wrote it.
    pub previous_generated_at: Timestamp,
    /// Problems open now that were not open before.
    pub new_problems: Vec<ProblemChange>,
    /// Problems open before that are not any more (in a namespace still inspected).
    pub resolved: Vec<ProblemChange>,
    /// Problems open before and now.
    pub still_open: Vec<ProblemChange>,
    pub restart_growth: RestartGrowth,
    /// Every namespace of either report: pods before and now.
    pub namespace_changes: Vec<NamespaceChange>,
}

/// What a problem belongs to: the top of its pod's owner chain, or a pod without owner.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct Subject {
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `CronJob`..., or `Pod` for a bare pod.
    pub kind: String,
    pub name: String,
}

/// A problem that appeared, stayed or went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProblemChange {
    pub namespace: String,
    /// What the problem belongs to.
    pub subject: Subject,
    /// The kind of problem (`crashing`, `pending`, `evicted`...): a [`ProblemKind`]'s name, or
    /// for a code this version does not know, the code.
    ///
    /// [`ProblemKind`]: crate::report::ProblemKind
    pub problem: String,
    /// Consecutive reports in which it was open, this one included for a new (1) or still open
    /// problem; for a resolved one, how many it had been open.
    pub reports_open: u32,
    /// The pods that carried it in the previous report; absent when it was not open then.
    pub before: Option<ProblemState>,
    /// The pods that carry it now; absent when it is resolved.
    pub now: Option<ProblemState>,
}

/// A problem in one report: the pods that carried it, most severe first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProblemState {
    /// The most severe of its pods' severities.
    pub severity: Option<Severity>,
    pub pods: Vec<PodState>,
}

/// A pod's state in one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PodState {
    pub name: String,
    /// kubectl's STATUS.
    pub status: String,
    pub health: Health,
    pub severity: Option<Severity>,
    /// The problem codes, most severe first.
    pub codes: Vec<String>,
    pub restart_count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RestartGrowth {
    /// Pods (same namespace and name in both reports) whose RESTARTS grew, most growth first.
    pub pods: Vec<PodGrowth>,
    /// Workloads whose pods' RESTARTS add up to more than before, most growth first. Pods of a
    /// Deployment get new names on a rollout; their workload still compares.
    pub workloads: Vec<WorkloadGrowth>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PodGrowth {
    pub namespace: String,
    pub name: String,
    pub before: i64,
    pub now: i64,
    pub growth: i64,
    /// The growth reached the threshold, or the count more than doubled.
    pub abnormal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkloadGrowth {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub pods_before: usize,
    pub pods_now: usize,
    /// The sum of its pods' RESTARTS.
    pub before: i64,
    pub now: i64,
    pub growth: i64,
    pub abnormal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NamespaceChange {
    pub name: String,
    pub change: Change,
    /// Absent for an added namespace.
    pub pods_before: Option<usize>,
    /// Absent for a removed namespace.
    pub pods_now: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}
