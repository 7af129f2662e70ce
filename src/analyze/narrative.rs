//! The sentences of the analysis, in the report's language: a problem's message, the
//! 問題分析 bullets of a problem pod, the summary table's description, and what the trend adds
//! to the conclusions.

use super::advice::Action;
use super::evidence::{ContainerEvidence, Evidence, StateEvidence};
use super::health::Finding;
use super::trend::Trend;
use crate::locale::Catalog;
use crate::report::{OwnerInfo, PodRow, Problem};

/// A finding with its message.
pub fn problem(f: &Finding, t: &Catalog) -> Problem {
    let args: Vec<(&str, &str)> = f.facts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Problem {
        code: f.code.to_owned(),
        severity: f.severity,
        message: t.text(&format!("problem.{}", f.code), &args),
        evidence: f
            .facts
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

/// The bullets of a problem pod's analysis (the seed's 問題分析), in the seed's order:
/// state and duration, containers, scheduler, logs, events, owner, replacement, advice.
pub fn analysis(
    status: &str,
    e: &Evidence,
    owner: Option<&OwnerInfo>,
    action: Option<&Action>,
    problems: &[Problem],
    t: &Catalog,
) -> Vec<String> {
    let mut lines = vec![match &e.since {
        Some(s) => t.text(
            "analysis.status_since",
            &[("status", status), ("duration", &t.duration(s.seconds))],
        ),
        None => t.text("analysis.status", &[("status", status)]),
    }];
    lines.extend(problems.iter().skip(1).map(|p| p.message.clone()));
    lines.extend(e.containers.iter().flat_map(|c| container_lines(c, t)));
    if let Some(message) = &e.scheduler {
        lines.push(t.text("analysis.scheduler", &[("message", message)]));
    }
    lines.extend(log_lines(e, t));
    lines.push(events_line(e, t));
    if let Some(o) = owner {
        let chain: Vec<String> = o
            .chain
            .iter()
            .map(|l| format!("{} {}", l.kind, l.name))
            .collect();
        lines.push(t.text("analysis.owner", &[("chain", &chain.join(" → "))]));
        if let Some(r) = &o.replacement {
            let short = short_name(&r.name, o);
            lines.push(t.text(
                "analysis.replacement",
                &[("pod", &short), ("ago", &t.duration(r.age_seconds))],
            ));
        }
    }
    if let Some(a) = action {
        lines.push(t.text("analysis.advice", &[("text", &a.advice)]));
    }
    lines
}

/// What is notable of a container: how it ended or why it waits, and its last end.
fn container_lines(c: &ContainerEvidence, t: &Catalog) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(line) = state_line(&c.name, &c.state, t) {
        lines.push(line);
        if let Some(message) = c.state.message.as_deref().filter(|m| !m.trim().is_empty()) {
            lines.push(t.text(
                "analysis.container_message",
                &[("message", first_line(message))],
            ));
        }
    }
    if c.state.oom_killed || c.last_state.as_ref().is_some_and(|l| l.oom_killed) {
        lines.push(t.text("analysis.oom", &[("container", &c.name)]));
    }
    if let Some(last) = c
        .last_state
        .as_ref()
        .filter(|l| l.state == "terminated" && c.state.state != "terminated")
    {
        let exit = last.exit_code.unwrap_or_default().to_string();
        let reason = last.reason.clone().unwrap_or_default();
        let ago = last.finished_ago.clone().unwrap_or_default();
        lines.push(t.text(
            "analysis.container_last",
            &[
                ("container", &c.name),
                ("reason", &reason),
                ("exit_code", &exit),
                ("ago", &ago),
            ],
        ));
    }
    lines
}

fn state_line(name: &str, s: &StateEvidence, t: &Catalog) -> Option<String> {
    match s.state.as_str() {
        "terminated" if s.exit_code != Some(0) || s.reason.as_deref() != Some("Completed") => {
            if let (None, Some(signal)) = (&s.reason, s.signal) {
                return Some(t.text(
                    "analysis.container_signal",
                    &[("container", name), ("signal", &signal.to_string())],
                ));
            }
            let reason = s.reason.clone().unwrap_or_default();
            let exit = s.exit_code.unwrap_or_default().to_string();
            Some(t.text(
                "analysis.container_terminated",
                &[
                    ("container", name),
                    ("reason", &reason),
                    ("exit_code", &exit),
                ],
            ))
        }
        "waiting" => {
            let reason = s.reason.as_deref().unwrap_or_default();
            (!reason.is_empty() && reason != "PodInitializing").then(|| {
                t.text(
                    "analysis.container_waiting",
                    &[("container", name), ("reason", reason)],
                )
            })
        }
        _ => None,
    }
}

/// Why evidence is missing, in the report's language where the reason is ours (the API's own
/// reasons are kept as the server wrote them).
pub fn missing_reason(reason: &str, t: &Catalog) -> String {
    if reason == crate::snapshot::NO_LOGS_IN_DUMP {
        t.text("analysis.no_logs_in_dump", &[])
    } else {
        reason.to_owned()
    }
}

fn log_lines(e: &Evidence, t: &Catalog) -> Vec<String> {
    if let Some(reason) = &e.logs_missing {
        let reason = missing_reason(reason, t);
        return vec![t.text("analysis.logs_missing", &[("reason", &reason)])];
    }
    let mut lines = Vec::new();
    for log in &e.logs {
        if let Some(reason) = &log.unavailable {
            let line = t.text("analysis.logs_unavailable", &[("reason", reason)]);
            if !lines.contains(&line) {
                lines.push(line);
            }
        } else if log.lines.is_empty() {
            lines.push(t.text("analysis.logs_empty", &[("container", &log.container)]));
        }
    }
    lines
}

fn events_line(e: &Evidence, t: &Catalog) -> String {
    if let Some(reason) = &e.events_missing {
        return t.text("analysis.events_missing", &[("reason", reason)]);
    }
    if e.events.is_empty() {
        return t.text("analysis.events_none", &[]);
    }
    let parts: Vec<String> = e
        .events
        .iter()
        .map(|ev| {
            let ago = ev
                .last_seen_ago
                .as_deref()
                .map(|a| format!(", {a}"))
                .unwrap_or_default();
            format!(
                "{} {} (×{}{ago}): {}",
                ev.kind,
                ev.reason,
                ev.count,
                first_line(&ev.message)
            )
        })
        .collect();
    format!(
        "{} {}",
        t.text("analysis.events_title", &[]),
        parts.join("; ")
    )
}

/// `8c9d676fc-bkk6p` for `prometheus-blackbox-exporter-8c9d676fc-bkk6p`: the seed names a
/// replacement by what differs from the Deployment's name.
fn short_name(pod: &str, owner: &OwnerInfo) -> String {
    owner
        .workload
        .as_ref()
        .and_then(|w| pod.strip_prefix(&format!("{}-", w.name)))
        .unwrap_or(pod)
        .to_owned()
}

/// The summary table's description: the problem and how long (`Pod 處於 Error 狀態 7d10h`).
pub fn summary_description(row: &PodRow, t: &Catalog) -> String {
    let Some(top) = row.problems.first() else {
        return String::new();
    };
    let since = row
        .evidence
        .as_ref()
        .and_then(|e| e.since.as_ref())
        .map_or_else(|| row.age.clone(), |s| s.ago.clone());
    let replaced = row.owner.as_ref().is_some_and(|o| o.replacement.is_some());
    let key = match top.code.as_str() {
        "failed" => "summary.failed",
        "leftover_completed" if replaced => "summary.leftover_completed",
        "leftover_completed" => "summary.leftover_completed_no_replacement",
        _ => return top.message.clone(),
    };
    t.text(key, &[("status", &row.status), ("since", &since)])
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

/// Conclusions at most from each kind of trend finding: the report stays short on a bad week.
const TREND_ISSUES_EACH: usize = 3;
/// From this many reports in a row, a problem left open is an issue of its own.
const LONG_OPEN_REPORTS: u32 = 3;

/// The issues (問題) the trend adds to the conclusions: new problems, abnormal restart growth
/// (per workload, else per pod), problems open for several reports in a row.
pub fn trend_issues(trend: &Trend, t: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    if !trend.new_problems.is_empty() {
        let count = trend.new_problems.len().to_string();
        out.push(t.text("conclusion.trend_new", &[("count", &count)]));
    }
    let growth = &trend.restart_growth;
    let abnormal: Vec<(String, String, i64)> = if growth.workloads.iter().any(|w| w.abnormal) {
        let named = growth.workloads.iter().filter(|w| w.abnormal);
        named
            .map(|w| {
                (
                    w.namespace.clone(),
                    format!("{} {}", w.kind, w.name),
                    w.growth,
                )
            })
            .collect()
    } else {
        let named = growth.pods.iter().filter(|p| p.abnormal);
        named
            .map(|p| (p.namespace.clone(), p.name.clone(), p.growth))
            .collect()
    };
    for (namespace, name, grown) in abnormal.iter().take(TREND_ISSUES_EACH) {
        let grown = grown.to_string();
        let args = [
            ("namespace", namespace.as_str()),
            ("name", name),
            ("growth", &grown),
        ];
        out.push(t.text("conclusion.trend_growth", &args));
    }
    let long_open = trend
        .still_open
        .iter()
        .filter(|c| c.reports_open >= LONG_OPEN_REPORTS);
    for change in long_open.take(TREND_ISSUES_EACH) {
        let reports = change.reports_open.to_string();
        let args = [
            ("namespace", change.namespace.as_str()),
            ("pod", &change.name),
            ("reports", &reports),
        ];
        out.push(t.text("conclusion.trend_long_open", &args));
    }
    out
}
