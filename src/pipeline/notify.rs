//! `run`'s digests and metrics: the channels of `notify:` (Slack, Teams, the webhook) and of
//! `metrics:` / `--metrics-file`, their secrets read before the cluster is, each channel sent
//! on its own so that one failing never stops the others.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use crate::cli::{Exit, Failure};
use crate::config::{Config, WebhookConfig, WebhookUrl, check_url};
use crate::deliver::email::Secret;
use crate::deliver::http::HttpSettings;
use crate::deliver::{pushgateway, slack, teams, textfile, webhook};
use crate::locale::Catalog;
use crate::render::Style;
use crate::render::digest::{self, Digest};
use crate::render::metrics::{self, RunFacts};
use crate::report::{ClusterEntry, FleetReport, Report};

/// One delivery's outcome: what it was (`Slack`, `the webhook`...) and how it went.
pub(super) struct Sent {
    pub what: String,
    pub result: anyhow::Result<()>,
}

/// The digest and metrics channels of this run, their secrets read.
pub(super) struct Channels {
    slack: Option<Secret>,
    teams: Option<Secret>,
    /// The URL, and the signing key when set.
    webhook: Option<(Secret, Option<Secret>)>,
    settings: HttpSettings,
    problems: usize,
    url: Option<String>,
    pushgateway: Option<String>,
    metrics_settings: HttpSettings,
    metrics_file: Option<PathBuf>,
}

impl Channels {
    /// Reads every secret file now, so that a missing Secret fails before the cluster is read.
    ///
    /// # Errors
    /// [`Exit::Usage`] naming the key and the file when one cannot be read, is empty, or (for a
    /// URL) does not hold an `http(s)://` URL; the URL itself is never shown.
    pub(super) fn new(config: &Config, metrics_file: Option<&Path>) -> Result<Self, Failure> {
        let n = &config.notify;
        let (slack, teams, webhook) = chat(
            n.slack.as_ref(),
            n.teams.as_ref(),
            n.webhook.as_ref(),
            "notify",
        )?;
        let m = &config.metrics;
        Ok(Channels {
            slack,
            teams,
            webhook,
            settings: http(n.timeout, n.retries, n.backoff),
            problems: n.problems as usize,
            url: config.report.url.clone(),
            pushgateway: m.pushgateway.clone(),
            metrics_settings: http(m.timeout, m.retries, m.backoff),
            metrics_file: metrics_file.map(Path::to_owned),
        })
    }

    /// The chat and webhook channels of `teams[index]`, sent as `notify:` says; no metrics.
    ///
    /// # Errors
    /// As [`Channels::new`].
    pub(super) fn for_team(config: &Config, index: usize) -> Result<Self, Failure> {
        let (n, team) = (&config.notify, &config.teams[index]);
        let prefix = format!("teams[{index}]");
        let (slack, teams, webhook) = chat(
            team.slack.as_ref(),
            team.teams.as_ref(),
            team.webhook.as_ref(),
            &prefix,
        )?;
        Ok(Channels {
            slack,
            teams,
            webhook,
            settings: http(n.timeout, n.retries, n.backoff),
            problems: n.problems as usize,
            url: config.report.url.clone(),
            pushgateway: None,
            metrics_settings: http(n.timeout, n.retries, n.backoff),
            metrics_file: None,
        })
    }

    /// Whether anything is configured here.
    pub(super) fn any(&self) -> bool {
        self.slack.is_some()
            || self.teams.is_some()
            || self.webhook.is_some()
            || self.pushgateway.is_some()
            || self.metrics_file.is_some()
    }

    /// Sends the digest to every chat and webhook channel at once; one outcome per channel.
    pub(super) async fn digests(
        &self,
        report: &Report,
        catalog: &Catalog,
        style: &Style,
    ) -> Vec<Sent> {
        let digest = Digest::new(report, catalog, style, self.problems, self.url.as_deref());
        let mut sends: Vec<Pin<Box<dyn Future<Output = Sent> + '_>>> = Vec::new();
        if let Some(url) = &self.slack {
            let message = digest::slack(&digest);
            sends.push(Box::pin(async move {
                let result = slack::send(url, &message, &self.settings).await;
                sent(slack::CHANNEL, result)
            }));
        }
        if let Some(url) = &self.teams {
            let message = digest::teams(&digest);
            sends.push(Box::pin(async move {
                let result = teams::send(url, &message, &self.settings).await;
                sent(teams::CHANNEL, result)
            }));
        }
        if let Some((url, key)) = &self.webhook {
            let body = digest::webhook(report, self.url.as_deref());
            sends.push(Box::pin(async move {
                let result = match body {
                    Ok(body) => webhook::send(url, body, key.as_ref(), &self.settings)
                        .await
                        .map_err(anyhow::Error::from),
                    Err(e) => {
                        Err(anyhow::Error::from(e).context("failed to make the webhook's JSON"))
                    }
                };
                Sent {
                    what: webhook::CHANNEL.to_owned(),
                    result: result.map(drop),
                }
            }));
        }
        futures::future::join_all(sends).await
    }

    /// Writes `--metrics-file` and pushes to the Pushgateway; one outcome each.
    pub(super) async fn metrics(&self, report: &Report, run: &RunFacts) -> Vec<Sent> {
        let text = metrics::metrics(report, run);
        let mut outcomes = Vec::new();
        if let Some(path) = &self.metrics_file {
            let result = textfile::write(path, &text).map_err(anyhow::Error::from);
            if result.is_ok() {
                tracing::info!(path = %path.display(), "metrics written");
            }
            outcomes.push(Sent {
                what: "the metrics file".to_owned(),
                result,
            });
        }
        outcomes.extend(self.push(report, text).await);
        outcomes
    }

    /// Replaces the report's cluster's group in the Pushgateway with `text`, if there is one.
    async fn push(&self, report: &Report, text: String) -> Option<Sent> {
        let base = self.pushgateway.as_ref()?;
        let (cluster, replace) = (&report.cluster, pushgateway::Push::Replace);
        let result = pushgateway::push(base, cluster, text, replace, &self.metrics_settings).await;
        Some(sent(pushgateway::CHANNEL, result))
    }

    /// A fleet run's metrics: each cluster read replaces its own group in the Pushgateway, as
    /// its own run would; a cluster not read gets its run's series (success 0) and keeps its
    /// last report's. One outcome per cluster read, named after it.
    pub(super) async fn fleet_metrics(&self, fleet: &FleetReport, run: &RunFacts) -> Vec<Sent> {
        let mut outcomes = Vec::new();
        for cluster in &fleet.clusters {
            match cluster {
                ClusterEntry::Report(report) => {
                    let facts = RunFacts {
                        success: run.success && !report.partial,
                        ..*run
                    };
                    let text = metrics::metrics(report, &facts);
                    if let Some(mut outcome) = self.push(report, text).await {
                        outcome.what = format!("{} ({})", outcome.what, report.cluster);
                        outcomes.push(outcome);
                    }
                }
                ClusterEntry::Unread(unread) => {
                    let facts = RunFacts {
                        success: false,
                        ..*run
                    };
                    self.failed_run(&unread.cluster, &facts).await;
                }
            }
        }
        outcomes
    }

    /// Whether digests or a metrics file are configured: a fleet run sends neither.
    pub(super) fn has_digests_or_file(&self) -> bool {
        self.slack.is_some()
            || self.teams.is_some()
            || self.webhook.is_some()
            || self.metrics_file.is_some()
    }

    /// After a run that made no report: pushes the run's own series (success 0) and keeps the
    /// last report's; the metrics file is left as it was. A failure here is only logged: the
    /// run already fails for its own reason.
    pub(super) async fn failed_run(&self, cluster: &str, run: &RunFacts) {
        let Some(base) = &self.pushgateway else {
            return;
        };
        let text = metrics::run_metrics(cluster, run);
        let update = pushgateway::Push::Update;
        match pushgateway::push(base, cluster, text, update, &self.metrics_settings).await {
            Ok(_) => tracing::info!("the failed run is in the Pushgateway's metrics"),
            Err(e) => tracing::warn!("{}", crate::error::one_line(&e)),
        }
    }
}

fn sent<T>(what: &str, result: Result<T, crate::deliver::http::HttpError>) -> Sent {
    Sent {
        what: what.to_owned(),
        result: result.map(drop).map_err(anyhow::Error::from),
    }
}

type Chat = (
    Option<Secret>,
    Option<Secret>,
    Option<(Secret, Option<Secret>)>,
);

/// The secrets of a Slack, a Teams and a webhook channel, named in errors under `prefix`.
fn chat(
    slack: Option<&PathBuf>,
    teams: Option<&PathBuf>,
    webhook: Option<&WebhookConfig>,
    prefix: &str,
) -> Result<Chat, Failure> {
    let webhook = match webhook {
        None => None,
        Some(w) => {
            let url = match &w.url {
                WebhookUrl::Inline(url) => Secret::new(url.clone()),
                WebhookUrl::File(file) => url_file(&format!("{prefix}.webhook.url_file"), file)?,
            };
            let key = match &w.secret_file {
                Some(file) => Some(secret_file(&format!("{prefix}.webhook.secret_file"), file)?),
                None => None,
            };
            Some((url, key))
        }
    };
    let slack = slack
        .map(|f| url_file(&format!("{prefix}.slack.url_file"), f))
        .transpose()?;
    let teams = teams
        .map(|f| url_file(&format!("{prefix}.teams.url_file"), f))
        .transpose()?;
    Ok((slack, teams, webhook))
}

fn http(
    timeout: jiff::SignedDuration,
    retries: u32,
    backoff: jiff::SignedDuration,
) -> HttpSettings {
    HttpSettings {
        timeout: timeout.unsigned_abs(),
        retries,
        backoff: backoff.unsigned_abs(),
    }
}

/// A webhook URL from its file (a mounted Secret): one line, an `http(s)://` URL.
fn url_file(key: &str, file: &Path) -> Result<Secret, Failure> {
    let url = secret_file(key, file)?;
    if let Err(reason) = check_url(url.expose()) {
        return Err(usage(format!(
            "{key} {} does not hold a webhook URL ({reason}): put the URL alone in the Secret mounted there",
            file.display()
        )));
    }
    Ok(url)
}

/// A secret from its file, the last line ending dropped (`kubectl create secret --from-file`
/// keeps it).
fn secret_file(key: &str, file: &Path) -> Result<Secret, Failure> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        usage(format!(
            "cannot read {key} {}: {e}; mount the Secret there or remove {key}",
            file.display()
        ))
    })?;
    let value = text.trim_end_matches(['\r', '\n']).trim();
    if value.is_empty() {
        return Err(usage(format!(
            "{key} {} is empty: put the value in the Secret mounted there",
            file.display()
        )));
    }
    Ok(Secret::new(value))
}

fn usage(message: String) -> Failure {
    Failure::new(Exit::Usage, anyhow::anyhow!(message))
}
