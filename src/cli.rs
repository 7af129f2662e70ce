//! Command-line flags (clap derive): `report` prints one report, `run` makes it and delivers it.
//!
//! Flags follow kubectl where kubectl has one (`--kubeconfig`, `--context`, `-n`, `-A`, `-l`,
//! `-o`). Exit codes are listed in [`Exit`] and README.md.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::analyze::columns::KubernetesVersion;
use crate::locale::Lang;

/// The weekly pod-health inspection (巡檢) of a Kubernetes cluster.
#[derive(Debug, Parser)]
#[command(name = "kube-patrol", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Log format on standard error: text for people, json for cluster log collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "KUBE_PATROL_LOG_FORMAT")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect the pods of the chosen namespaces and print the report to standard output.
    Report(ReportArgs),
    /// The CronJob's entry point: inspect, compare with the last archived report, archive the
    /// report (Markdown, HTML, JSON) and email it, as the config file says.
    Run(RunArgs),
    /// Build one fleet report from the JSON reports of several clusters (each made by its own
    /// `report -o json` or `run`, e.g. copied from each cluster's archive).
    Merge(MergeArgs),
    /// Print the JSON Schema of the JSON report (`-o json`, the archive's `.json`).
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The schema of the fleet report (several clusters: `merge`, or `report`/`run` over
    /// several clusters) instead of a single cluster's.
    #[arg(long)]
    pub fleet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports of kube-patrol (`-o json`, the archive's `.json`, or a fleet report's
    /// JSON, whose clusters are taken one by one), in the order the fleet lists them.
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,

    /// Output format on standard output.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Markdown)]
    pub output: Format,

    /// Write report.md, report.html and report.json into this directory (created if needed)
    /// instead of printing one format.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// The fleet report's language (default: the first report's); each cluster's part keeps
    /// the language its report was made in.
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// Time zone for dates in the report, an IANA name such as Asia/Taipei (default: $TZ, else
    /// the system's, else UTC).
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub timezone: Option<TimeZone>,

    /// A directory of templates that replace the built-in ones: `report.md.tera`,
    /// `email.html.tera` and/or `fleet.md.tera`.
    #[arg(long, value_name = "DIR", env = "KUBE_PATROL_TEMPLATES")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub inspect: InspectArgs,

    /// Output format on standard output.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Markdown)]
    pub output: Format,

    /// Write report.md, report.html and report.json into this directory (created if needed)
    /// instead of printing one format.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// Compare with an earlier JSON report (e.g. `latest.json` copied from the archive) and add
    /// the "since the last report" section, as `run` does with its archive.
    #[arg(long, value_name = "FILE")]
    pub compare_with: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub inspect: InspectArgs,

    /// Exit with code 6 when the overall state is this bad or worse (after delivering).
    #[arg(long, value_enum, value_name = "STATE")]
    pub fail_on: Option<FailOn>,

    /// Write the run's Prometheus metrics to this file (node-exporter's textfile collector
    /// reads `*.prom` files), replacing it atomically.
    #[arg(long, value_name = "FILE")]
    pub metrics_file: Option<PathBuf>,
}

/// The overall states `--fail-on` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Some pods need attention, or worse.
    Attention,
    /// The overall state is unhealthy.
    Unhealthy,
}

/// What to inspect and how to show it: the flags `report` and `run` share.
#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    /// Namespaces to inspect: names or shell-style globs ('pigo-*'); repeatable, comma-separated.
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,

    /// Inspect every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Namespaces to leave out: names or globs; repeatable, comma-separated.
    #[arg(long = "exclude-namespace", value_name = "NAMESPACE")]
    pub exclude_namespaces: Vec<String>,

    /// Only pods matching this label selector (kubectl syntax, e.g. 'app=web,tier!=cache').
    #[arg(short = 'l', long = "selector", value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Read a dump instead of a cluster: the output of `kubectl get
    /// pods,replicasets,deployments,statefulsets,daemonsets,jobs,cronjobs,events,nodes -A -o json`
    /// ('-' reads standard input).
    #[arg(long, value_name = "FILE")]
    pub from_dump: Option<String>,

    /// Path to the kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then the in-cluster
    /// service account).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use (default: the current context). Several (repeatable,
    /// comma-separated) make a fleet report: one cluster per context, read concurrently.
    #[arg(long = "context", value_name = "NAME", value_delimiter = ',')]
    pub contexts: Vec<String>,

    /// The reference time for ages and dates, RFC 3339 (default: now).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub now: Option<Timestamp>,

    /// The cluster's display name in the report's title (default: the kubeconfig context).
    #[arg(long, value_name = "NAME", env = "KUBE_PATROL_CLUSTER_NAME")]
    pub cluster_name: Option<String>,

    /// Time zone for dates in the report, an IANA name such as Asia/Taipei (default: $TZ, else
    /// the system's, else UTC).
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub timezone: Option<TimeZone>,

    /// The config file (YAML): thresholds, namespaces, exclusions, language, archive, SMTP...
    /// Flags given on the command line win over it. `run` needs one.
    #[arg(long, value_name = "FILE", env = "KUBE_PATROL_CONFIG")]
    pub config: Option<PathBuf>,

    /// The report's language (default: the config's, else zh-TW).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// A directory of templates that replace the built-in ones: `report.md.tera` (the
    /// Markdown report) and/or `email.html.tera` (the HTML page around it).
    #[arg(long, value_name = "DIR", env = "KUBE_PATROL_TEMPLATES")]
    pub templates: Option<PathBuf>,

    /// The Kubernetes release whose `kubectl get pods` STATUS rules to follow, e.g. 1.34
    /// (STATUS differs between releases). Default: the API server's version for a cluster, the
    /// newest rules for a dump.
    #[arg(long, value_name = "VERSION", value_parser = parse_kubernetes_version)]
    pub kubernetes_version: Option<KubernetesVersion>,

    /// LIST page size when reading a cluster.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,

    /// How long one API request may wait for the server, e.g. 30s (default: the config's
    /// cluster.request_timeout, else 30s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Option<jiff::SignedDuration>,

    /// Tries after the first for an API request that failed for a transient reason (429, 5xx, a
    /// reset or cut-off answer, a timeout) (default: the config's cluster.retries, else 4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: Option<u32>,

    /// The deadline for reading the cluster, e.g. 20m: past it the run stops with exit 3, or,
    /// when the pods are read and only evidence is left, makes the report without the rest
    /// (default: the config's cluster.timeout, else 20m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<jiff::SignedDuration>,
}

impl InspectArgs {
    /// The one context of a single-cluster run: the first `--context`, if any.
    pub fn context(&self) -> Option<String> {
        self.contexts.first().cloned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Markdown,
    Html,
    Json,
}

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the report was produced.
    Ok = 0,
    /// 1: an unexpected internal error.
    Internal = 1,
    /// 2: bad flags, configuration or input file (including an unknown namespace).
    Usage = 2,
    /// 3: the Kubernetes API could not be reached or refused a request.
    Cluster = 3,
    /// 4: the report was produced (and delivered), but some evidence could not be read (it
    /// says which).
    Partial = 4,
    /// 5: `run` made the report but could not archive it or could not email it (whatever of
    /// the two worked is done: an archive failure does not stop the email, nor the reverse).
    Delivery = 5,
    /// 6: `run --fail-on`: the report was delivered and the cluster is in the state named.
    FailOn = 6,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// A failure with the exit code it maps to; its message is one line.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Self {
        Failure {
            exit,
            error: error.into(),
        }
    }
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>()
        .map_err(|e| format!("expected an RFC 3339 time such as 2025-12-26T10:00:00+08:00: {e}"))
}

fn parse_duration(s: &str) -> Result<jiff::SignedDuration, String> {
    let parsed = s
        .parse::<jiff::Span>()
        .and_then(|span| span.to_duration(jiff::SpanRelativeTo::days_are_24_hours()));
    match parsed {
        Ok(d) if d.is_positive() => Ok(d),
        _ => Err("expected a positive duration such as 30s, 2m or 1h30m".to_owned()),
    }
}

fn parse_kubernetes_version(s: &str) -> Result<KubernetesVersion, String> {
    KubernetesVersion::parse(s)
        .ok_or_else(|| "expected a Kubernetes version such as 1.34 or v1.34.4".to_owned())
}

fn parse_zone(s: &str) -> Result<TimeZone, String> {
    TimeZone::get(s)
        .map_err(|e| format!("unknown time zone (use an IANA name such as Asia/Taipei): {e}"))
}
