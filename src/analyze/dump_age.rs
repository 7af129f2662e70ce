//! How old a dump is. A dump taken long ago and read without `--now` is aged against today:
//! every AGE and "(… ago)" is off by the time since, and a restart that was recent when the
//! dump was taken looks ancient. The newest time stamp in the dump tells when it was taken
//! (nodes' heartbeats are the best clue: kubelets renew them every few minutes).

use crate::model::{Event, Node, Pod};
use jiff::{SignedDuration, Timestamp};

use super::duration::human_duration;
use crate::model::{Snapshot, Source};
use crate::report::DumpAge;

/// A dump whose newest time stamp is older than this before the reference time is old.
pub const OLD_AFTER: SignedDuration = SignedDuration::from_hours(24);

/// The age of a dump against `now`, from its newest time stamp ([`newest_time`]); `None` for a
/// live cluster, or a dump without a single time stamp.
pub fn dump_age(source: &Source, newest: Option<Timestamp>, now: Timestamp) -> Option<DumpAge> {
    if !matches!(source, Source::Dump { .. }) {
        return None;
    }
    let newest = newest?;
    let behind = now.duration_since(newest);
    Some(DumpAge {
        newest,
        behind: human_duration(behind),
        behind_seconds: behind.as_secs(),
        old: behind > OLD_AFTER,
    })
}

/// The newest time stamp of the snapshot's pods, events and nodes.
pub fn newest_time(snapshot: &Snapshot) -> Option<Timestamp> {
    let pods = snapshot.pods.iter().flat_map(pod_times);
    let events = snapshot.events.iter().flat_map(event_times);
    let nodes = snapshot.nodes.iter().flat_map(node_times);
    pods.chain(events).chain(nodes).max()
}

/// A pod's times. Its `deletionTimestamp` is a deadline that may lie ahead (the grace period
/// is added to it): the moment the deletion was asked for counts instead.
fn pod_times(pod: &Pod) -> Vec<Timestamp> {
    let created = pod.metadata.creation_timestamp.map(|t| t.0);
    let mut times: Vec<Timestamp> = created
        .into_iter()
        .chain(super::pod::deletion_requested_at(pod))
        .collect();
    let Some(status) = &pod.status else {
        return times;
    };
    for c in status.conditions.iter().flatten() {
        times.extend(c.last_transition_time.as_ref().map(|t| t.0));
    }
    let statuses = [&status.init_container_statuses, &status.container_statuses];
    for s in statuses.into_iter().flatten().flatten() {
        for state in [&s.state, &s.last_state].into_iter().flatten() {
            times.extend(
                state
                    .running
                    .as_ref()
                    .and_then(|r| r.started_at.as_ref())
                    .map(|t| t.0),
            );
            if let Some(t) = &state.terminated {
                times.extend(t.started_at.as_ref().map(|t| t.0));
                times.extend(t.finished_at.as_ref().map(|t| t.0));
            }
        }
    }
    times
}

fn event_times(event: &Event) -> Vec<Timestamp> {
    let mut times: Vec<Timestamp> = [
        &event.last_timestamp,
        &event.first_timestamp,
        &event.metadata.creation_timestamp,
    ]
    .into_iter()
    .flatten()
    .map(|t| t.0)
    .collect();
    times.extend(event.event_time.as_ref().map(|t| t.0));
    times.extend(
        event
            .series
            .as_ref()
            .and_then(|s| s.last_observed_time.as_ref())
            .map(|t| t.0),
    );
    times
}

fn node_times(node: &Node) -> Vec<Timestamp> {
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    conditions
        .into_iter()
        .flatten()
        .flat_map(|c| [&c.last_heartbeat_time, &c.last_transition_time])
        .flatten()
        .map(|t| t.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn age_of(snapshot: &Snapshot, now: Timestamp) -> Option<DumpAge> {
        dump_age(&snapshot.source, newest_time(snapshot), now)
    }

    fn dump_of(pods: Vec<Pod>, nodes: Vec<Node>) -> Snapshot {
        Snapshot {
            source: Source::Dump {
                path: "dump.json".into(),
            },
            pods,
            nodes,
            ..Snapshot::default()
        }
    }

    fn pod(created: &str, finished: &str) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "p", "creationTimestamp": created},
            "status": {"containerStatuses": [{"name": "c", "image": "", "imageID": "", "ready": false,
                "restartCount": 1, "lastState": {"terminated": {"exitCode": 1, "finishedAt": finished}}}]}}))
        .unwrap()
    }

    fn node(heartbeat: &str) -> Node {
        serde_json::from_value(json!({"metadata": {"name": "n"}, "status": {"conditions": [
            {"type": "Ready", "status": "True", "lastHeartbeatTime": heartbeat,
             "lastTransitionTime": "2024-01-01T00:00:00Z"}]}}))
        .unwrap()
    }

    #[test]
    fn the_newest_time_stamp_of_pods_and_node_heartbeats_dates_a_dump() {
        let snapshot = dump_of(
            vec![pod("2024-01-01T00:00:00Z", "2024-03-01T08:00:00Z")],
            vec![node("2024-03-01T09:30:00Z")],
        );
        assert_eq!(
            newest_time(&snapshot),
            Some("2024-03-01T09:30:00Z".parse().unwrap())
        );
    }

    #[test]
    fn a_dump_more_than_a_day_older_than_the_reference_time_is_old() {
        let snapshot = dump_of(
            vec![pod("2024-01-01T00:00:00Z", "2024-03-01T08:00:00Z")],
            vec![],
        );
        let age = age_of(&snapshot, "2024-03-03T08:00:00Z".parse().unwrap()).unwrap();
        assert_eq!((age.old, age.behind.as_str()), (true, "2d"));
        assert_eq!(age.newest.to_string(), "2024-03-01T08:00:00Z");
        let fresh = age_of(&snapshot, "2024-03-02T07:00:00Z".parse().unwrap()).unwrap();
        assert!(!fresh.old, "23 hours is not old");
    }

    #[test]
    fn a_deletion_deadline_ahead_of_the_dump_does_not_date_it() {
        let mut deleting = pod("2024-01-01T00:00:00Z", "2024-03-01T08:00:00Z");
        deleting.metadata.deletion_timestamp =
            Some(crate::model::Time("2024-03-01T09:00:00Z".parse().unwrap()));
        deleting.metadata.deletion_grace_period_seconds = Some(3600);
        let snapshot = dump_of(vec![deleting], vec![]);
        assert_eq!(
            newest_time(&snapshot),
            Some("2024-03-01T08:00:00Z".parse().unwrap()),
            "asked for at 08:00, due at 09:00"
        );
    }

    #[test]
    fn a_live_cluster_or_a_dump_without_time_stamps_has_no_dump_age() {
        let now = "2024-03-03T08:00:00Z".parse().unwrap();
        let live = Snapshot {
            pods: vec![pod("2024-01-01T00:00:00Z", "2024-03-01T08:00:00Z")],
            ..Snapshot::default()
        };
        assert_eq!(age_of(&live, now), None);
        assert_eq!(age_of(&dump_of(vec![], vec![]), now), None);
    }
}
