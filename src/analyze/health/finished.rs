//! Rules for pods that ran to their end (phase `Succeeded` or `Failed`): their containers will
//! not restart, so what matters is why they ended and whether something replaced them.

use super::{Case, Finding, with_memory};
use crate::analyze::context::JobOutcome;
use crate::analyze::pod::{self, ContainerView, Role};
use crate::report::ProblemCode;

/// `status.reason`s the kubelet gives a pod it stopped for a node shutdown (`Terminated` since
/// graceful node shutdown, `Shutdown` before it; `NodeShutdown` in some distributions).
const SHUTDOWN_REASONS: [&str; 3] = ["Terminated", "Shutdown", "NodeShutdown"];

/// The `DisruptionTarget` reason the kubelet sets when it stops a pod itself (a node shutdown,
/// or a node-pressure eviction, which also sets `status.reason: Evicted`).
const TERMINATION_BY_KUBELET: &str = "TerminationByKubelet";

/// `status.reason`s of a pod the kubelet stopped before it could fail: an eviction, or the
/// kubelet's own preemption of it to admit a critical pod (older kubelets set no
/// `DisruptionTarget` then).
const EVICTION_REASONS: [&str; 2] = ["Evicted", "Preempting"];

/// A Completed pod: as designed for a Job or any other batch controller; a leftover for a
/// long-running controller (ReplicaSet, StatefulSet, DaemonSet) or a bare pod. A node shutdown
/// leaves some pods Completed too: those are judged as shutdown leftovers.
pub(super) fn succeeded(case: &Case) -> Option<Finding> {
    if stopped_by_shutdown(case) {
        return Some(shutdown(case));
    }
    let kind = pod::controller_kind(case.pod);
    pod::is_long_running_owner(kind).then(|| {
        Finding::new(ProblemCode::LeftoverCompleted).with("owner_kind", kind.unwrap_or_default())
    })
}

/// A Failed pod, by what ended it: an eviction or other disruption, a node shutdown, the
/// kubelet's admission, or a container's exit code. A Job's pod whose Job went on to succeed
/// was a failed attempt, not a failure.
pub(super) fn failed(case: &Case) -> Option<Finding> {
    let finding = why_failed(case);
    let later = match case.context.job_outcome(case.pod, case.chain) {
        JobOutcome::Succeeded => "job",
        JobOutcome::LaterRunSucceeded => "cron_job",
        JobOutcome::NotSucceeded => return Some(finding),
    };
    let cause = finding.code.as_str();
    let mut attempt = Finding::new(ProblemCode::FailedAttempt)
        .with("cause", cause)
        .with("later_success", later);
    attempt.facts.extend(finding.facts);
    Some(attempt)
}

/// Whether the kubelet stopped the pod for a node shutdown: its `status.reason`, or a
/// `DisruptionTarget` by the kubelet that is no eviction.
fn stopped_by_shutdown(case: &Case) -> bool {
    let reason = pod::reason(case.pod);
    let by_kubelet =
        pod::disruption(case.pod).and_then(|d| d.reason()) == Some(TERMINATION_BY_KUBELET);
    reason.is_some_and(|r| SHUTDOWN_REASONS.contains(&r)) || (reason.is_none() && by_kubelet)
}

fn why_failed(case: &Case) -> Finding {
    let p = case.pod;
    let reason = pod::reason(p);
    let disruption = pod::disruption(p);
    let with_reason = |code| {
        Finding::new(code)
            .with_some("reason", reason)
            .with_some("message", pod::message(p))
    };
    if reason.is_some_and(|r| EVICTION_REASONS.contains(&r)) {
        return with_disruption(with_reason(ProblemCode::Evicted), case);
    }
    if stopped_by_shutdown(case) {
        return shutdown(case);
    }
    if disruption.is_some() {
        return with_disruption(with_reason(ProblemCode::Evicted), case);
    }
    match reason {
        // `activeDeadlineSeconds` ran out: a failure of the pod, explained by its message.
        Some("DeadlineExceeded") | None => match container_failure(case) {
            Some(f) => f
                .with_some("pod_reason", reason)
                .with_some("pod_message", pod::message(p)),
            None => with_reason(ProblemCode::Failed),
        },
        // Any other reason on a Failed pod is the kubelet refusing it at admission:
        // OutOfcpu, OutOfmemory, OutOfpods, NodeAffinity, UnexpectedAdmissionError...
        Some(_) => with_reason(ProblemCode::Rejected),
    }
}

/// The `DisruptionTarget` condition's reason and message, as evidence.
fn with_disruption(finding: Finding, case: &Case) -> Finding {
    let Some(d) = pod::disruption(case.pod) else {
        return finding;
    };
    let mut finding = finding.with_some("disruption", d.reason());
    // The condition explains the pod when `status.reason`/`message` do not.
    for (key, value) in [("reason", d.reason()), ("message", d.message())] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            finding
                .facts
                .entry(key)
                .or_insert_with(|| value.to_string());
        }
    }
    finding
        .facts
        .entry("reason")
        .or_insert_with(|| "DisruptionTarget".to_owned());
    finding
}

/// A pod stopped by a node shutdown: a leftover when a ready pod of its workload, created
/// after it, replaces it; else the workload lost it.
fn shutdown(case: &Case) -> Finding {
    let p = case.pod;
    let created = pod::created_at(p).unwrap_or_default();
    let ready = case.chain.last().map_or(0, |top| {
        case.context
            .ready_replacements(pod::namespace(p), top, created)
    });
    let code = if ready > 0 {
        ProblemCode::ShutdownLeftover
    } else {
        ProblemCode::NodeShutdown
    };
    let finding = Finding::new(code)
        .with_some("reason", pod::reason(p))
        .with_some("message", pod::message(p))
        .with_some("node", pod::node_name(p))
        .with("ready_replacements", ready.to_string());
    with_disruption(finding, case)
}

/// The first ordinary container (init or main) that ended with a non-zero exit code or a
/// signal. A native sidecar stopped by the kubelet after the main containers is not one.
fn container_failure(case: &Case) -> Option<Finding> {
    let failing = pod::containers(case.pod).find(|c| is_failure(c))?;
    Some(container_finding(&failing))
}

/// Whether a container's current state is a failed end.
pub(super) fn is_failure(c: &ContainerView) -> bool {
    let Some(t) = c.terminated() else {
        return false;
    };
    let failed = t.exit_code != 0 || t.signal.is_some_and(|s| s != 0);
    match c.role {
        Role::Sidecar => failed && !pod::is_stopped_by_kubelet(t),
        Role::Init | Role::Main => failed,
    }
}

/// The finding for a container that ended badly: OOMKilled, a failed init container, or a
/// failure with its exit code.
pub(super) fn container_finding(c: &ContainerView) -> Finding {
    let t = c.terminated();
    let reason = t
        .and_then(|t| t.reason.as_deref())
        .filter(|r| !r.is_empty());
    let code = match (reason, c.role) {
        (Some("OOMKilled"), _) => ProblemCode::OomKilled,
        (_, Role::Init) => ProblemCode::InitFailed,
        _ => ProblemCode::Failed,
    };
    let finding = Finding::new(code)
        .with("container", c.name())
        .with_some("exit_code", t.map(|t| t.exit_code.to_string()))
        .with_some("signal", t.and_then(|t| t.signal).map(|s| s.to_string()))
        .with_some("reason", reason)
        .with_some("container_message", t.and_then(|t| t.message.clone()));
    if code == ProblemCode::OomKilled {
        with_memory(finding, c)
    } else {
        finding
    }
}
