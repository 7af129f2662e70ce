use crate::model::Pod;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::*;
use crate::analyze::columns::pod_columns;
use crate::analyze::owners::owner_chain;
use crate::model::Snapshot;

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

/// Judges `pod` among the other pods, nodes and workloads of `snapshot`, with `rules`.
fn assess_in(pod: &Pod, snapshot: &Snapshot, rules: &Rules) -> Assessment {
    let context = Context::of(snapshot);
    let cols = pod_columns(pod, now());
    let chain = owner_chain(pod, &snapshot.workloads);
    let case = Case {
        pod,
        cols: &cols,
        chain: &chain,
        context: &context,
    };
    assess(&case, now(), rules)
}

fn assess_pod(pod: &Pod) -> Assessment {
    assess_in(pod, &Snapshot::default(), &Rules::default())
}

fn codes(a: &Assessment) -> Vec<&'static str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
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
    p.metadata.deletion_timestamp = Some(crate::model::Time(now() - mins(20)));
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
    p.metadata.deletion_timestamp = Some(crate::model::Time(now() + mins(0)));
    p.metadata.deletion_grace_period_seconds = Some(30);
    assert!(assess_pod(&p).findings.is_empty());
}

#[test]
fn exit_code_and_signal_statuses_are_failures_or_a_first_crash_when_the_container_restarts() {
    for (term, expected) in [
        (json!({"exitCode": 2}), "ExitCode:2"),
        (json!({"exitCode": 0, "signal": 9}), "Signal:9"),
    ] {
        let status = json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
            "ready": false, "restartCount": 0, "state": {"terminated": term}}]});
        let mut p = pod(mins(600), Some("ReplicaSet"), status);
        let a = assess_pod(&p);
        assert_eq!(
            codes(&a),
            ["crash_loop"],
            "restartPolicy Always restarts it"
        );
        assert_eq!(a.findings[0].facts["status"], expected);
        p.spec.as_mut().unwrap().restart_policy = Some("Never".into());
        assert_eq!(codes(&assess_pod(&p)), ["failed"], "restartPolicy Never");
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
    let a = assess_in(&p, &Snapshot::default(), &rules);
    assert_eq!(codes(&a), ["restarts_high"]);
}

// ---- Rules from the pod's facts ----

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

fn container_status(name: &str, ready: bool, restarts: i32, state: Value) -> Value {
    json!({"name": name, "image": "i", "imageID": "", "ready": ready,
        "restartCount": restarts, "state": state})
}

fn terminated(reason: &str, exit: i32, finished: SignedDuration) -> Value {
    json!({"terminated": {"reason": reason, "exitCode": exit,
        "startedAt": ago(finished + mins(5)), "finishedAt": ago(finished)}})
}

fn running_since(d: SignedDuration) -> Value {
    json!({"running": {"startedAt": ago(d)}})
}

/// A pod from its metadata, spec and status, named `p` in namespace `ns` unless `meta` says.
fn pod_of(meta: Value, spec: Value, status: Value) -> Pod {
    let mut m = json!({"name": "p", "namespace": "ns", "creationTimestamp": ago(hours(48))});
    m.as_object_mut()
        .unwrap()
        .extend(meta.as_object().unwrap().clone());
    serde_json::from_value(json!({"metadata": m, "spec": spec, "status": status})).unwrap()
}

fn owned_by(kind: &str, name: &str) -> Value {
    json!({"ownerReferences": [{"apiVersion": "v1", "kind": kind, "name": name,
        "uid": "u", "controller": true}]})
}

fn condition(kind: &str, status: &str, since: SignedDuration) -> Value {
    json!({"type": kind, "status": status, "lastTransitionTime": ago(since)})
}

fn one_container() -> Value {
    json!({"containers": [{"name": "c"}], "nodeName": "node-1"})
}

fn fact<'a>(a: &'a Assessment, key: &str) -> &'a str {
    a.findings[0]
        .facts
        .get(key)
        .map_or("<absent>", String::as_str)
}

/// A node with its `Ready` condition (and taints), changed an hour ago.
fn node(name: &str, ready: &str, taints: Value) -> crate::model::Node {
    serde_json::from_value(
        json!({"metadata": {"name": name}, "spec": {"taints": taints},
        "status": {"conditions": [{"type": "Ready", "status": ready, "reason": "KubeletNotReady",
            "message": "container runtime is down", "lastTransitionTime": ago(hours(1))}]}}),
    )
    .unwrap()
}

fn with_nodes(nodes: Vec<crate::model::Node>) -> Snapshot {
    Snapshot {
        nodes,
        ..Snapshot::default()
    }
}

#[test]
fn a_failed_job_pod_whose_second_container_exited_1_is_unhealthy_whatever_status_shows() {
    let p = pod_of(
        owned_by("Job", "backup-1"),
        json!({"containers": [{"name": "c0"}, {"name": "c1"}], "restartPolicy": "Never"}),
        json!({"phase": "Failed", "containerStatuses": [
            container_status("c0", false, 0, terminated("Completed", 0, hours(2))),
            container_status("c1", false, 0, terminated("Error", 1, hours(2)))]}),
    );
    let a = assess_pod(&p);
    assert_eq!((a.health, codes(&a)), (Health::Unhealthy, vec!["failed"]));
    assert_eq!((fact(&a, "container"), fact(&a, "exit_code")), ("c1", "1"));
}

#[test]
fn a_failed_attempt_of_a_job_that_then_completed_needs_attention_only() {
    let p = pod_of(
        owned_by("Job", "backup-1"),
        json!({"containers": [{"name": "c"}], "restartPolicy": "Never"}),
        json!({"phase": "Failed", "containerStatuses": [
            container_status("c", false, 0, terminated("Error", 2, hours(2)))]}),
    );
    let job: crate::model::Workload = serde_json::from_value(json!({
        "metadata": {"name": "backup-1", "namespace": "ns"},
        "status": {"conditions": [{"type": "Complete", "status": "True"}], "succeeded": 1}}))
    .unwrap();
    let mut snapshot = Snapshot::default();
    snapshot.workloads.jobs.push(job);
    let a = assess_in(&p, &snapshot, &Rules::default());
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Attention, vec!["failed_attempt"])
    );
    assert_eq!(fact(&a, "cause"), "failed");
}

#[test]
fn a_later_succeeded_pod_of_the_same_job_makes_a_failure_an_attempt_when_jobs_cannot_be_read() {
    let failed = pod_of(
        owned_by("Job", "backup-1"),
        json!({"containers": [{"name": "c"}], "restartPolicy": "Never"}),
        json!({"phase": "Failed", "containerStatuses": [
            container_status("c", false, 0, terminated("Error", 2, hours(2)))]}),
    );
    let mut meta = owned_by("Job", "backup-1");
    meta["name"] = json!("p2");
    meta["creationTimestamp"] = json!(ago(hours(1)));
    let succeeded = pod_of(
        meta,
        json!({"containers": [{"name": "c"}]}),
        json!({"phase": "Succeeded"}),
    );
    let snapshot = Snapshot {
        pods: vec![failed.clone(), succeeded],
        ..Snapshot::default()
    };
    let a = assess_in(&failed, &snapshot, &Rules::default());
    assert_eq!(codes(&a), ["failed_attempt"]);
}

#[test]
fn a_native_sidecar_killed_after_the_main_container_completed_is_not_a_failure() {
    for exit in [137, 143, 0] {
        let p = pod_of(
            owned_by("Job", "j"),
            json!({"containers": [{"name": "c"}],
                "initContainers": [{"name": "proxy", "restartPolicy": "Always"}]}),
            json!({"phase": "Succeeded", "conditions": [condition("Initialized", "True", hours(3))],
                "initContainerStatuses": [container_status("proxy", false, 0, terminated("Error", exit, hours(2)))],
                "containerStatuses": [container_status("c", false, 0, terminated("Completed", 0, hours(2)))]}),
        );
        let a = assess_pod(&p);
        assert_eq!(a.health, Health::Healthy, "sidecar exit {exit}: {a:?}");
    }
}

#[test]
fn a_job_pod_held_open_by_a_mesh_proxy_past_the_grace_period_names_the_running_container() {
    let p = pod_of(
        owned_by("Job", "migrate"),
        json!({"containers": [{"name": "migrate"}, {"name": "istio-proxy"}], "restartPolicy": "Never"}),
        json!({"phase": "Running", "conditions": [condition("Ready", "False", mins(40))],
            "containerStatuses": [
                container_status("migrate", false, 0, terminated("Completed", 0, mins(40))),
                container_status("istio-proxy", true, 0, running_since(hours(1)))]}),
    );
    let a = assess_pod(&p);
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Unhealthy, vec!["sidecar_blocks_job"])
    );
    assert_eq!(fact(&a, "still_running"), "istio-proxy");
    assert_eq!(fact(&a, "status"), "NotReady");
    assert_eq!(
        crate::analyze::advice::container_of(&a.findings[0]).as_deref(),
        Some("istio-proxy")
    );
}

#[test]
fn a_job_pod_whose_main_container_just_finished_beside_a_proxy_is_fine_within_the_grace_period() {
    let p = pod_of(
        owned_by("Job", "migrate"),
        json!({"containers": [{"name": "migrate"}, {"name": "istio-proxy"}], "restartPolicy": "Never"}),
        json!({"phase": "Running", "conditions": [condition("Ready", "False", mins(3))],
            "containerStatuses": [
                container_status("migrate", false, 0, terminated("Completed", 0, mins(3))),
                container_status("istio-proxy", true, 0, running_since(hours(1)))]}),
    );
    let a = assess_pod(&p);
    assert_eq!((a.health, codes(&a)), (Health::Healthy, vec![]));
}

#[test]
fn completed_pods_of_batch_controllers_other_than_job_finished_as_designed() {
    for kind in [
        "Workflow",
        "TaskRun",
        "PipelineRun",
        "SparkApplication",
        "Job",
    ] {
        let p = pod_of(
            owned_by(kind, "run-1"),
            one_container(),
            json!({"phase": "Succeeded", "containerStatuses": [
                container_status("c", false, 0, terminated("Completed", 0, hours(3)))]}),
        );
        assert_eq!(assess_pod(&p).health, Health::Healthy, "{kind}");
    }
}

#[test]
fn completed_pods_of_long_running_controllers_and_bare_pods_are_leftovers() {
    for meta in [
        owned_by("ReplicaSet", "web-1"),
        owned_by("StatefulSet", "db"),
        owned_by("DaemonSet", "agent"),
        json!({}),
    ] {
        let p = pod_of(
            meta.clone(),
            one_container(),
            json!({"phase": "Succeeded", "containerStatuses": [
                container_status("c", false, 0, terminated("Completed", 0, hours(3)))]}),
        );
        assert_eq!(codes(&assess_pod(&p)), ["leftover_completed"], "{meta}");
    }
}

#[test]
fn an_oom_killed_job_container_gives_its_memory_limit_and_request() {
    let p = pod_of(
        owned_by("Job", "j"),
        json!({"containers": [{"name": "c", "resources": {"limits": {"memory": "256Mi"},
            "requests": {"memory": "128Mi"}}}], "restartPolicy": "Never"}),
        json!({"phase": "Failed", "containerStatuses": [
            container_status("c", false, 0, terminated("OOMKilled", 137, hours(1)))]}),
    );
    let a = assess_pod(&p);
    assert_eq!(codes(&a), ["oom_killed"]);
    assert_eq!(
        (fact(&a, "memory_limit"), fact(&a, "memory_request")),
        ("256Mi", "128Mi")
    );
}

#[test]
fn a_running_pod_whose_readiness_gate_is_false_for_an_hour_is_unhealthy_naming_the_gate() {
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        json!({"containers": [{"name": "c"}], "nodeName": "node-1",
            "readinessGates": [{"conditionType": "target-health.example.io/ready"}]}),
        json!({"phase": "Running", "conditions": [
            condition("Ready", "False", hours(1)),
            condition("ContainersReady", "True", hours(2)),
            condition("target-health.example.io/ready", "False", hours(1))],
            "containerStatuses": [container_status("c", true, 0, running_since(hours(2)))]}),
    );
    let a = assess_pod(&p);
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Unhealthy, vec!["not_ready_too_long"])
    );
    assert_eq!(fact(&a, "gates"), "target-health.example.io/ready");
    assert_eq!(fact(&a, "ready"), "1/1");
}

#[test]
fn a_ready_pod_on_a_not_ready_node_is_unhealthy_naming_the_node() {
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        one_container(),
        json!({"phase": "Running", "conditions": [condition("Ready", "False", hours(1))],
            "containerStatuses": [container_status("c", true, 0, running_since(hours(2)))]}),
    );
    let snapshot = with_nodes(vec![node("node-1", "False", json!([]))]);
    let a = assess_in(&p, &snapshot, &Rules::default());
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Unhealthy, vec!["node_not_ready"])
    );
    assert_eq!(
        (fact(&a, "node"), fact(&a, "node_state")),
        ("node-1", "NotReady")
    );
    assert_eq!(fact(&a, "node_message"), "container runtime is down");
}

#[test]
fn a_pod_on_an_unreachable_or_deleted_node_is_on_a_lost_node() {
    // Unreachable: the node's `Ready` is Unknown, or it has no `Ready` but the unreachable taint.
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        one_container(),
        json!({"phase": "Running", "conditions": [condition("Ready", "False", hours(1))],
            "containerStatuses": [container_status("c", true, 0, running_since(hours(2)))]}),
    );
    let unreachable = json!([{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]);
    let mut tainted_only = node("node-1", "True", unreachable);
    tainted_only.status = None;
    for (nodes, state) in [
        (vec![node("node-1", "Unknown", json!([]))], "Unknown"),
        (vec![tainted_only], "Unknown"),
        (vec![node("node-2", "True", json!([]))], "Gone"),
    ] {
        let a = assess_in(&p, &with_nodes(nodes), &Rules::default());
        assert_eq!(codes(&a), ["node_lost"]);
        assert_eq!(fact(&a, "node_state"), state);
    }
}

#[test]
fn an_evicted_pod_whose_container_still_reads_container_creating_is_evicted_with_its_message() {
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        one_container(),
        json!({"phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: ephemeral-storage. ",
            "containerStatuses": [container_status("c", false, 0,
                json!({"waiting": {"reason": "ContainerCreating"}}))]}),
    );
    let a = assess_pod(&p);
    assert_eq!((a.health, codes(&a)), (Health::Unhealthy, vec!["evicted"]));
    assert_eq!(
        fact(&a, "message"),
        "The node was low on resource: ephemeral-storage. "
    );
    assert_eq!(fact(&a, "status"), "ContainerCreating");
}

#[test]
fn a_pod_disrupted_by_the_control_plane_is_evicted_with_the_conditions_reason() {
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        one_container(),
        json!({"phase": "Failed", "conditions": [{"type": "DisruptionTarget", "status": "True",
            "reason": "PreemptionByScheduler", "message": "preempted by a higher priority pod"}],
            "containerStatuses": [container_status("c", false, 0, terminated("Error", 137, hours(1)))]}),
    );
    let a = assess_pod(&p);
    assert_eq!(codes(&a), ["evicted"]);
    assert_eq!(
        (fact(&a, "reason"), fact(&a, "message")),
        (
            "PreemptionByScheduler",
            "preempted by a higher priority pod"
        )
    );
}

#[test]
fn admission_rejections_are_failures_with_the_message_as_evidence() {
    for reason in [
        "OutOfcpu",
        "OutOfmemory",
        "OutOfpods",
        "NodeAffinity",
        "UnexpectedAdmissionError",
    ] {
        let p = pod_of(
            owned_by("ReplicaSet", "web-1"),
            one_container(),
            json!({"phase": "Failed", "reason": reason,
                "message": format!("Pod was rejected: {reason}")}),
        );
        let a = assess_pod(&p);
        assert_eq!(
            (a.health, codes(&a)),
            (Health::Unhealthy, vec!["rejected"]),
            "{reason}"
        );
        assert_eq!(fact(&a, "reason"), reason);
        assert_eq!(fact(&a, "message"), format!("Pod was rejected: {reason}"));
    }
}

#[test]
fn a_pod_past_its_active_deadline_is_a_failure_that_keeps_the_pods_reason() {
    let p = pod_of(
        owned_by("Job", "j"),
        json!({"containers": [{"name": "c"}], "restartPolicy": "Never"}),
        json!({"phase": "Failed", "reason": "DeadlineExceeded",
            "message": "Pod was active on the node longer than the specified deadline",
            "containerStatuses": [container_status("c", false, 0, terminated("Error", 137, hours(1)))]}),
    );
    let a = assess_pod(&p);
    assert_eq!(codes(&a), ["failed"]);
    assert_eq!(fact(&a, "pod_reason"), "DeadlineExceeded");
}

fn deleting(mut p: Pod, since: SignedDuration) -> Pod {
    p.metadata.deletion_timestamp = Some(crate::model::Time(
        now() - since + SignedDuration::from_secs(30),
    ));
    p.metadata.deletion_grace_period_seconds = Some(30);
    p.metadata.finalizers = Some(Box::new(["batch.kubernetes.io/job-tracking".into()]));
    p
}

#[test]
fn a_succeeded_job_pod_deleting_for_three_days_is_stuck_and_names_its_finalizer() {
    let mut meta = owned_by("Job", "j");
    meta["creationTimestamp"] = json!(ago(hours(90)));
    let p = deleting(
        pod_of(
            meta,
            one_container(),
            json!({"phase": "Succeeded", "containerStatuses": [
                container_status("c", false, 0, terminated("Completed", 0, hours(80)))]}),
        ),
        hours(72),
    );
    let a = assess_pod(&p);
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Attention, vec!["stuck_terminating"])
    );
    assert_eq!(fact(&a, "finalizers"), "batch.kubernetes.io/job-tracking");
    assert_eq!(fact(&a, "status"), "Completed");
    assert_eq!(fact(&a, "since_ago"), "3d");
}

#[test]
fn pods_of_every_phase_are_stuck_when_deleting_past_the_grace_period() {
    for status in [
        json!({"phase": "Failed"}),
        json!({"phase": "Pending"}),
        running(true, 0),
    ] {
        let p = deleting(pod(hours(5), Some("ReplicaSet"), status.clone()), mins(16));
        assert_eq!(codes(&assess_pod(&p)), ["stuck_terminating"], "{status}");
        let p = deleting(pod(hours(5), Some("ReplicaSet"), status.clone()), mins(14));
        assert!(assess_pod(&p).findings.is_empty(), "{status}");
    }
}

#[test]
fn a_pod_deleting_on_an_unreachable_node_is_on_a_lost_node() {
    let p = deleting(
        pod_of(
            owned_by("ReplicaSet", "web-1"),
            one_container(),
            running(true, 0),
        ),
        mins(20),
    );
    let snapshot = with_nodes(vec![node("node-1", "Unknown", json!([]))]);
    assert_eq!(
        codes(&assess_in(&p, &snapshot, &Rules::default())),
        ["node_lost"]
    );
}

/// A pod of Deployment `web` (ReplicaSet `web-1`) stopped by a node shutdown.
fn shut_down(status: Value) -> Pod {
    let mut meta = owned_by("ReplicaSet", "web-1");
    meta["labels"] = json!({"pod-template-hash": "1"});
    meta["name"] = json!("web-1-old");
    pod_of(meta, one_container(), status)
}

fn ready_replacement() -> Pod {
    let mut meta = owned_by("ReplicaSet", "web-1");
    meta["labels"] = json!({"pod-template-hash": "1"});
    meta["name"] = json!("web-1-new");
    meta["creationTimestamp"] = json!(ago(hours(1)));
    pod_of(
        meta,
        one_container(),
        json!({"phase": "Running", "conditions": [condition("Ready", "True", hours(1))],
            "containerStatuses": [container_status("c", true, 0, running_since(hours(1)))]}),
    )
}

fn shutdown_statuses() -> Vec<Value> {
    let message = "Pod was terminated in response to imminent node shutdown.";
    let mut statuses: Vec<Value> = ["Terminated", "Shutdown", "NodeShutdown"]
        .iter()
        .map(|r| json!({"phase": "Failed", "reason": r, "message": message}))
        .collect();
    statuses.push(
        json!({"phase": "Failed", "conditions": [{"type": "DisruptionTarget",
        "status": "True", "reason": "TerminationByKubelet", "message": message}]}),
    );
    statuses
}

#[test]
fn a_pod_stopped_by_a_node_shutdown_and_replaced_by_a_ready_pod_is_a_leftover() {
    for status in shutdown_statuses() {
        let old = shut_down(status.clone());
        let snapshot = Snapshot {
            pods: vec![old.clone(), ready_replacement()],
            ..Snapshot::default()
        };
        let a = assess_in(&old, &snapshot, &Rules::default());
        assert_eq!(
            (a.health, codes(&a)),
            (Health::Attention, vec!["shutdown_leftover"]),
            "{status}"
        );
        assert_eq!(fact(&a, "ready_replacements"), "1");
    }
}

#[test]
fn a_pod_stopped_by_a_node_shutdown_with_nothing_ready_in_its_place_is_unhealthy() {
    for status in shutdown_statuses() {
        let old = shut_down(status.clone());
        let a = assess_pod(&old);
        assert_eq!(codes(&a), ["node_shutdown"], "{status}");
    }
}

#[test]
fn a_kubelet_eviction_is_an_eviction_not_a_shutdown() {
    let p = shut_down(json!({"phase": "Failed", "reason": "Evicted",
        "message": "The node was low on resource: memory.",
        "conditions": [{"type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet"}]}));
    assert_eq!(codes(&assess_pod(&p)), ["evicted"]);
}

fn restarted(count: i32, last: SignedDuration) -> Value {
    json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
        "ready": true, "restartCount": count, "state": running_since(last),
        "lastState": terminated("Error", 1, last)}]})
}

#[test]
fn many_restarts_long_ago_are_history_needing_attention_at_most_with_the_last_date() {
    let p = pod(
        hours(24 * 60),
        Some("ReplicaSet"),
        restarted(15, hours(24 * 30)),
    );
    let a = assess_pod(&p);
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Attention, vec!["restarts_long_ago"])
    );
    assert_eq!(fact(&a, "last_restart"), ago(hours(24 * 30)));
    assert_eq!(fact(&a, "window"), "7d");
}

#[test]
fn many_restarts_within_the_window_are_unhealthy() {
    let p = pod(
        hours(24 * 60),
        Some("ReplicaSet"),
        restarted(15, hours(24 * 6)),
    );
    assert_eq!(codes(&assess_pod(&p)), ["restarts_high"]);
    let rules = Rules {
        restart_window: hours(24 * 3),
        ..Rules::default()
    };
    let a = assess_in(&p, &Snapshot::default(), &rules);
    assert_eq!(
        codes(&a),
        ["restarts_long_ago"],
        "the window is configurable"
    );
}

#[test]
fn an_oom_kill_older_than_the_window_is_history() {
    let status = json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i",
        "imageID": "", "ready": true, "restartCount": 1, "state": running_since(hours(24 * 20)),
        "lastState": terminated("OOMKilled", 137, hours(24 * 20))}]});
    let p = pod(hours(24 * 60), Some("ReplicaSet"), status);
    assert_eq!(assess_pod(&p).health, Health::Healthy);
}

#[test]
fn a_container_that_crashed_and_will_be_restarted_is_crash_looping() {
    let status = json!({"phase": "Running", "containerStatuses": [
        container_status("c", false, 3, terminated("Error", 1, mins(1)))]});
    let a = assess_pod(&pod(hours(5), Some("ReplicaSet"), status));
    assert_eq!(codes(&a), ["crash_loop"]);
    assert_eq!(fact(&a, "status"), "Error");
}

#[test]
fn a_crash_loop_after_an_oom_kill_gives_the_containers_memory_limit() {
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        json!({"containers": [{"name": "c", "resources": {"limits": {"memory": "64Mi"}}}]}),
        json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
            "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": terminated("OOMKilled", 137, mins(2))}]}),
    );
    let a = assess_pod(&p);
    assert_eq!(codes(&a), ["crash_loop", "oom_killed_before"]);
    assert_eq!(a.findings[1].facts["memory_limit"], "64Mi");
}

#[test]
fn every_starting_status_is_fine_within_the_grace_period_and_unhealthy_past_it() {
    let one_init = json!({"containers": [{"name": "c"}], "initContainers": [{"name": "i"}]});
    let shapes = [
        (
            "Pending",
            json!({"containers": [{"name": "c"}]}),
            json!({"phase": "Pending"}),
        ),
        (
            "SchedulingGated",
            json!({"containers": [{"name": "c"}], "schedulingGates": [{"name": "g"}]}),
            json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                "reason": "SchedulingGated"}]}),
        ),
        (
            "ContainerCreating",
            one_container(),
            json!({"phase": "Pending", "containerStatuses": [
                container_status("c", false, 0, json!({"waiting": {"reason": "ContainerCreating"}}))]}),
        ),
        (
            "PodInitializing",
            one_container(),
            json!({"phase": "Pending", "containerStatuses": [
                container_status("c", false, 0, json!({"waiting": {"reason": "PodInitializing"}}))]}),
        ),
        (
            "Init:0/1",
            one_init,
            json!({"phase": "Pending", "initContainerStatuses": [
                container_status("i", false, 0, running_since(mins(1)))]}),
        ),
    ];
    for (status, spec, pod_status) in shapes {
        for (age, code) in [(mins(14), "starting"), (mins(16), "pending_too_long")] {
            // A gate is held on purpose: waiting there is starting, however long.
            let code = if status == "SchedulingGated" {
                "starting"
            } else {
                code
            };
            let mut meta = owned_by("ReplicaSet", "web-1");
            meta["creationTimestamp"] = json!(ago(age));
            let a = assess_pod(&pod_of(meta, spec.clone(), pod_status.clone()));
            assert_eq!(codes(&a), [code], "{status} after {age}");
            assert_eq!(fact(&a, "status"), status);
        }
    }
}

#[test]
fn every_not_ready_shape_is_fine_within_the_grace_period_and_unhealthy_past_it() {
    for (since, code) in [(mins(14), "not_ready"), (mins(16), "not_ready_too_long")] {
        for ready_containers in [true, false] {
            let p = pod_of(
                owned_by("ReplicaSet", "web-1"),
                one_container(),
                json!({"phase": "Running", "conditions": [condition("Ready", "False", since)],
                    "containerStatuses": [container_status("c", ready_containers, 0, running_since(hours(2)))]}),
            );
            assert_eq!(
                codes(&assess_pod(&p)),
                [code],
                "containers ready: {ready_containers}, since {since}"
            );
        }
    }
}

#[test]
fn a_pod_whose_phase_is_unknown_is_on_a_lost_node() {
    let p = pod(hours(5), Some("ReplicaSet"), json!({"phase": "Unknown"}));
    assert_eq!(codes(&assess_pod(&p)), ["node_lost"]);
}

#[test]
fn a_crash_loop_on_a_not_ready_node_is_still_a_crash_loop() {
    let status = json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i",
        "imageID": "", "ready": false, "restartCount": 4,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]});
    let p = pod_of(owned_by("ReplicaSet", "web-1"), one_container(), status);
    let snapshot = with_nodes(vec![node("node-1", "False", json!([]))]);
    let a = assess_in(&p, &snapshot, &Rules::default());
    assert_eq!(codes(&a), ["crash_loop"]);
}

#[test]
fn a_ready_node_keeps_its_pods_judged_by_themselves_even_with_a_stale_not_ready_taint() {
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        one_container(),
        json!({"phase": "Running", "conditions": [condition("Ready", "True", hours(1))],
            "containerStatuses": [container_status("c", true, 0, running_since(hours(2)))]}),
    );
    let taint = json!([{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]);
    let snapshot = with_nodes(vec![node("node-1", "True", taint)]);
    assert_eq!(
        assess_in(&p, &snapshot, &Rules::default()).health,
        Health::Healthy
    );
}

// ---- Review findings: each a kind of its own ----

fn job_pod(name: &str, job: &str, created: SignedDuration, status: Value) -> Pod {
    let mut meta = owned_by("Job", job);
    meta["name"] = json!(name);
    meta["creationTimestamp"] = json!(ago(created));
    pod_of(
        meta,
        json!({"containers": [{"name": "c"}], "restartPolicy": "Never"}),
        status,
    )
}

fn failed_run() -> Value {
    json!({"phase": "Failed", "containerStatuses": [
        container_status("c", false, 0, terminated("Error", 1, hours(1)))]})
}

fn succeeded_run() -> Value {
    json!({"phase": "Succeeded", "containerStatuses": [
        container_status("c", false, 0, terminated("Completed", 0, hours(1)))]})
}

#[test]
fn a_pod_of_a_failed_job_is_a_failure_even_when_parallel_siblings_succeeded() {
    let job: crate::model::Workload = serde_json::from_value(json!({
        "metadata": {"name": "par", "namespace": "ns"},
        "status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}}))
    .unwrap();
    let failed = job_pod("par-0", "par", hours(2), failed_run());
    let sibling = job_pod("par-1", "par", hours(2), succeeded_run());
    let mut snapshot = Snapshot {
        pods: vec![failed.clone(), sibling.clone()],
        ..Snapshot::default()
    };
    assert_eq!(
        codes(&assess_in(&failed, &snapshot, &Rules::default())),
        ["failed"],
        "created in the same second: not later"
    );
    snapshot.pods[1] = job_pod("par-1", "par", hours(1), succeeded_run());
    snapshot.workloads.jobs.push(job);
    assert_eq!(
        codes(&assess_in(&failed, &snapshot, &Rules::default())),
        ["failed"],
        "the Job itself failed"
    );
}

#[test]
fn a_failed_run_of_a_cron_job_whose_later_run_completed_needs_attention_only() {
    let cron_owned = |name: &str, created: SignedDuration, complete: bool| {
        serde_json::from_value::<crate::model::Workload>(json!({
            "metadata": {"name": name, "namespace": "ns", "creationTimestamp": ago(created),
                "ownerReferences": [{"kind": "CronJob", "name": "backup", "controller": true}]},
            "status": {"conditions": [{"type": if complete { "Complete" } else { "Failed" }, "status": "True"}]}}))
        .unwrap()
    };
    let old = job_pod("backup-100-x", "backup-100", hours(72), failed_run());
    let mut snapshot = Snapshot {
        pods: vec![old.clone()],
        ..Snapshot::default()
    };
    snapshot.workloads.jobs = vec![
        cron_owned("backup-100", hours(72), false),
        cron_owned("backup-200", hours(48), true),
    ];
    let a = assess_in(&old, &snapshot, &Rules::default());
    assert_eq!(
        (a.health, codes(&a)),
        (Health::Attention, vec!["failed_attempt"])
    );
    assert_eq!(fact(&a, "later_success"), "cron_job");
}

#[test]
fn a_finished_pod_is_not_judged_by_its_restarts() {
    let mut meta = owned_by("Job", "etl-1");
    meta["name"] = json!("etl-1-x");
    let p = pod_of(
        meta,
        json!({"containers": [{"name": "c"}], "restartPolicy": "OnFailure"}),
        json!({"phase": "Succeeded", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
            "ready": false, "restartCount": 12, "state": terminated("Completed", 0, hours(1)),
            "lastState": terminated("Error", 1, hours(2))}]}),
    );
    assert_eq!(assess_pod(&p).health, Health::Healthy);
}

fn main_done_beside(owner: Value, policy: &str, other: &str) -> Pod {
    pod_of(
        owner,
        json!({"containers": [{"name": "main"}, {"name": other}], "restartPolicy": policy}),
        json!({"phase": "Running", "conditions": [condition("Ready", "False", hours(1))],
            "containerStatuses": [
                container_status("main", false, 0, terminated("Completed", 0, hours(1))),
                container_status(other, true, 0, running_since(hours(2)))]}),
    )
}

#[test]
fn a_proxy_holding_open_any_pod_meant_to_end_blocks_it_not_only_a_jobs() {
    for owner in [owned_by("Workflow", "nightly"), json!({})] {
        let p = main_done_beside(owner.clone(), "Never", "istio-proxy");
        assert_eq!(codes(&assess_pod(&p)), ["sidecar_blocks_job"], "{owner}");
    }
}

#[test]
fn a_second_worker_still_running_in_a_job_pod_is_work_in_progress() {
    let p = main_done_beside(owned_by("Job", "train-1"), "Never", "train");
    assert_eq!(assess_pod(&p).health, Health::Healthy);
}

#[test]
fn a_failed_main_container_beside_a_running_proxy_names_the_proxy() {
    let p = pod_of(
        owned_by("Job", "migrate"),
        json!({"containers": [{"name": "migrate"}, {"name": "istio-proxy"}], "restartPolicy": "Never"}),
        json!({"phase": "Running", "containerStatuses": [
            container_status("migrate", false, 0, terminated("Error", 1, hours(1))),
            container_status("istio-proxy", true, 0, running_since(hours(2)))]}),
    );
    let a = assess_pod(&p);
    assert_eq!(codes(&a), ["failed"]);
    assert_eq!(fact(&a, "still_running"), "istio-proxy");
}

#[test]
fn older_siblings_do_not_replace_a_pod_lost_to_a_node_shutdown() {
    let sibling = |name: &str| {
        let mut p = ready_replacement();
        p.metadata.name = Some(name.into());
        p.metadata.creation_timestamp = Some(crate::model::Time(now() - hours(50)));
        p
    };
    let lost = shut_down(shutdown_statuses()[0].clone());
    let snapshot = Snapshot {
        pods: vec![sibling("web-1-a"), sibling("web-1-b"), lost.clone()],
        ..Snapshot::default()
    };
    assert_eq!(
        codes(&assess_in(&lost, &snapshot, &Rules::default())),
        ["node_shutdown"]
    );
}

#[test]
fn a_pod_a_node_shutdown_left_completed_is_judged_as_a_shutdown() {
    let p = shut_down(json!({"phase": "Succeeded", "reason": "Terminated",
        "message": "Pod was terminated in response to imminent node shutdown."}));
    assert_eq!(codes(&assess_pod(&p)), ["node_shutdown"]);
}

#[test]
fn a_kubelet_preemption_without_a_disruption_condition_is_an_eviction() {
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        one_container(),
        json!({"phase": "Failed", "reason": "Preempting",
            "message": "Preempted in order to admit critical pod"}),
    );
    assert_eq!(codes(&assess_pod(&p)), ["evicted"]);
}

#[test]
fn a_completed_mirror_pod_is_a_leftover() {
    let p = pod_of(
        owned_by("Node", "node-1"),
        one_container(),
        json!({"phase": "Succeeded"}),
    );
    assert_eq!(codes(&assess_pod(&p)), ["leftover_completed"]);
}

#[test]
fn an_absurd_grace_period_does_not_panic() {
    let mut p = pod(hours(5), Some("ReplicaSet"), running(true, 0));
    p.metadata.deletion_timestamp = Some(crate::model::Time(now()));
    p.metadata.deletion_grace_period_seconds = Some(i64::MAX);
    let _ = assess_pod(&p);
}

#[test]
fn a_pod_within_its_own_long_grace_period_is_not_stuck() {
    let mut p = pod(hours(5), Some("StatefulSet"), running(true, 0));
    // Asked for 20 minutes ago with an hour to stop.
    p.metadata.deletion_timestamp = Some(crate::model::Time(now() + mins(40)));
    p.metadata.deletion_grace_period_seconds = Some(3600);
    assert!(assess_pod(&p).findings.is_empty());
}

#[test]
fn restarts_are_recent_per_container_not_per_pod() {
    let p = pod_of(
        owned_by("ReplicaSet", "web-1"),
        json!({"containers": [{"name": "a"}, {"name": "b"}]}),
        json!({"phase": "Running", "conditions": [condition("Ready", "True", hours(1))],
            "containerStatuses": [
                {"name": "a", "image": "i", "imageID": "", "ready": true, "restartCount": 20,
                    "state": running_since(hours(240)), "lastState": terminated("Error", 1, hours(240))},
                {"name": "b", "image": "i", "imageID": "", "ready": true, "restartCount": 1,
                    "state": running_since(hours(1)), "lastState": terminated("Error", 1, hours(1))}]}),
    );
    let a = assess_pod(&p);
    assert_eq!(codes(&a), ["restarts_long_ago"]);
    assert_eq!(fact(&a, "recent_restarts"), "1");
}

#[test]
fn a_deletion_is_never_asked_for_before_the_pod_was_created() {
    let mut p = pod(hours(5), Some("ReplicaSet"), running(true, 0));
    p.metadata.deletion_timestamp = Some(crate::model::Time(now() - hours(1)));
    p.metadata.deletion_grace_period_seconds = Some(i64::MAX);
    let requested = crate::analyze::pod::deletion_requested_at(&p).unwrap();
    assert_eq!(requested, now() - hours(5), "clamped to the creation");
}
