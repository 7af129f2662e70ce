//! `teams:` end to end: one run reads a real kube-apiserver (scripts/control-plane) once and
//! mails each team the report of its namespaces only, and the main recipients the whole
//! cluster, through a real SMTP server (aiosmtpd); a team's webhook gets its own digest.

#[path = "support/smtp.rs"]
mod smtp;

#[path = "support/http_receiver.rs"]
mod http_receiver;

mod common;

use std::process::Command;

use http_receiver::{Answers, Receiver};
use mail_parser::MessageParser;
use serde_json::{Value, json};
use smtp::{ServerOptions, SmtpServer};

fn running(image: &str) -> (Value, Value) {
    let spec = json!({"containers": [{"name": "app", "image": image}], "nodeName": "node-1"});
    let status = json!({"phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [{"name": "app", "image": image, "imageID": "", "ready": true,
            "restartCount": 0, "started": true,
            "state": {"running": {"startedAt": "2025-12-01T00:00:00Z"}}}]});
    (spec, status)
}

fn crash_looping(image: &str) -> (Value, Value) {
    let spec = json!({"containers": [{"name": "app", "image": image}], "nodeName": "node-1"});
    let status = json!({"phase": "Running",
        "conditions": [{"type": "Ready", "status": "False"}],
        "containerStatuses": [{"name": "app", "image": image, "imageID": "", "ready": false,
            "restartCount": 14, "started": false,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                "startedAt": "2025-12-01T00:00:00Z", "finishedAt": "2025-12-01T00:00:05Z"}}}]});
    (spec, status)
}

#[tokio::test]
async fn each_team_is_mailed_the_report_of_its_namespaces_and_the_main_recipients_the_whole_cluster()
 {
    let client = common::client().await;
    let pay = common::unique("kp-pay");
    let games = common::unique("kp-games");
    let infra = common::unique("kp-infra");
    for ns in [&pay, &games, &infra] {
        common::create_namespace(&client, ns).await;
    }
    let (spec, status) = crash_looping("registry.example.com/pay-api:1.4");
    common::create_pod(&client, &pay, "pay-api", spec, status).await;
    let (spec, status) = running("registry.example.com/lobby:2.0");
    common::create_pod(&client, &games, "lobby", spec, status).await;
    let (spec, status) = running("registry.example.com/dns:1.0");
    common::create_pod(&client, &infra, "dns", spec, status).await;

    let server = SmtpServer::start(ServerOptions::plain(), None);
    let receiver = Receiver::start(Answers::default());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "cluster:\n  name: prod\n  timezone: Asia/Taipei\n\
             namespaces:\n  include: [{pay}, {games}, {infra}]\n\
             report:\n  lang: en\n\
             smtp:\n  host: 127.0.0.1\n  port: {port}\n  tls: none\n  from: patrol@example.com\n  \
             to: [ops@example.com]\n  retries: 0\n\
             teams:\n  - name: payments\n    namespaces: [\"kp-pay-*\"]\n    email: [pay@example.com]\n  \
             - name: games\n    namespaces: [{games}]\n    email: games@example.com\n    \
             webhook:\n      url: {hook}\n",
            port = server.port,
            hook = receiver.url("/games"),
        ),
    )
    .unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .arg("run")
        .arg("--config")
        .arg(&config)
        .arg("--kubeconfig")
        .arg(common::kubeconfig())
        .env("RUST_LOG", "info")
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let received = server.received();
    assert_eq!(received.len(), 3, "{}", server.log());
    let mail_to = |address: &str| {
        let found = received
            .iter()
            .find(|r| r.rcpt_tos == [address])
            .unwrap_or_else(|| panic!("no mail to {address} only"));
        let message = MessageParser::default().parse(&found.eml).unwrap();
        let subject = message.subject().unwrap_or_default().to_owned();
        let body = message
            .body_text(0)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        (subject, body)
    };

    let (subject, body) = mail_to("ops@example.com");
    assert!(
        subject.contains("prod pod health") && !subject.contains("·"),
        "{subject}"
    );
    for ns in [&pay, &games, &infra] {
        assert!(
            body.contains(ns.as_str()),
            "the whole cluster: {ns} in\n{body}"
        );
    }

    let (subject, body) = mail_to("pay@example.com");
    assert!(subject.contains("prod · payments"), "{subject}");
    assert!(subject.contains("1 unhealthy"), "its own counts: {subject}");
    assert!(
        body.contains(pay.as_str()) && body.contains("pay-api"),
        "{body}"
    );
    assert!(
        !body.contains(games.as_str()) && !body.contains(infra.as_str()),
        "only its namespaces:\n{body}"
    );

    let (subject, body) = mail_to("games@example.com");
    assert!(subject.contains("prod · games"), "{subject}");
    assert!(subject.contains("0 unhealthy"), "its own counts: {subject}");
    assert!(
        body.contains(games.as_str()) && body.contains("lobby"),
        "{body}"
    );
    assert!(
        !body.contains(pay.as_str()) && !body.contains("pay-api") && !body.contains(infra.as_str()),
        "only its namespaces:\n{body}"
    );

    let hooks = receiver.requests_to("/games");
    assert_eq!(hooks.len(), 1);
    let digest = hooks[0].json();
    assert_eq!(digest["cluster"], "prod · games");
    assert_eq!(digest["namespaces"].as_array().unwrap().len(), 1);
    assert_eq!(digest["namespaces"][0]["name"], json!(games));
    assert_eq!(digest["findings"], json!([]));
}

/// Writes the seed cluster's dump as it is at `week` (2: a week later) into `dir`.
fn dump(dir: &std::path::Path, week: u8) -> std::path::PathBuf {
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-cluster.json"),
    )
    .unwrap();
    let mut dump: Value = serde_json::from_str(&seed).unwrap();
    if week == 2 {
        common::a_week_later(&mut dump);
    }
    let path = dir.join(format!("week{week}.json"));
    std::fs::write(&path, serde_json::to_string(&dump).unwrap()).unwrap();
    path
}

#[test]
fn a_teams_trend_compares_its_own_namespaces_with_the_previous_report() {
    let receiver = Receiver::start(Answers::default());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "cluster:\n  name: PIGO\n  timezone: Asia/Taipei\narchive:\n  dir: {}\n\
             namespaces:\n  include: [pigo-dev, pigo-stg, pigo-rel]\n\
             notify:\n  webhook:\n    url: {}\n\
             teams:\n  - name: staging\n    namespaces: [pigo-stg]\n    webhook:\n      url: {}\n",
            dir.path().join("reports").display(),
            receiver.url("/everyone"),
            receiver.url("/staging"),
        ),
    )
    .unwrap();
    for (week, now) in [
        (1, "2025-12-26T10:00:00+08:00"),
        (2, "2026-01-02T10:00:00+08:00"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
            .arg("run")
            .arg("--config")
            .arg(&config)
            .args([
                "--from-dump",
                dump(dir.path(), week).to_str().unwrap(),
                "--now",
                now,
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let everyone = receiver.requests_to("/everyone")[1].json();
    let staging = receiver.requests_to("/staging")[1].json();
    let (all, mine) = (&everyone["trend"], &staging["trend"]);
    assert_eq!(
        all["resolved"].as_array().unwrap().len(),
        1,
        "pigo-dev's failed job: {all}"
    );
    assert_eq!(
        mine["resolved"],
        json!([]),
        "not the staging team's: {mine}"
    );
    assert_eq!(mine["new_problems"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["new_problems"][0]["namespace"], "pigo-stg");
    let changes: Vec<&str> = mine["namespace_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["pigo-stg"]);
    assert_eq!(staging["summary"]["pods"], 18);
}
