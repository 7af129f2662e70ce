//! The history: one line per archived report, newest first, for the history section and the
//! tiles' changes since the last report.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Counts, Health};

/// One report as its readers saw it: an element of the JSON's `history[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryPoint {
    /// The report's reference time, RFC 3339 in UTC.
    pub generated_at: Timestamp,
    pub overall: Health,
    /// Its pods by health, and the sum of their RESTARTS.
    #[serde(flatten)]
    pub counts: Counts,
    /// Pods not healthy (attention + unhealthy).
    pub not_healthy: usize,
    /// Problems new since the report before it; absent when it had no trend.
    pub new_problems: Option<usize>,
    /// Problems resolved since the report before it; absent when it had no trend.
    pub resolved: Option<usize>,
    /// Evidence was missing from it.
    #[serde(default)]
    pub partial: bool,
}
