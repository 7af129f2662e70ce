use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::*;
use crate::analyze::trend::{self, TrendSettings};
use crate::analyze::{Settings, report_of};
use crate::locale::{Catalog, Lang};
use crate::model::{Snapshot, Workload};
use crate::report::{Health, Report, SilenceState};

/// The report's time: 2026-01-01 02:00 UTC.
fn now() -> Timestamp {
    "2026-01-01T02:00:00Z".parse().unwrap()
}

fn ago(hours: i64) -> String {
    (now() - SignedDuration::from_hours(hours)).to_string()
}

/// A crash-looping pod (`crash_loop`, and `restarts_high` with 12 restarts) of `owner`
/// (`ReplicaSet/web-1`), with a silence annotation when given.
fn crashing(namespace: &str, name: &str, owner: Option<(&str, &str)>, note: Option<&str>) -> Pod {
    let mut meta = json!({"name": name, "namespace": namespace, "creationTimestamp": ago(24 * 30)});
    if let Some((kind, owner)) = owner {
        meta["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": kind, "name": owner, "uid": "u", "controller": true}]);
    }
    if let Some(note) = note {
        meta["annotations"] = json!({"kube-patrol.io/silence": note});
    }
    serde_json::from_value(json!({"metadata": meta,
        "spec": {"containers": [{"name": "c"}], "nodeName": "n1", "restartPolicy": "Always"},
        "status": {"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "",
            "ready": false, "restartCount": 12,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                "startedAt": ago(2), "finishedAt": ago(1)}}}]}}))
    .unwrap()
}

/// A Running, ready pod of `owner`.
fn healthy(namespace: &str, name: &str, owner: (&str, &str)) -> Pod {
    serde_json::from_value(json!({"metadata": {"name": name, "namespace": namespace,
            "creationTimestamp": ago(24 * 30), "ownerReferences": [{"apiVersion": "apps/v1",
            "kind": owner.0, "name": owner.1, "uid": "u", "controller": true}]},
        "spec": {"containers": [{"name": "c"}], "nodeName": "n1"},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": true,
            "restartCount": 0, "state": {"running": {"startedAt": ago(24 * 30)}}}]}}))
    .unwrap()
}

/// A Deployment, or a ReplicaSet of Deployment `owner`, with a silence annotation when given.
fn workload(namespace: &str, name: &str, owner: Option<&str>, note: Option<&str>) -> Workload {
    let mut meta = json!({"name": name, "namespace": namespace});
    if let Some(owner) = owner {
        meta["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": owner, "uid": "u", "controller": true}]);
    }
    if let Some(note) = note {
        meta["annotations"] = json!({"kube-patrol.io/silence": note});
    }
    serde_json::from_value(json!({"metadata": meta,
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}}}}))
    .unwrap()
}

/// Deployment `web` (annotated with `note`) rolled out twice: ReplicaSets `web-1` and `web-2`.
fn web(namespace: &str, note: Option<&str>) -> Workloads {
    Workloads {
        replica_sets: vec![
            workload(namespace, "web-1", Some("web"), None),
            workload(namespace, "web-2", Some("web"), None),
        ],
        deployments: vec![workload(namespace, "web", None, note)],
        ..Workloads::default()
    }
}

fn snapshot(namespaces: &[&str], pods: Vec<Pod>, workloads: Workloads) -> Snapshot {
    let mut pods = pods;
    pods.sort_by(|a, b| {
        (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
    });
    Snapshot {
        namespaces: namespaces.iter().map(|n| n.to_string()).collect(),
        pods,
        workloads,
        ..Snapshot::default()
    }
}

/// A config silence ending on `until`, matching what `edit` sets.
fn silence(until: &str, edit: impl FnOnce(&mut ConfigSilence)) -> ConfigSilence {
    let mut s = ConfigSilence {
        namespace: None,
        pod: None,
        workload: None,
        problems: Vec::new(),
        reason: "vendor fix".into(),
        owner: "team@example.com".into(),
        until: Until::parse(until).unwrap(),
        until_text: until.into(),
        file: "kube-patrol.yaml".into(),
        line: 3,
    };
    edit(&mut s);
    s
}

fn report(snapshot: &Snapshot, config: Vec<ConfigSilence>) -> Report {
    let mut settings = Settings::new(now(), "c".into(), Catalog::builtin(Lang::En));
    settings.silences.config = config;
    report_of(snapshot, &settings)
}

/// The names of the pods that a silence in force covers.
fn silenced(report: &Report) -> Vec<&str> {
    let pods = report.pods.iter().filter(|p| p.silenced.is_some());
    pods.map(|p| p.name.as_str()).collect()
}

fn states(report: &Report) -> Vec<(SilenceState, usize)> {
    report
        .silences
        .iter()
        .map(|s| (s.state, s.matched))
        .collect()
}

fn deployment_web() -> Owner {
    Owner {
        kind: "Deployment".into(),
        name: "web".into(),
    }
}

#[test]
fn a_crashing_pod_of_these_tests_has_two_problems() {
    let r = report(
        &snapshot(
            &["dev"],
            vec![crashing("dev", "a", None, None)],
            Workloads::default(),
        ),
        vec![],
    );
    let codes: Vec<ProblemCode> = r.pods[0].problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, [ProblemCode::CrashLoop, ProblemCode::RestartsHigh]);
}

#[test]
fn a_namespace_glob_silences_the_problem_pods_of_matching_namespaces_only() {
    let pods = vec![
        crashing("pigo-dev", "a", None, None),
        crashing("pigo-stg", "b", None, None),
        crashing("other", "c", None, None),
    ];
    let s = snapshot(
        &["pigo-dev", "pigo-stg", "other"],
        pods,
        Workloads::default(),
    );
    let r = report(
        &s,
        vec![silence("2026-03-01", |s| {
            s.namespace = Some("pigo-*".into())
        })],
    );
    assert_eq!(silenced(&r), ["a", "b"]);
    assert_eq!(states(&r), [(SilenceState::Active, 2)]);
}

#[test]
fn a_pod_glob_silences_the_matching_pods_only() {
    let pods = vec![
        crashing("dev", "batch-1", None, None),
        crashing("dev", "web-1", None, None),
    ];
    let r = report(
        &snapshot(&["dev"], pods, Workloads::default()),
        vec![silence("2026-03-01", |s| s.pod = Some("batch-*".into()))],
    );
    assert_eq!(silenced(&r), ["batch-1"]);
}

#[test]
fn a_deployment_silence_covers_its_pods_across_rollouts() {
    let pods = vec![
        crashing("dev", "web-1-aaaaa", Some(("ReplicaSet", "web-1")), None),
        crashing("dev", "web-2-bbbbb", Some(("ReplicaSet", "web-2")), None),
        crashing("dev", "other-ccccc", Some(("ReplicaSet", "other-1")), None),
    ];
    let r = report(
        &snapshot(&["dev"], pods, web("dev", None)),
        vec![silence("2026-03-01", |s| {
            s.workload = Some(deployment_web())
        })],
    );
    assert_eq!(silenced(&r), ["web-1-aaaaa", "web-2-bbbbb"]);
    assert_eq!(r.silences[0].workload.as_deref(), Some("Deployment/web"));
}

#[test]
fn every_matcher_given_must_match() {
    let pods = vec![
        crashing("dev", "web-1-aaaaa", Some(("ReplicaSet", "web-1")), None),
        crashing("stg", "web-1-aaaaa", Some(("ReplicaSet", "web-1")), None),
    ];
    let mut workloads = web("dev", None);
    let stg = web("stg", None);
    workloads.replica_sets.extend(stg.replica_sets);
    workloads.deployments.extend(stg.deployments);
    let r = report(
        &snapshot(&["dev", "stg"], pods, workloads),
        vec![silence("2026-03-01", |s| {
            s.namespace = Some("stg".into());
            s.workload = Some(deployment_web());
        })],
    );
    let silenced: Vec<&str> = r
        .pods
        .iter()
        .filter(|p| p.silenced.is_some())
        .map(|p| p.namespace.as_str())
        .collect();
    assert_eq!(silenced, ["stg"]);
}

#[test]
fn without_problems_a_silence_covers_every_problem_of_the_pod() {
    let s = snapshot(
        &["dev"],
        vec![crashing("dev", "a", None, None)],
        Workloads::default(),
    );
    let r = report(
        &s,
        vec![silence("2026-03-01", |s| s.pod = Some("a".into()))],
    );
    let pod = &r.pods[0];
    let covered = &pod.silenced.as_ref().unwrap().problems;
    assert_eq!(
        covered,
        &[ProblemCode::CrashLoop, ProblemCode::RestartsHigh]
    );
    assert!(pod.is_silenced());
    assert_eq!(
        pod.health,
        Health::Unhealthy,
        "the row still tells the truth"
    );
    assert_eq!(pod.open_health(), Health::Healthy);
}

#[test]
fn a_problems_filter_silences_only_those_problems_and_leaves_the_others_in_the_report() {
    let s = snapshot(
        &["dev"],
        vec![crashing("dev", "a", None, None)],
        Workloads::default(),
    );
    let r = report(
        &s,
        vec![
            silence("2026-03-01", |s| {
                s.pod = Some("a".into());
                s.problems = vec![ProblemCode::ImagePull];
            }),
            silence("2026-03-01", |s| {
                s.pod = Some("a".into());
                s.problems = vec![ProblemCode::RestartsHigh];
            }),
        ],
    );
    let pod = &r.pods[0];
    assert_eq!(
        pod.silenced.as_ref().unwrap().problems,
        [ProblemCode::RestartsHigh]
    );
    assert!(!pod.is_silenced());
    let open: Vec<ProblemCode> = pod.open_problems().map(|p| p.code).collect();
    assert_eq!(open, [ProblemCode::CrashLoop]);
    assert_eq!(r.findings.len(), 1, "crash_loop is still a finding");
    assert_eq!(r.summary.counts.unhealthy, 1);
    assert_eq!(
        states(&r),
        [(SilenceState::Unused, 0), (SilenceState::Active, 1)]
    );
}

#[test]
fn a_silenced_pod_leaves_the_findings_actions_overall_and_summary_but_not_its_namespaces_counts() {
    let s = snapshot(
        &["dev"],
        vec![crashing(
            "dev",
            "web-1-aaaaa",
            Some(("ReplicaSet", "web-1")),
            None,
        )],
        web("dev", None),
    );
    let before = report(&s, vec![]);
    assert_eq!(
        before.summary.overall,
        Health::Unhealthy,
        "its Deployment is down"
    );
    let r = report(
        &s,
        vec![silence("2026-03-01", |s| {
            s.workload = Some(deployment_web())
        })],
    );
    assert!(r.findings.is_empty());
    assert!(r.advice.immediate.is_empty());
    assert_eq!(r.summary.overall, Health::Healthy);
    let summary = &r.summary.counts;
    assert_eq!(
        (summary.pods, summary.unhealthy, summary.silenced),
        (1, 0, 1)
    );
    assert_eq!(r.summary.not_healthy, 0);
    let namespace = &r.namespaces[0];
    assert_eq!(
        (namespace.counts.unhealthy, namespace.counts.silenced),
        (1, 1)
    );
    assert_eq!(namespace.not_healthy, 1);
}

#[test]
fn a_silence_ending_in_more_than_seven_days_is_active_and_within_seven_days_expiring() {
    let s = snapshot(
        &["dev"],
        vec![crashing("dev", "a", None, None)],
        Workloads::default(),
    );
    let far = report(
        &s,
        vec![silence("2026-01-09", |s| s.pod = Some("a".into()))],
    );
    assert_eq!(states(&far), [(SilenceState::Active, 1)]);
    let near = report(
        &s,
        vec![silence("2026-01-07", |s| s.pod = Some("a".into()))],
    );
    assert_eq!(states(&near), [(SilenceState::Expiring, 1)]);
    assert_eq!(silenced(&near), ["a"], "an expiring silence still silences");
}

#[test]
fn an_expired_silence_puts_the_problem_back_with_its_mark() {
    let s = snapshot(
        &["dev"],
        vec![crashing("dev", "a", None, None)],
        Workloads::default(),
    );
    let r = report(
        &s,
        vec![silence("2025-12-31", |s| s.pod = Some("a".into()))],
    );
    assert_eq!(states(&r), [(SilenceState::Expired, 1)]);
    assert!(silenced(&r).is_empty());
    let pod = &r.pods[0];
    let expired = pod.silence_expired.as_ref().unwrap();
    assert_eq!(expired.until, "2025-12-31");
    let mark = "🔕 silence expired on 2025-12-31 (owner team@example.com)";
    assert!(
        pod.description.as_ref().unwrap().ends_with(mark),
        "{:?}",
        pod.description
    );
    assert!(r.findings[0].description.ends_with(mark));
    assert!(pod.analysis.iter().any(|line| line == mark));
    assert_eq!(r.summary.counts.unhealthy, 1);
}

#[test]
fn a_date_silence_lasts_through_that_day_in_the_reports_time_zone() {
    let taipei = TimeZone::get("Asia/Taipei").unwrap();
    let until = Until::parse("2026-01-15").unwrap();
    assert_eq!(until, Until::Date(date(2026, 1, 15)));
    let end: Timestamp = "2026-01-15T16:00:00Z".parse().unwrap();
    assert_eq!(until.ends_at(&taipei), end);
    let at = Until::parse("2026-01-15T18:00:00+08:00").unwrap();
    assert_eq!(at.ends_at(&taipei), "2026-01-15T10:00:00Z".parse().unwrap());
    assert!(Until::parse("15/01/2026").is_err());
    assert!(Until::parse("2026-02-30").is_err());
}

#[test]
fn a_config_silence_that_matches_no_problem_pod_is_unused() {
    let pods = vec![healthy("dev", "web-1-aaaaa", ("ReplicaSet", "web-1"))];
    let r = report(
        &snapshot(&["dev"], pods, web("dev", None)),
        vec![silence("2026-03-01", |s| {
            s.workload = Some(deployment_web())
        })],
    );
    assert_eq!(states(&r), [(SilenceState::Unused, 0)]);
}

#[test]
fn a_deployments_annotation_silences_its_pods_and_the_pods_own_comes_first() {
    let note = "until=2026-03-01; owner=payments@example.com; reason=vendor fix";
    let own = "until=2026-02-01; owner=me@example.com; reason=mine; problems=restarts_high";
    let pods = vec![
        crashing(
            "dev",
            "web-1-aaaaa",
            Some(("ReplicaSet", "web-1")),
            Some(own),
        ),
        crashing("dev", "web-2-bbbbb", Some(("ReplicaSet", "web-2")), None),
    ];
    let r = report(
        &snapshot(&["dev"], pods, web("dev", Some(note))),
        vec![silence("2026-03-01", |s| s.namespace = Some("dev".into()))],
    );
    let first = r.pods[0].silenced.as_ref().unwrap();
    assert_eq!(
        (first.owner.as_str(), &first.problems[..]),
        ("me@example.com", &[ProblemCode::RestartsHigh][..])
    );
    let second = r.pods[1].silenced.as_ref().unwrap();
    assert_eq!(second.owner, "payments@example.com");
    assert_eq!(
        second.source,
        SilenceSource::Annotation {
            namespace: "dev".into(),
            object: deployment_web()
        }
    );
    let listed: Vec<(Option<&str>, SilenceState, usize)> = r
        .silences
        .iter()
        .map(|s| {
            (
                s.workload.as_deref().or(s.pod.as_deref()),
                s.state,
                s.matched,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (None, SilenceState::Active, 2),
            (Some("Deployment/web"), SilenceState::Active, 2),
            (Some("web-1-aaaaa"), SilenceState::Active, 1),
        ]
    );
}

#[test]
fn a_malformed_annotation_is_listed_as_invalid_and_ignored() {
    let pods = vec![
        crashing(
            "dev",
            "web-1-aaaaa",
            Some(("ReplicaSet", "web-1")),
            Some("until=soon"),
        ),
        healthy("dev", "other-1-xxxxx", ("ReplicaSet", "other-1")),
    ];
    let mut workloads = web("dev", None);
    workloads.deployments.push(workload(
        "dev",
        "other",
        None,
        Some("owner=a; reason=b; until=2026-01-15; problems=crashloop"),
    ));
    let r = report(&snapshot(&["dev"], pods, workloads), vec![]);
    assert!(silenced(&r).is_empty());
    let invalid: Vec<(&str, &str)> = r
        .silences
        .iter()
        .map(|s| (s.value.as_deref().unwrap(), s.error.as_deref().unwrap()))
        .collect();
    assert_eq!(
        invalid,
        [
            (
                "owner=a; reason=b; until=2026-01-15; problems=crashloop",
                "problems: unknown problem code `crashloop`; did you mean `crash_loop`?"
            ),
            (
                "until=soon",
                "missing owner, reason: write `until=YYYY-MM-DD; owner=...; reason=...`"
            ),
        ]
    );
    assert!(r.silences.iter().all(|s| s.state == SilenceState::Invalid));
    assert_eq!(r.summary.counts.unhealthy, 1);
}

#[test]
fn an_annotation_that_ends_beyond_silence_max_is_invalid() {
    let note = "until=2026-06-01; owner=a; reason=forever";
    let pods = vec![crashing("dev", "a", None, Some(note))];
    let r = report(&snapshot(&["dev"], pods, Workloads::default()), vec![]);
    assert!(silenced(&r).is_empty());
    assert_eq!(r.silences[0].state, SilenceState::Invalid);
    assert_eq!(
        r.silences[0].error.as_deref(),
        Some(
            "until 2026-06-01 is more than silence_max (90d) after the report's time: silence for less, and renew it when it ends"
        )
    );
}

#[test]
fn the_trend_counts_a_silenced_problem_as_still_open() {
    let s = snapshot(
        &["dev"],
        vec![crashing("dev", "a", None, None)],
        Workloads::default(),
    );
    let before = report(&s, vec![]);
    let previous = trend::parse_previous(&serde_json::to_string(&before).unwrap()).unwrap();
    let now = report(
        &s,
        vec![silence("2026-03-01", |s| s.pod = Some("a".into()))],
    );
    let t = trend::trend(&previous, &now, &TrendSettings::default());
    assert_eq!(t.still_open.len(), 1);
    assert!(t.resolved.is_empty());
}

#[test]
fn a_report_without_silences_reads_back_and_a_silenced_one_round_trips() {
    let s = snapshot(
        &["dev"],
        vec![crashing("dev", "a", None, None)],
        Workloads::default(),
    );
    let r = report(
        &s,
        vec![silence("2026-03-01", |s| s.pod = Some("a".into()))],
    );
    let mut json: Value = serde_json::to_value(&r).unwrap();
    let again: Report = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(again.silences, r.silences);
    json.as_object_mut().unwrap().remove("silences");
    json["summary"].as_object_mut().unwrap().remove("silenced");
    let old: Report = serde_json::from_value(json).unwrap();
    assert!(old.silences.is_empty());
}

#[test]
fn a_well_formed_annotation_is_read_and_each_malformed_one_says_why() {
    let fields = parse_annotation(
        "until=2026-01-15; owner=team-payments@example.com; reason=waiting for vendor fix; problems=restarts_high, crash_loop;",
    )
    .unwrap();
    assert_eq!(fields.until, Until::Date(date(2026, 1, 15)));
    assert_eq!(fields.owner, "team-payments@example.com");
    assert_eq!(fields.reason, "waiting for vendor fix");
    assert_eq!(
        fields.problems,
        [ProblemCode::RestartsHigh, ProblemCode::CrashLoop]
    );
    let error = |value: &str| parse_annotation(value).unwrap_err();
    assert_eq!(
        error(""),
        "missing until, owner, reason: write `until=YYYY-MM-DD; owner=...; reason=...`"
    );
    assert_eq!(
        error("until=2026-01-15, owner=a"),
        "missing owner, reason: write `until=YYYY-MM-DD; owner=...; reason=...`"
    );
    assert_eq!(
        error("until 2026-01-15; owner=a; reason=b"),
        "`until 2026-01-15` is not key=value (fields are separated by `;`)"
    );
    assert_eq!(
        error("until=2026-01-15; owner=a; reason=b; team=x"),
        "unknown key `team` (expected until, owner, reason and optionally problems)"
    );
    assert_eq!(
        error("until=2026-01-15; owner=a; owner=b; reason=c"),
        "`owner` is given twice"
    );
    assert_eq!(
        error("until=tomorrow; owner=a; reason=b"),
        "until: expected a date such as 2026-01-15 or an RFC 3339 time such as 2026-01-15T18:00:00+08:00, found `tomorrow`"
    );
    assert_eq!(
        error("until=2026-01-15; owner=a; reason=b; problems= ,"),
        "problems is empty: leave it out to silence every problem"
    );
}
