//! `clusters:` (top-level key) — the clusters of a fleet run: read, validated and defaulted
//! here (README's "Fleet").
//!
//! ```yaml
//! clusters:
//!   - name: dev                                  # display name (default: the context)
//!     kubeconfig: /etc/kube-patrol/clusters/dev/kubeconfig   # default: as --kubeconfig
//!     context: dev-admin                         # default: the kubeconfig's current context
//!     namespaces: [pigo-dev]                     # default: the top-level namespaces
//!   - context: stg
//! ```
//!
//! Each entry needs `context` or `kubeconfig`; names must differ (each is a row of the fleet
//! summary and the key of its trend).

use std::path::PathBuf;

use super::Diagnostic;
use super::Location;
use super::read::{Reader, Section, Spanned};

/// The top-level key this file reads.
pub(super) const TOP_KEY: &str = "clusters";

/// The keys of one `clusters:` entry.
const ENTRY_KEYS: [&str; 4] = ["name", "context", "kubeconfig", "namespaces"];

type Text = Spanned<String>;

/// One cluster of a fleet run, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetCluster {
    /// The display name: `name`, else the context, else the kubeconfig file's stem.
    pub name: String,
    /// The kubeconfig context; `None`: the kubeconfig's current context.
    pub context: Option<String>,
    /// The kubeconfig file; `None`: `--kubeconfig`, else `$KUBECONFIG`, `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// Names or globs; empty: the top-level `namespaces:` (or `-n`/`-A`).
    pub namespaces: Vec<String>,
}

/// `clusters:` as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawClusters {
    entries: Vec<RawEntry>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct RawEntry {
    at: Location,
    path: String,
    name: Option<Text>,
    context: Option<Text>,
    kubeconfig: Option<Text>,
    namespaces: Option<Spanned<Vec<Text>>>,
}

/// Reads `clusters:` from the file's top-level mapping.
pub(super) fn read(r: &mut Reader, root: &Section) -> RawClusters {
    let expected = (
        "a list of clusters (`- context: dev` ...)",
        "; one cluster's settings go under `cluster:`",
    );
    let entries = r.list(root, TOP_KEY, expected, |r, item, path| {
        let s = r.section(Some(item), &path, &ENTRY_KEYS);
        RawEntry {
            at: item.at,
            name: r.text(&s, "name"),
            context: r.text(&s, "context"),
            kubeconfig: r.text(&s, "kubeconfig"),
            namespaces: r.one_or_more(&s, "namespaces"),
            path,
        }
    });
    RawClusters { entries }
}

/// Checks every entry; an invalid one is reported and left out.
pub(super) fn validate(raw: RawClusters, p: &mut Vec<Diagnostic>) -> Vec<FleetCluster> {
    let mut clusters: Vec<FleetCluster> = Vec::new();
    for entry in raw.entries {
        let non_empty = |t: Option<Text>, p: &mut Vec<Diagnostic>| {
            t.and_then(|t| {
                if t.value.trim().is_empty() {
                    p.push(t.problem("must not be empty (leave it out for the default)"));
                    None
                } else {
                    Some(t)
                }
            })
        };
        let name = non_empty(entry.name, p);
        let context = non_empty(entry.context, p).map(|t| t.value);
        let kubeconfig = non_empty(entry.kubeconfig, p).map(|t| PathBuf::from(t.value));
        if context.is_none() && kubeconfig.is_none() {
            p.push(Diagnostic::new(
                entry.at,
                entry.path,
                "says nothing of which cluster to read: give context and/or kubeconfig",
            ));
            continue;
        }
        let display = match (&name, &context, &kubeconfig) {
            (Some(name), _, _) => name.value.trim().to_owned(),
            (None, Some(context), _) => context.clone(),
            (None, None, kubeconfig) => kubeconfig
                .as_ref()
                .and_then(|k| k.parent().and_then(|d| d.file_name()).or(k.file_stem()))
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
        };
        if clusters.iter().any(|c| c.name == display) {
            let at = name.as_ref().map_or(entry.at, |n| n.at);
            let message = format!(
                "a second cluster named `{display}`: give each cluster its own name (it is its row in the fleet summary and the key of its trend)"
            );
            p.push(Diagnostic::new(at, format!("{}.name", entry.path), message));
            continue;
        }
        clusters.push(FleetCluster {
            name: display,
            context,
            kubeconfig,
            namespaces: entry
                .namespaces
                .map(|l| l.value.into_iter().map(|t| t.value).collect())
                .unwrap_or_default(),
        });
    }
    clusters
}
