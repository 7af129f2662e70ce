//! Command-line flags (clap derive) and the `report` command that runs the pipeline.
//!
//! Flags follow kubectl where kubectl has one (`--kubeconfig`, `--context`, `-n`, `-A`, `-l`,
//! `-o`). Exit codes are listed in [`Exit`] and README.md.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::analyze::{self, Rules, Settings};
use crate::collect::{self, ClusterOptions, NamespaceSelection, split_patterns};
use crate::render::{self, Style};
use crate::snapshot::{Snapshot, Source};

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
}

#[derive(Debug, Args)]
pub struct ReportArgs {
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

    /// The kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// The reference time for ages and dates, RFC 3339 (default: now).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub now: Option<Timestamp>,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Markdown)]
    pub output: Format,

    /// The cluster's display name in the report's title (default: the kubeconfig context).
    #[arg(long, value_name = "NAME", env = "KUBE_PATROL_CLUSTER_NAME")]
    pub cluster_name: Option<String>,

    /// Time zone for dates in the report, an IANA name such as Asia/Taipei (default: $TZ, else
    /// the system's, else UTC).
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub timezone: Option<TimeZone>,

    /// LIST page size when reading a cluster.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Markdown,
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
    fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Self {
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

fn parse_zone(s: &str) -> Result<TimeZone, String> {
    TimeZone::get(s)
        .map_err(|e| format!("unknown time zone (use an IANA name such as Asia/Taipei): {e}"))
}

/// Runs `kube-patrol report`: collect → analyze → render → standard output.
///
/// # Errors
/// A [`Failure`] carrying the exit code for the binary.
pub async fn report(args: ReportArgs) -> Result<(), Failure> {
    let selection = NamespaceSelection {
        all: args.all_namespaces,
        include: split_patterns(&args.namespaces),
        exclude: split_patterns(&args.exclude_namespaces),
    };
    if !selection.all && selection.include.is_empty() {
        return Err(Failure::new(Exit::Usage, collect::Error::NoNamespace));
    }
    let now = args.now.unwrap_or_else(Timestamp::now);
    let snapshot = collect_snapshot(&args, &selection).await?;
    let settings = Settings {
        now,
        cluster: cluster_name(&args, &snapshot),
        rules: Rules::default(),
    };
    let report = analyze::analyze(&snapshot, &settings);
    let style = Style {
        timezone: args.timezone.clone().unwrap_or_else(TimeZone::system),
    };
    let text = match args.output {
        Format::Markdown => render::markdown(&report, &style),
        Format::Json => render::json(&report),
    }
    .map_err(|e| Failure::new(Exit::Internal, e))?;
    write_stdout(&text)
}

async fn collect_snapshot(
    args: &ReportArgs,
    selection: &NamespaceSelection,
) -> Result<Snapshot, Failure> {
    let evidence = collect::EvidenceOptions::new(args.now.unwrap_or_else(Timestamp::now));
    let outcome = match &args.from_dump {
        Some(path) => {
            if args.selector.is_some() {
                return Err(Failure::new(
                    Exit::Usage,
                    anyhow::anyhow!(
                        "-l/--selector is not supported with --from-dump yet: filter the dump with kubectl instead"
                    ),
                ));
            }
            collect::from_dump(path, selection, &evidence)
        }
        None => {
            let opts = ClusterOptions {
                kubeconfig: args.kubeconfig.clone(),
                context: args.context.clone(),
                label_selector: args.selector.clone(),
                page_size: args.page_size,
                ..ClusterOptions::default()
            };
            match collect::connect(&opts).await {
                Ok((client, source)) => {
                    collect::from_cluster(&client, source, selection, &opts, &evidence).await
                }
                Err(e) => Err(e),
            }
        }
    };
    outcome.map_err(|e| {
        let exit = if e.is_input_error() {
            Exit::Usage
        } else {
            Exit::Cluster
        };
        Failure::new(exit, e)
    })
}

fn cluster_name(args: &ReportArgs, snapshot: &Snapshot) -> String {
    if let Some(name) = &args.cluster_name {
        return name.clone();
    }
    match &snapshot.source {
        Source::Cluster {
            context: Some(c), ..
        } => c.clone(),
        Source::Cluster { server, .. } => server.clone(),
        Source::Dump { .. } | Source::Memory => "Kubernetes".to_owned(),
    }
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(
            Exit::Internal,
            anyhow::Error::new(e).context("failed to write the report to standard output"),
        )),
    }
}
