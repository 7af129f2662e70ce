//! What `merge` and the fleet runs share: rendering a fleet report in a format, and its exit
//! once written.

use crate::cli::{Exit, Failure, Format};
use crate::locale::Catalog;
use crate::render::{self, Style};
use crate::report::{ClusterEntry, FleetReport};

/// The fleet report in one format.
pub(super) fn render_fleet(
    format: Format,
    fleet: &FleetReport,
    catalog: &Catalog,
    style: &Style,
) -> Result<String, Failure> {
    match format {
        Format::Markdown => render::fleet::markdown(fleet, catalog, style),
        Format::Html => render::fleet::html(fleet, catalog, style),
        Format::Json => render::fleet::json(fleet),
    }
    .map_err(|e| Failure::new(Exit::Usage, e))
}

/// Exit 4 when a cluster could not be read or its report is partial, naming them.
pub(super) fn partial(fleet: &FleetReport) -> Option<Failure> {
    let what: Vec<String> = fleet
        .clusters
        .iter()
        .filter_map(|c| match c {
            ClusterEntry::Unread(u) => Some(format!("cluster {} ({})", u.cluster, u.reason)),
            ClusterEntry::Report(r) if r.partial => {
                let missing: Vec<&str> = r.missing.iter().map(|m| m.what.as_str()).collect();
                Some(format!("{} of cluster {}", missing.join(", "), r.cluster))
            }
            ClusterEntry::Report(_) => None,
        })
        .collect();
    if what.is_empty() {
        return None;
    }
    Some(Failure::new(
        Exit::Partial,
        anyhow::anyhow!(
            "the fleet report is partial: could not read {}",
            what.join("; ")
        ),
    ))
}
