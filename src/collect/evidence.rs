//! The pure decisions behind the evidence of a snapshot: which events concern the problem
//! pods, which log tails to read, and how a tail is cut.
//!
//! Evidence (events, logs) is read for problem pods only — the ones the pipeline names after
//! judging the pods — so a healthy cluster costs no extra API calls.

use std::collections::{BTreeSet, HashSet};

use crate::model::{Event, Pod, Workloads};

/// How much evidence to gather.
#[derive(Debug, Clone)]
pub struct EvidenceOptions {
    /// Log lines kept per container instance (`kubectl logs --tail`).
    pub log_lines: usize,
    /// Bytes read at most per container instance (`kubectl logs --limit-bytes`).
    pub log_bytes: usize,
    /// Pods whose logs are read at the same time.
    pub concurrency: usize,
}

impl Default for EvidenceOptions {
    /// 50 lines, 64 KiB, 4 pods at a time.
    fn default() -> Self {
        EvidenceOptions {
            log_lines: 50,
            log_bytes: 64 * 1024,
            concurrency: 4,
        }
    }
}

/// The kinds of owner whose events are evidence for their pods.
const OWNER_KINDS: [&str; 4] = ["ReplicaSet", "StatefulSet", "DaemonSet", "Job"];

/// The objects whose events are evidence: the problem pods, the ReplicaSets, StatefulSets,
/// DaemonSets and Jobs that own them, and the Deployments that own those ReplicaSets.
#[derive(Debug, Default)]
pub(crate) struct Targets {
    /// (kind, namespace, name).
    objects: HashSet<(String, String, String)>,
    /// The namespaces of the problem pods, sorted.
    namespaces: BTreeSet<String>,
}

impl Targets {
    /// `workloads` resolves ReplicaSet → Deployment; without them (not readable), a
    /// Deployment's events are not recognised, the rest are.
    pub fn new(problems: &[&Pod], workloads: &Workloads) -> Self {
        let mut targets = Targets::default();
        for pod in problems {
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let name = pod.metadata.name.clone().unwrap_or_default();
            targets.insert("Pod", &ns, &name);
            for owner in pod.metadata.owner_references.iter().flatten() {
                if OWNER_KINDS.contains(&owner.kind.as_str()) {
                    targets.insert(&owner.kind, &ns, &owner.name);
                }
                if owner.kind == "ReplicaSet" {
                    targets.insert_deployment_of(&ns, &owner.name, workloads);
                }
            }
            targets.namespaces.insert(ns.to_string());
        }
        targets
    }

    fn insert_deployment_of(&mut self, ns: &str, replica_set: &str, workloads: &Workloads) {
        let owners = workloads
            .replica_sets
            .iter()
            .filter(|rs| {
                rs.metadata.namespace.as_deref() == Some(ns)
                    && rs.metadata.name.as_deref() == Some(replica_set)
            })
            .flat_map(|rs| rs.metadata.owner_references.iter().flatten());
        let deployments: Vec<String> = owners
            .filter(|o| o.kind == "Deployment")
            .map(|o| o.name.to_string())
            .collect();
        for name in deployments {
            self.insert("Deployment", ns, &name);
        }
    }

    fn insert(&mut self, kind: &str, ns: &str, name: &str) {
        self.objects
            .insert((kind.to_owned(), ns.to_owned(), name.to_owned()));
    }

    /// Whether there is no problem pod at all.
    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
    }

    /// The namespaces that have problem pods, sorted.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.namespaces.iter().map(String::as_str)
    }

    /// Whether an event is about a problem pod or one of its owners (by kind, namespace, name).
    pub fn concerns(&self, event: &Event) -> bool {
        let object = &event.involved_object;
        let ns = object
            .namespace
            .as_ref()
            .or(event.metadata.namespace.as_ref());
        match (&object.kind, ns, &object.name) {
            (Some(kind), Some(ns), Some(name)) => {
                self.objects
                    .contains(&(kind.to_string(), ns.to_string(), name.to_string()))
            }
            _ => false,
        }
    }

    /// Whether an event might concern a problem pod or owner, before the pods are all known:
    /// the kinds that can.
    pub fn may_concern(event: &Event) -> bool {
        matches!(
            event.involved_object.kind.as_deref(),
            Some("Pod" | "ReplicaSet" | "Deployment" | "StatefulSet" | "DaemonSet" | "Job")
        )
    }
}

/// One log request: a container of a pod, current or previous instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogRequest {
    pub container: String,
    pub previous: bool,
}

/// The logs worth reading for a pod: every init container and container that has a status
/// (it has run, or tried to), and its previous instance when it restarted or terminated before.
pub(crate) fn log_requests(pod: &Pod) -> Vec<LogRequest> {
    let Some(status) = &pod.status else {
        return Vec::new();
    };
    let statuses = status
        .init_container_statuses
        .iter()
        .chain(status.container_statuses.iter())
        .flatten();
    let mut requests = Vec::new();
    for s in statuses {
        requests.push(LogRequest {
            container: s.name.to_string(),
            previous: false,
        });
        let terminated_before = s
            .last_state
            .as_ref()
            .is_some_and(|last| last.terminated.is_some());
        if s.restart_count > 0 || terminated_before {
            requests.push(LogRequest {
                container: s.name.to_string(),
                previous: true,
            });
        }
    }
    requests
}

/// The last `max_lines` lines of a log, invalid UTF-8 replaced (a byte cap may also cut a
/// character in two).
pub(crate) fn tail_lines(bytes: &[u8], max_lines: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let skip = lines.len().saturating_sub(max_lines);
    lines[skip..].iter().map(|l| (*l).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Workload;
    use serde_json::json;

    fn pod(value: serde_json::Value) -> Pod {
        serde_json::from_value(value).unwrap()
    }

    fn event(kind: &str, ns: &str, name: &str) -> Event {
        serde_json::from_value(json!({"metadata": {"name": "e", "namespace": ns},
            "involvedObject": {"kind": kind, "namespace": ns, "name": name}}))
        .unwrap()
    }

    fn crashing_pod_of_replicaset() -> Pod {
        pod(json!({"metadata": {"name": "web-1-a", "namespace": "ns",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u"}]},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running"}}))
    }

    fn workloads_with_deployment() -> Workloads {
        let rs: Workload = serde_json::from_value(json!({"metadata": {"name": "web-1", "namespace": "ns",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d"}]}}))
        .unwrap();
        Workloads {
            replica_sets: vec![rs],
            ..Workloads::default()
        }
    }

    #[test]
    fn events_of_a_problem_pod_and_its_owner_chain_concern_it() {
        let p = crashing_pod_of_replicaset();
        let targets = Targets::new(&[&p], &workloads_with_deployment());
        assert!(targets.concerns(&event("Pod", "ns", "web-1-a")));
        assert!(targets.concerns(&event("ReplicaSet", "ns", "web-1")));
        assert!(targets.concerns(&event("Deployment", "ns", "web")));
        assert!(!targets.concerns(&event("Pod", "ns", "other")));
        assert!(!targets.concerns(&event("Pod", "elsewhere", "web-1-a")));
        assert!(!targets.concerns(&event("Node", "ns", "web-1-a")));
        assert_eq!(targets.namespaces().collect::<Vec<_>>(), ["ns"]);
    }

    #[test]
    fn without_replicasets_the_deployment_is_not_recognised_but_the_rest_is() {
        let p = crashing_pod_of_replicaset();
        let targets = Targets::new(&[&p], &Workloads::default());
        assert!(targets.concerns(&event("ReplicaSet", "ns", "web-1")));
        assert!(!targets.concerns(&event("Deployment", "ns", "web")));
    }

    #[test]
    fn previous_logs_are_read_only_for_restarted_or_terminated_containers() {
        let p = pod(json!({"metadata": {"name": "p", "namespace": "ns"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}], "initContainers": [{"name": "i"}]},
            "status": {
                "initContainerStatuses": [{"name": "i", "image": "", "imageID": "", "ready": false, "restartCount": 0}],
                "containerStatuses": [
                    {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 3},
                    {"name": "b", "image": "", "imageID": "", "ready": false, "restartCount": 0,
                     "lastState": {"terminated": {"exitCode": 1}}}]}}));
        let asked: Vec<(String, bool)> = log_requests(&p)
            .into_iter()
            .map(|r| (r.container, r.previous))
            .collect();
        let expected = [
            ("i", false),
            ("a", false),
            ("a", true),
            ("b", false),
            ("b", true),
        ];
        assert_eq!(
            asked,
            expected.map(|(c, p)| (c.to_owned(), p)).to_vec(),
            "init containers first, previous after current"
        );
    }

    #[test]
    fn a_pod_without_container_statuses_needs_no_log_request() {
        let p = pod(json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}));
        assert!(log_requests(&p).is_empty());
    }

    #[test]
    fn a_tail_keeps_the_last_lines_and_tolerates_invalid_utf8() {
        let bytes = b"one\r\ntwo\nthr\xffee\nfour\n";
        assert_eq!(tail_lines(bytes, 2), ["thr\u{fffd}ee", "four"]);
        assert_eq!(tail_lines(bytes, 10).len(), 4);
        assert!(tail_lines(b"", 5).is_empty());
    }
}
