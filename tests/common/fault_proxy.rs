//! A fault-injecting HTTPS proxy in front of the test control plane:
//! `tests/support/fault_proxy.py` on 127.0.0.1, killed when its guard drops.
//!
//! The proxy serves TLS with the control plane's own `apiserver.crt`/`apiserver.key`, so a
//! client that trusts the test CA trusts it too; it forwards every request to the real
//! kube-apiserver and relays the answer, except the requests its rules fault. The rule format
//! (match, fault, times, skip) and every fault are in the docstring of the Python script.
//!
//! ```ignore
//! let proxy = FaultProxy::start();
//! proxy.set_rules(json!([{"match": {"method": "GET", "path": "^/api/v1/pods$"},
//!                         "fault": {"status": 429, "retry_after": 1}, "times": 2}]));
//! let output = kube_patrol(&["--kubeconfig", proxy.kubeconfig().to_str().unwrap()]);
//! assert_eq!(proxy.log().len(), 3);
//! ```
//!
//! kube's default `Config` retries 429, 503 and 504 itself (up to 15 times, honouring
//! Retry-After): set `default_retry = false` on [`FaultProxy::config`] to see the faults.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

/// The running proxy; dropping it kills the process, on a failed test too. The proxy also
/// exits by itself when the test process dies (its stdin closes).
pub struct FaultProxy {
    child: Child,
    /// Held open: the proxy exits when it closes.
    _stdin: ChildStdin,
    dir: TempDir,
    proxy_url: String,
    /// `host:port` of the plain-HTTP control API.
    control: String,
}

impl FaultProxy {
    /// A proxy in front of the control plane of `scripts/test` (`KUBE_PATROL_TEST_KUBECONFIG`).
    pub fn start() -> FaultProxy {
        FaultProxy::start_for(&super::kubeconfig())
    }

    /// A proxy in front of the control plane a kubeconfig of `scripts/control-plane` names: its
    /// `server`, its `certificate-authority`, and the `apiserver.crt`/`apiserver.key` beside
    /// that CA.
    pub fn start_for(upstream_kubeconfig: &Path) -> FaultProxy {
        let config = std::fs::read_to_string(upstream_kubeconfig)
            .unwrap_or_else(|e| panic!("read {}: {e}", upstream_kubeconfig.display()));
        let server = kubeconfig_field(&config, "server");
        let ca = PathBuf::from(kubeconfig_field(&config, "certificate-authority"));
        let control_plane = ca.parent().expect("the CA's directory");

        let dir = tempfile::tempdir().unwrap();
        let stderr = File::create(dir.path().join("proxy.log")).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fault_proxy.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg("--upstream")
            .arg(&server)
            .arg("--ca")
            .arg(&ca)
            .arg("--cert")
            .arg(control_plane.join("apiserver.crt"))
            .arg("--key")
            .arg(control_plane.join("apiserver.key"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start python3 {}: {e}", script.display()));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        // The guard exists before waiting for the ready line: a proxy that fails to start is
        // killed too.
        let mut proxy = FaultProxy {
            child,
            _stdin: stdin,
            dir,
            proxy_url: String::new(),
            control: String::new(),
        };
        let ready = proxy.wait_ready(stdout);
        proxy.proxy_url = ready["proxy"].as_str().expect("proxy URL").to_owned();
        proxy.control = ready["control"]
            .as_str()
            .and_then(|url| url.strip_prefix("http://"))
            .expect("control URL")
            .to_owned();

        let mut replaced = false;
        let proxied: String = config
            .lines()
            .map(|line| match line.trim_start().strip_prefix("server: ") {
                Some(_) if !replaced => {
                    replaced = true;
                    let indent = &line[..line.len() - line.trim_start().len()];
                    format!("{indent}server: {}\n", proxy.proxy_url)
                }
                _ => format!("{line}\n"),
            })
            .collect();
        std::fs::write(proxy.kubeconfig(), proxied).unwrap();
        proxy
    }

    fn wait_ready(&mut self, stdout: std::process::ChildStdout) -> Value {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        match serde_json::from_str(line.trim()) {
            Ok(ready) => ready,
            Err(_) => panic!(
                "the fault proxy did not start (ready line {line:?}); its stderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// A copy of the upstream kubeconfig whose `server` is the proxy.
    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    /// `https://127.0.0.1:PORT` of the proxy.
    pub fn url(&self) -> &str {
        &self.proxy_url
    }

    /// A kube `Config` of [`Self::kubeconfig`], to tune (`default_retry`, `read_timeout`)
    /// before building a client from it.
    pub async fn config(&self) -> kube::Config {
        let file =
            kube::config::Kubeconfig::read_from(self.kubeconfig()).expect("proxy kubeconfig");
        kube::Config::from_custom_kubeconfig(file, &kube::config::KubeConfigOptions::default())
            .await
            .expect("proxy kube config")
    }

    /// A client through the proxy, with kube's defaults (it retries 429, 503 and 504 itself).
    pub async fn client(&self) -> kube::Client {
        super::client_for(&self.kubeconfig()).await
    }

    /// Replaces the rules: a JSON list of rules (a single rule object is taken as a list of
    /// one). Panics with the proxy's message if one is wrong.
    pub fn set_rules(&self, rules: Value) {
        let rules = match rules {
            Value::Array(_) => rules,
            rule => Value::Array(vec![rule]),
        };
        self.control("POST", "/rules", Some(&rules));
    }

    /// No rules (every request passes through) and an empty log.
    pub fn clear(&self) {
        self.control("DELETE", "/rules", None);
        self.control("DELETE", "/log", None);
    }

    /// Every request seen so far, in arrival order: `{"method", "path", "query",
    /// "status_sent", "fault", "rule"}`, plus `"aborted": true` when the proxy reset the
    /// connection, `"client_gone": true` when the client left first, `"error"` when the
    /// upstream failed (then `status_sent` is 502).
    pub fn log(&self) -> Vec<Value> {
        match self.control("GET", "/log", None) {
            Value::Array(entries) => entries,
            other => panic!("the proxy's log is a list: {other}"),
        }
    }

    /// The rules with their counters: `seen` (matching requests) and `faulted`.
    pub fn rules(&self) -> Vec<Value> {
        match self.control("GET", "/rules", None) {
            Value::Array(rules) => rules,
            other => panic!("the proxy's rules are a list: {other}"),
        }
    }

    /// What the proxy wrote on stderr.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("proxy.log")).unwrap_or_default()
    }

    /// One request to the control API (HTTP/1.1, `Connection: close`); its JSON answer.
    fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(&self.control)
            .unwrap_or_else(|e| panic!("connect to the fault proxy's control API: {e}"));
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.control,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .unwrap_or_else(|e| panic!("read the fault proxy's answer to {method} {path}: {e}"));
        let (head, payload) = response
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("an HTTP answer to {method} {path}: {response:?}"));
        let status = head.split(' ').nth(1).unwrap_or_default();
        assert_eq!(
            status, "200",
            "the fault proxy refused {method} {path} {body}: {payload}"
        );
        serde_json::from_str(payload).expect("the control API answers JSON")
    }
}

/// The first `key: value` of a kubeconfig written by `scripts/control-plane`.
fn kubeconfig_field(config: &str, key: &str) -> String {
    let prefix = format!("{key}: ");
    config
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{key} in the kubeconfig"))
        .trim()
        .to_owned()
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
