//! Fleets: several clusters in one report. `merge` of JSON reports (from dumps, no cluster
//! needed), its refusals, the fleet's JSON Schema; and a fleet run over the two real control
//! planes `scripts/test` starts, each with its own pods, with a third cluster that cannot be
//! read (a kubeconfig pointing at a closed loopback port). The fleet overlay of deploy/: its
//! objects, and a member cluster's read-only token (applied to the older control plane, which
//! the tests of deploy/ do not touch).

mod common;
#[path = "support/pushgateway.rs"]
mod pushgateway;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use serde_json::{Value, json};

const FLEET_SCHEMA_FILE: &str = "schema/fleet.schema.json";

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The seed cluster's JSON report, under `name`, written into `dir`.
fn seed_report_file(dir: &Path, name: &str, lang: &str) -> PathBuf {
    let out = kube_patrol(&[
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
        name,
        "--lang",
        lang,
        "-o",
        "json",
    ]);
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, stdout(&out)).unwrap();
    path
}

fn fleet_violations(fleet: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(FLEET_SCHEMA_FILE).expect("the committed fleet schema");
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(fleet)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn the_committed_fleet_schema_is_the_one_the_fleet_types_generate() {
    let generated: Value =
        serde_json::from_str(&stdout(&kube_patrol(&["schema", "--fleet"]))).unwrap();
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(FLEET_SCHEMA_FILE).unwrap()).unwrap();
    assert!(
        generated == committed,
        "{FLEET_SCHEMA_FILE} is stale: run `cargo run -- schema --fleet > {FLEET_SCHEMA_FILE}` and commit it"
    );
}

#[test]
fn merge_of_two_reports_gives_a_fleet_summary_with_both_clusters_figures() {
    let dir = tempfile::tempdir().unwrap();
    let dev = seed_report_file(dir.path(), "dev", "en");
    let rel = seed_report_file(dir.path(), "rel", "en");
    let single: Value = serde_json::from_str(&std::fs::read_to_string(&dev).unwrap()).unwrap();
    let s = &single["summary"];

    let markdown = stdout(&kube_patrol(&["merge", path_str(&dev), path_str(&rel)]));
    let json: Value = serde_json::from_str(&stdout(&kube_patrol(&[
        "merge",
        path_str(&dev),
        path_str(&rel),
        "-o",
        "json",
    ])))
    .unwrap();

    assert!(markdown.starts_with("# Fleet Kubernetes Pod Health Inspection (2 clusters)"));
    let row = |name: &str| {
        format!(
            "| {name} | {} | {} | {} | {} | {} | 🟡 Needs attention | — (no earlier report) |",
            s["pods"], s["healthy"], s["attention"], s["unhealthy"], s["restarts"]
        )
    };
    assert!(markdown.contains(&row("dev")), "{markdown}");
    assert!(markdown.contains(&row("rel")), "{markdown}");
    let total = s["pods"].as_u64().unwrap() * 2;
    assert!(
        markdown.contains(&format!("| **Total** | **{total}** |")),
        "{markdown}"
    );
    assert!(markdown.contains("\n## dev Kubernetes Pod Health Inspection"));
    assert_eq!(json["clusters"][0], single);
    assert_eq!(json["clusters"][1]["cluster"], "rel");
    assert_eq!(json["generated_at"], single["generated_at"]);
    assert_eq!(fleet_violations(&json), Vec::<String>::new());
}

#[test]
fn merge_writes_every_format_into_out_dir_in_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let dev = seed_report_file(dir.path(), "dev", "zh-TW");
    let out_dir = dir.path().join("fleet");
    let out = kube_patrol(&[
        "merge",
        path_str(&dev),
        "--out-dir",
        path_str(&out_dir),
        "--lang",
        "zh-TW",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(md.contains("## 🌐 集群總覽"), "{md}");
    assert!(md.contains("## 🚨 全集群問題 Pod 匯總表"));
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"zh-TW\">"));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["lang"], "zh-TW");
}

#[test]
fn merge_refuses_a_file_that_is_not_json_naming_it_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let dev = seed_report_file(dir.path(), "dev", "en");
    let markdown = dir.path().join("report.md");
    std::fs::write(&markdown, "# a report\n").unwrap();

    let out = kube_patrol(&["merge", path_str(&dev), path_str(&markdown)]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "cannot merge {}: it is not JSON",
            markdown.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("give JSON reports written by kube-patrol"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn merge_refuses_json_that_is_not_a_kube_patrol_report() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.json");
    std::fs::write(&dump, json!({"kind": "List", "items": []}).to_string()).unwrap();

    let out = kube_patrol(&["merge", path_str(&dump)]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("it is not a kube-patrol report"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn merge_refuses_a_report_of_another_schema_version_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let dev = seed_report_file(dir.path(), "dev", "en");
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&dev).unwrap()).unwrap();
    old.as_object_mut().unwrap().remove("schema_version");
    let old_file = dir.path().join("old.json");
    std::fs::write(&old_file, old.to_string()).unwrap();

    let out = kube_patrol(&["merge", path_str(&dev), path_str(&old_file)]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot merge {}", old_file.display())),
        "{err}"
    );
    assert!(err.contains("its schema_version is 1"), "{err}");
    assert!(err.contains("make the report again"), "{err}");
}

#[test]
fn merge_of_a_fleet_report_takes_its_clusters_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let dev = seed_report_file(dir.path(), "dev", "en");
    let rel = seed_report_file(dir.path(), "rel", "en");
    let fleet = dir.path().join("fleet.json");
    let out = kube_patrol(&["merge", path_str(&dev), path_str(&rel), "-o", "json"]);
    std::fs::write(&fleet, stdout(&out)).unwrap();
    let stg = seed_report_file(dir.path(), "stg", "en");

    let merged: Value = serde_json::from_str(&stdout(&kube_patrol(&[
        "merge",
        path_str(&fleet),
        path_str(&stg),
        "-o",
        "json",
    ])))
    .unwrap();

    let names: Vec<&str> = merged["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "rel", "stg"]);
}

#[test]
fn a_fleet_asked_of_a_dump_is_refused_pointing_at_merge() {
    let out = kube_patrol(&[
        "report",
        "--from-dump",
        "examples/seed-cluster.json",
        "-A",
        "--context",
        "dev,stg",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("kube-patrol merge"),
        "{}",
        stderr(&out)
    );
}

// ---- Against the real control planes ----

/// A namespace of `count` pods in the cluster of `kubeconfig`: the first crash-loops (20
/// restarts), the others run; returns the namespace.
async fn namespace_with_pods(kubeconfig: &Path, prefix: &str, count: usize) -> String {
    let client = client_for(kubeconfig).await;
    let ns = unique(prefix);
    create_namespace(&client, &ns).await;
    for i in 0..count {
        let spec =
            json!({"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"});
        let status = if i == 0 {
            json!({"phase": "Running",
                "conditions": [{"type": "Ready", "status": "False"}],
                "containerStatuses": [{"name": "app", "image": "nginx:1.27", "imageID": "", "ready": false,
                    "restartCount": 20, "started": false,
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                        "startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:00:01Z"}},
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}}}]})
        } else {
            json!({"phase": "Running",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{"name": "app", "image": "nginx:1.27", "imageID": "", "ready": true,
                    "restartCount": 0, "started": true, "state": {"running": {"startedAt": "2025-12-01T00:00:00Z"}}}]})
        };
        create_pod(&client, &ns, &format!("app-{i}"), spec, status).await;
    }
    ns
}

/// A kubeconfig like `kubeconfig` whose server is a loopback port nothing listens on.
fn unreachable_kubeconfig(dir: &Path, kubeconfig: &Path) -> PathBuf {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = std::fs::read_to_string(kubeconfig).unwrap();
    let server = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("server: "))
        .unwrap()
        .to_owned();
    let path = dir.join("down.kubeconfig");
    std::fs::write(
        &path,
        text.replace(&server, &format!("https://127.0.0.1:{port}")),
    )
    .unwrap();
    path
}

/// The figures of a report's summary that the fleet summary shows.
fn figures(report: &Value) -> Value {
    let s = &report["summary"];
    json!([
        s["pods"],
        s["healthy"],
        s["attention"],
        s["unhealthy"],
        s["restarts"],
        s["overall"]
    ])
}

/// One report of one cluster alone, as `report -o json` makes it.
fn single_report(kubeconfig: &Path, ns: &str) -> Value {
    serde_json::from_str(&stdout(&kube_patrol(&[
        "report",
        "--kubeconfig",
        path_str(kubeconfig),
        "-n",
        ns,
        "-o",
        "json",
    ])))
    .unwrap()
}

struct Fleet {
    dir: tempfile::TempDir,
    new_ns: String,
    old_ns: String,
}

impl Fleet {
    async fn new() -> Fleet {
        let new_ns = namespace_with_pods(&kubeconfig(), "kp-fleet-new", 3).await;
        let old_ns = namespace_with_pods(&old_kubeconfig(), "kp-fleet-old", 2).await;
        Fleet {
            dir: tempfile::tempdir().unwrap(),
            new_ns,
            old_ns,
        }
    }

    /// A config of the two clusters (and `extra` entries), archiving into `archive/`.
    fn config(&self, extra: &str) -> PathBuf {
        let path = self.dir.path().join("config.yaml");
        let text = format!(
            "archive:\n  dir: {archive}\nclusters:\n  - name: new\n    kubeconfig: {new}\n    namespaces: [{new_ns}]\n  - name: old\n    kubeconfig: {old}\n    namespaces: [{old_ns}]\n{extra}",
            archive = self.dir.path().join("archive").display(),
            new = kubeconfig().display(),
            old = old_kubeconfig().display(),
            new_ns = self.new_ns,
            old_ns = self.old_ns,
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    fn archived(&self, path: &str) -> Value {
        let text = std::fs::read_to_string(self.dir.path().join("archive").join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap()
    }
}

#[tokio::test]
async fn one_run_over_two_clusters_gives_the_fleet_summary_with_both_clusters_true_figures() {
    let fleet = Fleet::new().await;
    let config = fleet.config("");

    let out = kube_patrol(&["run", "--config", path_str(&config), "--lang", "en"]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = fleet.archived("latest.json");
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 2);
    assert_eq!(clusters[0]["cluster"], "new");
    assert_eq!(clusters[1]["cluster"], "old");
    let alone_new = single_report(&kubeconfig(), &fleet.new_ns);
    let alone_old = single_report(&old_kubeconfig(), &fleet.old_ns);
    assert_eq!(figures(&clusters[0]), figures(&alone_new));
    assert_eq!(figures(&clusters[1]), figures(&alone_old));
    assert_eq!(figures(&clusters[0])[0], 3);
    assert_eq!(figures(&clusters[1])[0], 2);
    assert_eq!(
        clusters[1]["kubernetes_version"],
        alone_old["kubernetes_version"]
    );
    assert_eq!(fleet_violations(&report), Vec::<String>::new());
    let md = std::fs::read_to_string(fleet.dir.path().join("archive/latest.md")).unwrap();
    assert!(md.contains("| new | 3 | 2 | 0 | 1 | 20 | 🔴"), "{md}");
    assert!(
        md.contains("| **Total** | **5** | **3** | **0** | **2** | **40** |"),
        "{md}"
    );
    // Each cluster's JSON in its own archive.
    assert_eq!(fleet.archived("clusters/new/latest.json")["cluster"], "new");
    assert_eq!(fleet.archived("clusters/old/latest.json")["cluster"], "old");
}

#[tokio::test]
async fn merge_of_the_two_clusters_archived_json_equals_the_live_fleet_runs_figures() {
    let fleet = Fleet::new().await;
    let config = fleet.config("");
    let out = kube_patrol(&["run", "--config", path_str(&config), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let live = fleet.archived("latest.json");
    let archive = fleet.dir.path().join("archive/clusters");

    let merged: Value = serde_json::from_str(&stdout(&kube_patrol(&[
        "merge",
        path_str(&archive.join("new/latest.json")),
        path_str(&archive.join("old/latest.json")),
        "-o",
        "json",
        "--lang",
        "en",
    ])))
    .unwrap();

    assert_eq!(merged["clusters"], live["clusters"]);
    let live_md = std::fs::read_to_string(fleet.dir.path().join("archive/latest.md")).unwrap();
    let merged_md = stdout(&kube_patrol(&[
        "merge",
        path_str(&archive.join("new/latest.json")),
        path_str(&archive.join("old/latest.json")),
        "--lang",
        "en",
    ]));
    let summary = |md: &str| {
        let start = md.find("## 🌐").unwrap();
        md[start..md[start..].find("\n---").unwrap() + start].to_owned()
    };
    assert_eq!(summary(&merged_md), summary(&live_md));
}

#[tokio::test]
async fn a_second_fleet_run_compares_each_cluster_with_its_own_last_report() {
    let fleet = Fleet::new().await;
    let config = fleet.config("");
    for _ in 0..2 {
        let out = kube_patrol(&["run", "--config", path_str(&config), "--lang", "en"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let report = fleet.archived("latest.json");
    for cluster in report["clusters"].as_array().unwrap() {
        assert!(cluster["trend"].is_object(), "{}", cluster["cluster"]);
        assert_eq!(cluster["history"].as_array().unwrap().len(), 2);
    }
    let md = std::fs::read_to_string(fleet.dir.path().join("archive/latest.md")).unwrap();
    assert!(
        md.contains("not healthy 0; 🆕 0 new, ✅ 0 resolved"),
        "{md}"
    );
}

#[tokio::test]
async fn a_cluster_that_cannot_be_read_is_a_row_saying_why_and_the_run_exits_4() {
    let fleet = Fleet::new().await;
    let down = unreachable_kubeconfig(fleet.dir.path(), &kubeconfig());
    let config = fleet.config(&format!(
        "  - name: down\n    kubeconfig: {}\n    namespaces: [default]\ncluster:\n  retries: 0\n  request_timeout: 5s\n",
        down.display()
    ));

    let out = kube_patrol(&["run", "--config", path_str(&config), "--lang", "en"]);

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the fleet report is partial: could not read cluster down ("),
        "{err}"
    );
    let report = fleet.archived("latest.json");
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 3);
    assert_eq!(figures(&clusters[0])[0], 3);
    assert_eq!(figures(&clusters[1])[0], 2);
    assert_eq!(clusters[2]["cluster"], "down");
    let reason = clusters[2]["reason"].as_str().unwrap();
    assert!(reason.contains("127.0.0.1"), "{reason}");
    assert_eq!(fleet_violations(&report), Vec::<String>::new());
    let md = std::fs::read_to_string(fleet.dir.path().join("archive/latest.md")).unwrap();
    assert!(
        md.contains("| down | — | — | — | — | — | ⚠️ Not read |"),
        "{md}"
    );
    assert!(md.contains("⚠️ Some clusters could not be read"), "{md}");
    assert!(!fleet.dir.path().join("archive/clusters/down").exists());
}

/// A control plane of the test's own (`scripts/control-plane up`), stopped when dropped.
struct ThirdCluster {
    dir: PathBuf,
    up: bool,
}

impl ThirdCluster {
    fn start(dir: PathBuf) -> ThirdCluster {
        let out = control_plane("up", &dir);
        assert!(out.status.success(), "{}", stderr(&out));
        ThirdCluster { dir, up: true }
    }

    /// Its kubeconfig, flattened (the CA inline) out of the directory that `down` removes, so
    /// that it still names the stopped server.
    fn kubeconfig(&self) -> PathBuf {
        let kept = self.dir.with_extension("kubeconfig");
        if !kept.exists() {
            let view = kubectl_with(
                &self.dir.join("kubeconfig"),
                &["config", "view", "--flatten", "--raw"],
            );
            std::fs::write(&kept, stdout(&view)).expect("write the kubeconfig");
        }
        kept
    }

    fn stop(&mut self) {
        if std::mem::take(&mut self.up) {
            let out = control_plane("down", &self.dir);
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
}

impl Drop for ThirdCluster {
    fn drop(&mut self) {
        if self.up {
            let _ = control_plane("down", &self.dir);
        }
    }
}

fn control_plane(action: &str, dir: &Path) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/control-plane");
    std::process::Command::new(script)
        .arg(action)
        .arg(dir)
        .output()
        .expect("run scripts/control-plane")
}

#[tokio::test]
async fn a_cluster_stopped_between_two_weekly_runs_is_a_row_saying_why_and_the_others_compare() {
    let fleet = Fleet::new().await;
    let mut third = ThirdCluster::start(fleet.dir.path().join("third"));
    let third_ns = namespace_with_pods(&third.kubeconfig(), "kp-fleet-third", 1).await;
    let config = fleet.config(&format!(
        "  - name: third\n    kubeconfig: {}\n    namespaces: [{third_ns}]\ncluster:\n  retries: 1\n  request_timeout: 5s\n",
        third.kubeconfig().display()
    ));
    let out = kube_patrol(&["run", "--config", path_str(&config), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let week1 = fleet.archived("latest.json");
    assert_eq!(
        figures(&week1["clusters"][2])[0],
        1,
        "the third cluster's pod"
    );

    third.stop();
    let out = kube_patrol(&["run", "--config", path_str(&config), "--lang", "en"]);

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not read cluster third ("),
        "{}",
        stderr(&out)
    );
    let week2 = fleet.archived("latest.json");
    let clusters = week2["clusters"].as_array().unwrap();
    assert_eq!(clusters[2]["cluster"], "third");
    let reason = clusters[2]["reason"].as_str().unwrap();
    assert!(reason.contains("127.0.0.1"), "{reason}");
    for cluster in &clusters[..2] {
        assert!(
            cluster["trend"].is_object(),
            "{}: compared with week 1",
            cluster["cluster"]
        );
    }
    assert_eq!(fleet_violations(&week2), Vec::<String>::new());
}

#[tokio::test]
async fn a_fleet_run_pushes_each_clusters_own_group_and_marks_the_unread_one_failed() {
    let gateway = pushgateway::Pushgateway::start();
    let fleet = Fleet::new().await;
    let down = unreachable_kubeconfig(fleet.dir.path(), &kubeconfig());
    let config = fleet.config(&format!(
        "  - name: down\n    kubeconfig: {}\n    namespaces: [default]\ncluster:\n  retries: 0\n  request_timeout: 5s\nmetrics:\n  pushgateway: {}\n",
        down.display(),
        gateway.url()
    ));

    let out = kube_patrol(&["run", "--config", path_str(&config), "--lang", "en"]);

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let metrics = gateway.metrics();
    let has = |line: &str| metrics.lines().any(|l| l == line);
    let success = |cluster: &str, value: u8| {
        format!(
            "kube_patrol_last_run_success{{cluster=\"{cluster}\",instance=\"\",job=\"kube-patrol\"}} {value}"
        )
    };
    for line in [success("new", 1), success("old", 1), success("down", 0)] {
        assert!(has(&line), "{line} not in:\n{metrics}");
    }
    let crashing = format!(
        "kube_patrol_pods{{cluster=\"new\",health=\"unhealthy\",instance=\"\",job=\"kube-patrol\",namespace=\"{}\"}} 1",
        fleet.new_ns
    );
    assert!(has(&crashing), "{crashing} not in:\n{metrics}");
}

#[tokio::test]
async fn report_with_two_contexts_reads_both_clusters_of_one_kubeconfig() {
    // One kubeconfig with both control planes as contexts `new` and `old`.
    let dir = tempfile::tempdir().unwrap();
    let new_ns = namespace_with_pods(&kubeconfig(), "kp-ctx-new", 1).await;
    // The same namespace, empty, in the other cluster: each cluster reads `-n` there.
    create_namespace(&client_for(&old_kubeconfig()).await, &new_ns).await;
    let view = |path: &Path| {
        let out = kubectl_with(
            path,
            &["config", "view", "--flatten", "--raw", "-o", "json"],
        );
        serde_json::from_str::<Value>(&stdout(&out)).expect("kubeconfig as JSON")
    };
    let merged = dir.path().join("both.kubeconfig");
    std::fs::write(
        &merged,
        two_contexts(view(&kubeconfig()), view(&old_kubeconfig())),
    )
    .unwrap();

    let out = kube_patrol(&[
        "report",
        "--kubeconfig",
        path_str(&merged),
        "--context",
        "new",
        "--context",
        "old",
        "-n",
        &new_ns,
        "-o",
        "json",
    ]);

    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters[0]["cluster"], "new");
    assert_eq!(clusters[0]["summary"]["pods"], 1);
    assert_eq!(clusters[1]["cluster"], "old");
    assert_eq!(clusters[1]["summary"]["pods"], 0);
    assert_eq!(clusters[0]["source"]["context"], "new");

    // The next report compares each cluster with its own part of this one.
    let previous = dir.path().join("previous.json");
    std::fs::write(&previous, report.to_string()).unwrap();
    let out = kube_patrol(&[
        "report",
        "--kubeconfig",
        path_str(&merged),
        "--context",
        "new,old",
        "-n",
        &new_ns,
        "--compare-with",
        path_str(&previous),
        "-o",
        "json",
    ]);
    let again: Value = serde_json::from_str(&stdout(&out)).unwrap();
    for cluster in again["clusters"].as_array().unwrap() {
        assert_eq!(
            cluster["trend"]["previous_generated_at"], report["generated_at"],
            "{}",
            cluster["cluster"]
        );
    }
}

/// A kubeconfig of two contexts, `new` and `old`, from two one-context kubeconfigs.
fn two_contexts(new: Value, old: Value) -> String {
    let rename = |mut value: Value, name: &str| -> Value {
        value["clusters"][0]["name"] = json!(name);
        value["users"][0]["name"] = json!(name);
        value["contexts"][0]["name"] = json!(name);
        value["contexts"][0]["context"]["cluster"] = json!(name);
        value["contexts"][0]["context"]["user"] = json!(name);
        value
    };
    let (a, b) = (rename(new, "new"), rename(old, "old"));
    json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [a["clusters"][0], b["clusters"][0]],
        "users": [a["users"][0], b["users"][0]],
        "contexts": [a["contexts"][0], b["contexts"][0]],
        "current-context": "new",
    })
    .to_string()
}

// ---- deploy/overlays/fleet ----

fn fleet_overlay() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/overlays/fleet")
}

/// The objects of a kustomization, as kubectl's client-side dry run prints them.
fn kustomized(dir: &Path) -> Vec<Value> {
    let rendered = stdout(&kubectl(&["kustomize", path_str(dir)]));
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("rendered.yaml");
    std::fs::write(&file, rendered).unwrap();
    let out = kubectl(&[
        "create",
        "--dry-run=client",
        "-o",
        "json",
        "-f",
        path_str(&file),
    ]);
    serde_json::Deserializer::from_str(&stdout(&out))
        .into_iter::<Value>()
        .map(|v| v.expect("a JSON object"))
        .collect()
}

#[test]
fn the_fleet_overlay_mounts_a_kubeconfig_secret_for_each_cluster_of_its_config() {
    let objects = kustomized(&fleet_overlay());
    let cron = objects
        .iter()
        .find(|o| o["kind"] == "CronJob")
        .expect("the CronJob");
    let pod = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    assert_eq!(pod["automountServiceAccountToken"], false);
    let sources = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "config")
        .unwrap()["projected"]["sources"]
        .as_array()
        .unwrap()
        .clone();
    let mounted: Vec<(String, String)> = sources
        .iter()
        .filter_map(|s| {
            let secret = &s["secret"];
            let name = secret["name"].as_str()?;
            name.starts_with("kube-patrol-cluster-").then(|| {
                (
                    name.to_owned(),
                    format!(
                        "/etc/kube-patrol/{}",
                        secret["items"][0]["path"].as_str().unwrap()
                    ),
                )
            })
        })
        .collect();
    let config_map = objects.iter().find(|o| o["kind"] == "ConfigMap").unwrap();
    let config = config_map["data"]["config.yaml"].as_str().unwrap();
    let in_config: Vec<&str> = config
        .lines()
        .filter_map(|l| l.trim().strip_prefix("kubeconfig: "))
        .collect();
    assert_eq!(mounted.len(), 3, "{mounted:?}");
    for (secret, path) in &mounted {
        assert!(
            in_config.contains(&path.as_str()),
            "{secret} at {path}: {in_config:?}"
        );
    }
    assert_eq!(in_config.len(), mounted.len());
}

#[tokio::test]
async fn a_member_clusters_reader_token_reads_its_pods_and_nothing_else() {
    let member = old_kubeconfig();
    let applied = kubectl_with(
        &member,
        &[
            "apply",
            "--server-side",
            "-k",
            path_str(&fleet_overlay().join("member")),
        ],
    );
    stdout(&applied);
    let token = stdout(&kubectl_with(
        &member,
        &["create", "token", "kube-patrol-reader", "-n", "kube-patrol"],
    ))
    .trim()
    .to_owned();
    let admin = std::fs::read_to_string(&member).unwrap();
    let reader: String = admin
        .lines()
        .map(|line| match line.trim_start().strip_prefix("token: ") {
            Some(_) => format!("    token: {token}"),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(reader, admin, "the token was swapped");
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, reader).unwrap();
    let ns = namespace_with_pods(&member, "kp-member", 2).await;

    let out = kube_patrol(&[
        "report",
        "--kubeconfig",
        path_str(&kubeconfig),
        "-n",
        &ns,
        "-o",
        "json",
    ]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["summary"]["pods"], 2);
    assert_eq!(report["partial"], false, "{}", report["missing"]);
    for (verb, resource) in [("get", "secrets"), ("delete", "pods"), ("create", "pods")] {
        let can = kubectl_with(&kubeconfig, &["auth", "can-i", verb, resource, "-A"]);
        assert_eq!(
            String::from_utf8_lossy(&can.stdout).trim(),
            "no",
            "{verb} {resource}"
        );
    }
}
