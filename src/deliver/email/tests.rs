//! What is decided before connecting: the message, the settings' mistakes, the error wording.
//! Sending itself is tested against a real SMTP server in `tests/email_delivery.rs`.

use super::*;

fn settings() -> EmailSettings {
    EmailSettings {
        host: "smtp.example.com".to_owned(),
        port: 587,
        tls: TlsMode::StartTls,
        username: Some("patrol".to_owned()),
        password: Some(Secret::new("hunter2-very-secret")),
        from: "kube-patrol <patrol@example.com>".to_owned(),
        to: vec![
            "ops@example.com".to_owned(),
            "Ann <ann@example.com>".to_owned(),
        ],
        cc: vec!["lead@example.com".to_owned()],
        subject: "🟡 PIGO 線下 Pod 巡檢 2025-12-26".to_owned(),
        timeout: DEFAULT_TIMEOUT,
        retries: DEFAULT_RETRIES,
        backoff: DEFAULT_BACKOFF,
        accept_invalid_certs: false,
        ca_file: None,
    }
}

const MESSAGE: Message<'static> = Message {
    text: "# 巡檢\n",
    html: "<h1>巡檢</h1>",
    attachments: &[Attached {
        name: "kube-patrol-2025-12-26.md",
        content_type: MARKDOWN,
        content: "# 巡檢\n",
    }],
};

#[test]
fn the_password_is_not_in_the_settings_debug_output() {
    let shown = format!("{:?}", settings());
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("Secret(\"***\")"), "{shown}");
}

#[test]
fn the_message_is_mixed_with_alternative_text_and_html_and_the_markdown_attached() {
    let email = build(&settings(), &MESSAGE).unwrap();
    let text = String::from_utf8(email.formatted()).unwrap();
    let mixed = text.find("multipart/mixed").expect("multipart/mixed");
    let alternative = text.find("multipart/alternative").expect("alternative");
    assert!(mixed < alternative);
    assert!(text.contains("text/plain; charset=utf-8"));
    assert!(text.contains("text/html; charset=utf-8"));
    assert!(text.contains("Content-Type: text/markdown; charset=utf-8"));
    assert!(text.contains("attachment; filename=\"kube-patrol-2025-12-26.md\""));
    // RFC 2047: no raw UTF-8 in the Subject header line.
    let subject = text.lines().find(|l| l.starts_with("Subject:")).unwrap();
    assert!(
        subject.is_ascii() && subject.contains("=?utf-8?"),
        "{subject}"
    );
}

#[test]
fn every_to_and_cc_address_is_a_recipient_of_the_envelope() {
    let email = build(&settings(), &MESSAGE).unwrap();
    let recipients: Vec<String> = email
        .envelope()
        .to()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(
        recipients,
        ["ops@example.com", "ann@example.com", "lead@example.com"]
    );
}

#[test]
fn a_bad_address_is_refused_before_connecting_and_named() {
    let mut s = settings();
    s.cc.push("not an address".to_owned());
    let error = build(&s, &MESSAGE).unwrap_err();
    assert_eq!(
        error.to_string(),
        "failed to send the report to SMTP server smtp.example.com:587: \
         Cc address \"not an address\" is not valid"
    );
    assert_eq!(error.attempts(), 0);
}

#[test]
fn no_recipient_is_an_error() {
    let mut s = settings();
    s.to.clear();
    let error = build(&s, &MESSAGE).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("no recipient: the To list is empty")
    );
}

#[test]
fn a_username_without_a_password_is_an_error() {
    let mut s = settings();
    s.password = None;
    let error = transport(&s).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("a username is set but no password")
    );
}

#[test]
fn a_ca_file_without_a_certificate_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, "not a certificate\n").unwrap();
    let mut s = settings();
    s.ca_file = Some(path.clone());
    let error = transport(&s).unwrap_err();
    let expected = format!("the CA file {} has no PEM certificate", path.display());
    assert!(error.to_string().ends_with(&expected), "{error}");
}

#[test]
fn a_missing_ca_file_is_named() {
    let mut s = settings();
    s.ca_file = Some(PathBuf::from("/nonexistent/ca.pem"));
    let error = transport(&s).unwrap_err();
    assert_eq!(
        crate::error::one_line(&error),
        "failed to send the report to SMTP server smtp.example.com:587: \
         cannot read the CA file /nonexistent/ca.pem: No such file or directory (os error 2)"
    );
}

#[test]
fn the_outcome_says_whether_retries_ran_out_or_were_not_tried() {
    assert_eq!(outcome(4, true), "4 attempts");
    assert_eq!(outcome(1, true), "1 attempt, no retries configured");
    assert_eq!(outcome(1, false), "a permanent failure, not retried");
    assert_eq!(
        outcome(2, false),
        "a permanent failure at attempt 2, not retried"
    );
}

#[test]
fn a_cause_lettre_repeats_is_said_once() {
    assert_eq!(
        without_repeats(
            "Connection error: Connection error: invalid peer certificate: UnknownIssuer"
        ),
        "Connection error: invalid peer certificate: UnknownIssuer"
    );
}

#[test]
fn a_timeout_is_transient() {
    assert!(AttemptError::TimedOut(Duration::from_secs(1)).is_transient());
}

#[test]
fn tls_modes_have_their_usual_ports() {
    assert_eq!(TlsMode::None.default_port(), 25);
    assert_eq!(TlsMode::StartTls.default_port(), 587);
    assert_eq!(TlsMode::Implicit.default_port(), 465);
}
