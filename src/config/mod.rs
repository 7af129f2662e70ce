//! The config file (`--config FILE`, YAML), validated into its own type.
//!
//! Two steps, as cargo-deny does it: the file is read into an [`UnvalidatedConfig`] (raw values
//! that remember their line; unknown keys and wrong types noted, not fatal), then
//! [`UnvalidatedConfig::validate`] checks every rule and returns either a [`Config`] of plain Rust
//! values or every [`Diagnostic`] at once, each pointing at its line and key:
//!
//! ```text
//! kube-patrol.yaml:12:3: health.restarts_unhealthy: must be greater than restarts_attention (5)
//! ```
//!
//! Every key is optional; [`Config::default`] is what an empty file gives.

mod apply;
mod clusters;
mod labels;
mod notify;
mod read;
mod silences;
mod teams;
mod validate;
mod yaml;

pub use apply::PodExclusions;
pub use clusters::FleetCluster;

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::SignedDuration;

pub use labels::LabelMatch;
pub use notify::{MetricsConfig, NotifyConfig, WebhookConfig, WebhookUrl, check_url};
pub use read::UnvalidatedConfig;
pub use silences::{SilenceRule, SilencesConfig};
pub use teams::TeamConfig;

/// Everything the config file can set, validated. Each section's `Default` is the documented
/// default (see `examples/kube-patrol.yaml`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub cluster: ClusterConfig,
    pub namespaces: NamespacesConfig,
    pub exclude: ExcludeConfig,
    pub health: HealthConfig,
    pub evidence: EvidenceConfig,
    pub statistics: StatisticsConfig,
    pub report: ReportConfig,
    pub archive: ArchiveConfig,
    /// `None` when the file has no `smtp` section: the report is not mailed.
    pub smtp: Option<SmtpConfig>,
    pub trend: TrendConfig,
    /// `silences:` and `silence_max:`, top-level keys.
    pub silences: SilencesConfig,
    /// `clusters:`, a top-level key: the clusters of a fleet run; empty for one cluster.
    pub clusters: Vec<FleetCluster>,
    /// `notify:` — the chat and webhook digests.
    pub notify: NotifyConfig,
    /// `metrics:` — the Pushgateway.
    pub metrics: MetricsConfig,
    /// `teams:` — the report routed per team, in file order.
    pub teams: Vec<TeamConfig>,
}

/// `cluster:` — how the report names the cluster and dates things, and how patiently the API
/// server is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Display name in the report title; `None`: the kubeconfig context.
    pub name: Option<String>,
    /// IANA time zone name, known to jiff; `None`: `$TZ`, the system's, else UTC.
    pub timezone: Option<String>,
    /// Tries after the first for a request that failed for a transient reason (0..=20);
    /// default 4.
    pub retries: u32,
    /// How long one request may wait for the server's next bytes; default 30 s.
    pub request_timeout: SignedDuration,
    /// The whole inspection's deadline, reading included; default 20 minutes, below the
    /// CronJob's `activeDeadlineSeconds` (30 minutes) so that a stuck run still says why.
    pub timeout: SignedDuration,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            name: None,
            timezone: None,
            retries: crate::collect::RetryPolicy::default().attempts - 1,
            request_timeout: SignedDuration::from_secs(
                crate::collect::DEFAULT_REQUEST_TIMEOUT.as_secs() as i64,
            ),
            timeout: SignedDuration::from_mins(20),
        }
    }
}

/// `namespaces:` — which namespaces to inspect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespacesConfig {
    /// Names or shell globs (`pigo-*`).
    pub include: Vec<String>,
    /// Every namespace.
    pub all: bool,
    /// Names or globs to leave out.
    pub exclude: Vec<String>,
}

/// `exclude:` — pods left out of the report entirely (any one match is enough).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExcludeConfig {
    /// Pod name globs, e.g. `*-debug-*`.
    pub pods: Vec<String>,
    /// Label requirements in kubectl's equality syntax.
    pub labels: Vec<LabelMatch>,
}

/// `health:` — the thresholds of the health tiers.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthConfig {
    /// Restarts at or above this (and below `restarts_unhealthy`): attention.
    pub restarts_attention: u32,
    /// Restarts at or above this: unhealthy. Always greater than `restarts_attention`.
    pub restarts_unhealthy: u32,
    /// Pending / ContainerCreating / `Init:i/N` longer than this: unhealthy.
    pub pending_grace: SignedDuration,
    /// Running but not all containers ready for longer than this: unhealthy.
    pub not_ready_grace: SignedDuration,
    /// Terminating for longer than this: attention.
    pub terminating_grace: SignedDuration,
    /// Restarts older than this are history: RESTARTS over the thresholds whose last restart
    /// is older needs attention at most.
    pub restart_window: SignedDuration,
    /// The overall verdict is unhealthy when unhealthy pods exceed this share (0..=1) of all pods.
    pub unhealthy_share: f64,
}

impl Default for HealthConfig {
    /// The health rules' own defaults ([`crate::analyze::Rules`]): one source for both.
    fn default() -> Self {
        let r = crate::analyze::Rules::default();
        Self {
            restarts_attention: u32::try_from(r.restarts_attention).unwrap_or(5),
            restarts_unhealthy: u32::try_from(r.restarts_unhealthy).unwrap_or(10),
            pending_grace: r.pending_grace,
            not_ready_grace: r.not_ready_grace,
            terminating_grace: r.terminating_grace,
            restart_window: r.restart_window,
            unhealthy_share: 0.2,
        }
    }
}

/// `evidence:` — what is fetched for problem pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceConfig {
    /// Log lines per container (1..=10000).
    pub log_lines: u32,
    /// Cap on one container's log in bytes (1 KiB..=16 MiB).
    pub log_bytes: u32,
    /// Most recent events kept per pod.
    pub events_per_pod: u32,
    /// Requests in flight at once (1..=64).
    pub concurrency: u32,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            log_lines: 50,
            log_bytes: 64 * 1024,
            events_per_pod: 10,
            concurrency: 4,
        }
    }
}

/// `statistics:` — the summary tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsConfig {
    /// Pod age buckets, in the order given.
    pub age_buckets: Vec<AgeBucket>,
    /// How many of the most restarted pods to list.
    pub top_restarters: u32,
}

impl Default for StatisticsConfig {
    fn default() -> Self {
        let bucket = |older, days| AgeBucket { older, days };
        Self {
            age_buckets: vec![
                bucket(true, 90),
                bucket(true, 70),
                bucket(true, 30),
                bucket(false, 7),
            ],
            top_restarters: 5,
        }
    }
}

/// A pod age bucket: `>90d` (older than 90 days) or `<7d` (younger than 7 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AgeBucket {
    /// `>`: older than `days`; `<`: younger.
    pub older: bool,
    pub days: u32,
}

impl fmt::Display for AgeBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.older { '>' } else { '<' };
        write!(f, "{sign}{}d", self.days)
    }
}

/// `report:` — the report's language and layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportConfig {
    pub lang: Lang,
    /// The footer's next inspection date is the inspection date plus this.
    pub next_inspection: SignedDuration,
    /// Healthy pod tables fold after this many rows; 0: never.
    pub healthy_rows_per_namespace: u32,
    /// The history section covers this many reports, this one included (1..=520).
    pub history_weeks: u32,
    /// Where the full report can be read (an `http(s)://` URL, e.g. where the archive is
    /// served): the digests link to it. `None` (the default): no link.
    pub url: Option<String>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        Self {
            lang: Lang::ZhTw,
            next_inspection: SignedDuration::from_hours(7 * 24),
            healthy_rows_per_namespace: 100,
            history_weeks: 12,
            url: None,
        }
    }
}

pub use crate::locale::Lang;

/// `archive:` — where `kube-patrol run` keeps each run's report (the PVC mount).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveConfig {
    /// `None` (the default): `run` archives nothing (and there is no trend).
    pub dir: Option<PathBuf>,
    /// Keep at most this many runs (1..=100000); `None` (the default): no limit by count.
    pub keep_count: Option<u32>,
    /// Remove runs older than this; default 366 days; `None` (written `forever`): no limit by age.
    pub keep_for: Option<SignedDuration>,
    /// How long to wait for another run that holds the archive's lock; default 30 seconds.
    pub lock_wait: SignedDuration,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        Self {
            dir: None,
            keep_count: None,
            keep_for: Some(SignedDuration::from_hours(366 * 24)),
            lock_wait: SignedDuration::from_secs(30),
        }
    }
}

/// `smtp:` — how `kube-patrol run` mails the report. There is no default section: without one,
/// nothing is sent; with one, `host`, `from` and `to` are required.
///
/// The password is never in the file. With `username` set, it is read at run time from
/// `password_file` when given, else from the environment variable `KUBE_PATROL_SMTP_PASSWORD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The server's host name or IP address, without scheme or port.
    pub host: String,
    /// Default: the TLS mode's usual port (587 for `starttls`, 465 for `implicit`, 25 for `none`).
    pub port: u16,
    /// `starttls` (the default), `implicit` or `none` (plain text: only without `username`, or
    /// to a relay on `localhost`).
    pub tls: TlsMode,
    /// Log in as this user; `None` (the default): no login.
    pub username: Option<String>,
    /// Where the password is read from at run time; needs `username`. `None`: the password is
    /// `$KUBE_PATROL_SMTP_PASSWORD` (when `username` is set).
    pub password_file: Option<PathBuf>,
    /// The sender, a mailbox: `name <address>` or a bare address.
    pub from: String,
    /// At least one recipient, each a mailbox.
    pub to: Vec<String>,
    /// Copy recipients, each a mailbox; default none.
    pub cc: Vec<String>,
    /// A Tera template for the subject, checked to compile; `None` (the default): the report
    /// language's subject.
    pub subject: Option<String>,
    /// How long one attempt may take; default 30 seconds.
    pub timeout: SignedDuration,
    /// Attempts after the first, for failures that may pass by themselves (0..=10); default 3.
    pub retries: u32,
    /// Delay before the first retry, doubled before each next one; default 5 seconds.
    pub backoff: SignedDuration,
    /// An extra trusted root CA certificate (PEM) for a private relay; default none.
    pub ca_file: Option<PathBuf>,
}

pub use crate::deliver::email::TlsMode;

/// `trend:` — the week-over-week comparison with the previous archived report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendConfig {
    /// Restarts gained since the previous report from which the growth is abnormal
    /// (1..=1000000); default 5.
    pub restart_growth_abnormal: u32,
}

impl Default for TrendConfig {
    fn default() -> Self {
        Self {
            restart_growth_abnormal: 5,
        }
    }
}

/// A 1-based line and column in the config file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// One problem in the config file: where, which key, what is wrong.
///
/// Displays as `12:3: health.restarts_unhealthy: must be ...`; [`Diagnostic::in_file`] puts the
/// file name in front, as compilers do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    /// Dotted key path (`exclude.labels[1]`); empty for the file as a whole (syntax errors).
    pub path: String,
    pub message: String,
}

impl Diagnostic {
    fn new(location: Location, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location,
            path: path.into(),
            message: message.into(),
        }
    }

    /// `file:line:column: path: message`.
    pub fn in_file<'a>(&'a self, file: &'a Path) -> impl fmt::Display + 'a {
        InFile(file, self)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Location { line, column } = self.location;
        write!(f, "{line}:{column}: ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

struct InFile<'a>(&'a Path, &'a Diagnostic);

impl fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0.display(), self.1)
    }
}

/// Why the config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// One line: `config file X has 2 problems: X:3:1: ...; X:9:5: ...`.
    #[error("{}", summary(path, diagnostics))]
    Invalid {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
}

fn summary(path: &Path, diagnostics: &[Diagnostic]) -> String {
    let count = match diagnostics.len() {
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    };
    let each: Vec<String> = diagnostics
        .iter()
        .map(|d| d.in_file(path).to_string())
        .collect();
    format!(
        "config file {} has {count}: {}",
        path.display(),
        each.join("; ")
    )
}

/// Reads and validates the config file at `path`.
///
/// # Errors
/// [`ConfigError::Read`] when the file cannot be read (or is not UTF-8);
/// [`ConfigError::Invalid`] with every problem found, in file order.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    from_yaml(&text).map_err(|diagnostics| ConfigError::Invalid {
        path: path.to_owned(),
        diagnostics,
    })
}

/// Validates config text already in memory.
///
/// # Errors
/// Every problem found, in file order.
pub fn from_yaml(text: &str) -> Result<Config, Vec<Diagnostic>> {
    UnvalidatedConfig::from_yaml(text).validate()
}

/// `parent.key`, or `key` at the top.
fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

#[cfg(test)]
mod tests;
