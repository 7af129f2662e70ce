//! Paginated LISTs (limit + continue) deserialized straight into the compact model: each page's
//! JSON is read into [`crate::model`] types, which skip every field kube-patrol does not read,
//! and the page's text is dropped before the next one is asked for. No full Kubernetes object
//! is built.

use std::sync::atomic::{AtomicUsize, Ordering};

use kube::Client;
use tracing::warn;

use super::retry::{Failed, RetryPolicy, retrying};
use kube::api::ListParams;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A kind kube-patrol lists, by its API path.
#[derive(Debug, Clone, Copy)]
pub(super) struct Kind {
    /// `/api/v1` or `/apis/<group>/<version>`.
    prefix: &'static str,
    /// The resource: `pods`, `replicasets`...
    pub plural: &'static str,
}

impl Kind {
    const fn new(prefix: &'static str, plural: &'static str) -> Self {
        Kind { prefix, plural }
    }

    /// The collection's path, in one namespace or (`None`) cluster-wide.
    pub fn path(&self, namespace: Option<&str>) -> String {
        match namespace {
            Some(ns) => format!("{}/namespaces/{ns}/{}", self.prefix, self.plural),
            None => format!("{}/{}", self.prefix, self.plural),
        }
    }
}

pub(super) const NAMESPACES: Kind = Kind::new("/api/v1", "namespaces");
pub(super) const PODS: Kind = Kind::new("/api/v1", "pods");
pub(super) const NODES: Kind = Kind::new("/api/v1", "nodes");
pub(super) const EVENTS: Kind = Kind::new("/api/v1", "events");
pub(super) const REPLICA_SETS: Kind = Kind::new("/apis/apps/v1", "replicasets");
pub(super) const DEPLOYMENTS: Kind = Kind::new("/apis/apps/v1", "deployments");
pub(super) const STATEFUL_SETS: Kind = Kind::new("/apis/apps/v1", "statefulsets");
pub(super) const DAEMON_SETS: Kind = Kind::new("/apis/apps/v1", "daemonsets");
pub(super) const JOBS: Kind = Kind::new("/apis/batch/v1", "jobs");
pub(super) const CRON_JOBS: Kind = Kind::new("/apis/batch/v1", "cronjobs");

/// One page of a LIST: the items and the token of the next page.
#[derive(Deserialize)]
struct Page<T> {
    #[serde(default)]
    metadata: PageMeta,
    #[serde(default = "Option::default")]
    items: Option<Vec<T>>,
}

#[derive(Default, Deserialize)]
struct PageMeta {
    #[serde(default, rename = "continue")]
    next: Option<String>,
}

/// How many times a LIST starts over when its `continue` token expired.
const RESTARTS: u32 = 3;

/// Every object of a LIST at `path`, page by page; `keep` drops an object or keeps it as each
/// page arrives. Each page adds one to `pages`. A page that fails for a transient reason is
/// asked for again ([`retrying`]); when the server no longer knows a `continue` token (410
/// Expired: etcd compacted while the pages were read), the LIST starts over from the first page,
/// up to [`RESTARTS`] times, and what the earlier pass kept is dropped: no object is listed
/// twice.
///
/// # Errors
/// The API's refusal or a transport failure, as kube reports them, with the tries made.
pub(super) async fn list_pages<T: DeserializeOwned>(
    client: &Client,
    path: &str,
    params: ListParams,
    policy: &RetryPolicy,
    pages: &AtomicUsize,
    mut keep: impl FnMut(T) -> Option<T>,
) -> Result<Vec<T>, Failed> {
    let request = kube::core::Request::new(path);
    let mut restarts = 0;
    'listing: loop {
        let mut kept = Vec::new();
        let mut page_params = params.clone();
        for page_number in 1.. {
            let what = format!("GET {path} (page {page_number})");
            let page: Page<T> = match retrying(&what, policy, || async {
                let http = request
                    .list(&page_params)
                    .map_err(kube::Error::BuildRequest)?;
                client.request(http).await
            })
            .await
            {
                Ok(page) => page,
                Err(failed)
                    if page_number > 1 && is_expired(&failed.error) && restarts < RESTARTS =>
                {
                    restarts += 1;
                    warn!(
                        path,
                        page = page_number,
                        restarts,
                        "the continue token expired: listing again from the first page"
                    );
                    continue 'listing;
                }
                Err(failed) => return Err(failed),
            };
            pages.fetch_add(1, Ordering::Relaxed);
            kept.extend(page.items.into_iter().flatten().filter_map(&mut keep));
            match page.metadata.next {
                Some(token) if !token.is_empty() => {
                    page_params = params.clone().continue_token(&token)
                }
                _ => return Ok(kept),
            }
        }
        unreachable!("pages are counted without end");
    }
}

/// 410 Gone with reason `Expired`: the `continue` token is older than etcd's compaction.
fn is_expired(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 410)
}
