//! The statistics section of the report (the seed's 統計分析): status distribution, restarts,
//! ages, nodes, single points of failure, and the highlights the conclusions are drawn from.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An age threshold in days (of 24 hours). Buckets are thresholds, not slices, so they are
/// cumulative as in the seed: "over 70 days" includes the pods over 90 days.
///
/// Serialized as `{"kind": "older_than", "days": 90}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "days", rename_all = "snake_case")]
pub enum AgeBucket {
    /// Strictly older: a pod of exactly 90 days is not "over 90 days".
    OlderThan(u32),
    /// Strictly younger: a pod of exactly 7 days is not "under 7 days".
    YoungerThan(u32),
}

/// The statistics section of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Statistics {
    /// How many pods the statistics are of.
    pub pods: usize,
    /// One entry per kubectl STATUS, by pod count (descending) then status name.
    pub status_distribution: Vec<StatusShare>,
    /// Restart totals and the most restarted pods.
    pub restarts: Restarts,
    /// One entry per configured age bucket, in the configured order.
    pub age_buckets: Vec<AgeBucketCount>,
    /// Where the pods run.
    pub nodes: NodeDistribution,
    /// Single points of failure and overloaded or troubled nodes.
    pub single_points: SinglePointCheck,
    /// Facts the conclusion turns into strengths and issues.
    pub highlights: Highlights,
}

/// A number of pods and its share of a total, rounded as the report prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Share {
    /// How many pods.
    pub pods: usize,
    /// Of how many pods: the total the percentage is of.
    pub total: usize,
    /// `pods / total` in percent, rounded half up to one decimal (95.8); 0 when `total` is 0.
    pub percent: f64,
    /// `percent` with exactly one decimal, ready to print: `"95.8"`, `"100.0"`.
    pub percent_text: String,
}

/// The pods of one kubectl STATUS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StatusShare {
    /// The kubectl STATUS cell, e.g. `Running`.
    pub status: String,
    /// Its pods and their share of all pods (`pods`, `total`, `percent`, `percent_text`).
    #[serde(flatten)]
    pub share: Share,
}

/// Restart totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Restarts {
    /// The sum of the RESTARTS column over all pods.
    pub total: i64,
    /// How many pods restarted at least once.
    pub pods_with_restarts: usize,
    /// The most restarted pods (restarted at least once), by restarts (descending) then name.
    pub top: Vec<Restarter>,
}

/// One pod that restarted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Restarter {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    /// Its RESTARTS count.
    pub restarts: i64,
}

/// The pods of one age bucket. Pods of unknown age are in no bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AgeBucketCount {
    /// The bucket, flattened: `kind` (`older_than` or `younger_than`) and `days`.
    #[serde(flatten)]
    pub bucket: AgeBucket,
    /// How many pods fall in it (cumulative: see [`AgeBucket`]).
    pub pods: usize,
    /// The apps with most pods in it (seed: "nacos 相關"), by pods (descending) then name.
    pub notable: Vec<NameCount>,
}

/// A name and how many pods have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NameCount {
    /// The app name: the workload's name, or the pod's name without generated suffixes.
    pub name: String,
    /// How many pods.
    pub pods: usize,
}

/// Where the pods run. Only nodes hosting at least one of the pods appear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NodeDistribution {
    /// Pods per node, by node name.
    pub per_node: Vec<NodePods>,
    /// The nodes folded into ranges as the seed writes them, by folded name: see
    /// `analyze::statistics::fold_node_names` for the notation.
    pub groups: Vec<NodeGroup>,
    /// Pods on no node (not scheduled yet).
    pub unscheduled: usize,
    /// The mean pod count of the nodes in `per_node`, rounded to one decimal; 0 without nodes.
    pub mean_pods_per_node: f64,
}

/// The pods on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NodePods {
    /// The node's name.
    pub node: String,
    /// How many of the pods run there.
    pub pods: usize,
}

/// Nodes whose names fold into one range, e.g. `pigo-rel-k8s-service-node0[1-6]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NodeGroup {
    /// The folded name; a lone node keeps its own name.
    pub name: String,
    /// How many nodes the name stands for.
    pub nodes: usize,
    /// How many of the pods run on them.
    pub pods: usize,
}

/// The single-point check: does losing one node take a workload down, is a node overloaded,
/// is a node hosting pods in trouble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SinglePointCheck {
    /// No concentrated workload and no overloaded node.
    pub balanced: bool,
    /// Workloads with at least 2 ready pods, all on one node.
    pub concentrated_workloads: Vec<ConcentratedWorkload>,
    /// Nodes far above the mean pod count, by node name.
    pub overloaded_nodes: Vec<NodePods>,
    /// Whether node facts were known, so "no troubled node" can be told from "not checked".
    pub nodes_checked: bool,
    /// Nodes hosting pods that are not Ready, under pressure or cordoned, by node name.
    pub troubled_nodes: Vec<TroubledNode>,
}

/// A workload whose ready pods all share one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConcentratedWorkload {
    /// The workload's namespace.
    pub namespace: String,
    /// The workload as `Kind/name`.
    pub workload: String,
    /// The node all its ready pods run on.
    pub node: String,
    /// How many ready pods it has there.
    pub ready_pods: usize,
}

/// A node hosting pods that is not in a good state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TroubledNode {
    /// The node's name.
    pub node: String,
    /// How many of the pods run there.
    pub pods: usize,
    /// Its `Ready` condition (`null` when it reports none).
    pub ready: Option<bool>,
    /// Cordoned: no new pods are scheduled there.
    pub unschedulable: bool,
    /// Its bad conditions.
    pub conditions: Vec<NodeCondition>,
}

/// A node condition in a bad state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NodeCondition {
    /// The condition type, e.g. `MemoryPressure`.
    pub condition: String,
    /// Its reason, e.g. `KubeletHasInsufficientMemory`.
    pub reason: String,
}

/// Facts for the conclusion's strengths and issues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Highlights {
    /// Pods with STATUS `Running`, of all pods.
    pub running: Share,
    /// Pods rated healthy, of all pods.
    pub healthy: Share,
    /// There are pods and none has restarted.
    pub no_restarts: bool,
    /// Pods older than 30 days, of the pods whose age is known (a settled environment).
    pub older_than_30_days: Share,
    /// Namespaces whose pods are all healthy, by name (namespaces without pods are unknown here).
    pub healthy_namespaces: Vec<String>,
    /// Pods not healthy, per namespace and STATUS, by namespace then pods (descending) then status.
    pub namespace_issues: Vec<NamespaceIssue>,
}

/// Pods not healthy of one STATUS in one namespace (seed: "pigo-dev 有 1 個 Error 狀態 Pod").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NamespaceIssue {
    /// The namespace.
    pub namespace: String,
    /// The kubectl STATUS cell of those pods.
    pub status: String,
    /// Leftovers to clean up, rather than problems to fix.
    pub leftover: bool,
    /// How many pods.
    pub pods: usize,
}
