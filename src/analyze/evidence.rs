//! The evidence for one problem pod (the seed's 問題分析): how long it has been in this state,
//! its containers' current and last states, the scheduler's message, its recent events
//! (warnings first), its log tails, and what is missing and why.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Event, Pod};
use serde::Serialize;

use super::duration::human_duration;
use super::health::{container_statuses, unschedulable_message};
use crate::snapshot::{LogOutcome, Snapshot};

/// Everything kube-patrol knows about why a pod is a problem.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    /// Since when the pod has been in its present state, if known.
    pub since: Option<Since>,
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

#[derive(Debug, Clone, Serialize)]
pub struct Since {
    /// RFC 3339.
    pub at: String,
    /// How long ago, in kubectl's HumanDuration (`7d10h`).
    pub ago: String,
    pub seconds: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContainerEvidence {
    pub name: String,
    pub init: bool,
    pub ready: bool,
    pub restart_count: i32,
    pub state: StateEvidence,
    /// The previous instance's end, when it restarted.
    pub last_state: Option<StateEvidence>,
}

/// One container state, flattened: `state` is `waiting`, `running` or `terminated`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StateEvidence {
    pub state: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub oom_killed: bool,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// How long ago it finished, HumanDuration.
    pub finished_ago: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct LogEvidence {
    pub container: String,
    pub previous: bool,
    pub lines: Vec<String>,
    /// Why these logs could not be read.
    pub unavailable: Option<String>,
}

/// Collects the evidence of one pod from the snapshot.
pub fn evidence(pod: &Pod, snapshot: &Snapshot, now: Timestamp, max_events: usize) -> Evidence {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    Evidence {
        since: since(pod, now),
        containers: containers(pod, now),
        scheduler: unschedulable_message(pod),
        events: events(&snapshot.events, namespace, name, now, max_events),
        events_missing: missing(snapshot, "events", namespace),
        logs: logs(snapshot, namespace, name),
        logs_missing: missing(snapshot, "logs", namespace),
    }
}

/// Since when the pod is in its present state: deletion, a container's end, the Ready
/// condition's last change, or else its creation.
pub fn since(pod: &Pod, now: Timestamp) -> Option<Since> {
    let at = pod
        .metadata
        .deletion_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| first_finished(pod))
        .or_else(|| not_ready_since(pod))
        .or_else(|| pod.metadata.creation_timestamp.as_ref().map(|t| t.0))?;
    let elapsed = now.duration_since(at);
    Some(Since {
        at: at.to_string(),
        ago: human_duration(elapsed),
        seconds: elapsed.as_secs(),
    })
}

fn first_finished(pod: &Pod) -> Option<Timestamp> {
    container_statuses(pod)
        .filter_map(|s| s.state.as_ref()?.terminated.as_ref()?.finished_at.as_ref())
        .map(|t| t.0)
        .max()
}

fn not_ready_since(pod: &Pod) -> Option<Timestamp> {
    let conditions = pod.status.as_ref()?.conditions.as_ref()?;
    let ready = conditions
        .iter()
        .find(|c| c.type_ == "Ready" && c.status != "True")?;
    ready.last_transition_time.as_ref().map(|t| t.0)
}

fn containers(pod: &Pod, now: Timestamp) -> Vec<ContainerEvidence> {
    let (init, main) = super::health::init_and_main_statuses(pod);
    let describe = |s: &ContainerStatus, init: bool| ContainerEvidence {
        name: s.name.clone(),
        init,
        ready: s.ready,
        restart_count: s.restart_count,
        state: s.state.as_ref().map(|x| state(x, now)).unwrap_or_default(),
        last_state: s
            .last_state
            .as_ref()
            .map(|x| state(x, now))
            .filter(|l| !l.state.is_empty()),
    };
    init.iter()
        .map(|s| describe(s, true))
        .chain(main.iter().map(|s| describe(s, false)))
        .collect()
}

fn state(s: &ContainerState, now: Timestamp) -> StateEvidence {
    if let Some(w) = &s.waiting {
        return StateEvidence {
            state: "waiting".into(),
            reason: w.reason.clone(),
            message: w.message.clone(),
            ..StateEvidence::default()
        };
    }
    if let Some(t) = &s.terminated {
        return StateEvidence {
            state: "terminated".into(),
            reason: t.reason.clone(),
            message: t.message.clone(),
            exit_code: Some(t.exit_code),
            signal: t.signal,
            oom_killed: t.reason.as_deref() == Some("OOMKilled"),
            started_at: t.started_at.as_ref().map(|t| t.0.to_string()),
            finished_at: t.finished_at.as_ref().map(|t| t.0.to_string()),
            finished_ago: t
                .finished_at
                .as_ref()
                .map(|t| human_duration(now.duration_since(t.0))),
        };
    }
    match &s.running {
        Some(r) => StateEvidence {
            state: "running".into(),
            started_at: r.started_at.as_ref().map(|t| t.0.to_string()),
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
            kind: e.type_.clone().unwrap_or_else(|| "Normal".into()),
            reason: e.reason.clone().unwrap_or_default(),
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
