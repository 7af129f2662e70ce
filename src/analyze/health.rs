//! The health rules: from a pod's facts to a tier and the problems found.
//!
//! Rules read the pod, not its STATUS cell: STATUS is a display that differs between server
//! versions (a Failed Job pod shows `Completed` on 1.34 and `Error` on 1.35), hides the pod's
//! `status.reason` behind a container's waiting reason, and says nothing of readiness gates or
//! of a node that stopped reporting. What decides: the phase, `status.reason`/`message`, the
//! `Ready` and `DisruptionTarget` conditions, the deletion time and finalizers, the owner
//! kind, each container's state and exit code, and the state of the node.
//!
//! The defaults follow the seed report's 健康判定標準; every threshold is configurable
//! ([`Rules`]). Each rule is a small function; all rules that apply are listed, and the most
//! severe decides the tier.

mod active;
mod finished;

use std::collections::BTreeMap;

use crate::model::Pod;
use jiff::{SignedDuration, Timestamp};

use super::columns::PodColumns;
use super::context::{Context, NodeState, NodeTrouble};
use super::duration::human_duration;
use super::owners::Owner;
use super::pod::{self, ContainerView};
pub use crate::report::{Health, ProblemCode, Severity};

/// Thresholds of the health rules.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Restarts from which a pod needs attention (the seed: 5).
    pub restarts_attention: i64,
    /// Restarts from which a pod is unhealthy (the seed: 10).
    pub restarts_unhealthy: i64,
    /// How long a pod may be Pending / ContainerCreating / initializing before it is unhealthy.
    pub pending_grace: SignedDuration,
    /// How long a running pod may be not Ready before it is unhealthy.
    pub not_ready_grace: SignedDuration,
    /// How long a pod may be being deleted before it is stuck.
    pub terminating_grace: SignedDuration,
    /// Restarts (and OOM kills) older than this are history: a pod whose last restart is older
    /// is not restarting often, whatever its count.
    pub restart_window: SignedDuration,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            restarts_attention: 5,
            restarts_unhealthy: 10,
            pending_grace: SignedDuration::from_mins(15),
            not_ready_grace: SignedDuration::from_mins(15),
            terminating_grace: SignedDuration::from_mins(15),
            restart_window: SignedDuration::from_hours(7 * 24),
        }
    }
}

/// What a rule found; `code` is stable (documented in README), `facts` feed the message and
/// are the JSON's `problems[].evidence`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: ProblemCode,
    /// The code's severity.
    pub severity: Severity,
    pub facts: BTreeMap<&'static str, String>,
}

impl Finding {
    pub fn new(code: ProblemCode) -> Self {
        Finding {
            code,
            severity: code.severity(),
            facts: BTreeMap::new(),
        }
    }

    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.facts.insert(key, value.into());
        self
    }

    fn with_some(self, key: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }
}

/// A pod's tier and every problem found, most severe first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub health: Health,
    pub findings: Vec<Finding>,
}

impl Assessment {
    /// The tier of `findings` (given most severe first): its most severe one's, else healthy.
    pub fn of(findings: Vec<Finding>) -> Self {
        let health = findings
            .iter()
            .map(|f| f.severity.health())
            .max()
            .unwrap_or(Health::Healthy);
        Assessment { health, findings }
    }

    pub fn severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// A pod under judgement, with what is known around it.
pub struct Case<'a> {
    pub pod: &'a Pod,
    /// Its kubectl cells (RESTARTS and its last restart time, READY).
    pub cols: &'a PodColumns,
    /// Its owner chain, nearest first.
    pub chain: &'a [Owner],
    pub context: &'a Context,
}

/// Applies every rule to one pod.
pub fn assess(case: &Case, now: Timestamp, rules: &Rules) -> Assessment {
    let mut findings: Vec<Finding> = match deletion(case, now, rules) {
        // A pod being deleted is judged by its deletion alone: its containers are stopping.
        Some(found) => found.into_iter().collect(),
        None => [
            state(case, now, rules),
            oom_killed_before(case, now, rules),
            restarts(case, now, rules),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    for f in &mut findings {
        f.facts
            .entry("status")
            .or_insert_with(|| case.cols.status.to_string());
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Assessment::of(findings)
}

/// The finding of the pod's lifecycle state: at most one.
fn state(case: &Case, now: Timestamp, rules: &Rules) -> Option<Finding> {
    match pod::phase(case.pod) {
        "Succeeded" => finished::succeeded(case),
        "Failed" => finished::failed(case),
        _ => active::active(case, now, rules),
    }
}

/// `Some` for a pod being deleted (any phase): stuck past the grace period (its finalizers as
/// evidence), on a lost node, or nothing yet.
fn deletion(case: &Case, now: Timestamp, rules: &Rules) -> Option<Option<Finding>> {
    let requested = pod::deletion_requested_at(case.pod)?;
    let waited = now.duration_since(requested);
    let node_lost = pod::reason(case.pod) == Some("NodeLost")
        || (waited > rules.terminating_grace && node_unreachable(case).is_some());
    if node_lost {
        let finding = node_finding(case, ProblemCode::NodeLost, node_unreachable(case));
        return Some(Some(finding.with("deleting", "true")));
    }
    // Stuck: asked for longer ago than the grace period, and past the pod's own deadline
    // (a pod may be given an hour to stop).
    let deadline_passed = pod::deletion_deadline(case.pod).is_none_or(|d| now > d);
    if waited <= rules.terminating_grace || !deadline_passed {
        return Some(None);
    }
    let finalizers = pod::finalizers(case.pod).join(", ");
    Some(Some(
        Finding::new(ProblemCode::StuckTerminating)
            .with("grace", human_duration(rules.terminating_grace))
            .with("since", requested.to_string())
            .with("since_ago", human_duration(waited))
            .with_some("finalizers", (!finalizers.is_empty()).then_some(finalizers)),
    ))
}

/// The trouble of the pod's node, when the kubelet stopped reporting or the node is gone.
fn node_unreachable<'a>(case: &Case<'a>) -> Option<NodeView<'a>> {
    node_view(case).filter(|n| matches!(n.state, NodeState::Unreachable(_) | NodeState::Gone))
}

/// The pod's node and its state, when the pod is bound and nodes could be read.
#[derive(Clone, Copy)]
struct NodeView<'a> {
    name: &'a str,
    state: &'a NodeState,
}

fn node_view<'a>(case: &Case<'a>) -> Option<NodeView<'a>> {
    let name = pod::node_name(case.pod)?;
    let state = case.context.node(name)?;
    Some(NodeView { name, state })
}

/// A node problem with the node's name, state and the reason its `Ready` condition gives.
fn node_finding(case: &Case, code: ProblemCode, node: Option<NodeView>) -> Finding {
    let finding = Finding::new(code)
        .with_some("node", node.map(|n| n.name).or(pod::node_name(case.pod)))
        .with_some("reason", pod::reason(case.pod))
        .with_some("message", pod::message(case.pod));
    let Some(node) = node else {
        return finding;
    };
    let (state, trouble) = match node.state {
        NodeState::Ready => ("Ready", None),
        NodeState::NotReady(t) => ("NotReady", Some(t)),
        NodeState::Unreachable(t) => ("Unknown", Some(t)),
        NodeState::Gone => ("Gone", None),
    };
    let trouble = trouble.cloned().unwrap_or_else(NodeTrouble::default);
    finding
        .with("node_state", state)
        .with_some("node_reason", trouble.reason)
        .with_some("node_message", trouble.message)
        .with_some("node_since", trouble.since.map(|t| t.to_string()))
}

/// A container's previous instance was OOMKilled, within the restart window.
fn oom_killed_before(case: &Case, now: Timestamp, rules: &Rules) -> Option<Finding> {
    if pod::is_finished(case.pod) {
        return None;
    }
    let killed = pod::containers(case.pod).find(|c| {
        let last = c.last_terminated();
        let oom = last.is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"));
        let recent = last
            .and_then(|t| t.finished_at.as_ref())
            .is_none_or(|at| now.duration_since(at.0) <= rules.restart_window);
        let oom_now = c.terminated().and_then(|t| t.reason.as_deref()) == Some("OOMKilled");
        oom && recent && !oom_now
    })?;
    Some(with_memory(
        Finding::new(ProblemCode::OomKilledBefore),
        &killed,
    ))
}

/// The container's name and its memory limit and request: what an OOM kill is judged against.
fn with_memory(finding: Finding, c: &ContainerView) -> Finding {
    finding
        .with("container", c.name())
        .with_some("memory_limit", c.resource("limits", "memory"))
        .with_some("memory_request", c.resource("requests", "memory"))
}

/// RESTARTS against the thresholds, counting the containers that restarted within the window
/// (or whose last restart is not known): a container that restarted often long ago and not
/// since is history, worth a note at most. A finished pod will not restart again: its
/// restarts are part of how it ended.
fn restarts(case: &Case, now: Timestamp, rules: &Rules) -> Option<Finding> {
    let count = case.cols.restart_count;
    if count < rules.restarts_attention || pod::is_finished(case.pod) {
        return None;
    }
    // An ordinary init container's restarts count while it has not completed (the pod is
    // initializing); once done, RESTARTS no longer shows them either.
    let initializing = |c: &pod::ContainerView| c.terminated().is_none_or(|t| t.exit_code != 0);
    let recent: i64 = pod::containers(case.pod)
        .filter(|c| c.role != pod::Role::Init || initializing(c))
        .filter(|c| {
            let last = c.last_terminated().and_then(|t| t.finished_at);
            last.is_none_or(|t| now.duration_since(t.0) <= rules.restart_window)
        })
        .map(|c| i64::from(c.status.restart_count))
        .sum();
    let last = case.cols.last_restart;
    let (code, threshold) = if recent >= rules.restarts_unhealthy {
        (ProblemCode::RestartsHigh, rules.restarts_unhealthy)
    } else if recent >= rules.restarts_attention {
        (ProblemCode::RestartsElevated, rules.restarts_attention)
    } else {
        (ProblemCode::RestartsLongAgo, rules.restarts_attention)
    };
    Some(
        Finding::new(code)
            .with("restarts", count.to_string())
            .with("recent_restarts", recent.to_string())
            .with("threshold", threshold.to_string())
            .with("window", human_duration(rules.restart_window))
            .with_some("last_restart", last.map(|t| t.to_string()))
            .with_some(
                "last_restart_ago",
                last.map(|t| human_duration(now.duration_since(t))),
            ),
    )
}

#[cfg(test)]
mod tests;
