//! A real Prometheus Pushgateway (Debian's `prometheus-pushgateway`, installed by
//! scripts/test-deps) started on a free loopback port, for the tests of pushed metrics.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub const PUSHGATEWAY: &str = "/usr/bin/prometheus-pushgateway";

/// A running Pushgateway; dropping it kills the process.
pub struct Pushgateway {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Pushgateway {
    pub fn start() -> Self {
        assert!(
            Path::new(PUSHGATEWAY).exists(),
            "{PUSHGATEWAY} is missing: run scripts/test-deps (it installs Debian's prometheus-pushgateway)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("pushgateway.log")).unwrap();
        let child = Command::new(PUSHGATEWAY)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start the Pushgateway");
        let gateway = Pushgateway {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while get(port, "/-/ready").is_none_or(|(status, _)| status != 200) {
            assert!(Instant::now() < deadline, "the Pushgateway did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        gateway
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its `/metrics`: our series, with the labels it adds (`job`, `instance`).
    pub fn metrics(&self) -> String {
        get(self.port, "/metrics").expect("GET /metrics").1
    }
}

impl Drop for Pushgateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 GET: the status and the body; `None` when nothing listens yet.
pub fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}
