//! What templates see: the report, the locale's words as `t`, and values arranged for people
//! (dates in the chosen zone, pods grouped per namespace, healthy tables folded).

use serde::Serialize;

use super::Style;
use crate::locale::Catalog;
use crate::report::Action;
use crate::report::{Change, PodGrowth, ProblemChange, ProblemState, Trend, WorkloadGrowth};
use crate::report::{Health, NamespaceSummary, PodRow, Report, Severity};

#[derive(Serialize)]
pub struct View<'a> {
    #[serde(flatten)]
    report: &'a Report,
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

/// One namespace's part of the details.
#[derive(Serialize)]
struct Section<'a> {
    name: &'a str,
    counts: &'a NamespaceSummary,
    /// Healthy pods, at most the configured number of rows.
    healthy: Vec<&'a PodRow>,
    /// Healthy pods left out of the table.
    folded: usize,
    /// Unhealthy pods, then those needing attention; problem pods are never folded.
    problem_groups: Vec<ProblemGroup<'a>>,
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
    pub fn new(report: &'a Report, catalog: &'a Catalog, style: &'a Style) -> Self {
        let zoned = report.generated_at.to_zoned(style.timezone.clone());
        let next = zoned.timestamp() + style.next_inspection;
        let names: Vec<&str> = report.namespaces.iter().map(|n| n.name.as_str()).collect();
        View {
            report,
            t: &catalog.tree,
            title: catalog.text("report.title", &[("cluster", &report.cluster)]),
            date: zoned.strftime("%Y-%m-%d").to_string(),
            generated: zoned.strftime("%Y-%m-%d %H:%M %Z").to_string(),
            next_date: next
                .to_zoned(style.timezone.clone())
                .strftime("%Y-%m-%d")
                .to_string(),
            next_after: catalog.duration(style.next_inspection.as_secs()),
            scope: names.join(", "),
            context: style.context.as_deref(),
            sections: sections(report, style.healthy_rows_per_namespace),
            action_groups: action_groups(&report.advice.immediate),
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
                .map(|trend| SinceLast::new(trend, style, catalog)),
        }
    }
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
    fn new(trend: &'a Trend, style: &Style, t: &Catalog) -> Self {
        let previous = trend
            .previous_generated_at
            .to_zoned(style.timezone.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string();
        let (pods, pods_folded) = growth_rows(&trend.restart_growth.pods, |g| g.abnormal);
        let (workloads, workloads_folded) =
            growth_rows(&trend.restart_growth.workloads, |g| g.abnormal);
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
        let rows =
            |changes: &'a [ProblemChange]| changes.iter().map(|c| ProblemRow::new(c, t)).collect();
        SinceLast {
            previous,
            new_problems: rows(&trend.new_problems),
            resolved: rows(&trend.resolved),
            still_open: rows(&trend.still_open),
            pods,
            pods_folded,
            workloads,
            workloads_folded,
            namespaces,
        }
    }
}

/// Every abnormal row, and the first others up to [`GROWTH_ROWS`]; the count left out.
fn growth_rows<T>(rows: &[T], abnormal: impl Fn(&T) -> bool) -> (Vec<&T>, usize) {
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
    let folded = rows.len() - shown.len();
    (shown, folded)
}

fn sections(report: &Report, fold_after: usize) -> Vec<Section<'_>> {
    report
        .namespaces
        .iter()
        .map(|ns| {
            let pods = report.pods.iter().filter(|p| p.namespace == ns.name);
            let of = |h: Health| pods.clone().filter(move |p| p.health == h);
            let healthy_total = of(Health::Healthy).count();
            let shown = if fold_after == 0 {
                healthy_total
            } else {
                healthy_total.min(fold_after)
            };
            let groups = [
                ("unhealthy_list", Health::Unhealthy),
                ("attention_list", Health::Attention),
            ]
            .into_iter()
            .map(|(heading, h)| ProblemGroup {
                heading,
                pods: of(h).collect(),
            })
            .filter(|g| !g.pods.is_empty())
            .collect();
            Section {
                name: &ns.name,
                counts: ns,
                healthy: of(Health::Healthy).take(shown).collect(),
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
