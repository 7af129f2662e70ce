//! The `report` command: flags and config file merged into each stage's settings, then
//! collect → analyze → render → standard output.

use std::io::Write;
use std::path::Path;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::analyze::{self, Settings};
use crate::cli::{Exit, Failure, Format, ReportArgs};
use crate::collect::{self, ClusterOptions, EvidenceOptions, NamespaceSelection, split_patterns};
use crate::config::{self, Config, PodExclusions};
use crate::locale::Catalog;
use crate::render::{self, Style, Template, Templates};
use crate::report::Report;
use crate::snapshot::{Snapshot, Source};

/// Runs `kube-patrol report`.
///
/// # Errors
/// A [`Failure`] carrying the exit code for the binary. A partial report is written first,
/// then reported as [`Exit::Partial`].
pub async fn report(args: ReportArgs) -> Result<(), Failure> {
    let config = load_config(&args)?;
    let selection = selection(&args, &config);
    if !selection.all && selection.include.is_empty() {
        return Err(Failure::new(Exit::Usage, collect::Error::NoNamespace));
    }
    let now = args.now.unwrap_or_else(Timestamp::now);
    let evidence = evidence_options(&config, now);
    let mut snapshot = collect_snapshot(&args, &selection, &evidence).await?;
    exclude_pods(&mut snapshot, &config)?;
    let settings = settings(&args, &config, &snapshot, now);
    let report = analyze::analyze(&snapshot, &settings);
    let style = style(&args, &config)?;
    match &args.out_dir {
        Some(dir) => write_all_formats(dir, &report, &settings.catalog, &style)?,
        None => write_stdout(&render_one(
            args.output,
            &report,
            &settings.catalog,
            &style,
        )?)?,
    }
    if report.partial {
        let what: Vec<&str> = report.missing.iter().map(|m| m.what.as_str()).collect();
        return Err(Failure::new(
            Exit::Partial,
            anyhow::anyhow!("the report is partial: could not read {}", what.join(", ")),
        ));
    }
    Ok(())
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

/// Every format into `dir`; each file is complete before the next is written.
fn write_all_formats(
    dir: &Path,
    report: &Report,
    catalog: &Catalog,
    style: &Style,
) -> Result<(), Failure> {
    let fail = |e: std::io::Error, what: &Path| {
        Failure::new(
            Exit::Usage,
            anyhow::anyhow!(
                "cannot write {}: {e} (check that the directory is writable and has room)",
                what.display()
            ),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(e, dir))?;
    for (name, format) in [
        ("report.md", Format::Markdown),
        ("report.html", Format::Html),
        ("report.json", Format::Json),
    ] {
        let path = dir.join(name);
        let text = render_one(format, report, catalog, style)?;
        std::fs::write(&path, text).map_err(|e| fail(e, &path))?;
        tracing::info!(path = %path.display(), "wrote");
    }
    Ok(())
}

fn load_config(args: &ReportArgs) -> Result<Config, Failure> {
    match &args.config {
        Some(path) => config::load(path).map_err(|e| Failure::new(Exit::Usage, e)),
        None => Ok(Config::default()),
    }
}

/// `-n`/`-A` replace the config's namespaces; exclusions add up.
fn selection(args: &ReportArgs, config: &Config) -> NamespaceSelection {
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

fn settings(args: &ReportArgs, config: &Config, snapshot: &Snapshot, now: Timestamp) -> Settings {
    let lang = args.lang.unwrap_or(config.report.lang);
    let mut settings = Settings::new(
        now,
        cluster_name(args, config, snapshot),
        Catalog::builtin(lang),
    );
    settings.rules = config.rules();
    settings.unhealthy_share = config.health.unhealthy_share;
    settings.events_per_pod = config.evidence.events_per_pod as usize;
    settings.statistics = config.statistics();
    settings
}

fn style(args: &ReportArgs, config: &Config) -> Result<Style, Failure> {
    let timezone = match (&args.timezone, &config.cluster.timezone) {
        (Some(zone), _) => zone.clone(),
        (None, Some(name)) => TimeZone::get(name).map_err(|e| Failure::new(Exit::Usage, e))?,
        (None, None) => TimeZone::system(),
    };
    Ok(Style {
        timezone,
        healthy_rows_per_namespace: config.report.healthy_rows_per_namespace as usize,
        next_inspection: config.report.next_inspection,
        context: args.context.clone(),
        templates: templates(args.templates.as_deref())?,
    })
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

/// What collect needs to fetch evidence for the problem pods only.
fn evidence_options(config: &Config, now: Timestamp) -> EvidenceOptions {
    EvidenceOptions {
        rules: config.rules(),
        log_lines: config.evidence.log_lines as usize,
        log_bytes: config.evidence.log_bytes as usize,
        concurrency: config.evidence.concurrency as usize,
        ..EvidenceOptions::new(now)
    }
}

async fn collect_snapshot(
    args: &ReportArgs,
    selection: &NamespaceSelection,
    evidence: &EvidenceOptions,
) -> Result<Snapshot, Failure> {
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
            collect::from_dump(path, selection, evidence)
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
                    collect::from_cluster(&client, source, selection, &opts, evidence).await
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

/// `--cluster-name`, else the config's, else the kubeconfig context, else the server.
fn cluster_name(args: &ReportArgs, config: &Config, snapshot: &Snapshot) -> String {
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
