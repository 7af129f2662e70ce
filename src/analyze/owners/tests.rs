use crate::model::Pod;
use crate::model::Workload;
use serde_json::json;

use super::*;
use crate::model::{Snapshot, Workloads};

fn owner_ref(kind: &str, name: &str) -> serde_json::Value {
    json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": format!("uid-{name}"), "controller": true}])
}

fn pod(name: &str, rs: &str, hash: &str, phase: &str, created: &str) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "ns", "creationTimestamp": created,
            "labels": {"app": "web", "pod-template-hash": hash}, "ownerReferences": owner_ref("ReplicaSet", rs)},
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": phase}
    }))
    .unwrap()
}

fn replica_set(name: &str, revision: &str, replicas: i32) -> Workload {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "ns", "creationTimestamp": "2025-01-01T00:00:00Z",
            "annotations": {"deployment.kubernetes.io/revision": revision},
            "ownerReferences": owner_ref("Deployment", "web")},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}}
    }))
    .unwrap()
}

fn deployment() -> Workload {
    serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "ns"},
        "spec": {"selector": {"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]}]},
            "template": {"metadata": {}, "spec": {"containers": []}}}
    }))
    .unwrap()
}

fn workloads() -> Workloads {
    Workloads {
        replica_sets: vec![
            replica_set("web-old1", "1", 0),
            replica_set("web-new2", "2", 1),
        ],
        deployments: vec![deployment()],
        ..Workloads::default()
    }
}

#[test]
fn a_replica_set_pod_leads_up_to_its_deployment() {
    let p = pod(
        "web-old1-aaaaa",
        "web-old1",
        "old1",
        "Succeeded",
        "2025-01-01T00:00:00Z",
    );
    let chain = owner_chain(&p, &workloads());
    assert_eq!(
        chain,
        [
            Owner::new("ReplicaSet", "web-old1"),
            Owner::new("Deployment", "web")
        ]
    );
    assert_eq!(chain[1].kubectl_ref(), "deployment/web");
}

#[test]
fn without_replica_sets_the_deployment_is_inferred_from_the_template_hash() {
    let p = pod(
        "web-old1-aaaaa",
        "web-old1",
        "old1",
        "Succeeded",
        "2025-01-01T00:00:00Z",
    );
    let chain = owner_chain(&p, &Workloads::default());
    assert_eq!(chain.last(), Some(&Owner::new("Deployment", "web")));
}

#[test]
fn the_selector_comes_from_the_top_workload_in_kubectl_syntax() {
    let p = pod(
        "web-old1-aaaaa",
        "web-old1",
        "old1",
        "Succeeded",
        "2025-01-01T00:00:00Z",
    );
    let chain = owner_chain(&p, &workloads());
    assert_eq!(
        selector(&p, &chain, &workloads()).as_deref(),
        Some("app=web,tier in (a,b)")
    );
}

#[test]
fn without_the_workload_the_selector_is_the_pods_labels_minus_hashes() {
    let p = pod(
        "web-old1-aaaaa",
        "web-old1",
        "old1",
        "Succeeded",
        "2025-01-01T00:00:00Z",
    );
    let chain = owner_chain(&p, &Workloads::default());
    assert_eq!(
        selector(&p, &chain, &Workloads::default()).as_deref(),
        Some("app=web")
    );
}

#[test]
fn an_ended_pod_of_an_old_replica_set_is_replaced_by_the_newest_revisions_running_pod() {
    let old = pod(
        "web-old1-aaaaa",
        "web-old1",
        "old1",
        "Succeeded",
        "2025-01-01T00:00:00Z",
    );
    let new = pod(
        "web-new2-bbbbb",
        "web-new2",
        "new2",
        "Running",
        "2025-02-01T00:00:00Z",
    );
    let pending = pod(
        "web-new2-ccccc",
        "web-new2",
        "new2",
        "Pending",
        "2025-01-15T00:00:00Z",
    );
    let snapshot = Snapshot {
        pods: vec![old.clone(), pending, new],
        workloads: workloads(),
        ..Snapshot::default()
    };
    let chain = owner_chain(&old, &snapshot.workloads);
    let context = Context::of(&snapshot);
    let found = replacement(&old, &chain, &snapshot.workloads, &context).unwrap();
    assert_eq!(found.name, "web-new2-bbbbb");
}

#[test]
fn a_pod_of_the_newest_replica_set_has_no_replacement() {
    let new = pod(
        "web-new2-bbbbb",
        "web-new2",
        "new2",
        "Failed",
        "2025-02-01T00:00:00Z",
    );
    let snapshot = Snapshot {
        pods: vec![new.clone()],
        workloads: workloads(),
        ..Snapshot::default()
    };
    let chain = owner_chain(&new, &snapshot.workloads);
    let context = Context::of(&snapshot);
    assert!(replacement(&new, &chain, &snapshot.workloads, &context).is_none());
}

#[test]
fn a_bare_pod_has_no_owner_chain() {
    let p: Pod =
        serde_json::from_value(json!({"metadata": {"name": "p", "namespace": "ns"}})).unwrap();
    assert!(owner_chain(&p, &workloads()).is_empty());
}
