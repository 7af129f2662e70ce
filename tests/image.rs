//! kube-patrol's image (`Dockerfile`, built by `scripts/build-image` with buildah) run from its
//! own root filesystem against the real API server: the static binary starts, reaches the API
//! server by a name found in /etc/hosts or through DNS (with a pod's search domains), trusts
//! the CA bundle the image carries, finds the API server from a service account's files as
//! in a pod, and writes only into the volumes it is given.
//!
//! Slow the first time (a static release build, then buildah): the build is cached in
//! `$CARGO_TARGET_DIR` (default `target/`) and the image is rebuilt only when its inputs change.

mod common;

use std::collections::BTreeSet;
use std::net::UdpSocket;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};

/// The user the image runs as.
const NONROOT: u32 = 65532;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `localhost/kube-patrol:<version>`, built once per test binary by `scripts/build-image`.
fn image() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let script = repo().join("scripts/build-image");
        let out = Command::new(&script)
            .output()
            .expect("run scripts/build-image");
        assert!(
            out.status.success(),
            "scripts/build-image failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let tag = Command::new(&script).arg("--tag").output().unwrap();
        String::from_utf8(tag.stdout).unwrap().trim().to_owned()
    })
}

/// buildah with the storage and isolation that `scripts/build-image` uses.
fn buildah(args: &[&str]) -> Output {
    let driver = std::env::var("KP_BUILDAH_STORAGE_DRIVER").unwrap_or_else(|_| "vfs".to_owned());
    Command::new("buildah")
        .arg("--storage-driver")
        .arg(driver)
        .args(args)
        .env("BUILDAH_ISOLATION", "chroot")
        .output()
        .expect("run buildah")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A working container of the image, removed when dropped.
struct Container(String);

impl Container {
    fn new() -> Container {
        Container::with(&[])
    }

    /// With options of `buildah from` (`--dns=none`: no /etc/resolv.conf of buildah's).
    fn with(options: &[&str]) -> Container {
        let mut args = vec!["from", "--pull=never", "--quiet"];
        args.extend_from_slice(options);
        args.push(image());
        Container(stdout(&buildah(&args)).trim().to_owned())
    }

    /// Runs the image's binary with `args` (as the image's user, in the host's network, like
    /// a pod that has the API server on its network): `options` are buildah run's (`-v`, `-e`).
    fn run(&self, options: &[String], args: &[&str]) -> Output {
        let mut all: Vec<&str> = vec!["run", "--network", "host"];
        all.extend(options.iter().map(String::as_str));
        all.extend([self.0.as_str(), "--", "/kube-patrol"]);
        all.extend_from_slice(args);
        buildah(&all)
    }

    /// The container's root filesystem on the host, while the guard lives.
    fn mount(&self) -> Mounted<'_> {
        let out = buildah(&["mount", &self.0]);
        Mounted {
            container: self,
            root: PathBuf::from(stdout(&out).trim()),
        }
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = buildah(&["rm", &self.0]);
    }
}

struct Mounted<'a> {
    container: &'a Container,
    root: PathBuf,
}

impl Drop for Mounted<'_> {
    fn drop(&mut self) {
        let _ = buildah(&["umount", &self.container.0]);
    }
}

/// A directory the image's user may read (tempfile makes them 0700): for `-v`.
fn shared_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn write_readable(path: &Path, contents: impl AsRef<[u8]>) {
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

fn volume(host: &Path, container: &str) -> String {
    format!("--volume={}:{container}:ro", host.display())
}

/// The test kubeconfig's `server` (https://127.0.0.1:PORT), its port, CA file and token.
struct ApiServer {
    port: String,
    ca: PathBuf,
    token: String,
}

fn api_server() -> ApiServer {
    ApiServer {
        port: kubeconfig_value("server")
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned(),
        ca: PathBuf::from(kubeconfig_value("certificate-authority")),
        token: kubeconfig_value("token"),
    }
}

/// A directory for `/config`: `kubeconfig` naming the API server as `https://HOST:PORT`, with
/// the test CA as `ca.crt` unless `trust_store` (then the kubeconfig names no CA, and the
/// image's CA bundle decides).
fn config_dir(api: &ApiServer, host: &str, trust_store: bool) -> tempfile::TempDir {
    let dir = shared_dir();
    let ca = if trust_store {
        String::new()
    } else {
        write_readable(&dir.path().join("ca.crt"), std::fs::read(&api.ca).unwrap());
        "    certificate-authority: /config/ca.crt\n".to_owned()
    };
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: https://{host}:{port}\n{ca}users:\n- name: admin\n  user:\n    token: {token}\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: admin\ncurrent-context: test\n",
        port = api.port,
        token = api.token,
    );
    write_readable(&dir.path().join("kubeconfig"), kubeconfig);
    dir
}

/// A namespace with two Running, ready pods.
async fn namespace_with_pods(prefix: &str) -> String {
    let client = client().await;
    let ns = unique(prefix);
    create_namespace(&client, &ns).await;
    for name in ["api", "web"] {
        let status = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "main", "image": "busybox", "imageID": "", "ready": true,
                "restartCount": 0, "state": {"running": {"startedAt": "2025-01-01T00:00:00Z"}}}]});
        create_pod(
            &client,
            &ns,
            name,
            json!({"containers": [{"name": "main", "image": "busybox"}]}),
            status,
        )
        .await;
    }
    ns
}

fn report_args(namespace: &str) -> Vec<&str> {
    vec![
        "report",
        "--kubeconfig",
        "/config/kubeconfig",
        "-n",
        namespace,
        "-o",
        "json",
    ]
}

/// The report on stdout of a run that must succeed: its pods' names.
fn reported_pods(out: &Output) -> Vec<String> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "kube-patrol in the image failed: {}",
        text(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["partial"], false, "{}", report["missing"]);
    report["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_image_runs_the_static_binary_as_nonroot_and_prints_its_version() {
    let container = Container::new();
    let out = container.run(&[], &["--version"]);
    assert_eq!(
        stdout(&out).trim(),
        format!("kube-patrol {}", env!("CARGO_PKG_VERSION"))
    );

    let inspect = stdout(&buildah(&["inspect", "--type", "image", image()]));
    let config = &serde_json::from_str::<Value>(&inspect).unwrap()["OCIv1"]["config"];
    assert_eq!(config["User"], "65532:65532");
    assert_eq!(config["Entrypoint"], json!(["/kube-patrol"]));
    let env: BTreeSet<&str> = config["Env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    for wanted in [
        "HOME=/tmp",
        "TMPDIR=/tmp",
        "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    ] {
        assert!(env.contains(wanted), "{wanted} in {env:?}");
    }
}

/// Everything in the image: the binary (static: no program interpreter), the CA bundle, the
/// user, the name service switch and /tmp; nothing the image's user may write but /tmp.
#[test]
fn the_image_holds_the_static_binary_ca_bundle_and_user_and_nothing_writable_but_tmp() {
    let container = Container::new();
    let mounted = container.mount();
    let root = &mounted.root;
    let mut files = BTreeSet::new();
    let mut writable = Vec::new();
    for entry in walk(root) {
        let relative = entry
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        if meta.is_file() {
            files.insert(relative.clone());
        }
        let mode = meta.mode();
        let by_user = meta.uid() == NONROOT && mode & 0o200 != 0
            || meta.gid() == NONROOT && mode & 0o020 != 0
            || mode & 0o002 != 0;
        if by_user && !meta.file_type().is_symlink() {
            writable.push(relative);
        }
    }
    let expected: BTreeSet<String> = [
        "kube-patrol",
        "etc/passwd",
        "etc/group",
        "etc/nsswitch.conf",
        "etc/ssl/certs/ca-certificates.crt",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert!(files.is_superset(&expected), "{files:?}");
    let extra: Vec<&String> = files
        .difference(&expected)
        .filter(|f| !is_runtime_mount_point(f))
        .collect();
    assert!(extra.is_empty(), "nothing else in the image: {extra:?}");
    assert_eq!(writable, ["tmp"], "only /tmp is writable by the user");
    assert_eq!(
        std::fs::metadata(root.join("tmp")).unwrap().mode() & 0o7777,
        0o1777
    );

    let binary = std::fs::read(root.join("kube-patrol")).unwrap();
    assert_eq!(&binary[..4], b"\x7fELF");
    let readelf = Command::new("readelf")
        .arg("-l")
        .arg(root.join("kube-patrol"))
        .output()
        .expect("readelf");
    assert!(
        !stdout(&readelf).contains("INTERP"),
        "no dynamic loader: static"
    );
    let bundle = std::fs::read_to_string(root.join("etc/ssl/certs/ca-certificates.crt")).unwrap();
    assert!(
        bundle.matches("BEGIN CERTIFICATE").count() > 100,
        "the Debian CA bundle"
    );
    let passwd = std::fs::read_to_string(root.join("etc/passwd")).unwrap();
    assert!(passwd.contains(":65532:65532:"), "{passwd}");
}

/// Files that buildah itself places into a working container (mount points for /etc/hosts and
/// the like), not part of the image.
fn is_runtime_mount_point(file: &str) -> bool {
    [
        "etc/hosts",
        "etc/hostname",
        "etc/resolv.conf",
        "run/.containerenv",
    ]
    .contains(&file)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let is_dir = std::fs::symlink_metadata(&path).unwrap().is_dir();
        all.push(path.clone());
        if is_dir {
            all.extend(walk(&path));
        }
    }
    all
}

/// The API server named `localhost` and `kubernetes.default.svc`, found in the /etc/hosts
/// that Kubernetes (here buildah) mounts: glibc's `files` service in the static binary.
#[tokio::test]
async fn in_the_image_a_report_reaches_the_api_server_by_a_name_in_etc_hosts() {
    let ns = namespace_with_pods("kp-image-hosts").await;
    let api = api_server();
    let etc = shared_dir();
    write_readable(
        &etc.path().join("hosts"),
        "127.0.0.1 localhost\n127.0.0.1 kubernetes.default.svc\n",
    );
    let container = Container::new();
    for host in ["localhost", "kubernetes.default.svc"] {
        let config = config_dir(&api, host, false);
        let options = [
            "--no-hosts".to_owned(), // buildah's own /etc/hosts would hide this one
            volume(config.path(), "/config"),
            volume(&etc.path().join("hosts"), "/etc/hosts"),
        ];
        let out = container.run(&options, &report_args(&ns));
        assert_eq!(reported_pods(&out), ["api", "web"], "{host}");
    }
}

/// The API server's name resolved by DNS, as in a pod: /etc/resolv.conf with the namespace's
/// search domains and ndots:5, a name server (here a small one of the test on 127.0.0.153)
/// that knows `kubernetes.default.svc.cluster.local` only. glibc's `dns` service in the static
/// binary walks the search list to it.
#[tokio::test]
async fn in_the_image_a_report_reaches_the_api_server_by_a_name_resolved_through_dns() {
    let ns = namespace_with_pods("kp-image-dns").await;
    let api = api_server();
    let dns = DnsServer::start("127.0.0.153", "kubernetes.default.svc.cluster.local");
    let etc = shared_dir();
    write_readable(&etc.path().join("hosts"), "127.0.0.1 localhost\n");
    write_readable(
        &etc.path().join("resolv.conf"),
        "search kube-patrol.svc.cluster.local svc.cluster.local cluster.local\n\
         nameserver 127.0.0.153\noptions ndots:5\n",
    );
    let config = config_dir(&api, "kubernetes.default.svc", false);
    let options = [
        "--no-hosts".to_owned(),
        volume(config.path(), "/config"),
        volume(&etc.path().join("hosts"), "/etc/hosts"),
        volume(&etc.path().join("resolv.conf"), "/etc/resolv.conf"),
    ];

    let container = Container::with(&["--dns=none"]);
    let out = container.run(&options, &report_args(&ns));

    assert_eq!(reported_pods(&out), ["api", "web"]);
    let asked = dns.queries();
    assert!(
        asked.contains(&("kubernetes.default.svc.cluster.local".to_owned(), 1)),
        "an A query for the full name: {asked:?}"
    );
    assert!(
        asked.contains(&(
            "kubernetes.default.svc.kube-patrol.svc.cluster.local".to_owned(),
            1
        )),
        "the search list, in order: {asked:?}"
    );
}

/// A kubeconfig that names no CA: the API server's certificate is checked against the image's
/// trust store, /etc/ssl/certs/ca-certificates.crt (as an SMTP server's is). The Debian bundle
/// does not know the test CA: refused, with the reason. The same bundle path holding the test
/// CA (mounted over it): accepted.
#[tokio::test]
async fn in_the_image_tls_is_checked_against_the_ca_bundle_of_the_image() {
    let ns = namespace_with_pods("kp-image-tls").await;
    let api = api_server();
    let config = config_dir(&api, "localhost", true);
    let container = Container::new();

    let out = container.run(&[volume(config.path(), "/config")], &report_args(&ns));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let error = text(&out.stderr);
    assert!(
        error.contains("UnknownIssuer") || error.contains("unknown issuer"),
        "the certificate is checked and its issuer unknown: {error}"
    );

    let certs = shared_dir();
    let bundle = certs.path().join("ca-certificates.crt");
    write_readable(&bundle, std::fs::read(&api.ca).unwrap());
    let options = [
        volume(config.path(), "/config"),
        volume(&bundle, "/etc/ssl/certs/ca-certificates.crt"),
    ];
    let out = container.run(&options, &report_args(&ns));
    assert_eq!(reported_pods(&out), ["api", "web"]);
}

/// As the CronJob's pod: no kubeconfig, the service account's token, CA and namespace mounted
/// at /var/run/secrets/kubernetes.io/serviceaccount and KUBERNETES_SERVICE_HOST/PORT set; the
/// report written with --out-dir into a volume (the archive's PVC), owned by the image's user.
#[tokio::test]
async fn in_the_image_kube_patrol_finds_the_api_server_through_its_service_account() {
    let ns = namespace_with_pods("kp-image-in-cluster").await;
    let api = api_server();
    let account = shared_dir();
    write_readable(&account.path().join("token"), &api.token);
    write_readable(
        &account.path().join("ca.crt"),
        std::fs::read(&api.ca).unwrap(),
    );
    write_readable(&account.path().join("namespace"), "kube-patrol");
    let reports = tempfile::tempdir().unwrap();
    std::os::unix::fs::chown(reports.path(), Some(NONROOT), Some(NONROOT)).unwrap();
    let options = [
        volume(
            account.path(),
            "/var/run/secrets/kubernetes.io/serviceaccount",
        ),
        format!(
            "--volume={}:/var/lib/kube-patrol/reports",
            reports.path().display()
        ),
        "--env=KUBERNETES_SERVICE_HOST=127.0.0.1".to_owned(),
        format!("--env=KUBERNETES_SERVICE_PORT={}", api.port),
    ];

    let container = Container::new();
    let out = container.run(
        &options,
        &[
            "report",
            "-n",
            &ns,
            "--out-dir",
            "/var/lib/kube-patrol/reports/now",
        ],
    );

    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = reports.path().join("now");
    let mut names: Vec<String> = std::fs::read_dir(&written)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["report.html", "report.json", "report.md"]);
    let json: Value =
        serde_json::from_slice(&std::fs::read(written.join("report.json")).unwrap()).unwrap();
    assert_eq!(
        json["source"],
        json!({"kind": "cluster", "context": null,
               "server": format!("https://127.0.0.1:{}/", api.port)})
    );
    assert_eq!(
        std::fs::metadata(written.join("report.md")).unwrap().uid(),
        NONROOT
    );

    // Nothing was written in the container's own filesystem, not even in /tmp.
    let mounted = container.mount();
    let tmp: Vec<_> = std::fs::read_dir(mounted.root.join("tmp"))
        .unwrap()
        .collect();
    assert!(tmp.is_empty(), "{tmp:?}");
}

/// A DNS server on UDP port 53 of a loopback address that answers A queries for one name with
/// 127.0.0.1, AAAA queries for it with no address, and NXDOMAIN for every other name; it
/// remembers what it was asked (name, type).
struct DnsServer {
    queries: Arc<Mutex<Vec<(String, u16)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DnsServer {
    fn start(address: &str, name: &str) -> DnsServer {
        let socket = UdpSocket::bind((address, 53)).expect("bind UDP port 53 (root)");
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let queries = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, done, known) = (queries.clone(), stop.clone(), name.to_owned());
        let thread = std::thread::spawn(move || {
            let mut buffer = [0u8; 512];
            while !done.load(Ordering::Relaxed) {
                let Ok((n, peer)) = socket.recv_from(&mut buffer) else {
                    continue;
                };
                if let Some((asked, kind, answer)) = dns_answer(&buffer[..n], &known) {
                    seen.lock().unwrap().push((asked, kind));
                    let _ = socket.send_to(&answer, peer);
                }
            }
        });
        DnsServer {
            queries,
            stop,
            thread: Some(thread),
        }
    }

    fn queries(&self) -> Vec<(String, u16)> {
        self.queries.lock().unwrap().clone()
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The reply to one query: (name asked, type asked, reply packet).
fn dns_answer(query: &[u8], known: &str) -> Option<(String, u16, Vec<u8>)> {
    const A: u16 = 1;
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + len)?).to_lowercase());
        at += len;
    }
    let kind = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
    let question = query.get(12..at + 4)?;
    let name = labels.join(".");
    let found = name == known;
    let answers = u16::from(found && kind == A);
    let rcode = if found { 0 } else { 3 };
    let mut reply = Vec::new();
    reply.extend_from_slice(&query[..2]); // id
    reply.extend_from_slice(&[0x84 | (query[2] & 0x01), 0x80 | rcode]); // answer, authoritative, RD copied, RA
    reply.extend_from_slice(&[0, 1]);
    reply.extend_from_slice(&answers.to_be_bytes());
    reply.extend_from_slice(&[0, 0, 0, 0]);
    reply.extend_from_slice(question);
    if answers == 1 {
        // The name (a pointer to the question's), A, IN, TTL 30, 4 bytes: 127.0.0.1.
        reply.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 127, 0, 0, 1]);
    }
    Some((name, kind, reply))
}
