use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Pod;
use serde_json::{Value, json};

use super::*;
use crate::analyze::columns::pod_columns;

fn now() -> Timestamp {
    "2025-12-26T02:00:00Z".parse().unwrap()
}

fn ago(d: SignedDuration) -> String {
    (now() - d).to_string()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

/// A pod created `age` ago, owned by `owner` (kind), with the given status.
fn pod(age: SignedDuration, owner: Option<&str>, status: Value) -> Pod {
    let mut meta = json!({"name": "p", "namespace": "ns", "creationTimestamp": ago(age)});
    if let Some(kind) = owner {
        meta["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": kind, "name": "o", "uid": "u", "controller": true}]);
    }
    serde_json::from_value(
        json!({"metadata": meta, "spec": {"containers": [{"name": "c"}]}, "status": status}),
    )
    .unwrap()
}

fn running(ready: bool, restarts: i32) -> Value {
    json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
        "ready": ready, "restartCount": restarts, "state": {"running": {"startedAt": ago(mins(60))}}}]})
}

fn assess_pod(pod: &Pod) -> Assessment {
    assess(pod, &pod_columns(pod, now()), now(), &Rules::default())
}

fn codes(a: &Assessment) -> Vec<&'static str> {
    a.findings.iter().map(|f| f.code).collect()
}

#[test]
fn running_ready_pod_with_few_restarts_is_healthy() {
    let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), running(true, 4)));
    assert_eq!(a.health, Health::Healthy);
    assert!(a.findings.is_empty());
}

#[test]
fn five_to_nine_restarts_need_attention() {
    let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), running(true, 5)));
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Attention, vec!["restarts_elevated"])
    );
}

#[test]
fn ten_restarts_make_a_running_pod_unhealthy() {
    let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), running(true, 10)));
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Unhealthy, vec!["restarts_high"])
    );
}

#[test]
fn failed_pod_with_an_errored_container_is_unhealthy_and_high() {
    let status = json!({"phase": "Failed", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
        "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 137, "reason": "Error"}}}]});
    let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), status));
    assert_eq!(a.health, Health::Unhealthy);
    assert_eq!(a.severity(), Some(Severity::High));
    assert_eq!(codes(&a), ["failed"]);
}

#[test]
fn crash_looping_pod_lists_every_rule_that_applied_most_severe_first() {
    let status = json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
        "ready": false, "restartCount": 12, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]});
    let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), status));
    assert_eq!(a.health, Health::Unhealthy);
    assert_eq!(
        codes(&a),
        ["crash_loop", "restarts_high", "oom_killed_before"]
    );
}

#[test]
fn completed_pod_of_a_replica_set_is_a_leftover_needing_attention() {
    let status = json!({"phase": "Succeeded", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
        "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]});
    let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), status));
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Attention, vec!["leftover_completed"])
    );
    assert_eq!(a.severity(), Some(Severity::Medium));
}

#[test]
fn completed_pod_of_a_job_finished_as_designed_and_is_healthy() {
    let status = json!({"phase": "Succeeded", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
        "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]});
    let a = assess_pod(&pod(mins(600), Some("Job"), status));
    assert_eq!(a.health, Health::Healthy);
}

#[test]
fn pending_pod_within_the_grace_period_is_only_starting() {
    let a = assess_pod(&pod(
        mins(5),
        Some("ReplicaSet"),
        json!({"phase": "Pending"}),
    ));
    assert_eq!((a.health, codes(&a)), (Health::Attention, vec!["starting"]));
    assert_eq!(a.severity(), Some(Severity::Low));
}

#[test]
fn pending_pod_past_the_grace_period_is_unhealthy_with_the_schedulers_message() {
    let status = json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
        "reason": "Unschedulable", "message": "0/3 nodes are available: 3 Insufficient cpu."}]});
    let a = assess_pod(&pod(mins(16), Some("ReplicaSet"), status));
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Unhealthy, vec!["pending_too_long"])
    );
    assert_eq!(
        a.findings[0].facts["scheduler"],
        "0/3 nodes are available: 3 Insufficient cpu."
    );
}

#[test]
fn container_creating_past_the_grace_period_is_unhealthy() {
    let status = json!({"phase": "Pending", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
        "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}]});
    let a = assess_pod(&pod(mins(30), Some("ReplicaSet"), status));
    assert_eq!(codes(&a), ["pending_too_long"]);
}

#[test]
fn image_pull_back_off_is_unhealthy() {
    let status = json!({"phase": "Pending", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
        "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff", "message": "not found"}}}]});
    let a = assess_pod(&pod(mins(3), Some("ReplicaSet"), status));
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Unhealthy, vec!["image_pull"])
    );
}

#[test]
fn a_failing_init_container_is_unhealthy() {
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": "p", "namespace": "ns", "creationTimestamp": ago(mins(3))},
        "spec": {"containers": [{"name": "c"}], "initContainers": [{"name": "i"}]},
        "status": {"phase": "Pending", "initContainerStatuses": [{"name": "i", "image": "i", "imageID": "",
            "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}))
    .unwrap();
    let a = assess_pod(&pod);
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Unhealthy, vec!["init_failed"])
    );
}

#[test]
fn running_pod_not_ready_past_the_grace_period_is_unhealthy() {
    let mut status = running(false, 0);
    status["conditions"] =
        json!([{"type": "Ready", "status": "False", "lastTransitionTime": ago(mins(20))}]);
    let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), status));
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Unhealthy, vec!["not_ready_too_long"])
    );
}

#[test]
fn running_pod_briefly_not_ready_needs_attention_only() {
    let mut status = running(false, 0);
    status["conditions"] =
        json!([{"type": "Ready", "status": "False", "lastTransitionTime": ago(mins(2))}]);
    let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), status));
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Attention, vec!["not_ready"])
    );
}

#[test]
fn evicted_and_node_lost_pods_are_unhealthy() {
    let evicted = assess_pod(&pod(
        mins(600),
        Some("ReplicaSet"),
        json!({"phase": "Failed", "reason": "Evicted"}),
    ));
    assert_eq!(codes(&evicted), ["evicted"]);
}

#[test]
fn pod_stuck_terminating_past_the_grace_period_needs_attention() {
    let mut p = pod(mins(600), Some("ReplicaSet"), running(true, 0));
    p.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        now() - mins(20),
    ));
    p.metadata.deletion_grace_period_seconds = Some(30);
    let a = assess_pod(&p);
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Attention, vec!["stuck_terminating"])
    );
}

#[test]
fn pod_terminating_within_its_grace_period_is_not_a_problem() {
    let mut p = pod(mins(600), Some("ReplicaSet"), running(true, 0));
    p.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        now() + mins(0),
    ));
    p.metadata.deletion_grace_period_seconds = Some(30);
    assert!(assess_pod(&p).findings.is_empty());
}

#[test]
fn exit_code_and_signal_statuses_are_failures() {
    for (term, expected) in [
        (json!({"exitCode": 2}), "ExitCode:2"),
        (json!({"exitCode": 0, "signal": 9}), "Signal:9"),
    ] {
        let status = json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
            "ready": false, "restartCount": 0, "state": {"terminated": term}}]});
        let a = assess_pod(&pod(mins(600), Some("ReplicaSet"), status));
        assert_eq!(codes(&a), ["failed"]);
        assert_eq!(a.findings[0].facts["status"], expected);
    }
}

#[test]
fn thresholds_come_from_the_rules() {
    let rules = Rules {
        restarts_attention: 2,
        restarts_unhealthy: 3,
        ..Rules::default()
    };
    let p = pod(mins(600), Some("ReplicaSet"), running(true, 3));
    let a = assess(&p, &pod_columns(&p, now()), now(), &rules);
    assert_eq!(codes(&a), ["restarts_high"]);
}
