//! The report as plain data: what [`crate::analyze`] produces and [`crate::render`] prints.
//!
//! Serialized as-is, it is the JSON output (`-o json`), a stable format documented in README.md:
//! keys may be added, the documented ones keep their meaning. Sentences in it are already in
//! the report's language.

use std::collections::BTreeMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod advice;
mod evidence;
mod fleet;
mod history;
mod owner;
mod silence;
mod statistics;
mod trend;

pub use advice::{Action, CommandLine};
pub use evidence::{
    ConditionEvidence, ContainerEvidence, EventEvidence, Evidence, LogEvidence, NodeEvidence,
    Since, StateEvidence,
};
pub use fleet::{ClusterEntry, FleetReport, UnreadCluster, fleet_json_schema};
pub use history::HistoryPoint;
pub use owner::{Owner, OwnerInfo, Replacement};
pub use silence::{PodSilence, SilenceEntry, SilenceSource, SilenceState};
pub use statistics::{
    AgeBucket, AgeBucketCount, ConcentratedWorkload, Highlights, NameCount, NamespaceIssue,
    NodeCondition, NodeDistribution, NodeGroup, NodePods, Restarter, Restarts, Share,
    SinglePointCheck, Statistics, StatusShare, TroubledNode,
};
pub use trend::{
    Change, NamespaceChange, PodGrowth, PodState, ProblemChange, ProblemState, RestartGrowth,
    Subject, Trend, WorkloadGrowth,
};

use crate::locale::Lang;
use crate::model::{Missing, Source, Str};

/// The version of the JSON format (`schema_version`). Adding a key keeps it; removing a key,
/// renaming one or changing its meaning or type makes a new version. Reports without the key
/// are version 1 (kube-patrol before problems were tracked by workload).
pub const SCHEMA_VERSION: u32 = 2;

/// The JSON Schema of the report's JSON (`-o json`, the archive's `.json`), generated from
/// these types; `schema/report.schema.json` in the repository is a copy a test keeps in step.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}

/// One inspection's findings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// The version of this JSON format: [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The reference time of the inspection, RFC 3339 in UTC.
    pub generated_at: Timestamp,
    /// The tool that made the report.
    pub tool: Tool,
    /// Where the data came from.
    pub source: Source,
    /// The API server's version (`v1.34.4`) for a cluster, whose `kubectl get pods` rules made
    /// STATUS; absent for a dump.
    pub kubernetes_version: Option<String>,
    /// For a dump: its newest time stamp and how long before the reference time it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dump_age: Option<DumpAge>,
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
    pub trend: Option<Trend>,
    /// With an archive (`run`): this report and the archived ones before it, newest first, at
    /// most `report.history_weeks` of them; empty (and absent from the JSON) otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryPoint>,
    /// Every silence of the config, then those of the cluster's annotations that cover a
    /// problem pod or are invalid; empty in reports made before silences existed.
    #[serde(default)]
    pub silences: Vec<SilenceEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The health tier of a pod, or of the whole cluster.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
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

/// When a dump was taken, as far as its time stamps tell: the `dump_age` key of the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DumpAge {
    /// The newest time stamp in the dump, RFC 3339.
    pub newest: Timestamp,
    /// How long before the reference time that is, HumanDuration.
    pub behind: String,
    pub behind_seconds: i64,
    /// Older than a day: ages in the report are not those of the time the dump was taken.
    pub old: bool,
}

/// How bad a problem is: 🔴 high, 🟡 medium, 🟢 low.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    /// The name the JSON uses: `low`, `medium`, `high`.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// High problems make a pod unhealthy; medium and low ones ask for attention.
    pub fn health(self) -> Health {
        match self {
            Severity::High => Health::Unhealthy,
            Severity::Medium | Severity::Low => Health::Attention,
        }
    }
}

/// Every problem the health rules can find: one code each, stable in the JSON (`problems[].code`)
/// and documented in README's health-rules table. Each code has one severity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// An ordinary container ended with a non-zero exit code, or the pod failed otherwise.
    Failed,
    /// A Job's pod that failed while the Job went on to succeed (a retried attempt).
    FailedAttempt,
    /// A container waits in CrashLoopBackOff, or crashed and is about to restart.
    CrashLoop,
    /// An image cannot be pulled (ImagePullBackOff, ErrImagePull, InvalidImageName...).
    ImagePull,
    /// A container cannot be created or started (CreateContainerConfigError...).
    ContainerCreate,
    /// A container's current instance was OOMKilled.
    OomKilled,
    /// A container's previous instance was OOMKilled, within the restart window.
    OomKilledBefore,
    /// Evicted by the kubelet (`status.reason: Evicted`) or disrupted by the control plane
    /// (a `DisruptionTarget` condition: preemption, the Eviction API, taint manager, pod GC).
    Evicted,
    /// Rejected by the node's kubelet at admission (`OutOfcpu`, `NodeAffinity`,
    /// `UnexpectedAdmissionError`...).
    Rejected,
    /// The pod's node stopped reporting (node `Ready` Unknown, the unreachable taint, or the
    /// pod's `NodeLost` reason).
    NodeLost,
    /// The pod's node reports `Ready` False.
    NodeNotReady,
    /// Killed by a node shutdown and no ready pod of its workload replaces it.
    NodeShutdown,
    /// Killed by a node shutdown; a ready pod of its workload replaces it (a leftover).
    ShutdownLeftover,
    /// An ordinary init container failed.
    InitFailed,
    /// Pending, creating containers or initializing past the grace period.
    PendingTooLong,
    /// Pending, creating containers or initializing, within the grace period.
    Starting,
    /// Running but not Ready past the grace period.
    NotReadyTooLong,
    /// Running but not Ready, within the grace period.
    NotReady,
    /// A Job's pod whose main container finished while another (a non-native sidecar such as
    /// a mesh proxy) keeps running, past the grace period: the Job never completes.
    SidecarBlocksJob,
    /// RESTARTS at or above the unhealthy threshold, the last restart within the window.
    RestartsHigh,
    /// RESTARTS at or above the attention threshold, the last restart within the window.
    RestartsElevated,
    /// RESTARTS at or above the attention threshold, but none within the window.
    RestartsLongAgo,
    /// A Completed pod of a long-running controller or a bare pod.
    LeftoverCompleted,
    /// Being deleted for longer than the grace period.
    StuckTerminating,
}

impl ProblemCode {
    /// The code as the JSON and README write it (`crash_loop`).
    pub fn as_str(self) -> &'static str {
        use ProblemCode::*;
        match self {
            Failed => "failed",
            FailedAttempt => "failed_attempt",
            CrashLoop => "crash_loop",
            ImagePull => "image_pull",
            ContainerCreate => "container_create",
            OomKilled => "oom_killed",
            OomKilledBefore => "oom_killed_before",
            Evicted => "evicted",
            Rejected => "rejected",
            NodeLost => "node_lost",
            NodeNotReady => "node_not_ready",
            NodeShutdown => "node_shutdown",
            ShutdownLeftover => "shutdown_leftover",
            InitFailed => "init_failed",
            PendingTooLong => "pending_too_long",
            Starting => "starting",
            NotReadyTooLong => "not_ready_too_long",
            NotReady => "not_ready",
            SidecarBlocksJob => "sidecar_blocks_job",
            RestartsHigh => "restarts_high",
            RestartsElevated => "restarts_elevated",
            RestartsLongAgo => "restarts_long_ago",
            LeftoverCompleted => "leftover_completed",
            StuckTerminating => "stuck_terminating",
        }
    }

    /// The severity that every finding of this code has.
    pub fn severity(self) -> Severity {
        use ProblemCode::*;
        match self {
            Failed | CrashLoop | ImagePull | ContainerCreate | OomKilled | Evicted | Rejected
            | NodeLost | NodeNotReady | NodeShutdown | InitFailed | PendingTooLong
            | NotReadyTooLong | SidecarBlocksJob | RestartsHigh => Severity::High,
            FailedAttempt | OomKilledBefore | ShutdownLeftover | RestartsElevated
            | LeftoverCompleted | StuckTerminating => Severity::Medium,
            Starting | NotReady | RestartsLongAgo => Severity::Low,
        }
    }

    /// The kind of problem, which the trend follows from report to report: a crash-looping
    /// container shows as `crash_loop`, `oom_killed` or `restarts_high` depending on the moment
    /// it was seen, yet it is one problem.
    pub fn kind(self) -> ProblemKind {
        use ProblemCode::*;
        match self {
            CrashLoop | OomKilled | OomKilledBefore | RestartsHigh | RestartsElevated
            | RestartsLongAgo => ProblemKind::Crashing,
            Failed | FailedAttempt => ProblemKind::Failed,
            ImagePull => ProblemKind::ImagePull,
            ContainerCreate => ProblemKind::ContainerCreate,
            InitFailed => ProblemKind::InitFailed,
            PendingTooLong | Starting => ProblemKind::Pending,
            NotReadyTooLong | NotReady | SidecarBlocksJob => ProblemKind::NotReady,
            Evicted => ProblemKind::Evicted,
            Rejected => ProblemKind::Rejected,
            NodeLost | NodeNotReady => ProblemKind::Node,
            NodeShutdown | ShutdownLeftover => ProblemKind::Shutdown,
            LeftoverCompleted => ProblemKind::Leftover,
            StuckTerminating => ProblemKind::Terminating,
        }
    }

    /// The advice the code calls for (`advice.<key>` and `advice.<key>_short` in the
    /// locales); the advice may pick a finer one from the finding's facts (a failed Job's pod,
    /// a readiness gate, a pod on a lost node that nobody deletes).
    pub fn advice(self) -> &'static str {
        use ProblemCode::*;
        match self {
            LeftoverCompleted => "leftover_completed",
            ShutdownLeftover => "shutdown_leftover",
            FailedAttempt => "failed_attempt",
            CrashLoop => "crash_loop",
            ImagePull => "image_pull",
            ContainerCreate => "container_create",
            OomKilled | OomKilledBefore => "oom",
            PendingTooLong | Starting => "pending",
            NotReadyTooLong | NotReady => "not_ready",
            RestartsHigh | RestartsElevated | RestartsLongAgo => "restarts",
            StuckTerminating => "terminating",
            Evicted => "evicted",
            Rejected => "rejected",
            NodeLost => "node_lost",
            NodeNotReady => "node_not_ready",
            NodeShutdown => "node_shutdown",
            SidecarBlocksJob => "sidecar",
            Failed | InitFailed => "failed",
        }
    }

    /// Every code, in the order of README's table.
    pub const ALL: [ProblemCode; 24] = {
        use ProblemCode::*;
        [
            Failed,
            FailedAttempt,
            CrashLoop,
            ImagePull,
            ContainerCreate,
            OomKilled,
            OomKilledBefore,
            Evicted,
            Rejected,
            NodeLost,
            NodeNotReady,
            NodeShutdown,
            ShutdownLeftover,
            InitFailed,
            PendingTooLong,
            Starting,
            NotReadyTooLong,
            NotReady,
            SidecarBlocksJob,
            RestartsHigh,
            RestartsElevated,
            RestartsLongAgo,
            LeftoverCompleted,
            StuckTerminating,
        ]
    };

    /// The code of a JSON name; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<ProblemCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a problem is about, whatever moment it was seen at: the identity the trend tracks
/// together with the workload it belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    Crashing,
    Failed,
    ImagePull,
    ContainerCreate,
    InitFailed,
    Pending,
    NotReady,
    Evicted,
    Rejected,
    Node,
    Shutdown,
    Leftover,
    Terminating,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    pub pods: usize,
    pub healthy: usize,
    pub attention: usize,
    pub unhealthy: usize,
    /// The sum of every pod's RESTARTS.
    pub restarts: i64,
    /// Pods whose every problem is silenced. A namespace's counts tell the truth: these pods
    /// are also among its `attention` or `unhealthy`. The summary's leave them out of those
    /// (`pods` = `healthy` + `attention` + `unhealthy` + `silenced`), as the overall state does.
    #[serde(default)]
    pub silenced: usize,
}

impl Counts {
    /// Counts a pod by every problem it has (a namespace's counts), its silences aside.
    pub fn add(&mut self, pod: &PodRow) {
        self.add_tier(pod.health, pod);
        if pod.is_silenced() {
            self.silenced += 1;
        }
    }

    /// Counts a pod by its open problems only (the summary): a pod whose every problem is
    /// silenced counts as `silenced` alone.
    pub fn add_open(&mut self, pod: &PodRow) {
        if pod.is_silenced() {
            self.pods += 1;
            self.silenced += 1;
            self.restarts += pod.restart_count;
        } else {
            self.add_tier(pod.open_health(), pod);
        }
    }

    fn add_tier(&mut self, health: Health, pod: &PodRow) {
        self.pods += 1;
        match health {
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

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
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

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NamespaceSummary {
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
    pub not_healthy: usize,
}

/// One pod: kubectl's exact cells and kube-patrol's judgement.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PodRow {
    pub namespace: Str,
    pub name: Str,
    /// `kubectl get pods -o wide` cells, exactly as the API server prints them.
    pub ready: Str,
    pub status: Str,
    pub restarts: Str,
    pub age: Str,
    pub ip: Str,
    pub node: Str,
    pub nominated_node: Str,
    pub readiness_gates: Str,
    /// RESTARTS as a number.
    pub restart_count: i64,
    /// By every problem, silenced ones included (the truth); [`PodRow::open_health`] is what
    /// the report's tables go by.
    pub health: Health,
    /// The most severe problem's severity; absent for a healthy pod.
    pub severity: Option<Severity>,
    /// Every problem found, most severe first.
    pub problems: Vec<Problem>,
    /// The 問題描述 cell: the most severe open (not silenced) problem's message, or the most
    /// severe one when all are silenced; marked when a silence of it expired.
    pub description: Option<String>,
    /// The silence in force on this pod, and which of its problems it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silenced: Option<Box<PodSilence>>,
    /// A silence of this pod that ended: the problems it covered are open again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_expired: Option<Box<PodSilence>>,
    /// The owner chain, nearest first, and the top workload's selector.
    pub owner: Option<OwnerInfo>,
    /// Evidence, for pods that are not healthy.
    pub evidence: Option<Box<Evidence>>,
    /// The 問題分析 bullet lines, as sentences.
    pub analysis: Vec<String>,
}

/// One problem of a pod.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// Stable code, documented in README (e.g. `crash_loop`, `leftover_completed`).
    pub code: ProblemCode,
    pub severity: Severity,
    pub message: String,
    /// The facts the rule saw (status, restarts, threshold, grace, scheduler message...).
    pub evidence: BTreeMap<String, String>,
}

/// A row of the 問題 Pod 匯總表.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FindingRow {
    pub namespace: String,
    pub pod: String,
    pub status: String,
    pub severity: Severity,
    pub description: String,
    /// The 建議處理 cell.
    pub action: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Advice {
    /// Immediate actions, high priority first.
    pub immediate: Vec<Action>,
    /// Long-term recommendations tied to what was found.
    pub long_term: Vec<Recommendation>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Recommendation {
    pub title: String,
    pub points: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Conclusions {
    pub strengths: Vec<String>,
    pub issues: Vec<String>,
}

/// The thresholds in force, shown in the appendix.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Criteria {
    pub restarts_attention: i64,
    pub restarts_unhealthy: i64,
    pub pending_grace: String,
    pub not_ready_grace: String,
    pub terminating_grace: String,
    pub restart_window: String,
    pub unhealthy_share_percent: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_code_is_its_json_name_and_parses_back() {
        for code in ProblemCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(ProblemCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ProblemCode::parse("no_such_code"), None);
    }

    #[test]
    fn every_problem_code_has_a_message_in_each_language_and_a_row_in_readme() {
        use crate::locale::{Catalog, Lang};
        let readme = include_str!("../../README.md");
        for code in ProblemCode::ALL {
            for lang in [Lang::En, Lang::ZhTw] {
                let key = format!("problem.{code}");
                assert!(Catalog::builtin(lang).has(&key), "{key} in {lang:?}");
                let kind = serde_json::to_value(code.kind()).unwrap();
                let kind_key = format!("problem_kind.{}", kind.as_str().unwrap());
                assert!(
                    Catalog::builtin(lang).has(&kind_key),
                    "{kind_key} in {lang:?}"
                );
                for advice in [code.advice().to_owned(), format!("{}_short", code.advice())] {
                    let key = format!("advice.{advice}");
                    assert!(Catalog::builtin(lang).has(&key), "{key} in {lang:?}");
                }
            }
            let row = format!("| `{code}` | ");
            assert!(
                readme.contains(&row),
                "README's health-rules table lacks {code}"
            );
        }
    }

    #[test]
    fn a_health_code_is_its_json_name() {
        for health in [Health::Healthy, Health::Attention, Health::Unhealthy] {
            assert_eq!(serde_json::to_value(health).unwrap(), health.code());
        }
    }
}
