//! The email a team reads: its HTML part stays under Gmail's clip (102 KB) for a cluster of
//! 10,000 pods in 200 namespaces, still names the problem pods (or says how many more are in
//! the attachment), and the full report travels attached. The SMTP server is the real aiosmtpd
//! the tests start (STARTTLS, AUTH). The bodies are kept in `target/test-output/email/`.

#[path = "support/smtp.rs"]
mod smtp;

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mail_parser::{MessageParser, MimeHeaders};
use serde_json::Value;
use smtp::{ServerOptions, ServerTls, SmtpServer, TestCa};

const USER: &str = "patrol";
const PASSWORD: &str = "s3cret-Pa55-never-shown";
/// What Gmail shows before "[Message clipped]" is 102 KB; the body keeps a margin under it.
const CLIP: usize = 100_000;

/// What one run mailed and archived.
struct Mailed {
    eml: Vec<u8>,
    archive: PathBuf,
    _dir: tempfile::TempDir,
}

/// Generates 10,000 realistic pods in 200 namespaces (1% crash-looping) and runs `run` on
/// them in `lang`, archiving and mailing the report.
fn mail_big_report(lang: &str) -> Mailed {
    let dir = tempfile::tempdir().expect("temp dir");
    let dump = dir.path().join("dump.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/realistic_pods.py");
    let status = Command::new("python3")
        .arg(&script)
        .args(["dump", "10000", "200"])
        .stdout(Stdio::from(std::fs::File::create(&dump).expect("dump")))
        .status()
        .expect("run realistic_pods.py");
    assert!(status.success(), "{} failed", script.display());

    let ca = TestCa::generate();
    let options = ServerOptions {
        tls: ServerTls::StartTls,
        login: Some((USER, PASSWORD)),
        ..ServerOptions::plain()
    };
    let server = SmtpServer::start(options, Some(&ca));
    let password = dir.path().join("password");
    std::fs::write(&password, PASSWORD).unwrap();
    let archive = dir.path().join("reports");
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "cluster:\n  name: big\n  timezone: Asia/Taipei\nreport:\n  lang: {lang}\n\
             archive:\n  dir: {}\n\
             smtp:\n  host: 127.0.0.1\n  port: {}\n  tls: starttls\n  username: {USER}\n  \
             password_file: {}\n  from: patrol@example.com\n  to: [ops@example.com]\n  \
             ca_file: {}\n  retries: 1\n  backoff: 1s\n  timeout: 30s\n",
            archive.display(),
            server.port,
            password.display(),
            ca.ca().display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .args(["run", "-A", "--config"])
        .arg(&config)
        .arg("--from-dump")
        .arg(&dump)
        .args(["--now", "2025-12-26T10:00:00+08:00"])
        .output()
        .expect("run kube-patrol");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut received = server.received();
    assert_eq!(received.len(), 1, "{}", server.log());
    Mailed {
        eml: received.remove(0).eml,
        archive,
        _dir: dir,
    }
}

fn archived(archive: &Path, ext: &str) -> String {
    std::fs::read_to_string(archive.join(format!("latest.{ext}"))).expect("archived report")
}

/// The words a body is checked for, in one language.
struct Words {
    shortened: &'static str,
    /// The "…and N more" line, `{count}` for N.
    more: &'static str,
    problems_heading: &'static str,
    /// The history section of a first run.
    no_history: &'static str,
}

fn check(lang: &str, words: &Words) {
    let Words {
        shortened,
        more,
        problems_heading,
        no_history,
    } = *words;
    let mailed = mail_big_report(lang);
    let email = MessageParser::default()
        .parse(&mailed.eml)
        .expect("a parsable message");
    let html = email.body_html(0).expect("an HTML part");
    let text = email.body_text(0).expect("a plain-text part");
    // Kept to be looked at (the Chromium tests keep the report's screenshots).
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output/email");
    std::fs::create_dir_all(&kept).unwrap();
    std::fs::write(kept.join(format!("body-{lang}.html")), html.as_bytes()).unwrap();
    std::fs::write(kept.join(format!("body-{lang}.md")), text.as_bytes()).unwrap();
    assert!(
        html.len() < CLIP,
        "{lang}: the HTML part is {} bytes, over {CLIP}",
        html.len()
    );
    // As it travels (quoted-printable, CRLF), in case the clip counts that.
    let part = email.html_part(0).expect("the HTML part");
    let encoded = (part.offset_end - part.offset_body) as usize;
    assert!(
        encoded < CLIP,
        "{lang}: the HTML part is {encoded} bytes as sent, over {CLIP}"
    );
    assert!(
        text.len() < CLIP,
        "{lang}: the text part is {} bytes",
        text.len()
    );
    assert!(
        html.contains(shortened),
        "{lang}: the body says it is shortened"
    );

    // The problem pods are named, most severe first, up to a limit; the rest are counted.
    let json: Value = serde_json::from_str(&archived(&mailed.archive, "json")).unwrap();
    let findings = json["findings"].as_array().expect("findings");
    assert!(findings.len() >= 50, "{} problem pods", findings.len());
    let (before, after) = more.split_once("{count}").unwrap();
    let start = html
        .find(problems_heading)
        .expect("the problem pods' section");
    let section = &html[start..];
    let section = &section[..section.find("<h2").unwrap_or(section.len())];
    let left_out = match section.find(before) {
        Some(at) => {
            let rest = &section[at + before.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            assert!(
                rest[digits.len()..].starts_with(after),
                "{lang}: {rest:.80}"
            );
            digits.parse::<usize>().unwrap()
        }
        None => 0,
    };
    let shown = findings.len() - left_out;
    assert!(shown >= 10, "{lang}: only {shown} problem pods named");
    for f in &findings[..shown] {
        let pod = f["pod"].as_str().unwrap();
        assert!(html.contains(pod), "{lang}: {pod} is not named");
    }
    // The glance, the summary of every namespace or their fold, the statistics.
    assert!(html.contains("kp-tile"), "{lang}: the glance's tiles");
    assert!(
        html.contains(no_history),
        "{lang}: a first run has no history yet"
    );

    // The full report, as archived, is attached in Markdown and HTML.
    let attachments: Vec<_> = email.attachments().collect();
    let names: Vec<&str> = attachments
        .iter()
        .filter_map(|a| a.attachment_name())
        .collect();
    assert_eq!(
        names,
        [
            "kube-patrol-big-2025-12-26.md",
            "kube-patrol-big-2025-12-26.html"
        ]
    );
    assert_eq!(
        attachments[0].contents(),
        archived(&mailed.archive, "md").as_bytes()
    );
    assert_eq!(
        attachments[1].contents(),
        archived(&mailed.archive, "html").as_bytes()
    );
    assert!(attachments[1].is_content_type("text", "html"));
    assert!(archived(&mailed.archive, "html").len() > 10 * CLIP);
}

#[test]
fn the_email_of_10000_pods_in_200_namespaces_fits_under_the_clip_in_english() {
    check(
        "en",
        &Words {
            shortened: "the full report is attached",
            more: "…and {count} more in the attached full report.",
            problems_heading: "🚨 Problem pods",
            no_history: "No history yet",
        },
    );
}

#[test]
fn the_email_of_10000_pods_in_200_namespaces_fits_under_the_clip_in_chinese() {
    check(
        "zh-TW",
        &Words {
            shortened: "完整報告已附加",
            more: "…另有 {count} 筆，請見附加的完整報告。",
            problems_heading: "🚨 問題 Pod 匯總表",
            no_history: "尚無歷史紀錄",
        },
    );
}
