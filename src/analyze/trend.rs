//! The trend: what changed since the previous archived report — problems that are new,
//! resolved or still open (and for how many reports in a row), restarts that grew per pod and
//! per workload, and namespaces whose pod count changed.
//!
//! A problem is tracked by what it belongs to, not by a pod's name: the top of its pod's owner
//! chain (Deployment, StatefulSet, DaemonSet, CronJob...), or the pod itself when it has no
//! owner, and the kind of problem ([`ProblemKind`](crate::report::ProblemKind)). A Deployment whose pods crash-loop week
//! after week while each rollout renames them is one problem, still open; the pods that carried
//! it each time are listed.
//!
//! Pure: the previous report's JSON (the archive's newest `.json`) and the current [`Report`].
//! The previous JSON is read leniently, only the keys used here, so a report of an older
//! version still compares; one that is not a kube-patrol report is a [`TrendError`], and the
//! caller then makes the report without a trend (a warning, never a failure).
//!
//! The trend is carried in the report's JSON (`trend`), so the next run reads how long each
//! problem has been open from `trend.new_problems[]` and `trend.still_open[]`.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::report::{
    Change, NamespaceChange, PodGrowth, PodState, ProblemChange, ProblemState, RestartGrowth,
    Subject, Trend, WorkloadGrowth,
};
use crate::report::{Health, PodRow, ProblemCode, Report, Severity};

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

/// Why there is no trend; the report is made without one.
#[derive(Debug, thiserror::Error)]
pub enum TrendError {
    #[error("the previous report is not valid JSON")]
    Corrupt(#[source] serde_json::Error),
    #[error("the previous report is not a kube-patrol JSON report")]
    Unrecognized(#[source] serde_json::Error),
}

/// The keys of the previous report's JSON that the trend reads, straight from its text (a big
/// cluster's report is tens of MiB: it is never held as a JSON tree).
///
/// # Errors
///
/// [`TrendError::Corrupt`] when it is not JSON (a truncated file, another format);
/// [`TrendError::Unrecognized`] when the JSON lacks `generated_at` or `pods[]` with each pod's
/// `namespace`, `name` and `health`, or has them of another type.
pub fn parse_previous(text: &str) -> Result<PreviousReport, TrendError> {
    serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            TrendError::Unrecognized(e)
        } else {
            TrendError::Corrupt(e)
        }
    })
}

impl PreviousReport {
    /// Keeps the pods and namespaces of the namespaces `keep` names: the previous report of one
    /// team's namespaces, to compare that team's report with.
    pub fn retain_namespaces(&mut self, keep: impl Fn(&str) -> bool) {
        self.pods.retain(|pod| keep(&pod.namespace));
        self.namespaces.retain(|ns| keep(&ns.name));
    }
}

/// What changed between the previous report and the current one.
pub fn trend(previous: &PreviousReport, current: &Report, settings: &TrendSettings) -> Trend {
    let before: Vec<PodFacts> = previous.pods.iter().map(PodFacts::previous).collect();
    let now: Vec<PodFacts> = current.pods.iter().map(PodFacts::current).collect();
    let open_before = open_counts(previous.trend.as_ref(), &before);
    let inspected: HashSet<&str> = current.namespaces.iter().map(|n| n.name.as_str()).collect();
    let problems = Problems {
        before: problems_of(&before),
        now: problems_of(&now),
    };
    let current_namespaces: Vec<(String, usize)> = current
        .namespaces
        .iter()
        .map(|n| (n.name.clone(), n.counts.pods))
        .collect();
    Trend {
        new_problems: problems.opened(),
        still_open: problems.still_open(&open_before),
        resolved: problems.resolved(&inspected, &open_before),
        restart_growth: RestartGrowth {
            pods: pod_growth(&before, &now, settings),
            workloads: workload_growth(&before, &now, settings),
        },
        namespace_changes: namespace_changes(&previous.namespace_counts(), &current_namespaces),
        previous_generated_at: previous.generated_at,
    }
}

/// The keys of a previous report that the trend reads; anything else is ignored.
#[derive(Debug, Deserialize)]
pub struct PreviousReport {
    generated_at: Timestamp,
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
    health: Health,
    #[serde(default)]
    severity: Option<Severity>,
    #[serde(default)]
    restart_count: i64,
    #[serde(default)]
    owner: Option<PreviousOwner>,
    #[serde(default)]
    problems: Vec<PreviousProblem>,
}

#[derive(Debug, Deserialize)]
struct PreviousOwner {
    #[serde(default)]
    workload: Option<Subject>,
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

impl PreviousReport {
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
    state: PodState,
    workload: Option<Subject>,
}

impl PodFacts {
    fn previous(pod: &PreviousPod) -> Self {
        PodFacts {
            namespace: pod.namespace.clone(),
            state: PodState {
                name: pod.name.clone(),
                status: pod.status.clone(),
                health: pod.health,
                severity: pod.severity,
                codes: pod.problems.iter().map(|p| p.code.clone()).collect(),
                restart_count: pod.restart_count,
            },
            workload: pod.owner.as_ref().and_then(|o| o.workload.clone()),
        }
    }

    fn current(row: &PodRow) -> Self {
        PodFacts {
            namespace: row.namespace.to_string(),
            state: PodState {
                name: row.name.to_string(),
                status: row.status.to_string(),
                health: row.health,
                severity: row.severity,
                codes: row.problems.iter().map(|p| p.code.to_string()).collect(),
                restart_count: row.restart_count,
            },
            workload: row.owner.as_ref().and_then(|o| {
                let w = o.workload.as_ref()?;
                Some(Subject {
                    kind: w.kind.to_string(),
                    name: w.name.to_string(),
                })
            }),
        }
    }

    fn name(&self) -> &str {
        &self.state.name
    }

    fn key(&self) -> (&str, &str) {
        (&self.namespace, self.name())
    }

    fn is_open(&self) -> bool {
        self.state.health != Health::Healthy
    }

    /// The identity of the pod's problem: its namespace, what it belongs to, and the kind of
    /// its most severe problem. `None` for a healthy pod.
    fn identity(&self) -> Option<Identity> {
        if !self.is_open() {
            return None;
        }
        let subject = self.workload.clone().unwrap_or_else(|| Subject {
            kind: "Pod".to_owned(),
            name: self.name().to_owned(),
        });
        let code = self.state.codes.first().map(String::as_str).unwrap_or("");
        let problem = match ProblemCode::parse(code) {
            Some(known) => kind_name(known),
            None => code.to_owned(),
        };
        Some(Identity {
            namespace: self.namespace.clone(),
            subject,
            problem,
        })
    }
}

/// The JSON name of a code's kind (`crashing`).
fn kind_name(code: ProblemCode) -> String {
    serde_json::to_value(code.kind())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What the trend follows from report to report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Identity {
    namespace: String,
    subject: Subject,
    problem: String,
}

/// Open problems by identity, in the order their first pod appears in the report.
type OpenProblems = Vec<(Identity, ProblemState)>;

fn problems_of(pods: &[PodFacts]) -> OpenProblems {
    let mut problems: OpenProblems = Vec::new();
    for pod in pods {
        let Some(identity) = pod.identity() else {
            continue;
        };
        let state = match problems.iter_mut().find(|(i, _)| *i == identity) {
            Some((_, state)) => state,
            None => {
                problems.push((
                    identity,
                    ProblemState {
                        severity: None,
                        pods: Vec::new(),
                    },
                ));
                &mut problems.last_mut().expect("just pushed").1
            }
        };
        state.severity = state.severity.max(pod.state.severity);
        state.pods.push(pod.state.clone());
    }
    for (_, state) in &mut problems {
        state
            .pods
            .sort_by_key(|p| (std::cmp::Reverse(p.severity), p.name.clone()));
    }
    problems
}

/// The open problems of both reports.
struct Problems {
    before: OpenProblems,
    now: OpenProblems,
}

impl Problems {
    /// The previous state of a problem open now. A previous report that did not say its
    /// problem codes (`problem` empty) matches by what the problem belongs to.
    fn before(&self, identity: &Identity) -> Option<&ProblemState> {
        let exact = self.before.iter().find(|(i, _)| i == identity);
        exact
            .or_else(|| {
                self.before
                    .iter()
                    .find(|(i, _)| i.problem.is_empty() && same_subject(i, identity))
            })
            .map(|(_, s)| s)
    }

    fn is_open_now(&self, before: &Identity) -> bool {
        self.now
            .iter()
            .any(|(i, _)| i == before || (before.problem.is_empty() && same_subject(i, before)))
    }

    /// Open now, not before: in the report's order.
    fn opened(&self) -> Vec<ProblemChange> {
        self.now
            .iter()
            .filter(|(i, _)| self.before(i).is_none())
            .map(|(i, state)| change(i, 1, None, Some(state)))
            .collect()
    }

    /// Open before and now, with the reports in a row.
    fn still_open(&self, counts: &OpenCounts) -> Vec<ProblemChange> {
        self.now
            .iter()
            .filter_map(|(i, state)| {
                let before = self.before(i)?;
                let count = counts.get(i).or_else(|| {
                    counts
                        .iter()
                        .find(|(c, _)| c.problem.is_empty() && same_subject(c, i))
                        .map(|(_, n)| n)
                });
                let open = count.copied().unwrap_or(1).saturating_add(1);
                Some(change(i, open, Some(before), Some(state)))
            })
            .collect()
    }

    /// Open before, not now. A problem of a namespace no longer inspected is not resolved:
    /// nobody looked.
    fn resolved(&self, inspected: &HashSet<&str>, counts: &OpenCounts) -> Vec<ProblemChange> {
        self.before
            .iter()
            .filter(|(i, _)| inspected.contains(i.namespace.as_str()) && !self.is_open_now(i))
            .map(|(i, state)| change(i, counts.get(i).copied().unwrap_or(1), Some(state), None))
            .collect()
    }
}

fn same_subject(a: &Identity, b: &Identity) -> bool {
    a.namespace == b.namespace && a.subject == b.subject
}

fn change(
    identity: &Identity,
    reports_open: u32,
    before: Option<&ProblemState>,
    now: Option<&ProblemState>,
) -> ProblemChange {
    ProblemChange {
        namespace: identity.namespace.clone(),
        subject: identity.subject.clone(),
        problem: identity.problem.clone(),
        reports_open,
        before: before.cloned(),
        now: now.cloned(),
    }
}

type OpenCounts = HashMap<Identity, u32>;

/// How many reports in a row each problem of the previous report had been open, from its
/// `trend`. An older report's trend counted by pod: its pods' counts go to their problems.
fn open_counts(trend: Option<&Value>, before: &[PodFacts]) -> OpenCounts {
    #[derive(Deserialize)]
    struct Open {
        namespace: String,
        #[serde(default)]
        subject: Option<Subject>,
        #[serde(default)]
        problem: Option<String>,
        /// The pod, in reports that tracked problems by pod.
        #[serde(default)]
        name: Option<String>,
        reports_open: u32,
    }
    let pods: HashMap<(&str, &str), &PodFacts> = before.iter().map(|p| (p.key(), p)).collect();
    let mut counts = OpenCounts::new();
    for list in ["new_problems", "still_open"] {
        let items = trend.and_then(|t| t.get(list)).and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            let Ok(open) = Open::deserialize(item) else {
                continue;
            };
            let identity = match (open.subject, open.problem, open.name) {
                (Some(subject), Some(problem), _) => Some(Identity {
                    namespace: open.namespace,
                    subject,
                    problem,
                }),
                (_, _, Some(pod)) => pods
                    .get(&(open.namespace.as_str(), pod.as_str()))
                    .and_then(|p| p.identity()),
                _ => None,
            };
            if let Some(identity) = identity {
                let count = counts.entry(identity).or_insert(0);
                *count = (*count).max(open.reports_open.max(1));
            }
        }
    }
    counts
}

fn by_key(pods: &[PodFacts]) -> HashMap<(&str, &str), &PodFacts> {
    pods.iter().map(|p| (p.key(), p)).collect()
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
                name: n.name().to_owned(),
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
fn workload_sums(pods: &[PodFacts]) -> BTreeMap<(&str, &Subject), (usize, i64)> {
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
