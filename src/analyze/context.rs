//! What the health rules need to know besides the pod itself: the state of its node, whether
//! its Job went on to succeed, and whether a ready pod of its workload replaces it. Built once
//! per snapshot, so that judging a pod stays a lookup.

use std::collections::HashMap;

use crate::model::{HasMeta, Node, Pod, Str, Workload};
use jiff::Timestamp;

use super::owners::{Candidate, Owner, controller_of, owner_chain};
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

/// Whether a failed Job pod's work was done after all, as far as the snapshot tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// Its Job completed (its `Complete` condition), or a later pod of the Job succeeded.
    Succeeded,
    /// A later run of its CronJob completed: this run's failure is history.
    LaterRunSucceeded,
    /// The Job failed (its `Failed` condition) or nothing later succeeded, or it is not known.
    NotSucceeded,
}

/// What the snapshot says of one Job.
#[derive(Debug, Clone, Copy, Default)]
struct JobState {
    complete: bool,
    failed: bool,
}

/// Lookups over one snapshot.
#[derive(Debug, Default)]
pub struct Context {
    /// Node name → state; empty when nodes could not be read.
    nodes: HashMap<String, NodeState>,
    /// (namespace, Job) → its conditions.
    jobs: HashMap<(String, String), JobState>,
    /// (namespace, Job) → creation times of its Succeeded pods.
    job_successes: HashMap<(String, String), Vec<Timestamp>>,
    /// (namespace, CronJob) → creation times of its completed Jobs and Succeeded pods.
    cron_successes: HashMap<(String, String), Vec<Timestamp>>,
    /// (namespace, top workload) → creation times of its Ready pods not being deleted.
    ready_pods: HashMap<(String, Owner), Vec<Timestamp>>,
    /// (namespace, ReplicaSet) → its best pod to replace an ended pod of an older one.
    replacements: HashMap<(String, Str), Candidate>,
    /// The newest time stamp of the pods, events and nodes ([`super::dump_age`]).
    pub newest_time: Option<Timestamp>,
}

impl Context {
    pub fn of(snapshot: &Snapshot) -> Self {
        let mut context = Context {
            nodes: snapshot
                .nodes
                .iter()
                .map(|n| {
                    (
                        n.metadata.name.as_deref().unwrap_or_default().to_owned(),
                        node_state(n),
                    )
                })
                .collect(),
            newest_time: super::dump_age::newest_time(snapshot),
            ..Context::default()
        };
        for job in &snapshot.workloads.jobs {
            context.add_job(job);
        }
        for p in &snapshot.pods {
            context.add_pod(p, owner_chain(p, &snapshot.workloads).last());
        }
        context
    }

    fn add_job(&mut self, job: &Workload) {
        let key = (job.namespace().to_owned(), job.name().to_owned());
        let state = JobState {
            complete: job.condition_is_true("Complete"),
            failed: job.condition_is_true("Failed"),
        };
        let cron = job
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.kind == "CronJob");
        if let (Some(cron), true, Some(created)) =
            (cron, state.complete, job.metadata.creation_timestamp)
        {
            let cron_key = (key.0.clone(), cron.name.to_string());
            self.cron_successes
                .entry(cron_key)
                .or_default()
                .push(created.0);
        }
        self.jobs.insert(key, state);
    }

    fn add_pod(&mut self, p: &Pod, top: Option<&Owner>) {
        let namespace = pod::namespace(p).to_owned();
        if let Some(rs) = controller_of(&p.metadata).filter(|o| o.kind == "ReplicaSet") {
            let candidate = Candidate::of(p);
            let key = (namespace.clone(), rs.name.clone());
            match self.replacements.get_mut(&key) {
                Some(best) if best.rank <= candidate.rank => {}
                Some(best) => *best = candidate,
                None => {
                    self.replacements.insert(key, candidate);
                }
            }
        }
        let created = pod::created_at(p).unwrap_or_default();
        if let Some(top) = top
            && pod::is_ready(p)
            && p.metadata.deletion_timestamp.is_none()
        {
            let key = (namespace.clone(), top.clone());
            self.ready_pods.entry(key).or_default().push(created);
        }
        if pod::phase(p) != "Succeeded" {
            return;
        }
        if let Some(owner) = pod::controller(p).filter(|o| o.kind == "Job") {
            let key = (namespace.clone(), owner.name.to_string());
            self.job_successes.entry(key).or_default().push(created);
        }
        if let Some(cron) = top.filter(|t| t.kind == "CronJob") {
            let key = (namespace, cron.name.to_string());
            self.cron_successes.entry(key).or_default().push(created);
        }
    }

    /// The state of a node; `None` when nodes could not be read (nothing is known).
    pub fn node(&self, name: &str) -> Option<&NodeState> {
        if self.nodes.is_empty() {
            return None;
        }
        Some(self.nodes.get(name).unwrap_or(&NodeState::Gone))
    }

    /// Whether the work of a failed Job pod was done after all: its Job completed (or, unless
    /// the Job failed, a later pod of it succeeded), or a later run of its CronJob completed.
    /// "Later" is strictly later: the pods of a parallel Job are created together.
    pub fn job_outcome(&self, p: &Pod, chain: &[Owner]) -> JobOutcome {
        let namespace = pod::namespace(p).to_owned();
        let created = pod::created_at(p).unwrap_or_default();
        let later = |times: Option<&Vec<Timestamp>>| {
            times.is_some_and(|times| times.iter().any(|t| *t > created))
        };
        if let Some(job) = pod::controller(p).filter(|o| o.kind == "Job") {
            let key = (namespace.clone(), job.name.to_string());
            let state = self.jobs.get(&key).copied().unwrap_or_default();
            if state.complete || (!state.failed && later(self.job_successes.get(&key))) {
                return JobOutcome::Succeeded;
            }
        }
        if let Some(cron) = chain.last().filter(|o| o.kind == "CronJob")
            && later(self.cron_successes.get(&(namespace, cron.name.to_string())))
        {
            return JobOutcome::LaterRunSucceeded;
        }
        JobOutcome::NotSucceeded
    }

    /// The best pod of a ReplicaSet to replace an ended pod of an older one: ready first,
    /// then running, then the oldest.
    pub fn replacement_in(&self, namespace: &str, replica_set: &str) -> Option<&Candidate> {
        self.replacements
            .get(&(namespace.to_owned(), Str::from(replica_set)))
    }

    /// How many Ready pods (not being deleted) of the workload at the top of a chain were
    /// created after `after`: the pods that replaced one that ended then.
    pub fn ready_replacements(&self, namespace: &str, top: &Owner, after: Timestamp) -> usize {
        self.ready_pods
            .get(&(namespace.to_owned(), top.clone()))
            .map_or(0, |times| times.iter().filter(|t| **t > after).count())
    }
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
        reason: ready.and_then(|c| c.reason.as_deref().map(str::to_owned)),
        message: ready.and_then(|c| c.message.as_deref().map(str::to_owned)),
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
