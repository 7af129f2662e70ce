//! A throttled, flaky or slow API server: kube-patrol reads the real kube-apiserver of
//! `scripts/test` through the fault proxy (`tests/support/fault_proxy.py`), which answers chosen
//! requests with 429, 5xx or 410 Expired, cuts, resets or stalls the answer, or slows every
//! page. Transient faults are retried and the report is complete, with no pod twice; evidence
//! that still fails is `missing` (exit 4); pods that cannot be listed end the run with one line
//! naming the request, the last answer and the tries (exit 3).
//!
//! Each test has its own proxy and namespace (six pods, read in pages of two).

mod common;

use std::process::Output;

use common::fault_proxy::FaultProxy;
use common::*;
use serde_json::{Value, json};

const PODS: usize = 6;

/// A namespace with `PODS` running pods, and one crash-looping pod when `crashing` (its events
/// are then read as evidence).
async fn namespace_with_pods(prefix: &str, crashing: bool) -> String {
    let client = client().await;
    let ns = unique(prefix);
    create_namespace(&client, &ns).await;
    let spec = json!({"containers": [{"name": "app", "image": "registry.example.com/app:1"}]});
    let running = json!({"phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "image": "app",
            "imageID": "", "state": {"running": {"startedAt": "2025-12-26T00:00:00Z"}}}]});
    for i in 0..PODS {
        create_pod(
            &client,
            &ns,
            &format!("web-{i}"),
            spec.clone(),
            running.clone(),
        )
        .await;
    }
    if crashing {
        let crash = json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"name": "app", "ready": false, "restartCount": 9, "image": "app",
                "imageID": "", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]});
        create_pod(&client, &ns, "crash", spec, crash).await;
    }
    ns
}

/// `kube-patrol report -n NS -o json` through the proxy, in pages of two, each request given 2 s
/// unless `extra` says otherwise.
fn report(proxy: &FaultProxy, ns: &str, extra: &[&str]) -> Output {
    let kubeconfig = proxy.kubeconfig();
    let mut args = vec![
        "report",
        "-n",
        ns,
        "-o",
        "json",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--page-size",
        "2",
    ];
    if !extra.contains(&"--request-timeout") {
        args.extend_from_slice(&["--request-timeout", "2s"]);
    }
    args.extend_from_slice(extra);
    kube_patrol(&args)
}

fn pods_path(ns: &str) -> String {
    format!("^/api/v1/namespaces/{ns}/pods$")
}

/// The pods of a report, sorted; every pod once.
fn pod_names(out: &Output) -> Vec<String> {
    let report: Value = serde_json::from_str(&stdout(out)).expect("a JSON report");
    let mut names: Vec<String> = report["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn all_pods() -> Vec<String> {
    (0..PODS).map(|i| format!("web-{i}")).collect()
}

/// How many answers to requests of `path` the proxy faulted.
fn faulted(proxy: &FaultProxy, path: &str) -> usize {
    proxy
        .log()
        .iter()
        .filter(|e| e["path"] == path && !e["fault"].is_null())
        .count()
}

/// Sets `fault` on the pod LISTs of `ns` for `times` answers, runs a report, and checks that
/// it is complete and that the fault was met.
async fn survives(prefix: &str, fault: Value, times: u32, extra: &[&str]) {
    let ns = namespace_with_pods(prefix, false).await;
    let proxy = FaultProxy::start();
    proxy.set_rules(json!([{"match": {"path": pods_path(&ns)}, "fault": fault, "times": times}]));
    let out = report(&proxy, &ns, extra);
    assert_eq!(pod_names(&out), all_pods(), "{}", stderr_of(&out));
    let path = format!("/api/v1/namespaces/{ns}/pods");
    assert_eq!(faulted(&proxy, &path), times as usize, "{:?}", proxy.log());
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn a_429_is_waited_out_as_long_as_the_server_asks() {
    survives(
        "kp-fault-429",
        json!({"status": 429, "retry_after": 1}),
        2,
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_500_on_a_pod_list_is_retried() {
    survives("kp-fault-500", json!({"status": 500}), 2, &[]).await;
}

#[tokio::test]
async fn a_502_503_and_504_are_retried() {
    for status in [502, 503, 504] {
        survives("kp-fault-5xx", json!({"status": status}), 1, &[]).await;
    }
}

#[tokio::test]
async fn an_answer_cut_off_by_a_connection_reset_is_asked_for_again() {
    survives("kp-fault-reset", json!({"reset": "mid_body"}), 2, &[]).await;
}

#[tokio::test]
async fn a_truncated_json_page_is_asked_for_again() {
    survives("kp-fault-truncated", json!({"truncate": true}), 2, &[]).await;
}

#[tokio::test]
async fn a_stalled_request_times_out_and_is_asked_for_again() {
    survives("kp-fault-stall", json!({"stall": 30}), 1, &[]).await;
}

#[tokio::test]
async fn slow_pages_make_a_slow_but_complete_report() {
    let ns = namespace_with_pods("kp-fault-slow", false).await;
    let proxy = FaultProxy::start();
    proxy.set_rules(json!([{"match": {}, "fault": {"latency": 0.3}}]));
    let out = report(&proxy, &ns, &[]);
    assert_eq!(pod_names(&out), all_pods(), "{}", stderr_of(&out));
}

#[tokio::test]
async fn an_expired_continue_token_lists_again_from_the_first_page_without_a_pod_twice() {
    let ns = namespace_with_pods("kp-fault-410", false).await;
    let proxy = FaultProxy::start();
    // Pages of two: the second page (the first with a continue token) is answered 410.
    proxy.set_rules(
        json!([{"match": {"path": pods_path(&ns), "query": "(^|&)continue="},
        "fault": {"status": 410, "reason": "Expired"}, "times": 1}]),
    );
    let out = report(&proxy, &ns, &[]);
    assert_eq!(pod_names(&out), all_pods(), "{}", stderr_of(&out));
    let path = format!("/api/v1/namespaces/{ns}/pods");
    let first_pages = proxy
        .log()
        .iter()
        .filter(|e| e["path"] == path.as_str())
        .filter(|e| !e["query"].as_str().unwrap_or("").contains("continue="))
        .count();
    assert_eq!(
        first_pages,
        2,
        "the listing started over: {:?}",
        proxy.log()
    );
}

#[tokio::test]
async fn events_that_keep_failing_are_missing_evidence_and_the_report_is_partial() {
    let ns = namespace_with_pods("kp-fault-events", true).await;
    let proxy = FaultProxy::start();
    let events = format!("^/api/v1/namespaces/{ns}/events$");
    proxy.set_rules(json!([{"match": {"path": events}, "fault": {"status": 500}}]));
    let out = report(&proxy, &ns, &["--retries", "1"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report is printed");
    assert_eq!(report["pods"].as_array().unwrap().len(), PODS + 1);
    let missing = &report["missing"];
    let events = missing
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["what"] == "events")
        .unwrap_or_else(|| panic!("events are missing: {missing}"));
    let reason = events["reason"].as_str().unwrap();
    assert!(
        reason.contains("500") && reason.contains("2 attempts"),
        "{reason}"
    );
}

#[tokio::test]
async fn pods_that_cannot_be_listed_end_the_run_with_the_request_the_answer_and_the_tries() {
    let ns = namespace_with_pods("kp-fault-down", false).await;
    let proxy = FaultProxy::start();
    proxy.set_rules(json!([{"match": {"path": pods_path(&ns)}, "fault": {"status": 503}}]));
    let out = report(&proxy, &ns, &["--retries", "2"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let error = stderr_of(&out);
    let last = error.lines().last().unwrap_or_default();
    for part in [
        format!("list pods in namespace {ns}"),
        format!("GET /api/v1/namespaces/{ns}/pods (page 1)"),
        "503".to_owned(),
        "3 attempts".to_owned(),
    ] {
        assert!(last.contains(&part), "`{part}` in: {last}");
    }
    assert!(out.stdout.is_empty(), "no report");
}

#[tokio::test]
async fn a_run_past_its_deadline_stops_with_exit_3_and_says_so() {
    let ns = namespace_with_pods("kp-fault-deadline", false).await;
    let proxy = FaultProxy::start();
    proxy.set_rules(json!([{"match": {"path": pods_path(&ns)}, "fault": {"stall": 30}}]));
    let out = report(
        &proxy,
        &ns,
        &["--timeout", "3s", "--request-timeout", "20s"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("the run's deadline (3s"),
        "{}",
        stderr_of(&out)
    );
}
