//! Who owns a pod.

use std::sync::Arc;

use schemars::JsonSchema;

use crate::model::Str;
use serde::{Deserialize, Serialize};

/// One link of an owner chain.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct Owner {
    pub kind: Str,
    pub name: Str,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct OwnerInfo {
    pub chain: Vec<Owner>,
    /// The top workload (`Deployment`, `StatefulSet`, `DaemonSet`, `CronJob`, ...).
    pub workload: Option<Owner>,
    /// Its label selector in kubectl's syntax.
    pub selector: Option<Arc<str>>,
    /// For an ended pod of an old ReplicaSet: the current ReplicaSet's pod that replaced it.
    pub replacement: Option<Replacement>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Replacement {
    pub name: String,
    /// HumanDuration since it was created.
    pub age: String,
    pub age_seconds: i64,
}
