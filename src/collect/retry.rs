//! Retrying the API's transient failures: every request kube-patrol makes is a GET, safe to
//! repeat. kube's own retry layer is off (it retries 429, 503 and 504 up to 15 times, not
//! configurable); this one retries what a flaky or busy API server answers — 429 and 5xx, a
//! connection reset or refused, a timeout, a body cut off half-way — with exponential backoff
//! and full jitter, and waits as long as the server asks (a 429's `retryAfterSeconds`).

use std::future::Future;
use std::time::Duration;

use tracing::warn;

use crate::error::one_line;

/// How many times a request is tried and how long to wait in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries per request, the first included (`cluster.retries` + 1); at least 1.
    pub attempts: u32,
    /// The wait before the second try; it doubles for each further one, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Five tries, waiting about 0.5, 1, 2 and 4 s in between (client-go's defaults are alike).
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before try `attempt + 1`: the server's `retryAfterSeconds` when it gave one,
    /// else a random share of the doubled base delay ("full jitter", so that many clients
    /// throttled at once do not come back at once).
    fn delay(&self, attempt: u32, error: &kube::Error) -> Duration {
        if let Some(seconds) = retry_after(error) {
            return Duration::from_secs(seconds.into()).min(self.max_delay);
        }
        let ceiling = self
            .base_delay
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// A request that failed on its last try: which, the error and how many tries were made.
#[derive(Debug)]
pub struct Failed {
    /// `GET /api/v1/namespaces/x/pods (page 2)`.
    pub request: String,
    pub error: kube::Error,
    pub attempts: u32,
}

/// Runs `request` until it succeeds, fails for good, or has been tried `policy.attempts`
/// times; `what` names it in the log's warnings.
///
/// # Errors
/// The last error, with the number of tries.
pub async fn retrying<T, F, Fut>(what: &str, policy: &RetryPolicy, request: F) -> Result<T, Failed>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    retrying_if(what, policy, is_transient, request).await
}

/// [`retrying`], trying again only the errors `worth_retrying` accepts.
///
/// # Errors
/// The last error, with the number of tries.
pub async fn retrying_if<T, F, Fut>(
    what: &str,
    policy: &RetryPolicy,
    worth_retrying: fn(&kube::Error) -> bool,
    mut request: F,
) -> Result<T, Failed>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    let mut attempt = 1;
    loop {
        match request().await {
            Ok(value) => return Ok(value),
            Err(error) if attempt < policy.attempts && worth_retrying(&error) => {
                let delay = policy.delay(attempt, &error);
                warn!(request = what, attempt, error = %one_line(&error), retry_in = ?delay, "retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            Err(error) => {
                return Err(Failed {
                    request: what.to_owned(),
                    error,
                    attempts: attempt,
                });
            }
        }
    }
}

/// Whether trying again may work: the server was busy or failed (429, 500, 502, 503, 504), or
/// the answer did not arrive whole (transport errors, timeouts, a body cut off).
pub fn is_transient(error: &kube::Error) -> bool {
    match error {
        kube::Error::Api(status) => matches!(status.code, 429 | 500 | 502 | 503 | 504),
        kube::Error::HyperError(_)
        | kube::Error::Service(_)
        | kube::Error::ReadEvents(_)
        | kube::Error::SerdeError(_) => true,
        _ => false,
    }
}

/// Whether a log request is worth another try: the API server was busy (429, 503) or the answer
/// did not arrive whole. A 500 or 502 there is the kubelet's answer relayed (unreachable, the
/// container gone) and would be the same again.
pub fn is_transient_for_logs(error: &kube::Error) -> bool {
    match error {
        kube::Error::Api(status) => matches!(status.code, 429 | 503),
        other => is_transient(other),
    }
}

/// The wait a 429 or 503 asks for, in its Status (`details.retryAfterSeconds`, which the API
/// server sends with its `Retry-After` header).
fn retry_after(error: &kube::Error) -> Option<u32> {
    match error {
        kube::Error::Api(status) => status
            .details
            .as_ref()
            .map(|d| d.retry_after_seconds)
            .filter(|s| *s > 0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, retry_after: Option<u32>) -> kube::Error {
        let mut status = kube::core::Status::failure("busy", "TooManyRequests").with_code(code);
        status.details = retry_after.map(|seconds| {
            serde_json::from_value(serde_json::json!({"retryAfterSeconds": seconds})).unwrap()
        });
        kube::Error::Api(Box::new(status))
    }

    #[test]
    fn a_busy_or_failing_server_is_worth_another_try_but_a_refusal_is_not() {
        for code in [429, 500, 502, 503, 504] {
            assert!(is_transient(&status(code, None)), "{code}");
        }
        for code in [400, 401, 403, 404, 410] {
            assert!(!is_transient(&status(code, None)), "{code}");
        }
    }

    #[test]
    fn the_wait_doubles_up_to_the_maximum_with_jitter_below_it() {
        let policy = RetryPolicy {
            attempts: 10,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5),
        };
        let error = status(500, None);
        for (attempt, ceiling) in [(1, 1), (2, 2), (3, 4), (4, 5), (9, 5)] {
            let delay = policy.delay(attempt, &error);
            assert!(delay < Duration::from_secs(ceiling), "{attempt}: {delay:?}");
        }
    }

    #[test]
    fn the_server_s_retry_after_is_the_wait() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, &status(429, Some(3))),
            Duration::from_secs(3)
        );
    }

    #[tokio::test]
    async fn a_request_is_tried_as_many_times_as_the_policy_says_then_fails_with_the_count() {
        let policy = RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        };
        let mut tries = 0;
        let failed = retrying("test", &policy, || {
            tries += 1;
            async { Err::<(), _>(status(503, None)) }
        })
        .await
        .unwrap_err();
        assert_eq!((tries, failed.attempts), (3, 3));
    }

    #[tokio::test]
    async fn a_refusal_is_not_tried_again() {
        let mut tries = 0;
        let failed = retrying("test", &RetryPolicy::default(), || {
            tries += 1;
            async { Err::<(), _>(status(403, None)) }
        })
        .await
        .unwrap_err();
        assert_eq!((tries, failed.attempts), (1, 1));
    }
}
