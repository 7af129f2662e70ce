//! `kube-patrol run`'s Prometheus metrics: `--metrics-file` in node-exporter's textfile format,
//! and a push to a real Prometheus Pushgateway (Debian's `prometheus-pushgateway`, installed by
//! scripts/test-deps) started on loopback by the test: two clusters pushed, read back from its
//! `/metrics`, neither overwriting the other.

mod common;
#[path = "support/pushgateway.rs"]
mod pushgateway;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pushgateway::Pushgateway;

use serde_json::Value;
use tempfile::TempDir;

const WEEK1: &str = "2025-12-26T10:00:00+08:00";
const WEEK2: &str = "2026-01-02T10:00:00+08:00";

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

    /// A config for cluster `name` (the seed's namespaces), with `extra` after it.
    fn write_config(&self, name: &str, extra: &str) {
        let text = format!(
            "cluster:\n  name: '{name}'\n  timezone: Asia/Taipei\n\
             namespaces:\n  include: [pigo-dev, pigo-stg, pigo-rel]\n{extra}"
        );
        std::fs::write(self.path("config.yaml"), text).unwrap();
    }

    fn run(&self, week: u8, extra: &[&str]) -> Output {
        let (now, path) = (
            if week == 1 { WEEK1 } else { WEEK2 },
            self.path(&format!("week{week}.json")),
        );
        let seed = std::fs::read_to_string(repo("examples/seed-cluster.json")).unwrap();
        let mut dump: Value = serde_json::from_str(&seed).unwrap();
        if week == 2 {
            common::a_week_later(&mut dump);
        }
        std::fs::write(&path, serde_json::to_string(&dump).unwrap()).unwrap();
        Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
            .arg("run")
            .arg("--config")
            .arg(self.path("config.yaml"))
            .args(["--from-dump", path.to_str().unwrap(), "--now", now])
            .args(extra)
            .env("RUST_LOG", "info")
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

/// The series of `text` (no comments), one a line.
fn series(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}

#[test]
fn the_metrics_file_has_every_family_each_series_labelled_with_its_cluster() {
    let setup = Setup::new();
    setup.write_config("prod \"east\"", "");
    let file = setup.path("kube_patrol.prom");

    let out = setup.run(1, &["--metrics-file", file.to_str().unwrap()]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    for family in [
        "kube_patrol_pods",
        "kube_patrol_problems",
        "kube_patrol_restarts",
        "kube_patrol_silenced_pods",
        "kube_patrol_overall_state",
        "kube_patrol_last_run_timestamp_seconds",
        "kube_patrol_run_duration_seconds",
        "kube_patrol_last_run_success",
    ] {
        assert!(
            text.contains(&format!("# TYPE {family} gauge\n")),
            "{family}:\n{text}"
        );
    }
    for line in series(&text) {
        assert!(line.contains("{cluster=\"prod \\\"east\\\"\""), "{line}");
    }
    let lines = series(&text);
    assert!(lines.contains(
        &"kube_patrol_pods{cluster=\"prod \\\"east\\\"\",namespace=\"pigo-dev\",health=\"unhealthy\"} 1"
    ), "{text}");
    assert!(lines.contains(
        &"kube_patrol_problems{cluster=\"prod \\\"east\\\"\",namespace=\"pigo-dev\",code=\"failed\",severity=\"high\"} 1"
    ), "{text}");
    assert!(
        lines.contains(
            &"kube_patrol_overall_state{cluster=\"prod \\\"east\\\"\",state=\"attention\"} 1"
        ),
        "{text}"
    );
    assert!(
        lines.contains(&"kube_patrol_last_run_success{cluster=\"prod \\\"east\\\"\"} 1"),
        "{text}"
    );
    let pods: u64 = lines
        .iter()
        .filter(|l| {
            l.starts_with("kube_patrol_pods{") || l.starts_with("kube_patrol_silenced_pods{")
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(pods, 48, "every pod counted once");
}

#[test]
fn two_clusters_pushed_to_a_real_pushgateway_keep_their_own_groups() {
    let gateway = Pushgateway::start();
    let east = Setup::new();
    east.write_config(
        "prod/east",
        &format!("metrics:\n  pushgateway: {}\n", gateway.url()),
    );
    let west = Setup::new();
    west.write_config(
        "prod-west",
        &format!("metrics:\n  pushgateway: {}/\n", gateway.url()),
    );

    let first = east.run(1, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let second = west.run(1, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    // West's next week replaces west's group, and only it.
    let third = west.run(2, &[]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));

    let metrics = gateway.metrics();
    let has = |line: &str| metrics.lines().any(|l| l == line);
    for cluster in ["prod/east", "prod-west"] {
        let success = format!(
            "kube_patrol_last_run_success{{cluster=\"{cluster}\",instance=\"\",job=\"kube-patrol\"}} 1"
        );
        assert!(has(&success), "{success} not in:\n{metrics}");
    }
    // Week 1: pigo-dev's failed pod; a week later it is gone and pigo-stg has a crashing one.
    // West's second push replaced west's group; east kept its own.
    for line in [
        "kube_patrol_pods{cluster=\"prod/east\",health=\"unhealthy\",instance=\"\",job=\"kube-patrol\",namespace=\"pigo-dev\"} 1",
        "kube_patrol_pods{cluster=\"prod-west\",health=\"unhealthy\",instance=\"\",job=\"kube-patrol\",namespace=\"pigo-dev\"} 0",
        "kube_patrol_pods{cluster=\"prod-west\",health=\"unhealthy\",instance=\"\",job=\"kube-patrol\",namespace=\"pigo-stg\"} 1",
    ] {
        assert!(has(line), "{line} not in:\n{metrics}");
    }
    assert!(
        !metrics.contains("kube_patrol_problems{cluster=\"prod-west\",code=\"failed\""),
        "week 1's problem left west's group with its next push:\n{metrics}"
    );
    assert!(
        metrics
            .contains("push_time_seconds{cluster=\"prod/east\",instance=\"\",job=\"kube-patrol\"}"),
        "grouped by job and cluster:\n{metrics}"
    );
}

#[test]
fn an_unreachable_pushgateway_is_retried_then_run_exits_5_saying_the_archive_was_kept() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let setup = Setup::new();
    let extra = format!(
        "archive:\n  dir: {}\nmetrics:\n  pushgateway: http://127.0.0.1:{port}\n  retries: 1\n  backoff: 1s\n",
        setup.path("reports").display()
    );
    setup.write_config("prod", &extra);

    let out = setup.run(1, &[]);

    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let error = stderr(&out);
    assert!(
        error.contains(&format!(
            "delivered to the archive; not to the Pushgateway: the Pushgateway: failed to send to the Pushgateway at 127.0.0.1:{port} (2 attempts)"
        )),
        "{error}"
    );
    assert!(setup.path("reports/latest.json").exists());
}

#[test]
fn a_run_that_cannot_read_the_cluster_marks_its_failure_and_keeps_the_last_reports_series() {
    let gateway = Pushgateway::start();
    let setup = Setup::new();
    setup.write_config(
        "prod",
        &format!("metrics:\n  pushgateway: {}\n", gateway.url()),
    );
    let good = setup.run(1, &[]);
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kubeconfig = setup.path("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: down\nclusters:\n- name: down\n  \
             cluster:\n    server: http://127.0.0.1:{closed}\ncontexts:\n- name: down\n  \
             context:\n    cluster: down\n    user: nobody\nusers:\n- name: nobody\n  user: {{}}\n"
        ),
    )
    .unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_kube-patrol"))
        .arg("run")
        .arg("--config")
        .arg(setup.path("config.yaml"))
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["--retries", "0"])
        .output()
        .unwrap();

    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let metrics = gateway.metrics();
    let has = |line: &str| metrics.lines().any(|l| l == line);
    assert!(
        has("kube_patrol_last_run_success{cluster=\"prod\",instance=\"\",job=\"kube-patrol\"} 0"),
        "{metrics}"
    );
    assert!(
        has(
            "kube_patrol_pods{cluster=\"prod\",health=\"unhealthy\",instance=\"\",job=\"kube-patrol\",namespace=\"pigo-dev\"} 1"
        ),
        "the last report's series are kept:\n{metrics}"
    );
}
