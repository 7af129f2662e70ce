//! Pure analysis: from a [`Snapshot`] and the reference time to a [`Report`].
//!
//! Per pod: kubectl's columns ([`columns`]), the health rules ([`health`]), and for problem pods
//! the owner chain ([`owners`]), the evidence ([`evidence`]), the advice ([`advice`]) and the
//! sentences of the analysis ([`narrative`]). Over all pods: [`statistics`] and the overall
//! state with its conclusions ([`overall`]).

pub mod advice;
pub mod columns;
pub mod context;
pub mod dump_age;
pub mod duration;
pub mod evidence;
pub mod health;
pub mod history;
pub mod judge;
pub mod narrative;
pub mod overall;
pub mod owners;
pub mod pod;
pub mod silence;
pub mod statistics;
pub mod trend;

use std::collections::HashMap;

use crate::model::Pod;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use columns::KubernetesVersion;
use context::Context;
pub use health::Rules;
pub use judge::{Judged, Judgement, judge};
use statistics::{NodeFacts, PodFacts, StatisticsConfig};

use crate::locale::Catalog;
use crate::model::{Missing, Snapshot};
use crate::report::{
    Advice, Counts, Criteria, FindingRow, Health, NamespaceSummary, OwnerInfo, PodRow, Problem,
    Replacement, Report, Severity, Summary, Tool,
};

/// What the analysis needs besides the snapshot.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The reference time for ages and durations.
    pub now: Timestamp,
    /// The cluster's display name for the title block.
    pub cluster: String,
    pub rules: Rules,
    /// The overall state is 🔴 when unhealthy pods exceed this share of all pods (0..1).
    pub unhealthy_share: f64,
    /// Events shown per problem pod.
    pub events_per_pod: usize,
    pub statistics: StatisticsConfig,
    /// The words of the report's language.
    pub catalog: Catalog,
    /// The zone that dates in sentences are written in.
    pub timezone: TimeZone,
    /// The release whose `kubectl get pods` rules print STATUS (the server's, for a cluster).
    pub kubernetes_version: KubernetesVersion,
    /// The config's silences and `silence_max`.
    pub silences: silence::SilenceSettings,
}

impl Settings {
    /// Defaults (the seed's criteria) for a reference time, a cluster name and a language.
    pub fn new(now: Timestamp, cluster: String, catalog: Catalog) -> Self {
        Settings {
            now,
            cluster,
            rules: Rules::default(),
            unhealthy_share: 0.2,
            events_per_pod: 10,
            statistics: StatisticsConfig::default(),
            catalog,
            timezone: TimeZone::UTC,
            kubernetes_version: KubernetesVersion::NEWEST,
            silences: silence::SilenceSettings::default(),
        }
    }
}

/// Builds the report of a snapshot from its pods' judgement ([`judge()`]), once the evidence
/// of the problem pods is in the snapshot. Each pod's judgement is turned into its row and
/// dropped.
pub fn analyze(snapshot: &Snapshot, judgement: Judgement, settings: &Settings) -> Report {
    let Judgement { pods, context } = judgement;
    let mut silencer = silence::Silencer::new(
        &settings.silences,
        settings.now,
        &settings.timezone,
        &snapshot.workloads,
    );
    let analyzed: Vec<Analyzed> = pods
        .into_iter()
        .map(|judged| analyze_pod(judged, snapshot, &context, settings, &mut silencer))
        .collect();
    let silences = silencer.finish();
    let mut total = Counts::default();
    analyzed.iter().for_each(|a| total.add_open(&a.row));
    let statistics = statistics::statistics(
        &pod_facts(&analyzed, settings.now),
        node_facts(snapshot).as_deref(),
        &settings.statistics,
    );
    let overall = overall::overall(&analyzed_rows(&analyzed), &total, settings);
    let mut immediate: Vec<_> = analyzed
        .iter()
        .filter_map(|a| a.action.as_deref().cloned())
        .collect();
    immediate.sort_by_key(|a| std::cmp::Reverse(a.priority));
    let findings = finding_rows(&analyzed, &settings.catalog);
    let rows: Vec<PodRow> = analyzed.into_iter().map(|a| a.row).collect();
    let conclusions = overall::conclusions(&statistics, &rows, &settings.catalog);
    let long_term = overall::long_term(&rows, &statistics, &settings.catalog);
    Report {
        schema_version: crate::report::SCHEMA_VERSION,
        generated_at: settings.now,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        source: snapshot.source.clone(),
        kubernetes_version: snapshot.server_version.clone(),
        dump_age: dump_age::dump_age(&snapshot.source, context.newest_time, settings.now),
        cluster: settings.cluster.clone(),
        lang: settings.catalog.lang,
        summary: Summary {
            not_healthy: total.not_healthy(),
            overall: overall.health,
            overall_reasons: overall.reasons,
            counts: total,
        },
        namespaces: namespace_summaries(&snapshot.namespaces, &rows),
        pods: rows,
        findings,
        advice: Advice {
            immediate,
            long_term,
        },
        statistics,
        conclusions,
        partial: is_partial(snapshot),
        missing: snapshot
            .missing
            .iter()
            .map(|m| Missing {
                reason: narrative::missing_reason(&m.reason, &settings.catalog),
                ..m.clone()
            })
            .collect(),
        criteria: criteria(settings),
        trend: None,
        history: Vec::new(),
        silences,
    }
}

/// Judges and reports a snapshot in one go: for a snapshot whose evidence is already in it (or
/// not needed), as tests and a saved snapshot have. The snapshot is left as it was.
pub fn report_of(snapshot: &Snapshot, settings: &Settings) -> Report {
    let mut snapshot = snapshot.clone();
    let judgement = judge(&mut snapshot, settings);
    analyze(&snapshot, judgement, settings)
}

/// Adds the comparison with the previous report: the trend section, and its findings to the
/// conclusions' issues.
pub fn with_trend(report: &mut Report, trend: crate::report::Trend, catalog: &Catalog) {
    report
        .conclusions
        .issues
        .extend(narrative::trend_issues(&trend, catalog));
    report.trend = Some(trend);
}

/// One pod's row with what the report-wide parts need.
struct Analyzed {
    row: PodRow,
    workload: Option<String>,
    all_ready: bool,
    created: Option<Timestamp>,
    node: Option<crate::model::Str>,
    /// Boxed: most pods have none.
    action: Option<Box<crate::report::Action>>,
}

fn analyze_pod(
    judged: Judged,
    snapshot: &Snapshot,
    context: &Context,
    settings: &Settings,
    silencer: &mut silence::Silencer,
) -> Analyzed {
    let t = &settings.catalog;
    let Judged {
        cols,
        namespace,
        chain,
        selector,
        created,
        node,
        assessment,
        pod,
    } = judged;
    let workload = chain.last().map(|o| format!("{}/{}", o.kind, o.name));
    let all_ready = cols.total_containers > 0 && cols.ready_containers == cols.total_containers;
    let problems: Vec<Problem> = assessment
        .findings
        .iter()
        .map(|f| narrative::problem(f, t, &settings.timezone))
        .collect();
    let owner = (!chain.is_empty()).then(|| OwnerInfo {
        chain: chain.clone(),
        workload: chain.last().cloned(),
        selector,
        replacement: None,
    });
    let mut row = PodRow {
        namespace,
        name: cols.name,
        ready: cols.ready,
        status: cols.status,
        restarts: cols.restarts,
        age: cols.age,
        ip: cols.ip,
        node: cols.node,
        nominated_node: cols.nominated_node,
        readiness_gates: cols.readiness_gates,
        restart_count: cols.restart_count,
        health: assessment.health,
        severity: assessment.severity(),
        description: problems.first().map(|p| p.message.clone()),
        problems,
        silenced: None,
        silence_expired: None,
        owner,
        evidence: None,
        analysis: Vec::new(),
    };
    let action = pod.and_then(|pod| {
        let problem = ProblemPod {
            pod: &pod,
            chain: &chain,
            assessment,
        };
        problem_pod(problem, &mut row, snapshot, context, settings, silencer)
    });
    Analyzed {
        row,
        workload,
        all_ready,
        created,
        node,
        action: action.map(Box::new),
    }
}

/// A problem pod as judged: the pod, its owner chain and its assessment.
struct ProblemPod<'p> {
    pod: &'p Pod,
    chain: &'p [owners::Owner],
    assessment: health::Assessment,
}

/// What a problem pod's row gets besides its cells: its silences, replacement, evidence and
/// analysis; and its advice, from the problems no silence covers.
fn problem_pod(
    problem: ProblemPod,
    row: &mut PodRow,
    snapshot: &Snapshot,
    context: &Context,
    settings: &Settings,
    silencer: &mut silence::Silencer,
) -> Option<crate::report::Action> {
    let ProblemPod {
        pod,
        chain,
        assessment,
    } = problem;
    let t = &settings.catalog;
    let codes: Vec<_> = assessment.findings.iter().map(|f| f.code).collect();
    let verdict = silencer.judge(pod, chain, &codes);
    if let Some(owner) = row.owner.as_mut() {
        owner.replacement = replacement(pod, chain, snapshot, context, settings.now);
    }
    let evidence = evidence::evidence(
        pod,
        snapshot,
        context,
        settings.now,
        settings.events_per_pod,
    );
    let open = silence::open_assessment(assessment, verdict.silenced.as_ref());
    let action = (!open.findings.is_empty())
        .then(|| problem_action(pod, row, chain, row.owner.as_ref(), &open, &evidence, t))
        .flatten();
    row.analysis = narrative::analysis(
        &row.status,
        &evidence,
        row.owner.as_ref(),
        action.as_ref(),
        &row.problems,
        t,
    );
    row.evidence = Some(Box::new(evidence));
    silence::mark(row, verdict, t);
    action
}

/// The advice for a problem pod: what to run, on which container.
fn problem_action(
    pod: &Pod,
    row: &PodRow,
    chain: &[owners::Owner],
    owner: Option<&OwnerInfo>,
    assessment: &health::Assessment,
    evidence: &crate::report::Evidence,
    t: &Catalog,
) -> Option<crate::report::Action> {
    let container = assessment
        .findings
        .first()
        .and_then(advice::container_of)
        .or_else(|| {
            let unready = evidence.containers.iter().find(|c| !c.ready && !c.init)?;
            Some(unready.name.clone())
        });
    advice::action(
        &advice::Subject {
            namespace: &row.namespace,
            pod: &row.name,
            status: &row.status,
            findings: &assessment.findings,
            chain,
            selector: owner.and_then(|o| o.selector.as_deref()),
            container: container.as_deref(),
            container_restarted: container.as_deref().is_some_and(|name| {
                pod::containers(pod).any(|c| c.name() == name && c.restarted())
            }),
        },
        t,
    )
}

/// For an ended pod of an old ReplicaSet, the current ReplicaSet's pod that replaced it.
fn replacement(
    pod: &Pod,
    chain: &[owners::Owner],
    snapshot: &Snapshot,
    context: &Context,
    now: Timestamp,
) -> Option<Replacement> {
    let found = owners::replacement(pod, chain, &snapshot.workloads, context)?;
    let elapsed = now.duration_since(found.created?);
    Some(Replacement {
        name: found.name.to_string(),
        age: duration::human_duration(elapsed),
        age_seconds: elapsed.as_secs(),
    })
}

fn analyzed_rows(analyzed: &[Analyzed]) -> Vec<overall::PodState<'_>> {
    analyzed
        .iter()
        .map(|a| overall::PodState {
            namespace: &a.row.namespace,
            workload: a.workload.as_deref(),
            ready: a.all_ready,
            health: a.row.open_health(),
        })
        .collect()
}

fn pod_facts(analyzed: &[Analyzed], now: Timestamp) -> Vec<PodFacts<'_>> {
    analyzed
        .iter()
        .map(|a| PodFacts {
            namespace: &a.row.namespace,
            name: &a.row.name,
            status: &a.row.status,
            restart_count: a.row.restart_count,
            age: a.created.map(|c| now.duration_since(c)),
            node: a.node.as_deref(),
            workload: a.workload.as_deref(),
            ready: a.all_ready,
            healthy: a.row.health == Health::Healthy,
            ask: ask(&a.row),
        })
        .collect()
}

/// What a pod asks of its team, by its most severe open problem: low-severity notes ask
/// nothing, leftovers a clean-up, the rest a fix; a silenced problem asks nothing (yet).
fn ask(row: &PodRow) -> statistics::Ask {
    use crate::report::ProblemCode::{FailedAttempt, LeftoverCompleted, ShutdownLeftover};
    match row.open_problems().next() {
        None => statistics::Ask::Nothing,
        Some(p) if p.severity == Severity::Low => statistics::Ask::Nothing,
        Some(p) if matches!(p.code, LeftoverCompleted | ShutdownLeftover | FailedAttempt) => {
            statistics::Ask::CleanUp
        }
        Some(_) => statistics::Ask::Fix,
    }
}

/// Node facts, when nodes could be read.
fn node_facts(snapshot: &Snapshot) -> Option<Vec<NodeFacts<'_>>> {
    if snapshot.nodes.is_empty() {
        return None;
    }
    Some(snapshot.nodes.iter().map(overall::node_facts).collect())
}

/// The 問題 Pod 匯總表: pods with an open problem above low severity (or unhealthy), by
/// their open problems.
fn finding_rows(analyzed: &[Analyzed], t: &Catalog) -> Vec<FindingRow> {
    let mut rows: Vec<FindingRow> = analyzed
        .iter()
        .filter_map(|a| {
            let top = a.row.open_problems().next()?;
            let severity = top.severity;
            let shown = severity > Severity::Low || a.row.open_health() == Health::Unhealthy;
            shown.then(|| FindingRow {
                namespace: a.row.namespace.to_string(),
                pod: a.row.name.to_string(),
                status: a.row.status.to_string(),
                severity,
                description: narrative::summary_description(&a.row, top, t),
                action: a
                    .action
                    .as_ref()
                    .map(|x| x.short.clone())
                    .unwrap_or_default(),
            })
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.severity));
    rows
}

fn namespace_summaries(names: &[String], pods: &[PodRow]) -> Vec<NamespaceSummary> {
    let mut by_namespace: HashMap<&str, Counts> = HashMap::new();
    for p in pods {
        by_namespace.entry(&p.namespace).or_default().add(p);
    }
    names
        .iter()
        .map(|name| {
            let counts = by_namespace.remove(name.as_str()).unwrap_or_default();
            NamespaceSummary {
                name: name.clone(),
                not_healthy: counts.not_healthy(),
                counts,
            }
        })
        .collect()
}

/// Whether evidence the account should have read is missing. A dump never has logs: that is
/// said in the report, but does not make it partial.
fn is_partial(snapshot: &Snapshot) -> bool {
    let dump = matches!(snapshot.source, crate::model::Source::Dump { .. });
    snapshot.missing.iter().any(|m| !(dump && m.what == "logs"))
}

fn criteria(settings: &Settings) -> Criteria {
    let r = &settings.rules;
    Criteria {
        restarts_attention: r.restarts_attention,
        restarts_unhealthy: r.restarts_unhealthy,
        pending_grace: duration::human_duration(r.pending_grace),
        not_ready_grace: duration::human_duration(r.not_ready_grace),
        terminating_grace: duration::human_duration(r.terminating_grace),
        restart_window: duration::human_duration(r.restart_window),
        unhealthy_share_percent: format!("{:.0}", settings.unhealthy_share * 100.0),
    }
}
