//! Judging every pod once: its kubectl cells, its owner chain and the health rules' verdict.
//! The pipeline asks which pods are problems (to read their evidence), then the report is
//! built from the same judgement: no pod is judged twice.
//!
//! Judging takes the pods out of the snapshot: a healthy pod's facts are not needed once it is
//! judged, so only what its table row and the statistics read is kept (its cells, owners,
//! creation time and node); a problem pod is kept whole, for its evidence and advice. On a big
//! cluster this is what bounds memory: the pods are dropped one by one as they are judged.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::Settings;
use super::columns::{self, PodColumns};
use super::context::Context;
use super::health::{self, Assessment, Case};
use super::owners::{self, Owner};
use super::pod;
use crate::model::{Pod, Snapshot, Str, Workloads};
use crate::report::Health;

/// One pod's cells, owner chain and verdict, and the facts the report reads after judging.
#[derive(Debug, Clone)]
pub struct Judged {
    pub cols: PodColumns,
    pub namespace: Str,
    /// Nearest owner first.
    pub chain: Vec<Owner>,
    /// The top workload's label selector in kubectl's syntax (shared by its pods).
    pub selector: Option<Arc<str>>,
    pub created: Option<Timestamp>,
    /// `spec.nodeName`.
    pub node: Option<Str>,
    pub assessment: Assessment,
    /// The pod itself when it is not healthy: its evidence and advice read it.
    pub pod: Option<Box<Pod>>,
}

impl Judged {
    pub fn is_problem(&self) -> bool {
        self.assessment.health != Health::Healthy
    }
}

/// The verdicts of a snapshot's pods, in its order, and what was known around them.
#[derive(Debug)]
pub struct Judgement {
    pub pods: Vec<Judged>,
    pub context: Context,
}

impl Judgement {
    /// The pods that are not healthy: the ones whose evidence (events, logs) is worth reading.
    pub fn problem_pods(&self) -> Vec<&Pod> {
        self.pods.iter().filter_map(|j| j.pod.as_deref()).collect()
    }
}

/// Judges every pod of a snapshot (its pods, workloads and nodes; events and logs are not
/// read), taking the pods out of it: the snapshot keeps its workloads, nodes and events. Each
/// healthy pod is dropped once judged.
pub fn judge(snapshot: &mut Snapshot, settings: &Settings) -> Judgement {
    let context = Context::of(snapshot);
    let mut selectors = Selectors::default();
    let pods = std::mem::take(&mut snapshot.pods)
        .into_iter()
        .map(|pod| {
            let mut verdict = judge_pod(&pod, snapshot, &context, &mut selectors, settings);
            if verdict.is_problem() {
                verdict.pod = Some(Box::new(pod));
            }
            verdict
        })
        .collect();
    Judgement { pods, context }
}

fn judge_pod(
    pod: &Pod,
    snapshot: &Snapshot,
    context: &Context,
    selectors: &mut Selectors,
    settings: &Settings,
) -> Judged {
    let cols = columns::pod_columns_as(pod, settings.now, settings.kubernetes_version);
    let chain = owners::owner_chain(pod, &snapshot.workloads);
    let case = Case {
        pod,
        cols: &cols,
        chain: &chain,
        context,
    };
    let assessment = health::assess(&case, settings.now, &settings.rules);
    Judged {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        selector: selectors.of(pod, &chain, &snapshot.workloads),
        created: pod::created_at(pod),
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        cols,
        chain,
        assessment,
        pod: None,
    }
}

/// The selectors of the top workloads, each made once and shared by its pods.
#[derive(Default)]
struct Selectors(HashMap<(Str, Owner), Option<Arc<str>>>);

impl Selectors {
    fn of(&mut self, pod: &Pod, chain: &[Owner], workloads: &Workloads) -> Option<Arc<str>> {
        let top = chain.last()?;
        if let Some(selector) = owners::workload_selector(pod, top, workloads) {
            let key = (pod::namespace(pod).into(), top.clone());
            let shared = self
                .0
                .entry(key)
                .or_insert_with(|| owners::selector_text(selector).map(Arc::from));
            if shared.is_some() {
                return shared.clone();
            }
        }
        owners::labels_without_hashes(pod).map(Arc::from)
    }
}
