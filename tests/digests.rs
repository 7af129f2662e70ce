//! `kube-patrol run`'s digests: one message per run to Slack, Teams and a signed webhook,
//! received by a real HTTP server started by the tests (tests/support/http_receiver.py), with
//! retries, and a failing channel that stops neither the others nor the archive.

#[path = "support/http_receiver.rs"]
mod http_receiver;

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hmac::{Hmac, Mac};
use http_receiver::{Answers, Receiver};
use serde_json::Value;
use sha2::Sha256;
use tempfile::TempDir;

const WEEK1: &str = "2025-12-26T10:00:00+08:00";
const WEEK2: &str = "2026-01-02T10:00:00+08:00";
const SLACK_PATH: &str = "/services/T000/B000/slack-token-never-shown";
const TEAMS_PATH: &str = "/workflows/run?sig=teams-token-never-shown";
const HOOK_SECRET: &str = "hmac-key-never-shown";

struct Setup {
    dir: TempDir,
}

impl Setup {
    fn new() -> Self {
        Setup {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A config archiving the seed namespaces, in English, with `notify` as given.
    fn write_config(&self, notify: &str) {
        let text = format!(
            "cluster:\n  name: PIGO 線下\n  timezone: Asia/Taipei\narchive:\n  dir: {}\n\
             report:\n  lang: en\n  url: https://reports.example.com/pigo/\n\
             namespaces:\n  include: [pigo-dev, pigo-stg, pigo-rel]\n{notify}",
            self.path("reports").display()
        );
        std::fs::write(self.path("config.yaml"), text).unwrap();
    }

    /// Writes `value` to a file named `name` (a mounted Secret, with its last newline).
    fn secret(&self, name: &str, value: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, format!("{value}\n")).unwrap();
        path.display().to_string()
    }

    fn dump(&self, week: u8) -> PathBuf {
        let path = self.path(&format!("week{week}.json"));
        let seed = std::fs::read_to_string(repo("examples/seed-cluster.json")).unwrap();
        let mut dump: Value = serde_json::from_str(&seed).unwrap();
        if week == 2 {
            common::a_week_later(&mut dump);
        }
        std::fs::write(&path, serde_json::to_string(&dump).unwrap()).unwrap();
        path
    }

    fn run(&self, week: u8, extra: &[&str]) -> Output {
        let now = if week == 1 { WEEK1 } else { WEEK2 };
        Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
            .arg("run")
            .arg("--config")
            .arg(self.path("config.yaml"))
            .args([
                "--from-dump",
                self.dump(week).to_str().unwrap(),
                "--now",
                now,
            ])
            .args(extra)
            .env("RUST_LOG", "debug")
            .output()
            .expect("run kube-patrol")
    }
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every channel at `receiver`, a second of backoff.
fn every_channel(setup: &Setup, receiver: &Receiver, retries: u32) -> String {
    format!(
        "notify:\n  slack:\n    url_file: {}\n  teams:\n    url_file: {}\n  webhook:\n    \
         url: {}\n    secret_file: {}\n  retries: {retries}\n  backoff: 1s\n  timeout: 10s\n",
        setup.secret("slack-url", &receiver.url(SLACK_PATH)),
        setup.secret("teams-url", &receiver.url(TEAMS_PATH)),
        receiver.url("/hook"),
        setup.secret("hook-secret", HOOK_SECRET),
    )
}

fn hmac_hex(key: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What Microsoft's Adaptive Cards library (npm `adaptivecards`, installed by scripts/test-deps)
/// reports on `card` parsed as a 1.4 host would: unknown elements, invalid values.
fn adaptive_card_problems(setup: &Setup, card: &Value) -> Vec<String> {
    let cache = match std::env::var_os("KP_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("XDG_CACHE_HOME") {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache"),
        }
        .join("kube-patrol"),
    };
    let library = cache.join("npm-adaptivecards");
    assert!(
        library.join("node_modules/adaptivecards").exists(),
        "{} is missing: run scripts/test-deps (it installs the adaptivecards library)",
        library.display()
    );
    let file = setup.path("card.json");
    std::fs::write(&file, card.to_string()).unwrap();
    let out = Command::new("node")
        .arg(repo("tests/support/adaptive_card_check.js"))
        .arg(&library)
        .arg(&file)
        .output()
        .expect("node runs the Adaptive Card check");
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every text of a Slack message's blocks, joined by line feeds.
fn slack_text(message: &Value) -> String {
    let mut out = Vec::new();
    for block in message["blocks"].as_array().unwrap() {
        for t in [&block["text"]["text"]] {
            if let Some(t) = t.as_str() {
                out.push(t.to_owned());
            }
        }
        for f in block["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(block["elements"].as_array().into_iter().flatten())
        {
            out.push(f["text"].as_str().unwrap().to_owned());
        }
    }
    out.join("\n")
}

#[test]
fn a_run_sends_one_digest_each_to_slack_teams_and_a_signed_webhook() {
    let receiver = Receiver::start(Answers::default());
    let setup = Setup::new();
    setup.write_config(&every_channel(&setup, &receiver, 0));

    let first = setup.run(1, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let second = setup.run(2, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));

    let slack = receiver.requests_to(SLACK_PATH);
    let teams = receiver.requests_to(TEAMS_PATH);
    let hooks = receiver.requests_to("/hook");
    assert_eq!(
        (slack.len(), teams.len(), hooks.len()),
        (2, 2, 2),
        "one per run and channel"
    );
    assert_eq!(receiver.requests().len(), 6);

    let message = slack[1].json();
    assert_eq!(slack[1].method, "POST");
    assert!(
        slack[1]
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        message["blocks"][0]["text"]["text"],
        "kube-patrol · PIGO 線下 · 2026-01-02"
    );
    let text = slack_text(&message);
    assert!(
        text.contains("Since the last report (2025-12-26): 🆕 1 new, ✅ 1 resolved"),
        "{text}"
    );
    assert!(text.contains("*Pods*\n"), "{text}");
    assert!(text.contains("Top problems ("), "{text}");
    assert!(
        text.contains("<https://reports.example.com/pigo/|Full report>"),
        "{text}"
    );
    assert!(message["blocks"].as_array().unwrap().len() <= 50);

    let card = &teams[1].json()["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["version"], "1.4");
    assert_eq!(
        card["content"]["actions"][0]["url"],
        "https://reports.example.com/pigo/"
    );
    assert_eq!(
        adaptive_card_problems(&setup, &card["content"]),
        Vec::<String>::new()
    );

    let hook = &hooks[1];
    let expected = format!("sha256={}", hmac_hex(HOOK_SECRET, &hook.body));
    assert_eq!(
        hook.header("x-kube-patrol-signature"),
        Some(expected.as_str())
    );
    let body = hook.json();
    assert_eq!(body["kind"], "kube-patrol.digest");
    assert_eq!(body["cluster"], "PIGO 線下");
    assert_eq!(body["trend"]["new_problems"].as_array().unwrap().len(), 1);
    let archived: Value =
        serde_json::from_str(&std::fs::read_to_string(setup.path("reports/latest.json")).unwrap())
            .unwrap();
    assert_eq!(
        body["summary"], archived["summary"],
        "the report's own summary"
    );
    assert_eq!(body["findings"], archived["findings"]);

    for log in [stderr(&first), stderr(&second)] {
        for secret in [
            "slack-token-never-shown",
            "teams-token-never-shown",
            HOOK_SECRET,
        ] {
            assert!(!log.contains(secret), "{secret} in the log:\n{log}");
        }
    }
}

#[test]
fn a_receiver_failing_twice_is_retried_and_throttling_waits_its_retry_after() {
    let receiver = Receiver::start(Answers {
        fail: 2,
        fail_status: Some(429),
        retry_after: Some(1),
        ..Answers::default()
    });
    let setup = Setup::new();
    let notify = format!(
        "notify:\n  webhook:\n    url: {}\n  retries: 3\n  backoff: 20s\n",
        receiver.url("/hook")
    );
    setup.write_config(&notify);

    let started = std::time::Instant::now();
    let out = setup.run(1, &[]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        receiver.requests_to("/hook").len(),
        3,
        "two refusals, then accepted"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "Retry-After: 1 was honoured instead of the 20 s backoff"
    );
    assert!(
        receiver.requests()[2]
            .header("x-kube-patrol-signature")
            .is_none(),
        "no secret: unsigned"
    );
}

#[test]
fn a_failing_channel_stops_neither_the_others_nor_the_archive_and_run_exits_5_naming_them() {
    let down = Receiver::start(Answers {
        fail: 100,
        fail_status: Some(500),
        ..Answers::default()
    });
    let gone = Receiver::start(Answers {
        status: Some(404),
        ..Answers::default()
    });
    let up = Receiver::start(Answers::default());
    let setup = Setup::new();
    let notify = format!(
        "notify:\n  slack:\n    url_file: {}\n  teams:\n    url_file: {}\n  webhook:\n    url: {}\n  \
         retries: 1\n  backoff: 1s\n",
        setup.secret("slack-url", &down.url(SLACK_PATH)),
        setup.secret("teams-url", &gone.url(TEAMS_PATH)),
        up.url("/hook"),
    );
    setup.write_config(&notify);

    let out = setup.run(1, &[]);

    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(down.requests().len(), 2, "a 500 is retried");
    assert_eq!(gone.requests().len(), 1, "a 404 is not");
    assert_eq!(up.requests().len(), 1);
    let error = stderr(&out);
    let line = error
        .lines()
        .find(|l| l.contains("delivered to"))
        .unwrap_or_else(|| panic!("no delivery line in:\n{error}"));
    assert!(
        line.contains("delivered to the archive, the webhook; not to Slack, Teams: "),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "Slack: failed to send to Slack at 127.0.0.1:{} (2 attempts): HTTP 500",
            down.port
        )),
        "{line}"
    );
    assert!(
        line.contains("Teams: failed to send to Teams at 127.0.0.1:")
            && line.contains("(a permanent failure, not retried): HTTP 404"),
        "{line}"
    );
    assert!(!error.contains("slack-token-never-shown"), "{error}");
    assert!(
        setup.path("reports/latest.json").exists(),
        "archived all the same"
    );
}

#[test]
fn a_missing_webhook_url_file_fails_before_the_cluster_is_read_naming_the_key() {
    let setup = Setup::new();
    setup.write_config("notify:\n  slack:\n    url_file: /nonexistent/slack/url\n");

    let out = setup.run(1, &[]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error = stderr(&out);
    assert!(
        error.contains("cannot read notify.slack.url_file /nonexistent/slack/url")
            && error.contains("mount the Secret there or remove notify.slack.url_file"),
        "{error}"
    );
    assert!(
        !setup.path("reports").exists(),
        "nothing was read nor archived"
    );
}

#[test]
fn a_url_file_without_a_url_is_refused_without_showing_its_content() {
    let setup = Setup::new();
    let file = setup.secret("slack-url", "xoxb-a-token-pasted-by-mistake");
    setup.write_config(&format!("notify:\n  slack:\n    url_file: {file}\n"));

    let out = setup.run(1, &[]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error = stderr(&out);
    assert!(error.contains("does not hold a webhook URL"), "{error}");
    assert!(!error.contains("xoxb-a-token"), "{error}");
}
