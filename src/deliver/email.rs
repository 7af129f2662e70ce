//! The report by email: one message over SMTP (lettre, rustls), with the Markdown as the plain
//! text, the HTML as its alternative, and the Markdown attached.
//!
//! Sending is retried with a doubling delay when the failure may pass by itself (a 4xx reply, a
//! connection refused, reset, dropped or timed out), and not when it will not (a 5xx reply, a
//! refused login, an untrusted certificate, a bad address). The password is never in an error,
//! a log line or `Debug` output.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::address::{AddressError, Envelope};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tracing::{info, instrument, warn};

/// Default for [`EmailSettings::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`EmailSettings::retries`].
pub const DEFAULT_RETRIES: u32 = 3;
/// Default for [`EmailSettings::backoff`]: retries after 5 s, 10 s, 20 s.
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(5);

/// A password: `Debug` shows `Secret("***")`, so settings can be logged whole.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The password itself, for the SMTP login only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain text all along: only for a relay on the same host or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS, which is required: a server that does not offer
    /// it is an error, never a silent fallback to plain text.
    #[default]
    StartTls,
    /// TLS from the first byte (SMTPS).
    Implicit,
}

impl TlsMode {
    /// The usual port: 25, 587 (submission) or 465 (submissions).
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Implicit => 465,
        }
    }
}

/// Where and how to send the report, and to whom.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Log in (AUTH PLAIN or LOGIN) when set; needs `password`.
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `name <address>` or a bare address.
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// Already rendered by the caller; any Unicode (encoded as RFC 2047).
    pub subject: String,
    /// How long one attempt may take, from connecting to the server's last reply.
    pub timeout: Duration,
    /// Attempts after the first one, for failures that may pass by themselves.
    pub retries: u32,
    /// Delay before the first retry, doubled before each next one.
    pub backoff: Duration,
    /// Accept any certificate: for a test relay only; prefer `ca_file`.
    pub accept_invalid_certs: bool,
    /// An extra trusted root CA (PEM), for a private mail relay; the system's roots stay trusted.
    pub ca_file: Option<PathBuf>,
}

impl EmailSettings {
    /// `host:port`, as errors and logs name the server.
    pub fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// What to send: the rendered report.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The plain-text body: the Markdown.
    pub text: &'a str,
    pub html: &'a str,
    /// Attached files, e.g. the full report as Markdown and HTML; a notice has none.
    pub attachments: &'a [Attached<'a>],
}

/// A file attached to the message, sent byte for byte as the archive keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Attached<'a> {
    /// `kube-patrol-pigo-2025-12-26.md`.
    pub name: &'a str,
    /// [`MARKDOWN`] or [`HTML`].
    pub content_type: &'static str,
    pub content: &'a str,
}

/// The media type of a Markdown attachment (RFC 7763).
pub const MARKDOWN: &str = "text/markdown; charset=utf-8";
/// The media type of an HTML attachment.
pub const HTML: &str = "text/html; charset=utf-8";

/// What happened, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    /// 1 when the first attempt went through.
    pub attempts: u32,
    /// To and Cc addresses the server accepted.
    pub recipients: usize,
}

/// Why the report was not sent. Every message is one line, starts with
/// `failed to send the report to SMTP server host:port` and never contains the password.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("failed to send the report to SMTP server {server}: {problem}")]
    Settings { server: String, problem: String },
    #[error(
        "failed to send the report to SMTP server {server}: {field} address {value:?} is not valid"
    )]
    Address {
        server: String,
        field: &'static str,
        value: String,
        #[source]
        source: AddressError,
    },
    #[error("failed to send the report to SMTP server {server}: cannot read the CA file {}", path.display())]
    CaFile {
        server: String,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("failed to send the report to SMTP server {server}: cannot set up TLS")]
    Tls {
        server: String,
        #[source]
        source: lettre::transport::smtp::Error,
    },
    #[error("failed to send the report to SMTP server {server}: cannot build the message")]
    Build {
        server: String,
        #[source]
        source: lettre::error::Error,
    },
    #[error("failed to send the report to SMTP server {server} ({})", outcome(*attempts, *transient))]
    Send {
        server: String,
        /// Attempts made, the first one included.
        attempts: u32,
        /// The last failure may pass by itself, but the retries ran out; false: it was
        /// permanent, so it was not retried.
        transient: bool,
        #[source]
        source: AttemptError,
    },
}

/// The end of a delivery error: how many attempts, and why it stopped (also for HTTP).
pub(super) fn outcome(attempts: u32, transient: bool) -> String {
    match (transient, attempts) {
        (true, 1) => "1 attempt, no retries configured".to_owned(),
        (true, n) => format!("{n} attempts"),
        (false, 1) => "a permanent failure, not retried".to_owned(),
        (false, n) => format!("a permanent failure at attempt {n}, not retried"),
    }
}

impl EmailError {
    /// Attempts made to send (0 when the settings or the message were wrong).
    pub fn attempts(&self) -> u32 {
        match self {
            EmailError::Send { attempts, .. } => *attempts,
            _ => 0,
        }
    }
}

/// Why one attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    /// lettre's text already holds its causes (so no `source` here), sometimes twice: a TLS
    /// failure reads "Connection error: Connection error: invalid peer certificate".
    #[error("{}", without_repeats(&.0.to_string()))]
    Smtp(lettre::transport::smtp::Error),
    #[error("no answer within {}s", .0.as_secs_f64())]
    TimedOut(Duration),
}

/// `a: a: b` → `a: b`.
fn without_repeats(text: &str) -> String {
    let mut parts: Vec<&str> = text.split(": ").collect();
    parts.dedup();
    parts.join(": ")
}

impl AttemptError {
    /// A failure that may pass by itself: worth another attempt.
    pub fn is_transient(&self) -> bool {
        match self {
            AttemptError::TimedOut(_) => true,
            AttemptError::Smtp(e) => smtp_error_is_transient(e),
        }
    }
}

/// 4xx replies, and connections that could not be made or broke (refused, reset, closed before
/// the reply: lettre calls those connection, network or response errors). Not 5xx replies (a
/// refused login is 535), TLS setup or certificate failures, or lettre's own client errors
/// (e.g. no common AUTH mechanism): those fail the same way every time.
fn smtp_error_is_transient(e: &lettre::transport::smtp::Error) -> bool {
    if e.is_transient() || e.is_timeout() {
        return true;
    }
    let fails_every_time =
        e.is_permanent() || e.is_tls() || e.is_client() || e.is_transport_shutdown();
    !fails_every_time && !is_tls_handshake_failure(e)
}

/// lettre reports a rustls handshake failure (an untrusted certificate, a wrong host name) as a
/// connection error; tokio-rustls gives it as an `InvalidData` I/O error, which a refused or
/// reset connection never is.
fn is_tls_handshake_failure(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = e.source();
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<io::Error>() {
            return io.kind() == io::ErrorKind::InvalidData;
        }
        cause = c.source();
    }
    false
}

/// Sends the report to every To and Cc address, retrying transient failures.
///
/// # Errors
///
/// [`EmailError`] when an address or the CA file is wrong (before connecting), when the server
/// refuses the message or the login permanently, or when transient failures outlast
/// `settings.retries`.
#[instrument(skip_all, fields(server = %settings.server()))]
pub async fn send(
    settings: &EmailSettings,
    message: &Message<'_>,
) -> Result<SendReport, EmailError> {
    let email = build(settings, message)?;
    let transport = transport(settings)?;
    let envelope = email.envelope().clone();
    // Formatted once: every attempt sends the same bytes, same Date and Message-ID, so a server
    // that did get an earlier attempt can tell it is a duplicate.
    let bytes = email.formatted();
    let attempts = send_with_retries(settings, &transport, &envelope, &bytes).await?;
    let report = SendReport {
        attempts,
        recipients: envelope.to().len(),
    };
    info!(
        attempts,
        recipients = report.recipients,
        "report sent by email"
    );
    Ok(report)
}

async fn send_with_retries(
    settings: &EmailSettings,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    envelope: &Envelope,
    bytes: &[u8],
) -> Result<u32, EmailError> {
    let last = settings.retries.saturating_add(1);
    let mut delay = settings.backoff;
    let mut attempt = 1;
    loop {
        info!(attempt, of = last, "sending the report by email");
        let error = match attempt_once(transport, envelope, bytes, settings.timeout).await {
            Ok(()) => return Ok(attempt),
            Err(error) => error,
        };
        let transient = error.is_transient();
        if !transient || attempt >= last {
            return Err(EmailError::Send {
                server: settings.server(),
                attempts: attempt,
                transient,
                source: error,
            });
        }
        warn!(
            attempt,
            error = %crate::error::one_line(&error),
            "sending the report by email failed; retry in {}s",
            delay.as_secs_f64()
        );
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2);
        attempt += 1;
    }
}

/// One connection: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA.
async fn attempt_once(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    envelope: &Envelope,
    bytes: &[u8],
    timeout: Duration,
) -> Result<(), AttemptError> {
    // lettre's own timeout covers connecting only; a server that stops answering in the middle
    // of the dialogue must not hang the weekly job either.
    match tokio::time::timeout(timeout, transport.send_raw(envelope, bytes)).await {
        Ok(Ok(_response)) => Ok(()),
        Ok(Err(e)) => Err(AttemptError::Smtp(e)),
        Err(_elapsed) => Err(AttemptError::TimedOut(timeout)),
    }
}

/// The MIME message: mixed [ alternative [ text/plain, text/html ], the attached files ].
fn build(settings: &EmailSettings, message: &Message<'_>) -> Result<lettre::Message, EmailError> {
    if settings.to.is_empty() {
        return Err(settings_error(
            settings,
            "no recipient: the To list is empty",
        ));
    }
    let mut builder = lettre::Message::builder()
        .from(mailbox(settings, "From", &settings.from)?)
        .subject(settings.subject.as_str())
        .user_agent(format!("kube-patrol/{}", env!("CARGO_PKG_VERSION")));
    for to in &settings.to {
        builder = builder.to(mailbox(settings, "To", to)?);
    }
    for cc in &settings.cc {
        builder = builder.cc(mailbox(settings, "Cc", cc)?);
    }
    let alternative =
        MultiPart::alternative_plain_html(message.text.to_owned(), message.html.to_owned());
    let body = if message.attachments.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for file in message.attachments {
            let content_type =
                ContentType::parse(file.content_type).map_err(|e| EmailError::Settings {
                    server: settings.server(),
                    problem: format!("attachment {}: {e}", file.name),
                })?;
            // Bytes, not a String: lettre would turn the file's LF line endings into CRLF, and
            // the attachment should be the very file the archive keeps.
            let attachment = Attachment::new(file.name.to_owned())
                .body(file.content.as_bytes().to_vec(), content_type);
            mixed = mixed.singlepart(attachment);
        }
        mixed
    };
    builder.multipart(body).map_err(|source| EmailError::Build {
        server: settings.server(),
        source,
    })
}

fn mailbox(
    settings: &EmailSettings,
    field: &'static str,
    value: &str,
) -> Result<Mailbox, EmailError> {
    value.parse().map_err(|source| EmailError::Address {
        server: settings.server(),
        field,
        value: value.to_owned(),
        source,
    })
}

fn settings_error(settings: &EmailSettings, problem: &str) -> EmailError {
    EmailError::Settings {
        server: settings.server(),
        problem: problem.to_owned(),
    }
}

fn transport(settings: &EmailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, EmailError> {
    // "dangerous" only means lettre leaves TLS to us: `tls` below sets it from the settings.
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        .port(settings.port)
        .tls(tls(settings)?)
        .timeout(Some(settings.timeout));
    match (&settings.username, &settings.password) {
        (Some(user), Some(password)) => {
            let credentials = Credentials::new(user.clone(), password.expose().to_owned());
            builder = builder.credentials(credentials);
        }
        (Some(_), None) => {
            return Err(settings_error(
                settings,
                "a username is set but no password",
            ));
        }
        (None, _) => {}
    }
    Ok(builder.build())
}

fn tls(settings: &EmailSettings) -> Result<Tls, EmailError> {
    if settings.tls == TlsMode::None {
        return Ok(Tls::None);
    }
    let mut builder = TlsParameters::builder(settings.host.clone())
        .dangerous_accept_invalid_certs(settings.accept_invalid_certs);
    if let Some(path) = &settings.ca_file {
        builder = builder.add_root_certificate(ca_certificate(settings, path)?);
    }
    let parameters = builder.build_rustls().map_err(|source| EmailError::Tls {
        server: settings.server(),
        source,
    })?;
    Ok(match settings.tls {
        TlsMode::Implicit => Tls::Wrapper(parameters),
        _ => Tls::Required(parameters),
    })
}

fn ca_certificate(settings: &EmailSettings, path: &Path) -> Result<Certificate, EmailError> {
    let pem = std::fs::read(path).map_err(|source| EmailError::CaFile {
        server: settings.server(),
        path: path.to_owned(),
        source,
    })?;
    // lettre accepts a file without any certificate and trusts nothing more: say so instead.
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        let problem = format!("the CA file {} has no PEM certificate", path.display());
        return Err(settings_error(settings, &problem));
    }
    Certificate::from_pem(&pem).map_err(|source| EmailError::Tls {
        server: settings.server(),
        source,
    })
}

#[cfg(test)]
mod tests;
