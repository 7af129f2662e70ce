//! `kube-patrol run` over several clusters: inspect them, compare each with its own archive,
//! archive the fleet report and each cluster's JSON, email the fleet report.
//!
//! The archive directory holds the fleet report's runs (`kube-patrol-<time>.md`, `.html`,
//! `.json`, `latest.*`, `index.html`), and `clusters/<name>/` holds each cluster's JSON reports
//! as an archive of its own (`latest.json`, retention, `index.html`): the trend and the history
//! of a cluster are read from there, and `kube-patrol merge clusters/*/latest.json` gives the
//! fleet report again.

use std::path::{Path, PathBuf};

use tracing::info;

use super::Plan;
use super::fleet::{Target, inspect_fleet, none_read, partial, render_fleet};
use super::run::{
    Delivery, Rendered, delivery_failure, file_safe, history, previous_trend, send, store,
};
use crate::cli::{Exit, FailOn, Failure, Format, RunArgs};
use crate::config::SmtpConfig;
use crate::deliver::archive::{self, ArchiveSettings};
use crate::locale::Catalog;
use crate::render::metrics::RunFacts;
use crate::render::{self, EmailBody};
use crate::report::{ClusterEntry, FleetReport, Health, Report};

/// The sub-directory of the archive that holds each cluster's archive.
pub const CLUSTERS_DIR: &str = "clusters";

/// Runs `kube-patrol run` over the clusters of `targets`.
///
/// # Errors
/// As [`super::run`]; a cluster that could not be read is a row of the report and, after
/// delivering, [`Exit::Partial`]; no cluster read at all is [`Exit::Cluster`].
pub(super) async fn run_fleet(
    args: &RunArgs,
    plan: &Plan,
    delivery: &Delivery,
    targets: &[Target],
) -> Result<(), Failure> {
    info!(clusters = targets.len(), "inspecting the fleet");
    if delivery.has_unsent_channels() {
        tracing::warn!(
            "a fleet run sends no digest, metrics file or team report (the archive, the email and each cluster's Pushgateway group, yes): run kube-patrol per cluster for them"
        );
    }
    let started = std::time::Instant::now();
    let mut fleet = inspect_fleet(&args.inspect, plan, targets).await?;
    let catalog = Catalog::builtin(plan.lang);
    if let Some(archive) = &delivery.archive {
        let settings = plan.config.trend.settings();
        let weeks = plan.config.report.history_weeks as usize;
        for report in reports_mut(&mut fleet) {
            let dir = cluster_dir(&archive.dir, &report.cluster);
            if let Some(trend) = previous_trend(&dir, report, &settings, None) {
                crate::analyze::with_trend(report, trend, &catalog);
            }
            report.history = history(&dir, report, weeks);
        }
    }
    let rendered = rendered(&fleet, &catalog, plan, delivery.smtp.as_ref());
    let archived = delivery
        .archive
        .as_ref()
        .map(|settings| archive_fleet(settings, &fleet, &rendered, &catalog, plan));
    let emailed = match rendered.for_email() {
        Err(e) => delivery.smtp.as_ref().map(|_| Err(e)),
        Ok(mail) => match delivery.email(mail.subject.to_owned()) {
            Some(settings) => Some(send(&settings, "fleet", &mail, plan).await),
            None => None,
        },
    };
    let run = RunFacts {
        finished_at: jiff::Timestamp::now(),
        duration_seconds: started.elapsed().as_secs_f64(),
        success: archived.as_ref().is_none_or(Result::is_ok)
            && emailed.as_ref().is_none_or(Result::is_ok),
    };
    let pushed = delivery.fleet_metrics(&fleet, &run).await;
    if let Some(failure) = delivery_failure(archived, emailed, pushed, &rendered) {
        return Err(failure);
    }
    outcome(&fleet, &catalog, args.fail_on)
}

fn reports_mut(fleet: &mut FleetReport) -> impl Iterator<Item = &mut Report> {
    fleet.clusters.iter_mut().filter_map(|c| match c {
        ClusterEntry::Report(report) => Some(report.as_mut()),
        ClusterEntry::Unread(_) => None,
    })
}

/// The archive of one cluster: `<archive>/clusters/<name>`.
pub fn cluster_dir(archive: &Path, cluster: &str) -> PathBuf {
    archive.join(CLUSTERS_DIR).join(file_safe(cluster))
}

/// The fleet report in every format, the email's body and subject.
fn rendered(
    fleet: &FleetReport,
    catalog: &Catalog,
    plan: &Plan,
    smtp: Option<&SmtpConfig>,
) -> Rendered {
    let text = |e: Failure| crate::error::one_line(e.error.as_ref());
    let email = match smtp {
        Some(_) => render::fleet::email(fleet, catalog, &plan.style)
            .map_err(|e| crate::error::one_line(&e)),
        None => Ok(EmailBody {
            text: String::new(),
            html: String::new(),
            fold: Default::default(),
        }),
    };
    Rendered {
        markdown: render_fleet(Format::Markdown, fleet, catalog, &plan.style).map_err(text),
        html: render_fleet(Format::Html, fleet, catalog, &plan.style).map_err(text),
        email,
        json: render::fleet::json(fleet).unwrap_or_default(),
        subject: Ok(match smtp {
            Some(_) => render::fleet::subject(fleet, catalog, &plan.style),
            None => String::new(),
        }),
    }
}

/// Each cluster's JSON into its own archive (and its index), then the fleet report and the
/// archive's index. Every part is tried; the error says which failed.
fn archive_fleet(
    settings: &ArchiveSettings,
    fleet: &FleetReport,
    rendered: &Rendered,
    catalog: &Catalog,
    plan: &Plan,
) -> anyhow::Result<()> {
    let mut errors = Vec::new();
    for report in fleet.reports() {
        let cluster = ArchiveSettings {
            dir: cluster_dir(&settings.dir, &report.cluster),
            ..settings.clone()
        };
        let json = render::json(report).unwrap_or_default();
        match archive::store(&cluster, report.generated_at, &[("json", &json)]) {
            Ok(stored) => {
                for path in &stored.paths {
                    info!(path = %path.display(), "archived");
                }
                super::index::write(&cluster, &report.cluster, &plan.style.timezone, catalog);
            }
            Err(e) => errors.push(format!(
                "cluster {}: {}",
                report.cluster,
                crate::error::one_line(&e)
            )),
        }
    }
    let stored = store(settings, plan.now, rendered);
    if !stored
        .as_ref()
        .is_err_and(|e| e.is::<archive::ArchiveError>())
    {
        let name = catalog.text(
            "fleet.clusters_value",
            &[("count", &fleet.clusters.len().to_string())],
        );
        super::index::write(settings, &name, &plan.style.timezone, catalog);
    }
    if let Err(e) = stored {
        errors.push(crate::error::one_line(e.as_ref()));
    }
    match errors.as_slice() {
        [] => Ok(()),
        _ => Err(anyhow::anyhow!("{}", errors.join("; "))),
    }
}

/// The exit once delivered: no cluster read, then a partial fleet, then `--fail-on` on the
/// fleet's worst state.
fn outcome(fleet: &FleetReport, catalog: &Catalog, fail_on: Option<FailOn>) -> Result<(), Failure> {
    if let Some(failure) = none_read(fleet).or_else(|| partial(fleet)) {
        return Err(failure);
    }
    let threshold = match fail_on {
        Some(FailOn::Attention) => Health::Attention,
        Some(FailOn::Unhealthy) => Health::Unhealthy,
        None => return Ok(()),
    };
    let overall = render::fleet::FleetSummary::of(fleet, catalog).overall;
    if overall < threshold {
        return Ok(());
    }
    Err(Failure::new(
        Exit::FailOn,
        anyhow::anyhow!(
            "the fleet report was delivered; the worst cluster's state is {} (--fail-on {})",
            overall.code(),
            threshold.code()
        ),
    ))
}
