//! The rules: [`UnvalidatedConfig::validate`] checks every value and collects every problem.
//!
//! Each section is checked on its own; an invalid value is reported and replaced by its default so
//! that the checks after it (such as `restarts_unhealthy > restarts_attention`) still run.

use std::ops::RangeInclusive;

use jiff::{SignedDuration, Span, SpanRelativeTo, tz::TimeZone};

use super::read::{
    RawCluster, RawEvidence, RawExclude, RawHealth, RawNamespaces, RawReport, RawStatistics,
    Spanned,
};
use super::{
    AgeBucket, ClusterConfig, Config, Diagnostic, EvidenceConfig, ExcludeConfig, HealthConfig,
    LabelMatch, Lang, NamespacesConfig, ReportConfig, StatisticsConfig, UnvalidatedConfig,
};

type Problems = Vec<Diagnostic>;

impl UnvalidatedConfig {
    /// Checks every value against the rules.
    ///
    /// # Errors
    /// Every problem, those found while reading the file included, sorted by line.
    pub fn validate(self) -> Result<Config, Vec<Diagnostic>> {
        let mut problems = self.problems;
        let p = &mut problems;
        let config = Config {
            cluster: cluster(self.cluster, p),
            namespaces: namespaces(self.namespaces, p),
            exclude: exclude(self.exclude, p),
            health: health(self.health, p),
            evidence: evidence(self.evidence, p),
            statistics: statistics(self.statistics, p),
            report: report(self.report, p),
        };
        if problems.is_empty() {
            Ok(config)
        } else {
            problems.sort_by_key(|d| d.location);
            Err(problems)
        }
    }
}

fn cluster(raw: RawCluster, p: &mut Problems) -> ClusterConfig {
    let timezone = raw
        .timezone
        .and_then(|zone| match TimeZone::get(&zone.value) {
            Ok(_) => Some(zone.value),
            Err(_) => {
                let message = format!(
                    "unknown time zone `{}` (use an IANA name such as Asia/Taipei or UTC)",
                    zone.value
                );
                p.push(zone.problem(message));
                None
            }
        });
    let name = raw.name.and_then(|name| {
        if name.value.trim().is_empty() {
            p.push(name.problem("must not be empty (leave it out to use the context's name)"));
            return None;
        }
        Some(name.value)
    });
    ClusterConfig { name, timezone }
}

fn namespaces(raw: RawNamespaces, p: &mut Problems) -> NamespacesConfig {
    let all = raw.all.as_ref().is_some_and(|all| all.value);
    if let Some(flag) = raw.all.filter(|_| all && !raw.include.is_empty()) {
        p.push(flag.problem(
            "`all: true` already inspects every namespace: remove namespaces.include or set all to false",
        ));
    }
    NamespacesConfig {
        include: globs(raw.include, p),
        all,
        exclude: globs(raw.exclude, p),
    }
}

fn exclude(raw: RawExclude, p: &mut Problems) -> ExcludeConfig {
    let labels = raw
        .labels
        .into_iter()
        .filter_map(|text| match LabelMatch::parse(&text.value) {
            Ok(label) => Some(label),
            Err(message) => {
                p.push(text.problem(message));
                None
            }
        })
        .collect();
    ExcludeConfig {
        pods: globs(raw.pods, p),
        labels,
    }
}

fn health(raw: RawHealth, p: &mut Problems) -> HealthConfig {
    let d = HealthConfig::default();
    let attention = number(raw.restarts_attention.as_ref(), 1..=u32::MAX, p);
    let unhealthy = number(raw.restarts_unhealthy.as_ref(), 1..=u32::MAX, p);
    let health = HealthConfig {
        restarts_attention: attention.unwrap_or(d.restarts_attention),
        restarts_unhealthy: unhealthy.unwrap_or(d.restarts_unhealthy),
        pending_grace: duration(raw.pending_grace, p).unwrap_or(d.pending_grace),
        not_ready_grace: duration(raw.not_ready_grace, p).unwrap_or(d.not_ready_grace),
        terminating_grace: duration(raw.terminating_grace, p).unwrap_or(d.terminating_grace),
        unhealthy_share: share(raw.unhealthy_share, p).unwrap_or(d.unhealthy_share),
    };
    // Compare only values that are valid (a bad one is already reported).
    let valid = |raw: &Option<Spanned<i64>>, n: Option<u32>| raw.is_none() || n.is_some();
    if valid(&raw.restarts_attention, attention)
        && valid(&raw.restarts_unhealthy, unhealthy)
        && health.restarts_unhealthy <= health.restarts_attention
    {
        let (a, u) = (health.restarts_attention, health.restarts_unhealthy);
        if let Some(written) = &raw.restarts_unhealthy {
            p.push(written.problem(format!("must be greater than restarts_attention ({a})")));
        } else if let Some(written) = &raw.restarts_attention {
            let message = format!("must be less than restarts_unhealthy ({u}, the default)");
            p.push(written.problem(message));
        }
    }
    health
}

fn evidence(raw: RawEvidence, p: &mut Problems) -> EvidenceConfig {
    let d = EvidenceConfig::default();
    EvidenceConfig {
        log_lines: number(raw.log_lines.as_ref(), 1..=10_000, p).unwrap_or(d.log_lines),
        log_bytes: number(raw.log_bytes.as_ref(), 1024..=16 * 1024 * 1024, p)
            .unwrap_or(d.log_bytes),
        events_per_pod: number(raw.events_per_pod.as_ref(), 0..=1000, p)
            .unwrap_or(d.events_per_pod),
        concurrency: number(raw.concurrency.as_ref(), 1..=64, p).unwrap_or(d.concurrency),
    }
}

fn statistics(raw: RawStatistics, p: &mut Problems) -> StatisticsConfig {
    let d = StatisticsConfig::default();
    let age_buckets = match raw.age_buckets {
        None => d.age_buckets,
        Some(texts) => age_buckets(texts, p),
    };
    StatisticsConfig {
        age_buckets,
        top_restarters: number(raw.top_restarters.as_ref(), 0..=1000, p)
            .unwrap_or(d.top_restarters),
    }
}

fn report(raw: RawReport, p: &mut Problems) -> ReportConfig {
    let d = ReportConfig::default();
    let lang = raw.lang.and_then(|lang| match lang.value.as_str() {
        "zh-TW" => Some(Lang::ZhTw),
        "en" => Some(Lang::En),
        other => {
            p.push(lang.problem(format!("must be `zh-TW` or `en`, found `{other}`")));
            None
        }
    });
    ReportConfig {
        lang: lang.unwrap_or(d.lang),
        next_inspection: duration(raw.next_inspection, p).unwrap_or(d.next_inspection),
        healthy_rows_per_namespace: number(
            raw.healthy_rows_per_namespace.as_ref(),
            0..=u32::MAX,
            p,
        )
        .unwrap_or(d.healthy_rows_per_namespace),
    }
}

/// The value if written and in `range`; `None` if not written or reported as out of range.
fn number(raw: Option<&Spanned<i64>>, range: RangeInclusive<u32>, p: &mut Problems) -> Option<u32> {
    let raw = raw?;
    match u32::try_from(raw.value) {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            let (low, high) = (range.start(), range.end());
            let message = if *high == u32::MAX {
                format!("must be at least {low}, found {}", raw.value)
            } else {
                format!("must be between {low} and {high}, found {}", raw.value)
            };
            p.push(raw.problem(message));
            None
        }
    }
}

fn share(raw: Option<Spanned<f64>>, p: &mut Problems) -> Option<f64> {
    let raw = raw?;
    if (0.0..=1.0).contains(&raw.value) {
        Some(raw.value)
    } else {
        p.push(raw.problem(format!(
            "must be a share between 0 and 1 (0.2 = 20%), found {}",
            raw.value
        )));
        None
    }
}

/// A positive duration such as `15m`, `1h30m` or `7d` (a day is 24 hours; months and years are
/// refused, their length varies).
fn duration(raw: Option<Spanned<String>>, p: &mut Problems) -> Option<SignedDuration> {
    let raw = raw?;
    let parsed = raw
        .value
        .parse::<Span>()
        .and_then(|span| span.to_duration(SpanRelativeTo::days_are_24_hours()));
    match parsed {
        Ok(d) if d.is_positive() => Some(d),
        Ok(_) => {
            p.push(raw.problem(format!("must be longer than zero, found `{}`", raw.value)));
            None
        }
        Err(_) => {
            p.push(raw.problem(format!(
                "expected a duration such as `15m`, `1h30m` or `7d`, found `{}`",
                raw.value
            )));
            None
        }
    }
}

/// Names or shell globs; each must compile.
fn globs(raw: Vec<Spanned<String>>, p: &mut Problems) -> Vec<String> {
    raw.into_iter()
        .filter_map(|text| {
            let problem = if text.value.trim().is_empty() {
                Some("must not be empty".to_owned())
            } else {
                globset::Glob::new(&text.value)
                    .err()
                    .map(|e| format!("invalid glob `{}`: {}", text.value, e.kind()))
            };
            match problem {
                None => Some(text.value),
                Some(message) => {
                    p.push(text.problem(message));
                    None
                }
            }
        })
        .collect()
}

fn age_buckets(raw: Vec<Spanned<String>>, p: &mut Problems) -> Vec<AgeBucket> {
    let mut buckets: Vec<AgeBucket> = Vec::new();
    for text in raw {
        match age_bucket(&text.value) {
            Some(b) if buckets.contains(&b) => {
                p.push(text.problem(format!("`{b}` is listed twice")))
            }
            Some(b) => buckets.push(b),
            None => p.push(text.problem(format!(
                "expected `>Nd` (older than N days) or `<Nd` (younger), found `{}`",
                text.value
            ))),
        }
    }
    buckets
}

fn age_bucket(text: &str) -> Option<AgeBucket> {
    let (older, rest) = match text.trim().split_at_checked(1)? {
        (">", rest) => (true, rest),
        ("<", rest) => (false, rest),
        _ => return None,
    };
    let days = rest.trim().strip_suffix('d')?.parse().ok()?;
    (1..=36_500)
        .contains(&days)
        .then_some(AgeBucket { older, days })
}
