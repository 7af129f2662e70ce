//! The evidence around the pods — workloads, nodes, events, log tails — read from the real API
//! server (there is no kubelet: logs are unavailable, with the server's reason) and from a
//! kubectl dump, and what a least-privilege account leaves missing.

mod common;

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use common::*;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Event, Node, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::{Client, Resource};
use kube_patrol::analyze::{Judgement, Settings, judge};
use kube_patrol::collect::{self, ClusterOptions, EvidenceOptions, NamespaceSelection};
use kube_patrol::locale::{Catalog, Lang};
use kube_patrol::model::{HasMeta, LogOutcome, Snapshot, Source};
use serde_json::{Value, json};
use tracing::Instrument;

fn ago(seconds: i64) -> String {
    (Timestamp::now() - SignedDuration::from_secs(seconds)).to_string()
}

fn owner<K: Resource<DynamicType = ()>>(object: &K) -> Value {
    json!({"apiVersion": K::api_version(&()), "kind": K::kind(&()),
           "name": object.meta().name, "uid": object.meta().uid, "controller": true})
}

fn template(app: &str, restart_policy: &str) -> Value {
    json!({"metadata": {"labels": {"app": app}},
           "spec": {"restartPolicy": restart_policy, "containers": [{"name": "main", "image": "busybox",
               "env": [{"name": "SECRET_LOOKING", "value": "big"}], "args": ["sleep", "3600"]}]}})
}

fn container_status(ready: bool, restarts: i32, state: Value, last: Option<Value>) -> Value {
    let mut s = json!({"name": "main", "image": "busybox", "imageID": "", "ready": ready,
                       "restartCount": restarts, "state": state});
    if let Some(last) = last {
        s["lastState"] = last;
    }
    s
}

fn terminated(reason: &str, exit: i32) -> Value {
    json!({"terminated": {"reason": reason, "exitCode": exit, "startedAt": ago(120), "finishedAt": ago(60)}})
}

/// A pod of `owner` on `node`, then its status.
async fn owned_pod(client: &Client, ns: &str, name: &str, owner: Value, node: &str, status: Value) {
    let app = owner["name"].as_str().unwrap_or("x").to_owned();
    let meta = json!({"name": name, "labels": {"app": app}, "ownerReferences": [owner]});
    let spec = json!({"nodeName": node, "restartPolicy": "Always",
                      "containers": [{"name": "main", "image": "busybox"}]});
    create_pod_with_meta(client, ns, meta, spec, status).await;
}

async fn event(client: &Client, ns: &str, name: &str, kind: &str, object: &str, reason: &str) {
    let e = json!({"metadata": {"name": name},
        "involvedObject": {"kind": kind, "namespace": ns, "name": object, "apiVersion": "v1"},
        "reason": reason, "message": format!("{reason} on {object}"), "type": "Warning",
        "count": 3, "firstTimestamp": ago(600), "lastTimestamp": ago(30),
        "source": {"component": "kube-patrol-test"}});
    create::<Event>(client, ns, e).await;
}

/// A node the API server cannot reach (no address): its pods' logs are unavailable.
async fn unreachable_node(client: &Client, name: &str) {
    let api: Api<Node> = Api::all(client.clone());
    let node: Node = serde_json::from_value(json!({"metadata": {"name": name,
        "labels": {"kubernetes.io/hostname": name}, "annotations": {"big": "x"}},
        "spec": {"podCIDR": "10.244.0.0/24", "taints": [{"key": "dedicated", "value": "patrol", "effect": "NoSchedule"}]}}))
    .unwrap();
    api.create(&PostParams::default(), &node)
        .await
        .expect("create node");
    let status = json!({"status": {"conditions": [{"type": "Ready", "status": "False",
            "reason": "KubeletNotReady", "lastHeartbeatTime": ago(60), "lastTransitionTime": ago(600)}],
        "nodeInfo": {"kubeletVersion": "v1.37.2", "kernelVersion": "6.1", "architecture": "amd64",
            "bootID": "", "containerRuntimeVersion": "", "kubeProxyVersion": "", "machineID": "",
            "operatingSystem": "linux", "osImage": "", "systemUUID": ""},
        "images": [{"names": ["busybox:latest"], "sizeBytes": 4_000_000}]}});
    api.patch_status(name, &PatchParams::default(), &Patch::Merge(status))
        .await
        .expect("set node status");
}

/// The objects of one namespace: a Deployment rolled from revision 1 to 2 (the old ReplicaSet's
/// pod Completed, the new one's pods Running and CrashLoopBackOff), a CronJob's Job with a
/// failed pod, and events on all of them and on the healthy pod.
async fn create_fixture(client: &Client, ns: &str, node: &str) {
    create_namespace(client, ns).await;
    unreachable_node(client, node).await;
    let deployment: Deployment = create(client, ns, json!({
        "metadata": {"name": "web", "annotations": {"deployment.kubernetes.io/revision": "2", "note": "dropped"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template("web", "Always")}})).await;
    set_status::<Deployment>(
        client,
        ns,
        "web",
        json!({"replicas": 2, "readyReplicas": 1,
        "updatedReplicas": 2, "availableReplicas": 1, "observedGeneration": 1}),
    )
    .await;
    for (revision, replicas) in [(1, 0), (2, 2)] {
        let name = format!("web-{revision}");
        create::<ReplicaSet>(client, ns, json!({
            "metadata": {"name": name, "labels": {"app": "web"}, "ownerReferences": [owner(&deployment)],
                "annotations": {"deployment.kubernetes.io/revision": revision.to_string()}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": template("web", "Always")}})).await;
        set_status::<ReplicaSet>(
            client,
            ns,
            &name,
            json!({"replicas": replicas,
            "readyReplicas": replicas.min(1), "observedGeneration": 1}),
        )
        .await;
    }
    let api: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
    let (old, new) = (
        api.get("web-1").await.unwrap(),
        api.get("web-2").await.unwrap(),
    );
    owned_pod(
        client,
        ns,
        "web-1-old",
        owner(&old),
        node,
        json!({"phase": "Succeeded",
        "containerStatuses": [container_status(false, 0, terminated("Completed", 0), None)]}),
    )
    .await;
    owned_pod(client, ns, "web-2-ok", owner(&new), node, json!({"phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [container_status(true, 0, json!({"running": {"startedAt": ago(3600)}}), None)]})).await;
    owned_pod(client, ns, "web-2-crash", owner(&new), node, json!({"phase": "Running",
        "containerStatuses": [container_status(false, 4, json!({"waiting": {"reason": "CrashLoopBackOff"}}),
            Some(terminated("Error", 1)))]})).await;
    let cron: CronJob = create(client, ns, json!({"metadata": {"name": "nightly"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template("nightly", "Never")}}}})).await;
    let job: Job = create(
        client,
        ns,
        json!({"metadata": {"name": "nightly-1", "ownerReferences": [owner(&cron)]},
        "spec": {"template": template("nightly", "Never")}}),
    )
    .await;
    owned_pod(
        client,
        ns,
        "nightly-1-x",
        owner(&job),
        node,
        json!({"phase": "Failed",
        "containerStatuses": [container_status(false, 0, terminated("Error", 2), None)]}),
    )
    .await;
    event(client, ns, "crash.1", "Pod", "web-2-crash", "BackOff").await;
    event(client, ns, "ok.1", "Pod", "web-2-ok", "Pulled").await;
    event(client, ns, "old.1", "Pod", "web-1-old", "Completed").await;
    event(
        client,
        ns,
        "rs.1",
        "ReplicaSet",
        "web-2",
        "SuccessfulCreate",
    )
    .await;
    event(
        client,
        ns,
        "deploy.1",
        "Deployment",
        "web",
        "ScalingReplicaSet",
    )
    .await;
    event(
        client,
        ns,
        "job.1",
        "Job",
        "nightly-1",
        "BackoffLimitExceeded",
    )
    .await;
    event(client, ns, "stranger.1", "Pod", "not-here", "Scheduled").await;
}

fn selection(ns: &str) -> NamespaceSelection {
    NamespaceSelection {
        include: vec![ns.to_owned()],
        ..NamespaceSelection::default()
    }
}

async fn collect_live(kubeconfig: std::path::PathBuf, ns: &str) -> Snapshot {
    collect_selection(kubeconfig, &selection(ns)).await
}

async fn collect_selection(
    kubeconfig: std::path::PathBuf,
    selection: &NamespaceSelection,
) -> Snapshot {
    let opts = ClusterOptions {
        kubeconfig: Some(kubeconfig),
        ..ClusterOptions::default()
    };
    let cluster = collect::connect(&opts).await.expect("connect");
    let mut snapshot = cluster.snapshot(selection).await.expect("the run succeeds");
    let judgement = judge_copy(&snapshot);
    cluster
        .add_evidence(
            &mut snapshot,
            &judgement.problem_pods(),
            &EvidenceOptions::default(),
        )
        .await;
    snapshot
}

/// The judgement the pipeline would read evidence by, as it judges now; the snapshot keeps its
/// pods, for the tests to look at.
fn judge_copy(snapshot: &Snapshot) -> Judgement {
    let settings = Settings::new(Timestamp::now(), "test".into(), Catalog::builtin(Lang::En));
    judge(&mut snapshot.clone(), &settings)
}

fn names<K: HasMeta>(objects: &[K]) -> Vec<String> {
    objects.iter().map(|o| o.name().to_owned()).collect()
}

fn event_names(snapshot: &Snapshot) -> Vec<String> {
    let mut names = names(&snapshot.events);
    names.sort();
    names
}

/// The events the filter keeps: problem pods and the owners of problem pods.
const KEPT_EVENTS: [&str; 5] = ["crash.1", "deploy.1", "job.1", "old.1", "rs.1"];

/// Everything `tracing` writes in this test binary (kube_patrol at debug level), with the
/// spans of each line: a test tells its lines apart by a span naming its namespace.
fn captured_logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer: &'static Mutex<Vec<u8>> = Box::leak(Box::default());
        struct Sink(&'static Mutex<Vec<u8>>);
        impl Write for Sink {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("kube_patrol=debug,collect_evidence=info")
            .with_ansi(false)
            .with_writer(move || Sink(buffer))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        buffer
    })
}

/// The `key=value` of the debug line that counts the API calls made for evidence, in the span
/// `test{namespace=...}`.
fn evidence_calls(logs: &[u8], namespace: &str) -> std::collections::BTreeMap<String, usize> {
    let text = String::from_utf8_lossy(logs);
    let span = format!("test{{namespace={namespace}}}");
    let line = text
        .lines()
        .find(|l| l.contains(&span) && l.contains("API calls for evidence"))
        .expect("a debug line counting the API calls for evidence");
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .filter_map(|(k, v)| Some((k.to_owned(), v.parse().ok()?)))
        .collect()
}

#[tokio::test]
async fn a_deployment_its_replicasets_events_and_logs_are_collected_for_problem_pods() {
    let client = client().await;
    let ns = unique("kp-evidence");
    let node = format!("{ns}-node");
    create_fixture(&client, &ns, &node).await;

    let logs = captured_logs();
    let span = tracing::info_span!("test", namespace = %ns);
    let snapshot = collect_live(kubeconfig(), &ns).instrument(span).await;

    // Both ReplicaSets and the Deployment, in the compact model: selector, replicas, status,
    // the revision annotation only.
    let w = &snapshot.workloads;
    assert_eq!(names(&w.replica_sets), ["web-1", "web-2"]);
    assert_eq!(names(&w.deployments), ["web"]);
    assert_eq!(
        (names(&w.jobs), names(&w.cron_jobs)),
        (vec!["nightly-1".to_owned()], vec!["nightly".to_owned()])
    );
    let web = &w.deployments[0];
    let selector = web.spec.selector.as_ref().unwrap();
    assert_eq!(
        selector.match_labels.as_ref().unwrap().get("app"),
        Some("web")
    );
    assert_eq!(web.spec.replicas, Some(2));
    assert_eq!(web.status.ready_replicas, Some(1));
    let annotations = web.metadata.annotations.as_ref().unwrap();
    assert_eq!(
        annotations
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        ["deployment.kubernetes.io/revision"]
    );
    for rs in &w.replica_sets {
        assert_eq!(
            rs.metadata.owner_references.as_ref().unwrap()[0].name,
            "web"
        );
    }
    assert_eq!(w.cron_jobs[0].spec.schedule.as_deref(), Some("0 3 * * *"));

    // Events of problem pods and their owners; not of the healthy pod, nor of strangers.
    assert_eq!(event_names(&snapshot), KEPT_EVENTS);

    // The node, in the compact model.
    let node = snapshot
        .nodes
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some(node.as_str()))
        .expect("the node is listed");
    let status = node.status.as_ref().unwrap();
    assert_eq!(
        status.node_info.as_ref().unwrap().kubelet_version,
        "v1.37.2"
    );
    assert_eq!(
        node.spec.as_ref().unwrap().taints.as_ref().unwrap()[0].key,
        "dedicated"
    );

    // No kubelet: every log of the problem pods is unavailable, with the API server's reason.
    let asked: Vec<(&str, bool)> = snapshot
        .logs
        .iter()
        .map(|l| (l.pod.as_str(), l.previous))
        .collect();
    assert_eq!(
        asked,
        [
            ("nightly-1-x", false),
            ("web-1-old", false),
            ("web-2-crash", false),
            ("web-2-crash", true)
        ]
    );
    for tail in &snapshot.logs {
        match &tail.outcome {
            LogOutcome::Unavailable(reason) => {
                assert!(reason.starts_with("500"), "{reason}");
                assert!(reason.contains("no preferred addresses"), "{reason}");
            }
            LogOutcome::Lines(lines) => panic!("logs without a kubelet: {lines:?}"),
        }
    }
    assert!(snapshot.missing.is_empty(), "{:?}", snapshot.missing);

    // 6 workload kinds + nodes + one events LIST for the namespace + 4 log requests.
    let calls = evidence_calls(&logs.lock().unwrap(), &ns);
    eprintln!("API calls for evidence: {calls:?}");
    assert_eq!(calls["workload_lists"], 6);
    assert_eq!(calls["event_lists"], 1);
    assert_eq!(calls["log_requests"], 4);
}

#[tokio::test]
async fn with_all_namespaces_each_workload_kind_is_listed_once_cluster_wide() {
    let client = client().await;
    let ns = unique("kp-evidence-all");
    let node = format!("{ns}-node");
    create_fixture(&client, &ns, &node).await;
    let all = NamespaceSelection {
        all: true,
        exclude: vec!["kube-*".to_owned()],
        ..NamespaceSelection::default()
    };

    let logs = captured_logs();
    let span = tracing::info_span!("test", namespace = %ns);
    let snapshot = collect_selection(kubeconfig(), &all).instrument(span).await;

    let ours = |names: Vec<(&str, &str)>| {
        names
            .into_iter()
            .filter(|(n, _)| *n == ns.as_str())
            .map(|(_, name)| name.to_owned())
            .collect::<Vec<_>>()
    };
    let rs = snapshot
        .workloads
        .replica_sets
        .iter()
        .map(|o| (o.namespace(), o.name()));
    assert_eq!(ours(rs.collect()), ["web-1", "web-2"]);
    let events = snapshot.events.iter().map(|e| (e.namespace(), e.name()));
    let mut events = ours(events.collect());
    events.sort();
    assert_eq!(events, KEPT_EVENTS);
    assert!(
        snapshot
            .workloads
            .deployments
            .iter()
            .all(|d| !d.namespace().starts_with("kube-")),
        "excluded namespaces stay out"
    );
    let calls = evidence_calls(&logs.lock().unwrap(), &ns);
    assert_eq!(calls["workload_lists"], 6, "one cluster-wide LIST per kind");
}

#[tokio::test]
async fn a_dump_gives_the_same_workloads_nodes_and_events_as_the_live_cluster() {
    let client = client().await;
    let ns = unique("kp-evidence-dump");
    let node = format!("{ns}-node");
    create_fixture(&client, &ns, &node).await;
    let live = collect_live(kubeconfig(), &ns).await;

    let dump = kubectl_dump();
    let mut dumped = collect::from_dump_reader(dump.as_bytes(), "dump.json", &selection(&ns))
        .expect("the dump reads");
    let judgement = judge_copy(&dumped);
    collect::add_dump_evidence(&mut dumped, &judgement.problem_pods());

    assert_eq!(
        dumped.source,
        Source::Dump {
            path: "dump.json".to_owned()
        }
    );
    assert_eq!(
        serde_json::to_value(&dumped.workloads).unwrap(),
        serde_json::to_value(&live.workloads).unwrap(),
        "the same slimmed workloads"
    );
    assert_eq!(event_names(&dumped), KEPT_EVENTS);
    let by_name = |s: &Snapshot| {
        let mut events = s.events.clone();
        events.sort_by(|a, b| a.name().cmp(b.name()));
        serde_json::to_value(events).unwrap()
    };
    assert_eq!(by_name(&dumped), by_name(&live), "the same slimmed events");
    let node_of = |s: &Snapshot| {
        let found = s
            .nodes
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(node.as_str()));
        serde_json::to_value(found).unwrap()
    };
    assert_eq!(node_of(&dumped), node_of(&live), "the same slimmed node");
    assert!(dumped.logs.is_empty());
    assert_eq!(dumped.missing.len(), 1);
    assert_eq!(dumped.missing[0].what, "logs");
    assert_eq!(dumped.missing[0].reason, "a dump file has no logs");
}

#[tokio::test]
async fn an_account_that_may_only_read_pods_gets_every_pod_and_a_list_of_what_is_missing() {
    let admin = client().await;
    let ns = unique("kp-least");
    create_namespace(&admin, &ns).await;
    create_pod(&admin, &ns, "healthy", json!({"nodeName": "nowhere", "containers": [{"name": "main", "image": "busybox"}]}),
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
               "containerStatuses": [container_status(true, 0, json!({"running": {"startedAt": ago(3600)}}), None)]})).await;
    create_pod(&admin, &ns, "failing", json!({"nodeName": "nowhere", "containers": [{"name": "main", "image": "busybox"}]}),
        json!({"phase": "Failed", "containerStatuses": [container_status(false, 0, terminated("Error", 1), None)]})).await;
    let kubeconfig = pods_only_kubeconfig(&admin, &ns).await;

    let snapshot = collect_live(kubeconfig.path().join("kubeconfig"), &ns).await;

    assert_eq!(names(&snapshot.pods), ["failing", "healthy"], "every pod");
    let missing: Vec<(&str, Option<&str>)> = snapshot
        .missing
        .iter()
        .map(|m| (m.what.as_str(), m.namespace.as_deref()))
        .collect();
    let n = Some(ns.as_str());
    let expected = vec![
        ("replicasets", n),
        ("deployments", n),
        ("statefulsets", n),
        ("daemonsets", n),
        ("jobs", n),
        ("cronjobs", n),
        ("nodes", None),
        ("events", n),
        ("logs", n),
    ];
    assert_eq!(missing, expected, "{:#?}", snapshot.missing);
    for m in &snapshot.missing {
        assert!(m.reason.starts_with("403 Forbidden: "), "{m:?}");
        assert!(
            m.reason
                .contains(&format!("system:serviceaccount:{ns}:patrol")),
            "{m:?}"
        );
    }
    let is_partial = !snapshot.missing.is_empty();
    assert!(is_partial);
    assert!(snapshot.nodes.is_empty() && snapshot.events.is_empty());
    assert_eq!(snapshot.logs.len(), 1, "the failing pod's log, refused");
    assert!(
        matches!(&snapshot.logs[0].outcome, LogOutcome::Unavailable(r) if r.starts_with("403"))
    );
}

/// A kubeconfig whose user is a ServiceAccount bound to a Role that may only get and list pods.
async fn pods_only_kubeconfig(admin: &Client, ns: &str) -> tempfile::TempDir {
    let rules = json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]);
    limited_kubeconfig(admin, ns, rules).await
}

/// A kubeconfig whose user is a ServiceAccount of `ns` bound to a Role of `rules` there.
async fn limited_kubeconfig(admin: &Client, ns: &str, rules: Value) -> tempfile::TempDir {
    create::<ServiceAccount>(admin, ns, json!({"metadata": {"name": "patrol"}})).await;
    create::<Role>(
        admin,
        ns,
        json!({"metadata": {"name": "patrol"}, "rules": rules}),
    )
    .await;
    create::<RoleBinding>(
        admin,
        ns,
        json!({"metadata": {"name": "patrol"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "patrol"},
        "subjects": [{"kind": "ServiceAccount", "name": "patrol", "namespace": ns}]}),
    )
    .await;
    let token = stdout(&kubectl(&["create", "token", "patrol", "-n", ns]));
    let admin_config = std::fs::read_to_string(kubeconfig()).expect("test kubeconfig");
    let config: String = admin_config
        .lines()
        .map(|line| match line.trim_start().strip_prefix("token: ") {
            Some(_) => format!("    token: {}", token.trim()),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(config, admin_config, "the token was swapped");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kubeconfig"), config).unwrap();
    dir
}

/// The whole pipeline on the real API server: the binary's JSON report of the rollout fixture.
#[tokio::test]
async fn the_report_names_the_leftover_its_replacement_the_events_and_why_logs_are_missing() {
    let client = client().await;
    let ns = unique("kp-report");
    create_fixture(&client, &ns, &unique("kp-node")).await;
    let kubeconfig = kubeconfig();
    let out = kube_patrol(&[
        "report",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "-n",
        &ns,
        "-o",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON report");
    let pod = |name: &str| {
        report["pods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };

    let old = pod("web-1-old");
    assert_eq!(
        (
            old["severity"].as_str(),
            old["problems"][0]["code"].as_str()
        ),
        (Some("medium"), Some("leftover_completed"))
    );
    assert_eq!(old["owner"]["replacement"]["name"], "web-2-ok");
    assert!(old["owner"]["replacement"]["age"].as_str().is_some());

    let crash = pod("web-2-crash");
    assert_eq!(
        (
            crash["health"].as_str(),
            crash["problems"][0]["code"].as_str()
        ),
        (Some("unhealthy"), Some("crash_loop"))
    );
    let events: Vec<&str> = crash["evidence"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["BackOff"]);
    let log = &crash["evidence"]["logs"][0];
    assert!(
        log["unavailable"]
            .as_str()
            .is_some_and(|r| r.starts_with("500")),
        "{log}"
    );
    assert_eq!(crash["owner"]["selector"], "app=web");

    let job_pod = pod("nightly-1-x");
    let chain: Vec<&str> = job_pod["owner"]["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(chain, ["Job", "CronJob"]);
    assert_eq!(
        report["partial"], false,
        "an unreachable kubelet is evidence, not missing access"
    );
}

#[tokio::test]
async fn an_account_that_may_only_read_pods_gets_a_partial_report_and_exit_code_4() {
    let admin = client().await;
    let ns = unique("kp-partial");
    create_namespace(&admin, &ns).await;
    create_pod(&admin, &ns, "failing", json!({"nodeName": "nowhere", "containers": [{"name": "main", "image": "busybox"}]}),
        json!({"phase": "Failed", "containerStatuses": [container_status(false, 0, terminated("Error", 1), None)]})).await;
    let dir = pods_only_kubeconfig(&admin, &ns).await;
    let path = dir.path().join("kubeconfig");
    let out = kube_patrol(&["report", "--kubeconfig", path.to_str().unwrap(), "-n", &ns]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let markdown = String::from_utf8(out.stdout).unwrap();
    assert!(
        markdown.contains("⚠️ 部分資料無法讀取，本報告不完整"),
        "{markdown}"
    );
    assert!(
        markdown.contains("Events 無法讀取（403 Forbidden"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| failing | **Error** |"),
        "the rest of the report is complete"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("kube-patrol: error: the report is partial")),
        "{stderr}"
    );
}

/// Exclusions come before evidence: a problem pod left out by the config costs no API call,
/// so an account that may not read its logs does not make the report partial.
#[tokio::test]
async fn an_excluded_problem_pod_is_never_asked_about_so_its_refused_logs_do_not_make_the_report_partial()
 {
    let admin = client().await;
    let ns = unique("kp-excluded");
    create_namespace(&admin, &ns).await;
    create_pod(&admin, &ns, "healthy", json!({"nodeName": "nowhere", "containers": [{"name": "main", "image": "busybox"}]}),
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
               "containerStatuses": [container_status(true, 0, json!({"running": {"startedAt": ago(3600)}}), None)]})).await;
    create_pod(&admin, &ns, "debug-failing", json!({"nodeName": "nowhere", "restartPolicy": "Never",
        "containers": [{"name": "main", "image": "busybox"}]}),
        json!({"phase": "Failed", "containerStatuses": [container_status(false, 0, terminated("Error", 1), None)]})).await;
    // Everything kube-patrol reads but pods/log.
    let rules = json!([
        {"apiGroups": [""], "resources": ["pods", "events"], "verbs": ["get", "list"]},
        {"apiGroups": ["apps", "batch"], "resources": ["*"], "verbs": ["get", "list"]}]);
    let dir = limited_kubeconfig(&admin, &ns, rules).await;
    stdout(&kubectl(&[
        "create",
        "clusterrole",
        &ns,
        "--verb=list",
        "--resource=nodes",
    ]));
    let account = format!("--serviceaccount={ns}:patrol");
    let role = format!("--clusterrole={ns}");
    stdout(&kubectl(&[
        "create",
        "clusterrolebinding",
        &ns,
        &role,
        &account,
    ]));
    let config = dir.path().join("kube-patrol.yaml");
    std::fs::write(&config, "exclude:\n  pods: [\"debug-*\"]\n").unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let args = [
        "report",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "-n",
        &ns,
        "--config",
        config.to_str().unwrap(),
        "-o",
        "json",
    ];

    let out = kube_patrol(&args);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("a JSON report");
    assert_eq!(
        report["missing"],
        json!([]),
        "no log of the excluded pod was asked for"
    );
    assert_eq!(report["partial"], false);
    assert!(
        !report["pods"].to_string().contains("debug-failing"),
        "the excluded pod is out"
    );
}
