use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::*;
use crate::locale::{Catalog, Lang};
use crate::report::Counts;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn point(at: Timestamp, overall: Health, unhealthy: usize) -> HistoryPoint {
    HistoryPoint {
        generated_at: at,
        overall,
        counts: Counts {
            pods: 48,
            healthy: 47 - unhealthy,
            attention: 1,
            unhealthy,
            restarts: 113,
            silenced: 0,
        },
        not_healthy: 1 + unhealthy,
        new_problems: None,
        resolved: None,
        partial: false,
    }
}

/// A run that archived every format, with figures.
fn run(time: &str, overall: Health, unhealthy: usize) -> IndexRow {
    let at = at(time);
    let stem = format!("kube-patrol-{}", at.strftime("%Y%m%dT%H%M%SZ"));
    IndexRow {
        at,
        figures: Figures::Read(point(at, overall, unhealthy)),
        files: ["md", "html", "json"]
            .map(|ext| (ext, format!("{stem}.{ext}")))
            .to_vec(),
    }
}

fn taipei() -> TimeZone {
    TimeZone::get("Asia/Taipei").unwrap()
}

fn en() -> Catalog {
    Catalog::builtin(Lang::En)
}

/// The page's body rows, one string each.
fn body_rows(html: &str) -> Vec<&str> {
    let body = html.split("<tbody>").nth(1).expect("a table body");
    body.split("<tr>").skip(1).collect()
}

#[test]
fn rows_are_newest_first_whatever_order_they_come_in() {
    let rows = [
        run("2025-12-19T02:00:00Z", Health::Healthy, 0),
        run("2026-01-02T02:00:00Z", Health::Unhealthy, 12),
        run("2025-12-26T02:00:00Z", Health::Attention, 1),
    ];
    let html = index(&rows, &en(), "PIGO", &taipei());
    let dates: Vec<&str> = body_rows(&html)
        .iter()
        .map(|row| &row[row.find("20").unwrap()..][..10])
        .collect();
    assert_eq!(dates, ["2026-01-02", "2025-12-26", "2025-12-19"], "{html}");
    assert!(html.contains("3 reports, newest first"), "{html}");
}

#[test]
fn dates_are_in_the_given_timezone_and_the_page_names_it() {
    let rows = [run("2025-12-26T02:00:00Z", Health::Attention, 1)];
    let html = index(&rows, &en(), "PIGO", &taipei());
    assert!(html.contains(">2025-12-26<br>10:00</td>"), "{html}");
    assert!(
        html.contains("1 report. Times are in Asia/Taipei."),
        "{html}"
    );
    let utc = index(&rows, &en(), "PIGO", &TimeZone::UTC);
    assert!(utc.contains(">2025-12-26<br>02:00</td>"), "{utc}");
    assert!(utc.contains("Times are in UTC."), "{utc}");
    let fixed = TimeZone::fixed(jiff::tz::offset(8));
    let offset = index(&rows, &en(), "PIGO", &fixed);
    assert!(offset.contains("Times are in UTC+08:00."), "{offset}");
}

#[test]
fn each_row_has_the_state_in_words_beside_its_colour_and_the_counts() {
    let rows = [
        run("2026-01-02T02:00:00Z", Health::Unhealthy, 12),
        run("2025-12-26T02:00:00Z", Health::Healthy, 0),
    ];
    let html = index(&rows, &en(), "PIGO", &taipei());
    let body = body_rows(&html);
    assert!(
        body[0].contains("border-left:4px solid #cf222e;\">🔴 Needs action now</td>"),
        "{}",
        body[0]
    );
    let figures: Vec<&str> = body[0]
        .split("text-align:right;white-space:nowrap;\">")
        .skip(1)
        .map(|cell| cell.split('<').next().unwrap())
        .collect();
    assert_eq!(figures, ["48", "35", "1", "12", "113"], "{}", body[0]);
    assert!(body[1].contains("🟢 Healthy"), "{}", body[1]);
    let zh = index(&rows, &Catalog::builtin(Lang::ZhTw), "PIGO", &taipei());
    assert!(zh.contains("🔴 需要立即處理"), "{zh}");
    assert!(
        zh.starts_with("<!DOCTYPE html>\n<html lang=\"zh-TW\">"),
        "{zh}"
    );
}

#[test]
fn a_partial_report_says_so_in_its_row() {
    let mut row = run("2026-01-02T02:00:00Z", Health::Attention, 0);
    if let Figures::Read(point) = &mut row.figures {
        point.partial = true;
    }
    let html = index(&[row], &en(), "PIGO", &taipei());
    assert!(html.contains("⚠️ partial report"), "{html}");
}

#[test]
fn only_the_files_a_run_has_are_linked_relative_to_the_index_html_first() {
    let mut row = run("2025-12-26T02:00:00Z", Health::Attention, 1);
    row.files.retain(|(ext, _)| *ext != "md");
    let html = index(&[row], &en(), "PIGO", &taipei());
    assert!(
        html.contains(
            "<a href=\"kube-patrol-20251226T020000Z.html\" style=\"white-space:nowrap;\">HTML</a>&nbsp;· \
             <a href=\"kube-patrol-20251226T020000Z.json\" style=\"white-space:nowrap;\">JSON</a></td>"
        ),
        "{html}"
    );
    assert!(!html.contains(".md\""), "{html}");
    assert!(!html.contains("Markdown</a>"), "{html}");
}

#[test]
fn a_run_without_a_readable_json_keeps_its_row_with_dashes_and_a_note() {
    let mut missing = run("2026-01-02T02:00:00Z", Health::Attention, 1);
    missing.figures = Figures::NoJson;
    missing.files.retain(|(ext, _)| *ext != "json");
    let mut corrupt = run("2025-12-26T02:00:00Z", Health::Attention, 1);
    corrupt.figures = Figures::Unreadable;
    let html = index(&[missing, corrupt], &en(), "PIGO", &taipei());
    let body = body_rows(&html);
    assert_eq!(body.len(), 2, "{html}");
    assert!(
        body[0].contains("no JSON report: figures unknown"),
        "{}",
        body[0]
    );
    assert!(body[1].contains("JSON report unreadable"), "{}", body[1]);
    for row in body {
        assert!(row.contains(">2026-01-02<br>") || row.contains(">2025-12-26<br>"));
        assert_eq!(
            row.matches(">—<").count(),
            6,
            "state and five figures: {row}"
        );
        assert!(
            row.contains(".html\" style=\"white-space:nowrap;\">HTML</a>"),
            "{row}"
        );
    }
}

#[test]
fn a_hostile_cluster_name_is_shown_as_text() {
    let rows = [run("2025-12-26T02:00:00Z", Health::Attention, 1)];
    let name = "<script>alert(\"x\")</script>&{count}";
    let html = index(&rows, &en(), name, &taipei());
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;{count}: archived pod health reports</title>"),
        "{html}"
    );
}

#[test]
fn without_a_cluster_name_the_title_is_generic() {
    let html = index(&[], &en(), " ", &taipei());
    assert!(
        html.contains("<h1 style=\"font-size:20px;line-height:1.3;margin:0 0 8px;overflow-wrap:anywhere;\">kube-patrol: archived pod health reports</h1>"),
        "{html}"
    );
    assert!(html.contains("No report has been archived yet."), "{html}");
    assert!(!html.contains("<table"), "{html}");
}

#[test]
fn the_page_is_standalone_with_no_script_and_no_external_resource() {
    let rows = [run("2025-12-26T02:00:00Z", Health::Attention, 1)];
    let html = index(&rows, &Catalog::builtin(Lang::ZhTw), "PIGO 線下", &taipei());
    let lower = html.to_lowercase();
    for needle in [
        "<script", "<link", "<img", "<iframe", " src=", "url(", "@import", "http",
    ] {
        assert!(!lower.contains(needle), "{needle}: {html}");
    }
    assert!(html.contains("prefers-color-scheme: dark"), "{html}");
    assert!(html.ends_with("</html>\n"), "{html}");
}

#[test]
fn a_file_name_is_percent_encoded_in_its_link() {
    assert_eq!(
        href("kube-patrol-20251226T020000Z-2.html"),
        "kube-patrol-20251226T020000Z-2.html"
    );
    assert_eq!(href("../a b\"<.html"), "..%2Fa%20b%22%3C.html");
    assert_eq!(href("javascript:x"), "javascript%3Ax");
}
