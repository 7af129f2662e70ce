//! What to do about a problem pod: the advice sentence, the short advice of the summary table,
//! and the kubectl commands an operator would paste.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Severity;

/// One immediate action (the seed's 立即處理建議).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Action {
    pub priority: Severity,
    pub namespace: String,
    pub pod: String,
    pub title: String,
    /// The 建議 sentence of the analysis.
    pub advice: String,
    /// The 建議處理 cell of the summary table.
    pub short: String,
    pub commands: Vec<CommandLine>,
}

/// A command with the comment that says what it is for.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CommandLine {
    pub comment: String,
    pub command: String,
}
