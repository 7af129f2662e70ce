//! What the health rules need to know besides the pod itself: the state of its node, whether
//! its Job went on to succeed, and whether a ready pod of its workload replaces it. Built once
//! per snapshot, so that judging a pod stays a lookup.

use std::collections::HashMap;

use crate::model::{Node, Pod, Workload};
use jiff::Timestamp;

use super::owners::{Owner, owner_chain};
use super::pod;
use crate::model::Snapshot;

/// The taint the node lifecycle controller puts on a node whose kubelet stopped reporting.
pub const UNREACHABLE_TAINT: &str = "node.kubernetes.io/unreachable";
/// The taint it puts on a node whose kubelet reports NotReady.
pub const NOT_READY_TAINT: &str = "node.kubernetes.io/not-ready";

/// Whether a node can run the pods bound to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeState {
    Ready,
    /// The kubelet reports the node not ready (`Ready` False, or the not-ready taint).
    NotReady(NodeTrouble),
    /// The kubelet stopped reporting (`Ready` Unknown, or the unreachable taint).
    Unreachable(NodeTrouble),
    /// Nodes were read and this one is not among them: it was deleted.
    Gone,
}

/// What a node's `Ready` condition says when it is not True.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeTrouble {
    pub since: Option<Timestamp>,
    pub reason: Option<String>,
    pub message: Option<String>,
}

/// How a Job ended, as far as the snapshot tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// Its `Complete` condition is True, or a later pod of it succeeded.
    Succeeded,
    /// Failed or still running, or not known.
    NotSucceeded,
}

/// Lookups over one snapshot.
#[derive(Debug, Default)]
pub struct Context {
    /// Node name → state; empty when nodes could not be read.
    nodes: HashMap<String, NodeState>,
    /// (namespace, Job) → whether its `Complete` condition is True.
    jobs_complete: HashMap<(String, String), bool>,
    /// (namespace, Job) → creation times of its Succeeded pods.
    job_successes: HashMap<(String, String), Vec<Timestamp>>,
    /// (namespace, top workload) → its Ready pods that are not being deleted.
    ready_pods: HashMap<(String, Owner), usize>,
}

impl Context {
    pub fn of(snapshot: &Snapshot) -> Self {
        let mut context = Context {
            nodes: snapshot
                .nodes
                .iter()
                .map(|n| (n.metadata.name.clone().unwrap_or_default(), node_state(n)))
                .collect(),
            jobs_complete: snapshot
                .workloads
                .jobs
                .iter()
                .map(|j| (job_key(j), job_complete(j)))
                .collect(),
            ..Context::default()
        };
        for p in &snapshot.pods {
            context.add_pod(p, owner_chain(p, &snapshot.workloads).last());
        }
        context
    }

    fn add_pod(&mut self, p: &Pod, top: Option<&Owner>) {
        let namespace = pod::namespace(p).to_owned();
        if let Some(top) = top
            && pod::is_ready(p)
            && p.metadata.deletion_timestamp.is_none()
        {
            *self
                .ready_pods
                .entry((namespace.clone(), top.clone()))
                .or_default() += 1;
        }
        if let Some(owner) = pod::controller(p).filter(|o| o.kind == "Job")
            && pod::phase(p) == "Succeeded"
        {
            let created = pod::created_at(p).unwrap_or_default();
            let key = (namespace, owner.name.clone());
            self.job_successes.entry(key).or_default().push(created);
        }
    }

    /// The state of a node; `None` when nodes could not be read (nothing is known).
    pub fn node(&self, name: &str) -> Option<&NodeState> {
        if self.nodes.is_empty() {
            return None;
        }
        Some(self.nodes.get(name).unwrap_or(&NodeState::Gone))
    }

    /// Whether the Job that owns `p` went on to succeed after `p` was created.
    pub fn job_outcome(&self, p: &Pod) -> JobOutcome {
        let Some(job) = pod::controller(p).filter(|o| o.kind == "Job") else {
            return JobOutcome::NotSucceeded;
        };
        let key = (pod::namespace(p).to_owned(), job.name.clone());
        let created = pod::created_at(p).unwrap_or_default();
        let complete = self.jobs_complete.get(&key).copied().unwrap_or(false);
        let later_success = self
            .job_successes
            .get(&key)
            .is_some_and(|times| times.iter().any(|t| *t >= created));
        if complete || later_success {
            JobOutcome::Succeeded
        } else {
            JobOutcome::NotSucceeded
        }
    }

    /// How many Ready pods (not being deleted) the workload at the top of a chain has.
    pub fn ready_pods(&self, namespace: &str, top: &Owner) -> usize {
        self.ready_pods
            .get(&(namespace.to_owned(), top.clone()))
            .copied()
            .unwrap_or(0)
    }
}

fn job_key(job: &Workload) -> (String, String) {
    let meta = &job.metadata;
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

fn job_complete(job: &Workload) -> bool {
    job.condition_is_true("Complete")
}

/// A node's state from its `Ready` condition, the kubelet's own report (`Unknown` when the
/// node lifecycle controller stopped hearing from it). The controller's taints tell the same a
/// little later (the API server even taints a new node not-ready until its kubelet reports), so
/// they count only for a node without a `Ready` condition.
pub fn node_state(node: &Node) -> NodeState {
    let taints = node.spec.as_ref().and_then(|s| s.taints.as_deref());
    let has_taint = |key: &str| taints.unwrap_or_default().iter().any(|t| t.key == key);
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default()
        .iter()
        .find(|c| c.type_ == "Ready");
    let trouble = || NodeTrouble {
        since: ready
            .and_then(|c| c.last_transition_time.as_ref())
            .map(|t| t.0),
        reason: ready.and_then(|c| c.reason.clone()),
        message: ready.and_then(|c| c.message.clone()),
    };
    match ready.map(|c| c.status.as_str()) {
        Some("Unknown") => NodeState::Unreachable(trouble()),
        Some("False") => NodeState::NotReady(trouble()),
        Some(_) => NodeState::Ready,
        None if has_taint(UNREACHABLE_TAINT) => NodeState::Unreachable(trouble()),
        None if has_taint(NOT_READY_TAINT) => NodeState::NotReady(trouble()),
        None => NodeState::Ready,
    }
}
