//! Rules for pods that have not ended (phase `Pending`, `Running` or `Unknown`): a node that
//! stopped reporting, a container that cannot start or keeps crashing, a Job held open by a
//! sidecar, a pod slow to start, or one not Ready.

use jiff::Timestamp;

use super::finished::{container_finding, is_failure};
use super::{Case, Finding, Rules, node_finding, node_view};
use crate::analyze::context::NodeState;
use crate::analyze::duration::human_duration;
use crate::analyze::pod::{self, ContainerView, Role};
use crate::report::ProblemCode;

/// Waiting reasons of an image that cannot be pulled (the kubelet's `images` errors).
const IMAGE_PULL: [&str; 7] = [
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "ErrImageNeverPull",
    "ImageInspectError",
    "RegistryUnavailable",
    "SignatureValidationFailed",
];

/// Waiting reasons of a container the runtime cannot create or start.
const CONTAINER_CREATE: [&str; 7] = [
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "PreCreateHookError",
    "PreStartHookError",
    "PostStartHookError",
    "VerifyNonRootError",
];

pub(super) fn active(case: &Case, now: Timestamp, rules: &Rules) -> Option<Finding> {
    let p = case.pod;
    if pod::phase(p) == "Unknown" || pod::reason(p) == Some("NodeLost") {
        return Some(node_finding(case, ProblemCode::NodeLost, node_view(case)));
    }
    container_problem(case)
        .or_else(|| node_trouble(case, now, rules))
        .or_else(|| sidecar_blocks_job(case, now, rules))
        .or_else(|| starting(case, now, rules))
        .or_else(|| not_ready(case, now, rules))
}

/// A pod not Ready, with nothing wrong in its containers, on a node that is NotReady,
/// unreachable or gone: the node is the problem. (A container problem comes first: it is what
/// the kubelet last said; the node's state is then evidence.)
fn node_trouble(case: &Case, now: Timestamp, rules: &Rules) -> Option<Finding> {
    let node = node_view(case)?;
    let code = match node.state {
        NodeState::Ready => return None,
        NodeState::NotReady(_) => ProblemCode::NodeNotReady,
        NodeState::Unreachable(_) | NodeState::Gone => ProblemCode::NodeLost,
    };
    if pod::is_ready(case.pod) {
        return None;
    }
    let node_since = match node.state {
        NodeState::NotReady(t) | NodeState::Unreachable(t) => t.since,
        NodeState::Ready | NodeState::Gone => None,
    };
    let since = pod::not_true_since(case.pod, "Ready")
        .or(node_since)
        .or_else(|| pod::created_at(case.pod));
    let past_grace = since.is_none_or(|t| now.duration_since(t) > rules.not_ready_grace);
    let code = if past_grace {
        code
    } else {
        ProblemCode::NotReady
    };
    Some(
        node_finding(case, code, Some(node))
            .with("ready", case.cols.ready.clone())
            .with("grace", human_duration(rules.not_ready_grace)),
    )
}

/// The first container (init containers first) that cannot start or keeps failing. A main
/// container that failed and will be restarted (`restartPolicy` Always or OnFailure; a native
/// sidecar always) is crash-looping, first crash included: kubectl shows Error for a moment,
/// then CrashLoopBackOff.
fn container_problem(case: &Case) -> Option<Finding> {
    let restarts_containers = pod::restart_policy(case.pod) != "Never";
    let found = pod::containers(case.pod).find_map(|c| {
        if let Some(reason) = c.waiting_reason() {
            return waiting_problem(&c, reason);
        }
        is_failure(&c).then(|| {
            let finding = container_finding(&c);
            let restarting =
                c.role == Role::Sidecar || (c.role == Role::Main && restarts_containers);
            if restarting && finding.code == ProblemCode::Failed {
                let mut crash = Finding::new(ProblemCode::CrashLoop);
                crash.facts = finding.facts;
                crash
            } else {
                finding
            }
        })
    })?;
    // In a pod meant to end, a container left running keeps it from ending: name it.
    Some(
        match still_running(case).filter(|_| pod::runs_to_completion(case.pod)) {
            Some(names) => found.with("still_running", names),
            None => found,
        },
    )
}

fn waiting_problem(c: &ContainerView, reason: &str) -> Option<Finding> {
    let code = if reason == "CrashLoopBackOff" {
        if c.role == Role::Init {
            ProblemCode::InitFailed
        } else {
            ProblemCode::CrashLoop
        }
    } else if IMAGE_PULL.contains(&reason) {
        ProblemCode::ImagePull
    } else if CONTAINER_CREATE.contains(&reason) {
        ProblemCode::ContainerCreate
    } else {
        return None;
    };
    let message = c
        .status
        .state
        .as_ref()
        .and_then(|s| s.waiting.as_ref())
        .and_then(|w| w.message.clone());
    let last = c.last_terminated();
    Some(
        Finding::new(code)
            .with("container", c.name())
            .with("reason", reason)
            .with_some("message", message.filter(|m| !m.is_empty()))
            .with_some("last_exit_code", last.map(|t| t.exit_code.to_string()))
            .with_some(
                "last_reason",
                last.and_then(|t| t.reason.clone())
                    .filter(|r| !r.is_empty()),
            ),
    )
}

/// The main containers still running beside one that ended, comma-separated.
fn still_running(case: &Case) -> Option<String> {
    let main = || pod::containers(case.pod).filter(|c| c.role == Role::Main);
    let ended = main().any(|c| c.terminated().is_some());
    let running: Vec<&str> = main()
        .filter(|c| c.is_running())
        .map(|c| c.name())
        .collect();
    (ended && !running.is_empty()).then(|| running.join(", "))
}

/// A pod meant to end (a Job's, a workflow step's) whose main container completed while the
/// only ones still running are sidecars that are not native ones (a mesh proxy, an agent, by
/// name or image): the pod never ends, so the Job never completes. Past the grace period after
/// the last container completed. A second worker still running is work in progress.
fn sidecar_blocks_job(case: &Case, now: Timestamp, rules: &Rules) -> Option<Finding> {
    if !pod::runs_to_completion(case.pod) || pod::phase(case.pod) != "Running" {
        return None;
    }
    let main: Vec<ContainerView> = pod::containers(case.pod)
        .filter(|c| c.role == Role::Main)
        .collect();
    let completed: Vec<&ContainerView> = main
        .iter()
        .filter(|c| c.terminated().is_some_and(|t| t.exit_code == 0))
        .collect();
    let running: Vec<&ContainerView> = main.iter().filter(|c| c.is_running()).collect();
    if completed.is_empty() || running.is_empty() || !running.iter().all(|c| c.looks_like_sidecar())
    {
        return None;
    }
    let running: Vec<&str> = running.iter().map(|c| c.name()).collect();
    let finished = completed
        .iter()
        .filter_map(|c| c.terminated()?.finished_at.as_ref().map(|t| t.0))
        .max();
    if finished.is_some_and(|t| now.duration_since(t) <= rules.not_ready_grace) {
        return None;
    }
    let names: Vec<&str> = completed.iter().map(|c| c.name()).collect();
    Some(
        Finding::new(ProblemCode::SidecarBlocksJob)
            .with("container", names.join(", "))
            .with("still_running", running.join(", "))
            .with("grace", human_duration(rules.not_ready_grace))
            .with_some("since", finished.map(|t| t.to_string())),
    )
}

/// A pod on its way up (Pending: unscheduled, gated, pulling, creating, initializing): fine
/// for a while, a problem past the grace period since its creation.
fn starting(case: &Case, now: Timestamp, rules: &Rules) -> Option<Finding> {
    if !matches!(pod::phase(case.pod), "Pending" | "") {
        return None;
    }
    let waited = pod::created_at(case.pod).map(|t| now.duration_since(t));
    // A gate is held on purpose (a queue such as Kueue admits the pod when there is room):
    // waiting at a gate is not failing to start.
    let gated = pod::condition(case.pod, "PodScheduled")
        .is_some_and(|c| c.reason() == Some("SchedulingGated"));
    let code = if !gated && waited.is_some_and(|w| w > rules.pending_grace) {
        ProblemCode::PendingTooLong
    } else {
        ProblemCode::Starting
    };
    let waiting = pod::containers(case.pod).find_map(|c| {
        let w = c.status.state.as_ref()?.waiting.as_ref()?;
        Some((c.name(), w.reason.clone(), w.message.clone()))
    });
    Some(
        Finding::new(code)
            .with("grace", human_duration(rules.pending_grace))
            .with_some("scheduler", pod::unschedulable_message(case.pod))
            .with_some("container", waiting.as_ref().map(|w| w.0))
            .with_some("waiting_reason", waiting.as_ref().and_then(|w| w.1.clone()))
            .with_some(
                "message",
                waiting.and_then(|w| w.2).filter(|m| !m.is_empty()),
            ),
    )
}

/// A running pod that is not Ready (its `Ready` condition, or its containers' readiness):
/// fine briefly (starting, a probe flapping), a problem past the grace period. The evidence
/// names the readiness gates that fail and the containers that are not ready.
fn not_ready(case: &Case, now: Timestamp, rules: &Rules) -> Option<Finding> {
    let p = case.pod;
    let containers_ready = case.cols.ready_containers >= case.cols.total_containers;
    let has_ready_condition = pod::condition(p, "Ready").is_some();
    if (pod::is_ready(p) || !has_ready_condition) && containers_ready {
        return None;
    }
    // A pod meant to end serves no traffic: not Ready while its containers work through (one
    // completed, another running) is how it runs, unless a readiness gate says otherwise.
    if pod::runs_to_completion(p) && pod::failing_readiness_gates(p).is_empty() {
        return None;
    }
    let since = not_ready_since(case);
    let waited = since.map(|t| now.duration_since(t));
    let code = if waited.is_some_and(|w| w > rules.not_ready_grace) {
        ProblemCode::NotReadyTooLong
    } else {
        ProblemCode::NotReady
    };
    let gates = pod::failing_readiness_gates(p).join(", ");
    let unready: Vec<&str> = pod::containers(p)
        .filter(|c| c.role != Role::Init && !c.status.ready)
        .map(|c| c.name())
        .collect();
    let condition = pod::condition(p, "Ready").filter(|c| c.status != "True");
    Some(
        Finding::new(code)
            .with("ready", case.cols.ready.clone())
            .with("grace", human_duration(rules.not_ready_grace))
            .with_some("since", since.map(|t| t.to_string()))
            .with_some("since_ago", waited.map(human_duration))
            .with_some("gates", (!gates.is_empty()).then_some(gates))
            .with_some(
                "containers",
                (!unready.is_empty()).then(|| unready.join(", ")),
            )
            .with_some("ready_reason", condition.and_then(|c| c.reason()))
            .with_some("ready_message", condition.and_then(|c| c.message())),
    )
}

/// Since when the pod is not Ready: its `Ready` condition's last change, else its
/// `ContainersReady` condition's, else its creation.
fn not_ready_since(case: &Case) -> Option<Timestamp> {
    let p = case.pod;
    pod::not_true_since(p, "Ready")
        .or_else(|| pod::not_true_since(p, "ContainersReady"))
        .or_else(|| pod::created_at(p))
}
