//! "At a glance": the top of the HTML report and of the email — a banner coloured by the
//! overall state with its reasons, a tile per count with its change since the last report,
//! and the three most urgent problems. Every colour's meaning is also in its text (the state's
//! words, ▲/▼ and a signed number), so a reader without colour loses nothing.

use std::fmt::Write as _;

use super::escape;
use crate::locale::Catalog;
use crate::render::Style;
use crate::report::{FindingRow, Health, HistoryPoint, Report};

/// Problems the glance names.
const URGENT: usize = 3;
/// Reasons of the overall state the banner gives.
const REASONS: usize = 2;

const GREEN: &str = "#1a7f37";
const AMBER: &str = "#9a6700";
const RED: &str = "#cf222e";
const MUTED: &str = "#59636e";

/// The glance as HTML, inline-styled for mail clients.
pub fn glance(report: &Report, t: &Catalog, style: &Style) -> String {
    let mut out = String::with_capacity(4096);
    banner(&mut out, report, t, style);
    tiles(&mut out, report, t, style);
    urgent(&mut out, &report.findings, t);
    out
}

fn banner(out: &mut String, report: &Report, t: &Catalog, style: &Style) {
    let overall = report.summary.overall;
    let colour = match overall {
        Health::Healthy => GREEN,
        Health::Attention => AMBER,
        Health::Unhealthy => RED,
    };
    let date = report
        .generated_at
        .to_zoned(style.timezone.clone())
        .strftime("%Y-%m-%d")
        .to_string();
    let state = t.text(&format!("health.{}", overall.code()), &[]);
    let all = &report.summary.overall_reasons;
    let mut reasons = all[..all.len().min(REASONS)].join("; ");
    if all.len() > REASONS {
        let more = (all.len() - REASONS).to_string();
        reasons.push_str("; ");
        reasons.push_str(&t.text("glance.more_reasons", &[("count", &more)]));
    }
    let _ = write!(
        out,
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" \
         style=\"border-collapse:collapse;margin:0 0 8px\"><tr><td class=\"kp-banner\" \
         style=\"background:{colour};color:#ffffff;padding:10px 14px;border-radius:6px\">\
         <div style=\"font-size:20px;font-weight:600\">{}</div>\
         <div style=\"font-size:13px\">{} · {} — {}</div></td></tr></table>",
        escape(&state),
        escape(&report.cluster),
        date,
        escape(&reasons),
    );
}

/// One tile: the label, the figure, and its change.
struct Tile {
    label: &'static str,
    now: i64,
    before: Option<i64>,
    /// Whether a rise is good news (healthy pods) or bad (problems, restarts); `None`: neither.
    rise_is_good: Option<bool>,
}

fn tiles(out: &mut String, report: &Report, t: &Catalog, style: &Style) {
    let counts = &report.summary.counts;
    let previous: Option<&HistoryPoint> = report.history.get(1);
    let before = |f: fn(&HistoryPoint) -> i64| previous.map(f);
    let mut tiles = vec![
        Tile {
            label: "glance.pods",
            now: counts.pods as i64,
            before: before(|p| p.counts.pods as i64),
            rise_is_good: None,
        },
        Tile {
            label: "glance.healthy",
            now: counts.healthy as i64,
            before: before(|p| p.counts.healthy as i64),
            rise_is_good: Some(true),
        },
        Tile {
            label: "glance.attention",
            now: counts.attention as i64,
            before: before(|p| p.counts.attention as i64),
            rise_is_good: Some(false),
        },
        Tile {
            label: "glance.unhealthy",
            now: counts.unhealthy as i64,
            before: before(|p| p.counts.unhealthy as i64),
            rise_is_good: Some(false),
        },
        Tile {
            label: "glance.restarts",
            now: counts.restarts,
            before: before(|p| p.counts.restarts),
            rise_is_good: Some(false),
        },
    ];
    // Silenced pods are out of the other counts: a tile says how many, when there are any.
    if counts.silenced > 0 {
        tiles.push(Tile {
            label: "glance.silenced",
            now: counts.silenced as i64,
            before: before(|p| p.counts.silenced as i64),
            rise_is_good: None,
        });
    }
    let since = previous.map(|p| {
        let date = p
            .generated_at
            .to_zoned(style.timezone.clone())
            .strftime("%m-%d")
            .to_string();
        t.text("glance.since", &[("date", &date)])
    });
    out.push_str(
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"4\" \
         style=\"table-layout:fixed;margin:0 0 8px\"><tr>",
    );
    for tile in &tiles {
        tile_cell(out, tile, since.as_deref(), t);
    }
    out.push_str("</tr></table>");
}

fn tile_cell(out: &mut String, tile: &Tile, since: Option<&str>, t: &Catalog) {
    let _ = write!(
        out,
        "<td class=\"kp-tile\" style=\"background:#f6f8fa;border:1px solid #d0d7de;\
         border-radius:6px;padding:6px 4px;text-align:center;vertical-align:top\">\
         <div class=\"kp-muted\" style=\"font-size:12px;color:{MUTED}\">{}</div>\
         <div style=\"font-size:22px;font-weight:600\">{}</div>",
        escape(&t.text(tile.label, &[])),
        tile.now
    );
    if let (Some(before), Some(since)) = (tile.before, since) {
        let change = tile.now - before;
        let (text, colour) = match change {
            0 => (t.text("glance.same", &[]), MUTED),
            _ => {
                let arrow = if change > 0 { "▲" } else { "▼" };
                let good = tile.rise_is_good.map(|rise| rise == (change > 0));
                let colour = match good {
                    Some(true) => GREEN,
                    Some(false) => RED,
                    None => MUTED,
                };
                (format!("{arrow} {change:+}"), colour)
            }
        };
        let _ = write!(
            out,
            "<div style=\"font-size:12px;color:{colour}\">{}</div>\
             <div class=\"kp-muted\" style=\"font-size:11px;color:{MUTED}\">{}</div>",
            escape(&text),
            escape(since)
        );
    }
    out.push_str("</td>");
}

fn urgent(out: &mut String, findings: &[FindingRow], t: &Catalog) {
    if findings.is_empty() {
        let _ = write!(
            out,
            "<p style=\"margin:4px 0 12px\">{}</p>",
            escape(&t.text("glance.none", &[]))
        );
        return;
    }
    let _ = write!(
        out,
        "<p style=\"margin:4px 0 2px;font-weight:600\">{}</p><ol style=\"margin:0 0 4px;padding-left:22px\">",
        escape(&t.text("glance.urgent", &[]))
    );
    for f in findings.iter().take(URGENT) {
        let severity = t.text(&format!("severity.{}", f.severity.code()), &[]);
        let _ = write!(
            out,
            "<li>{} <b>{}/{}</b> ({}) — {}</li>",
            escape(&severity),
            escape(&f.namespace),
            escape(&f.pod),
            escape(&f.status),
            escape(&f.description)
        );
    }
    out.push_str("</ol>");
    if findings.len() > URGENT {
        let more = (findings.len() - URGENT).to_string();
        let _ = write!(
            out,
            "<p class=\"kp-muted\" style=\"margin:0 0 12px;font-size:12px;color:{MUTED}\">{}</p>",
            escape(&t.text("glance.more", &[("count", &more)]))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;

    fn report() -> Report {
        let text =
            include_str!("../../../tests/snapshots/json_contract__seed_report_json_zh_tw.snap");
        let json = text.splitn(3, "---").nth(2).expect("the snapshot's body");
        serde_json::from_str(json).expect("the seed's JSON reads back")
    }

    fn point(report: &Report, days: i64, unhealthy: usize, restarts: i64) -> HistoryPoint {
        let mut point = crate::analyze::history::point(report);
        point.generated_at -= jiff::SignedDuration::from_hours(24 * days);
        point.counts.unhealthy = unhealthy;
        point.counts.restarts = restarts;
        point
    }

    #[test]
    fn the_banner_says_the_state_in_words_as_well_as_in_colour() {
        let report = report();
        let catalog = Catalog::builtin(Lang::En);
        let html = glance(&report, &catalog, &Style::default());
        let words = catalog.text(&format!("health.{}", report.summary.overall.code()), &[]);
        assert!(html.contains(&escape(&words)), "{html}");
        assert!(html.contains(&escape(&report.summary.overall_reasons[0])));
    }

    #[test]
    fn a_change_since_the_last_report_is_an_arrow_and_a_signed_number() {
        let mut report = report();
        let now = report.summary.counts.clone();
        report.history = vec![
            crate::analyze::history::point(&report),
            point(&report, 7, now.unhealthy + 2, now.restarts - 5),
        ];
        let html = glance(&report, &Catalog::builtin(Lang::En), &Style::default());
        assert!(html.contains("▼ -2"), "fewer unhealthy pods: {html}");
        assert!(html.contains("▲ +5"), "more restarts: {html}");
        assert!(html.contains("no change"), "the same pods: {html}");
    }

    #[test]
    fn without_history_there_is_no_change_to_show() {
        let html = glance(&report(), &Catalog::builtin(Lang::En), &Style::default());
        assert!(!html.contains('▲') && !html.contains('▼') && !html.contains("no change"));
    }

    #[test]
    fn the_three_most_urgent_problems_come_first_then_how_many_more() {
        let mut report = report();
        let first = report.findings[0].clone();
        report.findings = (0..5)
            .map(|i| FindingRow {
                pod: format!("pod-{i}"),
                ..first.clone()
            })
            .collect();
        let html = glance(&report, &Catalog::builtin(Lang::En), &Style::default());
        assert!(html.contains("pod-0") && html.contains("pod-2") && !html.contains("pod-3"));
        assert!(html.contains("2 more problem pods"), "{html}");
    }
}
