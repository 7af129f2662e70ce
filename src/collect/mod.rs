//! The only stage that talks to the API server or reads a dump: it turns either into a
//! [`Snapshot`] of plain data.

mod dump;
mod live;
mod select;
mod slim;

use std::io::Read;

use k8s_openapi::api::core::v1::Pod;
pub use live::{ClusterOptions, connect, from_cluster};
pub use select::{NamespaceSelection, split_patterns};
pub use slim::{
    slim_cron_job, slim_daemon_set, slim_deployment, slim_event, slim_job, slim_node, slim_pod,
    slim_replica_set, slim_stateful_set,
};

use crate::snapshot::{Snapshot, Source};

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

/// Like [`from_dump`], from any reader; `path` names the input in errors.
///
/// # Errors
/// As [`from_dump`].
pub fn from_dump_reader(
    reader: impl Read,
    path: &str,
    selection: &NamespaceSelection,
) -> Result<Snapshot, Error> {
    let mut seen = Vec::new();
    let mut pods = Vec::new();
    let matcher = selection.matcher()?;
    dump::read_items(reader, &mut |item| match item {
        dump::Item::Pod(pod) => {
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            if matcher.matches(&ns) {
                pods.push(slim_pod(*pod));
            }
            seen.push(ns);
        }
        dump::Item::Namespace(ns) => seen.push(ns),
    })
    .map_err(|source| match source {
        dump::DumpError::Json(e) if e.is_io() => Error::DumpRead {
            path: path.to_owned(),
            source: e.into(),
        },
        source => Error::DumpParse {
            path: path.to_owned(),
            source,
        },
    })?;
    seen.sort();
    seen.dedup();
    let namespaces = if selection.all {
        // With -A, the namespaces of a dump are those that have pods.
        let mut with_pods = pods_namespaces(&pods);
        with_pods.retain(|ns| matcher.matches(ns));
        with_pods
    } else {
        selection.resolve(&seen)?
    };
    pods.retain(|p| namespaces.contains(p.metadata.namespace.as_ref().unwrap_or(&String::new())));
    sort_pods(&mut pods);
    Ok(Snapshot {
        source: Source::Dump {
            path: path.to_owned(),
        },
        namespaces,
        pods,
        ..Snapshot::default()
    })
}

fn pods_namespaces(pods: &[Pod]) -> Vec<String> {
    let mut names: Vec<String> = pods
        .iter()
        .filter_map(|p| p.metadata.namespace.clone())
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
