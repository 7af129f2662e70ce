//! Bad input of every kind ends in one line on stderr that names the input, a documented
//! non-zero exit code, and no panic.

mod common;

use std::process::Output;

use common::*;

/// Asserts a one-line error mentioning `needle`, and returns the exit code.
fn one_line_error(output: &Output, needle: &str) -> i32 {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got:\n{stderr}");
    assert!(lines[0].starts_with("kube-patrol: error: "), "{stderr}");
    assert!(lines[0].contains(needle), "{needle:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty(), "no partial report on stdout");
    output.status.code().expect("an exit code")
}

fn write_temp(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}

#[test]
fn a_missing_dump_file_is_named_with_exit_code_2() {
    let out = kube_patrol(&["report", "-A", "--from-dump", "/no/such/dump.json"]);
    assert_eq!(one_line_error(&out, "/no/such/dump.json"), 2);
}

#[test]
fn a_dump_that_is_not_json_says_where_it_broke() {
    let (_dir, path) = write_temp("dump.json", "{\"kind\": \"List\",\n \"items\": [ {,] }");
    let out = kube_patrol(&["report", "-A", "--from-dump", &path]);
    assert_eq!(one_line_error(&out, "line 2"), 2);
}

#[test]
fn a_dump_that_is_not_a_kubernetes_object_is_refused() {
    let (_dir, path) = write_temp("dump.json", "[1, 2, 3]");
    let out = kube_patrol(&["report", "-A", "--from-dump", &path]);
    assert_eq!(one_line_error(&out, &path), 2);
}

#[test]
fn an_unknown_namespace_in_a_dump_is_named() {
    let out = kube_patrol(&[
        "report",
        "-n",
        "pigo-prod",
        "--from-dump",
        "examples/seed-cluster.json",
    ]);
    assert_eq!(one_line_error(&out, "pigo-prod"), 2);
}

#[test]
fn no_namespace_flag_asks_for_one() {
    let out = kube_patrol(&["report", "--from-dump", "examples/seed-cluster.json"]);
    assert_eq!(one_line_error(&out, "-A"), 2);
}

#[test]
fn a_bad_flag_value_exits_with_2() {
    let out = kube_patrol(&["report", "-A", "--now", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--now"));
}

#[test]
fn a_missing_kubeconfig_is_named() {
    let out = kube_patrol(&["report", "-A", "--kubeconfig", "/no/such/kubeconfig"]);
    assert_eq!(one_line_error(&out, "/no/such/kubeconfig"), 2);
}

#[test]
fn an_unreachable_api_server_is_named_and_exits_with_3() {
    let (_dir, path) = write_temp(
        "kubeconfig",
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n\
         clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]\n\
         users: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n",
    );
    // A refused connection is retried (an API server restarting refuses too), each retry a
    // warning in the log; without retries the error is the only line.
    let out = kube_patrol(&[
        "report",
        "-n",
        "default",
        "--kubeconfig",
        &path,
        "--retries",
        "0",
    ]);
    // Named as kubectl names it: the server tried, so a wrong kubeconfig is seen at once.
    assert_eq!(one_line_error(&out, "https://127.0.0.1:1"), 3);
    assert_eq!(one_line_error(&out, "reachable"), 3);
}

#[test]
fn an_api_server_refusing_the_credentials_exits_with_3() {
    let good = std::fs::read_to_string(kubeconfig()).unwrap();
    let bad: String = good
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("token:") {
                "    token: not-a-valid-token"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (_dir, path) = write_temp("kubeconfig", &bad);
    let out = kube_patrol(&["report", "-n", "default", "--kubeconfig", &path]);
    assert_eq!(one_line_error(&out, "401"), 3);
}

#[tokio::test]
async fn an_unknown_namespace_on_a_live_cluster_is_named() {
    let path = kubeconfig();
    let out = kube_patrol(&[
        "report",
        "-n",
        "no-such-namespace",
        "--kubeconfig",
        path.to_str().unwrap(),
    ]);
    assert_eq!(one_line_error(&out, "no-such-namespace"), 2);
}
