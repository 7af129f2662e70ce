//! One HTTP request with retries, for the digest channels and the Pushgateway (hyper over
//! rustls, the system's CA roots).
//!
//! A request is retried with a doubling delay, as the email is, when its failure may pass by
//! itself: a connection refused, reset or timed out, a 408, a 429 (after the server's
//! `Retry-After` seconds when it gives them, at most [`MAX_RETRY_AFTER`]) and a 5xx. Other
//! answers (400, 401, 403, 404...) and untrusted certificates fail the same way every time and
//! are not retried. The URL may hold a credential (Slack's and Teams' do), so errors and logs
//! name the channel and the host only, never the path or the query.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tracing::{info, warn};

use super::email::{Secret, outcome};

/// The longest `Retry-After` honoured; a longer one is waited this long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// How patiently to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// How long one attempt may take, from connecting to the end of the answer.
    pub timeout: Duration,
    /// Attempts after the first, for failures that may pass by themselves.
    pub retries: u32,
    /// Delay before the first retry, doubled before each next one.
    pub backoff: Duration,
}

/// What to send, and where.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The channel, as errors and logs name it (`Slack`, `the webhook`, `the Pushgateway`).
    pub channel: &'a str,
    pub method: Method,
    /// Never logged: it may hold a credential.
    pub url: &'a Secret,
    pub content_type: &'static str,
    /// Extra headers (the webhook's signature).
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

/// Why the request was not delivered. One line, naming the channel and the host only.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("failed to send to {channel}: {problem}")]
    Settings { channel: String, problem: String },
    #[error("failed to send to {channel} at {host} ({})", outcome(*attempts, *transient))]
    Send {
        channel: String,
        host: String,
        /// Attempts made, the first one included.
        attempts: u32,
        /// The last failure may pass by itself but the retries ran out; false: permanent.
        transient: bool,
        #[source]
        source: AttemptError,
    },
}

/// Why one attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    /// The server answered with an error status; `body`: the start of its answer, one line.
    #[error("HTTP {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        status: StatusCode,
        body: String,
        /// `Retry-After`, in seconds, when given so.
        retry_after: Option<Duration>,
    },
    #[error("{0}")]
    Connection(String),
    /// The certificate is not trusted, or TLS could not be agreed: it fails every time.
    #[error("{0}")]
    Tls(String),
    #[error("no answer within {}s", .0.as_secs_f64())]
    TimedOut(Duration),
}

impl AttemptError {
    /// A failure that may pass by itself.
    pub fn is_transient(&self) -> bool {
        match self {
            AttemptError::Status { status, .. } => {
                status.is_server_error()
                    || *status == StatusCode::TOO_MANY_REQUESTS
                    || *status == StatusCode::REQUEST_TIMEOUT
            }
            AttemptError::Connection(_) | AttemptError::TimedOut(_) => true,
            AttemptError::Tls(_) => false,
        }
    }
}

type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Sends `out`, retrying transient failures; the attempts it took.
///
/// # Errors
/// [`HttpError::Settings`] when the URL is not an `http(s)` URL or TLS cannot be set up;
/// [`HttpError::Send`] when the server refuses permanently or the retries run out.
/// POSTs `message` as JSON to `url` (a chat webhook) for `channel`; the attempts it took.
///
/// # Errors
/// As [`send`].
pub async fn post_json(
    channel: &str,
    url: &Secret,
    message: &serde_json::Value,
    settings: &HttpSettings,
) -> Result<u32, HttpError> {
    let out = Outgoing {
        channel,
        method: Method::POST,
        url,
        content_type: "application/json; charset=utf-8",
        headers: Vec::new(),
        body: Bytes::from(message.to_string()),
    };
    send(&out, settings).await
}

pub async fn send(out: &Outgoing<'_>, settings: &HttpSettings) -> Result<u32, HttpError> {
    let settings_error = |problem: String| HttpError::Settings {
        channel: out.channel.to_owned(),
        problem,
    };
    let uri: Uri = out
        .url
        .expose()
        .parse()
        .map_err(|_| settings_error("its URL is not a valid URL".to_owned()))?;
    let host = match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(authority)) => authority
            .as_str()
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_owned(),
        _ => {
            return Err(settings_error(
                "its URL is not an http(s):// URL".to_owned(),
            ));
        }
    };
    let client = client().map_err(settings_error)?;
    let last = settings.retries.saturating_add(1);
    let mut delay = settings.backoff;
    let mut attempt = 1;
    loop {
        info!(channel = out.channel, %host, attempt, of = last, "sending");
        let error = match attempt_once(&client, &uri, out, settings.timeout).await {
            Ok(()) => {
                info!(channel = out.channel, %host, attempts = attempt, "sent");
                return Ok(attempt);
            }
            Err(error) => error,
        };
        let transient = error.is_transient();
        if !transient || attempt >= last {
            return Err(HttpError::Send {
                channel: out.channel.to_owned(),
                host,
                attempts: attempt,
                transient,
                source: error,
            });
        }
        let wait = match &error {
            AttemptError::Status {
                retry_after: Some(after),
                ..
            } => (*after).min(MAX_RETRY_AFTER),
            _ => delay,
        };
        warn!(
            channel = out.channel,
            %host,
            attempt,
            error = %error,
            "sending failed; retry in {}s",
            wait.as_secs_f64()
        );
        tokio::time::sleep(wait).await;
        delay = delay.saturating_mul(2);
        attempt += 1;
    }
}

async fn attempt_once(
    client: &HttpClient,
    uri: &Uri,
    out: &Outgoing<'_>,
    timeout: Duration,
) -> Result<(), AttemptError> {
    let mut request = Request::builder()
        .method(out.method.clone())
        .uri(uri.clone())
        .header(header::CONTENT_TYPE, out.content_type)
        .header(
            header::USER_AGENT,
            concat!("kube-patrol/", env!("CARGO_PKG_VERSION")),
        );
    for (name, value) in &out.headers {
        request = request.header(*name, value.as_str());
    }
    let request = request
        .body(Full::new(out.body.clone()))
        .map_err(|e| AttemptError::Connection(format!("cannot build the request: {e}")))?;
    let exchange = async {
        let response = client.request(request).await.map_err(connection_error)?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        if parts.status.is_success() {
            return Ok(());
        }
        Err(AttemptError::Status {
            status: parts.status,
            body: body_line(&body),
            retry_after: parts.headers.get(header::RETRY_AFTER).and_then(retry_after),
        })
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_elapsed) => Err(AttemptError::TimedOut(timeout)),
    }
}

/// `Retry-After: 30` (seconds); an HTTP date is left to the backoff.
fn retry_after(value: &HeaderValue) -> Option<Duration> {
    let seconds: u64 = value.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds))
}

/// The first 200 characters of an error answer, on one line.
fn body_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 200 {
        let mut cut: String = line.chars().take(199).collect();
        cut.push('…');
        cut
    } else {
        line
    }
}

/// hyper's error with its causes; a TLS failure (rustls gives it as an `InvalidData` I/O
/// error, which a refused or reset connection never is) is told apart: it is permanent.
fn connection_error(e: hyper_util::client::legacy::Error) -> AttemptError {
    let text = crate::error::one_line(&e);
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::InvalidData
        {
            return AttemptError::Tls(text);
        }
        cause = c.source();
    }
    AttemptError::Connection(text)
}

/// A client for `http://` and `https://`, trusting the system's CA roots (none found: only
/// `http://` works, and `https://` says the certificate is not trusted).
fn client() -> Result<HttpClient, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_throttling_and_lost_connections_are_retried_but_refusals_are_not() {
        let status = |code: u16| AttemptError::Status {
            status: StatusCode::from_u16(code).unwrap(),
            body: String::new(),
            retry_after: None,
        };
        for code in [500, 502, 503, 429, 408] {
            assert!(status(code).is_transient(), "{code}");
        }
        for code in [400, 401, 403, 404, 410] {
            assert!(!status(code).is_transient(), "{code}");
        }
        assert!(AttemptError::Connection("refused".into()).is_transient());
        assert!(!AttemptError::Tls("untrusted".into()).is_transient());
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_a_date_is_left_to_the_backoff() {
        let value = |v: &str| HeaderValue::from_str(v).unwrap();
        assert_eq!(retry_after(&value("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&value("Wed, 21 Oct 2015 07:28:00 GMT")), None);
    }

    #[test]
    fn an_error_answer_is_kept_to_one_short_line() {
        assert_eq!(
            body_line(b"invalid_payload\n  here"),
            "invalid_payload here"
        );
        assert_eq!(body_line(&[b'x'; 500]).chars().count(), 200);
    }
}
