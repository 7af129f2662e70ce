//! Reading the YAML tree into [`UnvalidatedConfig`]: each key's raw value and where it is.
//!
//! Like serde's `deny_unknown_fields`, but an unknown key or a wrong type is noted (with its line
//! and, for a typo, the closest known key) and reading goes on, so that
//! [`UnvalidatedConfig::validate`] can report it together with every other problem.

use super::yaml::{self, Entry, Kind, Node};
use super::{Diagnostic, Location, join};

/// The keys of each section, in file order; the top-level keys are the section names.
pub(super) const SECTIONS: &[(&str, &[&str])] = &[
    (
        "cluster",
        &["name", "timezone", "retries", "request_timeout", "timeout"],
    ),
    ("namespaces", &["include", "all", "exclude"]),
    ("exclude", &["pods", "labels"]),
    (
        "health",
        &[
            "restarts_attention",
            "restarts_unhealthy",
            "pending_grace",
            "not_ready_grace",
            "terminating_grace",
            "restart_window",
            "unhealthy_share",
        ],
    ),
    (
        "evidence",
        &["log_lines", "log_bytes", "events_per_pod", "concurrency"],
    ),
    ("statistics", &["age_buckets", "top_restarters"]),
    (
        "report",
        &[
            "lang",
            "next_inspection",
            "healthy_rows_per_namespace",
            "history_weeks",
            "url",
        ],
    ),
    ("archive", &["dir", "keep_count", "keep_for", "lock_wait"]),
    (
        "smtp",
        &[
            "host",
            "port",
            "tls",
            "username",
            "password_file",
            "from",
            "to",
            "cc",
            "subject",
            "timeout",
            "retries",
            "backoff",
            "ca_file",
        ],
    ),
    ("trend", &["restart_growth_abnormal"]),
];

/// A value as written in the file, with where it is and its key path.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Spanned<T> {
    pub value: T,
    pub at: Location,
    pub path: String,
}

impl<T> Spanned<T> {
    pub fn problem(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.at, self.path.clone(), message)
    }
}

type Text = Spanned<String>;

/// The config file as written: every key optional, values not yet checked against the rules.
///
/// Made by [`UnvalidatedConfig::from_yaml`], which never fails: problems found while reading (YAML
/// syntax, unknown keys, wrong types) are kept and reported by [`UnvalidatedConfig::validate`]
/// along with the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnvalidatedConfig {
    pub(super) cluster: RawCluster,
    pub(super) namespaces: RawNamespaces,
    pub(super) exclude: RawExclude,
    pub(super) health: RawHealth,
    pub(super) evidence: RawEvidence,
    pub(super) statistics: RawStatistics,
    pub(super) report: RawReport,
    pub(super) archive: RawArchive,
    pub(super) smtp: RawSmtp,
    pub(super) trend: RawTrend,
    pub(super) silences: super::silences::RawSilences,
    pub(super) clusters: super::clusters::RawClusters,
    pub(super) notify: super::notify::RawNotify,
    pub(super) teams: Vec<super::teams::RawTeam>,
    /// Found while reading; `validate` adds its own.
    pub(super) problems: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawCluster {
    pub name: Option<Text>,
    pub timezone: Option<Text>,
    pub retries: Option<Spanned<i64>>,
    pub request_timeout: Option<Text>,
    pub timeout: Option<Text>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawNamespaces {
    pub include: Vec<Text>,
    pub all: Option<Spanned<bool>>,
    pub exclude: Vec<Text>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawExclude {
    pub pods: Vec<Text>,
    pub labels: Vec<Text>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawHealth {
    pub restarts_attention: Option<Spanned<i64>>,
    pub restarts_unhealthy: Option<Spanned<i64>>,
    pub pending_grace: Option<Text>,
    pub not_ready_grace: Option<Text>,
    pub terminating_grace: Option<Text>,
    pub restart_window: Option<Text>,
    pub unhealthy_share: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawEvidence {
    pub log_lines: Option<Spanned<i64>>,
    pub log_bytes: Option<Spanned<i64>>,
    pub events_per_pod: Option<Spanned<i64>>,
    pub concurrency: Option<Spanned<i64>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawStatistics {
    /// `None`: not in the file (the default buckets); `Some(vec![])`: no buckets.
    pub age_buckets: Option<Vec<Text>>,
    pub top_restarters: Option<Spanned<i64>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawReport {
    pub lang: Option<Text>,
    pub next_inspection: Option<Text>,
    pub healthy_rows_per_namespace: Option<Spanned<i64>>,
    pub history_weeks: Option<Spanned<i64>>,
    pub url: Option<Text>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawArchive {
    pub dir: Option<Text>,
    pub keep_count: Option<Spanned<i64>>,
    pub keep_for: Option<Text>,
    pub lock_wait: Option<Text>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawSmtp {
    /// Where the `smtp` key is, when its value is a mapping: the section is there (and its
    /// required keys are missing from here). `None`: absent, null or not a mapping.
    pub at: Option<Location>,
    pub host: Option<Text>,
    pub port: Option<Spanned<i64>>,
    pub tls: Option<Text>,
    pub username: Option<Text>,
    pub password_file: Option<Text>,
    pub from: Option<Text>,
    /// A list, or a single address read as a list of one.
    pub to: Option<Spanned<Vec<Text>>>,
    pub cc: Vec<Text>,
    pub subject: Option<Text>,
    pub timeout: Option<Text>,
    pub retries: Option<Spanned<i64>>,
    pub backoff: Option<Text>,
    pub ca_file: Option<Text>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawTrend {
    pub restart_growth_abnormal: Option<Spanned<i64>>,
}

impl UnvalidatedConfig {
    /// Reads the config file's text. An empty file (or only comments) is all defaults.
    pub fn from_yaml(text: &str) -> Self {
        let mut r = Reader::default();
        let root = yaml::parse(text, &mut r.problems);
        let mut top: Vec<&str> = SECTIONS.iter().map(|(name, _)| *name).collect();
        top.extend(super::silences::TOP_KEYS);
        top.push(super::clusters::TOP_KEY);
        top.extend(super::notify::TOP_KEYS);
        top.push("teams");
        let root = r.section(root.as_ref(), "", &top);
        let sec = |r: &mut Reader, name: &str| {
            let keys = SECTIONS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(&[][..], |s| s.1);
            r.section(root.value(name), name, keys)
        };
        let s = sec(&mut r, "cluster");
        let cluster = RawCluster {
            name: r.text(&s, "name"),
            timezone: r.text(&s, "timezone"),
            retries: r.int(&s, "retries"),
            request_timeout: r.text(&s, "request_timeout"),
            timeout: r.text(&s, "timeout"),
        };
        let s = sec(&mut r, "namespaces");
        let namespaces = RawNamespaces {
            include: r.texts(&s, "include").unwrap_or_default(),
            all: r.boolean(&s, "all"),
            exclude: r.texts(&s, "exclude").unwrap_or_default(),
        };
        let s = sec(&mut r, "exclude");
        let exclude = RawExclude {
            pods: r.texts(&s, "pods").unwrap_or_default(),
            labels: r.texts(&s, "labels").unwrap_or_default(),
        };
        let s = sec(&mut r, "health");
        let health = RawHealth {
            restarts_attention: r.int(&s, "restarts_attention"),
            restarts_unhealthy: r.int(&s, "restarts_unhealthy"),
            pending_grace: r.text(&s, "pending_grace"),
            not_ready_grace: r.text(&s, "not_ready_grace"),
            terminating_grace: r.text(&s, "terminating_grace"),
            restart_window: r.text(&s, "restart_window"),
            unhealthy_share: r.float(&s, "unhealthy_share"),
        };
        let s = sec(&mut r, "evidence");
        let evidence = RawEvidence {
            log_lines: r.int(&s, "log_lines"),
            log_bytes: r.int(&s, "log_bytes"),
            events_per_pod: r.int(&s, "events_per_pod"),
            concurrency: r.int(&s, "concurrency"),
        };
        let s = sec(&mut r, "statistics");
        let statistics = RawStatistics {
            age_buckets: r.texts(&s, "age_buckets"),
            top_restarters: r.int(&s, "top_restarters"),
        };
        let s = sec(&mut r, "report");
        let report = RawReport {
            lang: r.text(&s, "lang"),
            next_inspection: r.text(&s, "next_inspection"),
            healthy_rows_per_namespace: r.int(&s, "healthy_rows_per_namespace"),
            history_weeks: r.int(&s, "history_weeks"),
            url: r.text(&s, "url"),
        };
        let s = sec(&mut r, "archive");
        let archive = RawArchive {
            dir: r.text(&s, "dir"),
            keep_count: r.int(&s, "keep_count"),
            keep_for: r.text(&s, "keep_for"),
            lock_wait: r.text(&s, "lock_wait"),
        };
        let s = sec(&mut r, "smtp");
        let smtp = r.smtp(&s, root.mapping_key_at("smtp"));
        let s = sec(&mut r, "trend");
        let trend = RawTrend {
            restart_growth_abnormal: r.int(&s, "restart_growth_abnormal"),
        };
        let silences = super::silences::read(&mut r, &root);
        let clusters = super::clusters::read(&mut r, &root);
        let notify = super::notify::read(&mut r, &root);
        let teams = super::teams::read(&mut r, &root);
        UnvalidatedConfig {
            cluster,
            namespaces,
            exclude,
            health,
            evidence,
            statistics,
            report,
            archive,
            smtp,
            trend,
            silences,
            clusters,
            notify,
            teams,
            problems: r.problems,
        }
    }
}

/// The entries of one mapping, its unknown keys already reported.
pub(super) struct Section<'n> {
    path: String,
    entries: &'n [Entry],
}

impl<'n> Section<'n> {
    /// The value of `key`, unless it is absent or null (both mean: the default).
    pub(super) fn value(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
            .filter(|v| !v.is_null())
    }

    /// Where `key` is written, when its value is a mapping.
    fn mapping_key_at(&self, key: &str) -> Option<Location> {
        self.entries
            .iter()
            .find(|e| e.key == key && matches!(e.value.kind, Kind::Map(_)))
            .map(|e| e.key_at)
    }
}

#[derive(Default)]
pub(super) struct Reader {
    pub(super) problems: Vec<Diagnostic>,
}

impl Reader {
    /// The list at the top-level `key` (`clusters`, `teams`, `silences`), each item read by
    /// `entry` from its node and its path (`teams[0]`); none when absent. A value that is not a
    /// list is reported as "expected {expected}, found ...{hint}".
    pub(super) fn list<T>(
        &mut self,
        root: &Section,
        key: &str,
        (expected, hint): (&str, &str),
        mut entry: impl FnMut(&mut Reader, &Node, String) -> T,
    ) -> Vec<T> {
        match root.value(key) {
            None => Vec::new(),
            Some(Node {
                kind: Kind::Seq(items),
                ..
            }) => items
                .iter()
                .enumerate()
                .map(|(i, item)| entry(self, item, format!("{key}[{i}]")))
                .collect(),
            Some(other) => {
                let message = format!("expected {expected}, found {}{hint}", other.describe());
                self.problems.push(Diagnostic::new(other.at, key, message));
                Vec::new()
            }
        }
    }

    /// `node` as a mapping with the `known` keys; anything else is reported.
    pub(super) fn section<'n>(
        &mut self,
        node: Option<&'n Node>,
        path: &str,
        known: &[&str],
    ) -> Section<'n> {
        let entries = match node.map(|n| (n, &n.kind)) {
            Some((_, Kind::Map(entries))) => &entries[..],
            Some((node, _)) if !node.is_null() => {
                let keys = known.join(", ");
                let message = format!(
                    "expected a mapping with keys {keys}, found {}",
                    node.describe()
                );
                self.problems.push(Diagnostic::new(node.at, path, message));
                &[]
            }
            _ => &[],
        };
        for entry in entries.iter().filter(|e| !known.contains(&e.key.as_str())) {
            let message = unknown_key(&entry.key, path, known);
            let key_path = join(path, &entry.key);
            self.problems
                .push(Diagnostic::new(entry.key_at, key_path, message));
        }
        Section {
            path: path.to_owned(),
            entries,
        }
    }

    fn smtp(&mut self, s: &Section, at: Option<Location>) -> RawSmtp {
        RawSmtp {
            at,
            host: self.text(s, "host"),
            port: self.int(s, "port"),
            tls: self.text(s, "tls"),
            username: self.text(s, "username"),
            password_file: self.text(s, "password_file"),
            from: self.text(s, "from"),
            to: self.one_or_more(s, "to"),
            cc: self.texts(s, "cc").unwrap_or_default(),
            subject: self.text(s, "subject"),
            timeout: self.text(s, "timeout"),
            retries: self.int(s, "retries"),
            backoff: self.text(s, "backoff"),
            ca_file: self.text(s, "ca_file"),
        }
    }

    /// A scalar's text, whatever it looks like (`name: 2024` is the name "2024").
    pub(super) fn text(&mut self, s: &Section, key: &str) -> Option<Text> {
        let node = s.value(key)?;
        let path = join(&s.path, key);
        self.scalar(node, path, "a text value")
    }

    pub(super) fn int(&mut self, s: &Section, key: &str) -> Option<Spanned<i64>> {
        self.parsed(s, key, "a whole number", |t| t.parse().ok())
    }

    fn float(&mut self, s: &Section, key: &str) -> Option<Spanned<f64>> {
        let finite = |t: &str| t.parse::<f64>().ok().filter(|f| f.is_finite());
        self.parsed(s, key, "a number", finite)
    }

    /// YAML 1.2's spellings only: `yes` and `on` are not booleans.
    fn boolean(&mut self, s: &Section, key: &str) -> Option<Spanned<bool>> {
        self.parsed(s, key, "true or false", |t| match t {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        })
    }

    fn parsed<T>(
        &mut self,
        s: &Section,
        key: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let text = self.text(s, key)?;
        match parse(&text.value) {
            Some(value) => Some(Spanned {
                value,
                at: text.at,
                path: text.path,
            }),
            None => {
                let message = format!("expected {expected}, found `{}`", text.value);
                self.problems.push(text.problem(message));
                None
            }
        }
    }

    /// A list of scalars; `None` when the key is absent or null.
    fn texts(&mut self, s: &Section, key: &str) -> Option<Vec<Text>> {
        let node = s.value(key)?;
        let path = join(&s.path, key);
        let Kind::Seq(items) = &node.kind else {
            let message = format!(
                "expected a list such as [\"a\", \"b\"], found {}",
                node.describe()
            );
            self.problems.push(Diagnostic::new(node.at, path, message));
            return None;
        };
        let texts = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.scalar(item, format!("{path}[{i}]"), "a text value"))
            .collect();
        Some(texts)
    }

    /// A list of scalars, or one scalar as a list of one (`to: sre@example.com`); where it is.
    pub(super) fn one_or_more(&mut self, s: &Section, key: &str) -> Option<Spanned<Vec<Text>>> {
        let node = s.value(key)?;
        let value = match node.kind {
            Kind::Scalar { .. } => vec![self.text(s, key)?],
            _ => self.texts(s, key)?,
        };
        Some(Spanned {
            value,
            at: node.at,
            path: join(&s.path, key),
        })
    }

    fn scalar(&mut self, node: &Node, path: String, expected: &str) -> Option<Text> {
        match &node.kind {
            Kind::Scalar { text, .. } => Some(Spanned {
                value: text.clone(),
                at: node.at,
                path,
            }),
            _ => {
                let message = format!("expected {expected}, found {}", node.describe());
                self.problems.push(Diagnostic::new(node.at, path, message));
                None
            }
        }
    }
}

/// "unknown key", with the closest known key for a typo, or the section where the key belongs.
fn unknown_key(key: &str, section: &str, known: &[&str]) -> String {
    let closest = known
        .iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(key, k), *k))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, k)) = closest {
        return format!("unknown key; did you mean `{k}`?");
    }
    let home = SECTIONS
        .iter()
        .find(|(name, keys)| *name != section && keys.contains(&key));
    if let Some((name, _)) = home {
        return format!("unknown key here; `{key}` belongs under `{name}`");
    }
    let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    format!("unknown key; expected one of {}", expected.join(", "))
}
