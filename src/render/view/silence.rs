//! The 🔕 section as templates see it (`silence`): each silenced pod with its problem, reason,
//! owner, end and source, then the reminders (ending within 7 days), the ended silences, the
//! config's unused entries and the malformed annotations.

use serde::Serialize;

use crate::locale::Catalog;
use crate::report::{PodRow, Report, SilenceEntry, SilenceSource, SilenceState};

#[derive(Serialize)]
pub(super) struct SilenceView<'a> {
    /// Pods with a silence in force, whether it covers all their problems or some.
    pods: Vec<SilencedPod<'a>>,
    /// The reminders, the ended silences, the unused config entries and the malformed
    /// annotations, in that order; only those with entries.
    lists: Vec<SilenceList<'a>>,
}

/// Silences in one state, and the locale keys of the list's title and of its lines
/// (`t.silence[title]`, `t.silence[line]`).
#[derive(Serialize)]
struct SilenceList<'a> {
    title: &'static str,
    line: &'static str,
    entries: Vec<SilenceLine<'a>>,
}

/// A row of the silenced pods' table.
#[derive(Serialize)]
struct SilencedPod<'a> {
    namespace: &'a str,
    name: &'a str,
    status: &'a str,
    /// The messages of the problems the silence covers, `; `-separated.
    problems: String,
    reason: &'a str,
    owner: &'a str,
    until: &'a str,
    /// `kube-patrol.yaml:12`, `annotation on Deployment/game-api`, in the report's language.
    source: String,
    /// Some of the pod's problems stay open (and in the tables above).
    partly: bool,
}

/// A silence in one of the lists, its cells written out.
#[derive(Serialize)]
struct SilenceLine<'a> {
    #[serde(flatten)]
    entry: &'a SilenceEntry,
    source: String,
    /// What a config entry matches: `namespace pigo-*, workload Deployment/x`.
    matches: String,
    /// The codes it covers, or "every problem".
    covers: String,
    /// An invalid annotation's value as written and what is wrong; empty otherwise.
    annotation: &'a str,
    fault: &'a str,
}

impl<'a> SilenceView<'a> {
    /// `None` when the report has no silence at all: the section is left out.
    pub(super) fn of(report: &'a Report, t: &Catalog) -> Option<Self> {
        if report.silences.is_empty() {
            return None;
        }
        let lists = [
            ("expiring_title", "expiring_line", SilenceState::Expiring),
            ("expired_title", "expired_line", SilenceState::Expired),
            ("unused_title", "unused_line", SilenceState::Unused),
            ("invalid_title", "invalid_line", SilenceState::Invalid),
        ]
        .into_iter()
        .map(|(title, line, state)| SilenceList {
            title,
            line,
            entries: report
                .silences
                .iter()
                .filter(|s| s.state == state)
                .map(|s| SilenceLine::new(s, t))
                .collect(),
        })
        .filter(|list| !list.entries.is_empty())
        .collect();
        Some(SilenceView {
            pods: report
                .pods
                .iter()
                .filter_map(|p| SilencedPod::of(p, t))
                .collect(),
            lists,
        })
    }
}

impl<'a> SilencedPod<'a> {
    fn of(row: &'a PodRow, t: &Catalog) -> Option<Self> {
        let silence = row.silenced.as_deref()?;
        let messages: Vec<&str> = row
            .problems
            .iter()
            .filter(|p| silence.problems.contains(&p.code))
            .map(|p| p.message.as_str())
            .collect();
        Some(SilencedPod {
            namespace: &row.namespace,
            name: &row.name,
            status: &row.status,
            problems: messages.join("; "),
            reason: &silence.reason,
            owner: &silence.owner,
            until: &silence.until,
            source: source(&silence.source, t),
            partly: !row.is_silenced(),
        })
    }
}

impl<'a> SilenceLine<'a> {
    fn new(entry: &'a SilenceEntry, t: &Catalog) -> Self {
        let codes: Vec<&str> = entry.problems.iter().map(|c| c.as_str()).collect();
        SilenceLine {
            entry,
            source: source(&entry.source, t),
            matches: matches(entry, t),
            covers: if codes.is_empty() {
                t.text("silence.every_problem", &[])
            } else {
                codes.join(", ")
            },
            annotation: entry.value.as_deref().unwrap_or_default(),
            fault: entry.error.as_deref().unwrap_or_default(),
        }
    }
}

/// Where a silence is written, in the report's language.
pub(super) fn source(source: &SilenceSource, t: &Catalog) -> String {
    match source {
        SilenceSource::Config { file, line } => t.text(
            "silence.source_config",
            &[("file", file), ("line", &line.to_string())],
        ),
        SilenceSource::Annotation { object, .. } => t.text(
            "silence.source_annotation",
            &[("kind", &object.kind), ("name", &object.name)],
        ),
    }
}

/// A config entry's matchers, `namespace pigo-*, pod web-*, workload Deployment/web`.
fn matches(entry: &SilenceEntry, t: &Catalog) -> String {
    let parts: Vec<String> = [
        ("silence.match_namespace", &entry.namespace),
        ("silence.match_pod", &entry.pod),
        ("silence.match_workload", &entry.workload),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some(t.text(key, &[("value", value.as_deref()?)])))
    .collect();
    parts.join(", ")
}
