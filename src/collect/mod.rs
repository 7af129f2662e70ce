//! The only stage that talks to the API server or reads a dump: it turns either into a
//! [`Snapshot`] of plain data.

mod dump;
mod evidence;
mod list;
mod live;
mod logs;
mod objects;
mod retry;
mod select;

use std::collections::BTreeSet;
use std::io::Read;

pub use evidence::EvidenceOptions;
pub use live::{Cluster, ClusterOptions, DEFAULT_REQUEST_TIMEOUT, connect};
pub use retry::RetryPolicy;
pub use select::{NamespaceMatcher, NamespaceSelection, split_patterns};

use crate::model::{Event, HasMeta, Missing, Node, Pod, Snapshot, Source, Workloads};

/// Why a snapshot could not be collected.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no namespace chosen: pass -n NAMESPACE (names or globs such as 'pigo-*') or -A")]
    NoNamespace,
    #[error("namespace '{0}' not found (check the name with `kubectl get namespaces`)")]
    UnknownNamespace(String),
    #[error("no namespace matches '{0}' (check the pattern with `kubectl get namespaces`)")]
    NoNamespaceMatches(String),
    #[error("bad namespace pattern '{0}': {1}")]
    BadPattern(String, String),
    #[error("cannot read dump file {path}: {source}")]
    DumpRead {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("dump file {path} is not kubectl JSON output (`kubectl get ... -o json`): {source}")]
    DumpParse {
        path: String,
        #[source]
        source: dump::DumpError,
    },
    #[error("no Kubernetes configuration: {0}")]
    Config(String),
    #[error("failed to {action}: {message}")]
    Api { action: String, message: String },
}

impl Error {
    /// Whether the error comes from the input (flags, files, kubeconfig), as opposed to the
    /// cluster's answer.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, Error::Api { .. })
    }
}

/// Reads a dump file (`-` for standard input) into a snapshot of the selected namespaces.
///
/// Besides the pods: the workloads of those namespaces, every node, and the events of the
/// kinds that may concern a problem pod; [`add_dump_evidence`] keeps those of the problem
/// pods once the pipeline has judged them.
///
/// # Errors
/// The file cannot be read or is not a kubectl JSON dump; the selection names a namespace the
/// dump does not have.
pub fn from_dump(path: &str, selection: &NamespaceSelection) -> Result<Snapshot, Error> {
    let reader: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(|source| Error::DumpRead {
            path: path.to_owned(),
            source,
        })?;
        Box::new(std::io::BufReader::new(file))
    };
    from_dump_reader(reader, path, selection)
}

/// The evidence a dump has for the `problems` pods: their events and their owners', the
/// others dropped. A dump has no logs: when some pod needs evidence, `missing` says so.
pub fn add_dump_evidence(snapshot: &mut Snapshot, problems: &[&Pod]) {
    let targets = evidence::Targets::new(problems, &snapshot.workloads);
    snapshot.events.retain(|e| targets.concerns(e));
    if !problems.is_empty() {
        snapshot.missing.push(Missing {
            what: "logs".to_owned(),
            namespace: None,
            reason: crate::model::NO_LOGS_IN_DUMP.to_owned(),
        });
    }
}

/// Like [`from_dump`], from any reader; `path` names the input in errors.
///
/// # Errors
/// As [`from_dump`].
pub fn from_dump_reader(
    reader: impl Read,
    path: &str,
    selection: &NamespaceSelection,
) -> Result<Snapshot, Error> {
    let mut collector = DumpCollector {
        matcher: selection.matcher()?,
        seen: BTreeSet::new(),
        pods: Vec::new(),
        workloads: Workloads::default(),
        events: Vec::new(),
        nodes: Vec::new(),
    };
    dump::read_items(reader, &mut |item| collector.take(item)).map_err(|source| match source {
        dump::DumpError::Json(e) if e.is_io() => Error::DumpRead {
            path: path.to_owned(),
            source: e.into(),
        },
        source => Error::DumpParse {
            path: path.to_owned(),
            source,
        },
    })?;
    collector.finish(path, selection)
}

/// The selected objects of a dump, slimmed as they stream in.
struct DumpCollector {
    matcher: NamespaceMatcher,
    /// Every namespace the dump mentions: those a `-n` name may refer to.
    seen: BTreeSet<String>,
    pods: Vec<Pod>,
    workloads: Workloads,
    /// The events of selected namespaces about kinds that may own a problem pod; filtered by
    /// the problem pods once they are all known.
    events: Vec<Event>,
    nodes: Vec<Node>,
}

impl DumpCollector {
    fn take(&mut self, item: dump::Item) {
        use dump::Item;
        if let Item::Node(node) = item {
            self.nodes.push(*node);
            return;
        }
        let ns = item.namespace();
        if !self.seen.contains(ns) {
            self.seen.insert(ns.to_owned());
        }
        if !self.matcher.matches(ns) {
            return;
        }
        let w = &mut self.workloads;
        match item {
            Item::Pod(o) => self.pods.push(*o),
            Item::ReplicaSet(o) => w.replica_sets.push(*o),
            Item::Deployment(o) => w.deployments.push(*o),
            Item::StatefulSet(o) => w.stateful_sets.push(*o),
            Item::DaemonSet(o) => w.daemon_sets.push(*o),
            Item::Job(o) => w.jobs.push(*o),
            Item::CronJob(o) => w.cron_jobs.push(*o),
            Item::Event(o) if evidence::Targets::may_concern(&o) => self.events.push(*o),
            Item::Event(_) | Item::Namespace(_) | Item::Node(_) => {}
        }
    }

    fn finish(self, path: &str, selection: &NamespaceSelection) -> Result<Snapshot, Error> {
        let namespaces = if selection.all {
            // With -A, the namespaces of a dump are those that have pods.
            pods_namespaces(&self.pods)
        } else {
            selection.resolve(&self.seen.into_iter().collect::<Vec<_>>())?
        };
        let chosen = |ns: &str| namespaces.iter().any(|n| n == ns);
        let mut pods = self.pods;
        pods.retain(|p| chosen(p.namespace()));
        sort_pods(&mut pods);
        let mut events = self.events;
        events.retain(|e| chosen(e.namespace()));
        Ok(Snapshot {
            source: Source::Dump {
                path: path.to_owned(),
            },
            namespaces,
            pods,
            workloads: sorted(self.workloads),
            nodes: self.nodes,
            events,
            ..Snapshot::default()
        })
    }
}

/// Workloads in namespace then name order, as the live path lists them.
fn sorted(mut w: Workloads) -> Workloads {
    fn by_name<K: HasMeta>(objects: &mut [K]) {
        objects.sort_by(|a, b| (a.namespace(), a.name()).cmp(&(b.namespace(), b.name())));
    }
    by_name(&mut w.replica_sets);
    by_name(&mut w.deployments);
    by_name(&mut w.stateful_sets);
    by_name(&mut w.daemon_sets);
    by_name(&mut w.jobs);
    by_name(&mut w.cron_jobs);
    w
}

fn pods_namespaces(pods: &[Pod]) -> Vec<String> {
    let mut names: Vec<String> = pods
        .iter()
        .filter_map(|p| p.metadata.namespace.as_deref().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Namespace then name: the order of `kubectl get pods -A`.
fn sort_pods(pods: &mut [Pod]) {
    pods.sort_by(|a, b| {
        (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = r#"{"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ok", "namespace": "a"},
         "spec": {"containers": [{"name": "c"}]},
         "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
           "containerStatuses": [{"name": "c", "image": "", "imageID": "", "ready": true,
             "restartCount": 0, "state": {"running": {}}}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "b"}},
        {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "a"},
         "involvedObject": {"kind": "Pod", "name": "ok", "namespace": "a"}},
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "annotations": {"x": "y"}}}
    ]}"#;

    fn read(namespaces: &[&str]) -> Snapshot {
        let selection = NamespaceSelection {
            include: namespaces.iter().map(|s| s.to_string()).collect(),
            ..NamespaceSelection::default()
        };
        from_dump_reader(DUMP.as_bytes(), "dump.json", &selection).unwrap()
    }

    #[test]
    fn a_dump_of_healthy_pods_misses_no_logs_and_keeps_no_events() {
        let mut snapshot = read(&["a"]);
        add_dump_evidence(&mut snapshot, &[]);
        assert_eq!(snapshot.pods.len(), 1);
        assert!(snapshot.missing.is_empty(), "{:?}", snapshot.missing);
        assert!(snapshot.events.is_empty());
        assert!(
            snapshot.workloads.deployments.is_empty(),
            "namespace b is not selected"
        );
        assert_eq!(snapshot.nodes.len(), 1);
        assert_eq!(snapshot.nodes[0].metadata.name.as_deref(), Some("n"));
    }

    #[test]
    fn a_namespace_with_workloads_but_no_pods_exists_in_a_dump() {
        let snapshot = read(&["b"]);
        assert_eq!(snapshot.namespaces, ["b"]);
        assert!(snapshot.pods.is_empty());
        assert_eq!(snapshot.workloads.deployments.len(), 1);
    }
}
