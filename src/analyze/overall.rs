//! The cluster-wide judgement: the overall state and why, the strengths and issues of the
//! conclusion, and the long-term recommendations tied to what was found.
//!
//! The overall rule (documented in README):
//! - 🔴 `unhealthy` when a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet) with pods
//!   has none ready, or when unhealthy pods are more than `unhealthy_share` of all pods;
//! - 🟡 `attention` when any pod is not healthy;
//! - 🟢 `healthy` otherwise.

use std::collections::BTreeMap;

use crate::model::Node;

use super::Settings;
use super::statistics::NodeFacts;
use crate::locale::Catalog;
use crate::report::{Conclusions, Counts, Health, PodRow, ProblemCode, Recommendation};
use crate::report::{Restarter, Statistics, TroubledNode};

/// What the overall rule needs of one pod.
pub struct PodState<'a> {
    pub namespace: &'a str,
    /// `Kind/name` of the top workload.
    pub workload: Option<&'a str>,
    pub ready: bool,
    pub health: Health,
}

pub struct Overall {
    pub health: Health,
    pub reasons: Vec<String>,
}

/// The overall state and the sentences that explain it.
pub fn overall(pods: &[PodState], total: &Counts, settings: &Settings) -> Overall {
    let t = &settings.catalog;
    let mut reasons: Vec<String> = workloads_down(pods)
        .into_iter()
        .map(|(ns, w)| {
            t.text(
                "overall.reason_workload_down",
                &[("workload", w), ("namespace", ns)],
            )
        })
        .collect();
    let share = if total.pods == 0 {
        0.0
    } else {
        total.unhealthy as f64 / total.pods as f64
    };
    if share > settings.unhealthy_share {
        reasons.push(t.text(
            "overall.reason_unhealthy_share",
            &[
                ("share", &format!("{:.1}", share * 100.0)),
                ("limit", &format!("{:.0}", settings.unhealthy_share * 100.0)),
            ],
        ));
    }
    let health = if !reasons.is_empty() {
        Health::Unhealthy
    } else if total.not_healthy() > 0 {
        reasons.push(t.text(
            "overall.reason_problems",
            &[("count", &total.not_healthy().to_string())],
        ));
        Health::Attention
    } else {
        reasons.push(t.text("overall.reason_none", &[]));
        Health::Healthy
    };
    Overall { health, reasons }
}

/// Long-running workloads with pods, none of them ready, where some pod is unhealthy.
fn workloads_down<'a>(pods: &[PodState<'a>]) -> Vec<(&'a str, &'a str)> {
    let mut by_workload: BTreeMap<(&str, &str), (bool, bool)> = BTreeMap::new();
    for p in pods {
        let Some(w) = p.workload.filter(|w| is_long_running(w)) else {
            continue;
        };
        let entry = by_workload
            .entry((p.namespace, w))
            .or_insert((false, false));
        entry.0 |= p.ready;
        entry.1 |= p.health == Health::Unhealthy;
    }
    by_workload
        .into_iter()
        .filter(|(_, (any_ready, any_unhealthy))| !any_ready && *any_unhealthy)
        .map(|(key, _)| key)
        .collect()
}

fn is_long_running(workload: &str) -> bool {
    ["Deployment/", "StatefulSet/", "DaemonSet/", "ReplicaSet/"]
        .iter()
        .any(|k| workload.starts_with(k))
}

/// What statistics need to know of a node.
pub fn node_facts(node: &Node) -> NodeFacts<'_> {
    let conditions = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let ready = conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status == "True");
    let conditions_bad = conditions
        .iter()
        .filter(|c| (c.type_ == "Ready") != (c.status == "True"))
        .map(|c| (c.type_.as_str(), c.reason.as_deref().unwrap_or_default()))
        .collect();
    NodeFacts {
        name: node.metadata.name.as_deref().unwrap_or_default(),
        ready,
        conditions_bad,
        unschedulable: node
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false),
    }
}

/// Strengths (優點) and issues (問題) drawn from the data.
pub fn conclusions(stats: &Statistics, rows: &[PodRow], t: &Catalog) -> Conclusions {
    Conclusions {
        strengths: strengths(stats, t),
        issues: issues(stats, rows, t),
    }
}

fn strengths(stats: &Statistics, t: &Catalog) -> Vec<String> {
    let h = &stats.highlights;
    let mut out = Vec::new();
    if h.running.pods > 0 {
        out.push(t.text(
            "conclusion.running_share",
            &[("percent", &h.running.percent_text)],
        ));
    }
    if h.no_restarts {
        out.push(t.text("conclusion.no_restarts", &[]));
    } else if stats.restarts.pods_with_restarts * 10 <= stats.pods {
        let args = [
            ("pods", stats.restarts.pods_with_restarts.to_string()),
            ("total", stats.restarts.total.to_string()),
        ];
        out.push(t.text("conclusion.few_restarts", &as_args(&args)));
    }
    if h.older_than_30_days.percent >= 50.0 {
        out.push(t.text("conclusion.settled", &[]));
    }
    out.extend(
        h.healthy_namespaces
            .iter()
            .map(|ns| t.text("conclusion.namespace_healthy", &[("namespace", ns)])),
    );
    if stats.single_points.balanced && stats.pods > 0 {
        out.push(t.text("conclusion.balanced", &[]));
    }
    out
}

fn issues(stats: &Statistics, rows: &[PodRow], t: &Catalog) -> Vec<String> {
    let mut out: Vec<String> = stats
        .highlights
        .namespace_issues
        .iter()
        .map(|i| {
            let key = match (i.leftover, i.status.as_str()) {
                (true, "Completed") => "conclusion.namespace_leftover",
                (true, _) => "conclusion.namespace_leftover_other",
                (false, _) => "conclusion.namespace_issue",
            };
            let args = [
                ("namespace", i.namespace.clone()),
                ("pods", i.pods.to_string()),
                ("status", i.status.clone()),
            ];
            t.text(key, &as_args(&args))
        })
        .collect();
    for r in stats
        .restarts
        .top
        .iter()
        .filter(|r| is_notable_restarter(r, rows))
    {
        let args = [
            ("namespace", r.namespace.clone()),
            ("pod", r.name.clone()),
            ("restarts", r.restarts.to_string()),
        ];
        out.push(t.text("conclusion.restarts_top", &as_args(&args)));
    }
    let sp = &stats.single_points;
    for c in &sp.concentrated_workloads {
        let args = [
            ("workload", c.workload.clone()),
            ("namespace", c.namespace.clone()),
            ("pods", c.ready_pods.to_string()),
            ("node", c.node.clone()),
        ];
        out.push(t.text("conclusion.concentrated", &as_args(&args)));
    }
    for n in &sp.overloaded_nodes {
        let args = [
            ("node", n.node.clone()),
            ("pods", n.pods.to_string()),
            ("mean", format!("{:.1}", stats.nodes.mean_pods_per_node)),
        ];
        out.push(t.text("conclusion.overloaded", &as_args(&args)));
    }
    for n in &sp.troubled_nodes {
        out.push(t.text(
            "conclusion.troubled_node",
            &[("node", &n.node), ("conditions", &node_trouble(n, t))],
        ));
    }
    out
}

/// A restarter worth naming among the issues: one the health rules flagged for its recent
/// restarts, unless that is silenced. Pods are told apart by namespace: dev, stg and rel often hold same-named pods.
fn is_notable_restarter(restarter: &Restarter, rows: &[PodRow]) -> bool {
    let flagged = |r: &PodRow| {
        r.open_problems().any(|p| {
            matches!(
                p.code,
                ProblemCode::RestartsHigh | ProblemCode::RestartsElevated
            )
        })
    };
    restarter.restarts > 0
        && rows
            .iter()
            .any(|r| r.namespace == restarter.namespace && r.name == restarter.name && flagged(r))
}

fn node_trouble(n: &TroubledNode, t: &Catalog) -> String {
    let mut parts: Vec<String> = n
        .conditions
        .iter()
        .map(|c| format!("{} ({})", c.condition, c.reason))
        .collect();
    if n.ready == Some(false) && !n.conditions.iter().any(|c| c.condition == "Ready") {
        parts.push(t.text("conclusion.not_ready", &[]));
    }
    if n.unschedulable {
        parts.push(t.text("conclusion.cordoned", &[]));
    }
    parts.join(", ")
}

/// The long-term recommendations: the standing ones, and those tied to the open problems.
pub fn long_term(rows: &[PodRow], stats: &Statistics, t: &Catalog) -> Vec<Recommendation> {
    use ProblemCode::*;
    let found = |codes: &[ProblemCode]| {
        rows.iter()
            .any(|r| r.open_problems().any(|p| codes.contains(&p.code)))
    };
    let mut keys = vec!["inspection"];
    if found(&[
        LeftoverCompleted,
        Failed,
        FailedAttempt,
        Evicted,
        StuckTerminating,
        ShutdownLeftover,
        Rejected,
    ]) {
        keys.push("lifecycle");
    }
    if found(&[
        Failed,
        CrashLoop,
        RestartsHigh,
        RestartsElevated,
        NotReadyTooLong,
        SidecarBlocksJob,
    ]) {
        keys.push("alerting");
    }
    if found(&[OomKilled, OomKilledBefore]) {
        keys.push("resources");
    }
    if found(&[ImagePull]) {
        keys.push("images");
    }
    let capacity = [
        PendingTooLong,
        Rejected,
        NodeLost,
        NodeNotReady,
        NodeShutdown,
    ];
    if found(&capacity) || !stats.single_points.troubled_nodes.is_empty() {
        keys.push("capacity");
    }
    if !stats.single_points.concentrated_workloads.is_empty() {
        keys.push("availability");
    }
    keys.push("records");
    keys.into_iter()
        .map(|k| Recommendation {
            title: t.text(&format!("long_term.{k}.title"), &[]),
            points: t.list(&format!("long_term.{k}.points")),
        })
        .collect()
}

fn as_args<'a>(pairs: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};
    use serde_json::json;

    use crate::analyze::{Settings, report_of};
    use crate::locale::{Catalog, Lang};
    use crate::model::Snapshot;

    fn now() -> Timestamp {
        "2025-12-26T02:00:00Z".parse().unwrap()
    }

    /// A StatefulSet pod `api-0` of `namespace` that restarted 12 times, the last `days` ago.
    fn restarted(namespace: &str, days: i64) -> crate::model::Pod {
        let last = (now() - SignedDuration::from_hours(24 * days)).to_string();
        serde_json::from_value(json!({
            "metadata": {"name": "api-0", "namespace": namespace, "creationTimestamp": "2025-01-01T00:00:00Z",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "api",
                    "uid": "u", "controller": true}]},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": true,
                "restartCount": 12, "state": {"running": {"startedAt": last}},
                "lastState": {"terminated": {"exitCode": 1, "finishedAt": last}}}]}
        }))
        .unwrap()
    }

    #[test]
    fn same_named_pods_of_other_namespaces_are_not_named_for_anothers_restarts() {
        let snapshot = Snapshot {
            namespaces: vec!["dev".into(), "stg".into()],
            pods: vec![restarted("dev", 1), restarted("stg", 40)],
            ..Snapshot::default()
        };
        let settings = Settings::new(now(), "c".into(), Catalog::builtin(Lang::En));
        let report = report_of(&snapshot, &settings);
        let named: Vec<&String> = report
            .conclusions
            .issues
            .iter()
            .filter(|i| i.contains("api-0 restarted"))
            .collect();
        assert_eq!(named, ["dev/api-0 restarted 12 times: find out why"]);
    }
}
