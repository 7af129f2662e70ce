//! The pod cells of `kubectl get pods -o wide`, computed exactly as the API server computes them.
//!
//! `kubectl` does not compute these cells: it asks the kube-apiserver for a `Table`, and the
//! server fills it with `printPod` (`pkg/printers/internalversion/printers.go`, the version with
//! sidecar containers and the `SchedulingGated` status, Kubernetes 1.29 and later). kube-patrol
//! must also work from a dump file with no server, so this module is a faithful port of that
//! function; operators then see in the report the very cells they know from their terminal.
//!
//! The function changed twice since 1.29, and STATUS depends on the server that prints it
//! ([`KubernetesVersion`]): from 1.31 a finished pod being deleted keeps its status instead of
//! `Terminating` (kubernetes/kubernetes#122038); from 1.35 a container that exited non-zero
//! wins over a sibling's `Completed` (kubernetes/kubernetes#124766).
//!
//! Why port the printer rather than ask a live server for its Table: one code path for live
//! runs and dumps (which have no server), cells measured against the report's `--now` like
//! every other age in it, and no second, larger payload per LIST page. The server's version
//! picks the rules, and tests compare every cell with two real servers (1.34 and 1.37).
//!
//! The server prints the *internal* form of a pod, converted from v1. The one conversion that
//! changes a cell is the pod IP: `status.podIP`, when set, wins over `status.podIPs[0]`.
//!
//! Everything here is pure: no I/O, no clock (the caller passes `now`), and no panics on
//! whatever a cluster or a dump file holds.

use crate::model::Str;
use crate::model::{
    Container, ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition,
};
use jiff::Timestamp;

use super::duration::{GO_ZERO_TIME, age, since};

/// What the printer shows for an empty wide cell.
const NONE: &str = "<none>";

/// The Kubernetes release whose `printPod` rules to follow (the API server's version for a
/// live cluster). Releases before 1.29 are printed with 1.29's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubernetesVersion {
    pub major: u32,
    pub minor: u32,
}

impl KubernetesVersion {
    /// The newest rules kube-patrol knows: those of 1.35 and later (1.37 is the newest
    /// release checked).
    pub const NEWEST: KubernetesVersion = KubernetesVersion {
        major: 1,
        minor: 37,
    };

    /// Reads `v1.34.4`, `1.34`, `1.29+`, or a distribution's `v1.30.2-eks-a1b2c3` and
    /// `v1.31.0+k3s1`; `None` for anything without a major and a minor.
    pub fn parse(text: &str) -> Option<KubernetesVersion> {
        let text = text.trim().trim_start_matches('v');
        let mut parts = text.split('.');
        let number = |part: Option<&str>| -> Option<u32> {
            let digits: String = part?.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        let major = number(parts.next())?;
        let minor = number(parts.next())?;
        Some(KubernetesVersion { major, minor })
    }

    fn at_least(self, minor: u32) -> bool {
        self.major > 1 || (self.major == 1 && self.minor >= minor)
    }

    /// 1.31+: a Succeeded or Failed pod being deleted keeps its status, not `Terminating`.
    fn finished_pods_keep_status(self) -> bool {
        self.at_least(31)
    }

    /// 1.35+: a container that exited non-zero shows instead of a sibling's `Completed`.
    fn failed_container_wins(self) -> bool {
        self.at_least(35)
    }
}

impl Default for KubernetesVersion {
    fn default() -> Self {
        KubernetesVersion::NEWEST
    }
}

impl std::fmt::Display for KubernetesVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The cells of `kubectl get pods -o wide` for one pod, exactly as the API server prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodColumns {
    pub name: Str,
    pub ready: Str,
    pub status: Str,
    pub restarts: Str,
    pub age: Str,
    pub ip: Str,
    pub node: Str,
    pub nominated_node: Str,
    pub readiness_gates: Str,
    /// The restart sum shown in RESTARTS, as a number.
    pub restart_count: i64,
    /// READY as numbers.
    pub ready_containers: i64,
    pub total_containers: i64,
    /// When the last restart that RESTARTS counts happened, if known.
    pub last_restart: Option<jiff::Timestamp>,
}

/// Computes the cells of one pod as the newest API server's `printPod` does, with `now` as the
/// time that AGE and the "(… ago)" of RESTARTS are measured from.
pub fn pod_columns(pod: &Pod, now: Timestamp) -> PodColumns {
    pod_columns_as(pod, now, KubernetesVersion::NEWEST)
}

/// Computes the cells of one pod as the API server of `version` prints them.
pub fn pod_columns_as(pod: &Pod, now: Timestamp, version: KubernetesVersion) -> PodColumns {
    let view = PodView::of(pod);
    let mut status = base_status(&view);
    let init = walk_init_containers(&view);
    if let Some(reason) = init.reason {
        status = reason;
    }
    let mut ready = init.ready;
    let mut restarts = init.all;
    // Containers count once initialization is over. A sidecar that stops after the pod was
    // initialized (it crashed, or was killed as the pod ended) halts the init walk again, so
    // a True Initialized condition lets the containers count all the same.
    if !init.initializing || first_condition_is_true(view.conditions, "Initialized") {
        let main = walk_containers(view.statuses, init.sidecars);
        if let Some(reason) = main.reason {
            status = reason;
        }
        ready += main.ready;
        restarts = main.restarts;
        let error = main.error.filter(|_| version.failed_container_wins());
        status = settle_completed(status, main.running, error, view.conditions);
    }
    let status = deletion_status(&view, status, version);
    let total = total_containers(&view);
    PodColumns {
        name: pod.metadata.name.clone().unwrap_or_default(),
        ready: compact_str::format_compact!("{ready}/{total}"),
        status: status.into(),
        restarts: restarts_cell(&restarts, now).into(),
        age: age(pod.metadata.creation_timestamp.as_ref(), now).into(),
        ip: pod_ip(pod).into(),
        node: or_none(view.node_name).into(),
        nominated_node: or_none(view.nominated_node_name).into(),
        readiness_gates: readiness_gates(pod, view.conditions).into(),
        restart_count: restarts.count,
        ready_containers: ready,
        total_containers: total,
        last_restart: restarts.last_known(),
    }
}

/// The parts of a pod the printer reads, with absent lists and strings as empty ones — Go's
/// zero values, which is what the printer sees for fields missing from the JSON.
struct PodView<'a> {
    phase: &'a str,
    reason: &'a str,
    conditions: &'a [PodCondition],
    init_specs: &'a [Container],
    container_count: usize,
    init_statuses: &'a [ContainerStatus],
    statuses: &'a [ContainerStatus],
    node_name: &'a str,
    nominated_node_name: &'a str,
    deleting: bool,
}

impl<'a> PodView<'a> {
    fn of(pod: &'a Pod) -> Self {
        let spec = pod.spec.as_ref();
        let status = pod.status.as_ref();
        PodView {
            phase: status.and_then(|s| s.phase.as_deref()).unwrap_or_default(),
            reason: status.and_then(|s| s.reason.as_deref()).unwrap_or_default(),
            conditions: status
                .and_then(|s| s.conditions.as_deref())
                .unwrap_or_default(),
            init_specs: spec
                .and_then(|s| s.init_containers.as_deref())
                .unwrap_or_default(),
            container_count: spec.map_or(0, |s| s.containers.len()),
            init_statuses: status
                .and_then(|s| s.init_container_statuses.as_deref())
                .unwrap_or_default(),
            statuses: status
                .and_then(|s| s.container_statuses.as_deref())
                .unwrap_or_default(),
            node_name: spec
                .and_then(|s| s.node_name.as_deref())
                .unwrap_or_default(),
            nominated_node_name: status
                .and_then(|s| s.nominated_node_name.as_deref())
                .unwrap_or_default(),
            deleting: pod.metadata.deletion_timestamp.is_some(),
        }
    }
}

/// A restart sum and the latest `lastState.terminated.finishedAt` seen with it.
///
/// The latest time starts at Go's zero time and only moves forward, as `lastRestartDate` does
/// in `printPod`; it stays "unknown" when no finished time is later than that.
#[derive(Debug, Clone, Copy)]
struct Restarts {
    count: i64,
    last: Timestamp,
}

impl Restarts {
    const NONE: Restarts = Restarts {
        count: 0,
        last: GO_ZERO_TIME,
    };

    fn add(&mut self, status: &ContainerStatus) {
        self.count += i64::from(status.restart_count);
        let finished = status
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref());
        if let Some(finished) = finished
            && self.last < finished.0
        {
            self.last = finished.0;
        }
    }

    fn last_known(&self) -> Option<Timestamp> {
        (self.last != GO_ZERO_TIME).then_some(self.last)
    }
}

/// STATUS before any container is looked at: the phase, or the pod's reason (Evicted,
/// NodeLost, …) when it has one, or `SchedulingGated` while scheduling gates hold the pod back.
fn base_status(view: &PodView<'_>) -> String {
    let mut status = if view.reason.is_empty() {
        view.phase
    } else {
        view.reason
    };
    let gated = view
        .conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason() == Some("SchedulingGated"));
    if gated {
        status = "SchedulingGated";
    }
    status.to_owned()
}

/// What the walk over the init container statuses found.
struct InitWalk {
    /// The `Init:…` status of the init container that holds the pod back, if one does.
    reason: Option<String>,
    initializing: bool,
    /// Started sidecars that are ready.
    ready: i64,
    /// The restarts of every init container visited.
    all: Restarts,
    /// The restarts of the sidecars visited: the only init restarts still shown once the pod
    /// is initialized, since sidecars keep running beside the containers.
    sidecars: Restarts,
}

/// Walks `status.initContainerStatuses` in order, up to the first one that is neither done
/// (exit code 0) nor a started sidecar: that one gives the `Init:…` status.
fn walk_init_containers(view: &PodView<'_>) -> InitWalk {
    let mut walk = InitWalk {
        reason: None,
        initializing: false,
        ready: 0,
        all: Restarts::NONE,
        sidecars: Restarts::NONE,
    };
    for (index, status) in view.init_statuses.iter().enumerate() {
        let sidecar = is_restartable(init_spec(view.init_specs, &status.name));
        walk.all.add(status);
        if sidecar {
            walk.sidecars.add(status);
        }
        let state = status.state.as_deref();
        if terminated(state).is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if sidecar && status.started == Some(true) {
            if status.ready {
                walk.ready += 1;
            }
            continue;
        }
        walk.reason = Some(init_blocker(index, view.init_specs.len(), state));
        walk.initializing = true;
        break;
    }
    walk
}

/// The `Init:…` status of the init container at `index` that is not done yet.
fn init_blocker(index: usize, init_count: usize, state: Option<&ContainerState>) -> String {
    if let Some(terminated) = terminated(state) {
        return format!("Init:{}", terminated_reason(terminated));
    }
    match waiting_reason(state) {
        // PodInitializing only says the container has not started: show the progress instead.
        Some(reason) if reason != "PodInitializing" => format!("Init:{reason}"),
        _ => format!("Init:{index}/{init_count}"),
    }
}

/// What the walk over the container statuses found.
struct ContainerWalk {
    /// The reason of the first container (in spec order) that is waiting or terminated.
    reason: Option<String>,
    /// The reason of the first container that terminated with a non-zero exit code.
    error: Option<String>,
    /// Containers that are ready and running.
    ready: i64,
    running: bool,
    restarts: Restarts,
}

/// Walks `status.containerStatuses` in reverse, so that the first container with a reason
/// wins, starting the restart sum from the sidecars' restarts.
fn walk_containers(statuses: &[ContainerStatus], sidecars: Restarts) -> ContainerWalk {
    let mut walk = ContainerWalk {
        reason: None,
        error: None,
        ready: 0,
        running: false,
        restarts: sidecars,
    };
    for status in statuses.iter().rev() {
        walk.restarts.add(status);
        let state = status.state.as_deref();
        if let Some(reason) = waiting_reason(state) {
            walk.reason = Some(reason.to_owned());
        } else if let Some(terminated) = terminated(state) {
            let reason = terminated_reason(terminated);
            if terminated.exit_code != 0 {
                walk.error = Some(reason.clone());
            }
            walk.reason = Some(reason);
        } else if status.ready && state.is_some_and(|s| s.running.is_some()) {
            walk.running = true;
            walk.ready += 1;
        }
    }
    walk
}

/// A pod whose status reads `Completed` is not complete when a container still runs: it is
/// `Running` if the pod is Ready; else (1.35+) the reason of a container that failed, if one
/// did (`error`, `None` before 1.35); else `NotReady`.
fn settle_completed(
    status: String,
    running: bool,
    error: Option<String>,
    conditions: &[PodCondition],
) -> String {
    if status != "Completed" {
        return status;
    }
    let pod_ready = conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    match error {
        _ if running && pod_ready => "Running".to_owned(),
        Some(error) => error,
        None if running => "NotReady".to_owned(),
        None => status,
    }
}

/// A pod being deleted shows `Unknown` when its node is lost (the kubelet cannot confirm the
/// deletion), else `Terminating` — from 1.31 on, unless it had already finished (Succeeded or
/// Failed).
fn deletion_status(view: &PodView<'_>, status: String, version: KubernetesVersion) -> String {
    let finished = view.phase == "Succeeded" || view.phase == "Failed";
    if !view.deleting {
        status
    } else if view.reason == "NodeLost" {
        "Unknown".to_owned()
    } else if finished && version.finished_pods_keep_status() {
        status
    } else {
        "Terminating".to_owned()
    }
}

/// The denominator of READY: the containers plus the sidecars, which run alongside them.
fn total_containers(view: &PodView<'_>) -> i64 {
    let sidecars = view
        .init_specs
        .iter()
        .filter(|c| is_restartable(Some(c)))
        .count();
    i64::try_from(view.container_count.saturating_add(sidecars)).unwrap_or(i64::MAX)
}

/// RESTARTS: the sum, followed by how long ago the last counted restart was when known.
fn restarts_cell(restarts: &Restarts, now: Timestamp) -> String {
    match restarts.last_known() {
        Some(last) if restarts.count != 0 => {
            format!("{} ({} ago)", restarts.count, since(last, now))
        }
        _ => restarts.count.to_string(),
    }
}

/// IP: the first IP of the internal pod. The v1→internal conversion puts `status.podIP`
/// first whenever it is set (older clients that patch only `podIP` must win), so `podIPs[0]`
/// only counts when `podIP` is empty.
fn pod_ip(pod: &Pod) -> String {
    let status = pod.status.as_ref();
    let pod_ip = status.and_then(|s| s.pod_ip.as_deref()).unwrap_or_default();
    let first_of_list = status
        .and_then(|s| s.pod_ips.as_deref())
        .and_then(|ips| ips.first())
        .map(|ip| ip.ip.as_str())
        .unwrap_or_default();
    or_none(if pod_ip.is_empty() {
        first_of_list
    } else {
        pod_ip
    })
}

/// READINESS GATES: `<none>`, or how many gates have a True condition out of all gates. Each
/// gate is judged by the first condition of its type, as the printer stops at it.
fn readiness_gates(pod: &Pod, conditions: &[PodCondition]) -> String {
    let gates = pod
        .spec
        .as_ref()
        .and_then(|s| s.readiness_gates.as_deref())
        .unwrap_or_default();
    if gates.is_empty() {
        return NONE.to_owned();
    }
    let passed = gates
        .iter()
        .filter(|gate| first_condition_is_true(conditions, &gate.condition_type))
        .count();
    format!("{passed}/{}", gates.len())
}

/// Whether the first condition of `type_` is True; false when there is none.
fn first_condition_is_true(conditions: &[PodCondition], type_: &str) -> bool {
    conditions
        .iter()
        .find(|c| c.type_ == type_)
        .is_some_and(|c| c.status == "True")
}

/// The spec of the init container a status belongs to. The printer indexes the specs in a map
/// by name, so with (invalid) duplicate names the last one wins.
fn init_spec<'a>(specs: &'a [Container], name: &str) -> Option<&'a Container> {
    specs.iter().rev().find(|c| c.name == name)
}

/// A sidecar: an init container with `restartPolicy: Always`. A status with no matching spec
/// is not one.
fn is_restartable(spec: Option<&Container>) -> bool {
    spec.and_then(|c| c.restart_policy.as_deref()) == Some("Always")
}

fn terminated(state: Option<&ContainerState>) -> Option<&ContainerStateTerminated> {
    state.and_then(|s| s.terminated.as_deref())
}

/// The reason of a waiting state, when there is a non-empty one.
fn waiting_reason(state: Option<&ContainerState>) -> Option<&str> {
    state
        .and_then(|s| s.waiting.as_ref())
        .and_then(|w| w.reason.as_deref())
        .filter(|reason| !reason.is_empty())
}

/// A terminated state as a status: its reason, else `Signal:<n>`, else `ExitCode:<n>`.
fn terminated_reason(terminated: &ContainerStateTerminated) -> String {
    match (terminated.reason.as_deref(), terminated.signal) {
        (Some(reason), _) if !reason.is_empty() => reason.to_owned(),
        (_, Some(signal)) if signal != 0 => format!("Signal:{signal}"),
        _ => format!("ExitCode:{}", terminated.exit_code),
    }
}

fn or_none(value: &str) -> String {
    if value.is_empty() { NONE } else { value }.to_owned()
}

#[cfg(test)]
mod tests;
