//! The pod columns kube-patrol prints are exactly the API server's own table
//! (`kubectl get pods -o wide`), for every pod shape of `shared/kubectl-columns.md`, read live
//! and from a dump.

mod common;

use common::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

fn ago(seconds: i64) -> String {
    (Timestamp::now() - SignedDuration::from_secs(seconds)).to_string()
}

fn running(since: i64) -> Value {
    json!({"running": {"startedAt": ago(since)}})
}

fn terminated(reason: Option<&str>, exit: i32, signal: Option<i32>, finished: i64) -> Value {
    let mut t =
        json!({"exitCode": exit, "startedAt": ago(finished + 60), "finishedAt": ago(finished)});
    if let Some(r) = reason {
        t["reason"] = json!(r);
    }
    if let Some(s) = signal {
        t["signal"] = json!(s);
    }
    json!({"terminated": t})
}

fn waiting(reason: &str) -> Value {
    json!({"waiting": {"reason": reason}})
}

/// A container status; `last` is the finishedAt (seconds ago) of the last restart, if any.
fn cs(name: &str, ready: bool, restarts: i32, state: Value, last: Option<i64>) -> Value {
    let mut s = json!({"name": name, "image": "busybox", "imageID": "", "ready": ready,
                       "restartCount": restarts, "state": state});
    if let Some(l) = last {
        s["lastState"] = terminated(Some("Error"), 1, None, l);
    }
    s
}

fn started(mut status: Value, started: bool) -> Value {
    status["started"] = json!(started);
    status
}

fn condition(kind: &str, value: &str, reason: Option<&str>) -> Value {
    let mut c = json!({"type": kind, "status": value, "lastTransitionTime": ago(30)});
    if let Some(r) = reason {
        c["reason"] = json!(r);
    }
    c
}

fn container(name: &str) -> Value {
    json!({"name": name, "image": "busybox"})
}

fn sidecar(name: &str) -> Value {
    json!({"name": name, "image": "busybox", "restartPolicy": "Always"})
}

fn spec(containers: &[&str], inits: Vec<Value>) -> Value {
    json!({
        "nodeName": "node-a",
        "containers": containers.iter().map(|c| container(c)).collect::<Vec<_>>(),
        "initContainers": inits,
    })
}

struct Shape {
    name: &'static str,
    spec: Value,
    status: Value,
    deleting: bool,
}

fn shape(name: &'static str, spec: Value, status: Value) -> Shape {
    Shape {
        name,
        spec,
        status,
        deleting: false,
    }
}

fn deleting(mut s: Shape) -> Shape {
    s.deleting = true;
    s
}

/// Every row of the spec's vector table, and a few more shapes an operator meets.
fn shapes() -> Vec<Shape> {
    let two = spec(&["c0", "c1"], vec![]);
    let one = spec(&["c0"], vec![]);
    let one_init = spec(&["c0"], vec![container("i0")]);
    let two_inits = spec(&["c0"], vec![container("i0"), container("i1")]);
    let sidecars = spec(&["c0"], vec![sidecar("s0"), sidecar("s1")]);
    vec![
        shape(
            "phase-only",
            two.clone(),
            json!({"phase": "Pending", "containerStatuses": [
            cs("c0", true, 3, running(100), None), cs("c1", false, 3, json!({}), None)]}),
        ),
        shape(
            "waiting-sibling",
            two.clone(),
            json!({"phase": "Running", "containerStatuses": [
            cs("c0", true, 3, running(100), None), cs("c1", false, 3, waiting("ContainerCreating"), None)]}),
        ),
        shape(
            "first-container-wins",
            two.clone(),
            json!({"phase": "Running", "containerStatuses": [
            cs("c0", false, 3, waiting("CrashLoopBackOff"), None), cs("c1", false, 3, terminated(Some("Error"), 1, None, 50), None)]}),
        ),
        shape(
            "status-reason",
            two.clone(),
            json!({"phase": "Failed", "reason": "Evicted", "containerStatuses": [
            cs("c0", true, 3, running(100), None), cs("c1", false, 3, json!({}), None)]}),
        ),
        shape(
            "completed-no-ready-condition",
            two.clone(),
            json!({"phase": "Running", "containerStatuses": [
            cs("c0", false, 3, terminated(Some("Completed"), 0, None, 50), None), cs("c1", true, 3, running(100), None)]}),
        ),
        shape(
            "completed-ready-condition",
            two.clone(),
            json!({"phase": "Running",
            "conditions": [condition("Ready", "True", None)], "containerStatuses": [
            cs("c0", false, 3, terminated(Some("Completed"), 0, None, 50), None), cs("c1", true, 3, running(100), None)]}),
        ),
        shape(
            "init-running",
            one_init.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [cs("i0", false, 3, running(5), Some(10))],
            "containerStatuses": [cs("c0", false, 0, waiting("PodInitializing"), None)]}),
        ),
        shape(
            "second-init-running",
            two_inits.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [cs("i0", false, 0, terminated(Some("Completed"), 0, None, 60), None),
                                      cs("i1", false, 3, running(5), Some(10))],
            "containerStatuses": [cs("c0", false, 0, waiting("PodInitializing"), None)]}),
        ),
        shape(
            "init-restarts-add-up",
            two_inits.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [cs("i0", false, 2, terminated(Some("Completed"), 0, None, 60), Some(120)),
                                      cs("i1", false, 3, running(5), Some(10))],
            "containerStatuses": [cs("c0", false, 0, waiting("PodInitializing"), None)]}),
        ),
        shape(
            "inits-done-container-not-ready",
            two_inits.clone(),
            json!({"phase": "Running",
            "conditions": [condition("Initialized", "True", None)],
            "initContainerStatuses": [cs("i0", false, 2, terminated(Some("Completed"), 0, None, 600), Some(900)),
                                      cs("i1", false, 0, terminated(Some("Completed"), 0, None, 500), None)],
            "containerStatuses": [cs("c0", false, 4, running(15), Some(20))]}),
        ),
        shape(
            "latest-restart-wins",
            two.clone(),
            json!({"phase": "Running", "containerStatuses": [
            cs("c0", true, 6, running(100), Some(5 * 86400)), cs("c1", true, 3, running(100), Some(20 * 86400))]}),
        ),
        shape(
            "scheduling-gated",
            json!({"containers": [container("c0")]}),
            json!({"phase": "Pending",
            "conditions": [condition("PodScheduled", "False", Some("SchedulingGated"))]}),
        ),
        shape(
            "succeeded",
            one.clone(),
            json!({"phase": "Succeeded", "containerStatuses": [
            cs("c0", false, 0, terminated(Some("Completed"), 0, None, 50), None)]}),
        ),
        shape(
            "failed",
            one.clone(),
            json!({"phase": "Failed", "containerStatuses": [
            cs("c0", false, 0, terminated(Some("Error"), 1, None, 50), None)]}),
        ),
        deleting(shape(
            "succeeded-deleting",
            one.clone(),
            json!({"phase": "Succeeded", "containerStatuses": [
            cs("c0", false, 0, terminated(Some("Completed"), 0, None, 50), None)]}),
        )),
        deleting(shape(
            "running-deleting",
            one.clone(),
            json!({"phase": "Running", "containerStatuses": [
            cs("c0", false, 0, running(100), None)]}),
        )),
        deleting(shape(
            "pending-deleting",
            one.clone(),
            json!({"phase": "Pending"}),
        )),
        shape(
            "sidecar-not-started",
            sidecars.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [started(cs("s0", false, 3, running(5), Some(10)), false),
                                      started(cs("s1", false, 0, waiting("PodInitializing"), None), false)],
            "containerStatuses": [cs("c0", false, 0, waiting("PodInitializing"), None)]}),
        ),
        shape(
            "second-sidecar-not-started",
            sidecars.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [started(cs("s0", false, 3, running(5), Some(10)), true),
                                      started(cs("s1", false, 0, running(3), None), false)],
            "containerStatuses": [cs("c0", false, 0, waiting("PodInitializing"), None)]}),
        ),
        shape(
            "sidecars-started-not-ready",
            sidecars.clone(),
            json!({"phase": "Running",
            "conditions": [condition("Initialized", "True", None)],
            "initContainerStatuses": [started(cs("s0", false, 3, running(5), Some(10)), true),
                                      started(cs("s1", false, 0, running(3), None), true)],
            "containerStatuses": [cs("c0", true, 4, running(2), Some(60))]}),
        ),
        shape(
            "succeeded-with-sidecars",
            sidecars.clone(),
            json!({"phase": "Succeeded",
            "conditions": [condition("Initialized", "True", None)],
            "initContainerStatuses": [started(cs("s0", false, 3, terminated(Some("Error"), 137, None, 5), Some(10)), false),
                                      started(cs("s1", false, 0, terminated(Some("Error"), 137, None, 5), None), false)],
            "containerStatuses": [cs("c0", false, 4, terminated(Some("Completed"), 0, None, 8), Some(60))]}),
        ),
        shape(
            "init-exit-code",
            one_init.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [cs("i0", false, 0, terminated(None, 1, None, 5), None)]}),
        ),
        shape(
            "init-signal",
            one_init.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [cs("i0", false, 0, terminated(None, 0, Some(9), 5), None)]}),
        ),
        shape(
            "init-crashloop",
            one_init.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [cs("i0", false, 4, waiting("CrashLoopBackOff"), Some(30))]}),
        ),
        shape(
            "init-pod-initializing",
            one_init.clone(),
            json!({"phase": "Pending",
            "initContainerStatuses": [cs("i0", false, 0, waiting("PodInitializing"), None)]}),
        ),
        shape(
            "container-signal",
            one.clone(),
            json!({"phase": "Running", "containerStatuses": [
            cs("c0", false, 0, terminated(None, 0, Some(9), 5), None)]}),
        ),
        shape(
            "container-exit-code",
            one.clone(),
            json!({"phase": "Running", "containerStatuses": [
            cs("c0", false, 0, terminated(None, 137, None, 5), None)]}),
        ),
        deleting(shape(
            "node-lost",
            one.clone(),
            json!({"phase": "Running", "reason": "NodeLost", "containerStatuses": [
            cs("c0", true, 0, running(100), None)]}),
        )),
        shape(
            "wide-columns",
            json!({"nodeName": "test1", "containers": [container("c0")],
            "readinessGates": [{"conditionType": "gate/a"}, {"conditionType": "gate/b"}, {"conditionType": "gate/c"}]}),
            json!({"phase": "Running", "podIP": "1.1.1.1", "podIPs": [{"ip": "1.1.1.1"}, {"ip": "2001:db8::1"}],
                "conditions": [condition("gate/a", "False", None), condition("gate/b", "True", None)],
                "containerStatuses": [cs("c0", true, 0, running(100), None)]}),
        ),
        // The API server refuses a nominated node on a bound pod: a pending one carries it.
        shape(
            "nominated",
            json!({"containers": [container("c0")]}),
            json!({"phase": "Pending",
            "nominatedNodeName": "node1", "conditions": [condition("PodScheduled", "False", Some("Unschedulable"))]}),
        ),
        shape("just-created", one.clone(), Value::Null),
        shape(
            "oom-killed",
            one.clone(),
            json!({"phase": "Running", "containerStatuses": [
            cs("c0", false, 7, terminated(Some("OOMKilled"), 137, None, 3), Some(3))]}),
        ),
        shape(
            "image-pull-backoff",
            one.clone(),
            json!({"phase": "Pending", "containerStatuses": [
            cs("c0", false, 0, waiting("ImagePullBackOff"), None)]}),
        ),
        // STATUS differs between servers from here on: 1.35 shows a failed container where
        // 1.34 shows its sibling's Completed or NotReady.
        shape(
            "failed-completed-then-error",
            two.clone(),
            json!({"phase": "Failed", "containerStatuses": [
            cs("c0", false, 0, terminated(Some("Completed"), 0, None, 50), None),
            cs("c1", false, 0, terminated(Some("Error"), 1, None, 50), None)]}),
        ),
        shape(
            "running-completed-error-and-ready",
            spec(&["c0", "c1", "c2"], vec![]),
            json!({"phase": "Running", "conditions": [condition("Ready", "False", None)],
            "containerStatuses": [
            cs("c0", false, 0, terminated(Some("Completed"), 0, None, 50), None),
            cs("c1", false, 0, terminated(Some("Error"), 1, None, 50), None),
            cs("c2", true, 0, running(100), None)]}),
        ),
        shape(
            "completed-then-oom-then-error",
            spec(&["c0", "c1", "c2"], vec![]),
            json!({"phase": "Failed", "containerStatuses": [
            cs("c0", false, 0, terminated(Some("Completed"), 0, None, 50), None),
            cs("c1", false, 0, terminated(Some("OOMKilled"), 137, None, 50), None),
            cs("c2", false, 0, terminated(Some("Error"), 1, None, 50), None)]}),
        ),
        shape(
            "completed-then-signal",
            two.clone(),
            json!({"phase": "Failed", "containerStatuses": [
            cs("c0", false, 0, terminated(Some("Completed"), 0, None, 50), None),
            cs("c1", false, 0, terminated(None, 137, Some(9), 50), None)]}),
        ),
        deleting(shape(
            "failed-evicted-deleting",
            one.clone(),
            json!({"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory.",
            "containerStatuses": [cs("c0", false, 0, terminated(Some("Error"), 137, None, 50), None)]}),
        )),
    ]
}

async fn create_shapes(client: &kube::Client, namespace: &str) -> usize {
    create_namespace(client, namespace).await;
    let shapes = shapes();
    for s in &shapes {
        let meta = json!({"name": s.name, "finalizers": ["kube-patrol.test/hold"]});
        create_pod_with_meta(client, namespace, meta, s.spec.clone(), s.status.clone()).await;
        if s.deleting {
            start_deleting(client, namespace, s.name).await;
        }
    }
    shapes.len()
}

/// Every shape into one server, then kube-patrol's cells compared with that server's table,
/// live and from a kubectl dump read with `--kubernetes-version` set to the server's.
async fn compare_with_server(kubeconfig: &std::path::Path, version: &str) {
    let client = client_for(kubeconfig).await;
    let namespace = unique("kp-columns");
    let count = create_shapes(&client, &namespace).await;
    let kubeconfig = kubeconfig.to_str().unwrap();

    let (server, now) = server_pod_table(&client, &namespace).await;
    assert_eq!(server.len(), count);
    let live = stdout(&kube_patrol(&[
        "report",
        "--kubeconfig",
        kubeconfig,
        "-n",
        &namespace,
        "--now",
        &now,
        "-o",
        "json",
    ]));
    let report: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(
        report["kubernetes_version"], version,
        "read from the server"
    );
    let compared = assert_same_cells(&server, &patrol_cells(&live));
    eprintln!(
        "{version} live: {} pods, {compared} cells identical to the API server's table",
        server.len()
    );

    let dump = kubectl_dump_of(std::path::Path::new(kubeconfig));
    let dir = tempfile::tempdir().unwrap();
    let dump_path = dir.path().join("dump.json");
    std::fs::write(&dump_path, dump).unwrap();
    let from_dump = stdout(&kube_patrol(&[
        "report",
        "--from-dump",
        dump_path.to_str().unwrap(),
        "-n",
        &namespace,
        "--now",
        &now,
        "--kubernetes-version",
        version,
        "-o",
        "json",
    ]));
    assert_same_cells(&server, &patrol_cells(&from_dump));
}

#[tokio::test]
async fn every_pod_shape_prints_the_same_cells_as_both_api_servers_live_and_from_a_dump() {
    let servers = servers().await;
    assert_eq!(servers.len(), 2);
    assert_ne!(servers[0].1, servers[1].1, "two different releases");
    for (kubeconfig, version) in servers {
        compare_with_server(&kubeconfig, &version).await;
    }
}

#[tokio::test]
async fn statuses_that_differ_between_releases_differ_in_the_two_servers_tables() {
    // The oracle itself: if both servers printed the same, the test above would prove less.
    let mut statuses = Vec::new();
    for (kubeconfig, _) in servers().await {
        let client = client_for(&kubeconfig).await;
        let namespace = unique("kp-releases");
        create_shapes(&client, &namespace).await;
        let (table, _) = server_pod_table(&client, &namespace).await;
        statuses.push(table["failed-completed-then-error"]["Status"].clone());
    }
    assert_eq!(statuses, ["Error", "Completed"]);
}

#[test]
fn a_kubernetes_version_that_is_not_one_is_refused_with_exit_2() {
    let out = kube_patrol(&[
        "report",
        "--from-dump",
        "examples/seed-cluster.json",
        "-A",
        "--kubernetes-version",
        "latest",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--kubernetes-version"));
}

#[tokio::test]
async fn more_pods_than_one_page_are_all_listed() {
    let client = client().await;
    let namespace = unique("kp-pages");
    create_namespace(&client, &namespace).await;
    for i in 0..7 {
        create_pod(
            &client,
            &namespace,
            &format!("p{i}"),
            json!({"containers": [container("c0")]}),
            Value::Null,
        )
        .await;
    }
    let kubeconfig = kubeconfig();
    let out = stdout(&kube_patrol(&[
        "report",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "-n",
        &namespace,
        "--page-size",
        "2",
        "-o",
        "json",
    ]));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["pods"].as_array().unwrap().len(), 7);
    assert_eq!(report["summary"]["pods"], 7);
}

#[tokio::test]
async fn a_namespace_glob_selects_every_matching_namespace() {
    let client = client().await;
    let prefix = unique("kp-glob");
    for suffix in ["dev", "stg"] {
        let ns = format!("{prefix}-{suffix}");
        create_namespace(&client, &ns).await;
        create_pod(
            &client,
            &ns,
            "web",
            json!({"containers": [container("c0")]}),
            Value::Null,
        )
        .await;
    }
    let kubeconfig = kubeconfig();
    let pattern = format!("{prefix}-*");
    let out = stdout(&kube_patrol(&[
        "report",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "-n",
        &pattern,
        "-o",
        "json",
    ]));
    let report: Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = report["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [format!("{prefix}-dev"), format!("{prefix}-stg")]);
}
