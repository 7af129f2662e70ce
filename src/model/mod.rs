//! What [`crate::collect`] produces and [`crate::analyze`] reads: compact plain data of our
//! own, deserialized straight from the API's JSON (a LIST page, a dump item) with only the
//! fields kube-patrol reads, so no full Kubernetes object is ever held. A [`Snapshot`] can be
//! saved and a report rebuilt from it, with no cluster.

mod event;
mod meta;
mod node;
mod pod;
mod workload;

pub use event::{Event, EventSeries, ObjectReference};
pub use meta::{
    HasMeta, KEPT_ANNOTATIONS, LabelSelector, LabelSelectorRequirement, Labels, ObjectMeta,
    OwnerReference, REVISION_ANNOTATION, SILENCE_ANNOTATION, StrMap, Time, find,
};
pub use node::{Node, NodeCondition, NodeMeta, NodeSpec, NodeStatus, NodeSystemInfo, Taint};
pub use pod::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, Pod, PodCondition, PodIp, PodReadinessGate, PodSpec,
    PodStatus, Quantity, ResourceRequirements, Resources,
};
pub use workload::{Workload, WorkloadCondition, WorkloadSpec, WorkloadStatus, Workloads};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The model's string: up to 24 bytes inline, without a heap allocation (names, labels,
/// statuses and reasons mostly fit); longer ones on the heap.
pub type Str = compact_str::CompactString;

/// Names longer than [`Str`] holds inline that every pod repeats: condition types and the
/// recommended label keys. Sorted.
const WELL_KNOWN: [&str; 9] = [
    "PodReadyToStartContainers",
    "app.kubernetes.io/component",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/version",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "statefulset.kubernetes.io/pod-name",
];

/// A [`Str`] of `text`; a well-known name is not copied (it points at the static text).
pub fn intern(text: &str) -> Str {
    match WELL_KNOWN.binary_search(&text) {
        Ok(i) => Str::const_new(WELL_KNOWN[i]),
        Err(_) => Str::from(text),
    }
}

/// Everything read from a cluster (or a dump file) for one inspection.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// Where the data came from, for the report's title block.
    pub source: Source,
    /// The API server's version (`gitVersion`, e.g. `v1.34.4`), read from a live cluster; a
    /// dump does not say it.
    pub server_version: Option<String>,
    /// The namespaces inspected, in the order asked for; one with no pods is still listed.
    pub namespaces: Vec<String>,
    /// The pods of those namespaces, slimmed, in namespace then name order.
    pub pods: Vec<Pod>,
    /// The owners of those pods (and their owners), slimmed: no pod templates.
    pub workloads: Workloads,
    /// Events of the selected namespaces that concern pods needing evidence (or their owners).
    pub events: Vec<Event>,
    /// The cluster's nodes, slimmed; empty when they could not be read (see `missing`).
    pub nodes: Vec<Node>,
    /// Log tails of the containers of pods that need evidence.
    pub logs: Vec<LogTail>,
    /// Evidence that could not be read, and why (a 403, an unreachable kubelet...).
    pub missing: Vec<Missing>,
}

/// The last lines of one container's log, current or previous instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogTail {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// The previous (crashed) instance: `kubectl logs --previous`.
    pub previous: bool,
    /// The log text (invalid UTF-8 replaced), or why it could not be read.
    pub outcome: LogOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum LogOutcome {
    /// The lines, at most the configured count and byte cap.
    Lines(Vec<String>),
    /// The API server's reason (e.g. the kubelet could not be reached).
    Unavailable(String),
}

/// The reason of the `logs` entry of every dump's snapshot (logs are only read live); the
/// report says it in its own language.
pub const NO_LOGS_IN_DUMP: &str = "a dump file has no logs";

/// A kind of evidence the account could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Missing {
    /// What: `events`, `logs`, `nodes`, `replicasets`, `deployments`, ...
    pub what: String,
    /// The namespace, when the refusal was for one namespace.
    pub namespace: Option<String>,
    /// The API's reason, e.g. `403 Forbidden: events is forbidden: User ... cannot list ...`.
    pub reason: String,
}

/// Where a snapshot came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A live cluster: the kubeconfig context (if any) and the API server's URL.
    Cluster {
        context: Option<String>,
        server: String,
    },
    /// A dump file (`-` for standard input).
    Dump { path: String },
    /// Built in code (tests).
    #[default]
    Memory,
}

impl Source {
    /// The API server's URL of a cluster; empty for a dump.
    pub fn server(&self) -> &str {
        match self {
            Source::Cluster { server, .. } => server,
            Source::Dump { .. } | Source::Memory => "",
        }
    }
}

/// The reference time of an inspection: ages and dates are computed against it.
pub type Now = Timestamp;
