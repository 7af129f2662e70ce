//! Judging every pod once: its kubectl cells, its owner chain and the health rules' verdict.
//! The pipeline asks which pods are problems (to read their evidence), then the report is
//! built from the same judgement: no pod is judged twice.

use super::Settings;
use super::columns::{self, PodColumns};
use super::context::Context;
use super::health::{self, Assessment, Case};
use super::owners::{self, Owner};
use crate::model::Snapshot;
use crate::report::Health;

/// One pod's cells, owner chain and verdict.
#[derive(Debug, Clone)]
pub struct Judged {
    pub cols: PodColumns,
    /// Nearest owner first.
    pub chain: Vec<Owner>,
    pub assessment: Assessment,
}

/// The verdicts of a snapshot's pods, in its order, and what was known around them.
#[derive(Debug)]
pub struct Judgement {
    pub pods: Vec<Judged>,
    pub context: Context,
}

impl Judgement {
    /// The indices (into the snapshot's pods) of the pods that are not healthy: the ones
    /// whose evidence (events, logs) is worth reading.
    pub fn problems(&self) -> Vec<usize> {
        self.pods
            .iter()
            .enumerate()
            .filter(|(_, j)| j.assessment.health != Health::Healthy)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Judges every pod of a snapshot (its pods, workloads and nodes; events and logs are not
/// read).
pub fn judge(snapshot: &Snapshot, settings: &Settings) -> Judgement {
    let context = Context::of(snapshot);
    let pods = snapshot
        .pods
        .iter()
        .map(|pod| {
            let cols = columns::pod_columns_as(pod, settings.now, settings.kubernetes_version);
            let chain = owners::owner_chain(pod, &snapshot.workloads);
            let case = Case {
                pod,
                cols: &cols,
                chain: &chain,
                context: &context,
            };
            let assessment = health::assess(&case, settings.now, &settings.rules);
            Judged {
                cols,
                chain,
                assessment,
            }
        })
        .collect();
    Judgement { pods, context }
}
