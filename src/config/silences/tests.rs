use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::super::{Diagnostic, from_yaml};
use super::*;
use crate::report::ProblemCode;

fn file(lines: &[&str]) -> String {
    lines.join("\n") + "\n"
}

fn silences(lines: &[&str]) -> SilencesConfig {
    match from_yaml(&file(lines)) {
        Ok(config) => config.silences,
        Err(d) => panic!("expected a valid config, got {d:#?}"),
    }
}

/// Each problem as `line:column: path: message`.
fn problems(lines: &[&str]) -> Vec<String> {
    match from_yaml(&file(lines)) {
        Ok(config) => panic!("expected problems, got {:#?}", config.silences),
        Err(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
    }
}

fn taipei() -> TimeZone {
    TimeZone::get("Asia/Taipei").unwrap()
}

/// 2026-01-01 10:00 in Taipei.
fn now() -> Timestamp {
    "2026-01-01T02:00:00Z".parse().unwrap()
}

#[test]
fn no_silences_is_the_default_with_a_silence_max_of_90_days() {
    let d = silences(&["cluster:", "  name: x"]);
    assert_eq!(d, SilencesConfig::default());
    assert_eq!(d.max, SignedDuration::from_hours(90 * 24));
    assert!(d.entries.is_empty());
}

#[test]
fn every_key_of_an_entry_is_read_with_its_line() {
    let s = silences(&[
        "silence_max: 30d",
        "silences:",
        "  - namespace: 'pigo-*'",
        "    pod: 'game-api-*'",
        "    workload: Deployment/game-api",
        "    problems: [restarts_high, crash_loop]",
        "    reason: waiting for vendor fix",
        "    owner: team-payments@example.com",
        "    until: 2026-01-15",
        "  - workload: CronJob/nightly",
        "    problems: failed",
        "    reason: ' flaky upstream '",
        "    owner: ops",
        "    until: 2026-01-10T18:00:00+08:00",
    ]);
    assert_eq!(s.max, SignedDuration::from_hours(30 * 24));
    let first = &s.entries[0].silence;
    assert_eq!(first.namespace.as_deref(), Some("pigo-*"));
    assert_eq!(first.pod.as_deref(), Some("game-api-*"));
    assert_eq!(
        first.workload,
        Some(Owner {
            kind: "Deployment".into(),
            name: "game-api".into()
        })
    );
    assert_eq!(
        first.problems,
        [ProblemCode::RestartsHigh, ProblemCode::CrashLoop]
    );
    assert_eq!(first.until, Until::Date(date(2026, 1, 15)));
    assert_eq!(first.until_text, "2026-01-15");
    assert_eq!(first.line, 3);
    let second = &s.entries[1].silence;
    assert_eq!(second.problems, [ProblemCode::Failed]);
    assert_eq!(second.reason, "flaky upstream");
    assert_eq!(
        second.until,
        Until::Time("2026-01-10T10:00:00Z".parse().unwrap())
    );
    assert_eq!(second.line, 10);
}

#[test]
fn reason_owner_and_until_are_required_each_named_at_the_entrys_line() {
    assert_eq!(
        problems(&["silences:", "  - namespace: pigo-dev", "    reason: ''"]),
        [
            "2:5: silences[0].owner: missing: `owner` (who revisits it) is required",
            "2:5: silences[0].until: missing: `until` (when it ends) is required",
            "3:13: silences[0].reason: must not be empty: say why it is silenced",
        ]
    );
}

#[test]
fn an_entry_that_names_nothing_to_match_is_refused() {
    assert_eq!(
        problems(&[
            "silences:",
            "  - reason: r",
            "    owner: o",
            "    until: 2026-01-15",
        ]),
        [
            "2:5: silences[0]: says nothing of what it silences: give namespace, pod or workload (namespace: \"*\" to silence a problem everywhere)"
        ]
    );
}

#[test]
fn unknown_problem_codes_are_refused_naming_them() {
    assert_eq!(
        problems(&[
            "silences:",
            "  - namespace: dev",
            "    problems: [crashloop, no_such_thing, restarts_high]",
            "    reason: r",
            "    owner: o",
            "    until: 2026-01-15",
        ]),
        [
            "3:16: silences[0].problems[0]: unknown problem code `crashloop`; did you mean `crash_loop`?",
            "3:27: silences[0].problems[1]: unknown problem code `no_such_thing` (the codes are in README's health rules, e.g. crash_loop, restarts_high)",
        ]
    );
    assert_eq!(
        problems(&[
            "silences:",
            "  - namespace: dev",
            "    problems: []",
            "    reason: r",
            "    owner: o",
            "    until: 2026-01-15",
        ]),
        [
            "3:15: silences[0].problems: an empty list silences nothing: leave problems out for every problem"
        ]
    );
}

#[test]
fn a_bad_until_glob_or_workload_is_refused_at_its_line() {
    assert_eq!(
        problems(&[
            "silences:",
            "  - namespace: 'pigo-[dev'",
            "    workload: game-api",
            "    reason: r",
            "    owner: o",
            "    until: next week",
            "  - pod: web",
            "    reason: r",
            "    owner: o",
            "    until: 2026-01-15T10:00:00",
        ]),
        [
            "2:16: silences[0].namespace: invalid glob `pigo-[dev`: unclosed character class; missing ']'",
            "3:15: silences[0].workload: expected Kind/name such as Deployment/game-api or CronJob/nightly, found `game-api`",
            "6:12: silences[0].until: expected a date such as 2026-01-15 or an RFC 3339 time such as 2026-01-15T18:00:00+08:00, found `next week`",
            "10:12: silences[1].until: expected a date such as 2026-01-15 or an RFC 3339 time such as 2026-01-15T18:00:00+08:00, found `2026-01-15T10:00:00`",
        ]
    );
}

#[test]
fn an_unknown_key_or_a_silences_that_is_not_a_list_is_refused() {
    assert_eq!(
        problems(&[
            "silences:",
            "  - namespace: dev",
            "    reasons: r",
            "    owner: o",
            "    until: 2026-01-15",
        ]),
        [
            "2:5: silences[0].reason: missing: `reason` (why it is silenced) is required",
            "3:5: silences[0].reasons: unknown key; did you mean `reason`?",
        ]
    );
    assert_eq!(
        problems(&["silences:", "  namespace: dev"]),
        [
            "2:3: silences: expected a list of silences (`- workload: Deployment/x` ...), found a mapping"
        ]
    );
    assert_eq!(
        problems(&["silence:", "  - namespace: dev"]),
        ["1:1: silence: unknown key; did you mean `silences`?"]
    );
}

#[test]
fn an_until_more_than_silence_max_ahead_is_an_error_naming_its_line() {
    let s = silences(&[
        "silences:",
        "  - namespace: dev",
        "    reason: r",
        "    owner: o",
        "    until: 2026-04-02",
        "  - namespace: dev",
        "    reason: r",
        "    owner: o",
        "    until: 2026-04-01T10:00:01+08:00",
    ]);
    let errors: Vec<String> = s
        .check_horizon(now(), &taipei())
        .unwrap_err()
        .iter()
        .map(Diagnostic::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            "5:12: silences[0].until: `2026-04-02` is more than silence_max (90d) after the report's time (2026-01-01 10:00 CST): silence for less and renew it then, or raise silence_max",
            "9:12: silences[1].until: `2026-04-01T10:00:01+08:00` is more than silence_max (90d) after the report's time (2026-01-01 10:00 CST): silence for less and renew it then, or raise silence_max",
        ]
    );
}

#[test]
fn a_date_may_name_the_day_silence_max_after_today_and_a_past_one_is_no_error() {
    let s = silences(&[
        "silence_max: 7d",
        "silences:",
        "  - namespace: dev",
        "    reason: r",
        "    owner: o",
        "    until: 2026-01-08",
        "  - namespace: dev",
        "    reason: r",
        "    owner: o",
        "    until: 2025-06-01",
    ]);
    assert_eq!(s.check_horizon(now(), &taipei()), Ok(()));
}

#[test]
fn the_analysis_gets_the_entries_named_after_the_config_file() {
    let s = silences(&[
        "silences:",
        "  - workload: Deployment/web",
        "    reason: r",
        "    owner: o",
        "    until: 2026-01-15",
    ]);
    let settings = s.settings("/etc/kube-patrol/config.yaml");
    assert_eq!(settings.max, silence::DEFAULT_MAX);
    assert_eq!(settings.config[0].file, "/etc/kube-patrol/config.yaml");
    assert_eq!(settings.config[0].line, 2);
}
