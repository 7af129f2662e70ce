//! Reads the objects around the pods from a live cluster: the workloads of the selected
//! namespaces, the nodes, and the events of problem pods (one LIST per namespace that has
//! some, filtered as the pages arrive).
//!
//! Each LIST is best-effort: a refusal (typically 403 for a least-privilege account) becomes a
//! `Missing` entry and an empty list, and the rest of the snapshot is still collected.

use std::fmt::Debug;
use std::sync::atomic::AtomicUsize;

use futures::{StreamExt, stream};
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::core::v1::{Event, Node};
use kube::api::{Api, ListParams};
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;

use super::evidence::Targets;
use super::live::{Calls, ClusterOptions, list_pages, missing_evidence};
use super::select::NamespaceMatcher;
use super::slim::{
    slim_cron_job, slim_daemon_set, slim_deployment, slim_event, slim_job, slim_node,
    slim_replica_set, slim_stateful_set,
};
use crate::snapshot::{Missing, Workloads};

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
        replica_sets: lister
            .scoped(scope, "replicasets", &slim_replica_set, missing)
            .await,
        deployments: lister
            .scoped(scope, "deployments", &slim_deployment, missing)
            .await,
        stateful_sets: lister
            .scoped(scope, "statefulsets", &slim_stateful_set, missing)
            .await,
        daemon_sets: lister
            .scoped(scope, "daemonsets", &slim_daemon_set, missing)
            .await,
        jobs: lister.scoped(scope, "jobs", &slim_job, missing).await,
        cron_jobs: lister
            .scoped(scope, "cronjobs", &slim_cron_job, missing)
            .await,
    }
}

/// The cluster's nodes, slimmed; empty (and `missing` says why) when they may not be read.
pub(super) async fn list_nodes(
    client: &Client,
    opts: &ClusterOptions,
    calls: &Calls,
    missing: &mut Vec<Missing>,
) -> Vec<Node> {
    let api: Api<Node> = Api::all(client.clone());
    let params = ListParams::default().limit(opts.page_size);
    match list_pages(&api, params, &calls.node_lists, |n| Some(slim_node(n))).await {
        Ok(nodes) => nodes,
        Err(e) => {
            missing.push(missing_evidence("nodes", None, &e));
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
    let keep = |e: Event| targets.concerns(&e).then(|| slim_event(e));
    lister
        .in_namespaces(&namespaces, "events", &keep, missing)
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
    /// The objects of a kind in the scope, kept (slimmed) by `slim`, sorted by namespace and
    /// name.
    async fn scoped<K>(
        &self,
        scope: &Scope,
        what: &str,
        slim: &(dyn Fn(K) -> K + Sync),
        missing: &mut Vec<Missing>,
    ) -> Vec<K>
    where
        K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>,
        K: Clone + DeserializeOwned + Debug,
    {
        let mut objects = match scope {
            Scope::Cluster(matcher) => {
                let keep = |o: K| {
                    let ns = o.namespace().unwrap_or_default();
                    matcher.matches(&ns).then(|| slim(o))
                };
                self.cluster_wide(what, &keep, missing).await
            }
            Scope::Namespaces(names) => {
                let keep = |o: K| Some(slim(o));
                self.in_namespaces(names, what, &keep, missing).await
            }
        };
        objects.sort_by_key(|o| (o.namespace(), o.name_any()));
        objects
    }

    async fn cluster_wide<K>(
        &self,
        what: &str,
        keep: Keep<'_, K>,
        missing: &mut Vec<Missing>,
    ) -> Vec<K>
    where
        K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>,
        K: Clone + DeserializeOwned + Debug,
    {
        let api: Api<K> = Api::all(self.client.clone());
        let params = ListParams::default().limit(self.opts.page_size);
        match list_pages(&api, params, self.pages, keep).await {
            Ok(objects) => objects,
            Err(e) => {
                missing.push(missing_evidence(what, None, &e));
                Vec::new()
            }
        }
    }

    /// One LIST per namespace, `opts.concurrency` at a time; a refused namespace is recorded
    /// in `missing` and the others are kept.
    async fn in_namespaces<K>(
        &self,
        namespaces: &[String],
        what: &str,
        keep: Keep<'_, K>,
        missing: &mut Vec<Missing>,
    ) -> Vec<K>
    where
        K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>,
        K: Clone + DeserializeOwned + Debug,
    {
        let results: Vec<_> = stream::iter(namespaces)
            .map(|ns| async move {
                let api: Api<K> = Api::namespaced(self.client.clone(), ns);
                let params = ListParams::default().limit(self.opts.page_size);
                (ns, list_pages(&api, params, self.pages, keep).await)
            })
            .buffered(self.opts.concurrency.max(1))
            .collect()
            .await;
        let mut objects = Vec::new();
        for (ns, result) in results {
            match result {
                Ok(listed) => objects.extend(listed),
                Err(e) => missing.push(missing_evidence(what, Some(ns), &e)),
            }
        }
        objects
    }
}
