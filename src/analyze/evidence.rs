//! The evidence for one problem pod (the seed's 問題分析): how long it has been in this state,
//! the pod's own reason and message, its containers' current and last states, the readiness
//! gates that fail, its node's state, the finalizers that hold its deletion, the scheduler's
//! message, its recent events (warnings first), its log tails, and what is missing and why.

use crate::model::{ContainerState, Event, Pod};
use jiff::Timestamp;

use super::context::{Context, NodeState};
use super::duration::human_duration;
use super::pod::{self, ContainerView, Role};
use crate::model::{LogOutcome, Snapshot};
use crate::report::{
    ConditionEvidence, ContainerEvidence, EventEvidence, Evidence, LogEvidence, NodeEvidence,
    Since, StateEvidence,
};

/// Collects the evidence of one pod from the snapshot.
pub fn evidence(
    pod: &Pod,
    snapshot: &Snapshot,
    context: &Context,
    now: Timestamp,
    max_events: usize,
) -> Evidence {
    let namespace = pod::namespace(pod);
    let name = pod::name(pod);
    let condition = |c: &crate::model::PodCondition| ConditionEvidence {
        reason: c.reason().map(str::to_owned),
        message: c.message().map(str::to_owned),
    };
    let deleting = pod.metadata.deletion_timestamp.is_some();
    Evidence {
        since: since(pod, now),
        reason: pod::reason(pod).map(str::to_owned),
        message: pod::message(pod).map(str::to_owned),
        disruption: pod::disruption(pod).map(condition),
        not_ready: pod::condition(pod, "Ready")
            .filter(|c| c.status != "True" && !pod::is_finished(pod))
            .map(condition),
        failing_readiness_gates: pod::failing_readiness_gates(pod)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        node: node(pod, context, now),
        finalizers: if deleting {
            pod::finalizers(pod).iter().map(|f| f.to_string()).collect()
        } else {
            Vec::new()
        },
        containers: containers(pod, now),
        scheduler: pod::unschedulable_message(pod),
        events: events(&snapshot.events, namespace, name, now, max_events),
        events_missing: missing(snapshot, "events", namespace),
        logs: logs(snapshot, namespace, name),
        logs_missing: missing(snapshot, "logs", namespace),
    }
}

/// Since when the pod is in its present state: deletion, a container's end, the Ready
/// condition's last change, or else its creation.
pub fn since(pod: &Pod, now: Timestamp) -> Option<Since> {
    let at = pod::deletion_requested_at(pod)
        .or_else(|| first_finished(pod))
        .or_else(|| pod::not_true_since(pod, "Ready"))
        .or_else(|| pod::created_at(pod))?;
    let elapsed = now.duration_since(at);
    Some(Since {
        at,
        ago: human_duration(elapsed),
        seconds: elapsed.as_secs(),
    })
}

fn first_finished(pod: &Pod) -> Option<Timestamp> {
    pod::containers(pod)
        .filter_map(|c| c.terminated()?.finished_at.as_ref())
        .map(|t| t.0)
        .max()
}

/// The pod's node, when it is not Ready, unreachable or gone.
fn node(pod: &Pod, context: &Context, now: Timestamp) -> Option<NodeEvidence> {
    let name = pod::node_name(pod)?;
    let (state, trouble) = match context.node(name)? {
        NodeState::Ready => return None,
        NodeState::NotReady(t) => ("NotReady", Some(t)),
        NodeState::Unreachable(t) => ("Unknown", Some(t)),
        NodeState::Gone => ("Gone", None),
    };
    Some(NodeEvidence {
        name: name.to_owned(),
        state: state.to_owned(),
        reason: trouble.and_then(|t| t.reason.clone()),
        message: trouble.and_then(|t| t.message.clone()),
        since: trouble.and_then(|t| t.since),
        since_ago: trouble
            .and_then(|t| t.since)
            .map(|t| human_duration(now.duration_since(t))),
    })
}

fn containers(pod: &Pod, now: Timestamp) -> Vec<ContainerEvidence> {
    let describe = |c: ContainerView| {
        let s = c.status;
        ContainerEvidence {
            name: s.name.to_string(),
            init: c.is_init(),
            sidecar: c.role == Role::Sidecar,
            ready: s.ready,
            restart_count: s.restart_count,
            memory_limit: c.resource("limits", "memory").map(str::to_owned),
            memory_request: c.resource("requests", "memory").map(str::to_owned),
            state: s.state.as_ref().map(|x| state(x, now)).unwrap_or_default(),
            last_state: s
                .last_state
                .as_ref()
                .map(|x| state(x, now))
                .filter(|l| !l.state.is_empty()),
        }
    };
    pod::containers(pod).map(describe).collect()
}

fn state(s: &ContainerState, now: Timestamp) -> StateEvidence {
    if let Some(w) = &s.waiting {
        return StateEvidence {
            state: "waiting".into(),
            reason: w.reason.as_deref().map(str::to_owned),
            message: w.message.as_deref().map(str::to_owned),
            ..StateEvidence::default()
        };
    }
    if let Some(t) = &s.terminated {
        return StateEvidence {
            state: "terminated".into(),
            reason: t.reason.as_deref().map(str::to_owned),
            message: t.message.as_deref().map(str::to_owned),
            exit_code: Some(t.exit_code),
            signal: t.signal,
            oom_killed: t.reason.as_deref() == Some("OOMKilled"),
            started_at: t.started_at.map(|t| t.0),
            finished_at: t.finished_at.map(|t| t.0),
            finished_ago: t
                .finished_at
                .as_ref()
                .map(|t| human_duration(now.duration_since(t.0))),
        };
    }
    match &s.running {
        Some(r) => StateEvidence {
            state: "running".into(),
            started_at: r.started_at.map(|t| t.0),
            ..StateEvidence::default()
        },
        None => StateEvidence::default(),
    }
}

fn events(
    all: &[Event],
    namespace: &str,
    pod: &str,
    now: Timestamp,
    max: usize,
) -> Vec<EventEvidence> {
    let mut found: Vec<(&Event, Option<Timestamp>)> = all
        .iter()
        .filter(|e| {
            let o = &e.involved_object;
            o.kind.as_deref() == Some("Pod")
                && o.name.as_deref() == Some(pod)
                && o.namespace.as_deref().unwrap_or(namespace) == namespace
        })
        .map(|e| (e, last_seen(e)))
        .collect();
    // Warnings first, then the newest: what went wrong before what went right.
    found.sort_by(|(a, at), (b, bt)| {
        let warning = |e: &Event| e.type_.as_deref() != Some("Warning");
        (warning(a), std::cmp::Reverse(*at)).cmp(&(warning(b), std::cmp::Reverse(*bt)))
    });
    found
        .into_iter()
        .take(max)
        .map(|(e, at)| EventEvidence {
            kind: e.type_.as_deref().unwrap_or("Normal").to_owned(),
            reason: e.reason.as_deref().unwrap_or_default().to_owned(),
            message: e.message.clone().unwrap_or_default().trim().to_owned(),
            count: e.count.unwrap_or(1).max(1),
            last_seen_ago: at.map(|t| human_duration(now.duration_since(t))),
            object: format!("pod/{pod}"),
        })
        .collect()
}

/// The newest time an event carries: series, last, event time, first, creation.
fn last_seen(e: &Event) -> Option<Timestamp> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

fn logs(snapshot: &Snapshot, namespace: &str, pod: &str) -> Vec<LogEvidence> {
    snapshot
        .logs
        .iter()
        .filter(|l| l.namespace == namespace && l.pod == pod)
        .map(|l| match &l.outcome {
            LogOutcome::Lines(lines) => LogEvidence {
                container: l.container.clone(),
                previous: l.previous,
                lines: lines.clone(),
                unavailable: None,
            },
            LogOutcome::Unavailable(reason) => LogEvidence {
                container: l.container.clone(),
                previous: l.previous,
                lines: Vec::new(),
                unavailable: Some(reason.clone()),
            },
        })
        .collect()
}

/// The recorded reason why a kind of evidence is missing for this namespace (or everywhere).
fn missing(snapshot: &Snapshot, what: &str, namespace: &str) -> Option<String> {
    snapshot
        .missing
        .iter()
        .find(|m| m.what == what && m.namespace.as_deref().is_none_or(|ns| ns == namespace))
        .map(|m| m.reason.clone())
}

#[cfg(test)]
mod tests;
