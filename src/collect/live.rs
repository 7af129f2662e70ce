//! Reads a live cluster: kubeconfig or in-cluster service account, paginated LISTs straight
//! into the compact model, bounded concurrency across namespaces.
//!
//! Two steps, with the pipeline judging the pods in between: [`Cluster::snapshot`] lists the
//! pods (required) and what decides their verdicts (workloads, nodes); [`Cluster::add_evidence`]
//! reads the events and logs of the pods the pipeline names. Everything but the pods is read
//! on a best-effort basis: what the account may not read is recorded in `Snapshot::missing`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt, stream};
use kube::api::ListParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tracing::{debug, info, warn};

use super::evidence::{EvidenceOptions, Targets};
use super::list::{self, list_pages};
use super::objects::{self, Scope};
use super::retry::{Failed, RetryPolicy, retrying};
use super::{Error, NamespaceSelection, logs, sort_pods};
use crate::error::one_line;
use crate::model::{Missing, Pod, Snapshot, Source};

/// How to reach the cluster and how hard to lean on it.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// `--kubeconfig`; else `KUBECONFIG`, `~/.kube/config`, then the in-cluster service account.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: a context of the kubeconfig other than the current one.
    pub context: Option<String>,
    /// `-l`: only pods with these labels (kubectl's selector syntax, applied by the server).
    pub label_selector: Option<String>,
    /// Objects per LIST page (kubectl uses 500).
    pub page_size: u32,
    /// Namespaces read at the same time.
    pub concurrency: usize,
    /// How transient failures are retried (`cluster.retries`).
    pub retry: RetryPolicy,
    /// How long one request may wait for the server's next bytes (`cluster.request_timeout`).
    pub request_timeout: Duration,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            kubeconfig: None,
            context: None,
            label_selector: None,
            page_size: 500,
            concurrency: 4,
            retry: RetryPolicy::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

/// The default of [`ClusterOptions::request_timeout`]: an API server answers a page of 500 pods
/// in well under a second; a stalled connection is given up after this long.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A cluster to read: its client, where it is, and how hard to lean on it.
pub struct Cluster {
    client: Client,
    source: Source,
    opts: ClusterOptions,
    /// The API calls made for what is around the pods, logged once the evidence is read.
    calls: Calls,
}

/// Builds a client the way kubectl would find the cluster.
///
/// # Errors
/// No usable kubeconfig or in-cluster configuration; an unknown context.
pub async fn connect(opts: &ClusterOptions) -> Result<Cluster, Error> {
    let kube_opts = KubeConfigOptions {
        context: opts.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = match (&opts.kubeconfig, &opts.context) {
        (Some(path), _) => {
            if !path.exists() {
                return Err(Error::Config(format!(
                    "kubeconfig file {} does not exist",
                    path.display()
                )));
            }
            let file = Kubeconfig::read_from(path).map_err(|e| config_error(&e))?;
            Config::from_custom_kubeconfig(file, &kube_opts)
                .await
                .map_err(|e| config_error(&e))?
        }
        (None, Some(_)) => Config::from_kubeconfig(&kube_opts)
            .await
            .map_err(|e| config_error(&e))?,
        (None, None) => Config::infer().await.map_err(|e| config_error(&e))?,
    };
    let source = Source::Cluster {
        context: opts.context.clone(),
        server: config.cluster_url.to_string(),
    };
    let client = Client::try_from(with_timeouts(config, opts)).map_err(|e| config_error(&e))?;
    Ok(Cluster {
        client,
        source,
        opts: opts.clone(),
        calls: Calls::default(),
    })
}

/// kube's client settings for a flaky server: its own retry layer off (ours retries, see
/// [`super::retry`]), and a stalled connection given up after `request_timeout`, counted from
/// when the request was sent.
fn with_timeouts(mut config: Config, opts: &ClusterOptions) -> Config {
    config.default_retry = false;
    config.connect_timeout = Some(opts.request_timeout.min(Duration::from_secs(10)));
    config.read_timeout = Some(opts.request_timeout);
    config.write_timeout = Some(opts.request_timeout);
    config.reset_reader_on_write = true;
    config
}

impl Cluster {
    /// Where the data comes from, for the report's title block.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Lists the pods of the selected namespaces, and what their verdicts depend on: the
    /// workloads of the selected namespaces and the cluster's nodes. Events and logs are read
    /// later, for the pods that need them ([`Cluster::add_evidence`]).
    ///
    /// # Errors
    /// The API server is unreachable or refuses to list namespaces or pods; the selection
    /// names a namespace that does not exist, or has globs while namespaces may not be listed.
    pub async fn snapshot(&self, selection: &NamespaceSelection) -> Result<Snapshot, Error> {
        let (client, opts) = (&self.client, &self.opts);
        let server = self.source.server().to_owned();
        let server_version = server_version(client, &server, &opts.retry).await?;
        let namespaces = choose_namespaces(client, &server, selection, opts).await?;
        info!(namespaces = namespaces.len(), "listing pods");
        let per_namespace: Vec<Vec<Pod>> = stream::iter(namespaces.iter())
            .map(|ns| list_pods(client, &server, ns, opts))
            .buffered(opts.concurrency.max(1))
            .try_collect()
            .await?;
        let mut pods: Vec<Pod> = per_namespace.into_iter().flatten().collect();
        sort_pods(&mut pods);
        // With -A, workloads are listed cluster-wide, and the namespaces are those with pods.
        let (scope, namespaces) = if selection.all {
            (
                Scope::Cluster(selection.matcher()?),
                super::pods_namespaces(&pods),
            )
        } else {
            (Scope::Namespaces(namespaces.clone()), namespaces)
        };
        info!(pods = pods.len(), "collected pods");
        let calls = &self.calls;
        let mut missing = Vec::new();
        let workloads = objects::list_workloads(client, &scope, opts, calls, &mut missing).await;
        let nodes = objects::list_nodes(client, opts, calls, &mut missing).await;
        Ok(Snapshot {
            source: self.source.clone(),
            server_version,
            namespaces,
            pods,
            workloads,
            nodes,
            missing,
            ..Snapshot::default()
        })
    }

    /// Reads the events and log tails of the `problems` pods (the ones judged not healthy)
    /// into the snapshot; what cannot be read goes to `missing`. Never fails. The debug
    /// log then counts the API calls made for evidence (workloads, nodes, events, logs).
    pub async fn add_evidence(
        &self,
        snapshot: &mut Snapshot,
        problems: &[&Pod],
        evidence: &EvidenceOptions,
    ) {
        let calls = &self.calls;
        let mut missing = Vec::new();
        let (events, logs) = {
            let targets = Targets::new(problems, &snapshot.workloads);
            let events =
                objects::list_events(&self.client, &targets, &self.opts, calls, &mut missing).await;
            let logs = logs::read_logs(
                &self.client,
                problems,
                evidence,
                &self.opts.retry,
                calls,
                &mut missing,
            )
            .await;
            (events, logs)
        };
        info!(
            problem_pods = problems.len(),
            events = events.len(),
            logs = logs.len(),
            missing = missing.len(),
            "collected evidence"
        );
        snapshot.events = events;
        snapshot.logs = logs;
        snapshot.missing.extend(missing);
        calls.report();
    }
}

/// The API calls made for evidence (each LIST page counts), for the debug log.
#[derive(Debug, Default)]
pub(super) struct Calls {
    pub workload_lists: AtomicUsize,
    pub node_lists: AtomicUsize,
    pub event_lists: AtomicUsize,
    pub log_requests: AtomicUsize,
}

impl Calls {
    pub fn count(counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn report(&self) {
        let get = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        debug!(
            workload_lists = get(&self.workload_lists),
            node_lists = get(&self.node_lists),
            event_lists = get(&self.event_lists),
            log_requests = get(&self.log_requests),
            total = get(&self.workload_lists)
                + get(&self.node_lists)
                + get(&self.event_lists)
                + get(&self.log_requests),
            "API calls for evidence"
        );
    }
}

/// The API server's `gitVersion` (`GET /version`): its release decides how kubectl prints
/// STATUS. Every authenticated user may read it (`system:public-info-viewer`); when a hardened
/// cluster refuses, the newest printer rules are used and the log says so.
async fn server_version(
    client: &Client,
    server: &str,
    policy: &RetryPolicy,
) -> Result<Option<String>, Error> {
    match retrying("GET /version", policy, || client.apiserver_version()).await {
        Ok(info) => {
            info!(version = %info.git_version, "API server");
            Ok(Some(info.git_version))
        }
        Err(f) if matches!(&f.error, kube::Error::Api(s) if s.code == 403 || s.code == 404) => {
            warn!(reason = %api_reason(&f.error), "cannot read the API server's version; STATUS follows the newest kubectl rules");
            Ok(None)
        }
        Err(failed) => Err(api_failure(
            "read the API server's version",
            server,
            &failed,
        )),
    }
}

async fn choose_namespaces(
    client: &Client,
    server: &str,
    selection: &NamespaceSelection,
    opts: &ClusterOptions,
) -> Result<Vec<String>, Error> {
    match list_namespaces(client, opts).await {
        Ok(existing) => selection.resolve(&existing),
        Err(failed) if is_forbidden(&failed.error) && !selection.has_globs() => {
            // A namespaced Role may read pods but not the namespace list: trust the names.
            warn!("may not list namespaces; using the names given as they are");
            let names = selection.literal_names();
            if names.is_empty() {
                return Err(Error::NoNamespace);
            }
            Ok(names)
        }
        Err(failed) => Err(api_failure("list namespaces", server, &failed)),
    }
}

async fn list_namespaces(client: &Client, opts: &ClusterOptions) -> Result<Vec<String>, Failed> {
    let params = ListParams::default().limit(opts.page_size);
    let pages = AtomicUsize::new(0);
    let path = list::NAMESPACES.path(None);
    let namespaces: Vec<NamespaceItem> =
        list_pages(client, &path, params, &opts.retry, &pages, Some).await?;
    Ok(namespaces
        .into_iter()
        .filter_map(|n| n.metadata.name.map(String::from))
        .collect())
}

/// A namespace: only its name is read.
#[derive(serde::Deserialize)]
struct NamespaceItem {
    #[serde(default)]
    metadata: crate::model::ObjectMeta,
}

/// One namespace's pods, page by page (limit + continue), each page turned into the compact
/// model before the next is asked for.
async fn list_pods(
    client: &Client,
    server: &str,
    namespace: &str,
    opts: &ClusterOptions,
) -> Result<Vec<Pod>, Error> {
    let mut params = ListParams::default().limit(opts.page_size);
    if let Some(selector) = &opts.label_selector {
        params = params.labels(selector);
    }
    let pages = AtomicUsize::new(0);
    let path = list::PODS.path(Some(namespace));
    let action = if namespace.is_empty() {
        "list pods".to_owned()
    } else {
        format!("list pods in namespace {namespace}")
    };
    let pods = list_pages(client, &path, params, &opts.retry, &pages, Some)
        .await
        .map_err(|failed| api_failure(&action, server, &failed))?;
    debug!(
        namespace,
        pods = pods.len(),
        pages = pages.load(Ordering::Relaxed),
        "listed pods"
    );
    Ok(pods)
}

/// Evidence that could not be read after its retries: a warning in the log, an entry in
/// `Snapshot::missing`.
pub(super) fn missing_listing(what: &str, namespace: Option<&str>, failed: &Failed) -> Missing {
    let mut missing = missing_evidence(what, namespace, &failed.error);
    if failed.attempts > 1 {
        missing.reason = format!("{} ({} attempts)", missing.reason, failed.attempts);
    }
    missing
}

/// Evidence that could not be read: a warning in the log, an entry in `Snapshot::missing`.
pub(super) fn missing_evidence(what: &str, namespace: Option<&str>, e: &kube::Error) -> Missing {
    let reason = api_reason(e);
    match namespace {
        Some(ns) => warn!(what, namespace = ns, %reason, "evidence missing"),
        None => warn!(what, %reason, "evidence missing"),
    }
    Missing {
        what: what.to_owned(),
        namespace: namespace.map(str::to_owned),
        reason,
    }
}

fn is_forbidden(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(status) if status.code == 403)
}

/// A request that failed after its retries, and stops the run: the request, the tries and the
/// last answer.
fn api_failure(action: &str, server: &str, failed: &Failed) -> Error {
    let mut error = api_error(action, server, &failed.error);
    if let Error::Api { message, .. } = &mut error
        && failed.attempts > 1
    {
        *message = format!(
            "{message} ({}, {} attempts)",
            failed.request, failed.attempts
        );
    }
    error
}

/// An API failure that stops the run. A transport failure names the server it tried, as
/// kubectl does ("The connection to the server 127.0.0.1:1 was refused"): a kubeconfig pointing
/// at the wrong cluster is the usual cause.
fn api_error(action: &str, server: &str, e: &kube::Error) -> Error {
    let message = match e {
        kube::Error::Api(_) => api_reason(e),
        other => format!(
            "cannot reach the API server {}: {} (is it reachable? check --kubeconfig and --context)",
            server.trim_end_matches('/'),
            one_line(other)
        ),
    };
    Error::Api {
        action: action.to_owned(),
        message,
    }
}

/// The API's answer on one line: `403 Forbidden: events is forbidden: ...`, or the transport
/// error.
pub(super) fn api_reason(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) if status.reason.is_empty() => {
            format!("{}: {}", status.code, status.message).replace('\n', " ")
        }
        kube::Error::Api(status) => {
            format!("{} {}: {}", status.code, status.reason, status.message).replace('\n', " ")
        }
        other => one_line(other),
    }
}

fn config_error(e: &(dyn std::error::Error + 'static)) -> Error {
    Error::Config(one_line(e))
}
