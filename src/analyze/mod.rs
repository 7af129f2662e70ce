//! Pure analysis: from a [`Snapshot`] and the reference time to a [`Report`].

pub mod columns;
pub mod duration;
pub mod health;
pub mod statistics;

use jiff::Timestamp;

use crate::report::{Counts, Health, NamespaceSummary, PodRow, Report, Summary, Tool};
use crate::snapshot::Snapshot;
pub use health::Rules;

/// What the analysis needs besides the snapshot.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The reference time for ages and durations.
    pub now: Timestamp,
    /// The cluster's display name for the title block.
    pub cluster: String,
    pub rules: Rules,
}

/// Builds the report of a snapshot.
pub fn analyze(snapshot: &Snapshot, settings: &Settings) -> Report {
    let pods: Vec<PodRow> = snapshot
        .pods
        .iter()
        .map(|pod| {
            let cols = columns::pod_columns(pod, settings.now);
            let health = health::assess(pod, &cols, settings.now, &settings.rules).health;
            PodRow {
                namespace: pod.metadata.namespace.clone().unwrap_or_default(),
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
                health,
            }
        })
        .collect();
    let namespaces = namespace_summaries(&snapshot.namespaces, &pods);
    let mut total = Counts::default();
    pods.iter().for_each(|p| total.add(p));
    Report {
        generated_at: settings.now.to_string(),
        tool: Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        source: snapshot.source.clone(),
        cluster: settings.cluster.clone(),
        summary: Summary {
            not_healthy: total.not_healthy(),
            overall: overall(&total),
            counts: total,
        },
        namespaces,
        pods,
    }
}

fn namespace_summaries(names: &[String], pods: &[PodRow]) -> Vec<NamespaceSummary> {
    names
        .iter()
        .map(|name| {
            let mut counts = Counts::default();
            pods.iter()
                .filter(|p| &p.namespace == name)
                .for_each(|p| counts.add(p));
            NamespaceSummary {
                name: name.clone(),
                not_healthy: counts.not_healthy(),
                counts,
            }
        })
        .collect()
}

/// The overall state: healthy when every pod is; otherwise attention, unless unhealthy pods
/// are a large share of all pods.
fn overall(total: &Counts) -> Health {
    if total.not_healthy() == 0 {
        Health::Healthy
    } else if total.unhealthy * 5 > total.pods {
        Health::Unhealthy
    } else {
        Health::Attention
    }
}

/// Whether a pod is a problem that deserves evidence (events, logs): [`crate::collect`] asks
/// this so it fetches evidence for problem pods only.
pub fn needs_evidence(pod: &k8s_openapi::api::core::v1::Pod, now: Timestamp, rules: &Rules) -> bool {
    let cols = columns::pod_columns(pod, now);
    health::assess(pod, &cols, now, rules).health != Health::Healthy
}
