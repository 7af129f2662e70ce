//! The metrics to a Prometheus Pushgateway: one PUT of the whole group
//! `/metrics/job/kube-patrol/cluster/<cluster>`, so that each cluster's last run replaces its
//! own series and never another cluster's. A cluster name that is not made of URL-safe
//! characters (a `/`, spaces, CJK...) is sent in the Pushgateway's `@base64` form.

use ::http::Method;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;

use super::email::Secret;
use super::http::{self, HttpError, HttpSettings, Outgoing};

/// How errors and logs name this channel.
pub const CHANNEL: &str = "the Pushgateway";
/// The `job` of the group.
pub const JOB: &str = "kube-patrol";
/// The text exposition format's media type.
pub const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How a push changes the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// PUT: the pushed series replace the whole group (a run's full metrics).
    Replace,
    /// POST: only the series of the pushed metric names are replaced (a failed run's own
    /// series; the last report's are kept).
    Update,
}

/// Pushes `metrics` (text format) as the group of `cluster` on the Pushgateway at `base`
/// (`http://host:9091`, a path prefix allowed); the attempts it took.
///
/// # Errors
/// As [`http::send`]; the Pushgateway answers 400 with its reason to metrics it refuses.
pub async fn push(
    base: &str,
    cluster: &str,
    metrics: String,
    push: Push,
    settings: &HttpSettings,
) -> Result<u32, HttpError> {
    let url = Secret::new(group_url(base, cluster));
    let out = Outgoing {
        channel: CHANNEL,
        method: match push {
            Push::Replace => Method::PUT,
            Push::Update => Method::POST,
        },
        url: &url,
        content_type: TEXT_FORMAT,
        headers: Vec::new(),
        body: Bytes::from(metrics),
    };
    http::send(&out, settings).await
}

/// `base/metrics/job/kube-patrol/cluster/<name>`, or `.../cluster@base64/<base64url>`.
pub fn group_url(base: &str, cluster: &str) -> String {
    let base = base.trim_end_matches('/');
    let plain = !cluster.is_empty()
        && cluster
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if plain {
        format!("{base}/metrics/job/{JOB}/cluster/{cluster}")
    } else if cluster.is_empty() {
        // The Pushgateway's spelling of an empty value.
        format!("{base}/metrics/job/{JOB}/cluster@base64/=")
    } else {
        let encoded = URL_SAFE_NO_PAD.encode(cluster);
        format!("{base}/metrics/job/{JOB}/cluster@base64/{encoded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_cluster_name_is_a_path_segment_and_any_other_is_base64() {
        assert_eq!(
            group_url("http://pgw:9091/", "prod-1"),
            "http://pgw:9091/metrics/job/kube-patrol/cluster/prod-1"
        );
        assert_eq!(
            group_url("http://pgw:9091", "a/b"),
            "http://pgw:9091/metrics/job/kube-patrol/cluster@base64/YS9i"
        );
        assert_eq!(
            group_url("http://pgw:9091", "PIGO 線下"),
            "http://pgw:9091/metrics/job/kube-patrol/cluster@base64/UElHTyDnt5rkuIs"
        );
    }
}
