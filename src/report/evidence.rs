//! The evidence for one problem pod (the seed's 問題分析): how long it has been in this state,
//! the pod's own reason and message, its containers' current and last states, the readiness
//! gates that fail, its node's state, the finalizers that hold its deletion, the scheduler's
//! message, its recent events, its log tails, and what is missing and why.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Everything kube-patrol knows about why a pod is a problem.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// Since when the pod has been in its present state, if known.
    pub since: Option<Since>,
    /// The pod's `status.reason` (Evicted, OutOfcpu, Terminated, NodeLost...).
    pub reason: Option<String>,
    /// The pod's `status.message`.
    pub message: Option<String>,
    /// A True `DisruptionTarget` condition: why the control plane or kubelet stopped the pod.
    pub disruption: Option<ConditionEvidence>,
    /// The `Ready` condition when it is not True: its reason and message.
    pub not_ready: Option<ConditionEvidence>,
    /// Readiness gates whose condition is missing or not True.
    pub failing_readiness_gates: Vec<String>,
    /// The pod's node, when it is not Ready, unreachable or gone.
    pub node: Option<NodeEvidence>,
    /// The finalizers of a pod being deleted: what holds the deletion.
    pub finalizers: Vec<String>,
    /// Every container with a status: init containers first, then the others.
    pub containers: Vec<ContainerEvidence>,
    /// The scheduler's message for a pod it could not place.
    pub scheduler: Option<String>,
    /// The pod's recent events, warnings first, then the newest.
    pub events: Vec<EventEvidence>,
    /// Why events are missing, when they could not be read.
    pub events_missing: Option<String>,
    /// Log tails, current then previous instance per container.
    pub logs: Vec<LogEvidence>,
    /// Why logs are missing, when they could not be read at all.
    pub logs_missing: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Since {
    /// RFC 3339.
    pub at: Timestamp,
    /// How long ago, in kubectl's HumanDuration (`7d10h`).
    pub ago: String,
    pub seconds: i64,
}

/// A pod condition's reason and message.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ConditionEvidence {
    pub reason: Option<String>,
    pub message: Option<String>,
}

/// A node that cannot run the pod well.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NodeEvidence {
    pub name: String,
    /// `NotReady`, `Unknown` (the kubelet stopped reporting) or `Gone` (deleted).
    pub state: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    /// Since when its `Ready` condition is what it is, RFC 3339.
    pub since: Option<Timestamp>,
    /// How long ago that was, HumanDuration.
    pub since_ago: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ContainerEvidence {
    pub name: String,
    pub init: bool,
    /// A native sidecar: an init container with `restartPolicy: Always`.
    pub sidecar: bool,
    pub ready: bool,
    pub restart_count: i32,
    /// The spec's memory limit and request (`512Mi`), what an OOM kill is judged against.
    pub memory_limit: Option<String>,
    pub memory_request: Option<String>,
    pub state: StateEvidence,
    /// The previous instance's end, when it restarted.
    pub last_state: Option<StateEvidence>,
}

/// One container state, flattened: `state` is `waiting`, `running` or `terminated`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct StateEvidence {
    pub state: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub oom_killed: bool,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// How long ago it finished, HumanDuration.
    pub finished_ago: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EventEvidence {
    /// `Normal` or `Warning`.
    pub kind: String,
    pub reason: String,
    pub message: String,
    pub count: i32,
    /// When it was last seen, HumanDuration ago (`5m`).
    pub last_seen_ago: Option<String>,
    pub object: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct LogEvidence {
    pub container: String,
    pub previous: bool,
    pub lines: Vec<String>,
    /// Why these logs could not be read.
    pub unavailable: Option<String>,
}
