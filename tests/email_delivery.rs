//! The report sent by email to a real SMTP server (aiosmtpd, started by each test on 127.0.0.1):
//! what arrives, parsed back with an independent parser (mail-parser), and how failures are
//! retried or not.

#[path = "support/smtp.rs"]
mod smtp;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use kube_patrol::deliver::email::{
    self, EmailError, EmailSettings, Message, Secret, SendReport, TlsMode, send,
};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use smtp::{Received, ServerOptions, ServerTls, SmtpServer, TestCa, closed_port};

const SUBJECT: &str = "🟡 PIGO 線下 Pod 巡檢 2025-12-26：48 個 Pod，2 個需處理";
const MARKDOWN: &str = "# PIGO 線下 Pod 巡檢報告\n\n| 命名空間 | Pod |\n|---|---|\n| pigo-dev | 48 |\n\n\
                        🔴 `api-7d9f-x2` CrashLoopBackOff — 需處理\n";
const HTML: &str = "<h1>PIGO 線下 Pod 巡檢報告</h1>\n<p>🔴 <code>api-7d9f-x2</code> 需處理</p>\n";
const ATTACHMENT: &str = "kube-patrol-2025-12-26.md";
const USER: &str = "patrol";
const PASSWORD: &str = "s3cret-Pa55-never-shown";

fn message() -> Message<'static> {
    Message {
        text: MARKDOWN,
        html: HTML,
        attachments: &[email::Attached {
            name: ATTACHMENT,
            content_type: email::MARKDOWN,
            content: MARKDOWN,
        }],
    }
}

/// Settings for a server on 127.0.0.1 with short delays, so failure tests stay fast.
fn settings(port: u16, tls: TlsMode) -> EmailSettings {
    EmailSettings {
        host: "127.0.0.1".to_owned(),
        port,
        tls,
        username: None,
        password: None,
        from: "kube-patrol <patrol@example.com>".to_owned(),
        to: vec![
            "ops@example.com".to_owned(),
            "王小明 <ming@example.com>".to_owned(),
        ],
        cc: vec!["lead@example.com".to_owned(), "sre@example.com".to_owned()],
        subject: SUBJECT.to_owned(),
        timeout: Duration::from_secs(10),
        retries: 2,
        backoff: Duration::from_millis(20),
        accept_invalid_certs: false,
        ca_file: None,
    }
}

fn with_login(mut s: EmailSettings, password: &str) -> EmailSettings {
    s.username = Some(USER.to_owned());
    s.password = Some(Secret::new(password));
    s
}

fn only_message(server: &SmtpServer) -> Received {
    let mut received = server.received();
    assert_eq!(
        received.len(),
        1,
        "messages received; server log:\n{}",
        server.log()
    );
    received.remove(0)
}

/// Everything a reader sees: headers, both bodies, the attachment.
fn assert_report_arrived_whole(received: &Received) {
    let email = MessageParser::default()
        .parse(&received.eml)
        .expect("a parsable message");
    assert_eq!(email.subject(), Some(SUBJECT));
    let from = email.from().and_then(|a| a.first()).unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("kube-patrol"), Some("patrol@example.com"))
    );
    let to: Vec<_> = email
        .to()
        .unwrap()
        .iter()
        .map(|a| (a.name(), a.address()))
        .collect();
    assert_eq!(
        to,
        [
            (None, Some("ops@example.com")),
            (Some("王小明"), Some("ming@example.com"))
        ]
    );
    let cc: Vec<_> = email
        .cc()
        .unwrap()
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(cc, ["lead@example.com", "sre@example.com"]);
    assert_mime_tree(&email);
}

/// mixed [ alternative [ text/plain, text/html ], text/markdown attachment ], all UTF-8.
fn assert_mime_tree(email: &mail_parser::Message<'_>) {
    let part = |id: u32| &email.parts[id as usize];
    let root = part(0);
    assert!(root.is_content_type("multipart", "mixed"));
    let [alternative, attachment] = root.sub_parts().unwrap() else {
        panic!("two parts")
    };
    assert!(part(*alternative).is_content_type("multipart", "alternative"));
    let [plain, html] = part(*alternative).sub_parts().unwrap() else {
        panic!("two bodies")
    };
    let (plain, html, attachment) = (part(*plain), part(*html), part(*attachment));
    assert!(plain.is_content_type("text", "plain"));
    assert!(html.is_content_type("text", "html"));
    for body in [plain, html, attachment] {
        let charset = body.content_type().and_then(|c| c.attribute("charset"));
        assert_eq!(
            charset.map(str::to_ascii_lowercase).as_deref(),
            Some("utf-8")
        );
    }
    // MIME text bodies travel with CRLF line endings (RFC 2046); the attachment is the file as is.
    assert!(matches!(&plain.body, PartType::Text(text) if *text == MARKDOWN.replace('\n', "\r\n")));
    assert!(matches!(&html.body, PartType::Html(text) if *text == HTML.replace('\n', "\r\n")));
    assert!(attachment.is_content_type("text", "markdown"));
    assert_eq!(attachment.attachment_name(), Some(ATTACHMENT));
    assert_eq!(attachment.contents(), MARKDOWN.as_bytes());
    let disposition = attachment.content_disposition().unwrap();
    assert_eq!(disposition.ctype(), "attachment");
}

fn assert_envelope_has_every_recipient(received: &Received) {
    assert_eq!(received.mail_from, "patrol@example.com");
    assert_eq!(
        received.rcpt_tos,
        [
            "ops@example.com",
            "ming@example.com",
            "lead@example.com",
            "sre@example.com"
        ]
    );
}

#[tokio::test]
async fn a_report_sent_in_plain_text_arrives_whole() {
    let server = SmtpServer::start(ServerOptions::plain(), None);
    let report = send(&settings(server.port, TlsMode::None), &message())
        .await
        .unwrap();
    assert_eq!(
        report,
        SendReport {
            attempts: 1,
            recipients: 4
        }
    );
    let received = only_message(&server);
    assert_report_arrived_whole(&received);
    assert_envelope_has_every_recipient(&received);
}

#[tokio::test]
async fn starttls_with_a_login_delivers_the_report_to_every_recipient() {
    let ca = TestCa::generate();
    let options = ServerOptions {
        tls: ServerTls::StartTls,
        login: Some((USER, PASSWORD)),
        ..ServerOptions::plain()
    };
    let server = SmtpServer::start(options, Some(&ca));
    let mut s = with_login(settings(server.port, TlsMode::StartTls), PASSWORD);
    s.ca_file = Some(ca.ca());
    let report = send(&s, &message()).await.unwrap();
    assert_eq!(
        report,
        SendReport {
            attempts: 1,
            recipients: 4
        }
    );
    let received = only_message(&server);
    assert_report_arrived_whole(&received);
    assert_envelope_has_every_recipient(&received);
}

#[tokio::test]
async fn implicit_tls_with_a_login_delivers_the_report() {
    let ca = TestCa::generate();
    let options = ServerOptions {
        tls: ServerTls::Implicit,
        login: Some((USER, PASSWORD)),
        ..ServerOptions::plain()
    };
    let server = SmtpServer::start(options, Some(&ca));
    let mut s = with_login(settings(server.port, TlsMode::Implicit), PASSWORD);
    s.ca_file = Some(ca.ca());
    s.host = "localhost".to_owned();
    let report = send(&s, &message()).await.unwrap();
    assert_eq!(report.attempts, 1);
    assert_report_arrived_whole(&only_message(&server));
}

#[tokio::test]
async fn a_server_that_is_down_is_retried_then_named_in_the_error() {
    let port = closed_port();
    let error = send(&settings(port, TlsMode::None), &message())
        .await
        .unwrap_err();
    assert_eq!(error.attempts(), 3);
    let text = kube_patrol::error::one_line(&error);
    let expected =
        format!("failed to send the report to SMTP server 127.0.0.1:{port} (3 attempts): ");
    assert!(text.starts_with(&expected), "{text}");
    assert!(text.contains("Connection refused"), "{text}");
}

#[tokio::test]
async fn a_refused_login_is_not_retried_and_the_password_is_never_shown() {
    let ca = TestCa::generate();
    let options = ServerOptions {
        tls: ServerTls::StartTls,
        login: Some((USER, PASSWORD)),
        ..ServerOptions::plain()
    };
    let server = SmtpServer::start(options, Some(&ca));
    let wrong = "wrong-Pa55-also-never-shown";
    let mut s = with_login(settings(server.port, TlsMode::StartTls), wrong);
    s.ca_file = Some(ca.ca());
    let logs = captured_logs();
    let error = send(&s, &message()).await.unwrap_err();
    let text = kube_patrol::error::one_line(&error);
    assert_eq!(error.attempts(), 1);
    assert!(
        text.contains("(a permanent failure, not retried): permanent error (535): 5.7.8"),
        "{text}"
    );
    for shown in [text, format!("{error:?}"), format!("{s:?}"), logs.text()] {
        assert!(!shown.contains(wrong), "the password is shown: {shown}");
    }
    let this_server = format!("server={}", s.server());
    let ours: Vec<String> = logs
        .text()
        .lines()
        .filter(|l| l.contains(&this_server))
        .map(String::from)
        .collect();
    assert!(
        ours.iter()
            .any(|l| l.contains("sending the report by email attempt=1")),
        "{ours:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_connection_dropped_during_data_is_retried() {
    let server = SmtpServer::start(
        ServerOptions {
            drop_data: 1,
            ..ServerOptions::plain()
        },
        None,
    );
    let report = send(&settings(server.port, TlsMode::None), &message())
        .await
        .unwrap();
    assert_eq!(report.attempts, 2);
    assert_report_arrived_whole(&only_message(&server));
}

#[tokio::test]
async fn a_transient_451_reply_is_retried_and_the_second_attempt_succeeds() {
    let server = SmtpServer::start(
        ServerOptions {
            transient_data: 1,
            ..ServerOptions::plain()
        },
        None,
    );
    let report = send(&settings(server.port, TlsMode::None), &message())
        .await
        .unwrap();
    assert_eq!(
        report,
        SendReport {
            attempts: 2,
            recipients: 4
        }
    );
    assert_report_arrived_whole(&only_message(&server));
}

#[tokio::test]
async fn transient_replies_that_outlast_the_retries_fail_with_the_last_reply() {
    let server = SmtpServer::start(
        ServerOptions {
            transient_data: 5,
            ..ServerOptions::plain()
        },
        None,
    );
    let mut s = settings(server.port, TlsMode::None);
    s.retries = 1;
    let error = send(&s, &message()).await.unwrap_err();
    assert_eq!(error.attempts(), 2);
    let text = kube_patrol::error::one_line(&error);
    assert!(
        text.contains("(2 attempts): transient error (451): 4.3.0 test server"),
        "{text}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_retried() {
    // Accepts connections (the kernel does) but never sends a greeting.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut s = settings(silent.local_addr().unwrap().port(), TlsMode::None);
    s.timeout = Duration::from_millis(300);
    s.retries = 1;
    let error = send(&s, &message()).await.unwrap_err();
    assert_eq!(error.attempts(), 2);
    assert!(kube_patrol::error::one_line(&error).ends_with("(2 attempts): no answer within 0.3s"));
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_and_not_retried() {
    let ca = TestCa::generate();
    let server = SmtpServer::start(
        ServerOptions {
            tls: ServerTls::StartTls,
            ..ServerOptions::plain()
        },
        Some(&ca),
    );
    let error = send(&settings(server.port, TlsMode::StartTls), &message())
        .await
        .unwrap_err();
    assert_eq!(error.attempts(), 1);
    let text = kube_patrol::error::one_line(&error);
    let expected = "(a permanent failure, not retried): Connection error: invalid peer certificate: UnknownIssuer";
    assert!(text.ends_with(expected), "{text}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn starttls_never_falls_back_to_plain_text() {
    let server = SmtpServer::start(ServerOptions::plain(), None);
    let error = send(&settings(server.port, TlsMode::StartTls), &message())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        EmailError::Send {
            attempts: 1,
            transient: false,
            ..
        }
    ));
    let text = kube_patrol::error::one_line(&error);
    assert!(text.contains("STARTTLS is not supported"), "{text}");
    assert!(server.received().is_empty());
}

/// Every log line of this test binary, from the first call on.
///
/// A global subscriber, not a thread-local one: tracing caches per call site, process-wide,
/// whether anyone listens, and a call site first reached by a test thread without a subscriber
/// would stay silent for the thread that captures (tokio-rs/tracing#3611).
fn captured_logs() -> &'static Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        tracing::callsite::rebuild_interest_cache();
        logs
    })
}

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
