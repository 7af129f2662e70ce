//! The deployment (`deploy/`) on the real API server: the kustomize base applied server-side,
//! what its ServiceAccount may and may not do, kube-patrol reading the cluster with that
//! account's token (through a kubeconfig, and as a pod finds the API server), the CronJob and a
//! Job made from it, and the namespaced overlay.
//!
//! There is no controller-manager, scheduler or kubelet: the CronJob never starts a pod here,
//! so what its pod would do is shown by running the binary with the same identity and files.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::*;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::Client;
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

const NAMESPACE: &str = "kube-patrol";

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn overlay_dir() -> PathBuf {
    deploy_dir().join("overlays/namespaced")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json_of(output: &Output) -> Value {
    serde_json::from_str(&stdout(output)).expect("JSON output")
}

/// What `kubectl apply --server-side -k deploy/` printed, the first time in this test binary
/// (the tests run in parallel; the namespace may remain from an earlier run on this server).
struct Applied {
    stdout: String,
    stderr: String,
}

fn deployed() -> &'static Applied {
    static APPLIED: OnceLock<Applied> = OnceLock::new();
    APPLIED.get_or_init(|| {
        let out = kubectl(&["apply", "--server-side", "-k", path_str(&deploy_dir())]);
        Applied {
            stdout: stdout(&out),
            stderr: stderr(&out),
        }
    })
}

fn cronjob() -> Value {
    deployed();
    json_of(&kubectl(&[
        "get",
        "cronjob",
        "kube-patrol",
        "-n",
        NAMESPACE,
        "-o",
        "json",
    ]))
}

/// A token of the CronJob's ServiceAccount, as its pod gets one.
fn service_account_token() -> String {
    deployed();
    stdout(&kubectl(&[
        "create",
        "token",
        "kube-patrol",
        "-n",
        NAMESPACE,
    ]))
    .trim()
    .to_owned()
}

/// The test kubeconfig with its admin token swapped for `token`, in a temporary directory.
fn token_kubeconfig(token: &str) -> tempfile::TempDir {
    let admin = std::fs::read_to_string(kubeconfig()).expect("test kubeconfig");
    let config: String = admin
        .lines()
        .map(|line| match line.trim_start().strip_prefix("token: ") {
            Some(_) => format!("    token: {token}"),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(config, admin, "the token was swapped");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kubeconfig"), config).unwrap();
    dir
}

fn kubectl_with_token(token: &str, args: &[&str]) -> Output {
    let mut all = vec!["--token", token];
    all.extend_from_slice(args);
    kubectl(&all)
}

/// `kubectl auth can-i VERB RESOURCE` for the token: yes or no.
fn can_i(token: &str, verb: &str, resource: &str, namespace: Option<&str>) -> bool {
    let mut args = vec!["auth", "can-i", verb, resource];
    match namespace {
        Some(ns) => args.extend(["-n", ns]),
        None => args.push("-A"),
    }
    let out = kubectl_with_token(token, &args);
    match String::from_utf8_lossy(&out.stdout).trim() {
        "yes" => true,
        "no" => false,
        other => panic!("can-i {verb} {resource}: {other:?} {}", stderr(&out)),
    }
}

/// The resource rows of `kubectl auth can-i --list`: resource → verbs.
fn rules_list(token: &str) -> BTreeSet<(String, String)> {
    let out = stdout(&kubectl_with_token(token, &["auth", "can-i", "--list"]));
    out.lines()
        .skip(1)
        .filter(|line| !line.starts_with(' '))
        .map(|line| {
            let resource = line.split_whitespace().next().unwrap().to_owned();
            let verbs = &line[line.rfind('[').unwrap()..];
            (resource, verbs.to_owned())
        })
        .collect()
}

/// A namespace with a Running, ready pod and a failing one.
async fn namespace_with_pods(client: &Client, prefix: &str) -> String {
    let ns = unique(prefix);
    create_namespace(client, &ns).await;
    let spec = json!({"containers": [{"name": "main", "image": "busybox"}]});
    let ready = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [{"name": "main", "image": "busybox", "imageID": "", "ready": true,
            "restartCount": 0, "state": {"running": {"startedAt": "2025-01-01T00:00:00Z"}}}]});
    let failed = json!({"phase": "Failed",
        "containerStatuses": [{"name": "main", "image": "busybox", "imageID": "", "ready": false,
            "restartCount": 0, "state": {"terminated": {"reason": "Error", "exitCode": 1,
                "startedAt": "2025-01-01T00:00:00Z", "finishedAt": "2025-01-01T00:01:00Z"}}}]});
    create_pod(client, &ns, "web", spec.clone(), ready).await;
    create_pod(client, &ns, "batch", spec, failed).await;
    ns
}

fn pod_names(report: &Value, namespace: &str) -> Vec<String> {
    report["pods"]
        .as_array()
        .expect("pods")
        .iter()
        .filter(|p| p["namespace"] == namespace)
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn deploy_applies_server_side_and_again_idempotently() {
    let applied = deployed();
    let objects: Vec<&str> = applied
        .stdout
        .lines()
        .map(|l| {
            l.strip_suffix(" serverside-applied")
                .unwrap_or_else(|| panic!("{l}"))
        })
        .collect();
    let config_map = objects
        .iter()
        .find(|o| o.starts_with("configmap/kube-patrol-config-"))
        .expect("the generated ConfigMap, its name with a hash of its content");
    assert_eq!(
        objects,
        [
            "namespace/kube-patrol",
            "serviceaccount/kube-patrol",
            "clusterrole.rbac.authorization.k8s.io/kube-patrol",
            "clusterrolebinding.rbac.authorization.k8s.io/kube-patrol",
            config_map,
            "persistentvolumeclaim/kube-patrol-reports",
            "cronjob.batch/kube-patrol",
        ]
    );
    // The namespace warns about pods that break the restricted standard: the CronJob does not.
    assert!(
        !applied.stderr.contains("Warning"),
        "no warning: {}",
        applied.stderr
    );

    let again = kubectl(&["apply", "--server-side", "-k", path_str(&deploy_dir())]);
    assert_eq!(
        stdout(&again),
        applied.stdout,
        "the same objects, unchanged"
    );

    // The SMTP password is the user's own Secret: applying deploy/ never overwrites it.
    let rendered = stdout(&kubectl(&["kustomize", path_str(&deploy_dir())]));
    assert!(!rendered.contains("kind: Secret"), "{rendered}");
}

#[test]
fn the_config_map_holds_deploy_config_yaml() {
    let cron = cronjob();
    let volumes = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"];
    let sources = volumes
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "config")
        .expect("the config volume")["projected"]["sources"]
        .clone();
    let name = sources[0]["configMap"]["name"].as_str().unwrap();
    let config_map = json_of(&kubectl(&[
        "get",
        "configmap",
        name,
        "-n",
        NAMESPACE,
        "-o",
        "json",
    ]));
    let file = std::fs::read_to_string(deploy_dir().join("config.yaml")).unwrap();
    assert_eq!(config_map["data"]["config.yaml"], file.as_str());
}

#[test]
fn the_cronjob_runs_kube_patrol_run_weekly_in_taipei_time_once_at_a_time() {
    let spec = cronjob()["spec"].clone();
    assert_eq!(spec["schedule"], "0 9 * * 1");
    assert_eq!(spec["timeZone"], "Asia/Taipei");
    assert_eq!(spec["concurrencyPolicy"], "Forbid");
    assert!(spec["startingDeadlineSeconds"].as_i64().unwrap() > 0);
    assert!(spec["successfulJobsHistoryLimit"].as_i64().unwrap() > 0);
    assert!(spec["failedJobsHistoryLimit"].as_i64().unwrap() > 0);
    let job = &spec["jobTemplate"]["spec"];
    assert!(job["backoffLimit"].as_i64().unwrap() > 0);
    assert!(job["activeDeadlineSeconds"].as_i64().unwrap() > 0);

    let pod = &job["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "kube-patrol");
    assert_eq!(pod["automountServiceAccountToken"], true);
    assert_eq!(pod["restartPolicy"], "Never");
    let container = &pod["containers"][0];
    assert_eq!(
        (&container["command"], &container["args"]),
        (
            &json!(["/kube-patrol"]),
            &json!(["run", "--config", "/etc/kube-patrol/config.yaml"])
        )
    );
    assert_eq!(
        container["image"],
        format!("kube-patrol:{}", env!("CARGO_PKG_VERSION")),
        "the image scripts/build-image builds"
    );
    for resources in ["requests", "limits"] {
        for kind in ["cpu", "memory"] {
            assert!(container["resources"][resources][kind].is_string());
        }
    }
    let mounts: Vec<(&str, &str)> = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap(),
                m["mountPath"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        mounts,
        [
            ("config", "/etc/kube-patrol"),
            ("reports", "/var/lib/kube-patrol/reports"),
            ("tmp", "/tmp")
        ]
    );
    let volume = |name: &str| {
        pod["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap()
            .clone()
    };
    let secret = &volume("config")["projected"]["sources"][1]["secret"];
    assert_eq!(
        secret,
        &json!({"name": "kube-patrol-smtp", "optional": true,
                "items": [{"key": "password", "path": "smtp/password"}]}),
        "the password at /etc/kube-patrol/smtp/password, if there is a Secret"
    );
    let notify = &volume("config")["projected"]["sources"][2]["secret"];
    assert_eq!(notify["name"], "kube-patrol-notify");
    assert_eq!(notify["optional"], true, "a digest is optional");
    let paths: Vec<&str> = notify["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "notify/slack-url",
            "notify/teams-url",
            "notify/webhook-url",
            "notify/webhook-secret"
        ],
        "the digests' URLs and signing key at /etc/kube-patrol/notify/"
    );
    assert_eq!(
        volume("reports")["persistentVolumeClaim"]["claimName"],
        "kube-patrol-reports"
    );
    assert!(volume("tmp")["emptyDir"].is_object());
}

#[test]
fn the_cronjobs_pod_is_admitted_under_the_restricted_pod_security_standard() {
    let template = cronjob()["spec"]["jobTemplate"]["spec"]["template"].clone();
    let pod_file = |spec: &Value| {
        let file = tempfile::NamedTempFile::new().unwrap();
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": unique("restricted"), "namespace": NAMESPACE}, "spec": spec});
        std::fs::write(file.path(), pod.to_string()).unwrap();
        file
    };
    let spec = &template["spec"];
    let security = &spec["containers"][0]["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(
        spec["securityContext"],
        json!({"runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532, "fsGroup": 65532,
               "fsGroupChangePolicy": "OnRootMismatch", "seccompProfile": {"type": "RuntimeDefault"}})
    );

    let pod = pod_file(spec);
    let out = kubectl(&["create", "--dry-run=server", "-f", path_str(pod.path())]);
    assert!(out.status.success(), "admitted: {}", stderr(&out));

    // The namespace does enforce the standard: the same pod without its security context is
    // refused.
    let mut loose = spec.clone();
    loose.as_object_mut().unwrap().remove("securityContext");
    loose["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("securityContext");
    let pod = pod_file(&loose);
    let out = kubectl(&["create", "--dry-run=server", "-f", path_str(pod.path())]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("violates PodSecurity \"restricted:latest\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_reports_reader_pod_is_admitted_and_mounts_the_archive_read_only() {
    deployed();
    let reader = deploy_dir().join("reports-reader.yaml");
    let out = kubectl(&[
        "create",
        "--dry-run=server",
        "-f",
        path_str(&reader),
        "-o",
        "json",
    ]);
    let pod = json_of(&out);
    assert!(!stderr(&out).contains("Warning"), "{}", stderr(&out));
    assert_eq!(
        pod["spec"]["volumes"][0]["persistentVolumeClaim"],
        json!({"claimName": "kube-patrol-reports", "readOnly": true})
    );
    assert_eq!(
        pod["spec"]["containers"][0]["volumeMounts"][0],
        json!({"name": "reports", "mountPath": "/reports", "readOnly": true})
    );
}

/// Every verb and resource kube-patrol reads, for `kubectl auth can-i`.
const NEEDED: [(&str, &str); 16] = [
    ("list", "pods"),
    ("get", "pods"),
    ("get", "pods/log"),
    ("list", "events"),
    ("list", "nodes"),
    ("list", "namespaces"),
    ("get", "namespaces"),
    ("list", "replicasets.apps"),
    ("list", "deployments.apps"),
    ("list", "statefulsets.apps"),
    ("list", "daemonsets.apps"),
    ("list", "jobs.batch"),
    ("list", "cronjobs.batch"),
    ("get", "deployments.apps"),
    ("watch", "pods"),
    ("get", "nodes"),
];

#[tokio::test]
async fn the_service_account_may_read_what_kube_patrol_needs_and_nothing_else() {
    let token = service_account_token();
    for (verb, resource) in NEEDED {
        assert!(can_i(&token, verb, resource, None), "may {verb} {resource}");
    }
    let forbidden = [
        ("get", "secrets"),
        ("list", "secrets"),
        ("watch", "secrets"),
        ("get", "configmaps"),
        ("create", "pods"),
        ("delete", "pods"),
        ("patch", "pods"),
        ("update", "pods"),
        ("create", "pods/exec"),
        ("create", "pods/eviction"),
        ("create", "pods/portforward"),
        ("delete", "deployments.apps"),
        ("patch", "deployments.apps"),
        ("update", "deployments.apps"),
        ("create", "jobs.batch"),
        ("delete", "nodes"),
        ("patch", "nodes"),
        ("create", "namespaces"),
        ("delete", "events"),
        ("create", "serviceaccounts/token"),
        ("list", "roles.rbac.authorization.k8s.io"),
        ("list", "events.events.k8s.io"),
    ];
    for (verb, resource) in forbidden {
        assert!(
            !can_i(&token, verb, resource, None),
            "may not {verb} {resource}"
        );
    }
    assert!(
        !can_i(&token, "get", "secrets", Some(NAMESPACE)),
        "not even its own namespace's secrets"
    );

    // The whole list: what every account may do, plus read-only access to kube-patrol's
    // resources. An account without any binding shows what every account may do.
    let client = client().await;
    let ns = unique("kp-bare");
    create_namespace(&client, &ns).await;
    create::<ServiceAccount>(&client, &ns, json!({"metadata": {"name": "bare"}})).await;
    let bare = stdout(&kubectl(&["create", "token", "bare", "-n", &ns]));
    let everyone = rules_list(bare.trim());
    let ours: BTreeSet<_> = rules_list(&token).difference(&everyone).cloned().collect();
    let read_only: BTreeSet<(String, String)> = [
        "pods",
        "pods/log",
        "events",
        "nodes",
        "namespaces",
        "replicasets.apps",
        "deployments.apps",
        "statefulsets.apps",
        "daemonsets.apps",
        "jobs.batch",
        "cronjobs.batch",
    ]
    .into_iter()
    .map(|r| (r.to_owned(), "[get list watch]".to_owned()))
    .collect();
    assert_eq!(ours, read_only);
}

#[tokio::test]
async fn with_the_service_accounts_token_a_report_of_all_namespaces_is_complete() {
    let client = client().await;
    let ns = namespace_with_pods(&client, "kp-deploy-all").await;
    let dir = token_kubeconfig(&service_account_token());
    let config = dir.path().join("kubeconfig");

    let out = kube_patrol(&[
        "report",
        "-A",
        "--kubeconfig",
        path_str(&config),
        "-o",
        "json",
    ]);

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["partial"], false, "{}", report["missing"]);
    assert_eq!(report["missing"], json!([]));
    assert_eq!(pod_names(&report, &ns), ["batch", "web"]);
    let failed = report["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["namespace"] == ns.as_str() && p["name"] == "batch")
        .unwrap();
    assert_eq!(failed["health"], "unhealthy");
    assert_eq!(failed["evidence"]["events_missing"], Value::Null);
}

/// kube-patrol without a kubeconfig, as in the CronJob's pod: the API server from
/// KUBERNETES_SERVICE_HOST/PORT, the token, CA and namespace from
/// /var/run/secrets/kubernetes.io/serviceaccount/. The files are written on a tmpfs over /run
/// (/var/run is /run) in a private mount namespace, so the host does not see them.
#[tokio::test]
async fn in_a_pod_kube_patrol_finds_the_api_server_through_its_service_account() {
    let client = client().await;
    let ns = namespace_with_pods(&client, "kp-in-cluster").await;
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("token"), service_account_token()).unwrap();
    std::fs::copy(
        kubeconfig_value("certificate-authority"),
        files.path().join("ca.crt"),
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let server = kubeconfig_value("server");
    let port = server.rsplit(':').next().unwrap();

    let script = r#"set -e
        mount -t tmpfs -o mode=0755 tmpfs /run
        sa=/var/run/secrets/kubernetes.io/serviceaccount
        mkdir -p "$sa"
        cp "$FILES/token" "$FILES/ca.crt" "$sa/"
        printf kube-patrol > "$sa/namespace"
        exec "$KUBE_PATROL" report -n "$NS" -o json"#;
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", home.path())
        .env("FILES", files.path())
        .env("KUBE_PATROL", env!("CARGO_BIN_EXE_kube-patrol"))
        .env("NS", &ns)
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", port)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run unshare");

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(
        report["source"],
        json!({"kind": "cluster", "context": null, "server": format!("https://127.0.0.1:{port}/")})
    );
    assert_eq!(pod_names(&report, &ns), ["batch", "web"]);
    assert_eq!(report["partial"], false, "{}", report["missing"]);
    assert!(
        !Path::new("/var/run/secrets/kubernetes.io").exists(),
        "the host does not see the files"
    );
}

#[test]
fn a_job_made_from_the_cronjob_now_has_its_pod_template_and_command() {
    let cron = cronjob();
    let name = unique("now");
    let created = kubectl(&[
        "create",
        "job",
        &name,
        "--from=cronjob/kube-patrol",
        "-n",
        NAMESPACE,
    ]);
    assert_eq!(stdout(&created).trim(), format!("job.batch/{name} created"));

    let job = json_of(&kubectl(&[
        "get", "job", &name, "-n", NAMESPACE, "-o", "json",
    ]));
    let _ = kubectl(&["delete", "job", &name, "-n", NAMESPACE, "--wait=false"]);
    let template = &cron["spec"]["jobTemplate"]["spec"];
    assert_eq!(
        job["spec"]["template"]["spec"],
        template["template"]["spec"]
    );
    for key in ["backoffLimit", "activeDeadlineSeconds", "podFailurePolicy"] {
        assert_eq!(job["spec"][key], template[key], "{key}");
    }
    assert_eq!(
        job["metadata"]["ownerReferences"][0]["kind"], "CronJob",
        "kubectl links the Job to its CronJob"
    );
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["args"],
        json!(["run", "--config", "/etc/kube-patrol/config.yaml"])
    );
}

#[test]
fn the_example_smtp_secret_holds_a_placeholder_under_the_mounted_key() {
    deployed();
    let example = deploy_dir().join("smtp-secret.example.yaml");
    let secret = json_of(&kubectl(&[
        "apply",
        "--server-side",
        "--dry-run=server",
        "-f",
        path_str(&example),
        "-o",
        "json",
    ]));
    assert_eq!(
        (
            &secret["metadata"]["name"],
            &secret["metadata"]["namespace"]
        ),
        (&json!("kube-patrol-smtp"), &json!(NAMESPACE))
    );
    let keys: Vec<&String> = secret["data"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["password"], "the key the CronJob mounts");
    // base64 of "CHANGE-ME"
    assert_eq!(secret["data"]["password"], "Q0hBTkdFLU1F");
}

const OVERLAY_NAMESPACES: [&str; 3] = ["pigo-dev", "pigo-rel", "pigo-stg"];

/// The namespaces the overlay names, made once (a Role needs its namespace to exist).
async fn overlay_namespaces(client: &Client) {
    let api: Api<Namespace> = Api::all(client.clone());
    for name in OVERLAY_NAMESPACES {
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
        match api.create(&PostParams::default(), &ns).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => panic!("create namespace {name}: {e}"),
        }
    }
}

/// The objects `kubectl apply --server-side --dry-run=server -k deploy/overlays/namespaced`
/// would make, as the server returns them.
async fn overlay_dry_run() -> Vec<Value> {
    overlay_namespaces(&client().await).await;
    let out = kubectl(&[
        "apply",
        "--server-side",
        "--dry-run=server",
        "-k",
        path_str(&overlay_dir()),
        "-o",
        "json",
    ]);
    json_of(&out)["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_namespaced_overlay_grants_read_access_in_its_namespaces_only() {
    let objects = overlay_dry_run().await;
    let of_kind =
        |kind: &str| -> Vec<&Value> { objects.iter().filter(|o| o["kind"] == kind).collect() };
    let kinds: BTreeSet<&str> = objects
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "ConfigMap",
            "CronJob",
            "Namespace",
            "PersistentVolumeClaim",
            "Role",
            "RoleBinding",
            "ServiceAccount"
        ]),
        "no ClusterRole, no ClusterRoleBinding"
    );
    for kind in ["Role", "RoleBinding"] {
        let namespaces: Vec<&str> = of_kind(kind)
            .iter()
            .map(|o| o["metadata"]["namespace"].as_str().unwrap())
            .collect();
        assert_eq!(namespaces, OVERLAY_NAMESPACES, "{kind}");
    }
    for binding in of_kind("RoleBinding") {
        assert_eq!(
            binding["subjects"],
            json!([{"kind": "ServiceAccount", "name": "kube-patrol", "namespace": NAMESPACE}])
        );
    }
    for role in of_kind("Role") {
        for rule in role["rules"].as_array().unwrap() {
            assert_eq!(rule["verbs"], json!(["get", "list", "watch"]));
            let resources = rule["resources"].as_array().unwrap();
            assert!(
                !resources.iter().any(|r| r == "secrets" || r == "*"),
                "{rule}"
            );
        }
    }
    let config = of_kind("ConfigMap")[0]["data"]["config.yaml"]
        .as_str()
        .unwrap();
    assert!(
        config.contains("include: [pigo-dev, pigo-stg, pigo-rel]"),
        "{config}"
    );
}

/// The overlay's Role, bound in a namespace of the test: the report is complete but for the
/// nodes (cluster-wide), so it is partial and kube-patrol exits 4, as deploy/ says.
#[tokio::test]
async fn with_the_overlays_role_the_report_lacks_only_the_nodes_and_exits_4() {
    let role = overlay_dry_run()
        .await
        .into_iter()
        .find(|o| o["kind"] == "Role")
        .expect("a Role");
    let client = client().await;
    let ns = namespace_with_pods(&client, "kp-overlay").await;
    create::<ServiceAccount>(&client, &ns, json!({"metadata": {"name": "patrol"}})).await;
    create::<Role>(
        &client,
        &ns,
        json!({"metadata": {"name": "kube-patrol"}, "rules": role["rules"]}),
    )
    .await;
    create::<RoleBinding>(
        &client,
        &ns,
        json!({"metadata": {"name": "kube-patrol"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kube-patrol"},
        "subjects": [{"kind": "ServiceAccount", "name": "patrol", "namespace": ns}]}),
    )
    .await;
    let token = stdout(&kubectl(&["create", "token", "patrol", "-n", &ns]));
    let dir = token_kubeconfig(token.trim());

    let out = kube_patrol(&[
        "report",
        "--kubeconfig",
        path_str(&dir.path().join("kubeconfig")),
        "-n",
        &ns,
        "-o",
        "json",
    ]);

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["partial"], true);
    let missing: Vec<&str> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["what"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["nodes"]);
    assert_eq!(pod_names(&report, &ns), ["batch", "web"]);
}

/// deploy/config.yaml and the overlay's are valid config files: `report` reads them without a
/// single problem (src/config/tests.rs checks them too, without a cluster).
#[test]
fn the_shipped_config_files_are_valid() {
    for config in [
        deploy_dir().join("config.yaml"),
        overlay_dir().join("config.yaml"),
    ] {
        let out = kube_patrol(&[
            "report",
            "--config",
            path_str(&config),
            "--from-dump",
            path_str(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-cluster.json")),
            "-n",
            "pigo-dev",
            "-o",
            "json",
        ]);
        assert!(
            out.status.success(),
            "{}: {}",
            config.display(),
            stderr(&out)
        );
    }
}
