//! Fleets: the clusters of a fleet run, read concurrently into a [`FleetReport`]; and what
//! `merge` and the fleet runs of `report` and `run` share: rendering a fleet report in a
//! format, and its exit once written.

use std::path::PathBuf;

use futures::stream::{self, StreamExt};

use super::Plan;
use crate::cli::{Exit, Failure, Format, InspectArgs};
use crate::config::Config;
use crate::locale::Catalog;
use crate::render::{self, Style};
use crate::report::{ClusterEntry, FleetReport, UnreadCluster};

/// The fleet report in one format.
pub(super) fn render_fleet(
    format: Format,
    fleet: &FleetReport,
    catalog: &Catalog,
    style: &Style,
) -> Result<String, Failure> {
    match format {
        Format::Markdown => render::fleet::markdown(fleet, catalog, style),
        Format::Html => render::fleet::html(fleet, catalog, style),
        Format::Json => render::fleet::json(fleet),
    }
    .map_err(|e| Failure::new(Exit::Usage, e))
}

/// Exit 4 when a cluster could not be read or its report is partial, naming them.
pub(super) fn partial(fleet: &FleetReport) -> Option<Failure> {
    let what: Vec<String> = fleet
        .clusters
        .iter()
        .filter_map(|c| match c {
            ClusterEntry::Unread(u) => Some(format!("cluster {} ({})", u.cluster, u.reason)),
            ClusterEntry::Report(r) if r.partial => {
                let missing: Vec<&str> = r.missing.iter().map(|m| m.what.as_str()).collect();
                Some(format!("{} of cluster {}", missing.join(", "), r.cluster))
            }
            ClusterEntry::Report(_) => None,
        })
        .collect();
    if what.is_empty() {
        return None;
    }
    Some(Failure::new(
        Exit::Partial,
        anyhow::anyhow!(
            "the fleet report is partial: could not read {}",
            what.join("; ")
        ),
    ))
}

/// Clusters read at the same time in a fleet run: enough to overlap their API servers'
/// latency, few enough that a central CronJob's memory stays that of a few clusters.
pub const FLEET_CONCURRENCY: usize = 4;

/// One cluster of a fleet run: what to call it and where to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    pub name: String,
    pub context: Option<String>,
    pub kubeconfig: Option<PathBuf>,
    /// Empty: the run's namespaces (`-n`/`-A`, else the config's).
    pub namespaces: Vec<String>,
}

/// The clusters of a fleet run: `--context a,b` (two or more: the flags' kubeconfig and
/// namespaces for each), else the config's `clusters:` (unless one `--context` is given:
/// then that one cluster). Empty for a single-cluster run.
///
/// # Errors
/// [`Exit::Usage`]: a fleet asked for with `--from-dump` or `--cluster-name`.
pub(super) fn targets(args: &InspectArgs, config: &Config) -> Result<Vec<Target>, Failure> {
    let targets: Vec<Target> = match args.contexts.as_slice() {
        [_] => Vec::new(),
        [] => config
            .clusters
            .iter()
            .map(|c| Target {
                name: c.name.clone(),
                context: c.context.clone(),
                kubeconfig: c.kubeconfig.clone(),
                namespaces: c.namespaces.clone(),
            })
            .collect(),
        contexts => {
            let mut targets: Vec<Target> = Vec::new();
            for context in contexts {
                if !targets.iter().any(|t| &t.name == context) {
                    targets.push(Target {
                        name: context.clone(),
                        context: Some(context.clone()),
                        kubeconfig: None,
                        namespaces: Vec::new(),
                    });
                }
            }
            targets
        }
    };
    let usage = |m: &str| Err(Failure::new(Exit::Usage, anyhow::anyhow!("{m}")));
    if !targets.is_empty() && args.from_dump.is_some() {
        return usage(
            "--from-dump reads one cluster's dump: make a report of each dump and combine them with `kube-patrol merge`",
        );
    }
    if !targets.is_empty() && args.cluster_name.is_some() {
        return usage(
            "--cluster-name names one cluster: with several, each is named by its context, or by `name:` in the config's clusters:",
        );
    }
    Ok(targets)
}

/// The flags of one cluster of the fleet, as if it were read alone.
fn args_of(args: &InspectArgs, target: &Target) -> InspectArgs {
    let mut one = args.clone();
    one.contexts = target.context.iter().cloned().collect();
    one.kubeconfig = target
        .kubeconfig
        .clone()
        .or_else(|| args.kubeconfig.clone());
    one.cluster_name = Some(target.name.clone());
    if !target.namespaces.is_empty() {
        one.namespaces = target.namespaces.clone();
        one.all_namespaces = false;
    }
    one
}

/// The plan of one cluster: the fleet's, with the cluster's namespaces and context.
///
/// # Errors
/// [`Exit::Usage`]: the cluster has no namespace to inspect.
fn plan_of(args: &InspectArgs, plan: &Plan) -> Result<Plan, Failure> {
    let selection = super::selection(args, &plan.config);
    if !selection.all && selection.include.is_empty() {
        return Err(Failure::new(
            Exit::Usage,
            anyhow::anyhow!(
                "no namespace to inspect in cluster {}: give -n/-A, namespaces: in the config, or namespaces: in its clusters: entry",
                args.cluster_name.as_deref().unwrap_or_default()
            ),
        ));
    }
    let mut style = plan.style.clone();
    style.context = args.context();
    Ok(Plan {
        config: plan.config.clone(),
        selection,
        now: plan.now,
        style,
        lang: plan.lang,
    })
}

/// Every cluster of the fleet inspected, [`FLEET_CONCURRENCY`] at a time, in the order given:
/// a cluster that cannot be read is an entry saying why, the others are whole.
///
/// # Errors
/// [`Exit::Usage`]: a cluster has no namespace to inspect (checked before any is read).
pub(super) async fn inspect_fleet(
    args: &InspectArgs,
    plan: &Plan,
    targets: &[Target],
) -> Result<FleetReport, Failure> {
    let mut work = Vec::with_capacity(targets.len());
    for target in targets {
        let one = args_of(args, target);
        let plan = plan_of(&one, plan)?;
        work.push((target, one, plan));
    }
    let entries: Vec<ClusterEntry> = stream::iter(&work)
        .map(|(target, one, plan)| async move {
            tracing::info!(cluster = %target.name, "inspecting the cluster");
            match super::inspect(one, plan).await {
                Ok(inspection) => ClusterEntry::Report(Box::new(inspection.report)),
                Err(failure) => {
                    let reason = crate::error::one_line(failure.error.as_ref());
                    tracing::warn!(cluster = %target.name, %reason, "the cluster could not be read");
                    ClusterEntry::Unread(UnreadCluster {
                        cluster: target.name.clone(),
                        reason,
                    })
                }
            }
        })
        .buffered(FLEET_CONCURRENCY)
        .collect()
        .await;
    Ok(FleetReport::new(plan.now, plan.lang, entries))
}

/// The exit of a fleet whose clusters could none be read: the cluster's (exit 3).
pub(super) fn none_read(fleet: &FleetReport) -> Option<Failure> {
    if fleet.reports().next().is_some() {
        return None;
    }
    Some(Failure::new(
        Exit::Cluster,
        anyhow::anyhow!(
            "no cluster of the fleet could be read: {}",
            fleet
                .clusters
                .iter()
                .filter_map(|c| match c {
                    ClusterEntry::Unread(u) => Some(format!("{}: {}", u.cluster, u.reason)),
                    ClusterEntry::Report(_) => None,
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
    ))
}
