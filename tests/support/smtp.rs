//! A real SMTP server for the email tests: `tests/support/smtp_server.py` (aiosmtpd) on
//! 127.0.0.1, killed when its guard drops, and a test CA made with openssl.
//!
//! The Python comes from `KUBE_PATROL_TEST_SMTP_PYTHON` (what `scripts/test-deps-smtp` prints),
//! else the venv that script makes, else `python3`.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

const HINT: &str = "run scripts/test-deps-smtp (it installs aiosmtpd and prints the Python to \
                    set as KUBE_PATROL_TEST_SMTP_PYTHON)";

/// The Python that runs the server.
pub fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("KUBE_PATROL_TEST_SMTP_PYTHON") {
        return PathBuf::from(python);
    }
    let cache = match std::env::var_os("KP_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => cache_home().join("kube-patrol"),
    };
    let venv = cache.join("venv-smtp/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

fn cache_home() -> PathBuf {
    match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache"),
    }
}

/// A CA and a server certificate for `localhost` and `127.0.0.1`, signed by it.
pub struct TestCa {
    dir: TempDir,
}

impl TestCa {
    pub fn generate() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let ca = [
            "req", "-x509", "-days", "2", "-keyout", "ca.key", "-out", "ca.pem",
        ];
        let ca_ext = [
            "-subj",
            "/CN=kube-patrol test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ];
        openssl(dir.path(), &[&ca[..], &ec, &ca_ext].concat());
        let csr = [
            "req",
            "-new",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ];
        openssl(dir.path(), &[&csr[..], &ec].concat());
        std::fs::write(
            dir.path().join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(
            dir.path(),
            &[
                "x509",
                "-req",
                "-days",
                "2",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-extfile",
                "server.ext",
                "-out",
                "server.pem",
            ],
        );
        TestCa { dir }
    }

    /// The CA certificate the client trusts.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn server_cert(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }

    fn server_key(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl must be installed to make the test certificates");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// How the server secures connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerTls {
    None,
    StartTls,
    Implicit,
}

/// How the server behaves.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions<'a> {
    pub tls: ServerTls,
    /// Require AUTH with exactly this user and password.
    pub login: Option<(&'a str, &'a str)>,
    /// Close the connection without a reply on the first N DATA.
    pub drop_data: u32,
    /// Answer 451 to the first N DATA.
    pub transient_data: u32,
}

impl ServerOptions<'_> {
    pub fn plain() -> Self {
        ServerOptions {
            tls: ServerTls::None,
            login: None,
            drop_data: 0,
            transient_data: 0,
        }
    }
}

/// One message the server accepted.
pub struct Received {
    /// The bytes as received (the .eml file).
    pub eml: Vec<u8>,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
}

/// The running server; dropping it kills the process, on a failed test too.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    dir: TempDir,
}

impl SmtpServer {
    pub fn start(options: ServerOptions<'_>, ca: Option<&TestCa>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let stderr = File::create(dir.path().join("server.log")).unwrap();
        let mut command = Command::new(python());
        command
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py"))
            .arg("--dir")
            .arg(dir.path().join("mail"))
            .args(server_args(options, ca))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}; {HINT}", python()));
        let stdout = child.stdout.take().unwrap();
        // The guard exists before waiting for the port: a server that fails to start is killed too.
        let mut server = SmtpServer {
            child,
            port: 0,
            dir,
        };
        server.port = server.wait_for_port(stdout);
        server
    }

    fn wait_for_port(&self, stdout: ChildStdout) -> u16 {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        match line.trim().parse() {
            Ok(port) => port,
            Err(_) => panic!(
                "the test SMTP server did not start ({HINT}); its stderr:\n{}",
                self.log()
            ),
        }
    }

    /// What the server wrote on stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// The messages accepted so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mail = self.dir.path().join("mail");
        let mut envelopes: Vec<PathBuf> = std::fs::read_dir(&mail)
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        envelopes.retain(|p| p.extension().is_some_and(|e| e == "json"));
        envelopes.sort();
        envelopes.iter().map(|json| read_received(json)).collect()
    }
}

fn read_received(json: &Path) -> Received {
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    let rcpt_tos = envelope["rcpt_tos"].as_array().unwrap();
    Received {
        eml: std::fs::read(json.with_extension("eml")).unwrap(),
        mail_from: envelope["mail_from"].as_str().unwrap().to_owned(),
        rcpt_tos: rcpt_tos
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect(),
    }
}

fn server_args(options: ServerOptions<'_>, ca: Option<&TestCa>) -> Vec<String> {
    let tls = match options.tls {
        ServerTls::None => "none",
        ServerTls::StartTls => "starttls",
        ServerTls::Implicit => "implicit",
    };
    let mut args = vec!["--tls".to_owned(), tls.to_owned()];
    if options.tls != ServerTls::None {
        let ca = ca.expect("a TLS server needs the test CA");
        args.push("--cert".to_owned());
        args.push(ca.server_cert().display().to_string());
        args.push("--key".to_owned());
        args.push(ca.server_key().display().to_string());
    }
    if let Some((user, password)) = options.login {
        args.extend(["--user", user, "--password", password].map(String::from));
    }
    args.push(format!("--drop-data={}", options.drop_data));
    args.push(format!("--transient-data={}", options.transient_data));
    args
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 where nothing listens: connecting is refused.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
