//! Verdicts come from the pod's facts, not its STATUS string. Pod shapes taken from public bug
//! reports (kubectl, k9s, k8sgpt, kube-state-metrics) are loaded into both real API servers
//! (1.37 and 1.34, which print STATUS differently); kube-patrol's cells must equal each
//! server's table, and its verdicts must be the same for both servers, live and from a dump.

mod common;

use std::path::Path;

use common::*;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

fn ago(seconds: i64) -> String {
    (Timestamp::now() - SignedDuration::from_secs(seconds)).to_string()
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

fn running(since: i64) -> Value {
    json!({"running": {"startedAt": ago(since)}})
}

fn terminated(reason: &str, exit: i32, finished: i64) -> Value {
    json!({"terminated": {"reason": reason, "exitCode": exit,
        "startedAt": ago(finished + 60), "finishedAt": ago(finished)}})
}

fn cs(name: &str, ready: bool, restarts: i32, state: Value) -> Value {
    json!({"name": name, "image": "busybox", "imageID": "", "ready": ready,
        "restartCount": restarts, "state": state})
}

fn condition(kind: &str, status: &str, since: i64) -> Value {
    json!({"type": kind, "status": status, "lastTransitionTime": ago(since)})
}

fn containers(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|n| json!({"name": n, "image": "busybox"}))
        .collect()
}

fn owner(kind: &str, name: &str) -> Value {
    let api_version = match kind {
        "Job" => "batch/v1",
        "Workflow" => "argoproj.io/v1alpha1",
        _ => "apps/v1",
    };
    json!([{"apiVersion": api_version, "kind": kind, "name": name,
        "uid": "00000000-0000-0000-0000-000000000001", "controller": true}])
}

/// Pods created after the others: a ready replacement, a later attempt that succeeded.
const LATER: [&str; 2] = ["job-retried-2", "web-7d4b9c-new"];

/// One pod to load, and what kube-patrol must say of it an hour after it was loaded.
struct Shape {
    meta: Value,
    spec: Value,
    status: Value,
    deleting: bool,
    /// The most severe problem code, or `None` for a healthy pod.
    code: Option<&'static str>,
    health: &'static str,
}

fn shape(meta: Value, spec: Value, status: Value, code: Option<&'static str>) -> Shape {
    let health = match code {
        None => "healthy",
        Some(
            "failed_attempt" | "shutdown_leftover" | "stuck_terminating" | "restarts_long_ago"
            | "leftover_completed",
        ) => "attention",
        Some(_) => "unhealthy",
    };
    Shape {
        meta,
        spec,
        status,
        deleting: false,
        code,
        health,
    }
}

fn named(name: &str, extra: Value) -> Value {
    let mut meta = json!({"name": name});
    meta.as_object_mut()
        .unwrap()
        .extend(extra.as_object().cloned().unwrap_or_default());
    meta
}

/// The shapes, on nodes `ready_node`, `not_ready_node` and `lost_node`.
fn shapes(ready_node: &str, not_ready_node: &str, lost_node: &str) -> Vec<Shape> {
    let on =
        |node: &str, names: &[&str]| json!({"nodeName": node, "containers": containers(names)});
    let job = |names: &[&str]| json!({"nodeName": ready_node, "restartPolicy": "Never", "containers": containers(names)});
    let shutdown = json!({"phase": "Failed", "reason": "Terminated",
        "message": "Pod was terminated in response to imminent node shutdown."});
    let web = |name: &str| {
        named(
            name,
            json!({"ownerReferences": owner("ReplicaSet", "web-7d4b9c"),
        "labels": {"app": "web", "pod-template-hash": "7d4b9c"}}),
        )
    };
    let mut all = vec![
        // A Job pod whose second container failed: `Completed` on 1.34, `Error` on 1.37.
        shape(
            named(
                "job-second-container-failed",
                json!({"ownerReferences": owner("Job", "report-1")}),
            ),
            job(&["prepare", "upload"]),
            json!({"phase": "Failed", "containerStatuses": [
                cs("prepare", false, 0, terminated("Completed", 0, HOUR)),
                cs("upload", false, 0, terminated("Error", 1, HOUR))]}),
            Some("failed"),
        ),
        // A failed attempt of a Job whose later pod succeeded.
        shape(
            named(
                "job-retried-1",
                json!({"ownerReferences": owner("Job", "sync-1")}),
            ),
            job(&["sync"]),
            json!({"phase": "Failed", "containerStatuses": [
                cs("sync", false, 0, terminated("Error", 2, 2 * HOUR))]}),
            Some("failed_attempt"),
        ),
        shape(
            named(
                "job-retried-2",
                json!({"ownerReferences": owner("Job", "sync-1")}),
            ),
            job(&["sync"]),
            json!({"phase": "Succeeded", "containerStatuses": [
                cs("sync", false, 0, terminated("Completed", 0, HOUR))]}),
            None,
        ),
        // A native sidecar killed after the main container completed.
        shape(
            named(
                "job-native-sidecar",
                json!({"ownerReferences": owner("Job", "etl-1")}),
            ),
            json!({"nodeName": ready_node, "restartPolicy": "Never", "containers": containers(&["etl"]),
                "initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]}),
            json!({"phase": "Succeeded", "conditions": [condition("Initialized", "True", 2 * HOUR)],
                "initContainerStatuses": [cs("proxy", false, 0, terminated("Error", 137, HOUR))],
                "containerStatuses": [cs("etl", false, 0, terminated("Completed", 0, HOUR))]}),
            None,
        ),
        // A mesh proxy (not a native sidecar) keeps a finished Job's pod running: NotReady.
        shape(
            named(
                "job-held-by-proxy",
                json!({"ownerReferences": owner("Job", "migrate-1")}),
            ),
            job(&["migrate", "istio-proxy"]),
            json!({"phase": "Running", "conditions": [condition("Ready", "False", 40 * 60)],
                "containerStatuses": [
                    cs("migrate", false, 0, terminated("Completed", 0, 40 * 60)),
                    cs("istio-proxy", true, 0, running(2 * HOUR))]}),
            Some("sidecar_blocks_job"),
        ),
        // An Argo Workflow's step that completed: finished as designed.
        shape(
            named(
                "workflow-step",
                json!({"ownerReferences": owner("Workflow", "nightly")}),
            ),
            on(ready_node, &["main"]),
            json!({"phase": "Succeeded", "containerStatuses": [
                cs("main", false, 0, terminated("Completed", 0, HOUR))]}),
            None,
        ),
        // An OOMKilled Job container: its memory limit is evidence.
        shape(
            named(
                "job-oom",
                json!({"ownerReferences": owner("Job", "resize-1")}),
            ),
            json!({"nodeName": ready_node, "restartPolicy": "Never", "containers": [{"name": "resize",
                "image": "busybox", "resources": {"limits": {"memory": "64Mi"}, "requests": {"memory": "32Mi"}}}]}),
            json!({"phase": "Failed", "containerStatuses": [
                cs("resize", false, 0, terminated("OOMKilled", 137, HOUR))]}),
            Some("oom_killed"),
        ),
        // READY 1/1, but a readiness gate is False: the pod gets no traffic.
        shape(
            named("gate-false", json!({})),
            json!({"nodeName": ready_node, "containers": containers(&["app"]),
                "readinessGates": [{"conditionType": "target-health.example.io/ready"}]}),
            json!({"phase": "Running", "conditions": [
                condition("Ready", "False", HOUR), condition("ContainersReady", "True", 2 * HOUR),
                condition("target-health.example.io/ready", "False", HOUR)],
                "containerStatuses": [cs("app", true, 0, running(2 * HOUR))]}),
            Some("not_ready_too_long"),
        ),
        // Containers report ready, but the node is NotReady or stopped reporting.
        shape(
            named("on-not-ready-node", json!({})),
            on(not_ready_node, &["app"]),
            json!({"phase": "Running", "conditions": [condition("Ready", "False", HOUR)],
                "containerStatuses": [cs("app", true, 0, running(2 * HOUR))]}),
            Some("node_not_ready"),
        ),
        shape(
            named("on-lost-node", json!({})),
            on(lost_node, &["app"]),
            json!({"phase": "Running", "conditions": [condition("Ready", "False", HOUR)],
                "containerStatuses": [cs("app", true, 0, running(2 * HOUR))]}),
            Some("node_lost"),
        ),
        // Evicted, while its container status still reads ContainerCreating.
        shape(
            named("evicted-while-creating", json!({})),
            on(ready_node, &["app"]),
            json!({"phase": "Failed", "reason": "Evicted",
                "message": "The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, available: 512Mi. ",
                "containerStatuses": [cs("app", false, 0, json!({"waiting": {"reason": "ContainerCreating"}}))]}),
            Some("evicted"),
        ),
        // Preempted by the scheduler: the DisruptionTarget condition says so.
        shape(
            named("preempted", json!({})),
            on(ready_node, &["app"]),
            json!({"phase": "Failed", "conditions": [{"type": "DisruptionTarget", "status": "True",
                "reason": "PreemptionByScheduler", "message": "Preempted in order to admit critical pod"}],
                "containerStatuses": [cs("app", false, 0, terminated("Error", 137, HOUR))]}),
            Some("evicted"),
        ),
        // Refused by the kubelet at admission.
        shape(
            named("out-of-cpu", json!({})),
            on(ready_node, &["app"]),
            json!({"phase": "Failed", "reason": "OutOfcpu",
                "message": "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 3500, capacity: 4000"}),
            Some("rejected"),
        ),
        shape(
            named("unexpected-admission-error", json!({})),
            on(ready_node, &["app"]),
            json!({"phase": "Failed", "reason": "UnexpectedAdmissionError",
                "message": "Allocate failed due to can't allocate unhealthy devices nvidia.com/gpu"}),
            Some("rejected"),
        ),
        // Node shutdown leftovers: replaced by a ready pod, or not.
        shape(
            web("web-7d4b9c-old1"),
            on(ready_node, &["app"]),
            shutdown.clone(),
            Some("shutdown_leftover"),
        ),
        shape(
            web("web-7d4b9c-old2"),
            on(ready_node, &["app"]),
            json!({"phase": "Failed", "conditions": [{"type": "DisruptionTarget", "status": "True",
                "reason": "TerminationByKubelet", "message": "Pod was terminated in response to imminent node shutdown."}]}),
            Some("shutdown_leftover"),
        ),
        shape(
            web("web-7d4b9c-new"),
            on(ready_node, &["app"]),
            json!({"phase": "Running", "conditions": [condition("Ready", "True", HOUR)],
                "containerStatuses": [cs("app", true, 0, running(HOUR))]}),
            None,
        ),
        shape(
            named(
                "lone-5c6d7-x",
                json!({"ownerReferences": owner("ReplicaSet", "lone-5c6d7"),
                "labels": {"app": "lone", "pod-template-hash": "5c6d7"}}),
            ),
            on(ready_node, &["app"]),
            shutdown,
            Some("node_shutdown"),
        ),
        // Restarted often, but not in the last week.
        shape(
            named("restarts-long-ago", json!({})),
            on(ready_node, &["app"]),
            json!({"phase": "Running", "conditions": [condition("Ready", "True", 30 * DAY)],
                "containerStatuses": [{"name": "app", "image": "busybox", "imageID": "", "ready": true,
                    "restartCount": 15, "state": running(30 * DAY),
                    "lastState": terminated("Error", 1, 30 * DAY)}]}),
            Some("restarts_long_ago"),
        ),
    ];
    // Being deleted, held by a finalizer: stuck an hour later, whatever the phase.
    for (name, status) in [
        (
            "succeeded-job-deleting",
            json!({"phase": "Succeeded", "containerStatuses": [
                cs("app", false, 0, terminated("Completed", 0, 3 * DAY))]}),
        ),
        (
            "failed-deleting",
            json!({"phase": "Failed", "containerStatuses": [
                cs("app", false, 0, terminated("Error", 1, DAY))]}),
        ),
        (
            "running-deleting",
            json!({"phase": "Running", "containerStatuses": [cs("app", true, 0, running(DAY))]}),
        ),
    ] {
        let mut s = shape(
            named(name, json!({"ownerReferences": owner("Job", "cleanup-1")})),
            on(ready_node, &["app"]),
            status,
            Some("stuck_terminating"),
        );
        s.deleting = true;
        all.push(s);
    }
    all
}

async fn create_node(client: &kube::Client, name: &str, ready: &str, taints: Value) {
    let api: Api<Node> = Api::all(client.clone());
    let node: Node =
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": {"taints": taints}}))
            .unwrap();
    api.create(&PostParams::default(), &node)
        .await
        .expect("create node");
    let status = json!({"status": {"conditions": [{"type": "Ready", "status": ready,
        "reason": "KubeletNotReady", "message": "container runtime network not ready",
        "lastHeartbeatTime": ago(60), "lastTransitionTime": ago(HOUR)}]}});
    api.patch_status(name, &PatchParams::default(), &Patch::Merge(status))
        .await
        .expect("set node status");
}

/// Loads the nodes and shapes into a namespace of one server; the shapes, by pod name.
async fn load(client: &kube::Client, namespace: &str) -> Vec<(String, Shape)> {
    create_namespace(client, namespace).await;
    let ready = format!("{namespace}-ready");
    let not_ready = format!("{namespace}-not-ready");
    let lost = format!("{namespace}-lost");
    create_node(client, &ready, "True", json!([])).await;
    create_node(
        client,
        &not_ready,
        "False",
        json!([{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]),
    )
    .await;
    create_node(
        client,
        &lost,
        "Unknown",
        json!([{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]),
    )
    .await;
    let mut loaded = Vec::new();
    // The pods that come later (a replacement, a later attempt) are created a second after
    // the others: creation times have whole seconds.
    let shapes = shapes(&ready, &not_ready, &lost);
    let is_later = |s: &Shape| LATER.contains(&s.meta["name"].as_str().unwrap_or_default());
    let (first, then): (Vec<Shape>, Vec<Shape>) = shapes.into_iter().partition(|s| !is_later(s));
    for s in first.into_iter().chain(then) {
        if is_later(&s) && loaded.iter().all(|(_, l)| !is_later(l)) {
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        let name = s.meta["name"].as_str().unwrap().to_owned();
        let mut meta = s.meta.clone();
        if s.deleting {
            meta["finalizers"] = json!(["example.com/hold"]);
        }
        create_pod_with_meta(client, namespace, meta, s.spec.clone(), s.status.clone()).await;
        if s.deleting {
            start_deleting(client, namespace, &name).await;
        }
        loaded.push((name, s));
    }
    loaded
}

/// kube-patrol's JSON report of a namespace, live or from a dump, at `now`.
fn report(kubeconfig: &Path, namespace: &str, dump: Option<&Path>, now: &str) -> Value {
    let kubeconfig = kubeconfig.to_str().unwrap();
    let mut args = vec!["report", "-n", namespace, "--now", now, "-o", "json"];
    match dump {
        Some(path) => args.extend(["--from-dump", path.to_str().unwrap()]),
        None => args.extend(["--kubeconfig", kubeconfig]),
    }
    // Exit 4 (a dump has no logs) still writes the whole report.
    let out = kube_patrol(&args);
    assert!(
        matches!(out.status.code(), Some(0 | 4)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn pod<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("pod {name} in the report"))
}

/// Every shape's verdict, listing all the differences at once.
fn assert_verdicts(report: &Value, shapes: &[(String, Shape)], how: &str) {
    let mut wrong = Vec::new();
    for (name, shape) in shapes {
        let p = pod(report, name);
        let code = p["problems"][0]["code"].as_str();
        if code != shape.code || p["health"] != shape.health {
            wrong.push(format!(
                "{name}: {} {:?}, expected {} {:?} (STATUS {})",
                p["health"], code, shape.health, shape.code, p["status"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{how}:\n{}", wrong.join("\n"));
}

/// What the evidence says of the shapes whose facts are not in STATUS.
fn assert_evidence(report: &Value, not_ready_node: &str) {
    let gate = pod(report, "gate-false");
    assert_eq!(
        gate["evidence"]["failing_readiness_gates"],
        json!(["target-health.example.io/ready"])
    );
    let node = &pod(report, "on-not-ready-node")["evidence"]["node"];
    assert_eq!(
        (node["name"].as_str(), node["state"].as_str()),
        (Some(not_ready_node), Some("NotReady"))
    );
    let evicted = pod(report, "evicted-while-creating");
    assert_eq!(evicted["evidence"]["reason"], "Evicted");
    assert!(
        evicted["analysis"]
            .to_string()
            .contains("ephemeral-storage")
    );
    assert_eq!(
        pod(report, "succeeded-job-deleting")["evidence"]["finalizers"],
        json!(["example.com/hold"])
    );
    let proxy = &pod(report, "job-held-by-proxy")["problems"][0]["evidence"];
    assert_eq!(proxy["still_running"], "istio-proxy");
    let oom = &pod(report, "job-oom")["evidence"]["containers"][0];
    assert_eq!(
        (oom["memory_limit"].as_str(), oom["memory_request"].as_str()),
        (Some("64Mi"), Some("32Mi"))
    );
    let rejected = &pod(report, "out-of-cpu")["problems"][0]["evidence"];
    assert!(
        rejected["message"]
            .as_str()
            .unwrap()
            .contains("enough resource: cpu")
    );
}

#[tokio::test]
async fn every_shape_gets_its_verdict_from_facts_on_both_servers_live_and_from_a_dump() {
    for (kubeconfig, version) in servers().await {
        let client = client_for(&kubeconfig).await;
        let namespace = unique("kp-verdicts");
        let shapes = load(&client, &namespace).await;

        // The cells are the server's own, whatever its release.
        let (table, now) = server_pod_table(&client, &namespace).await;
        let at_load = report(&kubeconfig, &namespace, None, &now);
        assert_same_cells(&table, &patrol_cells(&at_load.to_string()));

        // An hour later every grace period has passed.
        let later = (now.parse::<Timestamp>().unwrap() + SignedDuration::from_hours(1)).to_string();
        let live = report(&kubeconfig, &namespace, None, &later);
        assert_verdicts(&live, &shapes, &format!("{version} live"));
        assert_evidence(&live, &format!("{namespace}-not-ready"));

        let dir = tempfile::tempdir().unwrap();
        let dump = dir.path().join("dump.json");
        std::fs::write(&dump, kubectl_dump_of(&kubeconfig)).unwrap();
        let from_dump = report(&kubeconfig, &namespace, Some(&dump), &later);
        assert_verdicts(&from_dump, &shapes, &format!("{version} from a dump"));
        assert_evidence(&from_dump, &format!("{namespace}-not-ready"));
    }
}
