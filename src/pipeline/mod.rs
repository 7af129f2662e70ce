//! The commands: flags and config file merged into each stage's settings, then
//! collect → analyze → render, and the output: standard output or files (`report`), or the
//! archive and email (`run`).

mod fleet;
mod index;
mod merge;
mod notice;
mod notify;
mod rehearsal;
mod report;
mod run;
mod run_fleet;
mod source;
mod teams;

pub use merge::merge;
pub use report::report;
pub use run::run;

/// Runs `kube-patrol schema`: the JSON Schema of the JSON report (with `fleet`, of the fleet
/// report) on standard output.
///
/// # Errors
/// Standard output cannot be written.
pub fn schema(fleet: bool) -> Result<(), Failure> {
    let schema = if fleet {
        crate::report::fleet_json_schema()
    } else {
        crate::report::json_schema()
    };
    let mut text =
        serde_json::to_string_pretty(&schema).map_err(|e| Failure::new(Exit::Internal, e))?;
    text.push('\n');
    report::write_stdout(&text)
}

use std::path::Path;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::analyze::columns::KubernetesVersion;
use crate::analyze::{self, Settings};
use crate::cli::{Exit, Failure, Format, InspectArgs};
use crate::collect::{self, NamespaceSelection, split_patterns};
use crate::config::{self, Config, PodExclusions};
use crate::locale::Catalog;
use crate::model::{Snapshot, Source};
use crate::render::{self, Style, Template, Templates};
use crate::report::Report;

/// What a command decided before reading the cluster: a bad config, flag or template fails
/// here, before any API call.
struct Plan {
    config: Config,
    selection: NamespaceSelection,
    now: Timestamp,
    style: Style,
    /// The report's language: `--lang`, else the config's.
    lang: crate::locale::Lang,
}

impl Plan {
    fn new(args: &InspectArgs, config: Config) -> Result<Self, Failure> {
        Self::checked(args, config, true)
    }

    /// A fleet's plan: each cluster may name its own namespaces, checked by
    /// [`fleet::inspect_fleet`].
    fn fleet(args: &InspectArgs, config: Config) -> Result<Self, Failure> {
        Self::checked(args, config, false)
    }

    fn checked(
        args: &InspectArgs,
        config: Config,
        needs_namespaces: bool,
    ) -> Result<Self, Failure> {
        let selection = selection(args, &config);
        if needs_namespaces && !selection.all && selection.include.is_empty() {
            return Err(Failure::new(Exit::Usage, collect::Error::NoNamespace));
        }
        let style = style(args, &config)?;
        let now = args.now.unwrap_or_else(Timestamp::now);
        check_silences(args, &config, now, &style.timezone)?;
        let plan = Plan {
            selection,
            now,
            style,
            lang: args.lang.unwrap_or(config.report.lang),
            config,
        };
        let subject = plan.config.smtp.as_ref().and_then(|s| s.subject.as_deref());
        rehearsal::rehearse(&plan, subject)?;
        Ok(plan)
    }
}

/// The config's silences end within `silence_max` of the report's time (exit 2 otherwise,
/// naming each entry's line).
fn check_silences(
    args: &InspectArgs,
    config: &Config,
    now: Timestamp,
    zone: &TimeZone,
) -> Result<(), Failure> {
    let Some(path) = &args.config else {
        return Ok(());
    };
    config
        .silences
        .check_horizon(now, zone)
        .map_err(|diagnostics| {
            let path = path.clone();
            Failure::new(
                Exit::Usage,
                config::ConfigError::Invalid { path, diagnostics },
            )
        })
}

/// The report and the words to render it with.
struct Inspection {
    report: Report,
    catalog: Catalog,
    /// Each of `teams:` with the report of its namespaces, in the config's order.
    teams: Vec<Report>,
}

/// One direction: list the pods (and what their verdicts depend on) → leave out the excluded
/// ones → judge each pod once → read the evidence of the problem pods only → build the report.
async fn inspect(args: &InspectArgs, plan: &Plan) -> Result<Inspection, Failure> {
    let deadline = source::Deadline::of(args, &plan.config);
    let (mut snapshot, reader) = source::collect_snapshot(args, plan, &deadline).await?;
    exclude_pods(&mut snapshot, &plan.config)?;
    let mut settings = settings(args, plan, &snapshot);
    settings.timezone = plan.style.timezone.clone();
    // Judging takes the pods out of the snapshot: the teams' reports are judged again from theirs.
    let pods = (!plan.config.teams.is_empty()).then(|| snapshot.pods.clone());
    let judgement = analyze::judge(&mut snapshot, &settings);
    source::add_evidence(
        reader,
        &mut snapshot,
        &judgement.problem_pods(),
        plan,
        &deadline,
    )
    .await;
    let mut report = analyze::analyze(&snapshot, judgement, &settings);
    if let Some(version) = args.kubernetes_version {
        report.kubernetes_version = Some(version.to_string());
    }
    warn_if_old(&report);
    warn_invalid_silences(&report);
    let teams = plan
        .config
        .teams
        .iter()
        .map(|team| {
            teams::report_for(
                &snapshot,
                pods.as_deref().unwrap_or_default(),
                &settings,
                team,
                &report,
            )
        })
        .collect();
    Ok(Inspection {
        report,
        catalog: settings.catalog,
        teams,
    })
}

/// A dump taken long ago, read without a matching `--now`: ages are measured from today.
fn warn_if_old(report: &Report) {
    if let Some(age) = report.dump_age.as_ref().filter(|a| a.old) {
        tracing::warn!(
            newest = %age.newest,
            behind = %age.behind,
            "the dump's newest time stamp is {} before the report's time: ages and restart times are measured from {}; pass --now {} to see them as they were",
            age.behind,
            report.generated_at,
            age.newest
        );
    }
}

/// A malformed silence annotation is listed in the report and ignored, never fatal: said in
/// the log too, for whoever reads the CronJob's logs.
fn warn_invalid_silences(report: &Report) {
    let invalid = report
        .silences
        .iter()
        .filter(|s| s.state == crate::report::SilenceState::Invalid);
    for silence in invalid {
        if let crate::report::SilenceSource::Annotation { namespace, object } = &silence.source {
            tracing::warn!(
                namespace = %namespace,
                object = %format_args!("{}/{}", object.kind, object.name),
                value = silence.value.as_deref().unwrap_or_default(),
                "ignoring the malformed {} annotation of {}/{} in namespace {}: {}",
                crate::model::SILENCE_ANNOTATION,
                object.kind,
                object.name,
                namespace,
                silence.error.as_deref().unwrap_or_default()
            );
        }
    }
}

/// The error for a partial report, listing what could not be read.
fn partial(report: &Report) -> Option<Failure> {
    if !report.partial {
        return None;
    }
    let what: Vec<&str> = report.missing.iter().map(|m| m.what.as_str()).collect();
    Some(Failure::new(
        Exit::Partial,
        anyhow::anyhow!("the report is partial: could not read {}", what.join(", ")),
    ))
}

fn render_one(
    format: Format,
    report: &Report,
    catalog: &Catalog,
    style: &Style,
) -> Result<String, Failure> {
    match format {
        Format::Markdown => render::markdown(report, catalog, style),
        Format::Html => render::html(report, catalog, style),
        Format::Json => render::json(report),
    }
    .map_err(|e| Failure::new(Exit::Usage, e))
}

fn load_config(args: &InspectArgs) -> Result<Config, Failure> {
    match &args.config {
        Some(path) => config::load(path).map_err(|e| Failure::new(Exit::Usage, e)),
        None => Ok(Config::default()),
    }
}

/// `-n`/`-A` replace the config's namespaces; exclusions add up.
fn selection(args: &InspectArgs, config: &Config) -> NamespaceSelection {
    let from_flags = args.all_namespaces || !args.namespaces.is_empty();
    let mut exclude = split_patterns(&args.exclude_namespaces);
    exclude.extend(config.namespaces.exclude.iter().cloned());
    NamespaceSelection {
        all: if from_flags {
            args.all_namespaces
        } else {
            config.namespaces.all
        },
        include: if from_flags {
            split_patterns(&args.namespaces)
        } else {
            config.namespaces.include.clone()
        },
        exclude,
    }
}

fn exclude_pods(snapshot: &mut Snapshot, config: &Config) -> Result<(), Failure> {
    let exclusions = PodExclusions::new(&config.exclude)
        .map_err(|e| Failure::new(Exit::Usage, anyhow::anyhow!(e)))?;
    snapshot.pods.retain(|p| !exclusions.excludes(p));
    Ok(())
}

fn settings(args: &InspectArgs, plan: &Plan, snapshot: &Snapshot) -> Settings {
    let config = &plan.config;
    let mut settings = Settings::new(
        plan.now,
        cluster_name(args, config, snapshot),
        Catalog::builtin(plan.lang),
    );
    settings.rules = config.rules();
    settings.unhealthy_share = config.health.unhealthy_share;
    settings.events_per_pod = config.evidence.events_per_pod as usize;
    settings.statistics = config.statistics();
    let file = args.config.as_deref().map(|p| p.display().to_string());
    settings.silences = config
        .silences
        .settings(file.as_deref().unwrap_or("config"));
    settings.kubernetes_version = args
        .kubernetes_version
        .or_else(|| {
            snapshot
                .server_version
                .as_deref()
                .and_then(KubernetesVersion::parse)
        })
        .unwrap_or_default();
    settings
}

fn style(args: &InspectArgs, config: &Config) -> Result<Style, Failure> {
    let timezone = match (&args.timezone, &config.cluster.timezone) {
        (Some(zone), _) => zone.clone(),
        (None, Some(name)) => TimeZone::get(name).map_err(|e| Failure::new(Exit::Usage, e))?,
        (None, None) => TimeZone::system(),
    };
    Ok(Style {
        timezone,
        healthy_rows_per_namespace: config.report.healthy_rows_per_namespace as usize,
        next_inspection: config.report.next_inspection,
        context: args.context(),
        templates: checked(templates(args.templates.as_deref())?)?,
    })
}

fn checked(templates: Templates) -> Result<Templates, Failure> {
    templates
        .check()
        .map_err(|e| Failure::new(Exit::Usage, e))?;
    Ok(templates)
}

/// The built-in templates, with those found in `dir` in their place.
fn templates(dir: Option<&Path>) -> Result<Templates, Failure> {
    let mut templates = Templates::default();
    let Some(dir) = dir else {
        return Ok(templates);
    };
    if !dir.is_dir() {
        return Err(Failure::new(
            Exit::Usage,
            anyhow::anyhow!("templates directory {} does not exist", dir.display()),
        ));
    }
    for (file, slot) in [
        (render::MARKDOWN_TEMPLATE, &mut templates.markdown),
        (render::PAGE_TEMPLATE, &mut templates.page),
        (render::fleet::FLEET_TEMPLATE, &mut templates.fleet),
    ] {
        let path = dir.join(file);
        if path.exists() {
            let source = std::fs::read_to_string(&path).map_err(|e| {
                Failure::new(
                    Exit::Usage,
                    anyhow::anyhow!("cannot read template {}: {e}", path.display()),
                )
            })?;
            *slot = Template {
                name: path.display().to_string(),
                source,
            };
        }
    }
    Ok(templates)
}

/// How much evidence collect reads for the problem pods.
/// `--cluster-name`, else the config's, else the kubeconfig context, else the server.
fn cluster_name(args: &InspectArgs, config: &Config, snapshot: &Snapshot) -> String {
    if let Some(name) = args.cluster_name.as_ref().or(config.cluster.name.as_ref()) {
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
