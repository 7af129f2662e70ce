//! Reads the objects around the pods from a live cluster: the workloads of the selected
//! namespaces, the nodes, and the events of problem pods (one LIST per namespace that has
//! some, filtered as the pages arrive).
//!
//! Each LIST is best-effort: a refusal (typically 403 for a least-privilege account) becomes a
//! `Missing` entry and an empty list, and the rest of the snapshot is still collected.

use std::sync::atomic::AtomicUsize;

use futures::{StreamExt, stream};
use kube::Client;
use kube::api::ListParams;
use serde::de::DeserializeOwned;

use super::evidence::Targets;
use super::list::{self, Kind, list_pages};
use super::live::{Calls, ClusterOptions, missing_listing};
use super::select::NamespaceMatcher;
use crate::model::{Event, HasMeta, Missing, Node, Workloads};

/// Where namespaced objects are listed.
#[derive(Debug, Clone)]
pub(super) enum Scope {
    /// One cluster-wide LIST per kind (`-A`), keeping the namespaces that match.
    Cluster(NamespaceMatcher),
    /// One LIST per kind and namespace.
    Namespaces(Vec<String>),
}

/// Every ReplicaSet, Deployment, StatefulSet, DaemonSet, Job and CronJob of the scope, slimmed.
pub(super) async fn list_workloads(
    client: &Client,
    scope: &Scope,
    opts: &ClusterOptions,
    calls: &Calls,
    missing: &mut Vec<Missing>,
) -> Workloads {
    let lister = Lister {
        client,
        opts,
        pages: &calls.workload_lists,
    };
    Workloads {
        replica_sets: lister.scoped(scope, list::REPLICA_SETS, missing).await,
        deployments: lister.scoped(scope, list::DEPLOYMENTS, missing).await,
        stateful_sets: lister.scoped(scope, list::STATEFUL_SETS, missing).await,
        daemon_sets: lister.scoped(scope, list::DAEMON_SETS, missing).await,
        jobs: lister.scoped(scope, list::JOBS, missing).await,
        cron_jobs: lister.scoped(scope, list::CRON_JOBS, missing).await,
    }
}

/// The cluster's nodes, slimmed; empty (and `missing` says why) when they may not be read.
pub(super) async fn list_nodes(
    client: &Client,
    opts: &ClusterOptions,
    calls: &Calls,
    missing: &mut Vec<Missing>,
) -> Vec<Node> {
    let params = ListParams::default().limit(opts.page_size);
    let path = list::NODES.path(None);
    match list_pages(client, &path, params, &opts.retry, &calls.node_lists, Some).await {
        Ok(nodes) => nodes,
        Err(e) => {
            missing.push(missing_listing("nodes", None, &e));
            Vec::new()
        }
    }
}

/// The events of the problem pods and their owners: one LIST per namespace that has problem
/// pods, the other events dropped as each page arrives.
pub(super) async fn list_events(
    client: &Client,
    targets: &Targets,
    opts: &ClusterOptions,
    calls: &Calls,
    missing: &mut Vec<Missing>,
) -> Vec<Event> {
    if targets.is_empty() {
        return Vec::new();
    }
    let lister = Lister {
        client,
        opts,
        pages: &calls.event_lists,
    };
    let namespaces: Vec<String> = targets.namespaces().map(str::to_owned).collect();
    let keep = |e: Event| targets.concerns(&e).then_some(e);
    lister
        .in_namespaces(&namespaces, list::EVENTS, &keep, missing)
        .await
}

/// Lists one kind of namespaced object, page by page, a few namespaces at a time.
struct Lister<'a> {
    client: &'a Client,
    opts: &'a ClusterOptions,
    /// Counts the LIST calls (pages).
    pages: &'a AtomicUsize,
}

type Keep<'k, K> = &'k (dyn Fn(K) -> Option<K> + Sync);

impl Lister<'_> {
    /// The objects of a kind in the scope, sorted by namespace and name.
    async fn scoped<K>(&self, scope: &Scope, kind: Kind, missing: &mut Vec<Missing>) -> Vec<K>
    where
        K: HasMeta + DeserializeOwned,
    {
        let mut objects = match scope {
            Scope::Cluster(matcher) => {
                let keep = |o: K| matcher.matches(o.namespace()).then_some(o);
                self.cluster_wide(kind, &keep, missing).await
            }
            Scope::Namespaces(names) => self.in_namespaces(names, kind, &Some, missing).await,
        };
        objects.sort_by(|a, b| (a.namespace(), a.name()).cmp(&(b.namespace(), b.name())));
        objects
    }

    async fn cluster_wide<K: DeserializeOwned>(
        &self,
        kind: Kind,
        keep: Keep<'_, K>,
        missing: &mut Vec<Missing>,
    ) -> Vec<K> {
        let params = ListParams::default().limit(self.opts.page_size);
        let path = kind.path(None);
        match list_pages(
            self.client,
            &path,
            params,
            &self.opts.retry,
            self.pages,
            keep,
        )
        .await
        {
            Ok(objects) => objects,
            Err(e) => {
                missing.push(missing_listing(kind.plural, None, &e));
                Vec::new()
            }
        }
    }

    /// One LIST per namespace, `opts.concurrency` at a time; a refused namespace is recorded
    /// in `missing` and the others are kept.
    async fn in_namespaces<K: DeserializeOwned>(
        &self,
        namespaces: &[String],
        kind: Kind,
        keep: Keep<'_, K>,
        missing: &mut Vec<Missing>,
    ) -> Vec<K> {
        let results: Vec<_> = stream::iter(namespaces)
            .map(|ns| async move {
                let params = ListParams::default().limit(self.opts.page_size);
                let path = kind.path(Some(ns));
                (
                    ns,
                    list_pages(
                        self.client,
                        &path,
                        params,
                        &self.opts.retry,
                        self.pages,
                        keep,
                    )
                    .await,
                )
            })
            .buffered(self.opts.concurrency.max(1))
            .collect()
            .await;
        let mut objects = Vec::new();
        for (ns, result) in results {
            match result {
                Ok(listed) => objects.extend(listed),
                Err(e) => missing.push(missing_listing(kind.plural, Some(ns), &e)),
            }
        }
        objects
    }
}
