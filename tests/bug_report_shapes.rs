//! Pod shapes from public bug reports (kubectl, k9s, k8sgpt, kube-state-metrics trackers),
//! written as kubectl dumps in `tests/fixtures/bug-report-shapes/`: each gets the verdict a
//! careful operator would give, from its facts; no sentence of the report is left with an
//! unfilled `{placeholder}`, in either language; no advice is harmful.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::Value;

const NOW: &str = "2026-01-10T12:00:00Z";

fn report(file: &str, lang: &str) -> Value {
    let path = format!("tests/fixtures/bug-report-shapes/{file}.json");
    let out = kube_patrol(&[
        "report",
        "--from-dump",
        &path,
        "-A",
        "--now",
        NOW,
        "--lang",
        lang,
        "-o",
        "json",
    ]);
    // Exit 4: a dump has no logs; the report is whole.
    assert!(
        matches!(out.status.code(), Some(0 | 4)),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// pod name → its most severe problem code (`healthy` when none).
fn verdicts(report: &Value) -> BTreeMap<String, String> {
    report["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let code = p["problems"][0]["code"].as_str().unwrap_or("healthy");
            (p["name"].as_str().unwrap().to_owned(), code.to_owned())
        })
        .collect()
}

const EXPECTED: &[(&str, &[(&str, &str)])] = &[
    (
        "b1",
        &[
            ("first-crash", "crash_loop"),
            ("gate", "not_ready_too_long"),
            ("on-notready", "node_not_ready"),
            ("on-unknown", "node_lost"),
            ("evicted", "evicted"),
            ("preempted", "evicted"),
            ("preempting", "evicted"),
            ("outofcpu", "rejected"),
            ("succ-deleting", "stuck_terminating"),
            ("long-grace", "healthy"),
            ("web-ok", "healthy"),
        ],
    ),
    (
        "b2",
        &[
            ("j-deadline", "failed"),
            ("j-init", "init_failed"),
            ("j-retry-1", "failed_attempt"),
            ("j-retry-2", "healthy"),
            ("job-istio", "sidecar_blocks_job"),
            ("job-istio-fresh", "healthy"),
            ("job-istio-fail", "failed"),
            ("job-native-ok", "healthy"),
            ("spark-driver", "healthy"),
            ("tekton", "healthy"),
            ("sts-done", "leftover_completed"),
            ("bare-done", "leftover_completed"),
            ("wf-istio", "sidecar_blocks_job"),
        ],
    ),
    (
        "b3",
        &[
            ("mixed", "restarts_long_ago"),
            ("old-restarts", "restarts_long_ago"),
            ("oom-ancient", "healthy"),
            ("oom-before", "oom_killed_before"),
            ("oom-job", "oom_killed"),
            ("oom-loop", "crash_loop"),
        ],
    ),
    (
        "b4",
        &[
            ("ds-down", "node_lost"),
            ("gated", "starting"),
            ("tm-evicted", "node_lost"),
            ("init-loop", "init_failed"),
            ("init-slow", "pending_too_long"),
            ("phase-unknown", "node_lost"),
            ("unsched", "pending_too_long"),
        ],
    ),
    (
        "b5",
        &[
            ("shut-succ", "node_shutdown"),
            ("db-1", "node_shutdown"),
            ("db-0", "healthy"),
            ("drained-job", "healthy"),
        ],
    ),
    (
        "b6",
        &[("web-5f-c", "node_shutdown"), ("web-5f-a", "healthy")],
    ),
    (
        "b8",
        &[
            ("backup-100-x", "failed_attempt"),
            ("backup-300-x", "healthy"),
            ("j-nostat", "failed"),
        ],
    ),
    (
        "b9",
        &[
            ("bare-istio", "sidecar_blocks_job"),
            ("train-job", "healthy"),
        ],
    ),
    ("b10", &[("huge-grace", "stuck_terminating")]),
    ("b11", &[("onf-done", "healthy")]),
    ("b12", &[("par-0", "failed"), ("par-1", "healthy")]),
    ("b13", &[("job-fail-1", "failed"), ("job-fail-2", "failed")]),
];

#[test]
fn every_shape_gets_the_verdict_an_operator_would_give() {
    let mut wrong = Vec::new();
    for (file, expected) in EXPECTED {
        let got = verdicts(&report(file, "en"));
        for (pod, code) in *expected {
            let actual = got.get(*pod).map_or("<missing>", String::as_str);
            if actual != *code {
                wrong.push(format!("{file}/{pod}: {actual}, expected {code}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every string of a JSON value.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}

/// `{word}`: a placeholder a sentence was left with.
fn placeholder(text: &str) -> Option<&str> {
    let start = text.find('{')?;
    let rest = &text[start + 1..];
    let end = rest.find('}')?;
    let word = &rest[..end];
    let is_word = !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    is_word.then(|| &text[start..start + end + 2])
}

#[test]
fn no_sentence_is_left_with_a_placeholder_in_either_language() {
    let mut left = Vec::new();
    for (file, _) in EXPECTED {
        for lang in ["en", "zh-TW"] {
            let mut texts = Vec::new();
            strings(&report(file, lang), &mut texts);
            for text in texts {
                if let Some(p) = placeholder(&text) {
                    left.push(format!("{file} ({lang}): {p} in {text:?}"));
                }
            }
        }
    }
    assert!(left.is_empty(), "{}", left.join("\n"));
}

fn action<'a>(report: &'a Value, pod: &str) -> &'a Value {
    report["advice"]["immediate"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["pod"] == pod)
        .unwrap_or_else(|| panic!("an action for {pod}"))
}

fn commands(action: &Value) -> String {
    action["commands"].to_string()
}

#[test]
fn pods_on_a_lost_node_are_not_advised_to_be_force_deleted_unless_being_deleted() {
    let report = report("b4", "en");
    assert!(!commands(action(&report, "ds-down")).contains("--force"));
    assert!(commands(action(&report, "ds-down")).contains("kubectl describe node"));
    assert!(commands(action(&report, "tm-evicted")).contains("--force"));
}

#[test]
fn a_failure_held_open_by_a_proxy_is_advised_about_the_proxy() {
    let report = report("b2", "en");
    let a = action(&report, "job-istio-fail");
    assert!(a["advice"].as_str().unwrap().contains("istio-proxy"), "{a}");
}

#[test]
fn logs_of_a_previous_instance_are_asked_for_only_when_there_is_one() {
    let report = report("b3", "en");
    assert!(!commands(action(&report, "oom-job")).contains("--previous"));
    assert!(commands(action(&report, "oom-loop")).contains("--previous"));
}

#[test]
fn an_eviction_is_advised_with_its_reason() {
    let report = report("b1", "en");
    let a = action(&report, "preempted");
    assert!(
        a["advice"]
            .as_str()
            .unwrap()
            .contains("PreemptionByScheduler"),
        "{a}"
    );
}
