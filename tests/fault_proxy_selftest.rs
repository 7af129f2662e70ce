//! The fault proxy of the tests (`tests/support/fault_proxy.py`, `common::fault_proxy`) does
//! what its rules say, against the real API server of `scripts/test`: it passes requests
//! through unchanged, answers chosen ones with 429, 5xx or 410 Expired, cuts, resets or stalls
//! a response, and logs every attempt. Each test has its own proxy and its own namespace.

mod common;

use std::time::{Duration, Instant};

use common::fault_proxy::FaultProxy;
use common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ListParams, PostParams};
use kube::{Client, Error};
use serde_json::{Value, json};

/// A client through the proxy that does not retry by itself: every fault reaches the test.
async fn client_without_retries(proxy: &FaultProxy) -> Client {
    let mut config = proxy.config().await;
    config.default_retry = false;
    Client::try_from(config).expect("client through the proxy")
}

fn get(path: &str) -> http::Request<Vec<u8>> {
    http::Request::get(path).body(Vec::new()).unwrap()
}

/// Status, headers and body of one request, as sent by the proxy.
async fn send(client: &Client, path: &str) -> (u16, http::HeaderMap, Vec<u8>) {
    let response = client
        .send(get(path).map(Into::into))
        .await
        .unwrap_or_else(|e| panic!("GET {path} through the proxy: {e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("the whole body")
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

fn api_status(result: Result<impl std::fmt::Debug, Error>) -> Box<kube::core::Status> {
    match result {
        Err(Error::Api(status)) => status,
        other => panic!("an API error (a Status), not {other:?}"),
    }
}

/// The log entries of one path, as (status_sent, faulted).
fn attempts(proxy: &FaultProxy, path: &str) -> Vec<(Value, bool)> {
    proxy
        .log()
        .into_iter()
        .filter(|e| e["path"] == path)
        .map(|e| (e["status_sent"].clone(), !e["fault"].is_null()))
        .collect()
}

/// A fresh namespace with `count` ConfigMaps, made straight on the server.
async fn namespace_with_configmaps(prefix: &str, count: usize) -> String {
    let direct = client().await;
    let namespace = unique(prefix);
    create_namespace(&direct, &namespace).await;
    for i in 0..count {
        create::<ConfigMap>(
            &direct,
            &namespace,
            json!({"metadata": {"name": format!("cm-{i}")}, "data": {"i": i.to_string()}}),
        )
        .await;
    }
    namespace
}

/// Every page of a `limit=1` LIST of the namespace's ConfigMaps: the names, or the page
/// (1-based) that failed and its error.
async fn list_by_pages(
    api: &Api<ConfigMap>,
) -> Result<Vec<String>, (usize, Box<kube::core::Status>)> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    for page in 1.. {
        let mut params = ListParams::default().limit(1);
        if let Some(token) = &token {
            params = params.continue_token(token);
        }
        let list = match api.list(&params).await {
            Ok(list) => list,
            Err(e) => return Err((page, api_status(Err::<(), _>(e)))),
        };
        names.extend(list.items.iter().map(|c| c.metadata.name.clone().unwrap()));
        token = list.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(names)
}

#[tokio::test]
async fn requests_pass_through_the_proxy_unchanged() {
    let proxy = FaultProxy::start();
    let through = proxy.client().await;
    let direct = client().await;
    let namespace = unique("fp-pass");
    create_namespace(&through, &namespace).await;

    // A POST with a body, through the proxy; the server stored it as sent.
    let configmap: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "sent", "labels": {"via": "proxy"}},
        "data": {"text": "héllo\nwörld", "big": "x".repeat(200_000)},
    }))
    .unwrap();
    Api::<ConfigMap>::namespaced(through.clone(), &namespace)
        .create(&PostParams::default(), &configmap)
        .await
        .expect("create through the proxy");
    let stored = Api::<ConfigMap>::namespaced(direct.clone(), &namespace)
        .get("sent")
        .await
        .expect("read straight from the server");
    assert_eq!(stored.data, configmap.data);
    assert_eq!(stored.metadata.labels, configmap.metadata.labels);

    // The namespaces, through the proxy and straight from the server.
    let names = |list: kube::core::ObjectList<Namespace>| -> Vec<String> {
        list.items
            .into_iter()
            .map(|n| n.metadata.name.unwrap())
            .collect()
    };
    let proxied = names(
        Api::<Namespace>::all(through.clone())
            .list(&ListParams::default())
            .await
            .expect("list namespaces through the proxy"),
    );
    let straight = names(
        Api::<Namespace>::all(direct)
            .list(&ListParams::default())
            .await
            .expect("list namespaces"),
    );
    assert!(proxied.contains(&namespace), "{proxied:?}");
    assert_eq!(proxied, straight);

    // The server's own headers are relayed; the body is the server's JSON.
    let (status, headers, body) = send(&through, &format!("/api/v1/namespaces/{namespace}")).await;
    assert_eq!(status, 200);
    assert!(headers.contains_key("audit-id"), "{headers:?}");
    assert_eq!(headers["content-type"], "application/json");
    let object: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(object["metadata"]["name"], namespace.as_str());

    let log = proxy.log();
    let create = log
        .iter()
        .find(|e| e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/configmaps"))
        .expect("the POST is logged");
    assert_eq!(create["status_sent"], 201);
    assert!(create["fault"].is_null());
    assert!(log.iter().all(|e| e["fault"].is_null()), "{log:?}");
}

#[tokio::test]
async fn a_429_rule_answers_429_with_retry_after_then_passes_through_after_its_times() {
    let proxy = FaultProxy::start();
    proxy.set_rules(json!([{
        "match": {"method": "GET", "path": "^/api/v1/namespaces$"},
        "fault": {"status": 429, "retry_after": 2},
        "times": 2,
    }]));
    let client = client_without_retries(&proxy).await;

    for _ in 0..2 {
        let (status, headers, body) = send(&client, "/api/v1/namespaces").await;
        assert_eq!(status, 429);
        assert_eq!(headers["retry-after"], "2");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["kind"], "Status");
        assert_eq!(body["apiVersion"], "v1");
        assert_eq!(body["status"], "Failure");
        assert_eq!(body["reason"], "TooManyRequests");
        assert_eq!(body["code"], 429);
        assert_eq!(body["details"]["retryAfterSeconds"], 2);
    }
    let (status, _, body) = send(&client, "/api/v1/namespaces").await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["kind"], "NamespaceList");

    // Another path was never faulted.
    let (status, _, _) = send(&client, "/api/v1/namespaces/default").await;
    assert_eq!(status, 200);
    assert_eq!(
        attempts(&proxy, "/api/v1/namespaces"),
        [(json!(429), true), (json!(429), true), (json!(200), false)]
    );
    assert_eq!(proxy.rules()[0]["faulted"], 2);
}

#[tokio::test]
async fn a_5xx_rule_answers_its_status_with_a_kubernetes_status_of_the_matching_reason() {
    let proxy = FaultProxy::start();
    let client = client_without_retries(&proxy).await;
    for (code, reason) in [
        (503, "ServiceUnavailable"),
        (500, "InternalError"),
        (502, "BadGateway"),
        (504, "Timeout"),
    ] {
        proxy.set_rules(json!({
            "match": {"path": "^/api/v1/namespaces$"},
            "fault": {"status": code},
            "times": 1,
        }));
        let status = api_status(client.request_text(get("/api/v1/namespaces")).await);
        assert_eq!(status.code, code);
        assert_eq!(status.reason, reason);
        assert!(!status.message.is_empty());
        let (status, _, _) = send(&client, "/api/v1/namespaces").await;
        assert_eq!(status, 200, "{code} only once");
    }
}

#[tokio::test]
async fn a_410_rule_expires_the_second_page_of_a_paginated_list() {
    let namespace = namespace_with_configmaps("fp-410", 3).await;
    let proxy = FaultProxy::start();
    proxy.set_rules(json!({
        "match": {
            "method": "GET",
            "path": format!("^/api/v1/namespaces/{namespace}/configmaps$"),
            "query": "(^|&)continue=",
        },
        "fault": {"status": 410, "reason": "Expired"},
        "skip": 0,
        "times": 1,
    }));
    let api = Api::<ConfigMap>::namespaced(proxy.client().await, &namespace);

    let (page, status) = list_by_pages(&api).await.expect_err("page 2 expires");
    assert_eq!(page, 2);
    assert_eq!(status.code, 410);
    assert_eq!(status.reason, "Expired");
    assert!(
        status
            .message
            .starts_with("The provided continue parameter is too old"),
        "{}",
        status.message
    );
    // Listing again from the start succeeds: the rule faulted its one time.
    assert_eq!(
        list_by_pages(&api).await.expect("a fresh list"),
        ["cm-0", "cm-1", "cm-2"]
    );
    let path = format!("/api/v1/namespaces/{namespace}/configmaps");
    let statuses: Vec<Value> = attempts(&proxy, &path)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(statuses, [200, 410, 200, 200, 200]);
}

#[tokio::test]
async fn a_410_rule_that_skips_one_continued_page_expires_the_third() {
    let namespace = namespace_with_configmaps("fp-410p3", 3).await;
    let proxy = FaultProxy::start();
    proxy.set_rules(json!({
        "match": {
            "path": format!("^/api/v1/namespaces/{namespace}/configmaps$"),
            "query": "(^|&)continue=",
        },
        "fault": {"status": 410, "reason": "Expired"},
        "skip": 1,
        "times": 1,
    }));
    let api = Api::<ConfigMap>::namespaced(proxy.client().await, &namespace);
    let (page, status) = list_by_pages(&api).await.expect_err("page 3 expires");
    assert_eq!((page, status.code), (3, 410));
}

#[tokio::test]
async fn a_truncated_body_is_a_json_error_for_the_client() {
    let proxy = FaultProxy::start();
    proxy.set_rules(json!({
        "match": {"path": "^/api/v1/namespaces$"},
        "fault": {"truncate": true},
        "times": 2,
    }));
    let client = client_without_retries(&proxy).await;

    // A well-formed response: its Content-Length is what was sent, the JSON is cut.
    let (status, headers, body) = send(&client, "/api/v1/namespaces").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-length"], body.len().to_string().as_str());
    assert!(serde_json::from_slice::<Value>(&body).unwrap_err().is_eof());

    match client.request::<Value>(get("/api/v1/namespaces")).await {
        Err(Error::SerdeError(e)) => assert!(e.is_eof(), "{e}"),
        other => panic!("a JSON error, not {other:?}"),
    }
    // The connection is still good, and the next answer whole.
    let list: Value = client
        .request(get("/api/v1/namespaces"))
        .await
        .expect("a whole list after the rule's times");
    assert_eq!(list["kind"], "NamespaceList");
}

#[tokio::test]
async fn a_reset_mid_body_is_a_transport_error() {
    let proxy = FaultProxy::start();
    proxy.set_rules(json!({
        "match": {"path": "^/api/v1/namespaces$"},
        "fault": {"reset": "mid_body"},
        "times": 1,
    }));
    let client = client_without_retries(&proxy).await;

    match client.request_text(get("/api/v1/namespaces")).await {
        Err(Error::HyperError(e)) => assert!(
            e.is_incomplete_message() || e.to_string().contains("reset"),
            "{e}"
        ),
        Err(Error::Service(e)) => assert!(!e.to_string().is_empty()),
        other => panic!("a transport error, not {other:?}"),
    }
    let log = proxy.log();
    assert_eq!(log[0]["status_sent"], 200, "the headers were sent: {log:?}");
    assert_eq!(log[0]["aborted"], true);

    // The client reconnects; the rule's one time is spent.
    let list: Value = client
        .request(get("/api/v1/namespaces"))
        .await
        .expect("a whole list after the reset");
    assert_eq!(list["kind"], "NamespaceList");
}

#[tokio::test]
async fn a_stall_makes_a_client_with_a_one_second_timeout_time_out() {
    let proxy = FaultProxy::start();
    proxy.set_rules(json!({
        "match": {"path": "^/api/v1/namespaces$"},
        "fault": {"stall": 60},
        "times": 1,
    }));
    let mut config = proxy.config().await;
    config.default_retry = false;
    config.read_timeout = Some(Duration::from_secs(1));
    let client = Client::try_from(config).unwrap();

    let started = Instant::now();
    let result = client.request_text(get("/api/v1/namespaces")).await;
    let waited = started.elapsed();
    let error = result.expect_err("the stalled request times out");
    let debug = format!("{error:?}").to_lowercase();
    assert!(
        debug.contains("timedout") || debug.contains("timed out"),
        "{debug}"
    );
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    // Still stalled on the proxy's side: nothing was sent.
    assert!(proxy.log()[0]["status_sent"].is_null());

    let list: Value = client
        .request(get("/api/v1/namespaces"))
        .await
        .expect("the next request passes");
    assert_eq!(list["kind"], "NamespaceList");
}

#[tokio::test]
async fn latency_slows_every_matching_response_without_changing_it() {
    let proxy = FaultProxy::start();
    proxy.set_rules(json!({
        "match": {"path": "^/api/v1/namespaces/default$"},
        "fault": {"latency": 0.4},
    }));
    let client = client_without_retries(&proxy).await;
    for _ in 0..3 {
        let started = Instant::now();
        let (status, _, body) = send(&client, "/api/v1/namespaces/default").await;
        assert!(started.elapsed() >= Duration::from_millis(400));
        assert_eq!(status, 200);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["metadata"]["name"], "default");
    }
    assert_eq!(proxy.rules()[0]["faulted"], 3);
}

#[tokio::test]
async fn the_log_records_every_attempt_of_a_retrying_client() {
    let proxy = FaultProxy::start();
    proxy.set_rules(json!({
        "match": {"method": "GET", "path": "^/api/v1/namespaces/default$"},
        "fault": {"status": 503},
        "times": 2,
    }));
    // kube's default client retries 503 by itself: one call, three attempts.
    let client = proxy.client().await;
    let namespace = Api::<Namespace>::all(client)
        .get("default")
        .await
        .expect("the third attempt succeeds");
    assert_eq!(namespace.metadata.name.as_deref(), Some("default"));

    let log = proxy.log();
    assert_eq!(log.len(), 3, "{log:?}");
    for entry in &log {
        assert_eq!(entry["method"], "GET");
        assert_eq!(entry["path"], "/api/v1/namespaces/default");
        assert_eq!(entry["query"], "");
    }
    let statuses: Vec<&Value> = log.iter().map(|e| &e["status_sent"]).collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(log[0]["fault"], json!({"status": 503}));
    assert_eq!(log[0]["rule"], 0);
    assert!(log[2]["fault"].is_null() && log[2]["rule"].is_null());

    proxy.clear();
    assert!(proxy.log().is_empty());
    assert!(proxy.rules().is_empty());
}

#[test]
#[should_panic(expected = "unknown keys")]
fn a_rule_with_a_misspelt_fault_is_refused() {
    let proxy = FaultProxy::start();
    proxy.set_rules(json!({"fault": {"status": 429, "retry_afterr": 1}}));
}
