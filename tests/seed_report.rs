//! The seed cluster's report, from the shipped dump: the counts, findings, severities and
//! commands of the hand-made report (`shared/seed-report.zh-TW.md`), with true figures.

mod common;

use common::*;
use serde_json::{Value, json};

fn seed_report(extra: &[&str]) -> (Value, String) {
    let mut args = vec![
        "report",
        "--from-dump",
        "examples/seed-cluster.json",
        "-n",
        "pigo-dev,pigo-stg,pigo-rel",
        "--now",
        "2025-12-26T10:00:00+08:00",
        "--timezone",
        "Asia/Taipei",
        "--cluster-name",
        "PIGO 線下",
    ];
    args.extend_from_slice(extra);
    let mut json_args = args.clone();
    json_args.extend(["-o", "json"]);
    let json: Value = serde_json::from_str(&stdout(&kube_patrol(&json_args))).expect("JSON report");
    let markdown = stdout(&kube_patrol(&args));
    (json, markdown)
}

fn counts(v: &Value) -> (u64, u64, u64, u64) {
    let n = |k: &str| v[k].as_u64().unwrap();
    (n("pods"), n("healthy"), n("not_healthy"), n("restarts"))
}

fn pod<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .expect(name)
}

#[test]
fn namespace_counts_match_the_seeds_summary_table() {
    let (report, markdown) = seed_report(&[]);
    let namespaces: Vec<(String, (u64, u64, u64, u64))> = report["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["name"].as_str().unwrap().to_owned(), counts(n)))
        .collect();
    assert_eq!(
        namespaces,
        [
            ("pigo-dev".to_owned(), (14, 13, 1, 0)),
            ("pigo-stg".to_owned(), (18, 18, 0, 0)),
            ("pigo-rel".to_owned(), (16, 15, 1, 0)),
        ]
    );
    assert_eq!(counts(&report["summary"]), (48, 46, 2, 0));
    assert_eq!(report["summary"]["overall"], "attention");
    assert!(
        markdown.contains("| **總計** | **48** | **46** | **2** | **0** |"),
        "{markdown}"
    );
    assert!(markdown.contains("**整體健康狀態**: 🟡 需要關注"));
}

#[test]
fn the_error_pod_is_high_with_the_delete_get_deployment_and_list_commands() {
    let (report, markdown) = seed_report(&[]);
    let p = pod(&report, "pigo-cron-77cc9c4d8c-tw2xb");
    assert_eq!(
        (p["health"].as_str(), p["severity"].as_str()),
        (Some("unhealthy"), Some("high"))
    );
    assert_eq!(p["problems"][0]["code"], "failed");
    let action = report["advice"]["immediate"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["pod"] == "pigo-cron-77cc9c4d8c-tw2xb")
        .unwrap();
    assert_eq!(action["priority"], "high");
    let commands: Vec<&str> = action["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "kubectl delete pod pigo-cron-77cc9c4d8c-tw2xb -n pigo-dev",
            "kubectl get deployment pigo-cron -n pigo-dev",
            "kubectl get pods -n pigo-dev -l app=pigo-cron",
        ]
    );
    assert!(markdown.contains("#### 🔴 高優先級"));
    assert!(markdown.contains("   kubectl get pods -n pigo-dev -l app=pigo-cron"));
    assert!(markdown.contains("狀態: Error（已持續 7 天 10 小時）"));
}

#[test]
fn the_completed_pod_is_a_medium_leftover_naming_the_new_version_pod() {
    let (report, markdown) = seed_report(&[]);
    let p = pod(&report, "prometheus-blackbox-exporter-6fc9ff54ff-6cnqp");
    assert_eq!(
        (p["health"].as_str(), p["severity"].as_str()),
        (Some("attention"), Some("medium"))
    );
    assert_eq!(p["problems"][0]["code"], "leftover_completed");
    assert_eq!(
        p["owner"]["replacement"]["name"],
        "prometheus-blackbox-exporter-8c9d676fc-bkk6p"
    );
    assert_eq!(p["owner"]["replacement"]["age"], "10d");
    assert!(
        markdown.contains("新版本 Pod (8c9d676fc-bkk6p) 已在 10 天前啟動"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "kubectl delete pod prometheus-blackbox-exporter-6fc9ff54ff-6cnqp -n pigo-rel"
        )
    );
}

#[test]
fn statistics_are_computed_not_copied_from_the_seed() {
    let (report, markdown) = seed_report(&[]);
    let stats = &report["statistics"];
    let shares: Vec<(&str, &str)> = stats["status_distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["status"].as_str().unwrap(),
                s["percent_text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [("Running", "95.8"), ("Completed", "2.1"), ("Error", "2.1")]
    );
    // The seed says 3 pods are over 90 days; its own tables have 5.
    assert_eq!(stats["age_buckets"][0]["pods"], 5);
    // The seed lists pigo-stg-k8s-service-node0[1-4]; no pod runs on node04.
    assert!(
        markdown.contains("- pigo-stg-k8s-service-node0[1-3]: 13 個 Pod"),
        "{markdown}"
    );
    assert!(markdown.contains("- pigo-rel-k8s-service-node0[1-6]: 31 個 Pod"));
}

#[test]
fn the_report_reads_in_english_too() {
    let (report, markdown) = seed_report(&["--lang", "en"]);
    assert_eq!(report["lang"], "en");
    assert!(
        markdown.starts_with("# PIGO 線下 Kubernetes Pod Health Inspection"),
        "{markdown}"
    );
    assert!(markdown.contains("## 📊 Summary"));
    assert!(markdown.contains(
        "This is an old-version pod; the new-version pod (8c9d676fc-bkk6p) started 10 days ago"
    ));
}

#[test]
fn compared_with_last_weeks_json_the_report_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (last_week, _) = seed_report(&[]);
    let previous = dir.path().join("last-week.json");
    std::fs::write(&previous, last_week.to_string()).unwrap();
    let seed = std::fs::read_to_string("examples/seed-cluster.json").unwrap();
    let mut dump: Value = serde_json::from_str(&seed).unwrap();
    a_week_later(&mut dump);
    let week2 = dir.path().join("week2.json");
    std::fs::write(&week2, dump.to_string()).unwrap();

    let args = [
        "report",
        "--from-dump",
        week2.to_str().unwrap(),
        "-n",
        "pigo-dev,pigo-stg,pigo-rel",
        "--now",
        "2026-01-02T10:00:00+08:00",
        "--timezone",
        "Asia/Taipei",
        "--compare-with",
        previous.to_str().unwrap(),
    ];
    let markdown = stdout(&kube_patrol(&args));
    let json_args: Vec<&str> = args.iter().copied().chain(["-o", "json"]).collect();
    let report: Value = serde_json::from_str(&stdout(&kube_patrol(&json_args))).unwrap();

    let new: Vec<&Value> = report["trend"]["new_problems"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(
        new[0]["subject"],
        json!({"kind": "Deployment", "name": "game-api"})
    );
    assert_eq!(
        new[0]["now"]["pods"][0]["name"],
        "game-api-7688f98587-knrxz"
    );
    assert!(markdown.contains("## 🔄 與上次巡檢比較"));
    assert!(
        markdown.contains("**上次巡檢**: 2025-12-26 10:00 CST"),
        "{markdown}"
    );
}

#[test]
fn comparing_with_a_file_that_is_not_a_report_is_a_usage_error() {
    let out = kube_patrol(&[
        "report",
        "--from-dump",
        "examples/seed-cluster.json",
        "-A",
        "--compare-with",
        "Cargo.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(
        error.contains("cannot compare with Cargo.toml: the previous report is not valid JSON"),
        "{error}"
    );
}

#[test]
fn an_old_dump_read_without_now_is_said_to_be_old_in_the_log_and_the_title_block() {
    let out = kube_patrol(&[
        "report",
        "--from-dump",
        "examples/seed-cluster.json",
        "-n",
        "pigo-dev",
        "--timezone",
        "Asia/Taipei",
    ]);
    let markdown = stdout(&out);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("pass --now 2025-12-26T") && log.contains("dump"),
        "{log}"
    );
    let title_block = markdown.split("---").next().unwrap();
    assert!(
        title_block.contains("⚠️ 此傾印檔已過時") && title_block.contains("`--now 2025-12-26T"),
        "{title_block}"
    );
}

#[test]
fn a_dump_read_at_its_own_time_is_not_said_to_be_old() {
    let (report, markdown) = seed_report(&[]);
    assert_eq!(report["dump_age"]["old"], false);
    assert!(!markdown.contains("此傾印檔已過時"));
}
