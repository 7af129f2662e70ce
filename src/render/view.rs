//! What templates see: the report, the locale's words as `t`, and values arranged for people
//! (dates in the chosen zone, pods grouped per namespace, healthy tables folded).

use jiff::Timestamp;
use serde::Serialize;

use super::Style;
use crate::analyze::advice::Action;
use crate::analyze::health::Severity;
use crate::locale::Catalog;
use crate::report::{Health, NamespaceSummary, PodRow, Report};

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
        let at = report.generated_at.parse::<Timestamp>().unwrap_or_default();
        let zoned = at.to_zoned(style.timezone.clone());
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
        }
    }
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
