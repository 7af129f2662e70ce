//! Who owns a pod: the owner chain (ReplicaSet → Deployment, Job → CronJob, StatefulSet,
//! DaemonSet), the workload's label selector, its readiness, and — for an ended pod of an old
//! ReplicaSet — the current ReplicaSet's pod that replaced it.
//!
//! Works with what the snapshot has: when the account could not read ReplicaSets, a
//! Deployment's name is inferred from the `pod-template-hash` label, as kubectl users do.

use crate::model::{LabelSelector, ObjectMeta, OwnerReference, Pod, Str, Workload, find};
use jiff::Timestamp;

use super::context::Context;
use crate::model::Workloads;
pub use crate::report::Owner;

impl Owner {
    fn new(kind: &str, name: &str) -> Self {
        Owner {
            kind: kind.into(),
            name: name.into(),
        }
    }

    /// `deployment/pigo-cron`: the form kubectl takes (`kubectl rollout status deployment/x`).
    pub fn kubectl_ref(&self) -> String {
        format!("{}/{}", self.kind.to_lowercase(), self.name)
    }
}

/// The pod's controllers from nearest to top: `[ReplicaSet x-5f4, Deployment x]`.
pub fn owner_chain(pod: &Pod, workloads: &Workloads) -> Vec<Owner> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    let Some(first) = controller_of(&pod.metadata) else {
        return Vec::new();
    };
    let mut chain = vec![Owner::new(&first.kind, &first.name)];
    match first.kind.as_str() {
        "ReplicaSet" => {
            let parent = find(&workloads.replica_sets, namespace, &first.name)
                .and_then(|rs| controller_of(&rs.metadata).map(|o| Owner::new(&o.kind, &o.name)))
                .or_else(|| inferred_deployment(pod, &first.name, workloads));
            chain.extend(parent);
        }
        "Job" => {
            let parent = find(&workloads.jobs, namespace, &first.name)
                .and_then(|job| controller_of(&job.metadata).map(|o| Owner::new(&o.kind, &o.name)));
            chain.extend(parent);
        }
        _ => {}
    }
    chain
}

/// When ReplicaSets could not be read: `x-5f46454c7b` with `pod-template-hash=5f46454c7b`
/// belongs to Deployment `x`, if that Deployment is known or nothing contradicts it.
fn inferred_deployment(pod: &Pod, rs_name: &str, workloads: &Workloads) -> Option<Owner> {
    let hash = pod.metadata.labels.as_ref()?.get("pod-template-hash")?;
    let name = rs_name.strip_suffix(&format!("-{hash}"))?;
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    let known = find(&workloads.deployments, namespace, name).is_some();
    (known || workloads.deployments.is_empty()).then(|| Owner::new("Deployment", name))
}

/// The label selector of the top workload, as `kubectl get pods -l` takes it; else the pod's
/// own labels without the per-revision hashes.
pub fn selector(pod: &Pod, chain: &[Owner], workloads: &Workloads) -> Option<String> {
    workload_selector(pod, chain.last()?, workloads)
        .and_then(selector_text)
        .or_else(|| labels_without_hashes(pod))
}

/// The label selector of a pod's top workload, when the snapshot has the workload.
pub fn workload_selector<'a>(
    pod: &Pod,
    top: &Owner,
    workloads: &'a Workloads,
) -> Option<&'a LabelSelector> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    match top.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            find(workloads.of_kind(&top.kind), namespace, &top.name)
                .and_then(|w| w.spec.selector.as_ref())
        }
        _ => None,
    }
}

/// kubectl's selector syntax: `app=x,tier in (a,b),!legacy`.
pub fn selector_text(selector: &LabelSelector) -> Option<String> {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flat_map(|labels| labels.iter())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in selector.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.to_string(),
            _ => format!("!{}", e.key),
        });
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

/// A pod's own labels as a selector, without the per-revision hashes.
pub fn labels_without_hashes(pod: &Pod) -> Option<String> {
    const PER_REVISION: [&str; 4] = [
        "pod-template-hash",
        "controller-revision-hash",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
    ];
    let labels = pod.metadata.labels.as_ref()?;
    let parts: Vec<String> = labels
        .iter()
        .filter(|(k, _)| !PER_REVISION.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    (!parts.is_empty()).then(|| parts.join(","))
}

/// The pod that replaced an ended pod of an old ReplicaSet: a pod of the Deployment's newest
/// ReplicaSet (highest revision), preferring a ready one, then a running one, then the oldest
/// ([`Context::replacement_in`] keeps the best pod of each ReplicaSet).
pub fn replacement<'a>(
    pod: &Pod,
    chain: &[Owner],
    workloads: &Workloads,
    context: &'a Context,
) -> Option<&'a Candidate> {
    let [rs, deployment] = chain else {
        return None;
    };
    if rs.kind != "ReplicaSet" || deployment.kind != "Deployment" {
        return None;
    }
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    let newest = newest_replica_set(&workloads.replica_sets, namespace, &deployment.name)?;
    let newest_name = newest.metadata.name.as_deref()?;
    if newest_name == rs.name {
        return None;
    }
    context.replacement_in(namespace, newest_name)
}

/// A pod that may replace an ended one: the best of its ReplicaSet by [`Candidate::rank`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: Str,
    pub created: Option<Timestamp>,
    /// Ready first, then running, then the oldest: the smallest rank wins.
    pub rank: (bool, bool, Option<Timestamp>),
}

impl Candidate {
    pub fn of(pod: &Pod) -> Self {
        Candidate {
            name: pod.metadata.name.clone().unwrap_or_default(),
            created: created(pod),
            rank: (!is_ready(pod), !is_running(pod), created(pod)),
        }
    }
}

fn newest_replica_set<'a>(
    sets: &'a [Workload],
    namespace: &str,
    deployment: &str,
) -> Option<&'a Workload> {
    sets.iter()
        .filter(|rs| rs.metadata.namespace.as_deref() == Some(namespace))
        .filter(|rs| {
            controller_of(&rs.metadata)
                .is_some_and(|o| o.kind == "Deployment" && o.name == deployment)
        })
        .max_by_key(|rs| (rs.revision(), created_meta(&rs.metadata)))
}

pub(crate) fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    let owners = meta.owner_references.as_ref()?;
    owners
        .iter()
        .find(|o| o.controller == Some(true))
        .or_else(|| owners.first())
}

fn is_ready(pod: &Pod) -> bool {
    let conditions = pod.status.as_ref().and_then(|s| s.conditions.as_deref());
    conditions
        .unwrap_or_default()
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

fn is_running(pod: &Pod) -> bool {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
}

fn created(pod: &Pod) -> Option<Timestamp> {
    created_meta(&pod.metadata)
}

fn created_meta(meta: &ObjectMeta) -> Option<Timestamp> {
    meta.creation_timestamp.as_ref().map(|t| t.0)
}

#[cfg(test)]
mod tests;
