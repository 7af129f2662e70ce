//! A pod, compact: exactly the facts the columns, health rules, evidence and statistics read,
//! deserialized straight from the API's JSON (a LIST page or a dump item), so the full object —
//! managed fields, env, volumes, probes — is never built. Lists are boxed slices (no spare
//! capacity) and container states are boxed (most are absent): about 1.5 KiB a pod, where the
//! API sends 10 to 20.

use serde::{Deserialize, Serialize};

use super::Str;

use super::meta::{HasMeta, ObjectMeta, Time};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pod {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Box<PodSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Box<PodStatus>>,
}

impl HasMeta for Pod {
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    #[serde(default)]
    pub containers: Box<[Container]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_containers: Option<Box<[Container]>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_gates: Option<Box<[PodReadinessGate]>>,
    /// `Always` (the default), `OnFailure` or `Never`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<Str>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodReadinessGate {
    pub condition_type: Str,
}

/// A container of the spec: its name and image identify it in the report, `restartPolicy:
/// Always` marks a native sidecar, the resources are what an OOM kill is judged against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(default)]
    pub name: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Box<ResourceRequirements>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRequirements {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Resources>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Resources>,
}

/// The CPU and memory of a container's limits or requests; other resources (GPUs, hugepages,
/// ephemeral storage) are not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
}

impl Resources {
    /// The quantity of `cpu` or `memory`.
    pub fn get(&self, resource: &str) -> Option<&Quantity> {
        match resource {
            "cpu" => self.cpu.as_ref(),
            "memory" => self.memory.as_ref(),
            _ => None,
        }
    }
}

/// A resource quantity as the API writes it (`512Mi`, `250m`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quantity(pub Str);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Box<[PodCondition]>>,
    #[serde(default, rename = "podIP", skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<Str>,
    #[serde(default, rename = "podIPs", skip_serializing_if = "Option::is_none")]
    pub pod_ips: Option<Box<[PodIp]>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nominated_node_name: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_container_statuses: Option<Box<[ContainerStatus]>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_statuses: Option<Box<[ContainerStatus]>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodIp {
    #[serde(default)]
    pub ip: Str,
}

/// A pod condition. Every pod has four or five, and a True one rarely has a reason or message:
/// those two are boxed together, and the well-known long type names are not copied per pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ConditionFields", into = "ConditionFields")]
pub struct PodCondition {
    pub type_: Str,
    /// `True`, `False` or `Unknown`.
    pub status: Str,
    pub last_transition_time: Option<Time>,
    detail: Option<Box<ConditionDetail>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ConditionDetail {
    reason: Option<Str>,
    message: Option<Str>,
}

impl PodCondition {
    pub fn new(type_: &str, status: &str) -> Self {
        PodCondition {
            type_: super::intern(type_),
            status: status.into(),
            ..PodCondition::default()
        }
    }

    /// `reason`: a machine-readable word (`Unschedulable`, `PodCompleted`).
    pub fn reason(&self) -> Option<&str> {
        self.detail.as_ref()?.reason.as_deref()
    }

    /// `message`: the sentence for people.
    pub fn message(&self) -> Option<&str> {
        self.detail.as_ref()?.message.as_deref()
    }

    pub fn with_reason(mut self, reason: Option<&str>, message: Option<&str>) -> Self {
        self.detail = (reason.is_some() || message.is_some()).then(|| {
            Box::new(ConditionDetail {
                reason: reason.map(Str::from),
                message: message.map(Str::from),
            })
        });
        self
    }
}

/// A condition as the API writes it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConditionFields {
    #[serde(rename = "type")]
    type_: Str,
    #[serde(default)]
    status: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_transition_time: Option<Time>,
}

impl From<ConditionFields> for PodCondition {
    fn from(c: ConditionFields) -> Self {
        PodCondition {
            type_: super::intern(&c.type_),
            status: c.status,
            last_transition_time: c.last_transition_time,
            detail: None,
        }
        .with_reason(c.reason.as_deref(), c.message.as_deref())
    }
}

impl From<PodCondition> for ConditionFields {
    fn from(c: PodCondition) -> Self {
        let detail = c.detail.map(|d| *d).unwrap_or_default();
        ConditionFields {
            type_: c.type_,
            status: c.status,
            reason: detail.reason,
            message: detail.message,
            last_transition_time: c.last_transition_time,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    #[serde(default)]
    pub name: Str,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub restart_count: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Box<ContainerState>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_state: Option<Box<ContainerState>>,
}

/// At most one of the three is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<ContainerStateWaiting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<ContainerStateRunning>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated: Option<Box<ContainerStateTerminated>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerStateWaiting {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Str>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateRunning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateTerminated {
    #[serde(default)]
    pub exit_code: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A pod as the API serves it: managed fields, annotations, env, probes, volumes.
    fn api_pod() -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1-a", "namespace": "ns", "uid": "u", "resourceVersion": "7",
                "creationTimestamp": "2025-01-01T00:00:00Z", "generateName": "web-1-",
                "labels": {"app": "web", "pod-template-hash": "1"},
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"big\": true}",
                    "prometheus.io/scrape": "true"},
                "finalizers": ["example.com/hold"],
                "managedFields": [{"manager": "kubelet", "fieldsV1": {"f:status": {}}}],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1",
                    "uid": "r", "controller": true, "blockOwnerDeletion": true}]},
            "spec": {"nodeName": "n1", "restartPolicy": "Always", "serviceAccountName": "default",
                "volumes": [{"name": "v", "emptyDir": {}}],
                "containers": [{"name": "c", "image": "nginx:1", "env": [{"name": "A", "value": "B"}],
                    "readinessProbe": {"httpGet": {"path": "/", "port": 80}},
                    "resources": {"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m"}}}],
                "initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}],
                "hostIP": "192.168.0.1", "qosClass": "Burstable",
                "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2025-01-01T00:01:00Z",
                    "lastProbeTime": null}],
                "containerStatuses": [{"name": "c", "image": "nginx:1", "imageID": "sha256:x",
                    "containerID": "containerd://x", "ready": true, "restartCount": 2, "started": true,
                    "state": {"running": {"startedAt": "2025-01-01T00:00:30Z"}},
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                        "finishedAt": "2025-01-01T00:00:20Z", "containerID": "containerd://w"}},
                    "volumeMounts": [{"name": "v", "mountPath": "/v"}]}]}})
    }

    #[test]
    fn an_api_pod_keeps_only_the_facts_kube_patrol_reads() {
        let pod: Pod = serde_json::from_value(api_pod()).unwrap();
        assert_eq!(
            serde_json::to_value(&pod).unwrap(),
            json!({"metadata": {"name": "web-1-a", "namespace": "ns",
                    "creationTimestamp": "2025-01-01T00:00:00Z",
                    "labels": {"app": "web", "pod-template-hash": "1"},
                    "ownerReferences": [{"kind": "ReplicaSet", "name": "web-1", "controller": true}],
                    "finalizers": ["example.com/hold"]},
                "spec": {"nodeName": "n1", "restartPolicy": "Always",
                    "containers": [{"name": "c", "image": "nginx:1",
                        "resources": {"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m"}}}],
                    "initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]},
                "status": {"phase": "Running", "podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}],
                    "conditions": [{"type": "Ready", "status": "True",
                        "lastTransitionTime": "2025-01-01T00:01:00Z"}],
                    "containerStatuses": [{"name": "c", "ready": true, "restartCount": 2, "started": true,
                        "state": {"running": {"startedAt": "2025-01-01T00:00:30Z"}},
                        "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                            "finishedAt": "2025-01-01T00:00:20Z"}}}]}})
        );
    }

    #[test]
    fn a_pods_silence_annotation_survives_slimming_and_the_others_do_not() {
        let mut pod = api_pod();
        pod["metadata"]["annotations"]["kube-patrol.io/silence"] =
            json!("until=2026-01-15; owner=a@example.com; reason=vendor");
        let pod: Pod = serde_json::from_value(pod).unwrap();
        assert_eq!(
            serde_json::to_value(&pod.metadata.annotations).unwrap(),
            json!({"kube-patrol.io/silence": "until=2026-01-15; owner=a@example.com; reason=vendor"})
        );
    }

    #[test]
    fn the_compact_pod_reads_back_what_it_wrote() {
        let pod: Pod = serde_json::from_value(api_pod()).unwrap();
        let again: Pod = serde_json::from_value(serde_json::to_value(&pod).unwrap()).unwrap();
        assert_eq!(pod, again);
    }

    #[test]
    fn a_time_that_is_not_rfc_3339_is_an_error_naming_it() {
        let mut bad = api_pod();
        bad["metadata"]["creationTimestamp"] = json!("yesterday");
        let err = serde_json::from_value::<Pod>(bad).unwrap_err();
        assert!(err.to_string().contains("\"yesterday\""), "{err}");
    }

    #[test]
    fn a_null_creation_time_reads_as_none() {
        let mut pod = api_pod();
        pod["metadata"]["creationTimestamp"] = serde_json::Value::Null;
        let pod: Pod = serde_json::from_value(pod).unwrap();
        assert!(pod.metadata.creation_timestamp.is_none());
    }
}
