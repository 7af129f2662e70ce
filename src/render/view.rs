//! What templates see: the report, the locale's words as `t`, and values arranged for people
//! (dates in the chosen zone, pods grouped per namespace, healthy tables folded).

mod silence;

use std::collections::HashMap;

use serde::Serialize;

use super::Style;
use history::HistoryView;

mod history;
use crate::locale::Catalog;
use crate::report::Action;
use crate::report::{Change, PodGrowth, ProblemChange, ProblemState, Trend, WorkloadGrowth};
use crate::report::{Health, NamespaceSummary, PodRow, Report, Severity};

#[derive(Serialize)]
pub struct View<'a> {
    #[serde(flatten)]
    report: ReportFields<'a>,
    t: &'a toml::Table,
    title: String,
    date: String,
    generated: String,
    next_date: String,
    next_after: String,
    scope: String,
    context: Option<&'a str>,
    sections: Vec<Section<'a>>,
    action_groups: Vec<ActionGroup<'a>>,
    /// Named apart from the report's own `trend`, which templates also see.
    since_last: Option<SinceLast<'a>>,
    /// A dump older than a day before the report's time.
    old_dump: Option<OldDump>,
    /// The history section: absent without an archive.
    history_view: Option<HistoryView<'a>>,
    /// The 🔕 section; absent when there is no silence.
    silence: Option<silence::SilenceView<'a>>,
    /// Set when the rendering is an email body shortened to fit ([`Fold`]).
    digest: Option<Fold>,
    /// Problem pods of `findings` left out by the fold.
    findings_more: usize,
    /// Immediate actions left out by the fold.
    actions_more: usize,
    /// Reasons of the overall state left out by the fold.
    reasons_more: usize,
    /// Namespaces whose pods are all healthy, folded into one summary row.
    namespaces_folded: Option<FoldedNamespaces>,
    /// Every namespace inspected, folded or not.
    namespaces_total: usize,
}

/// How much of the report a rendering keeps: everything for the report itself
/// (`Fold::default()`), less for an email body that must fit a mail client's limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Fold {
    /// Healthy rows per namespace in the details, instead of the style's.
    pub healthy_rows: Option<usize>,
    /// The per-namespace details are left to the attached full report.
    pub no_details: bool,
    /// At most this many rows in each list of problems: the problem pods, the reasons of the
    /// overall state and the trend's tables (most severe first).
    pub rows: Option<usize>,
    /// At most this many immediate actions (each is a block of commands).
    pub actions: Option<usize>,
    /// The summary table lists only namespaces with problem pods, at most this many (those
    /// with the most); every other namespace is summed up in one row.
    pub namespaces: Option<usize>,
}

impl Fold {
    /// `items` cut to the fold's rows, and how many were left out.
    pub(crate) fn cut<T>(self, items: &[T]) -> (&[T], usize) {
        let shown = self.rows.map_or(items.len(), |n| items.len().min(n));
        (&items[..shown], items.len() - shown)
    }
}

/// The summary table's row for the namespaces folded away.
#[derive(Serialize)]
struct FoldedNamespaces {
    count: usize,
    pods: usize,
    healthy: usize,
    not_healthy: usize,
    restarts: i64,
}

/// The title block's warning about an old dump.
#[derive(Serialize)]
struct OldDump {
    /// The dump's newest time stamp in the report's zone.
    newest: String,
    /// How long before the report's time, in words.
    behind: String,
    /// The `--now` value that shows the dump as it was.
    now_flag: String,
}

/// The report's fields as templates see them: all but `pods`, whose rows `sections` carries
/// (healthy ones folded). Handing a template every pod of a big cluster would copy them all
/// into the template engine's values.
#[derive(Serialize)]
struct ReportFields<'a> {
    schema_version: u32,
    generated_at: jiff::Timestamp,
    tool: &'a crate::report::Tool,
    source: &'a crate::model::Source,
    kubernetes_version: &'a Option<String>,
    dump_age: &'a Option<crate::report::DumpAge>,
    cluster: &'a str,
    lang: crate::locale::Lang,
    /// Its `overall_reasons` cut to the fold's rows.
    summary: std::borrow::Cow<'a, crate::report::Summary>,
    namespaces: Vec<&'a NamespaceSummary>,
    findings: &'a [crate::report::FindingRow],
    advice: &'a crate::report::Advice,
    statistics: &'a crate::report::Statistics,
    conclusions: &'a crate::report::Conclusions,
    missing: &'a [crate::model::Missing],
    partial: bool,
    criteria: &'a crate::report::Criteria,
    trend: &'a Option<Trend>,
    history: &'a [crate::report::HistoryPoint],
    silences: &'a [crate::report::SilenceEntry],
}

impl<'a> ReportFields<'a> {
    fn of(r: &'a Report, fold: Fold) -> Self {
        ReportFields {
            schema_version: r.schema_version,
            generated_at: r.generated_at,
            tool: &r.tool,
            source: &r.source,
            kubernetes_version: &r.kubernetes_version,
            dump_age: &r.dump_age,
            cluster: &r.cluster,
            lang: r.lang,
            summary: match fold.rows {
                Some(rows) if r.summary.overall_reasons.len() > rows => {
                    let mut summary = r.summary.clone();
                    summary.overall_reasons.truncate(rows);
                    std::borrow::Cow::Owned(summary)
                }
                _ => std::borrow::Cow::Borrowed(&r.summary),
            },
            namespaces: listed_namespaces(r, fold),
            findings: fold.cut(&r.findings).0,
            advice: &r.advice,
            statistics: &r.statistics,
            conclusions: &r.conclusions,
            missing: &r.missing,
            partial: r.partial,
            criteria: &r.criteria,
            trend: &r.trend,
            history: &r.history,
            silences: &r.silences,
        }
    }
}

/// One namespace's part of the details.
#[derive(Serialize)]
struct Section<'a> {
    name: &'a str,
    counts: &'a NamespaceSummary,
    /// Healthy pods, at most the configured number of rows.
    healthy: Vec<HealthyRow<'a>>,
    /// Healthy pods left out of the table.
    folded: usize,
    /// Unhealthy pods, then those needing attention; problem pods are never folded.
    problem_groups: Vec<ProblemGroup<'a>>,
}

/// A healthy pod as its table shows it: kubectl's cells, not the whole row. A big cluster has
/// thousands of them, and every key a template sees is copied into the template engine.
#[derive(Serialize)]
struct HealthyRow<'a> {
    namespace: &'a str,
    name: &'a str,
    ready: &'a str,
    status: &'a str,
    restarts: &'a str,
    age: &'a str,
    ip: &'a str,
    node: &'a str,
    nominated_node: &'a str,
    readiness_gates: &'a str,
    restart_count: i64,
}

impl<'a> HealthyRow<'a> {
    fn of(p: &'a PodRow) -> Self {
        HealthyRow {
            namespace: &p.namespace,
            name: &p.name,
            ready: &p.ready,
            status: &p.status,
            restarts: &p.restarts,
            age: &p.age,
            ip: &p.ip,
            node: &p.node,
            nominated_node: &p.nominated_node,
            readiness_gates: &p.readiness_gates,
            restart_count: p.restart_count,
        }
    }
}

#[derive(Serialize)]
struct ProblemGroup<'a> {
    /// The locale key of the heading (`unhealthy_list`, `attention_list`).
    heading: &'static str,
    pods: Vec<&'a PodRow>,
}

#[derive(Serialize)]
struct ActionGroup<'a> {
    heading: &'static str,
    actions: Vec<NumberedAction<'a>>,
}

#[derive(Serialize)]
struct NumberedAction<'a> {
    index: usize,
    #[serde(flatten)]
    action: &'a Action,
}

impl<'a> View<'a> {
    /// The whole report, as archived.
    pub fn new(report: &'a Report, catalog: &'a Catalog, style: &'a Style) -> Self {
        Self::folded(report, catalog, style, Fold::default())
    }

    /// The report shortened by `fold` (an email body); `Fold::default()` keeps everything.
    pub fn folded(report: &'a Report, catalog: &'a Catalog, style: &'a Style, fold: Fold) -> Self {
        let zoned = report.generated_at.to_zoned(style.timezone.clone());
        let next = zoned.timestamp() + style.next_inspection;
        let names: Vec<&str> = report.namespaces.iter().map(|n| n.name.as_str()).collect();
        // The style's 0 means "never fold"; the fold's 0 means "no row".
        let healthy_rows = fold
            .healthy_rows
            .unwrap_or(match style.healthy_rows_per_namespace {
                0 => usize::MAX,
                n => n,
            });
        let actions = &report.advice.immediate;
        let shown = fold.actions.map_or(actions.len(), |n| actions.len().min(n));
        let (immediate, actions_more) = (&actions[..shown], actions.len() - shown);
        View {
            report: ReportFields::of(report, fold),
            t: &catalog.tree,
            title: catalog.text("report.title", &[("cluster", &report.cluster)]),
            date: zoned.strftime("%Y-%m-%d").to_string(),
            generated: zoned.strftime("%Y-%m-%d %H:%M %Z").to_string(),
            next_date: next
                .to_zoned(style.timezone.clone())
                .strftime("%Y-%m-%d")
                .to_string(),
            next_after: catalog.duration(style.next_inspection.as_secs()),
            scope: scope(&names, fold, catalog),
            context: style.context.as_deref(),
            sections: if fold.no_details {
                Vec::new()
            } else {
                sections(report, healthy_rows)
            },
            action_groups: action_groups(immediate),
            old_dump: report.dump_age.as_ref().filter(|a| a.old).map(|a| OldDump {
                newest: a
                    .newest
                    .to_zoned(style.timezone.clone())
                    .strftime("%Y-%m-%d %H:%M %Z")
                    .to_string(),
                behind: catalog.duration(a.behind_seconds),
                now_flag: a.newest.to_string(),
            }),
            since_last: report
                .trend
                .as_ref()
                .map(|trend| SinceLast::new(trend, style, catalog, fold)),
            history_view: HistoryView::new(report, style, catalog),
            digest: (fold != Fold::default()).then_some(fold),
            findings_more: fold.cut(&report.findings).1,
            actions_more,
            reasons_more: fold.cut(&report.summary.overall_reasons).1,
            namespaces_folded: folded_namespaces(report, fold),
            namespaces_total: report.namespaces.len(),
            silence: silence::SilenceView::of(report, catalog, fold),
        }
    }
}

/// The title block's namespaces: all of them, or in a shortened email the first few and how
/// many there are.
fn scope(names: &[&str], fold: Fold, t: &Catalog) -> String {
    const SHOWN: usize = 10;
    if fold == Fold::default() || names.len() <= SHOWN {
        return names.join(", ");
    }
    let total = names.len().to_string();
    let first = names[..SHOWN].join(", ");
    t.text("email.scope", &[("first", &first), ("count", &total)])
}

/// The summary table's namespaces under `fold`, in the report's order.
fn listed_namespaces(report: &Report, fold: Fold) -> Vec<&NamespaceSummary> {
    let Some(limit) = fold.namespaces else {
        return report.namespaces.iter().collect();
    };
    let mut troubled: Vec<(usize, &NamespaceSummary)> = report
        .namespaces
        .iter()
        .enumerate()
        .filter(|(_, n)| n.not_healthy > 0)
        .collect();
    troubled.sort_by_key(|(i, n)| (std::cmp::Reverse(n.not_healthy), *i));
    troubled.truncate(limit);
    troubled.sort_by_key(|(i, _)| *i);
    troubled.into_iter().map(|(_, n)| n).collect()
}

/// The one row summing up the namespaces `fold` leaves out of the summary table.
fn folded_namespaces(report: &Report, fold: Fold) -> Option<FoldedNamespaces> {
    fold.namespaces?;
    let listed: std::collections::HashSet<&str> = listed_namespaces(report, fold)
        .into_iter()
        .map(|n| n.name.as_str())
        .collect();
    let others: Vec<&NamespaceSummary> = report
        .namespaces
        .iter()
        .filter(|n| !listed.contains(n.name.as_str()))
        .collect();
    (!others.is_empty()).then(|| FoldedNamespaces {
        count: others.len(),
        pods: others.iter().map(|n| n.counts.pods).sum(),
        healthy: others.iter().map(|n| n.counts.healthy).sum(),
        not_healthy: others.iter().map(|n| n.not_healthy).sum(),
        restarts: others.iter().map(|n| n.counts.restarts).sum(),
    })
}

/// Rows of restart growth shown besides the abnormal ones, which are always shown.
const GROWTH_ROWS: usize = 10;

/// The trend arranged for the "since the last report" section.
#[derive(Serialize)]
struct SinceLast<'a> {
    /// The previous report's time, in the report's zone.
    previous: String,
    new_problems: Vec<ProblemRow<'a>>,
    resolved: Vec<ProblemRow<'a>>,
    still_open: Vec<ProblemRow<'a>>,
    /// Rows of the three tables above left out by the fold.
    new_problems_more: usize,
    resolved_more: usize,
    still_open_more: usize,
    pods: Vec<&'a PodGrowth>,
    /// Pods whose restarts grew a little, left out of the table.
    pods_folded: usize,
    workloads: Vec<&'a WorkloadGrowth>,
    workloads_folded: usize,
    /// Namespaces added, removed or whose pod count changed.
    namespaces: Vec<NamespaceDelta<'a>>,
}

/// A problem of the trend, its cells written out.
#[derive(Serialize)]
struct ProblemRow<'a> {
    namespace: &'a str,
    /// `Deployment/game-api`, or `Pod/name` for a bare pod.
    subject: String,
    /// The kind of problem in the report's language.
    problem: String,
    reports_open: u32,
    severity: Option<Severity>,
    /// `game-api-5f4-abcde (CrashLoopBackOff)`, comma-separated; empty when none.
    pods_before: String,
    pods_now: String,
}

impl<'a> ProblemRow<'a> {
    fn new(c: &'a ProblemChange, t: &Catalog) -> Self {
        let pods = |state: Option<&ProblemState>| {
            state.map_or_else(String::new, |s| {
                let cells: Vec<String> = s
                    .pods
                    .iter()
                    .map(|p| format!("{} ({})", p.name, p.status))
                    .collect();
                cells.join(", ")
            })
        };
        ProblemRow {
            namespace: &c.namespace,
            subject: format!("{}/{}", c.subject.kind, c.subject.name),
            problem: t.problem_kind(&c.problem),
            reports_open: c.reports_open,
            severity: c
                .now
                .as_ref()
                .or(c.before.as_ref())
                .and_then(|s| s.severity),
            pods_before: pods(c.before.as_ref()),
            pods_now: pods(c.now.as_ref()),
        }
    }
}

#[derive(Serialize)]
struct NamespaceDelta<'a> {
    name: &'a str,
    change: Change,
    before: Option<usize>,
    now: Option<usize>,
    /// `+2`, `-3`.
    delta: String,
}

impl<'a> SinceLast<'a> {
    fn new(trend: &'a Trend, style: &Style, t: &Catalog, fold: Fold) -> Self {
        let previous = trend
            .previous_generated_at
            .to_zoned(style.timezone.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string();
        let (pods, pods_folded) = growth_rows(&trend.restart_growth.pods, |g| g.abnormal, fold);
        let (workloads, workloads_folded) =
            growth_rows(&trend.restart_growth.workloads, |g| g.abnormal, fold);
        let namespaces = trend
            .namespace_changes
            .iter()
            .filter(|n| n.change != Change::Unchanged)
            .map(|n| {
                let delta = n.pods_now.unwrap_or(0) as i64 - n.pods_before.unwrap_or(0) as i64;
                NamespaceDelta {
                    name: &n.name,
                    change: n.change,
                    before: n.pods_before,
                    now: n.pods_now,
                    delta: format!("{delta:+}"),
                }
            })
            .collect();
        let rows = |changes: &'a [ProblemChange]| {
            let (shown, more) = fold.cut(changes);
            (shown.iter().map(|c| ProblemRow::new(c, t)).collect(), more)
        };
        let (new_problems, new_problems_more) = rows(&trend.new_problems);
        let (resolved, resolved_more) = rows(&trend.resolved);
        let (still_open, still_open_more) = rows(&trend.still_open);
        SinceLast {
            previous,
            new_problems,
            resolved,
            still_open,
            new_problems_more,
            resolved_more,
            still_open_more,
            pods,
            pods_folded,
            workloads,
            workloads_folded,
            namespaces,
        }
    }
}

/// Every abnormal row, and the first others up to [`GROWTH_ROWS`], at most the fold's rows;
/// the count left out.
fn growth_rows<T>(rows: &[T], abnormal: impl Fn(&T) -> bool, fold: Fold) -> (Vec<&T>, usize) {
    let mut others = 0;
    let shown: Vec<&T> = rows
        .iter()
        .filter(|row| {
            if abnormal(row) {
                return true;
            }
            others += 1;
            others <= GROWTH_ROWS
        })
        .collect();
    let shown = fold.cut(&shown).0.to_vec();
    let folded = rows.len() - shown.len();
    (shown, folded)
}

/// Each namespace's details, with at most `healthy_rows` rows of healthy pods.
fn sections(report: &Report, healthy_rows: usize) -> Vec<Section<'_>> {
    let mut by_namespace: HashMap<&str, Vec<&PodRow>> = HashMap::new();
    for p in &report.pods {
        by_namespace.entry(&p.namespace).or_default().push(p);
    }
    report
        .namespaces
        .iter()
        .map(|ns| {
            let pods = by_namespace.remove(ns.name.as_str()).unwrap_or_default();
            let of = |h: Health| pods.iter().copied().filter(move |p| p.health == h);
            // A pod whose every problem is silenced is in the 🔕 section only; one with some
            // open problems is listed by them.
            let open = |h: Health| {
                let shown = move |p: &&PodRow| !p.is_silenced() && p.open_health() == h;
                pods.iter().copied().filter(shown)
            };
            let healthy_total = of(Health::Healthy).count();
            let shown = healthy_total.min(healthy_rows);
            let groups = [
                ("unhealthy_list", Health::Unhealthy),
                ("attention_list", Health::Attention),
            ]
            .into_iter()
            .map(|(heading, h)| ProblemGroup {
                heading,
                pods: open(h).collect(),
            })
            .filter(|g| !g.pods.is_empty())
            .collect();
            Section {
                name: &ns.name,
                counts: ns,
                healthy: of(Health::Healthy)
                    .take(shown)
                    .map(HealthyRow::of)
                    .collect(),
                folded: healthy_total - shown,
                problem_groups: groups,
            }
        })
        .collect()
}

/// High then medium priority, numbered through as the seed numbers them.
fn action_groups(actions: &[Action]) -> Vec<ActionGroup<'_>> {
    let mut index = 0;
    [
        ("high_priority", Severity::High),
        ("medium_priority", Severity::Medium),
    ]
    .into_iter()
    .map(|(heading, priority)| ActionGroup {
        heading,
        actions: actions
            .iter()
            .filter(|a| a.priority == priority)
            .map(|action| {
                index += 1;
                NumberedAction { index, action }
            })
            .collect(),
    })
    .filter(|g| !g.actions.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of one pod, with every optional part present.
    fn full_report() -> Report {
        let text = include_str!("../../tests/snapshots/json_contract__seed_report_json_zh_tw.snap");
        let json = text.splitn(3, "---").nth(2).expect("the snapshot's body");
        let mut report: Report = serde_json::from_str(json).expect("the seed's JSON reads back");
        report.trend = Some(Trend {
            previous_generated_at: report.generated_at,
            new_problems: vec![],
            resolved: vec![],
            still_open: vec![],
            restart_growth: Default::default(),
            namespace_changes: vec![],
        });
        report
    }

    #[test]
    fn templates_see_every_key_of_the_report_but_the_pods() {
        let report = full_report();
        let catalog = Catalog::builtin(report.lang);
        let style = Style::default();
        let view = serde_json::to_value(View::new(&report, &catalog, &style)).unwrap();
        let report_json = serde_json::to_value(&report).unwrap();
        for key in report_json.as_object().unwrap().keys() {
            assert_eq!(view.get(key).is_some(), key != "pods", "{key}");
        }
    }
}
