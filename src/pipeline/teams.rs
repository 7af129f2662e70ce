//! `teams:` — the report routed per team: from the one snapshot, each team's report of its
//! namespaces only (its own counts, state, advice and trend), mailed to its recipients and
//! sent to its chat channels, beside the whole cluster's report to the main recipients.

use crate::analyze::{self, Settings};
use crate::config::TeamConfig;
use crate::model::{Pod, Snapshot};
use crate::report::{Report, SilenceState};

/// The report of `team`'s namespaces, made from `snapshot` (evidence included; its pods, which
/// judging took out, given as `pods`) as the whole cluster's `full` report was. Its title names the cluster and the team. Config silences that
/// cover nothing in the team's namespaces are the cluster's business: left out of its report.
pub(super) fn report_for(
    snapshot: &Snapshot,
    pods: &[Pod],
    settings: &Settings,
    team: &TeamConfig,
    full: &Report,
) -> Report {
    let mut mine = snapshot.clone();
    mine.namespaces.retain(|ns| team.owns(ns));
    mine.pods = pods
        .iter()
        .filter(|pod| {
            pod.metadata
                .namespace
                .as_deref()
                .is_some_and(|ns| team.owns(ns))
        })
        .cloned()
        .collect();
    mine.events.retain(|event| {
        event
            .metadata
            .namespace
            .as_deref()
            .is_some_and(|ns| team.owns(ns))
    });
    mine.logs.retain(|log| team.owns(&log.namespace));
    mine.missing
        .retain(|m| m.namespace.as_deref().is_none_or(|ns| team.owns(ns)));
    let settings = Settings {
        cluster: format!("{} · {}", full.cluster, team.name),
        ..settings.clone()
    };
    let mut report = analyze::report_of(&mine, &settings);
    report
        .kubernetes_version
        .clone_from(&full.kubernetes_version);
    report.silences.retain(|s| s.state != SilenceState::Unused);
    report
}
