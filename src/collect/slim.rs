//! Drops the parts of a pod the report never reads, as each page of pods arrives.
//!
//! A pod as the API returns it carries managed fields, annotations, env, volumes, probes and
//! more: often 5–20 KiB each. Keeping only what the columns, health rules and evidence need keeps
//! a 10,000-pod snapshot to a few MiB.

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod, PodSpec};

/// The pod with only the fields kube-patrol reads.
pub fn slim_pod(mut pod: Pod) -> Pod {
    let meta = &mut pod.metadata;
    meta.managed_fields = None;
    meta.annotations = None;
    meta.finalizers = None;
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

/// Name and image identify a container in the report; `restartPolicy` marks a sidecar.
fn slim_container(c: Container) -> Container {
    Container {
        name: c.name,
        image: c.image,
        restart_policy: c.restart_policy,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slimming_keeps_what_the_columns_need_and_drops_the_rest() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns", "creationTimestamp": "2025-01-01T00:00:00Z",
                "annotations": {"big": "x"}, "managedFields": [{"manager": "kubectl"}],
                "labels": {"app": "p"}, "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "p-1", "uid": "u"}]},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "i", "env": [{"name": "A", "value": "B"}]}],
                "initContainers": [{"name": "s", "restartPolicy": "Always"}], "volumes": [{"name": "v"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
                "ready": true, "restartCount": 1, "volumeMounts": [{"name": "v", "mountPath": "/v"}]}]}
        }))
        .unwrap();
        let slim = slim_pod(pod);
        assert!(slim.metadata.annotations.is_none() && slim.metadata.managed_fields.is_none());
        assert!(slim.metadata.labels.is_some() && slim.metadata.owner_references.is_some());
        let spec = slim.spec.unwrap();
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
}
