//! A real HTTP receiver for the digest tests: `tests/support/http_receiver.py` (Python's
//! http.server) on 127.0.0.1, recording every request, able to fail the first N; killed when
//! its guard drops.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

/// How the receiver answers.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// Answer the first N requests with `fail_status`.
    pub fail: u32,
    /// Default 503.
    pub fail_status: Option<u16>,
    /// `Retry-After` seconds on the failures.
    pub retry_after: Option<u32>,
    /// The others' status; default 200.
    pub status: Option<u16>,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lowercase.
    pub headers: serde_json::Map<String, serde_json::Value>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// The running receiver; dropping it kills the process.
pub struct Receiver {
    child: Child,
    pub port: u16,
    dir: TempDir,
}

impl Receiver {
    pub fn start(answers: Answers) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let stderr = File::create(dir.path().join("receiver.log")).unwrap();
        let mut command = Command::new("python3");
        command
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/http_receiver.py"))
            .arg("--dir")
            .arg(dir.path().join("requests"))
            .args(["--fail", &answers.fail.to_string()])
            .args([
                "--fail-status",
                &answers.fail_status.unwrap_or(503).to_string(),
            ])
            .args(["--status", &answers.status.unwrap_or(200).to_string()]);
        if let Some(seconds) = answers.retry_after {
            command.args(["--retry-after", &seconds.to_string()]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("python3 runs the test HTTP receiver");
        let stdout = child.stdout.take().unwrap();
        let mut receiver = Receiver {
            child,
            port: 0,
            dir,
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        receiver.port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the test HTTP receiver did not start: {}", receiver.log()));
        receiver
    }

    /// `http://127.0.0.1:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("receiver.log")).unwrap_or_default()
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        let dir = self.dir.path().join("requests");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|f| {
                let v: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
                Request {
                    method: v["method"].as_str().unwrap().to_owned(),
                    path: v["path"].as_str().unwrap().to_owned(),
                    headers: v["headers"].as_object().unwrap().clone(),
                    body: v["body"].as_str().unwrap().to_owned(),
                }
            })
            .collect()
    }

    /// The requests to `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
