//! Drops the parts of an object the report never reads, as each page of objects arrives.
//!
//! A pod as the API returns it carries managed fields, annotations, env, volumes, probes and
//! more: often 5–20 KiB each. Keeping only what the columns, health rules and evidence need keeps
//! a 10,000-pod snapshot to a few MiB. Workloads lose their pod template (all but its labels),
//! nodes keep only what says whether they can run pods.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Container, ContainerStatus, Event, Node, NodeSpec, NodeStatus, NodeSystemInfo, Pod, PodSpec,
    PodTemplateSpec, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The one annotation of a workload that analysis reads: which ReplicaSet is the newest.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";

/// The pod with only the fields kube-patrol reads. Finalizers stay: they say what holds a pod
/// that is stuck being deleted.
pub fn slim_pod(mut pod: Pod) -> Pod {
    let meta = &mut pod.metadata;
    meta.managed_fields = None;
    meta.annotations = None;
    if let Some(spec) = pod.spec.take() {
        pod.spec = Some(slim_spec(spec));
    }
    if let Some(status) = pod.status.as_mut() {
        for statuses in [
            status.container_statuses.as_mut(),
            status.init_container_statuses.as_mut(),
            status.ephemeral_container_statuses.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            statuses.iter_mut().for_each(slim_container_status);
        }
    }
    pod
}

fn slim_spec(spec: PodSpec) -> PodSpec {
    PodSpec {
        containers: spec.containers.into_iter().map(slim_container).collect(),
        init_containers: spec
            .init_containers
            .map(|cs| cs.into_iter().map(slim_container).collect()),
        node_name: spec.node_name,
        readiness_gates: spec.readiness_gates,
        restart_policy: spec.restart_policy,
        ..PodSpec::default()
    }
}

/// Name and image identify a container in the report; `restartPolicy` marks a sidecar; the
/// resources' limits and requests are what an OOM kill is judged against.
fn slim_container(c: Container) -> Container {
    Container {
        name: c.name,
        image: c.image,
        restart_policy: c.restart_policy,
        resources: c.resources.map(|r| ResourceRequirements {
            limits: r.limits,
            requests: r.requests,
            ..ResourceRequirements::default()
        }),
        ..Container::default()
    }
}

fn slim_container_status(s: &mut ContainerStatus) {
    s.allocated_resources = None;
    s.allocated_resources_status = None;
    s.resources = None;
    s.user = None;
    s.volume_mounts = None;
}

/// Drops managed fields, finalizers and every annotation but the Deployment revision; keeps
/// name, namespace, uid, labels, owner references and creation time.
fn slim_workload_meta(meta: &mut ObjectMeta) {
    meta.managed_fields = None;
    meta.finalizers = None;
    meta.annotations = meta
        .annotations
        .take()
        .map(|mut all| {
            all.retain(|k, _| k == REVISION_ANNOTATION);
            all
        })
        .filter(|kept: &BTreeMap<String, String>| !kept.is_empty());
}

/// A pod template reduced to its labels: what a workload's pods look like is in the pods.
fn slim_template(template: &mut PodTemplateSpec) {
    let labels = template.metadata.take().and_then(|m| m.labels);
    template.metadata = Some(ObjectMeta {
        labels,
        ..ObjectMeta::default()
    });
    template.spec = None;
}

/// The ReplicaSet without its pod template; selector, replicas and status stay.
pub fn slim_replica_set(mut rs: ReplicaSet) -> ReplicaSet {
    slim_workload_meta(&mut rs.metadata);
    if let Some(template) = rs.spec.template.as_mut() {
        slim_template(template);
    }
    rs
}

/// The Deployment without its pod template; selector, replicas, strategy and status stay.
pub fn slim_deployment(mut deployment: Deployment) -> Deployment {
    slim_workload_meta(&mut deployment.metadata);
    slim_template(&mut deployment.spec.template);
    deployment
}

/// The StatefulSet without its pod template and volume claim templates.
pub fn slim_stateful_set(mut sts: StatefulSet) -> StatefulSet {
    slim_workload_meta(&mut sts.metadata);
    slim_template(&mut sts.spec.template);
    sts.spec.volume_claim_templates = None;
    sts
}

/// The DaemonSet without its pod template.
pub fn slim_daemon_set(mut ds: DaemonSet) -> DaemonSet {
    slim_workload_meta(&mut ds.metadata);
    slim_template(&mut ds.spec.template);
    ds
}

/// The Job without its pod template.
pub fn slim_job(mut job: Job) -> Job {
    slim_workload_meta(&mut job.metadata);
    if let Some(spec) = job.spec.as_mut() {
        slim_template(&mut spec.template);
    }
    job
}

/// The CronJob with its job template's pod template reduced to labels; schedule and status stay.
pub fn slim_cron_job(mut cron: CronJob) -> CronJob {
    slim_workload_meta(&mut cron.metadata);
    let job_template = &mut cron.spec.job_template;
    if let Some(meta) = job_template.metadata.as_mut() {
        slim_workload_meta(meta);
    }
    if let Some(job_spec) = job_template.spec.as_mut() {
        slim_template(&mut job_spec.template);
    }
    cron
}

/// The event without managed fields; its text, counts and times are the evidence.
pub fn slim_event(mut event: Event) -> Event {
    event.metadata.managed_fields = None;
    event.metadata.annotations = None;
    event
}

/// The node reduced to what says whether it can run pods: name, labels, unschedulable, taints,
/// conditions and the kubelet version.
pub fn slim_node(node: Node) -> Node {
    let spec = node.spec.unwrap_or_default();
    let status = node.status.unwrap_or_default();
    Node {
        metadata: ObjectMeta {
            name: node.metadata.name,
            labels: node.metadata.labels,
            ..ObjectMeta::default()
        },
        spec: Some(NodeSpec {
            unschedulable: spec.unschedulable,
            taints: spec.taints,
            ..NodeSpec::default()
        }),
        status: Some(NodeStatus {
            conditions: status.conditions,
            node_info: status.node_info.map(|info| NodeSystemInfo {
                kubelet_version: info.kubelet_version,
                ..NodeSystemInfo::default()
            }),
            ..NodeStatus::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slimming_keeps_what_columns_rules_and_evidence_need_and_drops_the_rest() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns", "creationTimestamp": "2025-01-01T00:00:00Z",
                "annotations": {"big": "x"}, "managedFields": [{"manager": "kubectl"}],
                "finalizers": ["example.com/hold"],
                "labels": {"app": "p"}, "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "p-1", "uid": "u"}]},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "i", "env": [{"name": "A", "value": "B"}],
                "resources": {"limits": {"memory": "256Mi"}, "requests": {"memory": "128Mi", "cpu": "100m"}}}],
                "initContainers": [{"name": "s", "restartPolicy": "Always"}], "volumes": [{"name": "v"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
                "ready": true, "restartCount": 1, "volumeMounts": [{"name": "v", "mountPath": "/v"}]}]}
        }))
        .unwrap();
        let slim = slim_pod(pod);
        assert!(slim.metadata.annotations.is_none() && slim.metadata.managed_fields.is_none());
        assert!(slim.metadata.labels.is_some() && slim.metadata.owner_references.is_some());
        assert_eq!(
            slim.metadata.finalizers.as_deref(),
            Some(&["example.com/hold".to_owned()][..])
        );
        let spec = slim.spec.unwrap();
        let resources = spec.containers[0].resources.as_ref().unwrap();
        assert_eq!(resources.limits.as_ref().unwrap()["memory"].0, "256Mi");
        assert_eq!(resources.requests.as_ref().unwrap()["memory"].0, "128Mi");
        assert_eq!(spec.node_name.as_deref(), Some("n1"));
        assert!(spec.volumes.is_none() && spec.containers[0].env.is_none());
        assert_eq!(
            spec.init_containers.unwrap()[0].restart_policy.as_deref(),
            Some("Always")
        );
        let status = slim.status.unwrap().container_statuses.unwrap();
        assert_eq!(status[0].restart_count, 1);
        assert!(status[0].volume_mounts.is_none());
    }

    fn template() -> serde_json::Value {
        serde_json::json!({"metadata": {"labels": {"app": "web"}, "annotations": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "i", "env": [{"name": "A", "value": "B"}]}]}})
    }

    fn workload_meta() -> serde_json::Value {
        serde_json::json!({"name": "web", "namespace": "ns", "creationTimestamp": "2025-01-01T00:00:00Z",
            "labels": {"app": "web"}, "managedFields": [{"manager": "kube-controller-manager"}],
            "annotations": {"deployment.kubernetes.io/revision": "3",
                "kubectl.kubernetes.io/last-applied-configuration": "{...}"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u"}]})
    }

    fn assert_slim_meta(meta: &ObjectMeta) {
        assert!(meta.managed_fields.is_none());
        let annotations = meta.annotations.as_ref().expect("the revision stays");
        assert_eq!(
            annotations.iter().collect::<Vec<_>>(),
            [(&REVISION_ANNOTATION.to_owned(), &"3".to_owned())]
        );
        assert_eq!(meta.labels.as_ref().unwrap()["app"], "web");
        assert_eq!(meta.owner_references.as_ref().unwrap()[0].name, "web");
        assert!(meta.creation_timestamp.is_some());
    }

    fn assert_slim_template(t: &PodTemplateSpec) {
        assert!(t.spec.is_none(), "no pod spec");
        let meta = t.metadata.as_ref().unwrap();
        assert_eq!(meta.labels.as_ref().unwrap()["app"], "web");
        assert!(meta.annotations.is_none());
    }

    #[test]
    fn a_replicaset_keeps_selector_replicas_status_and_template_labels_only() {
        let rs: ReplicaSet = serde_json::from_value(serde_json::json!({"metadata": workload_meta(),
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template()},
            "status": {"replicas": 2, "readyReplicas": 1}}))
        .unwrap();
        let slim = slim_replica_set(rs);
        assert_slim_meta(&slim.metadata);
        assert_slim_template(slim.spec.template.as_ref().unwrap());
        assert_eq!(slim.spec.replicas, Some(2));
        assert!(slim.spec.selector.match_labels.is_some());
        assert_eq!(slim.status.unwrap().ready_replicas, Some(1));
    }

    #[test]
    fn a_workload_without_the_revision_annotation_keeps_no_annotations() {
        let mut meta = workload_meta();
        meta["annotations"] = serde_json::json!({"other": "x"});
        let d: Deployment = serde_json::from_value(serde_json::json!({"metadata": meta,
            "spec": {"selector": {}, "template": template()}}))
        .unwrap();
        let slim = slim_deployment(d);
        assert!(slim.metadata.annotations.is_none());
        assert_slim_template(&slim.spec.template);
    }

    #[test]
    fn every_workload_kind_loses_its_pod_template() {
        let spec = serde_json::json!({"selector": {}, "template": template(),
            "volumeClaimTemplates": [{"metadata": {"name": "data"}}]});
        let value = |spec| serde_json::json!({"metadata": workload_meta(), "spec": spec});
        let sts = slim_stateful_set(serde_json::from_value(value(spec.clone())).unwrap());
        assert_slim_meta(&sts.metadata);
        assert_slim_template(&sts.spec.template);
        assert!(sts.spec.volume_claim_templates.is_none());
        let ds = slim_daemon_set(serde_json::from_value(value(spec.clone())).unwrap());
        assert_slim_template(&ds.spec.template);
        let job = slim_job(serde_json::from_value(value(spec)).unwrap());
        assert_slim_meta(&job.metadata);
        assert_slim_template(&job.spec.unwrap().template);
        let cron = slim_cron_job(
            serde_json::from_value(value(serde_json::json!({"schedule": "0 3 * * *",
                "jobTemplate": {"spec": {"template": template()}}})))
            .unwrap(),
        );
        assert_eq!(cron.spec.schedule, "0 3 * * *");
        assert_slim_template(&cron.spec.job_template.spec.unwrap().template);
    }

    #[test]
    fn an_event_loses_its_managed_fields_and_keeps_its_text() {
        let e: Event = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "e", "namespace": "ns", "managedFields": [{"manager": "kubelet"}]},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "ns"},
            "reason": "BackOff", "message": "Back-off restarting failed container", "count": 7}))
        .unwrap();
        let slim = slim_event(e);
        assert!(slim.metadata.managed_fields.is_none());
        assert_eq!(slim.reason.as_deref(), Some("BackOff"));
        assert_eq!(slim.count, Some(7));
        assert_eq!(slim.involved_object.name.as_deref(), Some("p"));
    }

    #[test]
    fn a_node_keeps_only_what_says_whether_it_can_run_pods() {
        let node: Node = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "n1", "labels": {"zone": "a"}, "annotations": {"big": "x"},
                "managedFields": [{"manager": "kubelet"}], "uid": "u"},
            "spec": {"unschedulable": true, "podCIDR": "10.0.0.0/24",
                "taints": [{"key": "k", "effect": "NoSchedule"}]},
            "status": {"conditions": [{"type": "Ready", "status": "False"}],
                "images": [{"names": ["busybox"], "sizeBytes": 1}],
                "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}],
                "capacity": {"cpu": "4"},
                "nodeInfo": {"kubeletVersion": "v1.37.2", "kernelVersion": "6.1", "architecture": "amd64",
                    "bootID": "b", "containerRuntimeVersion": "c", "kubeProxyVersion": "", "machineID": "m",
                    "operatingSystem": "linux", "osImage": "o", "systemUUID": "s"}}}))
        .unwrap();
        let slim = serde_json::to_value(slim_node(node)).unwrap();
        assert_eq!(
            slim,
            serde_json::json!({"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": "n1", "labels": {"zone": "a"}},
                "spec": {"unschedulable": true, "taints": [{"key": "k", "effect": "NoSchedule"}]},
                "status": {"conditions": [{"type": "Ready", "status": "False"}],
                    "nodeInfo": {"kubeletVersion": "v1.37.2", "kernelVersion": "", "architecture": "",
                        "bootID": "", "containerRuntimeVersion": "", "kubeProxyVersion": "", "machineID": "",
                        "operatingSystem": "", "osImage": "", "systemUUID": ""}}})
        );
    }
}
