//! `kube-patrol run`: the report archived and emailed as the config says, the trend against
//! the previous archived run, and every way delivery can fail without losing the report.
//!
//! The SMTP server is a real aiosmtpd (STARTTLS with a test CA, AUTH) started by the tests; the
//! end-to-end test reads a real kube-apiserver (scripts/control-plane), the others a dump so
//! that the two weeks of the trend are exact.

#[path = "support/smtp.rs"]
mod smtp;

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{Value, json};
use smtp::{Received, ServerOptions, ServerTls, SmtpServer, TestCa, closed_port};
use tempfile::TempDir;

const USER: &str = "patrol";
const PASSWORD: &str = "s3cret-Pa55-never-shown";
const WEEK1: &str = "2025-12-26T10:00:00+08:00";
const WEEK2: &str = "2026-01-02T10:00:00+08:00";
const WEEK3: &str = "2026-01-09T10:00:00+08:00";

/// A run's working directory: the config, the password file, the archive.
struct Setup {
    dir: TempDir,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("password"), format!("{PASSWORD}\n")).unwrap();
        Setup { dir }
    }

    fn archive(&self) -> PathBuf {
        self.dir.path().join("reports")
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config.yaml")
    }

    /// A config archiving into `archive()` and mailing through `smtp` (STARTTLS, AUTH), if any;
    /// the seed's three namespaces unless `extra` names others.
    fn write_config(&self, smtp: Option<(u16, &TestCa)>, extra: &str) {
        let mut text = format!(
            "cluster:\n  name: PIGO 線下\n  timezone: Asia/Taipei\narchive:\n  dir: {}\n",
            self.archive().display()
        );
        if let Some((port, ca)) = smtp {
            text.push_str(&format!(
                "smtp:\n  host: 127.0.0.1\n  port: {port}\n  tls: starttls\n  username: {USER}\n  \
                 password_file: {}\n  from: \"kube-patrol <patrol@example.com>\"\n  \
                 to: [ops@example.com, \"王小明 <ming@example.com>\"]\n  cc: [lead@example.com]\n  \
                 ca_file: {}\n  retries: 1\n  backoff: 1s\n  timeout: 10s\n",
                self.dir.path().join("password").display(),
                ca.ca().display()
            ));
        }
        if !extra.contains("namespaces:") {
            text.push_str("namespaces:\n  include: [pigo-dev, pigo-stg, pigo-rel]\n");
        }
        text.push_str(extra);
        std::fs::write(self.config(), text).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kube-patrol"));
        command
            .arg("run")
            .arg("--config")
            .arg(self.config())
            .args(args)
            .env_remove("KUBE_PATROL_SMTP_PASSWORD")
            .env("RUST_LOG", "info");
        command.output().expect("run kube-patrol")
    }

    /// The archive's files, sorted by name.
    fn archived(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.archive())
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.archive().join(name)).unwrap()
    }

    /// Writes the dump as it is at `week` (1: the seed cluster; 2: a week later, a pod
    /// crash-looping; 3: another week later, that pod replaced by a rollout, still crashing).
    fn dump(&self, week: u8) -> PathBuf {
        let path = self.dir.path().join(format!("week{week}.json"));
        let seed = std::fs::read_to_string(repo("examples/seed-cluster.json")).unwrap();
        let mut dump: Value = serde_json::from_str(&seed).unwrap();
        match week {
            2 => common::a_week_later(&mut dump),
            3 => common::a_rollout_later(&mut dump),
            _ => {}
        }
        std::fs::write(&path, serde_json::to_string(&dump).unwrap()).unwrap();
        path
    }
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn starttls_server(ca: &TestCa) -> SmtpServer {
    let options = ServerOptions {
        tls: ServerTls::StartTls,
        login: Some((USER, PASSWORD)),
        ..ServerOptions::plain()
    };
    SmtpServer::start(options, Some(ca))
}

fn parse(received: &Received) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(&received.eml)
        .expect("a parsable message")
}

/// The stems of the archived runs (`kube-patrol-20251226T020000Z`), oldest first.
fn runs(names: &[String]) -> Vec<String> {
    let mut stems: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with("kube-patrol-") && n.ends_with(".json"))
        .map(|n| n.trim_end_matches(".json").to_owned())
        .collect();
    stems.sort();
    stems
}

#[test]
fn a_run_archives_three_formats_and_mails_the_report_with_its_markdown_attached() {
    let ca = TestCa::generate();
    let server = starttls_server(&ca);
    let setup = Setup::new();
    setup.write_config(Some((server.port, &ca)), "");
    let dump = setup.dump(1);

    let out = setup.run(&["--from-dump", dump.to_str().unwrap(), "--now", WEEK1]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stem = "kube-patrol-20251226T020000Z";
    assert_eq!(
        setup.archived(),
        [
            "index.html".into(),
            format!("{stem}.html"),
            format!("{stem}.json"),
            format!("{stem}.md"),
            "latest.html".into(),
            "latest.json".into(),
            "latest.md".into()
        ]
    );
    let markdown = setup.read(&format!("{stem}.md"));
    assert_eq!(setup.read("latest.md"), markdown);
    assert!(markdown.starts_with("# PIGO 線下 Kubernetes Pod 健康巡檢報告"));
    assert!(
        !markdown.contains("與上次巡檢比較"),
        "the first run has nothing to compare with"
    );

    let received = server.received();
    assert_eq!(received.len(), 1, "{}", server.log());
    let mut rcpt = received[0].rcpt_tos.clone();
    rcpt.sort();
    assert_eq!(
        rcpt,
        ["lead@example.com", "ming@example.com", "ops@example.com"]
    );
    let email = parse(&received[0]);
    assert_eq!(
        email.subject(),
        Some(
            "[kube-patrol] PIGO 線下 Pod 健康巡檢 2025-12-26：🟡 需要關注（48 個 Pod，1 個需立即處理，1 個需關注）"
        )
    );
    assert_eq!(
        email.body_text(0).unwrap().replace("\r\n", "\n").trim_end(),
        markdown.trim_end()
    );
    assert_eq!(
        email.body_html(0).unwrap().replace("\r\n", "\n").trim_end(),
        setup.read(&format!("{stem}.html")).trim_end()
    );
    let attachment = email.attachment(0).expect("the Markdown attached");
    assert_eq!(
        attachment.attachment_name(),
        Some("kube-patrol-PIGO-線下-2025-12-26.md")
    );
    assert_eq!(attachment.contents(), markdown.as_bytes());
    assert!(
        !stderr(&out).contains(PASSWORD),
        "the password is never logged"
    );
}

#[test]
fn a_second_run_says_what_changed_since_the_first() {
    let setup = Setup::new();
    setup.write_config(None, "");
    let week1 = setup.dump(1);
    let week2 = setup.dump(2);

    let first = setup.run(&["--from-dump", week1.to_str().unwrap(), "--now", WEEK1]);
    let second = setup.run(&["--from-dump", week2.to_str().unwrap(), "--now", WEEK2]);

    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let names = setup.archived();
    assert_eq!(
        runs(&names),
        [
            "kube-patrol-20251226T020000Z",
            "kube-patrol-20260102T020000Z"
        ]
    );
    let report: Value = serde_json::from_str(&setup.read("latest.json")).unwrap();
    let trend = &report["trend"];
    assert_eq!(trend["previous_generated_at"], "2025-12-26T02:00:00Z");
    let names_of = |key: &str| problems(&trend[key]);
    assert_eq!(names_of("new_problems"), ["pigo-stg/Deployment/game-api"]);
    assert_eq!(names_of("resolved"), ["pigo-dev/Deployment/pigo-cron"]);
    assert_eq!(
        names_of("still_open"),
        ["pigo-rel/Deployment/prometheus-blackbox-exporter"]
    );
    assert_eq!(trend["still_open"][0]["reports_open"], 2);
    assert_eq!(
        trend["new_problems"][0]["now"]["pods"][0]["name"],
        "game-api-7688f98587-knrxz"
    );
    let growth = &trend["restart_growth"]["pods"][0];
    assert_eq!(
        (&growth["name"], &growth["growth"], &growth["abnormal"]),
        (
            &json!("game-api-7688f98587-knrxz"),
            &json!(12),
            &json!(true)
        )
    );
    let changes: Vec<(&str, &str)> = trend["namespace_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["change"].as_str().unwrap()))
        .collect();
    assert!(changes.contains(&("pigo-dev", "changed")), "{changes:?}");

    let markdown = setup.read("latest.md");
    let section = trend_section(&markdown);
    for expected in [
        "**上次巡檢**: 2025-12-26 10:00 CST",
        "#### 🆕 新增問題 (1)",
        "| pigo-stg | Deployment/game-api | 崩潰或頻繁重啟 | game-api-7688f98587-knrxz (CrashLoopBackOff) | 🔴 高 |",
        "#### ✅ 已解決的問題 (1)",
        "| pigo-dev | Deployment/pigo-cron | 執行失敗 | pigo-cron-77cc9c4d8c-tw2xb (Error) | 1 |",
        "| pigo-stg | game-api-7688f98587-knrxz | 0 | 12 | +12 ⚠️ 異常增長 |",
        "| pigo-dev | 14 | 13 | -1 |",
    ] {
        assert!(
            section.contains(expected),
            "{expected:?} not in:\n{section}"
        );
    }
    let html = setup.read("latest.html");
    assert!(html.contains("與上次巡檢比較"));
}

/// `namespace/Kind/name` of each problem of a trend list.
fn problems(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = &c["subject"];
            format!(
                "{}/{}/{}",
                c["namespace"].as_str().unwrap(),
                s["kind"].as_str().unwrap(),
                s["name"].as_str().unwrap()
            )
        })
        .collect()
}

fn trend_section(markdown: &str) -> &str {
    markdown
        .split("## 🔄 與上次巡檢比較")
        .nth(1)
        .expect("a trend section")
        .split("\n## ")
        .next()
        .unwrap()
}

#[test]
fn a_crash_loop_that_a_rollout_renamed_is_still_open_nothing_new_nothing_resolved() {
    let setup = Setup::new();
    setup.write_config(None, "");
    let week2 = setup.dump(2);
    let week3 = setup.dump(3);

    let first = setup.run(&["--from-dump", week2.to_str().unwrap(), "--now", WEEK2]);
    let second = setup.run(&["--from-dump", week3.to_str().unwrap(), "--now", WEEK3]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));

    let report: Value = serde_json::from_str(&setup.read("latest.json")).unwrap();
    let trend = &report["trend"];
    assert_eq!(problems(&trend["new_problems"]), Vec::<String>::new());
    assert_eq!(problems(&trend["resolved"]), Vec::<String>::new());
    assert!(
        problems(&trend["still_open"]).contains(&"pigo-stg/Deployment/game-api".to_owned()),
        "{trend}"
    );
    let game_api = trend["still_open"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"]["name"] == "game-api")
        .unwrap();
    assert_eq!(game_api["reports_open"], 2);
    assert_eq!(game_api["problem"], "crashing");
    assert_eq!(
        game_api["before"]["pods"][0]["name"],
        "game-api-7688f98587-knrxz"
    );
    assert_eq!(
        game_api["now"]["pods"][0]["name"],
        "game-api-5d9f8b7c64-w7q2x"
    );
    let section = trend_section(&setup.read("latest.md")).to_owned();
    assert!(
        section.contains("**新增問題**: 0 項") && section.contains("**已解決**: 0 項"),
        "{section}"
    );
    assert!(
        section.contains("| pigo-stg | Deployment/game-api | 崩潰或頻繁重啟 | game-api-7688f98587-knrxz (CrashLoopBackOff) | **game-api-5d9f8b7c64-w7q2x (CrashLoopBackOff)** | 🔴 高 | 2 |"),
        "{section}"
    );
}

#[test]
fn a_corrupt_previous_report_gives_a_report_without_trend_and_a_warning() {
    let setup = Setup::new();
    setup.write_config(None, "");
    std::fs::create_dir_all(setup.archive()).unwrap();
    let corrupt = setup.archive().join("kube-patrol-20251219T020000Z.json");
    std::fs::write(
        &corrupt,
        "{\"generated_at\": \"2025-12-19T02:00:00Z\", \"pods\": [",
    )
    .unwrap();
    let dump = setup.dump(1);

    let out = setup.run(&["--from-dump", dump.to_str().unwrap(), "--now", WEEK1]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("WARN") && log.contains("no trend") && log.contains(corrupt.to_str().unwrap()),
        "{log}"
    );
    let report: Value = serde_json::from_str(&setup.read("latest.json")).unwrap();
    assert!(report.get("trend").is_none());
    assert_eq!(
        runs(&setup.archived()),
        [
            "kube-patrol-20251219T020000Z",
            "kube-patrol-20251226T020000Z"
        ],
        "the corrupt file is left alone"
    );
}

#[test]
fn a_missing_password_file_fails_before_reading_the_cluster_and_names_the_secret() {
    let ca = TestCa::generate();
    let setup = Setup::new();
    setup.write_config(Some((closed_port(), &ca)), "");
    std::fs::remove_file(setup.dir.path().join("password")).unwrap();

    let out = setup.run(&["--from-dump", "/nonexistent/dump.json"]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let log = stderr(&out);
    let error = log.lines().last().unwrap();
    assert!(
        error.starts_with("kube-patrol: error: cannot read the SMTP password file"),
        "{log}"
    );
    assert!(error.contains("kube-patrol-smtp"), "{error}");
    assert!(
        !error.contains("dump.json"),
        "the dump is never read: {error}"
    );
    assert!(setup.archived().is_empty());
}

#[test]
fn a_missing_ca_file_fails_before_reading_the_cluster() {
    let ca = TestCa::generate();
    let setup = Setup::new();
    setup.write_config(Some((closed_port(), &ca)), "");
    let config = std::fs::read_to_string(setup.config()).unwrap();
    let missing = setup.dir.path().join("no-such-ca.pem");
    let config = config.replace(
        &ca.ca().display().to_string(),
        &missing.display().to_string(),
    );
    std::fs::write(setup.config(), config).unwrap();

    let out = setup.run(&["--from-dump", "/nonexistent/dump.json"]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error = stderr(&out).lines().last().unwrap().to_owned();
    assert!(
        error.contains(&format!("cannot read smtp.ca_file {}", missing.display())),
        "{error}"
    );
}

#[test]
fn a_refused_login_keeps_the_archive_and_exits_with_the_delivery_code() {
    let ca = TestCa::generate();
    let server = starttls_server(&ca);
    let setup = Setup::new();
    setup.write_config(Some((server.port, &ca)), "");
    std::fs::write(setup.dir.path().join("password"), "wrong\n").unwrap();
    let dump = setup.dump(1);

    let out = setup.run(&["--from-dump", dump.to_str().unwrap(), "--now", WEEK1]);

    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let error = stderr(&out).lines().last().unwrap().to_owned();
    assert!(
        error.starts_with("kube-patrol: error: the report was archived but not emailed: failed to send the report to SMTP server 127.0.0.1:"),
        "{error}"
    );
    assert!(
        !error.contains("wrong"),
        "no password in the error: {error}"
    );
    assert_eq!(runs(&setup.archived()), ["kube-patrol-20251226T020000Z"]);
    assert!(server.received().is_empty());
}

#[test]
fn with_the_smtp_server_down_and_no_archive_the_report_goes_to_standard_output() {
    let ca = TestCa::generate();
    let setup = Setup::new();
    setup.write_config(Some((closed_port(), &ca)), "");
    let config = std::fs::read_to_string(setup.config()).unwrap();
    let without_archive: String = config
        .lines()
        .filter(|l| !l.starts_with("archive:") && !l.starts_with("  dir:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(setup.config(), without_archive).unwrap();
    let dump = setup.dump(1);

    let out = setup.run(&["--from-dump", dump.to_str().unwrap(), "--now", WEEK1]);

    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let error = stderr(&out).lines().last().unwrap().to_owned();
    assert!(
        error.contains("the report was not delivered (it is on standard output instead)")
            && error.contains("2 attempts"),
        "{error}"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("# PIGO 線下 Kubernetes Pod 健康巡檢報告"));
}

/// A read-only and a full volume, each made in a private mount namespace (a read-only bind
/// mount; a 64 KiB tmpfs already full), since the tests run as root, whom permissions do not stop.
#[test]
fn a_read_only_or_full_archive_still_sends_the_email_and_says_so() {
    let ca = TestCa::generate();
    let server = starttls_server(&ca);
    for (volume, expected) in [
        (
            "mount --bind \"$ARCHIVE\" \"$ARCHIVE\" && mount -o remount,bind,ro \"$ARCHIVE\"",
            "is read-only",
        ),
        (
            "mount -t tmpfs -o size=64k tmpfs \"$ARCHIVE\" && (dd if=/dev/zero of=\"$ARCHIVE/filler\" bs=4k 2>/dev/null || true)",
            "has no space left",
        ),
    ] {
        let setup = Setup::new();
        setup.write_config(Some((server.port, &ca)), "");
        std::fs::create_dir_all(setup.archive()).unwrap();
        let dump = setup.dump(1);
        let script = format!(
            "set -e; {volume}; exec \"$KUBE_PATROL\" run --config \"$CONFIG\" --from-dump \"$DUMP\" --now {WEEK1}"
        );
        let out = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c", &script])
            .env("ARCHIVE", setup.archive())
            .env("KUBE_PATROL", env!("CARGO_BIN_EXE_kube-patrol"))
            .env("CONFIG", setup.config())
            .env("DUMP", &dump)
            .output()
            .expect("run unshare");

        assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
        let error = stderr(&out).lines().last().unwrap().to_owned();
        assert!(
            error.starts_with(
                "kube-patrol: error: the report was emailed but not archived: archive directory"
            ) && error.contains(expected),
            "{error}"
        );
    }
    assert_eq!(server.received().len(), 2, "{}", server.log());
}

#[test]
fn fail_on_names_the_state_after_delivering() {
    let setup = Setup::new();
    setup.write_config(None, "");
    let dump = setup.dump(1);

    let lenient = setup.run(&[
        "--from-dump",
        dump.to_str().unwrap(),
        "--now",
        WEEK1,
        "--fail-on",
        "unhealthy",
    ]);
    let strict = setup.run(&[
        "--from-dump",
        dump.to_str().unwrap(),
        "--now",
        WEEK1,
        "--fail-on",
        "attention",
    ]);

    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));
    assert_eq!(strict.status.code(), Some(6), "{}", stderr(&strict));
    assert!(stderr(&strict).contains("the overall state is attention (--fail-on attention)"));
    assert_eq!(runs(&setup.archived()).len(), 2, "both runs were archived");
}

#[test]
fn a_config_that_delivers_nowhere_or_no_config_at_all_is_refused() {
    let setup = Setup::new();
    std::fs::write(setup.config(), "cluster:\n  name: x\n").unwrap();

    let out = setup.run(&["--from-dump", "examples/seed-cluster.json"]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("sets neither archive.dir nor smtp"));

    let without = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .args(["run", "--from-dump", "examples/seed-cluster.json", "-A"])
        .env_remove("KUBE_PATROL_CONFIG")
        .output()
        .unwrap();
    assert_eq!(without.status.code(), Some(2), "{}", stderr(&without));
    assert!(stderr(&without).contains("run needs a config file (--config FILE"));
}

/// End to end: a real API server, a real SMTP server, the archive on disk.
#[tokio::test]
async fn run_reads_a_real_cluster_archives_the_report_and_mails_it_once() {
    let client = common::client().await;
    let ns = common::unique("kp-run");
    common::create_namespace(&client, &ns).await;
    let spec =
        json!({"containers": [{"name": "web", "image": "nginx:1.27"}], "nodeName": "node-1"});
    let status = json!({"phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [{"name": "web", "image": "nginx:1.27", "imageID": "", "ready": true,
            "restartCount": 0, "started": true, "state": {"running": {"startedAt": "2025-12-01T00:00:00Z"}}}]});
    common::create_pod(&client, &ns, "web", spec, status).await;
    let ca = TestCa::generate();
    let server = starttls_server(&ca);
    let setup = Setup::new();
    setup.write_config(
        Some((server.port, &ca)),
        &format!("namespaces:\n  include: [{ns}]\n"),
    );
    let kubeconfig = common::kubeconfig();

    let out = setup.run(&["--kubeconfig", kubeconfig.to_str().unwrap()]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&setup.read("latest.json")).unwrap();
    assert_eq!(report["source"]["kind"], "cluster");
    assert_eq!(report["namespaces"][0]["name"], json!(ns));
    assert_eq!(report["pods"][0]["name"], "web");
    assert_eq!(runs(&setup.archived()).len(), 1);
    let received = server.received();
    assert_eq!(received.len(), 1, "{}", server.log());
    let markdown = setup.read("latest.md");
    assert!(markdown.contains(&ns));
    assert_eq!(
        parse(&received[0]).attachment(0).unwrap().contents(),
        markdown.as_bytes()
    );
}

/// The CronJob's own command line with the shipped config, outside a pod: the config is valid
/// for `run`, and the password path it names is the Secret's mount.
#[test]
fn the_shipped_config_asks_for_the_smtp_secret_when_its_password_is_not_mounted() {
    let out = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .args(["run", "--config"])
        .arg(repo("deploy/config.yaml"))
        .args(["--from-dump", "examples/seed-cluster.json"])
        .env_remove("KUBE_PATROL_SMTP_PASSWORD")
        .output()
        .unwrap();

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error = stderr(&out);
    assert!(
        error.contains("cannot read the SMTP password file /etc/kube-patrol/smtp/password")
            && error.contains("create the Secret kube-patrol-smtp with key `password`"),
        "{error}"
    );
    assert_eq!(error.lines().count(), 1, "one line: {error}");
}

#[test]
fn a_broken_template_fails_before_reading_the_cluster_and_names_its_file_and_line() {
    let setup = Setup::new();
    setup.write_config(None, "");
    let templates = setup.dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("report.md.tera"),
        "# {{ title }}\n\n{% if x %}\n",
    )
    .unwrap();

    let out = setup.run(&[
        "--templates",
        templates.to_str().unwrap(),
        "--from-dump",
        "/nonexistent/dump.json",
    ]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error = stderr(&out).lines().last().unwrap().to_owned();
    assert!(
        error.ends_with("report.md.tera: line 4, column 1: expected tag or some content")
            && !error.contains("dump.json"),
        "{error}"
    );
    assert!(setup.archived().is_empty());
}

/// The config of `write_config` with an email subject template.
fn with_subject(setup: &Setup, subject: &str) {
    let text = std::fs::read_to_string(setup.config()).unwrap();
    let text = text.replace(
        "  timeout: 10s\n",
        &format!("  timeout: 10s\n  subject: {subject:?}\n"),
    );
    std::fs::write(setup.config(), text).unwrap();
}

#[test]
fn a_subject_template_with_an_unknown_variable_fails_before_the_cluster_is_read() {
    let ca = TestCa::generate();
    let server = starttls_server(&ca);
    let setup = Setup::new();
    setup.write_config(Some((server.port, &ca)), "");
    with_subject(&setup, "[prod] {{ no_such_variable }}");
    let proxy = common::fault_proxy::FaultProxy::start();

    let out = setup.run(&["--kubeconfig", proxy.kubeconfig().to_str().unwrap()]);

    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error = stderr(&out).lines().last().unwrap().to_owned();
    assert!(
        error.contains("no_such_variable") && error.contains("before reading the cluster"),
        "{error}"
    );
    assert_eq!(proxy.log(), Vec::<Value>::new(), "the cluster was not read");
    assert!(setup.archived().is_empty() && server.received().is_empty());
}

#[test]
fn a_template_that_fails_only_on_the_real_report_still_archives_the_json_and_exits_5() {
    let setup = Setup::new();
    setup.write_config(None, "");
    let templates = setup.dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    // The sample report tried before the cluster is read is not this cluster.
    std::fs::write(
        templates.join("report.md.tera"),
        "# {{ cluster }}\n{% if cluster == \"PIGO 線下\" %}{{ no_such_variable }}{% endif %}\n",
    )
    .unwrap();
    let dump = setup.dump(1);

    let out = setup.run(&[
        "--templates",
        templates.to_str().unwrap(),
        "--from-dump",
        dump.to_str().unwrap(),
        "--now",
        WEEK1,
    ]);

    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let archived = setup.archived();
    assert_eq!(runs(&archived).len(), 1, "{archived:?}");
    assert!(!archived.iter().any(|n| n.ends_with(".md")), "{archived:?}");
    let error = stderr(&out).lines().last().unwrap().to_owned();
    assert!(
        error.contains("only the JSON report was archived") && error.contains("no_such_variable"),
        "{error}"
    );
}

#[tokio::test]
async fn a_run_that_cannot_list_the_pods_mails_a_failure_notice_and_exits_3() {
    let ca = TestCa::generate();
    let server = starttls_server(&ca);
    let setup = Setup::new();
    let ns = common::unique("kp-notice");
    common::create_namespace(&common::client().await, &ns).await;
    setup.write_config(
        Some((server.port, &ca)),
        &format!("namespaces:\n  include: [{ns}]\n"),
    );
    let proxy = common::fault_proxy::FaultProxy::start();
    let pods = format!("^/api/v1/namespaces/{ns}/pods$");
    proxy.set_rules(json!([{"match": {"path": pods}, "fault": {"status": 500}}]));

    let out = setup.run(&[
        "--kubeconfig",
        proxy.kubeconfig().to_str().unwrap(),
        "--retries",
        "1",
    ]);

    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(setup.archived().is_empty());
    let received = server.received();
    assert_eq!(received.len(), 1, "one notice: {}", server.log());
    let message = parse(&received[0]);
    let subject = message.subject().unwrap_or_default();
    assert!(
        subject.contains("PIGO 線下") && subject.contains("巡檢失敗"),
        "{subject}"
    );
    let body = message.body_text(0).unwrap_or_default();
    assert!(
        body.contains(&format!("list pods in namespace {ns}"))
            && body.contains("500")
            && body.contains("kubectl create job --from=cronjob/kube-patrol"),
        "{body}"
    );
    assert_eq!(message.attachment_count(), 0);
}
