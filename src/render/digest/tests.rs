//! The digests of the seed cluster's report, and of a report with more problems than a chat
//! message can hold.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;

use super::*;
use crate::analyze::{Settings, report_of};
use crate::collect::{self, NamespaceSelection};
use crate::locale::Lang;
use crate::report::FindingRow;

fn seed_report(lang: Lang) -> Report {
    let now: Timestamp = "2025-12-26T02:00:00Z".parse().unwrap();
    let selection = NamespaceSelection {
        all: true,
        ..NamespaceSelection::default()
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed-cluster.json");
    let snapshot = collect::from_dump(path, &selection).unwrap();
    let settings = Settings::new(now, "PIGO 線下".into(), Catalog::builtin(lang));
    report_of(&snapshot, &settings)
}

fn taipei() -> Style {
    Style {
        timezone: TimeZone::get("Asia/Taipei").unwrap(),
        ..Style::default()
    }
}

/// The seed report with `n` problem pods, each with a long cause.
fn crowded(n: usize) -> Report {
    let mut report = seed_report(Lang::En);
    report.findings = (0..n)
        .map(|i| FindingRow {
            namespace: format!("team-{}", i % 7),
            pod: format!("worker-{i:05}-7d9f8b6c5-x2x4z"),
            status: "CrashLoopBackOff".into(),
            severity: Severity::High,
            description: format!("<restarted> & crashed {}\nsecond line", "x".repeat(400)),
            action: String::new(),
        })
        .collect();
    report
}

fn texts(block: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = block["text"]["text"].as_str() {
        out.push(t.to_owned());
    }
    for f in block["fields"].as_array().into_iter().flatten() {
        out.push(f["text"].as_str().unwrap().to_owned());
    }
    for e in block["elements"].as_array().into_iter().flatten() {
        out.push(e["text"].as_str().unwrap().to_owned());
    }
    out
}

#[test]
fn the_slack_digest_says_the_state_the_counts_the_top_problems_and_links_the_report() {
    let report = seed_report(Lang::En);
    let digest = Digest::new(
        &report,
        &Catalog::builtin(Lang::En),
        &taipei(),
        20,
        Some("https://reports.example.com/pigo/"),
    );
    let message = slack(&digest);
    let blocks = message["blocks"].as_array().unwrap();
    assert_eq!(
        blocks[0]["text"]["text"],
        "kube-patrol · PIGO 線下 · 2025-12-26"
    );
    let all: String = blocks.iter().flat_map(texts).collect::<Vec<_>>().join("\n");
    assert!(all.contains("*🟡 Needs attention*"), "{all}");
    assert!(all.contains("*Pods*\n48"), "{all}");
    assert!(all.contains("Top problems (2 problem pods)"), "{all}");
    let first = &report.findings[0];
    assert!(
        all.contains(&format!("*{}/{}*", first.namespace, first.pod)),
        "{all}"
    );
    assert!(
        all.contains("<https://reports.example.com/pigo/|Full report>"),
        "{all}"
    );
    assert!(message["text"].as_str().unwrap().contains("PIGO 線下"));
}

#[test]
fn a_crowded_slack_digest_stays_within_50_blocks_and_3000_characters_and_counts_the_rest() {
    let report = crowded(1000);
    let digest = Digest::new(&report, &Catalog::builtin(Lang::En), &taipei(), 1000, None);
    let message = slack(&digest);
    let blocks = message["blocks"].as_array().unwrap();
    assert!(blocks.len() <= SLACK_MAX_BLOCKS, "{} blocks", blocks.len());
    for text in blocks.iter().flat_map(texts) {
        assert!(
            text.chars().count() <= SLACK_MAX_TEXT,
            "{} chars",
            text.len()
        );
    }
    let all: String = blocks.iter().flat_map(texts).collect::<Vec<_>>().join("\n");
    let listed = all.matches("*team-").count();
    assert!(listed > 0 && listed < 1000, "{listed} listed");
    assert!(
        all.contains(&format!("…{} more in the full report", 1000 - listed)),
        "{all}"
    );
    assert!(all.contains("&lt;restarted&gt; &amp; crashed"), "escaped");
    assert!(!all.contains("second line"), "one line per cause");
}

#[test]
fn the_problems_setting_caps_the_list_and_the_rest_is_counted() {
    let report = crowded(30);
    let digest = Digest::new(&report, &Catalog::builtin(Lang::En), &taipei(), 5, None);
    let message = slack(&digest);
    let all: String = message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(texts)
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(all.matches("*team-").count(), 5);
    assert!(all.contains("…25 more in the full report"), "{all}");
}

#[test]
fn the_teams_digest_is_an_adaptive_card_1_4_in_a_message_envelope_under_the_size_limit() {
    let report = crowded(500);
    let digest = Digest::new(
        &report,
        &Catalog::builtin(Lang::ZhTw),
        &taipei(),
        200,
        Some("https://reports.example.com/"),
    );
    let message = teams(&digest);
    assert_eq!(message["type"], "message");
    let attachment = &message["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachment["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.4");
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(card["actions"][0]["title"], "完整報告");
    assert!(message.to_string().len() <= TEAMS_MAX_BYTES);
    let last = card["body"].as_array().unwrap().last().unwrap();
    assert!(
        last["text"].as_str().unwrap().starts_with("…另有 "),
        "{last}"
    );
}

#[test]
fn the_webhook_json_carries_the_reports_own_summary_findings_and_trend() {
    let report = seed_report(Lang::En);
    let body: Value =
        serde_json::from_str(&webhook(&report, Some("https://r.example.com/")).unwrap()).unwrap();
    assert_eq!(body["kind"], "kube-patrol.digest");
    assert_eq!(body["version"], 1);
    assert_eq!(body["cluster"], "PIGO 線下");
    assert_eq!(body["report_url"], "https://r.example.com/");
    assert_eq!(body["summary"]["pods"], 48);
    assert_eq!(body["summary"]["overall"], "attention");
    assert_eq!(
        body["findings"].as_array().unwrap().len(),
        report.findings.len()
    );
    assert_eq!(body["trend"], Value::Null);
}

#[test]
fn silenced_pods_are_a_figure_of_their_own_and_absent_when_there_are_none() {
    let mut report = seed_report(Lang::En);
    let catalog = Catalog::builtin(Lang::En);
    let digest = Digest::new(&report, &catalog, &taipei(), 20, None);
    assert!(
        !digest
            .facts
            .iter()
            .any(|(label, _)| label.contains("Silenced"))
    );
    report.summary.counts.silenced = 2;
    let digest = Digest::new(&report, &catalog, &taipei(), 20, None);
    assert!(
        digest
            .facts
            .contains(&("🔕 Silenced".to_owned(), "2".to_owned()))
    );
    let teams = teams(&digest);
    let facts = &teams["attachments"][0]["content"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "FactSet")
        .unwrap()["facts"];
    assert!(
        facts
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["title"] == "🔕 Silenced" && f["value"] == "2")
    );
}

#[test]
fn a_healthy_cluster_says_there_is_nothing_to_do_and_lists_no_problem() {
    let mut report = seed_report(Lang::ZhTw);
    report.findings.clear();
    let digest = Digest::new(&report, &Catalog::builtin(Lang::ZhTw), &taipei(), 20, None);
    assert_eq!(digest.problems_title, "沒有問題 Pod：本週無需處理。");
    let message = slack(&digest);
    let all = message["blocks"].to_string();
    assert!(!all.contains("另有"), "no \"…N more\": {all}");
}
