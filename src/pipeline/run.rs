//! `kube-patrol run`: the CronJob's entry point. Inspect, compare with the last archived
//! report, archive the report, email it.
//!
//! What has been made is never lost to a later failure: a full or read-only archive does not
//! stop the email, a refused email does not undo the archive, and each digest channel
//! (`notify:`) and the metrics are sent whatever became of the others; any failure ends in
//! [`Exit::Delivery`] once everything has been tried, naming what was delivered and what was
//! not.

use std::path::Path;

use jiff::Timestamp;
use tracing::{info, warn};

use super::notify::{Channels, Sent};
use super::{Inspection, Plan, inspect, load_config, notice, partial, render_one};
use crate::analyze::trend::{self, TrendSettings};
use crate::cli::{Exit, FailOn, Failure, Format, RunArgs};
use crate::config::{Config, SmtpConfig, TeamConfig};
use crate::deliver::archive::{self, ArchiveSettings};
use crate::deliver::email::{self, EmailSettings, Secret};
use crate::locale::Catalog;
use crate::render::metrics::RunFacts;
use crate::render::{self, EmailBody};
use crate::report::Trend;
use crate::report::{FleetReport, Health, HistoryPoint, Report};

/// The environment variable that holds the SMTP password when `smtp.password_file` is not set.
pub const PASSWORD_ENV: &str = "KUBE_PATROL_SMTP_PASSWORD";
/// The Secret that deploy/ mounts the password from, named in errors.
const PASSWORD_SECRET: &str = "kube-patrol-smtp";

/// Runs `kube-patrol run`.
///
/// # Errors
/// A [`Failure`] carrying the exit code: bad config before anything is read ([`Exit::Usage`]),
/// the cluster unreachable ([`Exit::Cluster`]), then, after delivering what could be delivered:
/// [`Exit::Delivery`], [`Exit::Partial`] or [`Exit::FailOn`], in that order of precedence.
pub async fn run(args: RunArgs) -> Result<(), Failure> {
    let Some(path) = &args.inspect.config else {
        return Err(usage(
            "run needs a config file (--config FILE or $KUBE_PATROL_CONFIG) saying where to archive and whom to email; `kube-patrol report` prints a report without one",
        ));
    };
    let started = std::time::Instant::now();
    let config = load_config(&args.inspect)?;
    let delivery = Delivery::new(path, &config, args.metrics_file.as_deref())?;
    let targets = super::fleet::targets(&args.inspect, &config)?;
    if !targets.is_empty() {
        let plan = Plan::fleet(&args.inspect, config)?;
        return super::run_fleet::run_fleet(&args, &plan, &delivery, &targets).await;
    }
    let plan = Plan::new(&args.inspect, config)?;
    match &args.inspect.from_dump {
        Some(dump) => info!(dump = %dump, "inspecting the dump"),
        None => info!("inspecting the cluster"),
    }
    let Inspection {
        mut report,
        catalog,
        teams: mut team_reports,
    } = match inspect(&args.inspect, &plan).await {
        Ok(inspection) => inspection,
        Err(failure) => {
            let (subject, body) = notice::text(&args.inspect, &plan, &failure);
            if let Some(settings) = delivery.email(subject) {
                notice::send(&settings, &body).await;
            }
            let run = RunFacts {
                finished_at: Timestamp::now(),
                duration_seconds: started.elapsed().as_secs_f64(),
                success: false,
            };
            let cluster = notice::cluster_name(&args.inspect, &plan);
            delivery.channels.failed_run(&cluster, &run).await;
            return Err(failure);
        }
    };
    if let Some(archive) = &delivery.archive {
        let settings = plan.config.trend.settings();
        let trend = previous_trend(&archive.dir, &report, &settings, None);
        if let Some(trend) = trend {
            crate::analyze::with_trend(&mut report, trend, &catalog);
        }
        for (team, team_report) in plan.config.teams.iter().zip(&mut team_reports) {
            if let Some(trend) = previous_trend(&archive.dir, team_report, &settings, Some(team)) {
                crate::analyze::with_trend(team_report, trend, &catalog);
            }
        }
        let weeks = plan.config.report.history_weeks as usize;
        report.history = history(&archive.dir, &report, weeks);
    }
    let rendered = Rendered::of(&report, &catalog, &plan, delivery.smtp.as_ref());
    let archived = match &delivery.archive {
        Some(settings) => Some(store(settings, plan.now, &rendered)),
        None => None,
    };
    // The index, whenever this run's files are archived (also the JSON alone, after a render
    // failure); not when the archive itself failed: it has said why.
    if let (Some(settings), Some(stored)) = (&delivery.archive, &archived)
        && !stored
            .as_ref()
            .is_err_and(|e| e.is::<archive::ArchiveError>())
    {
        super::index::write(settings, &report.cluster, &plan.style.timezone, &catalog);
    }
    let emailed = match rendered.for_email() {
        Err(e) => delivery.smtp.as_ref().map(|_| Err(e)),
        Ok(mail) => match delivery.email(mail.subject.to_owned()) {
            Some(settings) => Some(send(&settings, &report.cluster, &mail, &plan).await),
            None => None,
        },
    };
    let mut others = delivery
        .channels
        .digests(&report, &catalog, &plan.style)
        .await;
    for ((team, channels), team_report) in delivery.teams.iter().zip(&team_reports) {
        others.extend(route(team, channels, team_report, &catalog, &plan, &delivery).await);
    }
    let success = !report.partial
        && archived.as_ref().is_none_or(Result::is_ok)
        && emailed.as_ref().is_none_or(Result::is_ok)
        && others.iter().all(|s| s.result.is_ok());
    let run = RunFacts {
        finished_at: Timestamp::now(),
        duration_seconds: started.elapsed().as_secs_f64(),
        success,
    };
    others.extend(delivery.channels.metrics(&report, &run).await);
    if let Some(failure) = delivery_failure(archived, emailed, others, &rendered) {
        return Err(failure);
    }
    outcome(&report, args.fail_on)
}

/// Where the report goes, checked before the cluster is read.
pub(super) struct Delivery {
    pub(super) archive: Option<ArchiveSettings>,
    pub(super) smtp: Option<SmtpConfig>,
    password: Option<Secret>,
    /// The digests and the metrics.
    channels: Channels,
    /// Each of `teams:` with its chat channels.
    teams: Vec<(TeamConfig, Channels)>,
}

impl Delivery {
    pub(super) fn new(
        config_path: &Path,
        config: &Config,
        metrics_file: Option<&Path>,
    ) -> Result<Self, Failure> {
        let archive = config.archive.settings();
        let channels = Channels::new(config, metrics_file)?;
        let teams = (0..config.teams.len())
            .map(|i| Ok((config.teams[i].clone(), Channels::for_team(config, i)?)))
            .collect::<Result<Vec<_>, Failure>>()?;
        if archive.is_none() && config.smtp.is_none() && !channels.any() && teams.is_empty() {
            return Err(usage(format!(
                "config file {} sets neither archive.dir nor smtp (nor notify or metrics): run would deliver the report nowhere; add one, or use `kube-patrol report`",
                config_path.display()
            )));
        }
        let password = match &config.smtp {
            Some(smtp) => {
                check_ca_file(smtp)?;
                password(smtp)?
            }
            None => None,
        };
        Ok(Delivery {
            archive,
            smtp: config.smtp.clone(),
            password,
            channels,
            teams,
        })
    }

    /// Whether digests, a metrics file or teams are configured: a fleet run sends none of them
    /// (the Pushgateway gets each cluster's group).
    pub(super) fn has_unsent_channels(&self) -> bool {
        self.channels.has_digests_or_file() || !self.teams.is_empty()
    }

    /// A fleet run's metrics: each cluster's group in the Pushgateway.
    pub(super) async fn fleet_metrics(&self, fleet: &FleetReport, run: &RunFacts) -> Vec<Sent> {
        self.channels.fleet_metrics(fleet, run).await
    }

    pub(super) fn email(&self, subject: String) -> Option<EmailSettings> {
        let smtp = self.smtp.as_ref()?;
        Some(EmailSettings {
            host: smtp.host.clone(),
            port: smtp.port,
            tls: smtp.tls,
            username: smtp.username.clone(),
            password: self.password.clone(),
            from: smtp.from.clone(),
            to: smtp.to.clone(),
            cc: smtp.cc.clone(),
            subject,
            timeout: smtp.timeout.unsigned_abs(),
            retries: smtp.retries,
            backoff: smtp.backoff.unsigned_abs(),
            accept_invalid_certs: false,
            ca_file: smtp.ca_file.clone(),
        })
    }
}

/// The SMTP password: from `smtp.password_file`, else `$KUBE_PATROL_SMTP_PASSWORD`; none
/// without a username. Read before the cluster is, so a missing Secret fails at once.
fn password(smtp: &SmtpConfig) -> Result<Option<Secret>, Failure> {
    if smtp.username.is_none() {
        return Ok(None);
    }
    if let Some(file) = &smtp.password_file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            usage(format!(
                "cannot read the SMTP password file {}: {e}; create the Secret {PASSWORD_SECRET} with key `password` (see deploy/README.md) or fix smtp.password_file",
                file.display()
            ))
        })?;
        // `kubectl create secret --from-file` keeps the file's last newline.
        let password = text.trim_end_matches(['\r', '\n']);
        if password.is_empty() {
            return Err(usage(format!(
                "the SMTP password file {} is empty: put the password in the Secret {PASSWORD_SECRET} (key `password`)",
                file.display()
            )));
        }
        return Ok(Some(Secret::new(password)));
    }
    match std::env::var(PASSWORD_ENV) {
        Ok(password) if !password.is_empty() => Ok(Some(Secret::new(password))),
        _ => Err(usage(format!(
            "smtp.username is set but there is no password: set smtp.password_file (the Secret {PASSWORD_SECRET} mounted as a file) or the environment variable {PASSWORD_ENV}"
        ))),
    }
}

/// A CA file that cannot be read would fail only after the cluster is read and the report
/// archived: say so now.
fn check_ca_file(smtp: &SmtpConfig) -> Result<(), Failure> {
    let Some(file) = &smtp.ca_file else {
        return Ok(());
    };
    match std::fs::File::open(file) {
        Ok(_) => Ok(()),
        Err(e) => Err(usage(format!(
            "cannot read smtp.ca_file {}: {e}; mount the mail relay's CA certificate there or remove ca_file",
            file.display()
        ))),
    }
}

/// The trend against the newest archived report; `None` with a warning when there is none
/// or it cannot be used: a trend is never worth failing the run.
/// `team`: compare with the previous report's pods of the team's namespaces only.
pub(super) fn previous_trend(
    dir: &Path,
    report: &Report,
    settings: &TrendSettings,
    team: Option<&TeamConfig>,
) -> Option<Trend> {
    let (path, text) = match archive::previous_json(dir) {
        Ok(Some(previous)) => previous,
        Ok(None) => {
            info!(dir = %dir.display(), "no previous report in the archive: the report has no trend section");
            return None;
        }
        Err(e) => {
            warn!("no trend: {}", crate::error::one_line(&e));
            return None;
        }
    };
    let compared = trend::parse_previous(&text).map(|mut previous| {
        if let Some(team) = team {
            previous.retain_namespaces(|ns| team.owns(ns));
        }
        trend::trend(&previous, report, settings)
    });
    match compared {
        Ok(trend) => {
            info!(previous = %path.display(), new = trend.new_problems.len(), resolved = trend.resolved.len(), "compared with the previous report");
            Some(trend)
        }
        Err(e) => {
            warn!(
                "no trend: cannot use the previous report {}: {}",
                path.display(),
                crate::error::one_line(&e)
            );
            None
        }
    }
}

/// This report and the archived ones before it, `weeks` at most: each archived JSON is read
/// for its figures only. One that cannot be read is left out with a warning: history is never
/// worth failing the run.
pub(super) fn history(dir: &Path, report: &Report, weeks: usize) -> Vec<HistoryPoint> {
    let runs = match archive::runs(dir) {
        Ok(runs) => runs,
        Err(e) => {
            warn!("no history: {}", crate::error::one_line(&e));
            Vec::new()
        }
    };
    let earlier = runs
        .iter()
        .filter(|run| run.at < report.generated_at)
        .filter_map(|run| run.file("json"))
        .take(weeks.saturating_sub(1))
        .filter_map(|path| match super::index::read_archived(path) {
            Ok(point) => Some(point),
            Err(e) => {
                warn!(path = %path.display(), "left out of the history: {e}");
                None
            }
        });
    let history = crate::analyze::history::history(report, earlier, weeks);
    info!(reports = history.len(), "history");
    history
}

/// The report in every format, and the email's subject. A template that fails on this report
/// (they were all tried on a sample report before the cluster was read, but a branch may only
/// show now) loses only its own output: the JSON, which no template makes, is always there.
pub(super) struct Rendered {
    pub(super) markdown: Result<String, String>,
    pub(super) html: Result<String, String>,
    /// The email's body (the report shortened to fit when it must); `Ok` of an empty body
    /// without SMTP.
    pub(super) email: Result<EmailBody, String>,
    pub(super) json: String,
    /// `Ok("")` without SMTP.
    pub(super) subject: Result<String, String>,
}

impl Rendered {
    fn of(report: &Report, catalog: &Catalog, plan: &Plan, smtp: Option<&SmtpConfig>) -> Self {
        let text = |e: Failure| crate::error::one_line(e.error.as_ref());
        let subject = match smtp {
            Some(smtp) => render::subject(report, catalog, &plan.style, smtp.subject.as_deref())
                .map_err(|e| crate::error::one_line(&e)),
            None => Ok(String::new()),
        };
        let email = match smtp {
            Some(_) => {
                render::email(report, catalog, &plan.style).map_err(|e| crate::error::one_line(&e))
            }
            None => Ok(EmailBody {
                text: String::new(),
                html: String::new(),
                fold: Default::default(),
            }),
        };
        Rendered {
            markdown: render_one(Format::Markdown, report, catalog, &plan.style).map_err(text),
            html: render_one(Format::Html, report, catalog, &plan.style).map_err(text),
            email,
            json: render::json(report).unwrap_or_default(),
            subject,
        }
    }

    /// The subject, the body and the full report, or why the email cannot be made.
    pub(super) fn for_email(&self) -> Result<Email<'_>, anyhow::Error> {
        match (&self.subject, &self.email, &self.markdown, &self.html) {
            (Ok(subject), Ok(body), Ok(markdown), Ok(html)) => Ok(Email {
                subject,
                body,
                markdown,
                html,
            }),
            _ => Err(anyhow::anyhow!(
                "the email could not be made: {}",
                self.errors().join("; ")
            )),
        }
    }

    /// What could not be rendered.
    fn errors(&self) -> Vec<&str> {
        let email = self.email.as_ref().err();
        [&self.markdown, &self.html, &self.subject]
            .into_iter()
            .filter_map(|r| r.as_ref().err())
            .chain(email)
            .map(String::as_str)
            .collect()
    }

    /// What to show on standard output when the report reached no one: the Markdown, else
    /// the JSON.
    fn fallback(&self) -> &str {
        self.markdown.as_deref().unwrap_or(&self.json)
    }
}

pub(super) fn store(
    settings: &ArchiveSettings,
    at: Timestamp,
    rendered: &Rendered,
) -> Result<(), anyhow::Error> {
    let mut files = Vec::new();
    if let Ok(markdown) = &rendered.markdown {
        files.push(("md", markdown.as_str()));
    }
    if let Ok(html) = &rendered.html {
        files.push(("html", html.as_str()));
    }
    files.push(("json", rendered.json.as_str()));
    let stored = archive::store(settings, at, &files)?;
    for path in &stored.paths {
        info!(path = %path.display(), "archived");
    }
    if !stored.removed.is_empty() {
        info!(files = stored.removed.len(), "removed by retention");
    }
    match rendered.errors().as_slice() {
        [] => Ok(()),
        errors => Err(anyhow::anyhow!(
            "only the JSON report was archived: {}",
            errors.join("; ")
        )),
    }
}

/// What the email is made of.
pub(super) struct Email<'a> {
    pub(super) subject: &'a str,
    body: &'a EmailBody,
    /// The full report, attached.
    markdown: &'a str,
    html: &'a str,
}

/// The report of `team`'s namespaces to the team: by email to its recipients (through the
/// `smtp` server, its own subject and attachments), and its digest to its chat channels. Each
/// outcome is named `team NAME: email`, `team NAME: Slack`...
async fn route(
    team: &TeamConfig,
    channels: &Channels,
    report: &Report,
    catalog: &Catalog,
    plan: &Plan,
    delivery: &Delivery,
) -> Vec<Sent> {
    let mut outcomes = Vec::new();
    if !team.email.is_empty() {
        let rendered = Rendered::of(report, catalog, plan, delivery.smtp.as_ref());
        let result = match rendered.for_email() {
            Err(e) => Err(e),
            Ok(mail) => match delivery.email(mail.subject.to_owned()) {
                Some(settings) => {
                    let settings = EmailSettings {
                        to: team.email.clone(),
                        cc: Vec::new(),
                        ..settings
                    };
                    send(&settings, &report.cluster, &mail, plan).await
                }
                None => Err(anyhow::anyhow!(
                    "there is no smtp section to mail it through"
                )),
            },
        };
        outcomes.push(Sent {
            what: format!("team {}: email", team.name),
            result,
        });
    }
    for sent in channels.digests(report, catalog, &plan.style).await {
        outcomes.push(Sent {
            what: format!("team {}: {}", team.name, sent.what),
            result: sent.result,
        });
    }
    outcomes
}

/// The full HTML is attached up to this size: past it (a cluster of tens of thousands of
/// pods) it would make the message bigger than mail servers accept (often 25 MB, after
/// base64); the archive keeps it, and the Markdown is attached.
const HTML_ATTACHMENT_LIMIT: usize = 10 << 20;

pub(super) async fn send(
    settings: &EmailSettings,
    name: &str,
    mail: &Email<'_>,
    plan: &Plan,
) -> Result<(), anyhow::Error> {
    let date = plan
        .now
        .to_zoned(plan.style.timezone.clone())
        .strftime("%Y-%m-%d")
        .to_string();
    let stem = format!("kube-patrol-{}-{date}", file_safe(name));
    let (md_name, html_name) = (format!("{stem}.md"), format!("{stem}.html"));
    let mut attachments = vec![email::Attached {
        name: &md_name,
        content_type: email::MARKDOWN,
        content: mail.markdown,
    }];
    if mail.html.len() <= HTML_ATTACHMENT_LIMIT {
        attachments.push(email::Attached {
            name: &html_name,
            content_type: email::HTML,
            content: mail.html,
        });
    } else {
        info!(
            bytes = mail.html.len(),
            "the full HTML report is too big to attach: it is in the archive; the Markdown is attached"
        );
    }
    if mail.body.fold != Default::default() {
        info!(fold = ?mail.body.fold, bytes = mail.body.html.len(), "the email's body is the report shortened to fit");
    }
    let message = email::Message {
        text: &mail.body.text,
        html: &mail.body.html,
        attachments: &attachments,
    };
    email::send(settings, &message).await?;
    Ok(())
}

/// The cluster name as part of a file name: letters, digits, `-`, `_` and `.` only.
pub(super) fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    safe.trim_matches('-').to_owned()
}

/// What went wrong in delivering, in one line saying what did work. When the report reached
/// neither the archive nor a mailbox, it is written to standard output (the pod's log) so it is
/// not lost. `others`: the digests and the metrics, each named.
pub(super) fn delivery_failure(
    archived: Option<anyhow::Result<()>>,
    emailed: Option<anyhow::Result<()>>,
    others: Vec<Sent>,
    rendered: &Rendered,
) -> Option<Failure> {
    let text = |e: &anyhow::Error| crate::error::one_line(e.as_ref());
    let report_kept = matches!(archived, Some(Ok(()))) || matches!(emailed, Some(Ok(())));
    let report_lost = !report_kept
        && (archived.as_ref().is_some_and(|r| r.is_err())
            || emailed.as_ref().is_some_and(|r| r.is_err()));
    let place = if report_lost && super::report::write_stdout(rendered.fallback()).is_ok() {
        " (it is on standard output instead)"
    } else {
        ""
    };
    let message = if others.is_empty() {
        match (&archived, &emailed) {
            (Some(Err(a)), Some(Ok(()))) => {
                format!("the report was emailed but not archived: {}", text(a))
            }
            (Some(Ok(())), Some(Err(e))) => {
                format!("the report was archived but not emailed: {}", text(e))
            }
            (Some(Ok(())) | None, Some(Ok(())) | None) => return None,
            _ => {
                let errors: Vec<String> = [archived, emailed]
                    .into_iter()
                    .flatten()
                    .filter_map(Result::err)
                    .map(|e| text(&e))
                    .collect();
                format!("the report was not delivered{place}: {}", errors.join("; "))
            }
        }
    } else {
        let named = [("the archive", archived), ("email", emailed)]
            .into_iter()
            .filter_map(|(what, result)| {
                result.map(|result| Sent {
                    what: what.to_owned(),
                    result,
                })
            })
            .chain(others);
        let (delivered, failed): (Vec<Sent>, Vec<Sent>) = named.partition(|s| s.result.is_ok());
        if failed.is_empty() {
            return None;
        }
        let names = |sent: &[Sent]| {
            let names: Vec<&str> = sent.iter().map(|s| s.what.as_str()).collect();
            names.join(", ")
        };
        let errors: Vec<String> = failed
            .iter()
            .filter_map(|s| {
                s.result
                    .as_ref()
                    .err()
                    .map(|e| format!("{}: {}", s.what, text(e)))
            })
            .collect();
        let head = if delivered.is_empty() {
            format!("nothing was delivered{place}: not to {}", names(&failed))
        } else {
            format!(
                "delivered to {}{place}; not to {}",
                names(&delivered),
                names(&failed)
            )
        };
        format!("{head}: {}", errors.join("; "))
    };
    Some(Failure::new(Exit::Delivery, anyhow::anyhow!(message)))
}

/// The exit once delivered: a partial report, then `--fail-on`.
fn outcome(report: &Report, fail_on: Option<FailOn>) -> Result<(), Failure> {
    if let Some(failure) = partial(report) {
        return Err(failure);
    }
    let threshold = match fail_on {
        Some(FailOn::Attention) => Health::Attention,
        Some(FailOn::Unhealthy) => Health::Unhealthy,
        None => return Ok(()),
    };
    if report.summary.overall < threshold {
        return Ok(());
    }
    Err(Failure::new(
        Exit::FailOn,
        anyhow::anyhow!(
            "the report was delivered; the overall state is {} (--fail-on {})",
            report.summary.overall.code(),
            threshold.code()
        ),
    ))
}

pub(super) fn usage(message: impl std::fmt::Display) -> Failure {
    Failure::new(Exit::Usage, anyhow::anyhow!("{message}"))
}
