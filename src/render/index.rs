//! The archive's `index.html`: one row per archived run, newest first, with its date, overall
//! state and counts and relative links to its files, so that the archive volume, copied out or
//! served read-only, can be browsed.
//!
//! A standalone page: no scripts, no external resources, inline styles (a `<style>` adds dark
//! mode and the narrow layout for the browsers that keep it), readable at 600 px. A state's
//! colour is always next to its words.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::locale::Catalog;
use crate::report::{Health, HistoryPoint};

/// What the index knows of one archived run.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// The run's reference time, to the second (its file names carry it).
    pub at: Timestamp,
    pub figures: Figures,
    /// Its files as `(format, file name)`, format `md`, `html` or `json`: only those that
    /// exist. The names are links relative to the index, which sits beside them.
    pub files: Vec<(&'static str, String)>,
}

/// A run's figures, as far as its JSON report could be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Figures {
    Read(HistoryPoint),
    /// The run archived no JSON report.
    NoJson,
    /// Its JSON report could not be read or is not a report.
    Unreadable,
}

/// Shown for a figure that is not known.
const UNKNOWN: &str = "—";
/// The formats in the order their links are shown: the page first, the data last.
const LINKS: [(&str, &str); 3] = [
    ("html", "index.link_html"),
    ("md", "index.link_markdown"),
    ("json", "index.link_json"),
];

const BODY: &str = "margin:0;padding:0;background:#ffffff;color:#1f2328;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI','Noto Sans TC','PingFang TC','Microsoft JhengHei',Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5;";
/// Cells hold dates, words, numbers and short labels: they wrap between words only, so the
/// table's columns are never squeezed into broken words. Only the title, with a cluster name
/// of any length, may break anywhere.
const WRAP: &str = "max-width:1100px;margin:0 auto;padding:16px;box-sizing:border-box;";
const H1: &str = "font-size:20px;line-height:1.3;margin:0 0 8px;overflow-wrap:anywhere;";
const TABLE: &str =
    "border-collapse:collapse;width:100%;max-width:100%;margin:8px 0;font-size:13px;";
const HEAD_CELL: &str =
    "border:1px solid #d0d7de;padding:4px 6px;vertical-align:bottom;background:#f6f8fa;";
const CELL: &str = "border:1px solid #d0d7de;padding:4px 6px;vertical-align:top;";
const NUMBER: &str = "text-align:right;white-space:nowrap;";
/// A link's label is not broken (`Markdow|n`); the links wrap between each other.
const LINK: &str = "white-space:nowrap;";
const NOTE: &str = "color:#59636e;font-size:12px;";

/// Dark mode and the narrow layout, for the browsers that keep `<style>`; the inline styles
/// carry the light look.
const STYLESHEET: &str = "
  @media (prefers-color-scheme: dark) {
    body, .kp-wrap { background: #0d1117 !important; color: #e6edf3 !important; }
    th { background: #161b22 !important; color: #e6edf3 !important; }
    td, th { border-color: #30363d !important; }
    td.kp-healthy { border-left-color: #3fb950 !important; }
    td.kp-attention { border-left-color: #d29922 !important; }
    td.kp-unhealthy { border-left-color: #f85149 !important; }
    td.kp-unknown { border-left-color: #6e7681 !important; }
    a { color: #58a6ff !important; }
    .kp-note { color: #8b949e !important; }
  }
  @media (max-width: 620px) {
    .kp-wrap { padding: 8px !important; }
    table { font-size: 12px !important; }
    td, th { padding: 3px !important; }
  }
";

/// The index page of `rows`, newest first whatever their order, in the catalog's language,
/// titled with `cluster` (none: an empty name), dates and times in `timezone`, which the page
/// names.
pub fn index(rows: &[IndexRow], catalog: &Catalog, cluster: &str, timezone: &TimeZone) -> String {
    let mut rows: Vec<&IndexRow> = rows.iter().collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.at));
    let title = match cluster.trim() {
        "" => catalog.text("index.title_no_cluster", &[]),
        name => catalog.text("index.title", &[("cluster", name)]),
    };
    let mut html = String::with_capacity(2048 + rows.len() * 1024);
    head(&mut html, catalog, &title);
    let _ = writeln!(html, "<h1 style=\"{H1}\">{}</h1>", escape(&title));
    if rows.is_empty() {
        let _ = writeln!(html, "<p>{}</p>", escape(&catalog.text("index.empty", &[])));
    } else {
        let zone = zone_name(timezone, rows[0].at);
        let count = rows.len().to_string();
        let key = if rows.len() == 1 {
            "index.intro_one"
        } else {
            "index.intro"
        };
        let intro = catalog.text(key, &[("count", &count), ("zone", &zone)]);
        let _ = writeln!(html, "<p>{}</p>", escape(&intro));
        table(&mut html, &rows, catalog, timezone);
    }
    html.push_str("</div>\n</body>\n</html>\n");
    html
}

fn head(html: &mut String, catalog: &Catalog, title: &str) {
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{title}</title>\n<style>{STYLESHEET}</style>\n</head>\n\
         <body style=\"{BODY}\">\n<div class=\"kp-wrap\" style=\"{WRAP}\">\n",
        lang = catalog.lang.code(),
        title = escape(title),
    );
}

/// The zone's IANA name (`Asia/Taipei`), else its offset at `at` (`UTC+08:00`).
fn zone_name(timezone: &TimeZone, at: Timestamp) -> String {
    match timezone.iana_name() {
        Some(name) => name.to_owned(),
        None => format!("UTC{}", at.to_zoned(timezone.clone()).strftime("%:z")),
    }
}

fn table(html: &mut String, rows: &[&IndexRow], catalog: &Catalog, timezone: &TimeZone) {
    let _ = write!(html, "<table style=\"{TABLE}\"><thead><tr>");
    let columns = [
        ("col_date", "left"),
        ("col_state", "left"),
        ("col_pods", "right"),
        ("col_healthy", "right"),
        ("col_attention", "right"),
        ("col_unhealthy", "right"),
        ("col_restarts", "right"),
        ("col_files", "left"),
    ];
    for (key, align) in columns {
        let word = escape(&catalog.text(&format!("index.{key}"), &[]));
        let _ = write!(
            html,
            "<th style=\"{HEAD_CELL}text-align:{align};\">{word}</th>"
        );
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        table_row(html, row, catalog, timezone);
    }
    html.push_str("</tbody></table>\n");
}

fn table_row(html: &mut String, row: &IndexRow, catalog: &Catalog, timezone: &TimeZone) {
    let zoned = row.at.to_zoned(timezone.clone());
    let _ = write!(
        html,
        "<tr><td style=\"{CELL}white-space:nowrap;\">{}<br>{}</td>",
        zoned.strftime("%Y-%m-%d"),
        zoned.strftime("%H:%M"),
    );
    state_cell(html, &row.figures, catalog);
    let counts = match &row.figures {
        Figures::Read(point) => {
            let c = &point.counts;
            [c.pods, c.healthy, c.attention, c.unhealthy].map(|n| n.to_string())
        }
        _ => [(); 4].map(|()| UNKNOWN.to_owned()),
    };
    let restarts = match &row.figures {
        Figures::Read(point) => point.counts.restarts.to_string(),
        _ => UNKNOWN.to_owned(),
    };
    for figure in counts.iter().chain([&restarts]) {
        let _ = write!(html, "<td style=\"{CELL}{NUMBER}\">{figure}</td>");
    }
    links_cell(html, &row.files, catalog);
    html.push_str("</tr>\n");
}

/// The overall state in words (with its emoji), its colour as the cell's left border, and a
/// note when the report was partial or its figures are unknown.
fn state_cell(html: &mut String, figures: &Figures, catalog: &Catalog) {
    let (class, colour, words, note) = match figures {
        Figures::Read(point) => {
            let words = catalog.text(&format!("health.{}", point.overall.code()), &[]);
            let note = point.partial.then(|| catalog.text("index.partial", &[]));
            let (class, colour) = colour(point.overall);
            (class, colour, words, note)
        }
        Figures::NoJson => unknown(catalog.text("index.no_json", &[])),
        Figures::Unreadable => unknown(catalog.text("index.unreadable", &[])),
    };
    let _ = write!(
        html,
        "<td class=\"{class}\" style=\"{CELL}border-left:4px solid {colour};\">{}",
        escape(&words)
    );
    if let Some(note) = note {
        let _ = write!(
            html,
            "<div class=\"kp-note\" style=\"{NOTE}\">{}</div>",
            escape(&note)
        );
    }
    html.push_str("</td>");
}

fn unknown(note: String) -> (&'static str, &'static str, String, Option<String>) {
    ("kp-unknown", "#8c959f", UNKNOWN.to_owned(), Some(note))
}

/// The state's class (for dark mode) and its colour in light mode.
fn colour(health: Health) -> (&'static str, &'static str) {
    match health {
        Health::Healthy => ("kp-healthy", "#1a7f37"),
        Health::Attention => ("kp-attention", "#bf8700"),
        Health::Unhealthy => ("kp-unhealthy", "#cf222e"),
    }
}

/// Links to the run's files that exist, HTML first.
fn links_cell(html: &mut String, files: &[(&'static str, String)], catalog: &Catalog) {
    let _ = write!(html, "<td style=\"{CELL}\">");
    let links: Vec<String> = LINKS
        .iter()
        .filter_map(|(format, key)| {
            let (_, name) = files.iter().find(|(f, _)| f == format)?;
            let label = escape(&catalog.text(key, &[]));
            let href = escape(&href(name));
            Some(format!("<a href=\"{href}\" style=\"{LINK}\">{label}</a>"))
        })
        .collect();
    // The dot stays with the link before it when the cell wraps.
    html.push_str(&links.join("&nbsp;· "));
    html.push_str("</td>");
}

/// A file name as a relative URL: bytes other than letters, digits, `-`, `.` and `_` are
/// percent-encoded, so a name can neither reach into another directory nor read as a scheme.
fn href(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

#[cfg(test)]
mod tests;
