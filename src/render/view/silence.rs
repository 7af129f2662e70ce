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
    /// Silenced pods left out by the fold.
    pods_more: usize,
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
    pub(super) fn of(report: &'a Report, t: &Catalog, fold: super::Fold) -> Option<Self> {
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
        let pods: Vec<SilencedPod<'a>> = report
            .pods
            .iter()
            .filter_map(|p| SilencedPod::of(p, t))
            .collect();
        let shown = fold.rows.map_or(pods.len(), |n| pods.len().min(n));
        let pods_more = pods.len() - shown;
        Some(SilenceView {
            pods: pods.into_iter().take(shown).collect(),
            pods_more,
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

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use crate::analyze::silence::{ConfigSilence, Until};
    use crate::analyze::{Settings, report_of};
    use crate::collect::{self, NamespaceSelection};
    use crate::locale::{Catalog, Lang};
    use crate::model::SILENCE_ANNOTATION;
    use crate::render::{Style, markdown, subject};
    use crate::report::{Owner, Report};

    /// The seed's report (2025-12-26 10:00 in Taipei) with `silences`, and a malformed
    /// annotation on Deployment pigo-cron.
    fn seed_report(lang: Lang, silences: Vec<ConfigSilence>) -> Report {
        let selection = NamespaceSelection {
            all: true,
            ..NamespaceSelection::default()
        };
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed-cluster.json");
        let mut snapshot = collect::from_dump(path, &selection).unwrap();
        let mut cron = snapshot.workloads.deployments.iter_mut();
        let cron = cron.find(|d| d.metadata.name.as_deref() == Some("pigo-cron"));
        let note = (
            SILENCE_ANNOTATION.into(),
            "until=2026-01-15; owner=x".into(),
        );
        cron.unwrap().metadata.annotations = Some(std::iter::once(note).collect());
        let now: Timestamp = "2025-12-26T02:00:00Z".parse().unwrap();
        let mut settings = Settings::new(now, "PIGO".into(), Catalog::builtin(lang));
        settings.silences.config = silences;
        report_of(&snapshot, &settings)
    }

    fn silence(until: &str, line: usize) -> ConfigSilence {
        ConfigSilence {
            namespace: None,
            pod: None,
            workload: None,
            problems: Vec::new(),
            reason: "vendor fix | pending".into(),
            owner: "team-cron@example.com".into(),
            until: Until::parse(until).unwrap(),
            until_text: until.into(),
            file: "kube-patrol.yaml".into(),
            line,
        }
    }

    fn silences() -> Vec<ConfigSilence> {
        vec![
            ConfigSilence {
                workload: Some(Owner {
                    kind: "Deployment".into(),
                    name: "pigo-cron".into(),
                }),
                ..silence("2026-01-01", 3)
            },
            ConfigSilence {
                pod: Some("prometheus-*".into()),
                ..silence("2025-12-20", 9)
            },
            ConfigSilence {
                namespace: Some("gone-*".into()),
                ..silence("2026-02-01", 14)
            },
        ]
    }

    /// The lines of the Markdown from `start` (a heading) to the next `---`.
    fn section(markdown: &str, start: &str) -> Vec<String> {
        let from = markdown
            .find(start)
            .unwrap_or_else(|| panic!("{start} in {markdown}"));
        let rest = &markdown[from..];
        let end = rest.find("\n---").unwrap_or(rest.len());
        rest[..end].lines().map(str::to_owned).collect()
    }

    #[test]
    fn the_silenced_section_lists_each_silenced_pod_and_each_silence_that_needs_a_look() {
        let report = seed_report(Lang::En, silences());
        let text = markdown(&report, &Catalog::builtin(Lang::En), &Style::default()).unwrap();
        assert_eq!(
            section(&text, "## 🔕 Silenced known problems"),
            [
                "## 🔕 Silenced known problems",
                "",
                "Known problems a team silenced, each with a reason, an owner and an end. Until it ends, a silenced problem is left out of the problem tables, the overall state, the immediate actions and the total of not-healthy pods; each namespace's row still counts it, and the trend still counts it as open.",
                "",
                "| Namespace | Pod | Status | Silenced problem | Reason | Owner | Until | Source |",
                "|---------|---------|------|---------|---------|---------|---------|---------|",
                "| pigo-dev | pigo-cron-77cc9c4d8c-tw2xb | Error | Pod is in Error state, containers not ready | vendor fix \\| pending | team-cron@example.com | 2026-01-01 | config kube-patrol.yaml:3 |",
                "",
                "### ⏰ Ending within 7 days (1)",
                "",
                "- **config kube-patrol.yaml:3**: until 2026-01-01, owner team-cron@example.com: vendor fix \\| pending (problem pods: 1)",
                "",
                "### ⌛ Ended: their problems are listed again (1)",
                "",
                "- **config kube-patrol.yaml:9**: ended 2025-12-20, owner team-cron@example.com: vendor fix \\| pending (problem pods: 1)",
                "",
                "### 🗑️ Unused config silences (1)",
                "",
                "- **config kube-patrol.yaml:14**: namespace gone-\\*; every problem; until 2026-02-01, owner team-cron@example.com: vendor fix \\| pending. It matches no problem pod: remove it once the problem is gone",
                "",
                "### ⚠️ Malformed silence annotations, ignored (1)",
                "",
                "- **annotation on Deployment/pigo-cron**: \"until=2026-01-15; owner=x\": missing reason: write \\`until=YYYY-MM-DD; owner=...; reason=...\\`",
            ]
        );
    }

    #[test]
    fn a_silenced_pod_leaves_the_problem_tables_and_its_namespace_says_how_many() {
        let report = seed_report(Lang::ZhTw, silences());
        let text = markdown(&report, &Catalog::builtin(Lang::ZhTw), &Style::default()).unwrap();
        let dev = section(&text, "### 1. pigo-dev");
        assert!(dev.contains(&"**🔕 已靜音**: 1".to_owned()), "{dev:#?}");
        assert!(
            !dev.iter().any(|l| l.contains("pigo-cron-77cc9c4d8c-tw2xb")),
            "{dev:#?}"
        );
        let problems = section(&text, "## 🚨");
        assert!(
            !problems.iter().any(|l| l.contains("pigo-cron")),
            "{problems:#?}"
        );
        assert!(
            problems.iter().any(|l| l.contains("prometheus-blackbox-exporter")
                && l.ends_with("🔕 靜音已於 2025-12-20 到期（負責人 team-cron@example.com） | 刪除舊 Pod 清理資源 |")),
            "{problems:#?}"
        );
        assert!(text.contains("\n🔕 有 1 個 Pod 的問題全部已靜音"));
        let subject = subject(
            &report,
            &Catalog::builtin(Lang::ZhTw),
            &Style::default(),
            None,
        );
        assert_eq!(
            subject.unwrap(),
            "[kube-patrol] PIGO Pod 健康巡檢 2025-12-26：🟡 需要關注（48 個 Pod，0 個需立即處理，1 個需關注） 🔕 1 個已靜音"
        );
    }

    #[test]
    fn without_any_silence_there_is_no_silenced_section() {
        let mut report = seed_report(Lang::En, vec![]);
        report.silences.clear();
        let text = markdown(&report, &Catalog::builtin(Lang::En), &Style::default()).unwrap();
        assert!(!text.contains("🔕"), "{text}");
    }
}
