//! The fleet report: a 🌐 fleet summary (one row per cluster), the fleet-wide problem table,
//! then each cluster's report as its own run renders it, headings one level down.
//!
//! The fleet's own part is a tera template ([`FLEET_TEMPLATE`]); each cluster's part is the
//! ordinary report template ([`super::markdown`]) rendered for that cluster alone, so a fleet
//! shows every cluster in the seed's layout and a custom report template applies to both.

use serde::Serialize;

use super::{EmailBody, Error, FOLDS, Fold, Style, Template, View, render, sent_size};
use crate::locale::Catalog;
use crate::model::Source;
use crate::report::{ClusterEntry, FindingRow, FleetReport, Health, Report, Severity};

/// The file name a templates directory may hold to override the fleet's own part.
pub const FLEET_TEMPLATE: &str = "fleet.md.tera";

/// The built-in fleet template.
pub fn default_template() -> Template {
    Template {
        name: FLEET_TEMPLATE.into(),
        source: include_str!("../../templates/fleet.md.tera").into(),
    }
}

/// The fleet report as Markdown.
///
/// # Errors
/// A template fails to parse or to render (the error names the file).
pub fn markdown(fleet: &FleetReport, catalog: &Catalog, style: &Style) -> Result<String, Error> {
    folded_markdown(fleet, catalog, style, Fold::default(), true)
}

/// The fleet report as an email-safe HTML page: the Markdown turned into HTML in the page
/// template (no glance: the fleet summary is the glance).
///
/// # Errors
/// As [`markdown`], or the page template fails.
pub fn html(fleet: &FleetReport, catalog: &Catalog, style: &Style) -> Result<String, Error> {
    page(fleet, catalog, style, &markdown(fleet, catalog, style)?)
}

/// The fleet report as pretty JSON, ending with a newline.
///
/// # Errors
/// Only if serialization fails, which plain data does not.
pub fn json(fleet: &FleetReport) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(fleet)?;
    text.push('\n');
    Ok(text)
}

/// The email's body, folded step by step like a single report's ([`super::email`]): every
/// cluster's part and the fleet-wide problem table shortened together until the HTML fits;
/// past the last step, the clusters' parts are left to the attachment and only the fleet's own
/// part (summary, the most severe problems) is the body.
///
/// # Errors
/// As [`html`].
pub fn email(fleet: &FleetReport, catalog: &Catalog, style: &Style) -> Result<EmailBody, Error> {
    let last_fold = FOLDS[FOLDS.len() - 1];
    let steps = FOLDS
        .iter()
        .map(|fold| (*fold, true))
        .chain([(last_fold, false)]);
    let mut last = None;
    for (fold, clusters) in steps {
        let text = folded_markdown(fleet, catalog, style, fold, clusters)?;
        let html = page(fleet, catalog, style, &text)?;
        if sent_size(&html) <= super::EMAIL_HTML_BUDGET {
            return Ok(EmailBody { text, html, fold });
        }
        tracing::debug!(
            size = sent_size(&html),
            ?fold,
            clusters,
            "fleet email body too big, folding more"
        );
        last = Some(EmailBody { text, html, fold });
    }
    let body = last.expect("FOLDS is not empty");
    tracing::warn!(
        size = sent_size(&body.html),
        budget = super::EMAIL_HTML_BUDGET,
        "the fleet email's HTML is over the budget even shortened: mail clients may clip it"
    );
    Ok(body)
}

/// The email's subject: the fleet's state, its clusters and pods, and the clusters not read.
pub fn subject(fleet: &FleetReport, catalog: &Catalog, style: &Style) -> String {
    let summary = FleetSummary::of(fleet, catalog);
    let date = fleet
        .generated_at
        .to_zoned(style.timezone.clone())
        .strftime("%Y-%m-%d")
        .to_string();
    let overall = catalog.text(&format!("health.{}", summary.overall.code()), &[]);
    let mut text = catalog.text(
        "fleet.subject",
        &[
            ("clusters", &fleet.clusters.len().to_string()),
            ("date", &date),
            ("overall", &overall),
            ("pods", &summary.total.pods.to_string()),
            ("unhealthy", &summary.total.unhealthy.to_string()),
            ("attention", &summary.total.attention.to_string()),
        ],
    );
    let unread = summary.rows.iter().filter(|r| r.reason.is_some()).count();
    if unread > 0 {
        let count = unread.to_string();
        text.push_str(&catalog.text("fleet.subject_unread", &[("count", &count)]));
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One row of the 🌐 fleet summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FleetRow {
    pub name: String,
    pub pods: usize,
    pub healthy: usize,
    pub attention: usize,
    pub unhealthy: usize,
    pub restarts: i64,
    /// Pods whose every problem is silenced (left out of `attention` and `unhealthy`).
    pub silenced: usize,
    pub overall: Health,
    /// Evidence was missing from the cluster's report.
    pub partial: bool,
    /// The change since the cluster's last report, in words; `—` without a trend.
    pub change: String,
    /// Why the cluster could not be read; its figures are then zero and not shown.
    pub reason: Option<String>,
}

/// The fleet summary: a row per cluster, the totals and the worst state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FleetSummary {
    pub rows: Vec<FleetRow>,
    /// The sums over the clusters that were read (`name` is empty, `change` too).
    pub total: FleetRow,
    /// The worst state of the clusters read; unhealthy when none could be read.
    pub overall: Health,
}

impl FleetSummary {
    /// The summary of `fleet`, its changes in the catalog's words.
    pub fn of(fleet: &FleetReport, catalog: &Catalog) -> Self {
        let rows: Vec<FleetRow> = fleet.clusters.iter().map(|c| row(c, catalog)).collect();
        let mut total = FleetRow {
            name: String::new(),
            pods: 0,
            healthy: 0,
            attention: 0,
            unhealthy: 0,
            restarts: 0,
            silenced: 0,
            overall: Health::Healthy,
            partial: false,
            change: String::new(),
            reason: None,
        };
        for r in rows.iter().filter(|r| r.reason.is_none()) {
            total.pods += r.pods;
            total.healthy += r.healthy;
            total.attention += r.attention;
            total.unhealthy += r.unhealthy;
            total.restarts += r.restarts;
            total.silenced += r.silenced;
            total.overall = total.overall.max(r.overall);
        }
        total.partial = fleet.partial();
        let overall = if fleet.reports().next().is_none() {
            Health::Unhealthy
        } else {
            total.overall
        };
        FleetSummary {
            rows,
            total,
            overall,
        }
    }
}

fn row(entry: &ClusterEntry, catalog: &Catalog) -> FleetRow {
    let report = match entry {
        ClusterEntry::Report(report) => report,
        ClusterEntry::Unread(unread) => {
            return FleetRow {
                name: unread.cluster.clone(),
                pods: 0,
                healthy: 0,
                attention: 0,
                unhealthy: 0,
                restarts: 0,
                silenced: 0,
                overall: Health::Unhealthy,
                partial: true,
                change: String::new(),
                reason: Some(unread.reason.clone()),
            };
        }
    };
    let counts = &report.summary.counts;
    FleetRow {
        name: report.cluster.clone(),
        pods: counts.pods,
        healthy: counts.healthy,
        attention: counts.attention,
        unhealthy: counts.unhealthy,
        restarts: counts.restarts,
        silenced: counts.silenced,
        overall: report.summary.overall,
        partial: report.partial,
        change: change(report, catalog),
        reason: None,
    }
}

/// `+3 not healthy; 🆕 2 new, ✅ 1 resolved` from the cluster's trend and history.
fn change(report: &Report, catalog: &Catalog) -> String {
    let Some(trend) = &report.trend else {
        return catalog.text("fleet.no_trend", &[]);
    };
    let mut parts = Vec::new();
    if let [now, before, ..] = report.history.as_slice() {
        let delta = now.not_healthy as i64 - before.not_healthy as i64;
        parts.push(catalog.text("fleet.not_healthy_change", &[("delta", &signed(delta))]));
    }
    parts.push(catalog.text(
        "fleet.problems_change",
        &[
            ("new", &trend.new_problems.len().to_string()),
            ("resolved", &trend.resolved.len().to_string()),
        ],
    ));
    parts.join("; ")
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// A row of the fleet-wide problem table: a cluster's 問題 Pod 匯總表 row and its cluster.
#[derive(Debug, Serialize)]
struct FleetProblem<'a> {
    cluster: &'a str,
    #[serde(flatten)]
    finding: &'a FindingRow,
}

/// Every cluster's problem pods, most severe first, clusters in the fleet's order within a
/// severity.
fn problems(fleet: &FleetReport) -> Vec<FleetProblem<'_>> {
    let mut rows: Vec<FleetProblem<'_>> = fleet
        .reports()
        .flat_map(|r| {
            r.findings.iter().map(|finding| FleetProblem {
                cluster: &r.cluster,
                finding,
            })
        })
        .collect();
    rows.sort_by_key(|p| std::cmp::Reverse::<Severity>(p.finding.severity));
    rows
}

#[derive(Serialize)]
struct FleetView<'a> {
    t: &'a toml::Table,
    title: String,
    date: String,
    tool: &'a crate::report::Tool,
    rows: Vec<FleetRow>,
    total: FleetRow,
    overall: Health,
    partial: bool,
    problems: &'a [FleetProblem<'a>],
    problems_more: usize,
    /// Each cluster's report in Markdown, headings one level down.
    clusters: Vec<String>,
    /// The clusters' parts are left to the attached full report.
    clusters_attached: bool,
    digest: Option<Fold>,
}

/// The fleet report shortened by `fold`; without `clusters`, the clusters' parts are left out
/// (an email's last step: they are in the attachment).
fn folded_markdown(
    fleet: &FleetReport,
    catalog: &Catalog,
    style: &Style,
    fold: Fold,
    clusters: bool,
) -> Result<String, Error> {
    let summary = FleetSummary::of(fleet, catalog);
    let all = problems(fleet);
    let (shown, problems_more) = fold.cut(&all);
    let mut parts = Vec::with_capacity(fleet.clusters.len());
    for report in fleet.reports().filter(|_| clusters) {
        let style = cluster_style(report, style);
        let view = View::folded(report, catalog, &style, fold);
        parts.push(shift_headings(&render(&style.templates.markdown, &view)?));
    }
    let view = FleetView {
        t: &catalog.tree,
        title: catalog.text(
            "fleet.title",
            &[("count", &fleet.clusters.len().to_string())],
        ),
        date: fleet
            .generated_at
            .to_zoned(style.timezone.clone())
            .strftime("%Y-%m-%d")
            .to_string(),
        tool: &fleet.tool,
        partial: summary.total.partial,
        overall: summary.overall,
        rows: summary.rows,
        total: summary.total,
        problems: shown,
        problems_more,
        clusters: parts,
        clusters_attached: !clusters,
        digest: (fold != Fold::default()).then_some(fold),
    };
    render(&style.templates.fleet, &view)
}

/// The style of one cluster's part: its own kubeconfig context (or none) in the appendix's
/// commands, never another cluster's.
fn cluster_style(report: &Report, style: &Style) -> Style {
    let mut style = style.clone();
    style.context = match &report.source {
        Source::Cluster { context, .. } => context.clone(),
        Source::Dump { .. } | Source::Memory => None,
    };
    style
}

fn page(
    fleet: &FleetReport,
    catalog: &Catalog,
    style: &Style,
    markdown: &str,
) -> Result<String, Error> {
    let title = catalog.text(
        "fleet.title",
        &[("count", &fleet.clusters.len().to_string())],
    );
    super::page_with(catalog, style, &title, String::new(), markdown)
}

/// Every ATX heading one level down (`#` → `##`), outside fenced code blocks: a cluster's report
/// becomes a section of the fleet report.
pub fn shift_headings(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 256);
    let mut fence: Option<&str> = None;
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if indent <= 3 {
            for marker in ["```", "~~~"] {
                if trimmed.starts_with(marker) {
                    fence = match fence {
                        None => Some(marker),
                        Some(open) if open == marker => None,
                        open => open,
                    };
                }
            }
        }
        if fence.is_none() && line.starts_with('#') {
            let hashes = line.bytes().take_while(|b| *b == b'#').count();
            let after = line.as_bytes().get(hashes);
            if hashes < 6 && matches!(after, Some(b' ' | b'\n') | None) {
                out.push('#');
            }
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests;
