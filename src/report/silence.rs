//! Silences: known problems that a team acknowledged, each with a reason, an owner and an end
//! (`pods[].silenced`, `pods[].silence_expired`, `silences[]`; README's "Silences").

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Health, Owner, PodRow, Problem, ProblemCode};
use crate::model::Str;

/// Where a silence is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SilenceSource {
    /// An entry of the config file's `silences:` list: the file as given to `--config`, and
    /// the entry's first line.
    Config { file: String, line: usize },
    /// The `kube-patrol.io/silence` annotation of a pod, or of an owner in a pod's chain (a
    /// Deployment, its ReplicaSet, a CronJob...).
    Annotation { namespace: Str, object: Owner },
}

/// A silence applied to one pod: `pods[].silenced` (in force) or `pods[].silence_expired` (it
/// ended, and the problems it covered are back in the report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PodSilence {
    pub reason: String,
    pub owner: String,
    /// As written: a date (`2026-01-15`: through the end of that day in the report's time
    /// zone) or an RFC 3339 time.
    pub until: String,
    /// The moment the silence ends, RFC 3339 in UTC.
    pub ends_at: Timestamp,
    pub source: SilenceSource,
    /// The pod's problems it covers; the pod's other problems stay in the report.
    pub problems: Vec<ProblemCode>,
}

/// What became of a silence in this report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SilenceState {
    /// In force, ending more than 7 days after the report's time.
    Active,
    /// In force, ending within 7 days: a reminder to its owner.
    Expiring,
    /// Ended: the problems it covered are in the report again, marked.
    Expired,
    /// A config entry in force that covers no problem pod: remove it, or it rots.
    Unused,
    /// An annotation that could not be read (or asks for more than `silence_max`): ignored.
    Invalid,
}

/// One silence of the config or of the cluster: `silences[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SilenceEntry {
    /// The namespace glob of a config entry; the object's namespace for an annotation.
    pub namespace: Option<String>,
    /// The pod name glob of a config entry; the pod's name for a pod's annotation.
    pub pod: Option<String>,
    /// `Kind/name`, matched along the owner chain; the object for a workload's annotation.
    pub workload: Option<String>,
    /// The problem codes it covers; empty: every problem.
    pub problems: Vec<ProblemCode>,
    pub reason: String,
    pub owner: String,
    /// As written (see [`PodSilence::until`]); empty when an invalid annotation lacks it.
    pub until: String,
    /// The moment it ends, RFC 3339 in UTC; absent for an invalid annotation.
    pub ends_at: Option<Timestamp>,
    pub source: SilenceSource,
    pub state: SilenceState,
    /// The problem pods it covers (or covered, before it expired), whether or not another
    /// silence of the same pod came first.
    pub matched: usize,
    /// An invalid annotation's value as written, and what is wrong with it (one line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PodRow {
    /// The problems no silence covers, most severe first: what the report's tables, overall
    /// state, actions and summary counts go by.
    pub fn open_problems(&self) -> impl Iterator<Item = &Problem> {
        let silenced = self.silenced.as_ref().map(|s| &s.problems[..]);
        self.problems
            .iter()
            .filter(move |p| silenced.is_none_or(|codes| !codes.contains(&p.code)))
    }

    /// The tier of the open problems: [`PodRow::health`] when nothing is silenced.
    pub fn open_health(&self) -> Health {
        if self.silenced.is_none() {
            return self.health;
        }
        self.open_problems()
            .map(|p| p.severity.health())
            .max()
            .unwrap_or(Health::Healthy)
    }

    /// Every problem of the pod is silenced: it leaves the tables for the 🔕 section.
    pub fn is_silenced(&self) -> bool {
        self.silenced.is_some() && self.open_problems().next().is_none()
    }
}
