//! Digests: the report in one chat message or one JSON document, for `notify:`'s channels.
//!
//! One [`Digest`] is made from the report (silenced problems are already out of its findings,
//! counts and state), then shaped for each channel:
//!
//! - [`slack`]: a Block Kit message for a Slack incoming webhook, within Slack's limits (at most
//!   [`SLACK_MAX_BLOCKS`] blocks, [`SLACK_MAX_TEXT`] characters a text); what does not fit ends
//!   in "…N more";
//! - [`teams`]: an Adaptive Card 1.4 in the `message` envelope that Teams Workflows webhooks
//!   accept, at most [`TEAMS_MAX_BYTES`] bytes;
//! - [`webhook`]: JSON with the report's own `summary`, `namespaces`, `findings` and `trend`
//!   (the same shapes as the JSON report's keys; README's "Webhook").

use serde::Serialize;
use serde_json::{Value, json};

use super::Style;
use crate::locale::Catalog;
use crate::report::ProblemChange;
use crate::report::{FindingRow, Health, NamespaceSummary, Report, Severity, Summary, Trend};

/// Slack refuses a message with more blocks than this.
pub const SLACK_MAX_BLOCKS: usize = 50;
/// Slack refuses a section whose text is longer than this (characters).
pub const SLACK_MAX_TEXT: usize = 3000;
/// Teams refuses a message over about 28 KB: the card stays below this.
pub const TEAMS_MAX_BYTES: usize = 24_000;
/// A problem's cause is cut to this many characters.
const CAUSE_CHARS: usize = 300;
/// New and resolved problems listed, each.
const CHANGES_LISTED: usize = 10;

/// What every digest says, in the report's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// `kube-patrol · PIGO · 2025-12-26`.
    pub title: String,
    pub state: Health,
    /// The state in words (`🔴 Needs action now`).
    pub state_text: String,
    /// Why the state is what it is, as sentences.
    pub reasons: Vec<String>,
    /// Label and value: pods, healthy, attention, unhealthy, restarts, silenced (when any).
    pub facts: Vec<(String, String)>,
    /// `Since the last report (date): 🆕 2 new, ✅ 1 resolved`; `None` without a trend.
    pub change: Option<String>,
    /// `🆕 pigo-dev Deployment/api: crashing`, at most 10, then "…N more".
    pub new: Vec<String>,
    /// `✅ ...`, at most 10, then "…N more".
    pub resolved: Vec<String>,
    /// `Top problems (N problem pods)`, or that there is none.
    pub problems_title: String,
    /// The most severe problem pods first, at most `notify.problems`.
    pub problems: Vec<ProblemLine>,
    /// Problem pods, listed or not.
    pub problem_count: usize,
    /// `⚠️ Partial report ...` when part of the cluster could not be read.
    pub partial: Option<String>,
    /// A link to the full report (`report.url`).
    pub url: Option<String>,
    /// The words of "…N more" and of the link, in the report's language.
    more_template: String,
    link_text: String,
}

/// One problem pod: where, its STATUS, and its cause in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemLine {
    pub severity: Severity,
    pub namespace: String,
    pub pod: String,
    pub status: String,
    pub cause: String,
}

impl ProblemLine {
    fn from_finding(f: &FindingRow) -> Self {
        ProblemLine {
            severity: f.severity,
            namespace: f.namespace.clone(),
            pod: f.pod.clone(),
            status: f.status.clone(),
            cause: one_line(&f.description, CAUSE_CHARS),
        }
    }

    fn dot(&self) -> &'static str {
        match self.severity {
            Severity::High => "🔴",
            Severity::Medium => "🟡",
            Severity::Low => "🟢",
        }
    }
}

impl Digest {
    /// The digest of `report`, listing at most `max_problems` problem pods, linking to `url`.
    pub fn new(
        report: &Report,
        catalog: &Catalog,
        style: &Style,
        max_problems: usize,
        url: Option<&str>,
    ) -> Self {
        let date = report
            .generated_at
            .to_zoned(style.timezone.clone())
            .strftime("%Y-%m-%d")
            .to_string();
        let summary = &report.summary;
        let counts = &summary.counts;
        let t = |key: &str| catalog.text(&format!("digest.{key}"), &[]);
        let mut facts = vec![
            (t("pods"), counts.pods.to_string()),
            (t("healthy"), counts.healthy.to_string()),
            (t("attention"), counts.attention.to_string()),
            (t("unhealthy"), counts.unhealthy.to_string()),
            (t("restarts"), counts.restarts.to_string()),
        ];
        if counts.silenced > 0 {
            facts.push((t("silenced"), counts.silenced.to_string()));
        }
        let problem_count = report.findings.len();
        let problems_title = if problem_count == 0 {
            t("none")
        } else {
            let count = problem_count.to_string();
            catalog.text("digest.problems", &[("count", &count)])
        };
        Digest {
            title: catalog.text(
                "digest.title",
                &[("cluster", &report.cluster), ("date", &date)],
            ),
            state: summary.overall,
            state_text: catalog.text(&format!("health.{}", summary.overall.code()), &[]),
            reasons: summary.overall_reasons.clone(),
            facts,
            change: report.trend.as_ref().map(|tr| change(tr, catalog, style)),
            new: changes(
                report.trend.as_ref().map(|t| &t.new_problems),
                "🆕",
                catalog,
            ),
            resolved: changes(report.trend.as_ref().map(|t| &t.resolved), "✅", catalog),
            problems_title,
            problems: report
                .findings
                .iter()
                .take(max_problems)
                .map(ProblemLine::from_finding)
                .collect(),
            problem_count,
            partial: report.partial.then(|| t("partial")),
            url: url.map(str::to_owned),
            more_template: catalog.text("digest.more", &[]),
            link_text: t("full_report"),
        }
    }

    /// `…N more in the full report`.
    fn more(&self, count: usize) -> String {
        crate::locale::fill(&self.more_template, &[("count", &count.to_string())])
    }
}

fn change(trend: &Trend, catalog: &Catalog, style: &Style) -> String {
    let date = trend
        .previous_generated_at
        .to_zoned(style.timezone.clone())
        .strftime("%Y-%m-%d")
        .to_string();
    let (new, resolved) = (
        trend.new_problems.len().to_string(),
        trend.resolved.len().to_string(),
    );
    catalog.text(
        "digest.since",
        &[("date", &date), ("new", &new), ("resolved", &resolved)],
    )
}

fn changes(list: Option<&Vec<ProblemChange>>, mark: &str, catalog: &Catalog) -> Vec<String> {
    let Some(list) = list else {
        return Vec::new();
    };
    let mut lines: Vec<String> = list
        .iter()
        .take(CHANGES_LISTED)
        .map(|c| {
            format!(
                "{mark} {} {}/{}: {}",
                c.namespace,
                c.subject.kind,
                c.subject.name,
                catalog.problem_kind(&c.problem)
            )
        })
        .collect();
    if list.len() > CHANGES_LISTED {
        let count = (list.len() - CHANGES_LISTED).to_string();
        lines.push(catalog.text("digest.more", &[("count", &count)]));
    }
    lines
}

/// The first line of `text`, at most `max` characters (cut with `…`).
fn one_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    cut(line, max)
}

/// `text` cut to at most `max` characters, the last one `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Slack's mrkdwn: `&`, `<` and `>` escaped, nothing else needs it.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The Slack message: `{"text": fallback, "blocks": [...]}` for an incoming webhook.
///
/// Blocks: a header (the title), the state and its reasons, the counts as fields, what changed
/// since the last report, the problem pods packed into sections of at most [`SLACK_MAX_TEXT`]
/// characters, "…N more" for those that do not fit in [`SLACK_MAX_BLOCKS`], and the link.
pub fn slack(digest: &Digest) -> Value {
    let section =
        |text: String| json!({"type": "section", "text": {"type": "mrkdwn", "text": text}});
    let mut head = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": cut(&digest.title, 150), "emoji": true}
    })];
    let mut state = format!("*{}*", slack_escape(&digest.state_text));
    for reason in &digest.reasons {
        state.push_str(&format!("\n• {}", slack_escape(reason)));
    }
    if let Some(partial) = &digest.partial {
        state.push_str(&format!("\n{}", slack_escape(partial)));
    }
    head.push(section(cut(&state, SLACK_MAX_TEXT)));
    let fields: Vec<Value> = digest
        .facts
        .iter()
        .map(|(label, value)| json!({"type": "mrkdwn", "text": format!("*{}*\n{value}", slack_escape(label))}))
        .collect();
    head.push(json!({"type": "section", "fields": fields}));
    if let Some(change) = &digest.change {
        let mut text = format!("*{}*", slack_escape(change));
        for line in digest.new.iter().chain(&digest.resolved) {
            text.push_str(&format!("\n{}", slack_escape(line)));
        }
        head.push(section(cut(&text, SLACK_MAX_TEXT)));
    }
    head.push(json!({"type": "divider"}));
    head.push(section(format!(
        "*{}*",
        slack_escape(&digest.problems_title)
    )));
    let tail: Vec<Value> = digest
        .url
        .iter()
        .map(|url| {
            section(format!(
                "<{}|{}>",
                slack_escape(url),
                slack_escape(&digest.link_text)
            ))
        })
        .collect();
    // One block is kept for "…N more".
    let room = SLACK_MAX_BLOCKS.saturating_sub(head.len() + tail.len() + 1);
    let (problem_blocks, listed) = slack_problems(digest, room);
    let mut blocks = head;
    blocks.extend(problem_blocks.into_iter().map(section));
    let more = digest.problem_count - listed;
    if more > 0 {
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": slack_escape(&digest.more(more))}]
        }));
    }
    blocks.extend(tail);
    json!({
        "text": format!("{}: {}", digest.title, digest.state_text),
        "blocks": blocks,
    })
}

/// The problem lines packed into at most `room` texts of at most [`SLACK_MAX_TEXT`]
/// characters; and how many lines they hold.
fn slack_problems(digest: &Digest, room: usize) -> (Vec<String>, usize) {
    let mut texts: Vec<String> = Vec::new();
    let mut listed = 0;
    for p in &digest.problems {
        let line = format!(
            "{} *{}/{}* · `{}` — {}",
            p.dot(),
            slack_escape(&p.namespace),
            slack_escape(&p.pod),
            slack_escape(&p.status).replace('`', "'"),
            slack_escape(&p.cause)
        );
        let line = cut(&line, SLACK_MAX_TEXT);
        let fits_last = texts
            .last()
            .is_some_and(|t| t.chars().count() + 1 + line.chars().count() <= SLACK_MAX_TEXT);
        if fits_last {
            let last = texts.last_mut().expect("checked");
            last.push('\n');
            last.push_str(&line);
        } else if texts.len() < room {
            texts.push(line);
        } else {
            break;
        }
        listed += 1;
    }
    (texts, listed)
}

/// The Teams message: an Adaptive Card 1.4 in the envelope Workflows webhooks accept,
/// `{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
/// "content": {card}}]}`, at most [`TEAMS_MAX_BYTES`] bytes (problem pods beyond: "…N more").
pub fn teams(digest: &Digest) -> Value {
    let text = |text: &str| json!({"type": "TextBlock", "text": text, "wrap": true});
    let color = match digest.state {
        Health::Healthy => "Good",
        Health::Attention => "Warning",
        Health::Unhealthy => "Attention",
    };
    let mut body = vec![
        json!({"type": "TextBlock", "text": digest.title, "size": "Large", "weight": "Bolder", "wrap": true}),
        json!({"type": "TextBlock", "text": digest.state_text, "weight": "Bolder", "color": color, "wrap": true}),
    ];
    for reason in &digest.reasons {
        body.push(json!({"type": "TextBlock", "text": format!("- {reason}"), "wrap": true, "spacing": "None"}));
    }
    if let Some(partial) = &digest.partial {
        body.push(text(partial));
    }
    let facts: Vec<Value> = digest
        .facts
        .iter()
        .map(|(title, value)| json!({"title": title, "value": value}))
        .collect();
    body.push(json!({"type": "FactSet", "facts": facts}));
    if let Some(change) = &digest.change {
        body.push(json!({"type": "TextBlock", "text": change, "weight": "Bolder", "wrap": true}));
        for line in digest.new.iter().chain(&digest.resolved) {
            body.push(json!({"type": "TextBlock", "text": line, "wrap": true, "spacing": "None"}));
        }
    }
    body.push(json!({"type": "TextBlock", "text": digest.problems_title, "weight": "Bolder", "wrap": true, "separator": true}));
    let actions: Vec<Value> = digest
        .url
        .iter()
        .map(|url| json!({"type": "Action.OpenUrl", "title": digest.link_text, "url": url}))
        .collect();
    let envelope = |body: &[Value]| {
        let mut card = json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.4",
            "msteams": {"width": "Full"},
            "body": body,
        });
        if !actions.is_empty() {
            card["actions"] = Value::Array(actions.clone());
        }
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": card,
            }]
        })
    };
    // Room for "…N more" (a short line) is kept under the limit.
    let budget = TEAMS_MAX_BYTES - 200;
    let mut size = envelope(&body).to_string().len();
    let mut listed = 0;
    for p in &digest.problems {
        let block = json!({
            "type": "TextBlock",
            "text": format!("{} **{}/{}** · {} — {}", p.dot(), p.namespace, p.pod, p.status, p.cause),
            "wrap": true,
            "spacing": "Small",
        });
        let added = block.to_string().len() + 1;
        if size + added > budget {
            break;
        }
        size += added;
        body.push(block);
        listed += 1;
    }
    let more = digest.problem_count - listed;
    if more > 0 {
        body.push(
            json!({"type": "TextBlock", "text": digest.more(more), "wrap": true, "isSubtle": true}),
        );
    }
    envelope(&body)
}

/// The webhook's JSON: version 1 of the digest document.
#[derive(Debug, Serialize)]
pub struct WebhookDigest<'a> {
    /// Always `kube-patrol.digest`.
    pub kind: &'static str,
    /// This document's version: 1.
    pub version: u32,
    /// The JSON report's `schema_version`: the shapes below are that schema's.
    pub schema_version: u32,
    pub cluster: &'a str,
    pub generated_at: jiff::Timestamp,
    pub partial: bool,
    /// `report.url`, or null.
    pub report_url: Option<&'a str>,
    pub summary: &'a Summary,
    pub namespaces: &'a [NamespaceSummary],
    /// Every problem pod, most severe first; silenced problems left out.
    pub findings: &'a [FindingRow],
    /// Null without a previous report.
    pub trend: Option<&'a Trend>,
}

/// The webhook's body: [`WebhookDigest`] as JSON.
///
/// # Errors
/// Serialization cannot fail on the report's types; its error is passed on all the same.
pub fn webhook(report: &Report, url: Option<&str>) -> Result<String, serde_json::Error> {
    serde_json::to_string(&WebhookDigest {
        kind: "kube-patrol.digest",
        version: 1,
        schema_version: report.schema_version,
        cluster: &report.cluster,
        generated_at: report.generated_at,
        partial: report.partial,
        report_url: url,
        summary: &report.summary,
        namespaces: &report.namespaces,
        findings: &report.findings,
        trend: report.trend.as_ref(),
    })
}

#[cfg(test)]
mod tests;
