//! Reads pods from a live cluster: kubeconfig or in-cluster service account, paginated LISTs,
//! bounded concurrency across namespaces, pods slimmed page by page.

use std::path::PathBuf;

use futures::{StreamExt, TryStreamExt, stream};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tracing::{debug, info, warn};

use super::{Error, NamespaceSelection, slim_pod, sort_pods};
use crate::error::one_line;
use crate::snapshot::{Snapshot, Source};

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
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            kubeconfig: None,
            context: None,
            label_selector: None,
            page_size: 500,
            concurrency: 4,
        }
    }
}

/// Builds a client the way kubectl would find the cluster.
///
/// # Errors
/// No usable kubeconfig or in-cluster configuration; an unknown context.
pub async fn connect(opts: &ClusterOptions) -> Result<(Client, Source), Error> {
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
    let client = Client::try_from(config).map_err(|e| config_error(&e))?;
    Ok((client, source))
}

/// Lists the pods of the selected namespaces into a snapshot.
///
/// # Errors
/// The API server is unreachable or refuses a LIST; the selection names a namespace that does
/// not exist, or has globs while namespaces may not be listed.
pub async fn from_cluster(
    client: &Client,
    source: Source,
    selection: &NamespaceSelection,
    opts: &ClusterOptions,
) -> Result<Snapshot, Error> {
    let namespaces = choose_namespaces(client, selection, opts).await?;
    info!(namespaces = namespaces.len(), "listing pods");
    let per_namespace: Vec<Vec<Pod>> = stream::iter(namespaces.iter())
        .map(|ns| list_pods(Api::namespaced(client.clone(), ns), ns, opts))
        .buffered(opts.concurrency.max(1))
        .try_collect()
        .await?;
    let mut pods: Vec<Pod> = per_namespace.into_iter().flatten().collect();
    sort_pods(&mut pods);
    let namespaces = if selection.all {
        super::pods_namespaces(&pods)
    } else {
        namespaces
    };
    info!(pods = pods.len(), "collected");
    Ok(Snapshot {
        source,
        namespaces,
        pods,
        ..Snapshot::default()
    })
}

async fn choose_namespaces(
    client: &Client,
    selection: &NamespaceSelection,
    opts: &ClusterOptions,
) -> Result<Vec<String>, Error> {
    match list_namespaces(client, opts).await {
        Ok(existing) => selection.resolve(&existing),
        Err(e) if is_forbidden(&e) && !selection.has_globs() => {
            // A namespaced Role may read pods but not the namespace list: trust the names.
            warn!("may not list namespaces; using the names given as they are");
            let names = selection.literal_names();
            if names.is_empty() {
                return Err(Error::NoNamespace);
            }
            Ok(names)
        }
        Err(e) => Err(api_error("list namespaces", &e)),
    }
}

async fn list_namespaces(
    client: &Client,
    opts: &ClusterOptions,
) -> Result<Vec<String>, kube::Error> {
    let api: Api<Namespace> = Api::all(client.clone());
    let mut names = Vec::new();
    let mut params = ListParams::default().limit(opts.page_size);
    loop {
        let page = api.list_metadata(&params).await?;
        names.extend(page.items.into_iter().filter_map(|n| n.metadata.name));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => return Ok(names),
        }
    }
}

/// One namespace's pods, page by page (limit + continue), each page slimmed before the next.
async fn list_pods(
    api: Api<Pod>,
    namespace: &str,
    opts: &ClusterOptions,
) -> Result<Vec<Pod>, Error> {
    let mut params = ListParams::default().limit(opts.page_size);
    if let Some(selector) = &opts.label_selector {
        params = params.labels(selector);
    }
    let mut pods = Vec::new();
    let mut pages = 0;
    loop {
        let page = api
            .list(&params)
            .await
            .map_err(|e| api_error(&format!("list pods in namespace {namespace}"), &e))?;
        pages += 1;
        pods.extend(page.items.into_iter().map(slim_pod));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => break,
        }
    }
    debug!(namespace, pods = pods.len(), pages, "listed pods");
    Ok(pods)
}

fn is_forbidden(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(status) if status.code == 403)
}

fn api_error(action: &str, e: &kube::Error) -> Error {
    let message = match e {
        kube::Error::Api(status) => {
            format!("{} {}: {}", status.code, status.reason, status.message)
        }
        other => format!(
            "{} (is the API server reachable? check --kubeconfig and --context)",
            one_line(other)
        ),
    };
    Error::Api {
        action: action.to_owned(),
        message,
    }
}

fn config_error(e: &(dyn std::error::Error + 'static)) -> Error {
    Error::Config(one_line(e))
}
