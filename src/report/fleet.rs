//! The fleet report: several clusters' reports in one, the top-level type of `kube-patrol
//! report`/`run` over several clusters and of `kube-patrol merge`.
//!
//! Each cluster is stored once, as the full report its own run makes (today's JSON, unchanged),
//! or as the reason it could not be read. The fleet summary and the fleet-wide problem table are
//! derived from them when rendering, never stored twice.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Report, SCHEMA_VERSION, Tool};
use crate::locale::Lang;

/// The JSON Schema of the fleet report's JSON; `schema/fleet.schema.json` in the repository is
/// a copy a test keeps in step.
pub fn fleet_json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(FleetReport)).unwrap_or_default()
}

/// Several clusters inspected at one time, in the order they were asked for.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FleetReport {
    /// The version of the JSON format, shared with the cluster reports it holds:
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The fleet's reference time, RFC 3339 in UTC: the run's time, or for `merge` the newest
    /// of the merged reports'.
    pub generated_at: Timestamp,
    /// The tool that made the fleet report.
    pub tool: Tool,
    pub lang: Lang,
    /// One entry per cluster: its full report, or why it could not be read.
    pub clusters: Vec<ClusterEntry>,
}

/// One cluster of the fleet: its report (as `-o json` writes it for that cluster alone), or an
/// object `{cluster, reason}` when it could not be read.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ClusterEntry {
    Report(Box<Report>),
    Unread(UnreadCluster),
}

/// A cluster that could not be read: its row in the fleet summary says why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnreadCluster {
    /// The cluster's display name.
    pub cluster: String,
    /// Why it could not be read, one line (e.g. the API server refused the connection).
    pub reason: String,
}

impl ClusterEntry {
    /// The cluster's display name.
    pub fn name(&self) -> &str {
        match self {
            ClusterEntry::Report(report) => &report.cluster,
            ClusterEntry::Unread(unread) => &unread.cluster,
        }
    }

    /// The report, when the cluster was read.
    pub fn report(&self) -> Option<&Report> {
        match self {
            ClusterEntry::Report(report) => Some(report),
            ClusterEntry::Unread(_) => None,
        }
    }
}

impl FleetReport {
    /// A fleet of `clusters` at `generated_at`, made by this version of kube-patrol.
    pub fn new(generated_at: Timestamp, lang: Lang, clusters: Vec<ClusterEntry>) -> Self {
        FleetReport {
            schema_version: SCHEMA_VERSION,
            generated_at,
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            lang,
            clusters,
        }
    }

    /// The reports of the clusters that were read, in order.
    pub fn reports(&self) -> impl Iterator<Item = &Report> {
        self.clusters.iter().filter_map(ClusterEntry::report)
    }

    /// Some cluster could not be read, or some cluster's report is partial.
    pub fn partial(&self) -> bool {
        self.clusters
            .iter()
            .any(|c| c.report().is_none_or(|r| r.partial))
    }
}
