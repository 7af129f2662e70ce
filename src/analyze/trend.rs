//! The trend: what changed since the previous archived report — problems that are new,
//! resolved or still open (and for how many reports in a row), restarts that grew per pod and
//! per workload, and namespaces whose pod count changed.
//!
//! Pure: the previous report's JSON (the archive's newest `.json`) and the current [`Report`].
//! The previous JSON is read leniently, only the keys used here, so a report of an older
//! version still compares; one that is not a kube-patrol report is a [`TrendError`], and the
//! caller then makes the report without a trend (a warning, never a failure).
//!
//! The trend is carried in the report's JSON (`trend`), so the next run reads how long each
//! problem has been open from `trend.new_problems[]` and `trend.still_open[]`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::health::Severity;
use crate::report::{Health, PodRow, Report};

#[cfg(test)]
mod tests;

/// Thresholds of the trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendSettings {
    /// Restarts gained since the previous report from which the growth is abnormal.
    pub restart_growth_abnormal: i64,
}

impl Default for TrendSettings {
    /// Five restarts per report interval: the attention threshold, gained in one week.
    fn default() -> Self {
        TrendSettings {
            restart_growth_abnormal: 5,
        }
    }
}

/// What changed since the previous report: the `trend` key of the JSON report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The previous report's reference time, as it wrote it.
    pub previous_generated_at: String,
    /// Pods not healthy now that were healthy or absent before.
    pub new_problems: Vec<PodChange>,
    /// Pods not healthy before that are healthy now or gone (from a namespace still inspected).
    pub resolved: Vec<PodChange>,
    /// Pods not healthy before and now.
    pub still_open: Vec<PodChange>,
    pub restart_growth: RestartGrowth,
    /// Every namespace of either report: pods before and now.
    pub namespace_changes: Vec<NamespaceChange>,
}

/// A pod whose problem appeared, stayed or went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodChange {
    pub namespace: String,
    pub name: String,
    /// Consecutive reports in which the pod was not healthy, this one included for a new (1) or
    /// still open problem; for a resolved one, how many it had been open.
    pub reports_open: u32,
    /// Its state in the previous report; absent when it was not there.
    pub before: Option<PodState>,
    /// Its state now; absent when it is gone.
    pub now: Option<PodState>,
}

/// A pod's state in one report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodState {
    /// kubectl's STATUS.
    pub status: String,
    pub health: Health,
    pub severity: Option<Severity>,
    /// The problem codes, most severe first.
    pub codes: Vec<String>,
    pub restart_count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RestartGrowth {
    /// Pods (same namespace and name in both reports) whose RESTARTS grew, most growth first.
    pub pods: Vec<PodGrowth>,
    /// Workloads whose pods' RESTARTS add up to more than before, most growth first. Pods of a
    /// Deployment get new names on a rollout; their workload still compares.
    pub workloads: Vec<WorkloadGrowth>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodGrowth {
    pub namespace: String,
    pub name: String,
    pub before: i64,
    pub now: i64,
    pub growth: i64,
    /// The growth reached the threshold, or the count more than doubled.
    pub abnormal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadGrowth {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub pods_before: usize,
    pub pods_now: usize,
    /// The sum of its pods' RESTARTS.
    pub before: i64,
    pub now: i64,
    pub growth: i64,
    pub abnormal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespaceChange {
    pub name: String,
    pub change: Change,
    /// Absent for an added namespace.
    pub pods_before: Option<usize>,
    /// Absent for a removed namespace.
    pub pods_now: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// Why there is no trend; the report is made without one.
#[derive(Debug, thiserror::Error)]
pub enum TrendError {
    #[error("the previous report is not valid JSON")]
    Corrupt(#[source] serde_json::Error),
    #[error("the previous report is not a kube-patrol JSON report")]
    Unrecognized(#[source] serde_json::Error),
}

/// The previous report's text as JSON.
///
/// # Errors
///
/// [`TrendError::Corrupt`] when it is not JSON (a truncated file, another format).
pub fn parse_previous(text: &str) -> Result<Value, TrendError> {
    serde_json::from_str(text).map_err(TrendError::Corrupt)
}

/// What changed between the previous report's JSON and the current report.
///
/// # Errors
///
/// [`TrendError::Unrecognized`] when the JSON lacks `generated_at` or `pods[]` with each pod's
/// `namespace`, `name` and `health`, or has them of another type.
pub fn trend(
    previous: &Value,
    current: &Report,
    settings: &TrendSettings,
) -> Result<Trend, TrendError> {
    let previous = Previous::deserialize(previous).map_err(TrendError::Unrecognized)?;
    let open_before = open_counts(previous.trend.as_ref());
    let before: Vec<PodFacts> = previous.pods.iter().map(PodFacts::previous).collect();
    let now: Vec<PodFacts> = current.pods.iter().map(PodFacts::current).collect();
    let inspected: HashSet<&str> = current.namespaces.iter().map(|n| n.name.as_str()).collect();
    let (new_problems, still_open) = open_now(&before, &now, &open_before);
    let current_namespaces: Vec<(String, usize)> = current
        .namespaces
        .iter()
        .map(|n| (n.name.clone(), n.counts.pods))
        .collect();
    Ok(Trend {
        new_problems,
        still_open,
        resolved: resolved(&before, &now, &inspected, &open_before),
        restart_growth: RestartGrowth {
            pods: pod_growth(&before, &now, settings),
            workloads: workload_growth(&before, &now, settings),
        },
        namespace_changes: namespace_changes(&previous.namespace_counts(), &current_namespaces),
        previous_generated_at: previous.generated_at,
    })
}

/// The keys of a previous report that the trend reads; anything else is ignored.
#[derive(Debug, Deserialize)]
struct Previous {
    generated_at: String,
    pods: Vec<PreviousPod>,
    #[serde(default)]
    namespaces: Vec<PreviousNamespace>,
    /// Read apart and leniently: a trend of another shape only loses the open counts.
    #[serde(default)]
    trend: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct PreviousPod {
    namespace: String,
    name: String,
    #[serde(default)]
    status: String,
    health: PreviousHealth,
    #[serde(default)]
    severity: Option<PreviousSeverity>,
    #[serde(default)]
    restart_count: i64,
    #[serde(default)]
    owner: Option<PreviousOwner>,
    #[serde(default)]
    problems: Vec<PreviousProblem>,
}

/// [`Health`] and [`Severity`] as the JSON writes them (the report's types only serialize).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PreviousHealth {
    Healthy,
    Attention,
    Unhealthy,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PreviousSeverity {
    Low,
    Medium,
    High,
}

#[derive(Debug, Deserialize)]
struct PreviousOwner {
    #[serde(default)]
    workload: Option<WorkloadRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
struct WorkloadRef {
    kind: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct PreviousProblem {
    #[serde(default)]
    code: String,
}

#[derive(Debug, Deserialize)]
struct PreviousNamespace {
    name: String,
    #[serde(default)]
    pods: usize,
}

impl Previous {
    /// Pods per namespace; counted from `pods[]` when the report has no `namespaces[]`.
    fn namespace_counts(&self) -> Vec<(String, usize)> {
        if !self.namespaces.is_empty() {
            return self
                .namespaces
                .iter()
                .map(|n| (n.name.clone(), n.pods))
                .collect();
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        for pod in &self.pods {
            match counts.iter_mut().find(|(name, _)| *name == pod.namespace) {
                Some((_, n)) => *n += 1,
                None => counts.push((pod.namespace.clone(), 1)),
            }
        }
        counts
    }
}

/// One pod of either report, as the trend compares it.
#[derive(Debug, Clone)]
struct PodFacts {
    namespace: String,
    name: String,
    state: PodState,
    workload: Option<WorkloadRef>,
}

impl PodFacts {
    fn previous(pod: &PreviousPod) -> Self {
        PodFacts {
            namespace: pod.namespace.clone(),
            name: pod.name.clone(),
            state: PodState {
                status: pod.status.clone(),
                health: match pod.health {
                    PreviousHealth::Healthy => Health::Healthy,
                    PreviousHealth::Attention => Health::Attention,
                    PreviousHealth::Unhealthy => Health::Unhealthy,
                },
                severity: pod.severity.map(|s| match s {
                    PreviousSeverity::Low => Severity::Low,
                    PreviousSeverity::Medium => Severity::Medium,
                    PreviousSeverity::High => Severity::High,
                }),
                codes: pod.problems.iter().map(|p| p.code.clone()).collect(),
                restart_count: pod.restart_count,
            },
            workload: pod.owner.as_ref().and_then(|o| o.workload.clone()),
        }
    }

    fn current(row: &PodRow) -> Self {
        PodFacts {
            namespace: row.namespace.clone(),
            name: row.name.clone(),
            state: PodState {
                status: row.status.clone(),
                health: row.health,
                severity: row.severity,
                codes: row.problems.iter().map(|p| p.code.clone()).collect(),
                restart_count: row.restart_count,
            },
            workload: row.owner.as_ref().and_then(|o| {
                let w = o.workload.as_ref()?;
                Some(WorkloadRef {
                    kind: w.kind.clone(),
                    name: w.name.clone(),
                })
            }),
        }
    }

    fn key(&self) -> (&str, &str) {
        (&self.namespace, &self.name)
    }

    fn is_open(&self) -> bool {
        self.state.health != Health::Healthy
    }
}

type OpenCounts = HashMap<(String, String), u32>;

/// How many reports in a row each problem pod of the previous report had been open, from its
/// `trend`; a pod it lists as not healthy without a count had been open for that one report.
fn open_counts(trend: Option<&Value>) -> OpenCounts {
    #[derive(Deserialize)]
    struct Open {
        namespace: String,
        name: String,
        reports_open: u32,
    }
    let mut counts = OpenCounts::new();
    for list in ["new_problems", "still_open"] {
        let items = trend.and_then(|t| t.get(list)).and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            if let Ok(open) = Open::deserialize(item) {
                counts.insert((open.namespace, open.name), open.reports_open.max(1));
            }
        }
    }
    counts
}

fn open_before(counts: &OpenCounts, pod: &PodFacts) -> u32 {
    let key = (pod.namespace.clone(), pod.name.clone());
    counts.get(&key).copied().unwrap_or(1)
}

fn by_key(pods: &[PodFacts]) -> HashMap<(&str, &str), &PodFacts> {
    pods.iter().map(|p| (p.key(), p)).collect()
}

/// The problem pods of the current report: (new, still open), in the report's order.
fn open_now(
    before: &[PodFacts],
    now: &[PodFacts],
    counts: &OpenCounts,
) -> (Vec<PodChange>, Vec<PodChange>) {
    let before_by_key = by_key(before);
    let (mut new, mut still) = (Vec::new(), Vec::new());
    for pod in now.iter().filter(|p| p.is_open()) {
        let previous = before_by_key.get(&pod.key()).copied();
        let (list, reports_open) = match previous {
            Some(b) if b.is_open() => (&mut still, open_before(counts, b).saturating_add(1)),
            _ => (&mut new, 1),
        };
        list.push(PodChange {
            namespace: pod.namespace.clone(),
            name: pod.name.clone(),
            reports_open,
            before: previous.map(|b| b.state.clone()),
            now: Some(pod.state.clone()),
        });
    }
    (new, still)
}

/// The problem pods of the previous report that are healthy now or gone. A pod of a namespace
/// no longer inspected is not resolved: nobody looked.
fn resolved(
    before: &[PodFacts],
    now: &[PodFacts],
    inspected: &HashSet<&str>,
    counts: &OpenCounts,
) -> Vec<PodChange> {
    let now_by_key = by_key(now);
    before
        .iter()
        .filter(|b| b.is_open())
        .filter_map(|b| {
            let current = now_by_key.get(&b.key()).copied();
            let gone_from_inspected = current.is_none() && inspected.contains(b.namespace.as_str());
            let healthy_now = current.is_some_and(|n| !n.is_open());
            (gone_from_inspected || healthy_now).then(|| PodChange {
                namespace: b.namespace.clone(),
                name: b.name.clone(),
                reports_open: open_before(counts, b),
                before: Some(b.state.clone()),
                now: current.map(|n| n.state.clone()),
            })
        })
        .collect()
}

/// Abnormal growth: at least the threshold, or more than double a count that was not zero
/// (from zero, any restart would "more than double").
fn abnormal(before: i64, now: i64, settings: &TrendSettings) -> bool {
    now - before >= settings.restart_growth_abnormal || (before > 0 && now > 2 * before)
}

fn pod_growth(before: &[PodFacts], now: &[PodFacts], settings: &TrendSettings) -> Vec<PodGrowth> {
    let before_by_key = by_key(before);
    let mut growth: Vec<PodGrowth> = now
        .iter()
        .filter_map(|n| {
            let b = before_by_key.get(&n.key())?.state.restart_count;
            let now = n.state.restart_count;
            (now > b).then(|| PodGrowth {
                namespace: n.namespace.clone(),
                name: n.name.clone(),
                before: b,
                now,
                growth: now - b,
                abnormal: abnormal(b, now, settings),
            })
        })
        .collect();
    growth
        .sort_by(|a, b| (b.growth, &a.namespace, &a.name).cmp(&(a.growth, &b.namespace, &b.name)));
    growth
}

/// (namespace, workload) → (pods, the sum of their RESTARTS).
fn workload_sums(pods: &[PodFacts]) -> BTreeMap<(&str, &WorkloadRef), (usize, i64)> {
    let mut sums = BTreeMap::new();
    for pod in pods {
        if let Some(w) = &pod.workload {
            let sum: &mut (usize, i64) = sums.entry((pod.namespace.as_str(), w)).or_default();
            sum.0 += 1;
            sum.1 += pod.state.restart_count;
        }
    }
    sums
}

fn workload_growth(
    before: &[PodFacts],
    now: &[PodFacts],
    settings: &TrendSettings,
) -> Vec<WorkloadGrowth> {
    let before_sums = workload_sums(before);
    let mut growth: Vec<WorkloadGrowth> = workload_sums(now)
        .into_iter()
        .filter_map(|(key, (pods_now, now))| {
            let &(pods_before, before) = before_sums.get(&key)?;
            (now > before).then(|| WorkloadGrowth {
                namespace: key.0.to_owned(),
                kind: key.1.kind.clone(),
                name: key.1.name.clone(),
                pods_before,
                pods_now,
                before,
                now,
                growth: now - before,
                abnormal: abnormal(before, now, settings),
            })
        })
        .collect();
    // Stable sort: equal growth keeps the map's namespace/kind/name order.
    growth.sort_by_key(|g| std::cmp::Reverse(g.growth));
    growth
}

/// The current namespaces in the report's order, then the removed ones in the previous order.
fn namespace_changes(before: &[(String, usize)], now: &[(String, usize)]) -> Vec<NamespaceChange> {
    let find = |list: &[(String, usize)], name: &str| {
        list.iter().find(|(n, _)| n == name).map(|(_, pods)| *pods)
    };
    let current = now.iter().map(|(name, pods)| {
        let pods_before = find(before, name);
        let change = match pods_before {
            None => Change::Added,
            Some(b) if b == *pods => Change::Unchanged,
            Some(_) => Change::Changed,
        };
        NamespaceChange {
            name: name.clone(),
            change,
            pods_before,
            pods_now: Some(*pods),
        }
    });
    let removed = before
        .iter()
        .filter(|(name, _)| find(now, name).is_none())
        .map(|(name, pods)| NamespaceChange {
            name: name.clone(),
            change: Change::Removed,
            pods_before: Some(*pods),
            pods_now: None,
        });
    current.chain(removed).collect()
}
