//! Shared helpers of the integration tests: the real control plane started by `scripts/test`,
//! the `kube-patrol` binary, and kubectl as the oracle.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
pub mod fault_proxy;

/// The kubeconfig of the test control plane that `scripts/test` started.
pub fn kubeconfig() -> PathBuf {
    match std::env::var_os("KUBE_PATROL_TEST_KUBECONFIG") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "KUBE_PATROL_TEST_KUBECONFIG is not set: run the tests with `scripts/test`, \
             which builds and starts a real kube-apiserver for them"
        ),
    }
}

/// The kubeconfig of the older test control plane (v1.34) that `scripts/test` started beside
/// the current one: STATUS is printed differently before 1.35.
pub fn old_kubeconfig() -> PathBuf {
    match std::env::var_os("KUBE_PATROL_TEST_OLD_KUBECONFIG") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "KUBE_PATROL_TEST_OLD_KUBECONFIG is not set: run the tests with `scripts/test`, \
             which starts a v1.34 kube-apiserver beside the current one"
        ),
    }
}

/// Both test control planes: (kubeconfig, the server's version as `/version` gives it).
pub async fn servers() -> Vec<(PathBuf, String)> {
    let mut servers = Vec::new();
    for path in [kubeconfig(), old_kubeconfig()] {
        let version = client_for(&path)
            .await
            .apiserver_version()
            .await
            .expect("the server's version")
            .git_version;
        servers.push((path, version));
    }
    servers
}

pub async fn client() -> Client {
    client_for(&kubeconfig()).await
}

/// A client of the control plane a kubeconfig names.
pub async fn client_for(path: &std::path::Path) -> Client {
    let file = Kubeconfig::read_from(path).expect("test kubeconfig");
    let config = Config::from_custom_kubeconfig(file, &KubeConfigOptions::default())
        .await
        .expect("test kube config");
    Client::try_from(config).expect("test client")
}

/// A name no other test uses: `prefix-<random>`.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{:x}{:x}",
        std::process::id() % 4096,
        nanos % 65536
    )
}

pub async fn create_namespace(client: &Client, name: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    api.create(&PostParams::default(), &ns)
        .await
        .expect("create namespace");
}

/// Creates a pod from its spec, then sets its status through the `status` subresource, as a
/// kubelet would.
pub async fn create_pod(
    client: &Client,
    namespace: &str,
    name: &str,
    spec: Value,
    status: Value,
) -> Pod {
    create_pod_with_meta(client, namespace, json!({"name": name}), spec, status).await
}

pub async fn create_pod_with_meta(
    client: &Client,
    namespace: &str,
    meta: Value,
    spec: Value,
    status: Value,
) -> Pod {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let pod: Pod = serde_json::from_value(json!({"metadata": meta, "spec": spec})).unwrap();
    let created = api
        .create(&PostParams::default(), &pod)
        .await
        .expect("create pod");
    let name = created.metadata.name.clone().unwrap();
    if status.is_null() {
        return created;
    }
    api.patch_status(
        &name,
        &PatchParams::default(),
        &Patch::Merge(json!({"status": status})),
    )
    .await
    .unwrap_or_else(|e| panic!("set status of pod {name}: {e}"))
}

/// Deletes a pod that a finalizer holds, so it stays with a deletionTimestamp.
pub async fn start_deleting(client: &Client, namespace: &str, name: &str) {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    api.delete(name, &DeleteParams::default())
        .await
        .expect("delete pod");
}

/// A value of the test kubeconfig: `server`, `certificate-authority` or `token`.
pub fn kubeconfig_value(key: &str) -> String {
    let config = std::fs::read_to_string(kubeconfig()).expect("test kubeconfig");
    let prefix = format!("{key}: ");
    config
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{key} in the test kubeconfig"))
        .to_owned()
}

/// The whole cluster as README tells users to dump it (kubectl's JSON).
pub fn kubectl_dump() -> String {
    kubectl_dump_of(&kubeconfig())
}

/// The whole cluster a kubeconfig names, as README tells users to dump it.
pub fn kubectl_dump_of(path: &std::path::Path) -> String {
    stdout(&kubectl_with(
        path,
        &[
            "get",
            "pods,replicasets,deployments,statefulsets,daemonsets,jobs,cronjobs,events,nodes",
            "-A",
            "-o",
            "json",
        ],
    ))
}

/// Runs the built `kube-patrol` binary.
pub fn kube_patrol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run kube-patrol")
}

/// Runs kubectl (built with the control plane) against the test cluster.
pub fn kubectl(args: &[&str]) -> Output {
    kubectl_with(&kubeconfig(), args)
}

/// Runs kubectl against the control plane a kubeconfig names.
pub fn kubectl_with(path: &std::path::Path, args: &[&str]) -> Output {
    let kubectl =
        std::env::var("KUBE_PATROL_TEST_KUBECTL").unwrap_or_else(|_| "kubectl".to_owned());
    Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(path)
        .args(args)
        .output()
        .expect("run kubectl")
}

pub fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "command failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8 output")
}

/// The API server's own table of a namespace's pods (what `kubectl get pods -o wide` prints),
/// as (pod name → column name → cell), and the server's time when it printed it.
pub async fn server_pod_table(
    client: &Client,
    namespace: &str,
) -> (
    std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    String,
) {
    let request = http::Request::get(format!("/api/v1/namespaces/{namespace}/pods?limit=1000"))
        .header("Accept", "application/json;as=Table;g=meta.k8s.io;v=v1")
        .body(Vec::new())
        .unwrap();
    let response = client
        .send(request.map(Into::into))
        .await
        .expect("table request");
    let date = response
        .headers()
        .get("date")
        .and_then(|d| d.to_str().ok())
        .map(http_date_to_rfc3339)
        .expect("Date header");
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("table body")
        .to_bytes();
    let table: Value = serde_json::from_slice(&body).expect("table json");
    let columns: Vec<String> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    let mut rows = std::collections::BTreeMap::new();
    for row in table["rows"].as_array().unwrap() {
        let cells: std::collections::BTreeMap<String, String> = columns
            .iter()
            .zip(row["cells"].as_array().unwrap())
            .map(|(c, v)| (c.clone(), cell_text(v)))
            .collect();
        rows.insert(cells["Name"].clone(), cells);
    }
    (rows, date)
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `Fri, 27 Nov 2026 18:00:00 GMT` → `2026-11-27T18:00:00Z`.
fn http_date_to_rfc3339(date: &str) -> String {
    let parsed = jiff::fmt::rfc2822::parse(date).expect("HTTP date");
    parsed.timestamp().to_string()
}

/// Creates a namespaced object from JSON and returns it as the server stored it.
pub async fn create<K>(client: &Client, namespace: &str, object: Value) -> K
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
    K: Clone + DeserializeOwned + Serialize + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    let object: K = serde_json::from_value(object).expect("object JSON");
    api.create(&PostParams::default(), &object)
        .await
        .unwrap_or_else(|e| panic!("create {} {:?}: {e}", K::kind(&()), object.meta().name))
}

/// Sets an object's status through the `status` subresource, as its controller would.
pub async fn set_status<K>(client: &Client, namespace: &str, name: &str, status: Value)
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    api.patch_status(
        name,
        &PatchParams::default(),
        &Patch::Merge(json!({"status": status})),
    )
    .await
    .unwrap_or_else(|e| panic!("set status of {} {name}: {e}", K::kind(&())));
}

/// The seed cluster a week later: the failed cron pod was cleaned up, one game-api pod went
/// into a crash loop with 12 restarts; the completed leftover is still there.
pub fn a_week_later(dump: &mut Value) {
    let items = dump["items"].as_array_mut().unwrap();
    items.retain(|item| item["metadata"]["name"] != "pigo-cron-77cc9c4d8c-tw2xb");
    let crashing = items
        .iter_mut()
        .find(|item| item["metadata"]["name"] == "game-api-7688f98587-knrxz")
        .unwrap();
    let status = &mut crashing["status"]["containerStatuses"][0];
    status["restartCount"] = json!(12);
    status["ready"] = json!(false);
    status["state"] = json!({"waiting": {"reason": "CrashLoopBackOff",
        "message": "back-off 5m0s restarting failed container"}});
    status["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error",
        "startedAt": "2026-01-02T01:50:00Z", "finishedAt": "2026-01-02T01:55:00Z"}});
    for condition in crashing["status"]["conditions"].as_array_mut().unwrap() {
        if condition["type"] == "Ready" || condition["type"] == "ContainersReady" {
            condition["status"] = json!("False");
            condition["lastTransitionTime"] = json!("2026-01-01T20:00:00Z");
        }
    }
}

/// Server table columns and the matching keys of kube-patrol's JSON.
pub const COLUMNS: [(&str, &str); 8] = [
    ("Ready", "ready"),
    ("Status", "status"),
    ("Restarts", "restarts"),
    ("Age", "age"),
    ("IP", "ip"),
    ("Node", "node"),
    ("Nominated Node", "nominated_node"),
    ("Readiness Gates", "readiness_gates"),
];

/// kube-patrol's JSON pods as (name → key → cell).
pub fn patrol_cells(json_text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let report: Value = serde_json::from_str(json_text).expect("kube-patrol JSON");
    report["pods"]
        .as_array()
        .expect("pods")
        .iter()
        .map(|p| {
            let cells = COLUMNS
                .iter()
                .map(|(_, key)| {
                    (
                        key.to_string(),
                        p[key].as_str().unwrap_or("<missing>").to_owned(),
                    )
                })
                .collect();
            (p["name"].as_str().unwrap().to_owned(), cells)
        })
        .collect()
}

/// Compares every cell; returns the number compared, panics listing every difference.
pub fn assert_same_cells(
    server: &BTreeMap<String, BTreeMap<String, String>>,
    ours: &BTreeMap<String, BTreeMap<String, String>>,
) -> usize {
    assert_eq!(
        server.keys().collect::<Vec<_>>(),
        ours.keys().collect::<Vec<_>>(),
        "the same pods"
    );
    let mut differences = Vec::new();
    let mut compared = 0;
    for (pod, cells) in server {
        for (column, key) in COLUMNS {
            compared += 1;
            let theirs = &cells[column];
            let mine = &ours[pod][key];
            if theirs != mine {
                differences.push(format!(
                    "{pod} {column}: server {theirs:?}, kube-patrol {mine:?}"
                ));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "cells differ:\n{}",
        differences.join("\n")
    );
    compared
}

/// The seed cluster a week after [`a_week_later`]: a fix attempt was rolled out, so the
/// crash-looping game-api pod was replaced by a pod of a new ReplicaSet, crash-looping too.
pub fn a_rollout_later(dump: &mut Value) {
    a_week_later(dump);
    let items = dump["items"].as_array_mut().unwrap();
    let crashing = items
        .iter_mut()
        .find(|item| item["metadata"]["name"] == "game-api-7688f98587-knrxz")
        .unwrap();
    let meta = &mut crashing["metadata"];
    meta["name"] = json!("game-api-5d9f8b7c64-w7q2x");
    meta["uid"] = json!("7f3e2a10-0000-4000-8000-000000000003");
    meta["creationTimestamp"] = json!("2026-01-08T06:00:00Z");
    meta["labels"]["pod-template-hash"] = json!("5d9f8b7c64");
    meta["ownerReferences"][0]["name"] = json!("game-api-5d9f8b7c64");
    meta["ownerReferences"][0]["uid"] = json!("7f3e2a10-0000-4000-8000-000000000004");
    let status = &mut crashing["status"]["containerStatuses"][0];
    status["restartCount"] = json!(3);
    status["lastState"]["terminated"]["startedAt"] = json!("2026-01-09T01:40:00Z");
    status["lastState"]["terminated"]["finishedAt"] = json!("2026-01-09T01:45:00Z");
}
