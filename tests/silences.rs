//! Silences against the real API server: a Deployment's `kube-patrol.io/silence` annotation
//! silences its crash-looping pod, a config silence covers another crash-looping pod, an
//! expired one puts a third pod's problem back (marked), one matches nothing (unused) and a
//! malformed annotation is listed and ignored. The archived Markdown, HTML and JSON show each,
//! in zh-TW and in English, and `run --fail-on unhealthy` exits 0 only when every unhealthy
//! pod is silenced.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::*;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kube::{Client, Resource};
use serde_json::{Value, json};
use tempfile::TempDir;

const OWNER: &str = "team-payments@example.com";

/// Today in Taipei, the reports' zone, moved by `days`.
fn day(days: i64) -> Date {
    let today = Timestamp::now()
        .to_zoned(TimeZone::get("Asia/Taipei").unwrap())
        .date();
    today.checked_add(jiff::Span::new().days(days)).unwrap()
}

fn ago(seconds: i64) -> String {
    (Timestamp::now() - jiff::SignedDuration::from_secs(seconds)).to_string()
}

fn owner_of<K: Resource<DynamicType = ()>>(object: &K) -> Value {
    json!([{"apiVersion": K::api_version(&()), "kind": K::kind(&()),
           "name": object.meta().name, "uid": object.meta().uid, "controller": true}])
}

/// A pod in CrashLoopBackOff that restarted 12 times, the last a minute ago: `crash_loop` and
/// `restarts_high`, unhealthy.
async fn crashing_pod(client: &Client, ns: &str, meta: Value) {
    let spec = json!({"nodeName": "node-1", "restartPolicy": "Always",
        "containers": [{"name": "main", "image": "busybox"}]});
    let status = json!({"phase": "Running",
        "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": ago(600)}],
        "containerStatuses": [{"name": "main", "image": "busybox", "imageID": "", "ready": false,
            "restartCount": 12, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"reason": "Error", "exitCode": 1,
                "startedAt": ago(120), "finishedAt": ago(60)}}}]});
    create_pod_with_meta(client, ns, meta, spec, status).await;
}

fn template(app: &str) -> Value {
    json!({"metadata": {"labels": {"app": app}},
           "spec": {"containers": [{"name": "main", "image": "busybox"}]}})
}

/// Deployment `name` (with `annotations`), its ReplicaSet `<name>-1` and, when `crashing`, its
/// one pod `<name>-1-abcde` crash-looping.
async fn deployment(client: &Client, ns: &str, name: &str, annotations: Value, crashing: bool) {
    let d: Deployment = create(client, ns, json!({
        "metadata": {"name": name, "annotations": annotations},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": template(name)}}))
    .await;
    set_status::<Deployment>(client, ns, name, json!({"replicas": 1, "readyReplicas": 0})).await;
    let rs_name = format!("{name}-1");
    let rs: ReplicaSet = create(client, ns, json!({
        "metadata": {"name": rs_name, "labels": {"app": name}, "ownerReferences": owner_of(&d),
            "annotations": {"deployment.kubernetes.io/revision": "1"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": template(name)}}))
    .await;
    if crashing {
        let meta = json!({"name": format!("{rs_name}-abcde"), "labels": {"app": name},
            "ownerReferences": owner_of(&rs)});
        crashing_pod(client, ns, meta).await;
    }
}

/// The namespace: Deployment `payments` silenced by its annotation, its pod crash-looping;
/// bare crash-looping pods `batch-7` and `legacy-0`; a healthy pod; Deployment `orders` whose
/// annotation is malformed.
async fn cluster(client: &Client, ns: &str) {
    create_namespace(client, ns).await;
    let note = format!(
        "until={}; owner={OWNER}; reason=waiting for vendor fix; problems=crash_loop,restarts_high",
        day(30)
    );
    let annotations = json!({"kube-patrol.io/silence": note});
    deployment(client, ns, "payments", annotations, true).await;
    deployment(
        client,
        ns,
        "orders",
        json!({"kube-patrol.io/silence": "until=soon"}),
        false,
    )
    .await;
    crashing_pod(client, ns, json!({"name": "batch-7"})).await;
    crashing_pod(client, ns, json!({"name": "legacy-0"})).await;
    let spec =
        json!({"nodeName": "node-1", "containers": [{"name": "web", "image": "nginx:1.27"}]});
    let status = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [{"name": "web", "image": "nginx:1.27", "imageID": "", "ready": true,
            "restartCount": 0, "started": true, "state": {"running": {"startedAt": ago(3600)}}}]});
    create_pod(client, ns, "web", spec, status).await;
}

/// A run's config (lines numbered as the entries' sources say) and archive.
struct Setup {
    dir: TempDir,
}

impl Setup {
    fn new() -> Self {
        Setup {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config.yaml")
    }

    fn archive(&self) -> PathBuf {
        self.dir.path().join("reports")
    }

    /// `batch-*` silenced for three weeks (line 8), `legacy-*` until `legacy_until` (line 13),
    /// `Deployment/gone` (line 18) matching nothing.
    fn write_config(&self, ns: &str, lang: &str, legacy_until: Date) {
        let text = format!(
            "cluster:\n  timezone: Asia/Taipei\nreport:\n  lang: {lang}\nnamespaces:\n  include: [{ns}]\n\
             silences:\n\
             \x20 - pod: 'batch-*'\n    namespace: {ns}\n    reason: nightly batch rewrite in progress\n    owner: team-batch@example.com\n    until: {}\n\
             \x20 - pod: 'legacy-*'\n    reason: legacy system retired soon\n    owner: team-legacy@example.com\n    problems: [crash_loop, restarts_high]\n    until: {legacy_until}\n\
             \x20 - workload: Deployment/gone\n    reason: removed last month\n    owner: sre@example.com\n    until: {}\n\
             archive:\n  dir: {}\n",
            day(21),
            day(60),
            self.archive().display()
        );
        std::fs::write(self.config(), text).unwrap();
    }

    fn run(&self, extra: &[&str]) -> Output {
        let kubeconfig = kubeconfig();
        Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
            .arg("run")
            .arg("--config")
            .arg(self.config())
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(extra)
            .env("RUST_LOG", "warn")
            .env_remove("KUBE_PATROL_CONFIG")
            .output()
            .expect("run kube-patrol")
    }

    /// `kube-patrol report` with the same config, in English, every format.
    fn report_in_english(&self) -> Formats {
        let out_dir = self.dir.path().join("en");
        let out = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
            .arg("report")
            .arg("--config")
            .arg(self.config())
            .arg("--kubeconfig")
            .arg(kubeconfig())
            .args(["--lang", "en", "--out-dir"])
            .arg(&out_dir)
            .env("RUST_LOG", "error")
            .env_remove("KUBE_PATROL_CONFIG")
            .output()
            .expect("run kube-patrol");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let read = |name: &str| std::fs::read_to_string(out_dir.join(name)).unwrap();
        Formats {
            markdown: read("report.md"),
            html: read("report.html"),
            json: serde_json::from_str(&read("report.json")).unwrap(),
        }
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.archive().join(name)).unwrap()
    }

    fn file(&self) -> String {
        self.config().display().to_string()
    }
}

struct Formats {
    markdown: String,
    html: String,
    json: Value,
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON's pods by name: (health, silenced's owner, silence_expired's owner).
fn pod_silences(report: &Value) -> Vec<(String, String, Value, Value)> {
    report["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["health"].as_str().unwrap().to_owned(),
                p["silenced"]["owner"].clone(),
                p["silence_expired"]["owner"].clone(),
            )
        })
        .collect()
}

/// The JSON's silences: (source, state, matched).
fn silences(report: &Value) -> Vec<(String, String, u64)> {
    report["silences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let source = match s["source"]["kind"].as_str().unwrap() {
                "config" => format!("config line {}", s["source"]["line"]),
                _ => format!(
                    "annotation {}/{}",
                    s["source"]["object"]["kind"].as_str().unwrap(),
                    s["source"]["object"]["name"].as_str().unwrap()
                ),
            };
            let state = s["state"].as_str().unwrap().to_owned();
            (source, state, s["matched"].as_u64().unwrap())
        })
        .collect()
}

fn owned(rows: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    rows.iter()
        .map(|(a, b, n)| (a.to_string(), b.to_string(), *n))
        .collect()
}

fn section<'a>(markdown: &'a str, heading: &str) -> &'a str {
    let start = markdown
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} in:\n{markdown}"));
    let rest = &markdown[start..];
    &rest[..rest.find("\n---").unwrap_or(rest.len())]
}

fn assert_has(text: &str, wanted: &str) {
    assert!(text.contains(wanted), "{wanted:?} not in:\n{text}");
}

#[tokio::test]
async fn silences_from_annotations_and_config_leave_the_report_and_fail_on_until_one_expires() {
    let client = client().await;
    let ns = unique("kp-silence");
    cluster(&client, &ns).await;
    let setup = Setup::new();

    // Week 1, zh-TW: the legacy silence ended two days ago.
    setup.write_config(&ns, "zh-TW", day(-2));
    let out = setup.run(&["--fail-on", "unhealthy"]);

    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert_has(
        &stderr(&out),
        "the report was delivered; the overall state is unhealthy (--fail-on unhealthy)",
    );
    assert_has(
        &stderr(&out),
        &format!(
            "ignoring the malformed kube-patrol.io/silence annotation of Deployment/orders in namespace {ns}: missing owner, reason"
        ),
    );
    let json: Value = serde_json::from_str(&setup.read("latest.json")).unwrap();
    assert_json_of_the_first_week(&json);
    assert_markdown_of_the_first_week(&setup.read("latest.md"), &setup.file());
    assert_html_of_the_first_week(&setup.read("latest.html"));
    let english = setup.report_in_english();
    let mark = format!(
        "🔕 silence expired on {} (owner team-legacy@example.com)",
        day(-2)
    );
    assert_has(section(&english.markdown, "## 🚨 Problem pods"), &mark);
    assert_has(
        &english.markdown,
        "### ⌛ Ended: their problems are listed again (1)",
    );
    assert_has(
        &english.markdown,
        "- **annotation on Deployment/orders**: \"until=soon\": missing owner, reason",
    );
    assert_has(&english.html, &mark);
    assert_eq!(silences(&english.json), silences(&json));

    // Week 2, English: the legacy silence renewed; every unhealthy pod is silenced.
    setup.write_config(&ns, "en", day(10));
    let out = setup.run(&["--fail-on", "unhealthy"]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&setup.read("latest.json")).unwrap();
    assert_json_of_the_second_week(&json);
    assert_markdown_of_the_second_week(&setup.read("latest.md"), &setup.file());
    let html = setup.read("latest.html");
    assert_has(&html, "<h2>🔕 Silenced known problems</h2>");
    assert_has(&html, "annotation on Deployment/payments");
}

fn assert_json_of_the_first_week(json: &Value) {
    let silenced = |owner: &str| json!(owner);
    assert_eq!(
        pod_silences(json),
        [
            (
                "batch-7".into(),
                "unhealthy".into(),
                silenced("team-batch@example.com"),
                Value::Null
            ),
            (
                "legacy-0".into(),
                "unhealthy".into(),
                Value::Null,
                silenced("team-legacy@example.com")
            ),
            (
                "payments-1-abcde".into(),
                "unhealthy".into(),
                silenced(OWNER),
                Value::Null
            ),
            ("web".into(), "healthy".into(), Value::Null, Value::Null),
        ]
    );
    assert_eq!(
        silences(json),
        owned(&[
            ("config line 8", "active", 1),
            ("config line 13", "expired", 1),
            ("config line 18", "unused", 0),
            ("annotation Deployment/orders", "invalid", 0),
            ("annotation Deployment/payments", "active", 1),
        ])
    );
    let payments = &json["pods"][2]["silenced"];
    assert_eq!(payments["reason"], "waiting for vendor fix");
    assert_eq!(payments["until"], json!(day(30).to_string()));
    assert_eq!(payments["problems"], json!(["crash_loop", "restarts_high"]));
    assert_eq!(payments["source"]["kind"], "annotation");
    let summary = &json["summary"];
    assert_eq!(
        (
            &summary["unhealthy"],
            &summary["silenced"],
            &summary["overall"]
        ),
        (&json!(1), &json!(2), &json!("unhealthy"))
    );
    let namespace = &json["namespaces"][0];
    assert_eq!(
        (&namespace["unhealthy"], &namespace["silenced"]),
        (&json!(3), &json!(2))
    );
    let findings: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["pod"].as_str().unwrap())
        .collect();
    assert_eq!(findings, ["legacy-0"]);
    let actions: Vec<&str> = json["advice"]["immediate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["pod"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["legacy-0"]);
}

fn assert_markdown_of_the_first_week(markdown: &str, file: &str) {
    let mark = format!(
        "🔕 靜音已於 {} 到期（負責人 team-legacy@example.com）",
        day(-2)
    );
    let problems = section(markdown, "## 🚨 問題 Pod 匯總表");
    assert!(
        !problems.contains("payments") && !problems.contains("batch-7"),
        "{problems}"
    );
    assert_has(problems, &mark);
    let section = section(markdown, "## 🔕 已靜音的已知問題");
    let crashing = "容器 main 反覆崩潰重啟 (CrashLoopBackOff); 重啟 12 次 (≥ 10)，頻繁重啟";
    assert_has(
        section,
        &format!(
            "| payments-1-abcde | CrashLoopBackOff | {crashing} | waiting for vendor fix | {OWNER} | {} | Deployment/payments 上的註解 |",
            day(30)
        ),
    );
    assert_has(
        section,
        &format!(
            "| batch-7 | CrashLoopBackOff | {crashing} | nightly batch rewrite in progress | team-batch@example.com | {} | 設定檔 {file}:8 |",
            day(21)
        ),
    );
    assert_has(section, "### ⌛ 已到期的靜音：問題已重新列出 (1)");
    assert_has(section, "### 🗑️ 未使用的設定檔靜音 (1)");
    assert_has(section, "工作負載 Deployment/gone；所有問題");
    assert_has(section, "### ⚠️ 格式錯誤而忽略的靜音註解 (1)");
    assert_has(
        section,
        "- **Deployment/orders 上的註解**: 「until=soon」：missing owner, reason",
    );
    assert_has(markdown, "**🔕 已靜音**: 2");
    assert_has(markdown, "\n🔕 有 2 個 Pod 的問題全部已靜音");
}

fn assert_html_of_the_first_week(html: &str) {
    assert_has(html, "<h2>🔕 已靜音的已知問題</h2>");
    assert_has(html, "Deployment/payments 上的註解");
    assert_has(html, "靜音已於");
}

fn assert_json_of_the_second_week(json: &Value) {
    assert_eq!(json["summary"]["overall"], "healthy");
    assert_eq!(json["summary"]["silenced"], 3);
    assert_eq!(json["findings"], json!([]));
    assert_eq!(
        silences(json),
        owned(&[
            ("config line 8", "active", 1),
            ("config line 13", "active", 1),
            ("config line 18", "unused", 0),
            ("annotation Deployment/orders", "invalid", 0),
            ("annotation Deployment/payments", "active", 1),
        ])
    );
    let mut still_open: Vec<String> = json["trend"]["still_open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c["subject"]["kind"].as_str().unwrap(),
                c["subject"]["name"].as_str().unwrap()
            )
        })
        .collect();
    still_open.sort();
    assert_eq!(
        still_open,
        ["Deployment/payments", "Pod/batch-7", "Pod/legacy-0"],
        "a silenced problem is still open"
    );
}

fn assert_markdown_of_the_second_week(markdown: &str, file: &str) {
    let section = section(markdown, "## 🔕 Silenced known problems");
    assert_has(
        section,
        &format!(
            "| legacy-0 | CrashLoopBackOff | Container main keeps crashing (CrashLoopBackOff); Restarted 12 times (≥ 10), restarting often | legacy system retired soon | team-legacy@example.com | {} | config {file}:13 |",
            day(10)
        ),
    );
    assert_has(section, "annotation on Deployment/payments |");
    assert_has(section, "### 🗑️ Unused config silences (1)");
    assert_has(markdown, "**🔕 Silenced**: 3");
    assert!(!markdown.contains("silence expired on"), "{markdown}");
}

#[test]
fn an_until_beyond_silence_max_fails_before_the_cluster_is_read_naming_its_line() {
    let setup = Setup::new();
    let text = "silence_max: 30d\nsilences:\n  - namespace: pigo-dev\n    reason: r\n    owner: o\n    until: 2026-03-01\n";
    std::fs::write(setup.config(), text).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .args(["report", "--config"])
        .arg(setup.config())
        .args(["--from-dump", "examples/seed-cluster.json", "-A"])
        .args([
            "--now",
            "2026-01-01T10:00:00+08:00",
            "--timezone",
            "Asia/Taipei",
        ])
        .env_remove("KUBE_PATROL_CONFIG")
        .output()
        .unwrap();

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_has(
        &stderr(&out),
        &format!(
            "config file {file} has 1 problem: {file}:6:12: silences[0].until: `2026-03-01` is more than silence_max (30d) after the report's time (2026-01-01 10:00 CST): silence for less and renew it then, or raise silence_max",
            file = setup.file()
        ),
    );
}
