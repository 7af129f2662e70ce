//! The sentences of the analysis, in the report's language: a problem's message, the
//! 問題分析 bullets of a problem pod, the summary table's description, and what the trend adds
//! to the conclusions.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::health::Finding;
use crate::locale::Catalog;
use crate::report::{
    Action, ConditionEvidence, ContainerEvidence, Evidence, NodeEvidence, StateEvidence, Trend,
};
use crate::report::{OwnerInfo, PodRow, Problem, ProblemCode};

/// A finding with its message; dates in it are written in `zone`.
pub fn problem(f: &Finding, t: &Catalog, zone: &TimeZone) -> Problem {
    let mut args: Vec<(&str, &str)> = f.facts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let last_restart_date = f
        .facts
        .get("last_restart")
        .and_then(|at| at.parse::<Timestamp>().ok())
        .map(|at| at.to_zoned(zone.clone()).strftime("%Y-%m-%d").to_string());
    if let Some(date) = &last_restart_date {
        args.push(("last_restart_date", date));
    }
    // A code with a variant for its message (`evicted_message`) says why in the sentence.
    let with_message = format!("problem.{}_message", f.code);
    let key = if f.facts.contains_key("message") && t.has(&with_message) {
        with_message
    } else {
        format!("problem.{}", f.code)
    };
    Problem {
        code: f.code,
        severity: f.severity,
        message: t.text(&key, &args),
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
    lines.extend(pod_lines(e, t));
    lines.extend(e.containers.iter().flat_map(|c| container_lines(c, t)));
    if let Some(running) = problems
        .iter()
        .find_map(|p| p.evidence.get("still_running"))
    {
        lines.push(t.text("analysis.still_running", &[("containers", running)]));
    }
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

/// What the pod itself says: its reason and message, a disruption, a Ready condition that is
/// False, failing readiness gates, a node in trouble, the finalizers holding a deletion.
fn pod_lines(e: &Evidence, t: &Catalog) -> Vec<String> {
    let mut lines = Vec::new();
    match (&e.reason, &e.message) {
        (Some(reason), Some(message)) => lines.push(t.text(
            "analysis.pod_reason_message",
            &[("reason", reason), ("message", first_line(message))],
        )),
        (Some(reason), None) => lines.push(t.text("analysis.pod_reason", &[("reason", reason)])),
        (None, Some(message)) => {
            lines.push(t.text("analysis.pod_message", &[("message", first_line(message))]))
        }
        (None, None) => {}
    }
    let condition = |key: &str, c: &ConditionEvidence| {
        t.text(
            key,
            &[
                ("reason", c.reason.as_deref().unwrap_or("-")),
                ("message", first_line(c.message.as_deref().unwrap_or("-"))),
            ],
        )
    };
    if let Some(d) = &e.disruption {
        lines.push(condition("analysis.disruption", d));
    }
    if let Some(r) = e.not_ready.as_ref().filter(|r| r.reason.is_some()) {
        lines.push(condition("analysis.ready_condition", r));
    }
    if !e.failing_readiness_gates.is_empty() {
        let gates = e.failing_readiness_gates.join(", ");
        lines.push(t.text("analysis.gates", &[("gates", &gates)]));
    }
    if let Some(n) = &e.node {
        lines.push(node_line(n, t));
    }
    if !e.finalizers.is_empty() {
        let finalizers = e.finalizers.join(", ");
        lines.push(t.text("analysis.finalizers", &[("finalizers", &finalizers)]));
    }
    lines
}

fn node_line(n: &NodeEvidence, t: &Catalog) -> String {
    if n.state == "Gone" {
        return t.text("analysis.node_gone", &[("node", &n.name)]);
    }
    let ago = n.since_ago.clone().unwrap_or_else(|| "?".to_owned());
    let reason = match (&n.reason, &n.message) {
        (Some(r), Some(m)) => format!("{r}: {}", first_line(m)),
        (Some(r), None) => r.clone(),
        (None, Some(m)) => first_line(m).to_owned(),
        (None, None) => "-".to_owned(),
    };
    t.text(
        "analysis.node",
        &[
            ("node", &n.name),
            ("state", &n.state),
            ("ago", &ago),
            ("reason", &reason),
        ],
    )
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
        let none = || "-".to_owned();
        lines.push(t.text(
            "analysis.memory",
            &[
                ("container", &c.name),
                ("limit", &c.memory_limit.clone().unwrap_or_else(none)),
                ("request", &c.memory_request.clone().unwrap_or_else(none)),
            ],
        ));
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
    if reason == crate::model::NO_LOGS_IN_DUMP {
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

/// The summary table's description of `top`, the pod's most severe open problem: the problem
/// and how long (`Pod 處於 Error 狀態 7d10h`), marked when a silence of it expired.
pub fn summary_description(row: &PodRow, top: &Problem, t: &Catalog) -> String {
    let since = row
        .evidence
        .as_ref()
        .and_then(|e| e.since.as_ref())
        .map_or_else(|| row.age.to_string(), |s| s.ago.clone());
    let replaced = row.owner.as_ref().is_some_and(|o| o.replacement.is_some());
    let key = match top.code {
        ProblemCode::Failed => Some("summary.failed"),
        ProblemCode::LeftoverCompleted if replaced => Some("summary.leftover_completed"),
        ProblemCode::LeftoverCompleted => Some("summary.leftover_completed_no_replacement"),
        _ => None,
    };
    let text = match key {
        Some(key) => t.text(key, &[("status", &row.status), ("since", &since)]),
        None => top.message.clone(),
    };
    match &row.silence_expired {
        Some(expired) => format!("{text} {}", super::silence::expired_mark(expired, t)),
        None => text,
    }
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
        let subject = format!("{} {}", change.subject.kind, change.subject.name);
        let problem = t.problem_kind(&change.problem);
        let args = [
            ("namespace", change.namespace.as_str()),
            ("subject", &subject),
            ("problem", &problem),
            ("reports", &reports),
        ];
        out.push(t.text("conclusion.trend_long_open", &args));
    }
    out
}
