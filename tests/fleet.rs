//! Fleets: several clusters in one report. `merge` of JSON reports (from dumps, no cluster
//! needed), its refusals, the fleet's JSON Schema.

mod common;

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
