//! The controllers that own pods (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, CronJob),
//! in one compact shape: their specs and statuses share the few fields kube-patrol reads (the
//! selector, replicas, readiness, conditions, a CronJob's schedule); the pod template is never
//! built.

use serde::{Deserialize, Serialize};

use super::Str;

use super::meta::{HasMeta, LabelSelector, ObjectMeta, REVISION_ANNOTATION};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: WorkloadSpec,
    #[serde(default)]
    pub status: WorkloadStatus,
}

impl HasMeta for Workload {
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
}

impl Workload {
    /// A ReplicaSet's Deployment revision (`deployment.kubernetes.io/revision`), 0 if none.
    pub fn revision(&self) -> i64 {
        self.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION_ANNOTATION))
            .and_then(|r| r.parse().ok())
            .unwrap_or(0)
    }

    /// Whether a condition of this type is True (a Job's `Complete`).
    pub fn condition_is_true(&self, type_: &str) -> bool {
        self.status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == type_ && c.status == "True")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// A CronJob's schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Str>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// A DaemonSet's ready pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_ready: Option<i32>,
    /// A Job's succeeded pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<WorkloadCondition>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadCondition {
    #[serde(rename = "type")]
    pub type_: Str,
    #[serde(default)]
    pub status: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Str>,
}

/// The controllers that own pods, by kind.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Workloads {
    pub replica_sets: Vec<Workload>,
    pub deployments: Vec<Workload>,
    pub stateful_sets: Vec<Workload>,
    pub daemon_sets: Vec<Workload>,
    pub jobs: Vec<Workload>,
    pub cron_jobs: Vec<Workload>,
}

impl Workloads {
    /// The workloads of a kind (`Deployment`...); empty for a kind kube-patrol does not list.
    pub fn of_kind(&self, kind: &str) -> &[Workload] {
        match kind {
            "ReplicaSet" => &self.replica_sets,
            "Deployment" => &self.deployments,
            "StatefulSet" => &self.stateful_sets,
            "DaemonSet" => &self.daemon_sets,
            "Job" => &self.jobs,
            "CronJob" => &self.cron_jobs,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_workload_keeps_selector_replicas_status_and_the_revision_annotation_only() {
        let rs: Workload = serde_json::from_value(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web-1", "namespace": "ns", "creationTimestamp": "2025-01-01T00:00:00Z",
                "annotations": {"deployment.kubernetes.io/revision": "3",
                    "kubectl.kubernetes.io/last-applied-configuration": "{...}"},
                "managedFields": [{"manager": "kube-controller-manager"}],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u"}]},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "i", "env": [{"name": "A"}]}]}}},
            "status": {"replicas": 2, "readyReplicas": 1, "observedGeneration": 4}}))
        .unwrap();
        assert_eq!(rs.revision(), 3);
        assert_eq!(
            serde_json::to_value(&rs).unwrap(),
            json!({"metadata": {"name": "web-1", "namespace": "ns",
                    "creationTimestamp": "2025-01-01T00:00:00Z",
                    "annotations": {"deployment.kubernetes.io/revision": "3"},
                    "ownerReferences": [{"kind": "Deployment", "name": "web"}]},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}},
                "status": {"replicas": 2, "readyReplicas": 1}})
        );
    }

    #[test]
    fn a_workloads_silence_annotation_survives_slimming() {
        let deployment: Workload = serde_json::from_value(json!({"metadata": {"name": "web",
            "annotations": {"kube-patrol.io/silence": "until=2026-01-15; owner=o; reason=r",
                "kubectl.kubernetes.io/last-applied-configuration": "{...}"}}}))
        .unwrap();
        let kept = deployment.metadata.annotations.unwrap();
        assert_eq!(
            kept.get(crate::model::SILENCE_ANNOTATION),
            Some("until=2026-01-15; owner=o; reason=r")
        );
        assert_eq!(kept.iter().count(), 1);
    }

    #[test]
    fn a_jobs_complete_condition_is_read() {
        let job: Workload = serde_json::from_value(json!({"metadata": {"name": "j"},
            "status": {"conditions": [{"type": "Complete", "status": "True"}], "succeeded": 1}}))
        .unwrap();
        assert!(job.condition_is_true("Complete"));
        assert!(!job.condition_is_true("Failed"));
    }
}
