//! The report's statistics (📈 統計分析): how pods spread over kubectl statuses, restarts, ages
//! and nodes, a single-point-of-failure check, and the facts behind the conclusion's strengths
//! and issues.
//!
//! Pure: a function of [`PodFacts`] (built by the analysis from kubectl columns, with ages
//! already measured against the reference time) and, when the snapshot has them, [`NodeFacts`].
//! The output is plain data, serialized into the report's JSON under `statistics`. Nothing here
//! is prose: the sentences are localized in the templates, which turn these facts into words.

use std::collections::{BTreeMap, BTreeSet};

use crate::report::{
    AgeBucket, AgeBucketCount, ConcentratedWorkload, Highlights, NameCount, NamespaceIssue,
    NodeCondition, NodeDistribution, NodeGroup, NodePods, Restarter, Restarts, Share,
    SinglePointCheck, Statistics, StatusShare, TroubledNode,
};
use jiff::SignedDuration;

#[cfg(test)]
mod tests;

/// What statistics need to know of one pod (built by the analysis from kubectl columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodFacts<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    /// The kubectl STATUS cell: `Running`, `Error`, `Completed`, `CrashLoopBackOff`, ...
    pub status: &'a str,
    pub restart_count: i64,
    /// Reference time minus `creationTimestamp`; `None` when unknown.
    pub age: Option<SignedDuration>,
    /// `spec.nodeName`; `None` while the pod is not scheduled.
    pub node: Option<&'a str>,
    /// The owning workload as `Kind/name` (`Deployment/pigo-cron`, `StatefulSet/x`,
    /// `DaemonSet/y`, `Job/z`), or `None` for a bare pod.
    pub workload: Option<&'a str>,
    /// Every container is ready.
    pub ready: bool,
    /// The health rules rate the pod healthy.
    pub healthy: bool,
    /// What the pod asks of its team.
    pub ask: Ask,
}

/// What a pod asks of its team, by its most severe problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ask {
    /// Healthy, or a low-severity note (starting, restarts long ago): nothing to do.
    Nothing,
    /// A problem to fix.
    Fix,
    /// A leftover to clean up (a completed or shut-down pod, a failed attempt).
    CleanUp,
}

/// What statistics need to know of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeFacts<'a> {
    pub name: &'a str,
    /// The `Ready` condition; `None` when the node reports none.
    pub ready: Option<bool>,
    /// `(type, reason)` of each bad condition: `MemoryPressure`, `DiskPressure`, `PIDPressure`
    /// or `NetworkUnavailable` True, or `Ready` not True.
    pub conditions_bad: Vec<(&'a str, &'a str)>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
}

/// The knobs of the statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct StatisticsConfig {
    /// The age buckets to count, in the order the report lists them (the seed: over 90, over
    /// 70, over 30, under 7 days).
    pub age_buckets_days: Vec<AgeBucket>,
    /// How many of the most restarted pods to name.
    pub top_restarters: usize,
    /// A node is far above the mean when it hosts more than this times the mean pod count per
    /// node, and more than the mean plus 3 (so tiny clusters do not raise alarms).
    pub node_overload_factor: f64,
    /// How many app names to give per age bucket.
    pub notable_names: usize,
}

impl Default for StatisticsConfig {
    fn default() -> Self {
        StatisticsConfig {
            age_buckets_days: vec![
                AgeBucket::OlderThan(90),
                AgeBucket::OlderThan(70),
                AgeBucket::OlderThan(30),
                AgeBucket::YoungerThan(7),
            ],
            top_restarters: 5,
            node_overload_factor: 2.0,
            notable_names: 3,
        }
    }
}

impl AgeBucket {
    /// Whether a pod of this age falls in the bucket.
    pub fn contains(self, age: SignedDuration) -> bool {
        match self {
            AgeBucket::OlderThan(days) => age > days_duration(days),
            AgeBucket::YoungerThan(days) => age < days_duration(days),
        }
    }
}

fn days_duration(days: u32) -> SignedDuration {
    SignedDuration::from_hours(i64::from(days) * 24)
}

impl Share {
    /// The share of `pods` in `total`.
    pub fn of(pods: usize, total: usize) -> Share {
        let tenths = tenths(pods * 100, total);
        Share {
            pods,
            total,
            percent: tenths as f64 / 10.0,
            percent_text: format!("{}.{}", tenths / 10, tenths % 10),
        }
    }
}

/// `num / den` in tenths, rounded half up; 0 when `den` is 0 (an empty cluster).
///
/// Integers give exact half-up rounding, where floats would print 6.25 as "6.2".
fn tenths(num: usize, den: usize) -> u128 {
    match den as u128 {
        0 => 0,
        den => (num as u128 * 10 + den / 2) / den,
    }
}

/// The age from which the highlights call a pod settled.
const SETTLED_DAYS: u32 = 30;

/// Computes the statistics of `pods`; `nodes` adds the node-state checks when known.
pub fn statistics(
    pods: &[PodFacts<'_>],
    nodes: Option<&[NodeFacts<'_>]>,
    cfg: &StatisticsConfig,
) -> Statistics {
    let per_node = pods_per_node(pods);
    let distribution = node_distribution(pods, &per_node);
    let concentrated_workloads = concentrated_workloads(pods);
    let overloaded_nodes = overloaded_nodes(&per_node, cfg.node_overload_factor);
    let single_points = SinglePointCheck {
        balanced: concentrated_workloads.is_empty() && overloaded_nodes.is_empty(),
        concentrated_workloads,
        overloaded_nodes,
        nodes_checked: nodes.is_some(),
        troubled_nodes: nodes.map_or_else(Vec::new, |n| troubled_nodes(n, &per_node)),
    };
    Statistics {
        pods: pods.len(),
        status_distribution: status_distribution(pods),
        restarts: restarts(pods, cfg.top_restarters),
        age_buckets: cfg
            .age_buckets_days
            .iter()
            .map(|&bucket| age_bucket(pods, bucket, cfg.notable_names))
            .collect(),
        nodes: distribution,
        single_points,
        highlights: highlights(pods),
    }
}

/// Counts by key, then orders by count (descending) then key: the order every ranking here uses.
fn ranked<K: Ord>(keys: impl Iterator<Item = K>) -> Vec<(K, usize)> {
    let mut counts = BTreeMap::new();
    keys.for_each(|k| *counts.entry(k).or_insert(0) += 1);
    let mut ranked: Vec<(K, usize)> = counts.into_iter().collect();
    // Stable sort on an already key-ordered list: ties stay by key.
    ranked.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
    ranked
}

fn status_distribution(pods: &[PodFacts<'_>]) -> Vec<StatusShare> {
    ranked(pods.iter().map(|p| p.status))
        .into_iter()
        .map(|(status, count)| StatusShare {
            status: status.to_owned(),
            share: Share::of(count, pods.len()),
        })
        .collect()
}

fn restarts(pods: &[PodFacts<'_>], top: usize) -> Restarts {
    let mut restarted: Vec<&PodFacts<'_>> = pods.iter().filter(|p| p.restart_count > 0).collect();
    restarted.sort_by(|a, b| {
        (b.restart_count.cmp(&a.restart_count))
            .then_with(|| a.name.cmp(b.name))
            .then_with(|| a.namespace.cmp(b.namespace))
    });
    Restarts {
        // A negative count would be a kubelet bug; it must not cancel real restarts out.
        total: pods.iter().map(|p| p.restart_count.max(0)).sum(),
        pods_with_restarts: restarted.len(),
        top: restarted
            .into_iter()
            .take(top)
            .map(|p| Restarter {
                namespace: p.namespace.to_owned(),
                name: p.name.to_owned(),
                restarts: p.restart_count,
            })
            .collect(),
    }
}

fn age_bucket(pods: &[PodFacts<'_>], bucket: AgeBucket, notable: usize) -> AgeBucketCount {
    let inside: Vec<&PodFacts<'_>> = pods
        .iter()
        .filter(|p| p.age.is_some_and(|age| bucket.contains(age)))
        .collect();
    AgeBucketCount {
        bucket,
        pods: inside.len(),
        notable: ranked(inside.iter().map(|p| app_name(p)))
            .into_iter()
            .take(notable)
            .map(|(name, pods)| NameCount {
                name: name.to_owned(),
                pods,
            })
            .collect(),
    }
}

/// The app a pod belongs to, the name a reader knows it by: the workload's name, but a Job
/// made by a CronJob loses its schedule suffix (`backup-29012345` → `backup`), and a bare pod
/// loses the suffixes Kubernetes generates (`web-5b5ffcd959-bxzmg` → `web`).
fn app_name<'a>(pod: &PodFacts<'a>) -> &'a str {
    let Some(workload) = pod.workload else {
        return without_generated_suffixes(pod.name);
    };
    let (kind, name) = workload.split_once('/').unwrap_or(("", workload));
    match kind {
        "Job" => strip_segment(name, |s| s.bytes().all(|b| b.is_ascii_digit())).unwrap_or(name),
        _ => name,
    }
}

/// A pod name without the random suffix (5 characters) and the pod-template hash (6 to 10) that
/// a ReplicaSet adds; both use Kubernetes' vowel-free alphabet, which real words rarely match.
fn without_generated_suffixes(name: &str) -> &str {
    let Some(rest) = strip_segment(name, |s| s.len() == 5 && is_generated(s)) else {
        return name;
    };
    strip_segment(rest, |s| (6..=10).contains(&s.len()) && is_generated(s)).unwrap_or(rest)
}

fn is_generated(segment: &str) -> bool {
    const ALPHABET: &str = "bcdfghjklmnpqrstvwxz2456789";
    segment.chars().all(|c| ALPHABET.contains(c))
}

/// `name` without its last `-segment` when the segment matches and something is left.
fn strip_segment(name: &str, matches: impl Fn(&str) -> bool) -> Option<&str> {
    let (rest, last) = name.rsplit_once('-')?;
    (!rest.is_empty() && !last.is_empty() && matches(last)).then_some(rest)
}

/// Pods per node name, for the pods that have a node.
fn pods_per_node<'a>(pods: &[PodFacts<'a>]) -> BTreeMap<&'a str, usize> {
    let mut per_node = BTreeMap::new();
    for node in pods.iter().filter_map(|p| p.node) {
        *per_node.entry(node).or_insert(0) += 1;
    }
    per_node
}

fn node_distribution(pods: &[PodFacts<'_>], per_node: &BTreeMap<&str, usize>) -> NodeDistribution {
    let per_node: Vec<NodePods> = per_node
        .iter()
        .map(|(&node, &pods)| NodePods {
            node: node.to_owned(),
            pods,
        })
        .collect();
    let scheduled: usize = per_node.iter().map(|n| n.pods).sum();
    NodeDistribution {
        groups: fold_node_names(&per_node),
        unscheduled: pods.len() - scheduled,
        mean_pods_per_node: tenths(scheduled, per_node.len()) as f64 / 10.0,
        per_node,
    }
}

/// Folds node names into ranges, the way the seed writes them.
///
/// A name ending in digits is split into a prefix and a number. Names with the same prefix and
/// the same zero-padded width (`node01`..`node10`) fold together; unpadded numbers of a prefix
/// (`node9`, `node10`) fold together whatever their width. A group is written
/// `prefix[list]`, the list being comma-separated numbers and `a-b` runs of consecutive numbers:
/// `node0[1-6]`, `node0[1-3,5]`, `node[09-10]`, `node[9-10]`. Leading digits shared by every
/// member of a fixed-width group stay before the bracket (`node0[1-6]`, not `node[01-06]`).
/// A lone node and a name not ending in digits keep their own name.
pub fn fold_node_names(nodes: &[NodePods]) -> Vec<NodeGroup> {
    let padded = padded_widths(nodes);
    // Key: the prefix and, for zero-padded numbering, the width.
    let mut numbered: BTreeMap<(&str, Option<usize>), Members<'_>> = BTreeMap::new();
    let mut groups = Vec::new();
    for node in nodes {
        match split_number(&node.node) {
            Some((prefix, digits)) => {
                let width = padded
                    .contains(&(prefix, digits.len()))
                    .then_some(digits.len());
                numbered
                    .entry((prefix, width))
                    .or_default()
                    .push((digits, node.pods));
            }
            None => groups.push(NodeGroup {
                name: node.node.clone(),
                nodes: 1,
                pods: node.pods,
            }),
        }
    }
    groups.extend(
        numbered
            .into_iter()
            .map(|((prefix, _), members)| fold(prefix, members)),
    );
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    groups
}

/// `(digits, pods)` of the numbered nodes folded into one group.
type Members<'a> = Vec<(&'a str, usize)>;

/// The (prefix, width) pairs numbered with zero padding (`node01`): a width with one padded
/// number is a fixed width for its prefix, so `node10` folds with `node09`.
fn padded_widths(nodes: &[NodePods]) -> BTreeSet<(&str, usize)> {
    nodes
        .iter()
        .filter_map(|n| split_number(&n.node))
        .filter(|(_, digits)| digits.len() > 1 && digits.starts_with('0'))
        .map(|(prefix, digits)| (prefix, digits.len()))
        .collect()
}

/// A name split at its trailing number: `node01` → `("node", "01")`.
fn split_number(name: &str) -> Option<(&str, &str)> {
    let prefix = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &name[prefix.len()..];
    // Over 18 digits would not fit a u64: such a name is left as it is.
    (!digits.is_empty() && digits.len() <= 18).then_some((prefix, digits))
}

/// One group of numbered names, `(digits, pods)` each, written as `prefix[list]`.
fn fold(prefix: &str, mut members: Members<'_>) -> NodeGroup {
    let pods = members.iter().map(|m| m.1).sum();
    let nodes = members.len();
    if let [(digits, _)] = members[..] {
        let name = format!("{prefix}{digits}");
        return NodeGroup { name, nodes, pods };
    }
    members.sort_by_key(|m| number(m.0));
    let lead = common_lead(members.iter().map(|m| m.0));
    let list: Vec<String> = runs(&members)
        .into_iter()
        .map(|(first, last)| {
            if first == last {
                first[lead.len()..].to_owned()
            } else {
                format!("{}-{}", &first[lead.len()..], &last[lead.len()..])
            }
        })
        .collect();
    let name = format!("{prefix}{lead}[{}]", list.join(","));
    NodeGroup { name, nodes, pods }
}

fn number(digits: &str) -> u64 {
    // split_number keeps at most 18 digits, which always parse.
    digits.parse().unwrap_or(u64::MAX)
}

/// The leading digits every member shares, when all have one width; at least one digit of each
/// member is left for the bracket.
fn common_lead<'a>(mut digits: impl Iterator<Item = &'a str>) -> &'a str {
    let Some(first) = digits.next() else {
        return "";
    };
    let mut lead = &first[..first.len() - 1];
    for other in digits {
        if other.len() != first.len() {
            return "";
        }
        let shared = lead
            .bytes()
            .zip(other.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        lead = &lead[..shared];
    }
    lead
}

/// Runs of consecutive numbers in sorted members, as (first, last) digit strings.
fn runs<'a>(members: &[(&'a str, usize)]) -> Vec<(&'a str, &'a str)> {
    let mut runs: Vec<(&str, &str)> = Vec::new();
    for &(digits, _) in members {
        match runs.last_mut() {
            Some(run) if number(run.1).checked_add(1) == Some(number(digits)) => run.1 = digits,
            _ => runs.push((digits, digits)),
        }
    }
    runs
}

/// Workloads with at least two ready pods, all on one node: losing that node takes them down.
/// Jobs are left out: batch pods serve nothing while they run, and finish anyway.
fn concentrated_workloads(pods: &[PodFacts<'_>]) -> Vec<ConcentratedWorkload> {
    // (namespace, workload) → its ready pods and the nodes they run on.
    let mut by_workload: BTreeMap<(&str, &str), Placement<'_>> = BTreeMap::new();
    for pod in pods.iter().filter(|p| p.ready) {
        let (Some(workload), Some(node)) = (pod.workload, pod.node) else {
            continue;
        };
        if workload.starts_with("Job/") || workload.starts_with("CronJob/") {
            continue;
        }
        let entry = by_workload.entry((pod.namespace, workload)).or_default();
        entry.0 += 1;
        entry.1.insert(node);
    }
    by_workload
        .into_iter()
        .filter(|(_, (ready, nodes))| *ready >= 2 && nodes.len() == 1)
        .filter_map(|((namespace, workload), (ready_pods, nodes))| {
            Some(ConcentratedWorkload {
                namespace: namespace.to_owned(),
                workload: workload.to_owned(),
                node: (*nodes.first()?).to_owned(),
                ready_pods,
            })
        })
        .collect()
}

type Placement<'a> = (usize, BTreeSet<&'a str>);

/// Nodes hosting more than `factor` × the mean and more than the mean + 3. The mean is over the
/// nodes hosting the pods: nodes without any (control plane, other teams' pools) would lower it
/// and flag ordinary nodes.
fn overloaded_nodes(per_node: &BTreeMap<&str, usize>, factor: f64) -> Vec<NodePods> {
    if per_node.is_empty() {
        return Vec::new();
    }
    let mean = per_node.values().sum::<usize>() as f64 / per_node.len() as f64;
    per_node
        .iter()
        .filter(|&(_, &pods)| pods as f64 > factor * mean && pods as f64 > mean + 3.0)
        .map(|(&node, &pods)| NodePods {
            node: node.to_owned(),
            pods,
        })
        .collect()
}

/// Nodes hosting pods that are not Ready, report a bad condition, or are cordoned. A node
/// without a Ready condition is not called unready: the dump may simply lack its status.
fn troubled_nodes(nodes: &[NodeFacts<'_>], per_node: &BTreeMap<&str, usize>) -> Vec<TroubledNode> {
    let mut troubled: Vec<TroubledNode> = nodes
        .iter()
        .filter(|n| n.ready == Some(false) || !n.conditions_bad.is_empty() || n.unschedulable)
        .filter_map(|n| {
            Some(TroubledNode {
                node: n.name.to_owned(),
                pods: *per_node.get(n.name)?,
                ready: n.ready,
                unschedulable: n.unschedulable,
                conditions: n
                    .conditions_bad
                    .iter()
                    .map(|&(condition, reason)| NodeCondition {
                        condition: condition.to_owned(),
                        reason: reason.to_owned(),
                    })
                    .collect(),
            })
        })
        .collect();
    troubled.sort_by(|a, b| a.node.cmp(&b.node));
    troubled
}

fn highlights(pods: &[PodFacts<'_>]) -> Highlights {
    let count = |keep: &dyn Fn(&PodFacts<'_>) -> bool| pods.iter().filter(|p| keep(p)).count();
    let settled = AgeBucket::OlderThan(SETTLED_DAYS);
    Highlights {
        running: Share::of(count(&|p| p.status == "Running"), pods.len()),
        healthy: Share::of(count(&|p| p.healthy), pods.len()),
        no_restarts: !pods.is_empty() && pods.iter().all(|p| p.restart_count <= 0),
        older_than_30_days: Share::of(
            count(&|p| p.age.is_some_and(|age| settled.contains(age))),
            count(&|p| p.age.is_some()),
        ),
        healthy_namespaces: healthy_namespaces(pods),
        namespace_issues: namespace_issues(pods),
    }
}

fn healthy_namespaces(pods: &[PodFacts<'_>]) -> Vec<String> {
    let mut healthy: BTreeMap<&str, bool> = BTreeMap::new();
    for pod in pods {
        *healthy.entry(pod.namespace).or_insert(true) &= pod.healthy;
    }
    healthy
        .into_iter()
        .filter(|&(_, all_healthy)| all_healthy)
        .map(|(namespace, _)| namespace.to_owned())
        .collect()
}

fn namespace_issues(pods: &[PodFacts<'_>]) -> Vec<NamespaceIssue> {
    let mut issues: Vec<NamespaceIssue> = ranked(
        pods.iter()
            .filter(|p| p.ask != Ask::Nothing)
            .map(|p| (p.namespace, p.status, p.ask == Ask::CleanUp)),
    )
    .into_iter()
    .map(|((namespace, status, leftover), pods)| NamespaceIssue {
        namespace: namespace.to_owned(),
        status: status.to_owned(),
        leftover,
        pods,
    })
    .collect();
    // Stable: within a namespace the ranking (pods, then status) stays.
    issues.sort_by(|a, b| a.namespace.cmp(&b.namespace));
    issues
}
