//! `notify:` — the chat and webhook digests `kube-patrol run` sends, one message per run and
//! channel (README's "Digests in chat and webhooks"); and `metrics:` — the Prometheus
//! Pushgateway it pushes to. Read, validated and defaulted here.
//!
//! ```yaml
//! notify:
//!   slack:
//!     url_file: /etc/kube-patrol/slack/url      # the incoming webhook's URL, a secret
//!   teams:
//!     url_file: /etc/kube-patrol/teams/url      # the Workflows webhook's URL, a secret
//!   webhook:
//!     url: https://hooks.example.com/kube-patrol   # or url_file
//!     secret_file: /etc/kube-patrol/webhook/secret # HMAC-SHA256 signature when set
//!   problems: 20                                # top problems listed (0..=200)
//!   timeout: 30s
//!   retries: 3
//!   backoff: 5s
//! metrics:
//!   pushgateway: http://pushgateway.monitoring:9091
//! ```
//!
//! Slack's and Teams' webhook URLs carry their credential, so they are only read from files
//! (mounted Secrets), at run time, and never logged: the config keeps their paths.

use std::path::PathBuf;

use jiff::SignedDuration;

use super::Diagnostic;
use super::read::{Reader, Section, Spanned};
use super::validate::{duration, number, path};

/// The top-level keys this file reads.
pub(super) const TOP_KEYS: [&str; 2] = ["notify", "metrics"];

const NOTIFY_KEYS: [&str; 7] = [
    "slack", "teams", "webhook", "problems", "timeout", "retries", "backoff",
];
const CHAT_KEYS: [&str; 1] = ["url_file"];
const WEBHOOK_KEYS: [&str; 3] = ["url", "url_file", "secret_file"];
const METRICS_KEYS: [&str; 4] = ["pushgateway", "timeout", "retries", "backoff"];

type Text = Spanned<String>;
type Problems = Vec<Diagnostic>;

/// `notify:`, validated. Without the section: no channel, nothing sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    /// A Slack incoming webhook: the file its URL is read from.
    pub slack: Option<PathBuf>,
    /// A Teams Workflows webhook: the file its URL is read from.
    pub teams: Option<PathBuf>,
    pub webhook: Option<WebhookConfig>,
    /// How many of the most severe problem pods a digest lists (0..=200); default 20.
    pub problems: u32,
    /// How long one attempt may take; default 30 seconds.
    pub timeout: SignedDuration,
    /// Attempts after the first, for failures that may pass by themselves (0..=10); default 3.
    pub retries: u32,
    /// Delay before the first retry, doubled before each next one; default 5 seconds.
    pub backoff: SignedDuration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            slack: None,
            teams: None,
            webhook: None,
            problems: 20,
            timeout: SignedDuration::from_secs(30),
            retries: 3,
            backoff: SignedDuration::from_secs(5),
        }
    }
}

impl NotifyConfig {
    /// Whether any channel is configured.
    pub fn any(&self) -> bool {
        self.slack.is_some() || self.teams.is_some() || self.webhook.is_some()
    }
}

/// `notify.webhook:` — the digest as JSON, POSTed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    pub url: WebhookUrl,
    /// The HMAC-SHA256 key is read from this file; `None`: the body is not signed.
    pub secret_file: Option<PathBuf>,
}

/// Where the webhook's URL is: written in the config, or in a file (when it holds a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookUrl {
    Inline(String),
    File(PathBuf),
}

/// `metrics:`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    /// The Pushgateway's base URL (`http://host:9091`); `None`: nothing is pushed.
    pub pushgateway: Option<String>,
    /// How long one attempt may take; default 30 seconds.
    pub timeout: SignedDuration,
    /// Attempts after the first (0..=10); default 3.
    pub retries: u32,
    /// Delay before the first retry, doubled before each next one; default 5 seconds.
    pub backoff: SignedDuration,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            pushgateway: None,
            timeout: SignedDuration::from_secs(30),
            retries: 3,
            backoff: SignedDuration::from_secs(5),
        }
    }
}

/// `notify:` and `metrics:` as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawNotify {
    channels: RawChannels,
    problems: Option<Spanned<i64>>,
    timeout: Option<Text>,
    retries: Option<Spanned<i64>>,
    backoff: Option<Text>,
    pushgateway: Option<Text>,
    metrics_timeout: Option<Text>,
    metrics_retries: Option<Spanned<i64>>,
    metrics_backoff: Option<Text>,
}

/// `slack:`, `teams:` and `webhook:` as written (in `notify:` or a `teams:` entry).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawChannels {
    slack: Option<Text>,
    teams: Option<Text>,
    webhook: Option<RawWebhook>,
}

/// Reads `slack:`, `teams:` and `webhook:` from the mapping `s` at `path`.
pub(super) fn read_channels(r: &mut Reader, s: &Section, path: &str) -> RawChannels {
    let slack_path = super::join(path, "slack");
    let slack = r.section(s.value("slack"), &slack_path, &CHAT_KEYS);
    let teams_path = super::join(path, "teams");
    let teams = r.section(s.value("teams"), &teams_path, &CHAT_KEYS);
    let webhook = s.value("webhook").map(|node| {
        let w = r.section(Some(node), &super::join(path, "webhook"), &WEBHOOK_KEYS);
        RawWebhook {
            at: node.at,
            path: super::join(path, "webhook"),
            url: r.text(&w, "url"),
            url_file: r.text(&w, "url_file"),
            secret_file: r.text(&w, "secret_file"),
        }
    });
    RawChannels {
        slack: r.text(&slack, "url_file"),
        teams: r.text(&teams, "url_file"),
        webhook,
    }
}

/// The Slack and Teams URL files, and the webhook.
pub(super) fn validate_channels(
    raw: RawChannels,
    p: &mut Problems,
) -> (Option<PathBuf>, Option<PathBuf>, Option<WebhookConfig>) {
    let url_file = "leave it out to send nothing there";
    (
        path(raw.slack, url_file, p),
        path(raw.teams, url_file, p),
        raw.webhook.and_then(|w| webhook(w, p)),
    )
}

#[derive(Debug, Clone, Default, PartialEq)]
struct RawWebhook {
    path: String,
    at: super::Location,
    url: Option<Text>,
    url_file: Option<Text>,
    secret_file: Option<Text>,
}

/// Reads both sections from the file's top-level mapping.
pub(super) fn read(r: &mut Reader, root: &Section) -> RawNotify {
    let s = r.section(root.value("notify"), "notify", &NOTIFY_KEYS);
    let channels = read_channels(r, &s, "notify");
    let m = r.section(root.value("metrics"), "metrics", &METRICS_KEYS);
    RawNotify {
        channels,
        problems: r.int(&s, "problems"),
        timeout: r.text(&s, "timeout"),
        retries: r.int(&s, "retries"),
        backoff: r.text(&s, "backoff"),
        pushgateway: r.text(&m, "pushgateway"),
        metrics_timeout: r.text(&m, "timeout"),
        metrics_retries: r.int(&m, "retries"),
        metrics_backoff: r.text(&m, "backoff"),
    }
}

/// Checks both sections.
pub(super) fn validate(raw: RawNotify, p: &mut Problems) -> (NotifyConfig, MetricsConfig) {
    let d = NotifyConfig::default();
    let (slack, teams, webhook) = validate_channels(raw.channels, p);
    let notify = NotifyConfig {
        slack,
        teams,
        webhook,
        problems: number(raw.problems.as_ref(), 0..=200, p).unwrap_or(d.problems),
        timeout: duration(raw.timeout, p).unwrap_or(d.timeout),
        retries: number(raw.retries.as_ref(), 0..=10, p).unwrap_or(d.retries),
        backoff: duration(raw.backoff, p).unwrap_or(d.backoff),
    };
    let d = MetricsConfig::default();
    let metrics = MetricsConfig {
        pushgateway: raw.pushgateway.and_then(|url| http_url(url, p)),
        timeout: duration(raw.metrics_timeout, p).unwrap_or(d.timeout),
        retries: number(raw.metrics_retries.as_ref(), 0..=10, p).unwrap_or(d.retries),
        backoff: duration(raw.metrics_backoff, p).unwrap_or(d.backoff),
    };
    (notify, metrics)
}

fn webhook(raw: RawWebhook, p: &mut Problems) -> Option<WebhookConfig> {
    let secret_file = path(raw.secret_file, "leave it out to send unsigned", p);
    let url = match (raw.url, raw.url_file) {
        (Some(url), None) => WebhookUrl::Inline(http_url(url, p)?),
        (None, Some(file)) => WebhookUrl::File(path(Some(file), "give url or url_file", p)?),
        (Some(url), Some(_)) => {
            p.push(url.problem("give either url or url_file, not both"));
            return None;
        }
        (None, None) => {
            p.push(Diagnostic::new(
                raw.at,
                format!("{}.url", raw.path),
                "missing: the webhook needs `url` (or `url_file` when the URL holds a token)",
            ));
            return None;
        }
    };
    Some(WebhookConfig { url, secret_file })
}

/// An `http://` or `https://` URL with a host: checked the same way for a URL read from a file.
pub(super) fn http_url(raw: Text, p: &mut Problems) -> Option<String> {
    match check_url(raw.value.trim()) {
        Ok(()) => Some(raw.value.trim().to_owned()),
        Err(message) => {
            p.push(raw.problem(message));
            None
        }
    }
}

/// Why `url` is not an `http(s)://host/...` URL, in words.
///
/// # Errors
/// The reason, without the URL (it may hold a token).
pub fn check_url(url: &str) -> Result<(), String> {
    let parsed: http::Uri = url
        .parse()
        .map_err(|_| "expected a URL such as https://host/path".to_owned())?;
    match parsed.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err("expected an http:// or https:// URL".to_owned()),
    }
    if parsed.host().is_none_or(str::is_empty) {
        return Err("the URL has no host".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::from_yaml;

    use super::*;

    #[test]
    fn a_notify_section_reads_every_channel_and_its_defaults() {
        let config = from_yaml(
            "notify:\n  slack:\n    url_file: /s/url\n  teams:\n    url_file: /t/url\n  \
             webhook:\n    url: https://hooks.example.com/kp\n    secret_file: /w/secret\n\
             metrics:\n  pushgateway: http://pgw:9091\n",
        )
        .unwrap();
        assert_eq!(config.notify.slack, Some(PathBuf::from("/s/url")));
        assert_eq!(config.notify.teams, Some(PathBuf::from("/t/url")));
        let webhook = config.notify.webhook.unwrap();
        assert_eq!(
            webhook.url,
            WebhookUrl::Inline("https://hooks.example.com/kp".into())
        );
        assert_eq!(webhook.secret_file, Some(PathBuf::from("/w/secret")));
        assert_eq!(config.notify.problems, 20);
        assert_eq!(
            config.metrics.pushgateway.as_deref(),
            Some("http://pgw:9091")
        );
    }

    #[test]
    fn a_typo_in_notify_is_reported_at_its_line_with_the_key_meant() {
        let problems = from_yaml("notify:\n  slack:\n    url_fle: /s/url\n").unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "3:5: notify.slack.url_fle: unknown key; did you mean `url_file`?"
        );
    }

    #[test]
    fn a_slack_url_written_in_the_config_is_refused_as_a_secret_belongs_in_a_file() {
        let problems =
            from_yaml("notify:\n  slack:\n    url: https://hooks.slack.com/x\n").unwrap_err();
        assert!(
            problems[0]
                .to_string()
                .starts_with("3:5: notify.slack.url: unknown key"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn a_webhook_without_a_url_and_a_pushgateway_without_a_scheme_are_reported() {
        let problems = from_yaml(
            "notify:\n  webhook:\n    secret_file: /w\nmetrics:\n  pushgateway: pgw:9091\n",
        )
        .unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(text[0].contains("notify.webhook.url: missing"), "{text:?}");
        assert!(
            text[1].starts_with("5:16: metrics.pushgateway: expected an http"),
            "{text:?}"
        );
    }
}
