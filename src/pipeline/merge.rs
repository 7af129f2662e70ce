//! `kube-patrol merge`: one fleet report from the JSON reports of clusters that run their own
//! CronJob (air-gapped or separately managed), e.g. copied from each cluster's archive.

use std::path::Path;

use jiff::tz::TimeZone;
use serde_json::Value;

use super::fleet::{partial, render_fleet};
use super::report::{write_all_formats, write_stdout};
use super::{checked, templates};
use crate::cli::{Exit, Failure, MergeArgs};
use crate::locale::Catalog;
use crate::render::Style;
use crate::report::{ClusterEntry, FleetReport, Report, SCHEMA_VERSION};

/// What to tell whoever gave a file that cannot be merged.
const GIVE: &str = "give JSON reports written by kube-patrol: `report -o json`, the archive's .json files or latest.json";

/// Runs `kube-patrol merge`.
///
/// # Errors
/// A file that cannot be read, is not JSON, is not a kube-patrol report or has another
/// `schema_version` ([`Exit::Usage`], one line naming the file); after writing, a cluster
/// that was not read or a partial report ([`Exit::Partial`]).
pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let mut clusters = Vec::new();
    for path in &args.reports {
        clusters.extend(read_entries(path)?);
    }
    let fleet = fleet_of(clusters, args.lang);
    let catalog = Catalog::builtin(fleet.lang);
    let style = Style {
        timezone: args.timezone.clone().unwrap_or_else(TimeZone::system),
        templates: checked(templates(args.templates.as_deref())?)?,
        ..Style::default()
    };
    let render = |format| render_fleet(format, &fleet, &catalog, &style);
    match &args.out_dir {
        Some(dir) => write_all_formats(dir, render)?,
        None => write_stdout(&render(args.output)?)?,
    }
    match partial(&fleet) {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

/// The fleet of `clusters`: its time is the newest report's, its language `lang`, else the
/// first report's.
fn fleet_of(clusters: Vec<ClusterEntry>, lang: Option<crate::locale::Lang>) -> FleetReport {
    let reports = || clusters.iter().filter_map(ClusterEntry::report);
    let generated_at = reports()
        .map(|r| r.generated_at)
        .max()
        .unwrap_or_else(jiff::Timestamp::now);
    let lang = lang
        .or_else(|| reports().next().map(|r| r.lang))
        .unwrap_or_default();
    FleetReport::new(generated_at, lang, clusters)
}

/// The clusters of one file: a report is one; a fleet report gives each of its clusters.
///
/// # Errors
/// [`Exit::Usage`]: the file cannot be read, is not JSON, not a kube-patrol report, or of
/// another `schema_version`.
fn read_entries(path: &Path) -> Result<Vec<ClusterEntry>, Failure> {
    let refuse = |why: String| {
        Failure::new(
            Exit::Usage,
            anyhow::anyhow!("cannot merge {}: {why}", path.display()),
        )
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        refuse(format!(
            "{e}; check the path (a report's JSON: `report -o json`, or an archive's .json)"
        ))
    })?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| refuse(format!("it is not JSON ({e}); {GIVE}")))?;
    check_header(&value).map_err(refuse)?;
    if value.get("clusters").is_some_and(Value::is_array) {
        let fleet: FleetReport = serde_json::from_value(value).map_err(|e| {
            refuse(format!(
                "it is not a fleet report of schema_version {SCHEMA_VERSION} ({e}); {GIVE}"
            ))
        })?;
        return Ok(fleet.clusters);
    }
    let report: Report = serde_json::from_value(value).map_err(|e| {
        refuse(format!(
            "it is not a report of schema_version {SCHEMA_VERSION} ({e}); {GIVE}"
        ))
    })?;
    Ok(vec![ClusterEntry::Report(Box::new(report))])
}

/// The file says it is kube-patrol's, of this version of the format.
fn check_header(value: &Value) -> Result<(), String> {
    let tool = value.pointer("/tool/name").and_then(Value::as_str);
    if tool != Some(env!("CARGO_PKG_NAME")) {
        return Err(format!(
            "it is not a kube-patrol report (no tool.name \"kube-patrol\"); {GIVE}"
        ));
    }
    match value.get("schema_version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(SCHEMA_VERSION) => Ok(()),
        found => {
            let found = found.map_or_else(|| "1 (no schema_version)".to_owned(), |v| v.to_string());
            Err(format!(
                "its schema_version is {found}, this kube-patrol ({}) merges version {SCHEMA_VERSION} only: make the report again with this version of kube-patrol (`report -o json`), or merge it with the version that wrote it",
                env!("CARGO_PKG_VERSION")
            ))
        }
    }
}
