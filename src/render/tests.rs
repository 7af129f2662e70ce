//! Rendering the seed cluster's report: the email subject and the trend section.

use jiff::Timestamp;
use serde_json::json;

use super::*;
use crate::analyze::trend::{self, TrendSettings};
use crate::analyze::{Settings, report_of};
use crate::collect::{self, NamespaceSelection};
use crate::locale::Lang;

const NOW: &str = "2025-12-26T02:00:00Z";

fn seed_report(lang: Lang) -> Report {
    let now: Timestamp = NOW.parse().unwrap();
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

#[test]
fn the_default_subject_carries_the_cluster_date_state_and_counts() {
    let report = seed_report(Lang::ZhTw);
    let catalog = Catalog::builtin(Lang::ZhTw);
    assert_eq!(
        subject(&report, &catalog, &taipei(), None).unwrap(),
        "[kube-patrol] PIGO 線下 Pod 健康巡檢 2025-12-26：🟡 需要關注（48 個 Pod，1 個需立即處理，1 個需關注）"
    );
    let report = seed_report(Lang::En);
    let catalog = Catalog::builtin(Lang::En);
    assert_eq!(
        subject(&report, &catalog, &taipei(), None).unwrap(),
        "[kube-patrol] PIGO 線下 pod health 2025-12-26: 🟡 Needs attention (48 pods, 1 unhealthy, 1 need attention)"
    );
}

#[test]
fn a_subject_template_sees_the_default_and_the_counts_and_stays_on_one_line() {
    let report = seed_report(Lang::ZhTw);
    let catalog = Catalog::builtin(Lang::ZhTw);
    let template = "[prod] {{ overall_code }} {{ unhealthy }}/{{ pods }}\n{% if partial %}partial{% endif %}{{ new_problems | default(value='-') }}";
    assert_eq!(
        subject(&report, &catalog, &taipei(), Some(template)).unwrap(),
        "[prod] attention 1/48 -"
    );
    let with_default = subject(&report, &catalog, &taipei(), Some("[prod] {{ default }}")).unwrap();
    assert!(
        with_default.starts_with("[prod] [kube-patrol] PIGO 線下"),
        "{with_default}"
    );
}

#[test]
fn a_subject_template_with_an_unknown_variable_is_an_error_naming_it() {
    let report = seed_report(Lang::ZhTw);
    let catalog = Catalog::builtin(Lang::ZhTw);
    let error = subject(&report, &catalog, &taipei(), Some("{{ nope }}")).unwrap_err();
    let text = crate::error::one_line(&error);
    assert!(
        text.contains("smtp.subject") && text.contains("nope"),
        "{text}"
    );
}

#[test]
fn without_a_trend_there_is_no_trend_section() {
    let report = seed_report(Lang::ZhTw);
    let text = markdown(&report, &Catalog::builtin(Lang::ZhTw), &taipei()).unwrap();
    assert!(!text.contains("與上次巡檢比較"));
    assert!(
        text.contains("---\n\n## 📈 統計分析"),
        "the layout is unchanged"
    );
}

#[test]
fn the_trend_section_sits_between_the_problem_table_and_the_statistics() {
    let mut report = seed_report(Lang::En);
    let mut previous = serde_json::to_value(&report).unwrap();
    previous["generated_at"] = json!("2025-12-19T02:00:00Z");
    previous["pods"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["name"] != "pigo-web-75fb4c7fc5-lc9x6");
    previous["namespaces"][0]["pods"] = json!(13);
    let previous = trend::parse_previous(&previous.to_string()).unwrap();
    report.trend = Some(trend::trend(&previous, &report, &TrendSettings::default()));
    let text = markdown(&report, &Catalog::builtin(Lang::En), &taipei()).unwrap();
    let problems = text.find("## 🚨").unwrap();
    let trend = text.find("## 🔄 Since the last report").unwrap();
    let statistics = text.find("## 📈").unwrap();
    assert!(problems < trend && trend < statistics);
    let section = &text[trend..statistics];
    assert!(
        section.contains("**Last report**: 2025-12-19 10:00 CST"),
        "{section}"
    );
    assert!(section.contains("**Still open**: 2"), "{section}");
    assert!(
        section.contains("| pigo-dev | Deployment/pigo-cron | failed |"),
        "{section}"
    );
    assert!(section.contains("| pigo-dev | 13 | 14 | +1 |"), "{section}");
    assert!(section.trim_end().ends_with("---"), "{section}");
}

/// The seed's report blown up to `namespaces` namespaces of healthy pods and `problems`
/// problem pods (each with its action and a reason of the overall state), as a giant cluster's.
fn giant_report(namespaces: usize, problems: usize) -> Report {
    let mut report = seed_report(Lang::ZhTw);
    let template = report.namespaces[0].clone();
    // One namespace in ten has a problem pod.
    report.namespaces = (0..namespaces)
        .map(|i| crate::report::NamespaceSummary {
            name: format!("tenant-{i:05}"),
            not_healthy: usize::from(i % 10 == 0),
            ..template.clone()
        })
        .collect();
    let finding = report.findings[0].clone();
    let action = report.advice.immediate[0].clone();
    let reason = report.summary.overall_reasons[0].clone();
    report.findings = (0..problems)
        .map(|i| crate::report::FindingRow {
            pod: format!("{}-{i:05}", finding.pod),
            ..finding.clone()
        })
        .collect();
    report.advice.immediate = vec![action; problems];
    report.summary.overall_reasons = vec![reason; problems];
    report
}

#[test]
fn a_report_that_fits_is_mailed_whole() {
    let report = seed_report(Lang::En);
    let catalog = Catalog::builtin(Lang::En);
    let body = email(&report, &catalog, &taipei()).unwrap();
    assert_eq!(body.fold, Fold::default());
    assert_eq!(body.text, markdown(&report, &catalog, &taipei()).unwrap());
    assert_eq!(body.html, html(&report, &catalog, &taipei()).unwrap());
}

#[test]
fn the_email_of_a_giant_cluster_fits_the_budget_and_names_its_worst_pods() {
    for (namespaces, problems) in [(200, 100), (3_000, 2_000), (20_000, 5)] {
        let report = giant_report(namespaces, problems);
        let catalog = Catalog::builtin(Lang::ZhTw);
        let body = email(&report, &catalog, &taipei()).unwrap();
        let size = sent_size(&body.html);
        assert!(
            size <= EMAIL_HTML_BUDGET,
            "{namespaces} namespaces, {problems} problem pods: {size} bytes with {:?}",
            body.fold
        );
        assert!(body.html.contains(&report.findings[0].pod));
        assert!(body.text.len() <= EMAIL_HTML_BUDGET);
        assert!(body.html.contains("完整報告已附加"), "{:?}", body.fold);
    }
}

#[test]
fn healthy_namespaces_fold_into_one_row_only_when_nothing_else_fits() {
    let catalog = Catalog::builtin(Lang::ZhTw);
    let small = email(&giant_report(200, 100), &catalog, &taipei()).unwrap();
    assert_eq!(small.fold.namespaces, None, "{:?}", small.fold);
    assert!(small.text.contains("tenant-00199"));
    let big = email(&giant_report(3_000, 2_000), &catalog, &taipei()).unwrap();
    assert!(big.fold.namespaces.is_some(), "{:?}", big.fold);
    assert!(
        big.text.contains("tenant-00000"),
        "the namespaces with problems stay"
    );
    assert!(
        !big.text.contains("tenant-00001 "),
        "healthy ones are summed up"
    );
    assert!(big.text.contains("…另有 "), "{}", big.text);
}

#[test]
fn the_size_as_sent_counts_quoted_printable_and_crlf() {
    assert_eq!(sent_size("ab"), 4, "two bytes and a CRLF");
    assert_eq!(sent_size("a=b\n"), 5 + 2 + 2, "`=` is =3D; two line ends");
    assert_eq!(sent_size("巡"), 9 + 2, "three UTF-8 bytes, each =XX");
    let long = "x".repeat(150);
    assert_eq!(sent_size(&long), 150 + 6 + 2, "two soft line breaks");
}
