//! `silences:` and `silence_max:` (top-level keys) — known problems silenced in the config
//! file: read, validated and defaulted here (README's "Silences").
//!
//! ```yaml
//! silence_max: 90d
//! silences:
//!   - workload: Deployment/game-api     # along the owner chain: covers its pods across rollouts
//!     problems: [restarts_high]         # default: every problem
//!     reason: waiting for vendor fix
//!     owner: team-payments@example.com
//!     until: 2026-01-15                 # through that day (the report's time zone), or RFC 3339
//! ```
//!
//! Each entry needs `reason`, `owner` and `until`, and at least one of `namespace` (glob), `pod`
//! (glob) and `workload` (`Kind/name`). Whether `until` is within `silence_max` depends on the
//! report's time: [`SilencesConfig::check_horizon`] checks it before the cluster is read.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::read::{Reader, Section, Spanned};
use super::validate::duration;
use super::yaml::Node;
use super::{Diagnostic, Location};
use crate::analyze::duration::human_duration;
use crate::analyze::silence::{self, ConfigSilence, SilenceSettings, Until};
use crate::report::{Owner, ProblemCode};

/// The top-level keys this file reads.
pub(super) const TOP_KEYS: [&str; 2] = ["silences", "silence_max"];

/// The keys of one `silences:` entry.
const ENTRY_KEYS: [&str; 7] = [
    "namespace",
    "pod",
    "workload",
    "problems",
    "reason",
    "owner",
    "until",
];

type Text = Spanned<String>;
type Problems = Vec<Diagnostic>;

/// `silences:` and `silence_max:`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilencesConfig {
    /// How far after the report's time a silence may end; default 90 days.
    pub max: SignedDuration,
    /// The entries, in file order.
    pub entries: Vec<SilenceRule>,
}

impl Default for SilencesConfig {
    fn default() -> Self {
        SilencesConfig {
            max: silence::DEFAULT_MAX,
            entries: Vec::new(),
        }
    }
}

/// One entry of `silences:`, and where its `until` is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceRule {
    /// Its `file` is empty until [`SilencesConfig::settings`] names the file.
    pub silence: ConfigSilence,
    until_at: Location,
    until_path: String,
}

impl SilencesConfig {
    /// What the analysis needs: the entries, named as coming from `file` (the path given to
    /// `--config`), and `silence_max`.
    pub fn settings(&self, file: &str) -> SilenceSettings {
        let config = self
            .entries
            .iter()
            .map(|rule| ConfigSilence {
                file: file.to_owned(),
                ..rule.silence.clone()
            })
            .collect();
        SilenceSettings {
            config,
            max: self.max,
        }
    }

    /// Checks that no entry ends more than `silence_max` after `now` (a date counts from its
    /// first moment in `zone`, the report's time zone).
    ///
    /// # Errors
    /// One diagnostic per entry that reaches too far, at its `until`.
    pub fn check_horizon(&self, now: Timestamp, zone: &TimeZone) -> Result<(), Vec<Diagnostic>> {
        let max = human_duration(self.max);
        let problems: Vec<Diagnostic> = self
            .entries
            .iter()
            .filter(|rule| rule.silence.until.beyond(now, zone, self.max))
            .map(|rule| {
                let message = format!(
                    "`{}` is more than silence_max ({max}) after the report's time ({}): \
                     silence for less and renew it then, or raise silence_max",
                    rule.silence.until_text,
                    now.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M %Z")
                );
                Diagnostic::new(rule.until_at, rule.until_path.clone(), message)
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// `silences:` and `silence_max:` as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RawSilences {
    max: Option<Text>,
    entries: Vec<RawSilence>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct RawSilence {
    /// Where the entry starts, and its path (`silences[2]`).
    at: Location,
    path: String,
    namespace: Option<Text>,
    pod: Option<Text>,
    workload: Option<Text>,
    problems: Option<Spanned<Vec<Text>>>,
    reason: Option<Text>,
    owner: Option<Text>,
    until: Option<Text>,
}

/// Reads the two keys from the file's top-level mapping.
pub(super) fn read(r: &mut Reader, root: &Section) -> RawSilences {
    let max = r.text(root, "silence_max");
    let expected = ("a list of silences (`- workload: Deployment/x` ...)", "");
    let entries = r.list(root, "silences", expected, read_entry);
    RawSilences { max, entries }
}

fn read_entry(r: &mut Reader, item: &Node, path: String) -> RawSilence {
    let s = r.section(Some(item), &path, &ENTRY_KEYS);
    RawSilence {
        at: item.at,
        namespace: r.text(&s, "namespace"),
        pod: r.text(&s, "pod"),
        workload: r.text(&s, "workload"),
        problems: r.one_or_more(&s, "problems"),
        reason: r.text(&s, "reason"),
        owner: r.text(&s, "owner"),
        until: r.text(&s, "until"),
        path,
    }
}

/// Checks every entry; an invalid one is reported and left out.
pub(super) fn validate(raw: RawSilences, p: &mut Problems) -> SilencesConfig {
    let max = duration(raw.max, p).unwrap_or(silence::DEFAULT_MAX);
    let entries = raw
        .entries
        .into_iter()
        .filter_map(|entry| rule(entry, p))
        .collect();
    SilencesConfig { max, entries }
}

fn rule(raw: RawSilence, p: &mut Problems) -> Option<SilenceRule> {
    let before = p.len();
    let namespace = raw.namespace.clone().and_then(|g| glob(g, p));
    let pod = raw.pod.clone().and_then(|g| glob(g, p));
    let workload = raw.workload.clone().and_then(|w| workload(w, p));
    if raw.namespace.is_none() && raw.pod.is_none() && raw.workload.is_none() {
        p.push(Diagnostic::new(
            raw.at,
            raw.path.clone(),
            "says nothing of what it silences: give namespace, pod or workload \
             (namespace: \"*\" to silence a problem everywhere)",
        ));
    }
    let problems = raw
        .problems
        .clone()
        .map(|l| codes(l, p))
        .unwrap_or_default();
    let reason = required(&raw, raw.reason.clone(), "reason", "why it is silenced", p);
    let owner = required(&raw, raw.owner.clone(), "owner", "who revisits it", p);
    let until_text = required(&raw, raw.until.clone(), "until", "when it ends", p);
    let until = until_text.as_ref().and_then(|t| {
        Until::parse(&t.value)
            .map_err(|message| p.push(t.problem(message)))
            .ok()
    });
    if p.len() > before {
        return None;
    }
    let until_text = until_text?;
    Some(SilenceRule {
        silence: ConfigSilence {
            namespace,
            pod,
            workload,
            problems,
            reason: reason?.value,
            owner: owner?.value,
            until: until?,
            until_text: until_text.value,
            file: String::new(),
            line: raw.at.line,
        },
        until_at: until_text.at,
        until_path: until_text.path,
    })
}

/// A required key's text, trimmed and not empty; when missing, reported at the entry.
fn required(
    entry: &RawSilence,
    text: Option<Text>,
    key: &str,
    what: &str,
    p: &mut Problems,
) -> Option<Text> {
    let path = format!("{}.{key}", entry.path);
    let Some(mut text) = text else {
        if !p.iter().any(|d| d.path == path) {
            let message = format!("missing: `{key}` ({what}) is required");
            p.push(Diagnostic::new(entry.at, path, message));
        }
        return None;
    };
    if text.value.trim().is_empty() {
        p.push(text.problem(format!("must not be empty: say {what}")));
        return None;
    }
    text.value = text.value.trim().to_owned();
    Some(text)
}

/// A name glob that compiles.
fn glob(text: Text, p: &mut Problems) -> Option<String> {
    if text.value.trim().is_empty() {
        p.push(text.problem("must not be empty (leave it out to match any name)"));
        return None;
    }
    match globset::Glob::new(&text.value) {
        Ok(_) => Some(text.value),
        Err(e) => {
            let message = format!("invalid glob `{}`: {}", text.value, e.kind());
            p.push(text.problem(message));
            None
        }
    }
}

/// `Kind/name`: a kind such as `Deployment`, then the object's name.
fn workload(text: Text, p: &mut Problems) -> Option<Owner> {
    let parsed = text.value.trim().split_once('/').filter(|(kind, name)| {
        kind.starts_with(|c: char| c.is_ascii_uppercase())
            && kind.chars().all(|c| c.is_ascii_alphanumeric())
            && !name.is_empty()
            && !name.contains('/')
            && !name.contains(char::is_whitespace)
    });
    match parsed {
        Some((kind, name)) => Some(Owner {
            kind: kind.into(),
            name: name.into(),
        }),
        None => {
            let message = format!(
                "expected Kind/name such as Deployment/game-api or CronJob/nightly, found `{}`",
                text.value
            );
            p.push(text.problem(message));
            None
        }
    }
}

/// Problem codes, each known; an empty list is refused (it would silence nothing).
fn codes(list: Spanned<Vec<Text>>, p: &mut Problems) -> Vec<ProblemCode> {
    if list.value.is_empty() {
        p.push(
            list.problem("an empty list silences nothing: leave problems out for every problem"),
        );
        return Vec::new();
    }
    list.value
        .iter()
        .filter_map(|text| match silence::problem_code(&text.value) {
            Ok(code) => Some(code),
            Err(message) => {
                p.push(text.problem(message));
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
