//! Reads the log tails of problem pods from a live cluster: every container and init container
//! that has a status, and its previous instance when it restarted.
//!
//! A log is evidence, not a requirement: when the API refuses (403) or cannot reach the kubelet,
//! the tail records the API's reason and the run goes on. After a 403 in a namespace, its other
//! logs are not asked for: the answer would be the same.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::model::Pod;
use futures::io::{AsyncBufRead, AsyncReadExt};
use futures::{StreamExt, stream};
/// The API's pod type, for the `log` subresource only: kube-patrol's own pods are the model's.
type ApiPod = k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, LogParams};

use super::evidence::{EvidenceOptions, LogRequest, log_requests, tail_lines};
use super::live::{Calls, api_reason, missing_evidence};
use super::retry::{Failed, RetryPolicy, is_transient_for_logs, retrying_if};
use crate::model::{LogOutcome, LogTail, Missing};

/// The log tails of the problem pods, in their order, `opts.concurrency` pods at a time; a
/// namespace whose logs may not be read is recorded in `missing`.
pub(super) async fn read_logs(
    client: &Client,
    problems: &[&Pod],
    opts: &EvidenceOptions,
    retry: &RetryPolicy,
    calls: &Calls,
    missing: &mut Vec<Missing>,
) -> Vec<LogTail> {
    let reader = LogReader {
        client,
        opts,
        retry,
        calls,
        refused: Mutex::new(BTreeMap::new()),
    };
    let per_pod: Vec<Vec<LogTail>> = stream::iter(problems)
        .map(|pod| reader.pod_logs(pod))
        .buffered(opts.concurrency.max(1))
        .collect()
        .await;
    let refused = reader
        .refused
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    missing.extend(refused.into_values());
    per_pod.into_iter().flatten().collect()
}

struct LogReader<'a> {
    client: &'a Client,
    opts: &'a EvidenceOptions,
    retry: &'a RetryPolicy,
    calls: &'a Calls,
    /// Namespaces where logs were refused (403): the first refusal, as a `Missing` entry.
    refused: Mutex<BTreeMap<String, Missing>>,
}

impl LogReader<'_> {
    async fn pod_logs(&self, pod: &Pod) -> Vec<LogTail> {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let api: Api<ApiPod> = Api::namespaced(self.client.clone(), &namespace);
        let mut tails = Vec::new();
        for request in log_requests(pod) {
            let outcome = match self.refusal(&namespace) {
                Some(reason) => LogOutcome::Unavailable(reason),
                None => self.read(&api, &namespace, &name, &request).await,
            };
            tails.push(LogTail {
                namespace: namespace.to_string(),
                pod: name.to_string(),
                container: request.container,
                previous: request.previous,
                outcome,
            });
        }
        tails
    }

    fn refusal(&self, namespace: &str) -> Option<String> {
        let refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        refused.get(namespace).map(|m| m.reason.clone())
    }

    /// One log request: the tail, or the API's reason for not giving it.
    async fn read(
        &self,
        api: &Api<ApiPod>,
        namespace: &str,
        pod: &str,
        request: &LogRequest,
    ) -> LogOutcome {
        let params = LogParams {
            container: Some(request.container.clone()),
            tail_lines: Some(i64::try_from(self.opts.log_lines).unwrap_or(i64::MAX)),
            limit_bytes: Some(i64::try_from(self.opts.log_bytes.max(1)).unwrap_or(i64::MAX)),
            previous: request.previous,
            ..LogParams::default()
        };
        let what = format!(
            "GET log of pod {namespace}/{pod}, container {}",
            request.container
        );
        let read = retrying_if(&what, self.retry, is_transient_for_logs, || async {
            Calls::count(&self.calls.log_requests);
            let stream = api.log_stream(pod, &params).await?;
            read_capped(stream, self.opts.log_bytes)
                .await
                .map_err(kube::Error::ReadEvents)
        });
        match read.await {
            Ok(bytes) => LogOutcome::Lines(tail_lines(&bytes, self.opts.log_lines)),
            Err(Failed { error: e, .. }) => {
                if matches!(&e, kube::Error::Api(status) if status.code == 403) {
                    let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
                    refused
                        .entry(namespace.to_owned())
                        .or_insert_with(|| missing_evidence("logs", Some(namespace), &e));
                }
                LogOutcome::Unavailable(api_reason(&e))
            }
        }
    }
}

/// At most `cap` bytes of a log stream: the server's `limitBytes` is approximate.
async fn read_capped(stream: impl AsyncBufRead, cap: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::pin::pin!(stream)
        .take(cap as u64)
        .read_to_end(&mut bytes)
        .await?;
    Ok(bytes)
}
