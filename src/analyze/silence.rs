//! Silences: known problems acknowledged with a reason, an owner and an end, written in the
//! config file (`silences:`) or on the cluster, in the `kube-patrol.io/silence` annotation of a
//! pod or of any owner in its chain (README's "Silences").
//!
//! A silenced problem leaves the report's 🔴/🟡 tables, its overall state, its immediate
//! actions and the summary's counts until the silence ends; the namespaces' counts and the
//! trend still see it. The silence that applies to a problem pod is the first, in this order,
//! that covers at least one of its problems: the pod's own annotation, its owners' (nearest
//! first), then the config's entries in file order. One silence applies per pod; an ended one
//! puts the problems it covered back, marked.

mod annotation;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

pub use annotation::{Fields, parse as parse_annotation};

use super::duration::human_duration;
use super::health::{Assessment, Finding};
use super::owners::Owner;
use crate::locale::Catalog;
use crate::model::{ObjectMeta, Pod, SILENCE_ANNOTATION, Str, Workloads, find};
use crate::report::{PodRow, PodSilence, ProblemCode};
use crate::report::{SilenceEntry, SilenceSource, SilenceState};

/// A silence ending within this long after the report's time is listed as a reminder.
pub const EXPIRING_WITHIN: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The default of `silence_max`: how far ahead a silence may end.
pub const DEFAULT_MAX: SignedDuration = SignedDuration::from_hours(90 * 24);

/// When a silence ends, as written: a date (through the end of that day) or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// `2026-01-15`: the operator reads it as including the 15th, so the silence lasts until
    /// the 16th begins in the report's time zone.
    Date(Date),
    /// An RFC 3339 time with its offset (`2026-01-15T18:00:00+08:00`).
    Time(Timestamp),
}

impl Until {
    /// Reads `YYYY-MM-DD` or an RFC 3339 time.
    ///
    /// # Errors
    /// Anything else, e.g. a time without an offset; the message shows both forms.
    pub fn parse(text: &str) -> Result<Until, String> {
        let text = text.trim();
        let parsed = if is_date_shaped(text) {
            text.parse::<Date>().ok().map(Until::Date)
        } else {
            text.parse::<Timestamp>().ok().map(Until::Time)
        };
        parsed.ok_or_else(|| {
            format!(
                "expected a date such as 2026-01-15 or an RFC 3339 time such as \
                 2026-01-15T18:00:00+08:00, found `{text}`"
            )
        })
    }

    /// The moment the silence ends: the start of the next day in `zone` for a date.
    pub fn ends_at(self, zone: &TimeZone) -> Timestamp {
        match self {
            Until::Time(at) => at,
            Until::Date(day) => day
                .tomorrow()
                .map_or(Timestamp::MAX, |next| start(next, zone)),
        }
    }

    /// Whether it reaches further than `max` past `now`. A date counts from its first moment,
    /// so that `until` may name the day `max` after today.
    pub fn beyond(self, now: Timestamp, zone: &TimeZone, max: SignedDuration) -> bool {
        let first = match self {
            Until::Time(at) => at,
            Until::Date(day) => start(day, zone),
        };
        first > now.checked_add(max).unwrap_or(Timestamp::MAX)
    }
}

fn start(day: Date, zone: &TimeZone) -> Timestamp {
    day.to_zoned(zone.clone())
        .map_or(Timestamp::MAX, |z| z.timestamp())
}

fn is_date_shaped(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// A problem code as the JSON writes it (`crash_loop`).
///
/// # Errors
/// An unknown code, with the closest known one when it looks like a typo.
pub fn problem_code(text: &str) -> Result<ProblemCode, String> {
    let text = text.trim();
    if let Some(code) = ProblemCode::parse(text) {
        return Ok(code);
    }
    let closest = ProblemCode::ALL
        .iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(text, c.as_str()), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Err(match closest {
        Some((_, code)) => format!("unknown problem code `{text}`; did you mean `{code}`?"),
        None => format!(
            "unknown problem code `{text}` (the codes are in README's health rules, e.g. \
             crash_loop, restarts_high)"
        ),
    })
}

/// An entry of the config file's `silences:` list, validated: its globs compile, its codes
/// are known, `reason`, `owner` and `until` are there, and at least one of `namespace`, `pod`
/// and `workload` says what it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSilence {
    /// A namespace name glob (`pigo-*`).
    pub namespace: Option<String>,
    /// A pod name glob (`game-api-*`).
    pub pod: Option<String>,
    /// An owner anywhere in the pod's chain, so a Deployment's silence covers its pods across
    /// rollouts.
    pub workload: Option<Owner>,
    /// The problem codes it covers; empty: every problem.
    pub problems: Vec<ProblemCode>,
    pub reason: String,
    pub owner: String,
    pub until: Until,
    /// `until` as written.
    pub until_text: String,
    /// The config file as given to `--config`, and the entry's first line.
    pub file: String,
    pub line: usize,
}

/// What the analysis knows of silences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceSettings {
    /// The config file's entries, in file order.
    pub config: Vec<ConfigSilence>,
    /// `silence_max`: an annotation whose `until` reaches further past the report's time is
    /// invalid (the config's entries were checked before the cluster was read).
    pub max: SignedDuration,
}

impl Default for SilenceSettings {
    fn default() -> Self {
        SilenceSettings {
            config: Vec::new(),
            max: DEFAULT_MAX,
        }
    }
}

/// What the silences do to one problem pod.
#[derive(Debug, Default)]
pub struct Verdict {
    /// The silence in force, and which of the pod's problems it covers.
    pub silenced: Option<PodSilence>,
    /// The first ended silence that covered a problem still open: the mark it leaves.
    pub expired: Option<PodSilence>,
}

/// An annotation's object: namespace, kind, name.
type ObjectKey = (Str, Str, Str);

/// Where a candidate silence is kept.
#[derive(Debug, Clone)]
enum Ref {
    Annotation(ObjectKey),
    Config(usize),
}

/// A name glob of a config entry, compiled.
enum Pattern {
    /// Not given: any name.
    Any,
    Glob(GlobMatcher),
    /// A glob that does not compile (validation refuses them): no name.
    Never,
}

impl Pattern {
    fn new(glob: Option<&str>) -> Self {
        match glob.map(Glob::new) {
            None => Pattern::Any,
            Some(Ok(glob)) => Pattern::Glob(glob.compile_matcher()),
            Some(Err(_)) => Pattern::Never,
        }
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Glob(g) => g.is_match(name),
            Pattern::Never => false,
        }
    }
}

/// A config entry's compiled matchers.
struct Matcher {
    namespace: Pattern,
    pod: Pattern,
    workload: Option<Owner>,
}

impl Matcher {
    fn new(silence: &ConfigSilence) -> Self {
        Matcher {
            namespace: Pattern::new(silence.namespace.as_deref()),
            pod: Pattern::new(silence.pod.as_deref()),
            workload: silence.workload.clone(),
        }
    }

    fn matches(&self, namespace: &str, pod: &str, chain: &[Owner]) -> bool {
        self.namespace.matches(namespace)
            && self.pod.matches(pod)
            && self.workload.as_ref().is_none_or(|w| chain.contains(w))
    }
}

/// Applies the silences to the problem pods one by one, counting what each covers, then lists
/// them all with their states ([`Silencer::finish`]).
pub struct Silencer<'a> {
    now: Timestamp,
    zone: &'a TimeZone,
    max: SignedDuration,
    workloads: &'a Workloads,
    config: Vec<(Matcher, SilenceEntry)>,
    /// Every annotation read so far, by the object it is on.
    annotations: BTreeMap<ObjectKey, SilenceEntry>,
}

impl<'a> Silencer<'a> {
    /// `now` and `zone` are the report's; `workloads` hold the owners' annotations.
    pub fn new(
        settings: &SilenceSettings,
        now: Timestamp,
        zone: &'a TimeZone,
        workloads: &'a Workloads,
    ) -> Self {
        let config = settings
            .config
            .iter()
            .map(|s| (Matcher::new(s), config_entry(s, zone)))
            .collect();
        Silencer {
            now,
            zone,
            max: settings.max,
            workloads,
            config,
            annotations: BTreeMap::new(),
        }
    }

    /// The silences of a problem pod whose problems are `codes` (most severe first); `chain`
    /// is its owner chain, nearest first.
    pub fn judge(&mut self, pod: &Pod, chain: &[Owner], codes: &[ProblemCode]) -> Verdict {
        let now = self.now;
        let mut silenced: Option<PodSilence> = None;
        let mut expired = Vec::new();
        for candidate in self.candidates(pod, chain) {
            let Some(entry) = self.entry_mut(&candidate) else {
                continue;
            };
            let covered = covered(entry, codes);
            if entry.state == SilenceState::Invalid || covered.is_empty() {
                continue;
            }
            entry.matched += 1;
            let silence = pod_silence(entry, covered);
            if silence.ends_at > now {
                silenced.get_or_insert(silence);
            } else {
                expired.push(silence);
            }
        }
        let open =
            |code: &ProblemCode| silenced.as_ref().is_none_or(|s| !s.problems.contains(code));
        let expired = expired.into_iter().find(|s| s.problems.iter().any(open));
        Verdict { silenced, expired }
    }

    /// Every silence that might apply to the pod, in the order of precedence.
    fn candidates(&mut self, pod: &Pod, chain: &[Owner]) -> Vec<Ref> {
        let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let mut refs = Vec::new();
        refs.extend(self.read(namespace, "Pod", name, &pod.metadata));
        for owner in chain {
            let workloads = self.workloads.of_kind(&owner.kind);
            if let Some(w) = find(workloads, namespace, &owner.name) {
                refs.extend(self.read(namespace, &owner.kind, &owner.name, &w.metadata));
            }
        }
        let matching = self.config.iter().enumerate();
        refs.extend(
            matching
                .filter(|(_, (m, _))| m.matches(namespace, name, chain))
                .map(|(i, _)| Ref::Config(i)),
        );
        refs
    }

    /// The object's annotation, read once.
    fn read(&mut self, namespace: &str, kind: &str, name: &str, meta: &ObjectMeta) -> Option<Ref> {
        let value = meta.annotations.as_ref()?.get(SILENCE_ANNOTATION)?;
        let key: ObjectKey = (namespace.into(), kind.into(), name.into());
        if !self.annotations.contains_key(&key) {
            let entry = self.annotation_entry(&key, value);
            self.annotations.insert(key.clone(), entry);
        }
        Some(Ref::Annotation(key))
    }

    fn annotation_entry(&self, key: &ObjectKey, value: &str) -> SilenceEntry {
        let (namespace, kind, name) = key;
        let source = SilenceSource::Annotation {
            namespace: namespace.clone(),
            object: Owner {
                kind: kind.clone(),
                name: name.clone(),
            },
        };
        let is_pod = kind == "Pod";
        let mut entry = SilenceEntry {
            namespace: Some(namespace.to_string()),
            pod: is_pod.then(|| name.to_string()),
            workload: (!is_pod).then(|| format!("{kind}/{name}")),
            problems: Vec::new(),
            reason: String::new(),
            owner: String::new(),
            until: String::new(),
            ends_at: None,
            source,
            state: SilenceState::Active,
            matched: 0,
            value: None,
            error: None,
        };
        match self.fields(value) {
            Ok(fields) => {
                entry.ends_at = Some(fields.until.ends_at(self.zone));
                entry.problems = fields.problems;
                entry.reason = fields.reason;
                entry.owner = fields.owner;
                entry.until = fields.until_text;
            }
            Err(error) => {
                entry.state = SilenceState::Invalid;
                entry.value = Some(value.to_owned());
                entry.error = Some(error);
            }
        }
        entry
    }

    /// The annotation's fields, its `until` within `silence_max`.
    fn fields(&self, value: &str) -> Result<Fields, String> {
        let fields = parse_annotation(value)?;
        if fields.until.beyond(self.now, self.zone, self.max) {
            return Err(format!(
                "until {} is more than silence_max ({}) after the report's time: \
                 silence for less, and renew it when it ends",
                fields.until_text,
                human_duration(self.max)
            ));
        }
        Ok(fields)
    }

    fn entry_mut(&mut self, r: &Ref) -> Option<&mut SilenceEntry> {
        match r {
            Ref::Config(i) => self.config.get_mut(*i).map(|(_, e)| e),
            Ref::Annotation(key) => self.annotations.get_mut(key),
        }
    }

    /// Every silence with its state: the config's in file order, then the annotations that
    /// cover a problem pod or are invalid (those of every workload are read, so that a
    /// malformed one is listed even when its pods are healthy), by namespace, kind and name.
    pub fn finish(mut self) -> Vec<SilenceEntry> {
        self.read_every_workload();
        let (now, config) = (self.now, std::mem::take(&mut self.config));
        let config = config.into_iter().map(|(_, e)| with_state(e, now, true));
        let annotations = self
            .annotations
            .into_values()
            .map(|e| with_state(e, now, false))
            .filter(|e| e.state == SilenceState::Invalid || e.matched > 0);
        config.chain(annotations).collect()
    }

    fn read_every_workload(&mut self) {
        let w = self.workloads;
        let kinds = [
            ("ReplicaSet", &w.replica_sets),
            ("Deployment", &w.deployments),
            ("StatefulSet", &w.stateful_sets),
            ("DaemonSet", &w.daemon_sets),
            ("Job", &w.jobs),
            ("CronJob", &w.cron_jobs),
        ];
        for (kind, workloads) in kinds {
            for workload in workloads {
                let meta = &workload.metadata;
                let namespace = meta.namespace.as_deref().unwrap_or_default();
                let name = meta.name.as_deref().unwrap_or_default();
                self.read(namespace, kind, name, meta);
            }
        }
    }
}

/// The codes among `codes` that the entry covers.
fn covered(entry: &SilenceEntry, codes: &[ProblemCode]) -> Vec<ProblemCode> {
    codes
        .iter()
        .copied()
        .filter(|c| entry.problems.is_empty() || entry.problems.contains(c))
        .collect()
}

fn pod_silence(entry: &SilenceEntry, problems: Vec<ProblemCode>) -> PodSilence {
    PodSilence {
        reason: entry.reason.clone(),
        owner: entry.owner.clone(),
        until: entry.until.clone(),
        ends_at: entry.ends_at.unwrap_or(Timestamp::MIN),
        source: entry.source.clone(),
        problems,
    }
}

fn config_entry(s: &ConfigSilence, zone: &TimeZone) -> SilenceEntry {
    SilenceEntry {
        namespace: s.namespace.clone(),
        pod: s.pod.clone(),
        workload: s
            .workload
            .as_ref()
            .map(|w| format!("{}/{}", w.kind, w.name)),
        problems: s.problems.clone(),
        reason: s.reason.clone(),
        owner: s.owner.clone(),
        until: s.until_text.clone(),
        ends_at: Some(s.until.ends_at(zone)),
        source: SilenceSource::Config {
            file: s.file.clone(),
            line: s.line,
        },
        state: SilenceState::Active,
        matched: 0,
        value: None,
        error: None,
    }
}

/// The entry's state at `now`: ended, else (config only) unused, else ending within
/// [`EXPIRING_WITHIN`], else active. An invalid one stays invalid.
fn with_state(mut entry: SilenceEntry, now: Timestamp, from_config: bool) -> SilenceEntry {
    let Some(ends_at) = entry
        .ends_at
        .filter(|_| entry.state != SilenceState::Invalid)
    else {
        return entry;
    };
    entry.state = if ends_at <= now {
        SilenceState::Expired
    } else if from_config && entry.matched == 0 {
        SilenceState::Unused
    } else if now.duration_until(ends_at) <= EXPIRING_WITHIN {
        SilenceState::Expiring
    } else {
        SilenceState::Active
    };
    entry
}

/// The assessment of the problems no silence covers: the whole one when nothing is silenced.
pub fn open_assessment(assessment: Assessment, silenced: Option<&PodSilence>) -> Assessment {
    let Some(silence) = silenced else {
        return assessment;
    };
    let findings: Vec<Finding> = assessment
        .findings
        .into_iter()
        .filter(|f| !silence.problems.contains(&f.code))
        .collect();
    Assessment::of(findings)
}

/// Puts the silences' verdict on a problem pod's row: the silence in force, the mark of an
/// expired one, the analysis lines that say so, and the description of its most severe open
/// problem (its most severe one when all are silenced).
pub fn mark(row: &mut PodRow, verdict: Verdict, t: &Catalog) {
    let Verdict { silenced, expired } = verdict;
    if let Some(s) = &silenced {
        let codes: Vec<&str> = s.problems.iter().map(|c| c.as_str()).collect();
        let args = [
            ("problems", codes.join(", ")),
            ("reason", s.reason.clone()),
            ("owner", s.owner.clone()),
            ("until", s.until.clone()),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        row.analysis
            .push(t.text("silence.analysis_silenced", &args));
    }
    if let Some(e) = &expired {
        row.analysis.push(expired_mark(e, t));
    }
    row.silenced = silenced.map(Box::new);
    row.silence_expired = expired.map(Box::new);
    let top = row.open_problems().next().or(row.problems.first());
    let description = top.map(|p| p.message.clone());
    row.description = match (&row.silence_expired, description) {
        (Some(e), Some(text)) => Some(format!("{text} {}", expired_mark(e, t))),
        (_, text) => text,
    };
}

/// `🔕 silence expired on 2026-01-15 (owner team@example.com)`.
pub fn expired_mark(silence: &PodSilence, t: &Catalog) -> String {
    t.text(
        "silence.expired_mark",
        &[("until", &silence.until), ("owner", &silence.owner)],
    )
}
