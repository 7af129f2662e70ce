//! Named facts of a pod, in one place: what the health rules, the evidence, the owners and the
//! statistics read. Small pure functions over the k8s-openapi `Pod`, in the manner of
//! kube-runtime's `conditions::is_pod_running`: absent lists and strings read as empty, as Go's
//! zero values do for the API server.

use crate::model::{
    Container, ContainerStateTerminated, ContainerStatus, OwnerReference, Pod, PodCondition,
};
use jiff::Timestamp;

/// Owner kinds whose pods are meant to run until replaced: a Completed pod of theirs is a
/// leftover. (`Node` owns the mirror pods of static pods.) Every other owner (Job, Argo
/// `Workflow`, Tekton `TaskRun`, a Spark application...) runs pods to completion by design.
pub const LONG_RUNNING_OWNERS: [&str; 5] = [
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "ReplicationController",
    "Node",
];

/// Words in the name or image of a container that runs beside the main one (a mesh proxy, a
/// secrets or log agent): what tells a sidecar that is not a native one from a second worker.
const SIDECAR_WORDS: [&str; 12] = [
    "proxy",
    "sidecar",
    "envoy",
    "istio",
    "linkerd",
    "cloud-sql",
    "cloudsql",
    "vault-agent",
    "consul",
    "fluent",
    "otel",
    "agent",
];

pub fn namespace(pod: &Pod) -> &str {
    pod.metadata.namespace.as_deref().unwrap_or_default()
}

pub fn name(pod: &Pod) -> &str {
    pod.metadata.name.as_deref().unwrap_or_default()
}

/// `status.phase`: `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`, or empty.
pub fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

/// Whether the pod ran to its end: `Succeeded` or `Failed`. Its containers will not restart.
pub fn is_finished(pod: &Pod) -> bool {
    matches!(phase(pod), "Succeeded" | "Failed")
}

/// `status.reason` (Evicted, NodeLost, OutOfcpu, Terminated...), when not empty.
pub fn reason(pod: &Pod) -> Option<&str> {
    non_empty(pod.status.as_ref().and_then(|s| s.reason.as_deref()))
}

/// `status.message`, the human-readable reason, when not empty.
pub fn message(pod: &Pod) -> Option<&str> {
    non_empty(pod.status.as_ref().and_then(|s| s.message.as_deref()))
}

pub fn conditions(pod: &Pod) -> &[PodCondition] {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default()
}

/// The first condition of a type (the printer and the kubelet read the first one).
pub fn condition<'a>(pod: &'a Pod, type_: &str) -> Option<&'a PodCondition> {
    conditions(pod).iter().find(|c| c.type_ == type_)
}

/// The pod's `Ready` condition is True: it receives traffic.
pub fn is_ready(pod: &Pod) -> bool {
    condition(pod, "Ready").is_some_and(|c| c.status == "True")
}

/// When a condition that is not True last changed, e.g. since when the pod is not Ready.
pub fn not_true_since(pod: &Pod, type_: &str) -> Option<Timestamp> {
    condition(pod, type_)
        .filter(|c| c.status != "True")
        .and_then(|c| c.last_transition_time.as_ref())
        .map(|t| t.0)
}

/// A True `DisruptionTarget` condition: the pod is (or was) being disrupted, and why
/// (`PreemptionByScheduler`, `EvictionByEvictionAPI`, `DeletionByTaintManager`,
/// `DeletionByPodGC`, `TerminationByKubelet`).
pub fn disruption(pod: &Pod) -> Option<&PodCondition> {
    condition(pod, "DisruptionTarget").filter(|c| c.status == "True")
}

/// The readiness gates whose condition is missing or not True, in spec order.
pub fn failing_readiness_gates(pod: &Pod) -> Vec<&str> {
    let gates = pod
        .spec
        .as_ref()
        .and_then(|s| s.readiness_gates.as_deref())
        .unwrap_or_default();
    gates
        .iter()
        .map(|g| g.condition_type.as_str())
        .filter(|t| condition(pod, t).is_none_or(|c| c.status != "True"))
        .collect()
}

/// The scheduler's reason when it could not place the pod.
pub fn unschedulable_message(pod: &Pod) -> Option<String> {
    let condition = condition(pod, "PodScheduled").filter(|c| c.status == "False")?;
    condition
        .message()
        .or(condition.reason())
        .map(str::to_owned)
}

pub fn created_at(pod: &Pod) -> Option<Timestamp> {
    pod.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// When the deletion was asked for: `deletionTimestamp` is that moment plus the grace period
/// (the time by which the kubelet should have stopped the pod). Never before the pod was
/// created, whatever grace period a dump claims.
pub fn deletion_requested_at(pod: &Pod) -> Option<Timestamp> {
    let deadline = deletion_deadline(pod)?;
    let grace = pod.metadata.deletion_grace_period_seconds.unwrap_or(0);
    let grace = jiff::SignedDuration::from_secs(grace.max(0));
    let requested = deadline.checked_sub(grace).unwrap_or(Timestamp::MIN);
    Some(created_at(pod).map_or(requested, |created| requested.max(created).min(deadline)))
}

/// `deletionTimestamp`: by when the pod should be gone, its own grace period included.
pub fn deletion_deadline(pod: &Pod) -> Option<Timestamp> {
    pod.metadata.deletion_timestamp.as_ref().map(|t| t.0)
}

pub fn finalizers(pod: &Pod) -> &[crate::model::Str] {
    pod.metadata.finalizers.as_deref().unwrap_or_default()
}

/// `spec.nodeName`, when the pod is bound to a node.
pub fn node_name(pod: &Pod) -> Option<&str> {
    non_empty(pod.spec.as_ref().and_then(|s| s.node_name.as_deref()))
}

/// The controlling owner reference, else the first one.
pub fn controller(pod: &Pod) -> Option<&OwnerReference> {
    let owners = pod.metadata.owner_references.as_deref()?;
    owners
        .iter()
        .find(|o| o.controller == Some(true))
        .or_else(|| owners.first())
}

/// The kind of the pod's controlling owner (`ReplicaSet`, `Job`, ...), if any.
pub fn controller_kind(pod: &Pod) -> Option<&str> {
    controller(pod).map(|o| o.kind.as_str())
}

/// A Completed pod of this owner kind (or of no owner) is a leftover, not a finished task.
pub fn is_long_running_owner(kind: Option<&str>) -> bool {
    kind.is_none_or(|k| LONG_RUNNING_OWNERS.contains(&k))
}

/// `spec.restartPolicy`; `Always` when unset, the API's default.
pub fn restart_policy(pod: &Pod) -> &str {
    non_empty(pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref())).unwrap_or("Always")
}

/// A pod meant to run to completion (`restartPolicy` Never or OnFailure: a Job's, a workflow
/// step's, a bare task), as opposed to one meant to keep running.
pub fn runs_to_completion(pod: &Pod) -> bool {
    restart_policy(pod) != "Always"
}

/// Which part of the pod a container is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An ordinary init container: runs to completion before the others start.
    Init,
    /// A native sidecar: an init container with `restartPolicy: Always`, running beside the
    /// main containers.
    Sidecar,
    /// A container of `spec.containers`.
    Main,
}

/// One container's status with its spec and role.
#[derive(Debug, Clone, Copy)]
pub struct ContainerView<'a> {
    pub role: Role,
    pub status: &'a ContainerStatus,
    /// The spec of the same name, when the pod has one.
    pub spec: Option<&'a Container>,
}

impl<'a> ContainerView<'a> {
    pub fn name(&self) -> &'a str {
        &self.status.name
    }

    /// Init containers and sidecars, as opposed to `spec.containers`.
    pub fn is_init(&self) -> bool {
        self.role != Role::Main
    }

    /// The reason of a waiting state, when there is a non-empty one.
    pub fn waiting_reason(&self) -> Option<&'a str> {
        let state = self.status.state.as_ref()?;
        non_empty(state.waiting.as_ref()?.reason.as_deref())
    }

    pub fn terminated(&self) -> Option<&'a ContainerStateTerminated> {
        self.status.state.as_ref()?.terminated.as_deref()
    }

    pub fn is_running(&self) -> bool {
        self.status
            .state
            .as_ref()
            .is_some_and(|s| s.running.is_some())
    }

    /// How the previous instance ended, when the container restarted.
    pub fn last_terminated(&self) -> Option<&'a ContainerStateTerminated> {
        self.status.last_state.as_ref()?.terminated.as_deref()
    }

    /// Whether the container looks like one that runs beside the main one (a mesh proxy, an
    /// agent), by its name or image.
    pub fn looks_like_sidecar(&self) -> bool {
        let image = self
            .spec
            .and_then(|s| s.image.as_deref())
            .unwrap_or_default();
        let (name, image) = (self.name().to_lowercase(), image.to_lowercase());
        SIDECAR_WORDS
            .iter()
            .any(|w| name.contains(w) || image.contains(w))
    }

    /// Whether the container has a previous instance (`kubectl logs --previous` has one).
    pub fn restarted(&self) -> bool {
        self.status.restart_count > 0 || self.last_terminated().is_some()
    }

    /// A resource of the container's spec: `("limits", "memory")` → `512Mi`.
    pub fn resource(&self, which: &str, resource: &str) -> Option<&'a str> {
        let resources = self.spec?.resources.as_ref()?;
        let map = match which {
            "limits" => resources.limits.as_ref(),
            _ => resources.requests.as_ref(),
        }?;
        map.get(resource).map(|q| q.0.as_ref())
    }
}

/// Every container with a status: init containers and sidecars first, then the main ones.
pub fn containers(pod: &Pod) -> impl Iterator<Item = ContainerView<'_>> {
    let spec = pod.spec.as_ref();
    let init_specs = spec
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or_default();
    let main_specs: &[Container] = spec.map(|s| &s.containers[..]).unwrap_or_default();
    let (init, main) = init_and_main_statuses(pod);
    let init = init.iter().map(move |status| {
        let spec = init_specs.iter().rev().find(|c| c.name == status.name);
        let sidecar = spec.and_then(|c| c.restart_policy.as_deref()) == Some("Always");
        ContainerView {
            role: if sidecar { Role::Sidecar } else { Role::Init },
            status,
            spec,
        }
    });
    let main = main.iter().map(move |status| ContainerView {
        role: Role::Main,
        status,
        spec: main_specs.iter().find(|c| c.name == status.name),
    });
    init.chain(main)
}

/// The init containers' statuses and the main containers', each empty when absent.
pub fn init_and_main_statuses(pod: &Pod) -> (&[ContainerStatus], &[ContainerStatus]) {
    let status = pod.status.as_ref();
    let init = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or_default();
    let main = status
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    (init, main)
}

/// Exit codes of a process stopped by SIGTERM (143) or SIGKILL (137): how a sidecar ends when
/// the kubelet stops it after the main containers are done.
pub fn is_stopped_by_kubelet(t: &ContainerStateTerminated) -> bool {
    matches!(t.exit_code, 0 | 137 | 143) || matches!(t.signal, Some(9 | 15))
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}
