//! The JSON report is a contract: `schema/report.schema.json` is the JSON Schema the report's
//! types generate (`kube-patrol schema`), every report validates against it (the seed's in both
//! languages, one with a trend, the bug-report shapes), and the seed's JSON is snapshotted.

mod common;

use common::*;
use serde_json::Value;

const SCHEMA_FILE: &str = "schema/report.schema.json";

fn committed_schema() -> Value {
    let text = std::fs::read_to_string(SCHEMA_FILE).expect("the committed schema");
    serde_json::from_str(&text).expect("the committed schema is JSON")
}

fn seed_json(extra: &[&str]) -> Value {
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
        "-o",
        "json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&stdout(&kube_patrol(&args))).expect("a JSON report")
}

/// Every way the report fails its schema, one a line.
fn violations(report: &Value) -> Vec<String> {
    let schema = committed_schema();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

#[test]
fn the_committed_schema_is_the_one_the_report_types_generate() {
    let generated: Value =
        serde_json::from_str(&stdout(&kube_patrol(&["schema"]))).expect("schema JSON");
    assert!(
        generated == committed_schema(),
        "{SCHEMA_FILE} is stale: run `cargo run -- schema > {SCHEMA_FILE}` and commit it"
    );
}

#[test]
fn the_seed_report_validates_against_the_schema_in_both_languages() {
    for lang in ["zh-TW", "en"] {
        let report = seed_json(&["--lang", lang]);
        assert_eq!(violations(&report), Vec::<String>::new(), "{lang}");
        assert_eq!(report["schema_version"], 2);
    }
}

#[test]
fn a_report_with_a_trend_validates_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let previous = dir.path().join("previous.json");
    std::fs::write(&previous, seed_json(&[]).to_string()).unwrap();
    let seed = std::fs::read_to_string("examples/seed-cluster.json").unwrap();
    let mut dump: Value = serde_json::from_str(&seed).unwrap();
    a_week_later(&mut dump);
    let week2 = dir.path().join("week2.json");
    std::fs::write(&week2, dump.to_string()).unwrap();
    let out = kube_patrol(&[
        "report",
        "--from-dump",
        week2.to_str().unwrap(),
        "-A",
        "--now",
        "2026-01-02T10:00:00+08:00",
        "--compare-with",
        previous.to_str().unwrap(),
        "-o",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(report["trend"].is_object());
    assert_eq!(violations(&report), Vec::<String>::new());
}

#[test]
fn the_reports_of_every_bug_report_shape_validate_against_the_schema() {
    for entry in std::fs::read_dir("tests/fixtures/bug-report-shapes").unwrap() {
        let path = entry.unwrap().path();
        let out = kube_patrol(&[
            "report",
            "--from-dump",
            path.to_str().unwrap(),
            "-A",
            "--now",
            "2026-01-10T12:00:00Z",
            "-o",
            "json",
        ]);
        let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        assert_eq!(
            violations(&report),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn the_schema_refuses_a_report_that_breaks_it() {
    let mut report = seed_json(&[]);
    report["summary"]["pods"] = Value::String("many".into());
    report["pods"][0]["health"] = Value::String("great".into());
    assert_eq!(violations(&report).len(), 2, "{:?}", violations(&report));
}

#[test]
fn the_seed_reports_json_matches_its_snapshot() {
    let mut report = seed_json(&[]);
    report["tool"]["version"] = Value::String("[version]".into());
    insta::assert_json_snapshot!("seed_report_json_zh_tw", report);
}
