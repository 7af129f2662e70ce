use crate::model::Pod;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::*;
use crate::analyze::{Settings, report_of};
use crate::locale::{Catalog, Lang};
use crate::model::Snapshot;

const BEFORE: &str = "2025-12-19T02:00:00Z";

fn now() -> Timestamp {
    "2025-12-26T02:00:00Z".parse().unwrap()
}

/// A pod of Deployment `deployment` (through ReplicaSet `<deployment>-<hash>`), Running and
/// ready (`ok`) or in CrashLoopBackOff (`crash`).
fn pod(namespace: &str, name: &str, deployment: &str, state: &str, restarts: i32) -> Pod {
    let hash = name.rsplit('-').nth(1).unwrap_or("h");
    let (ready, container_state) = match state {
        "ok" => (
            true,
            json!({"running": {"startedAt": "2025-12-01T00:00:00Z"}}),
        ),
        _ => (false, json!({"waiting": {"reason": "CrashLoopBackOff"}})),
    };
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": "2025-12-01T00:00:00Z",
            "labels": {"app": deployment, "pod-template-hash": hash},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": format!("{deployment}-{hash}"), "uid": "u", "controller": true}]},
        "spec": {"containers": [{"name": "c"}], "nodeName": "node01"},
        "status": {"phase": "Running", "podIP": "10.0.0.1", "containerStatuses": [{"name": "c", "image": "i",
            "imageID": "", "ready": ready, "restartCount": restarts, "state": container_state}]}
    }))
    .unwrap()
}

fn report_at(at: Timestamp, namespaces: &[&str], pods: Vec<Pod>) -> Report {
    let snapshot = Snapshot {
        namespaces: namespaces.iter().map(|n| n.to_string()).collect(),
        pods,
        ..Snapshot::default()
    };
    report_of(
        &snapshot,
        &Settings::new(at, "c".to_owned(), Catalog::builtin(Lang::En)),
    )
}

fn report(namespaces: &[&str], pods: Vec<Pod>) -> Report {
    report_at(now(), namespaces, pods)
}

/// The report's JSON as the archive keeps it, with its trend where it had one.
fn archived(report: &Report, trend: Option<&Trend>) -> Value {
    let mut json = serde_json::to_value(report).unwrap();
    if let Some(trend) = trend {
        json["trend"] = serde_json::to_value(trend).unwrap();
    }
    json
}

/// A previous report of only the keys the trend reads, as an older version might write.
fn previous(pods: Value) -> Value {
    json!({"generated_at": BEFORE, "pods": pods})
}

fn plain_pod(name: &str, health: &str, restarts: i64, workload: &str) -> Value {
    json!({"namespace": "ns", "name": name, "health": health, "restart_count": restarts,
        "owner": {"workload": {"kind": "Deployment", "name": workload}}})
}

/// (what the problem belongs to, reports in a row), per change.
fn names(changes: &[ProblemChange]) -> Vec<(String, u32)> {
    changes
        .iter()
        .map(|c| {
            (
                format!("{}/{}", c.subject.kind, c.subject.name),
                c.reports_open,
            )
        })
        .collect()
}

fn pods_of(state: Option<&ProblemState>) -> Vec<&str> {
    state
        .map(|s| s.pods.iter().map(|p| p.name.as_str()).collect())
        .unwrap_or_default()
}

fn trend_of(previous: &Value, current: &Report) -> Trend {
    let previous = parse_previous(&previous.to_string()).unwrap();
    trend(&previous, current, &TrendSettings::default())
}

fn d(name: &str, reports: u32) -> (String, u32) {
    (format!("Deployment/{name}"), reports)
}

#[test]
fn a_workload_that_breaks_is_new_and_one_that_heals_or_goes_is_resolved() {
    let before = report_at(
        BEFORE.parse().unwrap(),
        &["ns"],
        vec![
            pod("ns", "a-1-x", "a", "ok", 0),
            pod("ns", "b-1-x", "b", "crash", 3),
            pod("ns", "c-1-x", "c", "crash", 3),
        ],
    );
    let current = report(
        &["ns"],
        vec![
            pod("ns", "a-1-x", "a", "crash", 1),
            pod("ns", "b-1-x", "b", "ok", 3),
        ],
    );
    let t = trend_of(&archived(&before, None), &current);

    assert_eq!(t.previous_generated_at.to_string(), BEFORE);
    assert_eq!(names(&t.new_problems), [d("a", 1)]);
    let a = &t.new_problems[0];
    assert_eq!(a.problem, "crashing");
    assert_eq!(a.before, None);
    let now = &a.now.as_ref().unwrap().pods[0];
    assert_eq!(
        (now.name.as_str(), now.status.as_str()),
        ("a-1-x", "CrashLoopBackOff")
    );
    assert_eq!(now.codes, ["crash_loop"]);
    assert_eq!(names(&t.resolved), [d("b", 1), d("c", 1)]);
    assert_eq!(pods_of(t.resolved[1].before.as_ref()), ["c-1-x"]);
    assert_eq!(t.resolved[1].now, None);
    assert!(t.still_open.is_empty());
}

#[test]
fn a_crash_looping_deployment_whose_pod_was_renamed_by_a_rollout_is_still_open() {
    let before = report_at(
        BEFORE.parse().unwrap(),
        &["ns"],
        vec![pod("ns", "web-5f4-abcde", "web", "crash", 12)],
    );
    let current = report(&["ns"], vec![pod("ns", "web-7c9-fghij", "web", "crash", 3)]);
    let t = trend_of(&archived(&before, None), &current);
    assert_eq!(names(&t.still_open), [d("web", 2)]);
    assert!(t.new_problems.is_empty(), "{:?}", t.new_problems);
    assert!(t.resolved.is_empty(), "{:?}", t.resolved);
    let open = &t.still_open[0];
    assert_eq!(pods_of(open.before.as_ref()), ["web-5f4-abcde"]);
    assert_eq!(pods_of(open.now.as_ref()), ["web-7c9-fghij"]);
}

#[test]
fn a_new_kind_of_problem_in_the_same_workload_is_new_and_the_old_one_resolved() {
    let image_pull = |name: &str| {
        let mut p = pod("ns", name, "web", "crash", 0);
        let status = &mut p
            .status
            .as_mut()
            .unwrap()
            .container_statuses
            .as_mut()
            .unwrap()[0];
        status.state =
            serde_json::from_value(json!({"waiting": {"reason": "ImagePullBackOff"}})).unwrap();
        p
    };
    let before = report_at(
        BEFORE.parse().unwrap(),
        &["ns"],
        vec![pod("ns", "web-5f4-abcde", "web", "crash", 12)],
    );
    let current = report(&["ns"], vec![image_pull("web-7c9-fghij")]);
    let t = trend_of(&archived(&before, None), &current);
    let problems = |c: &[ProblemChange]| c.iter().map(|c| c.problem.clone()).collect::<Vec<_>>();
    assert_eq!(problems(&t.new_problems), ["image_pull"]);
    assert_eq!(problems(&t.resolved), ["crashing"]);
}

#[test]
fn bare_pods_are_tracked_by_their_own_name() {
    let bare = |name: &str| {
        let mut p = pod("ns", name, "x", "crash", 0);
        p.metadata.owner_references = None;
        p.metadata.labels = None;
        p
    };
    let before = report_at(BEFORE.parse().unwrap(), &["ns"], vec![bare("debug")]);
    let current = report(&["ns"], vec![bare("debug"), bare("other")]);
    let t = trend_of(&archived(&before, None), &current);
    assert_eq!(names(&t.still_open), [("Pod/debug".to_owned(), 2)]);
    assert_eq!(names(&t.new_problems), [("Pod/other".to_owned(), 1)]);
}

#[test]
fn still_open_problems_count_the_reports_in_a_row_across_three_reports() {
    let first = report_at(
        BEFORE.parse().unwrap(),
        &["ns"],
        vec![
            pod("ns", "a-1-x", "a", "crash", 0),
            pod("ns", "b-1-x", "b", "ok", 0),
        ],
    );
    let broken = vec![
        pod("ns", "a-2-x", "a", "crash", 1),
        pod("ns", "b-1-x", "b", "crash", 1),
    ];
    let second = report(&["ns"], broken.clone());
    let second_trend = trend_of(&archived(&first, None), &second);
    assert_eq!(names(&second_trend.still_open), [d("a", 2)]);
    assert_eq!(names(&second_trend.new_problems), [d("b", 1)]);

    let third = report_at("2026-01-02T02:00:00Z".parse().unwrap(), &["ns"], broken);
    let third_trend = trend_of(&archived(&second, Some(&second_trend)), &third);
    assert_eq!(names(&third_trend.still_open), [d("a", 3), d("b", 2)]);
    assert!(third_trend.new_problems.is_empty());

    let healed = report(&["ns"], vec![pod("ns", "a-3-x", "a", "ok", 2)]);
    let fourth = trend_of(&archived(&third, Some(&third_trend)), &healed);
    assert_eq!(names(&fourth.resolved), [d("a", 3), d("b", 2)]);
}

#[test]
fn a_previous_report_without_a_trend_counts_its_open_problems_as_one_report() {
    let current = report(&["ns"], vec![pod("ns", "a-1-x", "a", "crash", 0)]);
    let prev = previous(json!([plain_pod("a-1-x", "unhealthy", 0, "a")]));
    assert_eq!(names(&trend_of(&prev, &current).still_open), [d("a", 2)]);
}

#[test]
fn a_trend_that_counted_by_pod_carries_its_counts_to_the_pods_workload() {
    let mut prev = previous(
        json!([{"namespace": "ns", "name": "a-1-x", "health": "unhealthy",
        "owner": {"workload": {"kind": "Deployment", "name": "a"}},
        "problems": [{"code": "crash_loop"}]}]),
    );
    prev["trend"] =
        json!({"still_open": [{"namespace": "ns", "name": "a-1-x", "reports_open": 4}]});
    let current = report(&["ns"], vec![pod("ns", "a-2-y", "a", "crash", 0)]);
    assert_eq!(names(&trend_of(&prev, &current).still_open), [d("a", 5)]);
}

#[test]
fn a_problem_of_a_namespace_no_longer_inspected_is_not_resolved() {
    let prev = previous(json!([{"namespace": "old", "name": "x", "health": "unhealthy"}]));
    let current = report(&["ns"], vec![]);
    assert!(trend_of(&prev, &current).resolved.is_empty());
}

#[test]
fn restart_growth_per_pod_is_flagged_at_the_threshold_or_when_it_more_than_doubles() {
    let prev = previous(json!([
        plain_pod("from-zero-1-x", "healthy", 0, "z"),
        plain_pod("by-five-1-x", "healthy", 2, "f"),
        plain_pod("doubled-1-x", "healthy", 3, "d"),
        plain_pod("mild-1-x", "healthy", 3, "m"),
        plain_pod("reset-1-x", "healthy", 4, "r"),
    ]));
    let current = report(
        &["ns"],
        vec![
            pod("ns", "from-zero-1-x", "z", "ok", 4),
            pod("ns", "by-five-1-x", "f", "ok", 7),
            pod("ns", "doubled-1-x", "d", "ok", 7),
            pod("ns", "mild-1-x", "m", "ok", 5),
            pod("ns", "reset-1-x", "r", "ok", 0),
        ],
    );
    let t = trend_of(&prev, &current);
    let growth: Vec<(&str, i64, i64, bool)> = t
        .restart_growth
        .pods
        .iter()
        .map(|g| (g.name.as_str(), g.before, g.growth, g.abnormal))
        .collect();
    assert_eq!(
        growth,
        [
            ("by-five-1-x", 2, 5, true),
            ("doubled-1-x", 3, 4, true),
            ("from-zero-1-x", 0, 4, false),
            ("mild-1-x", 3, 2, false),
        ]
    );
}

#[test]
fn workload_restarts_compare_across_a_rollout_that_renamed_the_pods() {
    let prev = previous(json!([
        plain_pod("web-aaa-1", "healthy", 3, "web"),
        plain_pod("web-aaa-2", "healthy", 2, "web"),
        plain_pod("api-aaa-1", "healthy", 1, "api"),
        {"namespace": "ns", "name": "bare", "health": "healthy", "restart_count": 0},
    ]));
    let current = report(
        &["ns"],
        vec![
            pod("ns", "web-bbb-1", "web", "ok", 6),
            pod("ns", "web-bbb-2", "web", "ok", 4),
            pod("ns", "web-bbb-3", "web", "ok", 0),
            pod("ns", "api-aaa-1", "api", "ok", 3),
        ],
    );
    let t = trend_of(&prev, &current);
    let web = &t.restart_growth.workloads[0];
    assert_eq!(
        (
            web.kind.as_str(),
            web.name.as_str(),
            web.pods_before,
            web.pods_now
        ),
        ("Deployment", "web", 2, 3)
    );
    assert_eq!(
        (web.before, web.now, web.growth, web.abnormal),
        (5, 10, 5, true)
    );
    let api = &t.restart_growth.workloads[1];
    assert_eq!(
        (api.name.as_str(), api.growth, api.abnormal),
        ("api", 2, true),
        "1 → 3 more than doubled"
    );
    assert_eq!(
        t.restart_growth.pods.len(),
        1,
        "only api-aaa-1 kept its name"
    );

    let lenient = TrendSettings {
        restart_growth_abnormal: 20,
    };
    let t = trend(
        &parse_previous(&prev.to_string()).unwrap(),
        &current,
        &lenient,
    );
    assert!(
        !t.restart_growth.workloads[0].abnormal,
        "5 → 10 is double, not more"
    );
}

#[test]
fn namespace_changes_list_counts_and_added_and_removed_namespaces() {
    let prev = json!({"generated_at": BEFORE, "pods": [],
        "namespaces": [{"name": "same", "pods": 1}, {"name": "grew", "pods": 1}, {"name": "gone", "pods": 4}]});
    let current = report(
        &["same", "grew", "new"],
        vec![
            pod("same", "a-1-x", "a", "ok", 0),
            pod("grew", "a-1-x", "a", "ok", 0),
            pod("grew", "a-1-y", "a", "ok", 0),
        ],
    );
    let t = trend_of(&prev, &current);
    let changes: Vec<(&str, Change, Option<usize>, Option<usize>)> = t
        .namespace_changes
        .iter()
        .map(|c| (c.name.as_str(), c.change, c.pods_before, c.pods_now))
        .collect();
    assert_eq!(
        changes,
        [
            ("same", Change::Unchanged, Some(1), Some(1)),
            ("grew", Change::Changed, Some(1), Some(2)),
            ("new", Change::Added, None, Some(0)),
            ("gone", Change::Removed, Some(4), None),
        ]
    );
}

#[test]
fn namespaces_are_counted_from_the_pods_when_the_previous_report_lists_none() {
    let prev = previous(json!([
        plain_pod("a-1-x", "healthy", 0, "a"),
        plain_pod("a-1-y", "healthy", 0, "a")
    ]));
    let current = report(&["ns"], vec![pod("ns", "a-1-x", "a", "ok", 0)]);
    let change = &trend_of(&prev, &current).namespace_changes[0];
    assert_eq!(
        (change.change, change.pods_before),
        (Change::Changed, Some(2))
    );
}

#[test]
fn a_corrupt_previous_report_is_an_error_not_a_panic() {
    let err =
        parse_previous("{\"generated_at\": \"2025-12-19T02:00:00Z\", \"pods\": [").unwrap_err();
    assert!(matches!(err, TrendError::Corrupt(_)));
    assert!(crate::error::one_line(&err).starts_with("the previous report is not valid JSON: "));
}

#[test]
fn json_that_is_not_a_kube_patrol_report_is_unrecognized() {
    for other in [
        json!([]),
        json!({"kind": "PodList", "items": []}),
        json!({"generated_at": BEFORE}),
        json!({"generated_at": BEFORE, "pods": [{"namespace": "ns", "name": "a"}]}),
        json!({"generated_at": BEFORE, "pods": [{"namespace": "ns", "name": "a", "health": "great"}]}),
    ] {
        let err = parse_previous(&other.to_string()).unwrap_err();
        assert!(matches!(err, TrendError::Unrecognized(_)), "{other}");
    }
}

#[test]
fn a_trend_of_another_shape_only_loses_the_open_counts() {
    let mut prev = previous(json!([plain_pod("a-1-x", "unhealthy", 0, "a")]));
    prev["trend"] = json!({"still_open": "not a list", "new_problems": [{"name": "a-1-x"}]});
    let current = report(&["ns"], vec![pod("ns", "a-1-x", "a", "crash", 0)]);
    assert_eq!(names(&trend_of(&prev, &current).still_open), [d("a", 2)]);
}

#[test]
fn the_trend_json_carries_the_identities_and_counts_the_next_run_reads() {
    let current = report(&["ns"], vec![pod("ns", "a-1-x", "a", "crash", 0)]);
    let json = serde_json::to_value(trend_of(&previous(json!([])), &current)).unwrap();
    assert_eq!(json["previous_generated_at"], BEFORE);
    let new = &json["new_problems"][0];
    assert_eq!(new["namespace"], "ns");
    assert_eq!(new["subject"], json!({"kind": "Deployment", "name": "a"}));
    assert_eq!(new["problem"], "crashing");
    assert_eq!(new["reports_open"], 1);
    assert_eq!(new["before"], Value::Null);
    assert_eq!(new["now"]["severity"], "high");
    assert_eq!(new["now"]["pods"][0]["name"], "a-1-x");
    assert_eq!(new["now"]["pods"][0]["health"], "unhealthy");
    assert_eq!(json["restart_growth"], json!({"pods": [], "workloads": []}));
    assert_eq!(json["namespace_changes"][0]["change"], "added");
}

#[test]
fn the_trend_adds_new_problems_abnormal_growth_and_long_open_problems_to_the_conclusions() {
    let week = |days: i64| (now() - jiff::SignedDuration::from_hours(24 * 7 * days)).to_string();
    let crash = |restarts| pod("ns", "a-1-x", "a", "crash", restarts);
    let first = report_at(week(2).parse().unwrap(), &["ns"], vec![crash(0)]);
    let second = report_at(week(1).parse().unwrap(), &["ns"], vec![crash(2)]);
    let t2 = trend_of(&archived(&first, None), &second);
    let mut third = report(
        &["ns"],
        vec![crash(20), pod("ns", "b-1-x", "b", "crash", 0)],
    );
    let t3 = trend_of(&archived(&second, Some(&t2)), &third);
    let before = third.conclusions.issues.len();

    crate::analyze::with_trend(&mut third, t3, &Catalog::builtin(Lang::En));

    assert_eq!(
        third.conclusions.issues[before..],
        [
            "New problems since the last report: 1",
            "Deployment a (ns) restarted 18 more times since the last report: abnormal growth",
            "Deployment a (ns) has been crashing or restarting for 3 reports in a row",
        ]
    );
    assert!(third.trend.is_some());
}
