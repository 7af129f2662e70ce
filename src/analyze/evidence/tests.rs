use crate::model::{Event, Pod};
use jiff::Timestamp;
use serde_json::json;

use super::*;
use crate::model::{LogTail, Missing};

fn now() -> Timestamp {
    "2025-12-26T02:00:00Z".parse().unwrap()
}

fn failed_pod() -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": "cron-1", "namespace": "dev", "creationTimestamp": "2025-12-18T15:31:00Z"},
        "spec": {"containers": [{"name": "cron"}]},
        "status": {"phase": "Failed", "containerStatuses": [{"name": "cron", "image": "i", "imageID": "",
            "ready": false, "restartCount": 2,
            "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                "startedAt": "2025-12-18T15:31:40Z", "finishedAt": "2025-12-18T15:54:00Z"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2025-12-18T15:40:00Z"}}}]}
    }))
    .unwrap()
}

fn event(kind: &str, reason: &str, pod: &str, last: &str) -> Event {
    serde_json::from_value(json!({
        "metadata": {"name": format!("{pod}.{reason}"), "namespace": "dev"},
        "involvedObject": {"kind": "Pod", "name": pod, "namespace": "dev"},
        "type": kind, "reason": reason, "message": format!("{reason} happened"), "count": 3,
        "lastTimestamp": last
    }))
    .unwrap()
}

#[test]
fn a_terminated_pod_has_been_in_its_state_since_its_container_finished() {
    let s = since(&failed_pod(), now()).unwrap();
    assert_eq!(s.at.to_string(), "2025-12-18T15:54:00Z");
    assert_eq!(s.ago, "7d10h");
}

#[test]
fn container_states_carry_exit_code_and_oom_killed_and_the_last_state() {
    let e = evidence(
        &failed_pod(),
        &Snapshot::default(),
        &Context::default(),
        now(),
        10,
    );
    let c = &e.containers[0];
    assert_eq!((c.state.exit_code, c.state.oom_killed), (Some(137), true));
    assert_eq!(
        c.last_state.as_ref().unwrap().reason.as_deref(),
        Some("Error")
    );
}

#[test]
fn warnings_come_before_newer_normal_events_and_other_pods_events_are_left_out() {
    let snapshot = Snapshot {
        events: vec![
            event("Normal", "Pulled", "cron-1", "2025-12-26T01:00:00Z"),
            event("Warning", "BackOff", "cron-1", "2025-12-20T00:00:00Z"),
            event("Warning", "Failed", "other", "2025-12-26T01:00:00Z"),
        ],
        ..Snapshot::default()
    };
    let e = evidence(&failed_pod(), &snapshot, &Context::default(), now(), 10);
    let reasons: Vec<&str> = e.events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, ["BackOff", "Pulled"]);
    assert_eq!(e.events[1].last_seen_ago.as_deref(), Some("60m"));
}

#[test]
fn logs_that_could_not_be_read_carry_the_reason() {
    let snapshot = Snapshot {
        logs: vec![LogTail {
            namespace: "dev".into(),
            pod: "cron-1".into(),
            container: "cron".into(),
            previous: false,
            outcome: LogOutcome::Unavailable("500: dial tcp: connection refused".into()),
        }],
        missing: vec![Missing {
            what: "events".into(),
            namespace: Some("dev".into()),
            reason: "403 Forbidden".into(),
        }],
        ..Snapshot::default()
    };
    let e = evidence(&failed_pod(), &snapshot, &Context::default(), now(), 10);
    assert_eq!(
        e.logs[0].unavailable.as_deref(),
        Some("500: dial tcp: connection refused")
    );
    assert_eq!(e.events_missing.as_deref(), Some("403 Forbidden"));
    assert_eq!(e.logs_missing, None);
}
