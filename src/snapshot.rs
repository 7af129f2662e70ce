//! The plain-data snapshot that [`crate::collect`] produces and [`crate::analyze`] reads.
//!
//! It holds only what the report needs: pods are slimmed (no managed fields, env, volumes...)
//! as they arrive, so a 10,000-pod cluster stays small in memory. A snapshot can be saved and a
//! report rebuilt from it, with no cluster.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use serde::{Deserialize, Serialize};

/// Everything read from a cluster (or a dump file) for one inspection.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// Where the data came from, for the report's title block.
    pub source: Source,
    /// The namespaces inspected, sorted; a namespace with no pods is still listed.
    pub namespaces: Vec<String>,
    /// The pods of those namespaces, slimmed, in namespace then name order.
    pub pods: Vec<Pod>,
}

/// Where a snapshot came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A live cluster: the kubeconfig context (if any) and the API server's URL.
    Cluster {
        context: Option<String>,
        server: String,
    },
    /// A dump file (`-` for standard input).
    Dump { path: String },
    /// Built in code (tests).
    #[default]
    Memory,
}

/// The reference time of an inspection: ages and dates are computed against it.
pub type Now = Timestamp;
