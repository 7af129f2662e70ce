//! The fleet report rendered from the seed cluster's report, twice under two names, and a
//! cluster that could not be read.

use jiff::Timestamp;

use super::*;
use crate::analyze::{Settings, report_of};
use crate::collect::{self, NamespaceSelection};
use crate::locale::Lang;
use crate::report::UnreadCluster;

const NOW: &str = "2025-12-26T02:00:00Z";

fn seed_report(name: &str, lang: Lang) -> Report {
    let now: Timestamp = NOW.parse().unwrap();
    let selection = NamespaceSelection {
        all: true,
        ..NamespaceSelection::default()
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed-cluster.json");
    let snapshot = collect::from_dump(path, &selection).unwrap();
    let settings = Settings::new(now, name.into(), Catalog::builtin(lang));
    report_of(&snapshot, &settings)
}

fn fleet(lang: Lang) -> FleetReport {
    FleetReport::new(
        NOW.parse().unwrap(),
        lang,
        vec![
            ClusterEntry::Report(Box::new(seed_report("dev", lang))),
            ClusterEntry::Unread(UnreadCluster {
                cluster: "stg".into(),
                reason: "the API server https://10.0.0.1:6443 refused the connection".into(),
            }),
            ClusterEntry::Report(Box::new(seed_report("rel", lang))),
        ],
    )
}

#[test]
fn the_fleet_summary_has_a_row_per_cluster_and_sums_the_clusters_read() {
    let fleet = fleet(Lang::En);
    let summary = FleetSummary::of(&fleet, &Catalog::builtin(Lang::En));
    let seed = seed_report("dev", Lang::En).summary.counts;
    let names: Vec<&str> = summary.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["dev", "stg", "rel"]);
    assert_eq!(summary.rows[0].pods, seed.pods);
    assert!(summary.rows[1].reason.is_some());
    assert_eq!(summary.total.pods, 2 * seed.pods);
    assert_eq!(summary.total.unhealthy, 2 * seed.unhealthy);
    assert_eq!(summary.total.restarts, 2 * seed.restarts);
    assert!(summary.total.partial);
}

#[test]
fn the_fleet_markdown_starts_with_the_summary_then_problems_then_each_cluster_a_level_down() {
    let md = markdown(
        &fleet(Lang::En),
        &Catalog::builtin(Lang::En),
        &Style::default(),
    )
    .unwrap();
    let summary = md.find("## 🌐 Fleet summary").expect("summary");
    let problems = md
        .find("## 🚨 Problem pods across the fleet")
        .expect("problems");
    let dev = md
        .find("## dev Kubernetes Pod Health Inspection")
        .expect("dev's part");
    let rel = md
        .find("## rel Kubernetes Pod Health Inspection")
        .expect("rel's part");
    assert!(summary < problems && problems < dev && dev < rel, "{md}");
    assert!(md.starts_with("# Fleet Kubernetes Pod Health Inspection (3 clusters)"));
    assert!(md.contains(
        "| stg | — | — | — | — | — | ⚠️ Not read | the API server https://10.0.0.1:6443 refused the connection |"
    ));
    assert!(!md.contains("\n# dev"), "cluster titles are shifted");
}

#[test]
fn the_fleet_problem_table_names_each_problem_pods_cluster() {
    let md = markdown(
        &fleet(Lang::ZhTw),
        &Catalog::builtin(Lang::ZhTw),
        &Style::default(),
    )
    .unwrap();
    let table = &md[md.find("## 🚨 全集群問題 Pod 匯總表").unwrap()..md.find("## dev").unwrap()];
    let findings = seed_report("dev", Lang::ZhTw).findings;
    assert!(!findings.is_empty());
    for cluster in ["dev", "rel"] {
        let rows = table
            .lines()
            .filter(|l| l.starts_with(&format!("| {cluster} |")))
            .count();
        assert_eq!(rows, findings.len(), "{cluster}: {table}");
    }
}

#[test]
fn headings_are_shifted_one_level_except_inside_code_blocks() {
    let md = "# Title\n\n## Part\n```bash\n# a comment\n```\n   ```\n# also code\n   ```\n#### Deep\n#hashtag\n";
    assert_eq!(
        shift_headings(md),
        "## Title\n\n### Part\n```bash\n# a comment\n```\n   ```\n# also code\n   ```\n##### Deep\n#hashtag\n"
    );
}

#[test]
fn the_fleet_json_reads_back_with_each_cluster_a_full_report_or_a_reason() {
    let fleet = fleet(Lang::En);
    let text = json(&fleet).unwrap();
    let back: FleetReport = serde_json::from_str(&text).unwrap();
    assert_eq!(back.clusters.len(), 3);
    assert!(matches!(&back.clusters[0], ClusterEntry::Report(r) if r.cluster == "dev"));
    assert!(matches!(&back.clusters[1], ClusterEntry::Unread(u) if u.cluster == "stg"));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["clusters"][0]["cluster"], "dev");
    assert_eq!(value["clusters"][0]["schema_version"], 2);
}

#[test]
fn the_fleet_subject_says_how_many_clusters_were_not_read() {
    let subject = subject(
        &fleet(Lang::En),
        &Catalog::builtin(Lang::En),
        &Style::default(),
    );
    assert!(
        subject.starts_with("[kube-patrol] fleet of 3 clusters"),
        "{subject}"
    );
    assert!(subject.ends_with("(1 not read)"), "{subject}");
}

#[test]
fn the_fleet_html_is_a_page_with_the_summary_table() {
    let html = html(
        &fleet(Lang::En),
        &Catalog::builtin(Lang::En),
        &Style::default(),
    )
    .unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("🌐 Fleet summary"));
}

#[test]
fn the_fleet_email_keeps_the_summary_and_fits_the_budget_when_folded() {
    let clusters = (0..12)
        .map(|i| ClusterEntry::Report(Box::new(seed_report(&format!("c{i}"), Lang::En))))
        .collect();
    let fleet = FleetReport::new(NOW.parse().unwrap(), Lang::En, clusters);
    let catalog = Catalog::builtin(Lang::En);
    let body = email(&fleet, &catalog, &Style::default()).unwrap();
    assert!(sent_size(&body.html) <= crate::render::EMAIL_HTML_BUDGET);
    assert!(body.text.contains("## 🌐 Fleet summary"));
    assert!(body.text.contains("| c11 | 48 |"), "{}", body.text);
    let full = markdown(&fleet, &catalog, &Style::default()).unwrap();
    assert!(body.text.len() < full.len());
}
