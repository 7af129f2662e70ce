//! The rules: [`UnvalidatedConfig::validate`] checks every value and collects every problem.
//!
//! Each section is checked on its own; an invalid value is reported and replaced by its default so
//! that the checks after it (such as `restarts_unhealthy > restarts_attention`) still run.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use jiff::{SignedDuration, Span, SpanRelativeTo, tz::TimeZone};

use super::read::{
    RawArchive, RawCluster, RawEvidence, RawExclude, RawHealth, RawNamespaces, RawReport, RawSmtp,
    RawStatistics, RawTrend, Spanned,
};
use super::{
    AgeBucket, ArchiveConfig, ClusterConfig, Config, Diagnostic, EvidenceConfig, ExcludeConfig,
    HealthConfig, LabelMatch, Lang, Location, NamespacesConfig, ReportConfig, SmtpConfig,
    StatisticsConfig, TlsMode, TrendConfig, UnvalidatedConfig,
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
        let (notify, metrics) = super::notify::validate(self.notify, p);
        let teams = super::teams::validate(self.teams, self.smtp.at.is_some(), p);
        let config = Config {
            cluster: cluster(self.cluster, p),
            namespaces: namespaces(self.namespaces, p),
            exclude: exclude(self.exclude, p),
            health: health(self.health, p),
            evidence: evidence(self.evidence, p),
            statistics: statistics(self.statistics, p),
            report: report(self.report, p),
            archive: archive(self.archive, p),
            smtp: smtp(self.smtp, p),
            trend: trend(self.trend, p),
            silences: super::silences::validate(self.silences, p),
            clusters: super::clusters::validate(self.clusters, p),
            notify,
            metrics,
            teams,
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
    let d = ClusterConfig::default();
    ClusterConfig {
        name,
        timezone,
        retries: number(raw.retries.as_ref(), 0..=20, p).unwrap_or(d.retries),
        request_timeout: duration(raw.request_timeout, p).unwrap_or(d.request_timeout),
        timeout: duration(raw.timeout, p).unwrap_or(d.timeout),
    }
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
        restart_window: duration(raw.restart_window, p).unwrap_or(d.restart_window),
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
        history_weeks: number(raw.history_weeks.as_ref(), 1..=520, p).unwrap_or(d.history_weeks),
        url: raw.url.and_then(|url| super::notify::http_url(url, p)),
    }
}

fn archive(raw: RawArchive, p: &mut Problems) -> ArchiveConfig {
    let d = ArchiveConfig::default();
    let keep_for = match raw.keep_for {
        Some(text) if text.value == "forever" => None,
        text => duration(text, p).or(d.keep_for),
    };
    ArchiveConfig {
        dir: path(raw.dir, "leave it out to archive nothing", p),
        keep_count: number(raw.keep_count.as_ref(), 1..=100_000, p),
        keep_for,
        lock_wait: duration(raw.lock_wait, p).unwrap_or(d.lock_wait),
    }
}

/// `None` when the section is absent; also when a required key is missing (then reported).
fn smtp(raw: RawSmtp, p: &mut Problems) -> Option<SmtpConfig> {
    let at = raw.at?;
    let host = required(raw.host, at, "host", "the mail server's host name", p)
        .and_then(|host| host_name(host, p));
    let from =
        required(raw.from, at, "from", "the sender's address", p).and_then(|from| mailbox(from, p));
    let to =
        required(raw.to, at, "to", "at least one recipient", p).and_then(|to| recipients(to, p));
    let cc = mailboxes(raw.cc, p);
    let tls = raw.tls.as_ref().and_then(|tls| tls_mode(tls, p));
    let plain_text = raw.tls.as_ref().filter(|_| tls == Some(TlsMode::None));
    let (username, password_file) = login(
        raw.username,
        raw.password_file,
        plain_text,
        host.as_deref(),
        p,
    );
    let tls = tls.unwrap_or_default();
    let config = SmtpConfig {
        host: host?,
        port: port(raw.port.as_ref(), p).unwrap_or(tls.default_port()),
        tls,
        username,
        password_file,
        from: from?,
        to: to?,
        cc: cc?,
        subject: subject(raw.subject, p),
        timeout: duration(raw.timeout, p).unwrap_or(SignedDuration::from_secs(30)),
        retries: number(raw.retries.as_ref(), 0..=10, p).unwrap_or(3),
        backoff: duration(raw.backoff, p).unwrap_or(SignedDuration::from_secs(5)),
        ca_file: path(
            raw.ca_file,
            "leave it out to trust the system's CAs only",
            p,
        ),
    };
    Some(config)
}

/// A required key of a section that is there: when missing, reported at the section's key.
/// A key written with a value of the wrong type is `None` too, but already reported as such.
fn required<T>(raw: Option<T>, at: Location, key: &str, what: &str, p: &mut Problems) -> Option<T> {
    let path = format!("smtp.{key}");
    if raw.is_none() && !p.iter().any(|d| d.path == path) {
        let message = format!("missing: {what} is required when there is an `smtp` section");
        p.push(Diagnostic::new(at, path, message));
    }
    raw
}

fn trend(raw: RawTrend, p: &mut Problems) -> TrendConfig {
    let d = TrendConfig::default();
    TrendConfig {
        restart_growth_abnormal: number(raw.restart_growth_abnormal.as_ref(), 1..=1_000_000, p)
            .unwrap_or(d.restart_growth_abnormal),
    }
}

/// A host name or IP address: no scheme, no port, no spaces.
fn host_name(raw: Spanned<String>, p: &mut Problems) -> Option<String> {
    let host = raw.value.trim();
    let problem = if host.is_empty() {
        Some("must not be empty".to_owned())
    } else if let Some((scheme, rest)) = host.split_once("://") {
        Some(format!(
            "`{scheme}://` makes it a URL: write the host name only (`{}`), and the port in `port`",
            rest.trim_end_matches('/')
        ))
    } else if host.contains(char::is_whitespace) {
        Some(format!("must not contain spaces, found `{host}`"))
    } else if let Some((name, port)) = host
        .split_once(':')
        .filter(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
    {
        Some(format!(
            "write the port in `port: {port}`, the host alone (`{name}`)"
        ))
    } else {
        None
    };
    match problem {
        None => Some(host.to_owned()),
        Some(message) => {
            p.push(raw.problem(message));
            None
        }
    }
}

fn port(raw: Option<&Spanned<i64>>, p: &mut Problems) -> Option<u16> {
    number(raw, 1..=u32::from(u16::MAX), p).and_then(|n| u16::try_from(n).ok())
}

fn tls_mode(raw: &Spanned<String>, p: &mut Problems) -> Option<TlsMode> {
    match raw.value.as_str() {
        "starttls" => Some(TlsMode::StartTls),
        "implicit" => Some(TlsMode::Implicit),
        "none" => Some(TlsMode::None),
        other => {
            let message = format!("must be `starttls`, `implicit` or `none`, found `{other}`");
            p.push(raw.problem(message));
            None
        }
    }
}

/// `username` and `password_file`: a password needs a user, and is never sent in plain text
/// (`plain_text`: the `tls: none` written) beyond this host.
fn login(
    username: Option<Spanned<String>>,
    password_file: Option<Spanned<String>>,
    plain_text: Option<&Spanned<String>>,
    host: Option<&str>,
    p: &mut Problems,
) -> (Option<String>, Option<PathBuf>) {
    if let Some(file) = password_file.as_ref().filter(|_| username.is_none()) {
        p.push(file.problem("a password needs `username`"));
    }
    let username = username.and_then(|name| {
        if name.value.trim().is_empty() {
            p.push(name.problem("must not be empty (leave it out for a relay without login)"));
            return None;
        }
        Some(name.value)
    });
    let local =
        host.is_some_and(|h| h.eq_ignore_ascii_case("localhost") || h == "127.0.0.1" || h == "::1");
    if let Some(tls) = plain_text.filter(|_| username.is_some() && !local) {
        p.push(tls.problem("would send the password in plain text: use starttls or implicit"));
    }
    let password_file = path(
        password_file,
        "leave it out to read $KUBE_PATROL_SMTP_PASSWORD",
        p,
    );
    (username, password_file)
}

/// `to`: at least one mailbox.
fn recipients(raw: Spanned<Vec<Spanned<String>>>, p: &mut Problems) -> Option<Vec<String>> {
    if raw.value.is_empty() {
        p.push(raw.problem("must list at least one recipient"));
        return None;
    }
    mailboxes(raw.value, p)
}

/// Each a mailbox; `None` when one is not (reported).
fn mailboxes(raw: Vec<Spanned<String>>, p: &mut Problems) -> Option<Vec<String>> {
    let count = raw.len();
    let valid: Vec<String> = raw
        .into_iter()
        .filter_map(|text| mailbox(text, p))
        .collect();
    (valid.len() == count).then_some(valid)
}

/// `name <address>` or a bare address, as the mail will carry it.
fn mailbox(raw: Spanned<String>, p: &mut Problems) -> Option<String> {
    if raw.value.parse::<lettre::message::Mailbox>().is_ok() {
        return Some(raw.value);
    }
    // lettre's reason ("Invalid input") would add nothing to the example.
    p.push(raw.problem(format!(
        "expected an address such as `name <user@example.com>` or `user@example.com`, found `{}`",
        raw.value
    )));
    None
}

/// A Tera template that compiles.
fn subject(raw: Option<Spanned<String>>, p: &mut Problems) -> Option<String> {
    let raw = raw?;
    match tera::Tera::default().add_raw_template("subject", &raw.value) {
        Ok(()) => Some(raw.value),
        Err(e) => {
            p.push(raw.problem(template_error(&e)));
            None
        }
    }
}

/// Where in the template (not in the file: a quoted value starts after its quote).
fn template_error(e: &tera::Error) -> String {
    match crate::render::syntax_error(e) {
        Some(s) => format!(
            "invalid Tera template: {} (template line {}, column {})",
            s.expected, s.line, s.column
        ),
        None => format!("invalid Tera template: {}", crate::error::one_line(e)),
    }
}

/// A file or directory path; `empty` says what to do instead of an empty one.
pub(super) fn path(raw: Option<Spanned<String>>, empty: &str, p: &mut Problems) -> Option<PathBuf> {
    let raw = raw?;
    if raw.value.trim().is_empty() {
        p.push(raw.problem(format!("must not be empty ({empty})")));
        return None;
    }
    Some(PathBuf::from(raw.value))
}

/// The value if written and in `range`; `None` if not written or reported as out of range.
pub(super) fn number(
    raw: Option<&Spanned<i64>>,
    range: RangeInclusive<u32>,
    p: &mut Problems,
) -> Option<u32> {
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
pub(super) fn duration(raw: Option<Spanned<String>>, p: &mut Problems) -> Option<SignedDuration> {
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
