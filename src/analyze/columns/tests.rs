//! Every vector of the specification (`kubectl-columns.md`) and of the upstream printer tests
//! (`TestPrintPod`, `TestPrintPodWithRestartableInitContainer`, `TestPrintPodwide`), with pods
//! written as the JSON the API server sends.

use crate::model::Pod;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::{PodColumns, pod_columns};

const NOW: &str = "2025-06-01T12:00:00Z";

fn now() -> Timestamp {
    NOW.parse().expect("NOW is a timestamp")
}

/// The RFC 3339 time `seconds` before [`NOW`].
fn ago(seconds: i64) -> String {
    (now() - SignedDuration::from_secs(seconds)).to_string()
}

fn columns(pod: Value) -> PodColumns {
    let pod: Pod = serde_json::from_value(pod).expect("test pod is a Pod");
    pod_columns(&pod, now())
}

/// `n` containers named c0, c1, … in the spec.
fn containers(n: usize) -> Value {
    Value::Array((0..n).map(|i| json!({ "name": format!("c{i}") })).collect())
}

/// Sidecars named sc0, sc1, …: init containers with `restartPolicy: Always`.
fn sidecars(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!({ "name": format!("sc{i}"), "restartPolicy": "Always" }))
            .collect(),
    )
}

/// A `lastState` whose termination finished `seconds` before [`NOW`].
fn last_finished(seconds: i64) -> Value {
    json!({ "terminated": { "exitCode": 0, "finishedAt": ago(seconds) } })
}

fn pod(spec: Value, status: Value) -> Value {
    json!({ "metadata": { "name": "test" }, "spec": spec, "status": status })
}

/// Asserts STATUS, READY and RESTARTS, the cells every vector gives.
fn assert_cells(cols: &PodColumns, status: &str, ready: &str, restarts: &str) {
    assert_eq!(
        (
            cols.status.as_str(),
            cols.ready.as_str(),
            cols.restarts.as_str()
        ),
        (status, ready, restarts),
        "STATUS, READY, RESTARTS of {cols:#?}"
    );
}

/// c0 ready and running, c1 with no state, both restarted 3 times.
fn running_and_stateless(phase: &str, reason: Option<&str>) -> Value {
    let mut status = json!({
        "phase": phase,
        "containerStatuses": [
            { "name": "c0", "ready": true, "restartCount": 3, "state": { "running": {} } },
            { "name": "c1", "restartCount": 3 },
        ],
    });
    if let Some(reason) = reason {
        status["reason"] = json!(reason);
    }
    pod(json!({ "containers": containers(2) }), status)
}

// ---- Containers -------------------------------------------------------------------------

#[test]
fn pod_with_no_container_reason_shows_its_phase_and_sums_restarts() {
    let cols = columns(running_and_stateless("podPhase", None));
    assert_cells(&cols, "podPhase", "1/2", "6");
    assert_eq!(cols.name, "test");
    assert_eq!(
        (
            cols.restart_count,
            cols.ready_containers,
            cols.total_containers
        ),
        (6, 1, 2)
    );
    assert_eq!(cols.last_restart, None);
}

#[test]
fn waiting_container_reason_overrides_the_pod_phase() {
    let cols = columns(pod(
        json!({ "containers": containers(2) }),
        json!({
            "phase": "podPhase",
            "containerStatuses": [
                { "name": "c0", "ready": true, "restartCount": 3, "state": { "running": {} } },
                { "name": "c1", "restartCount": 3,
                  "state": { "waiting": { "reason": "ContainerWaitingReason" } } },
            ],
        }),
    ));
    assert_cells(&cols, "ContainerWaitingReason", "1/2", "6");
}

#[test]
fn first_container_reason_wins_over_a_later_terminated_container() {
    let cols = columns(pod(
        json!({ "containers": containers(2) }),
        json!({
            "phase": "podPhase",
            "containerStatuses": [
                { "name": "c0", "restartCount": 3,
                  "state": { "waiting": { "reason": "ContainerWaitingReason" } } },
                { "name": "c1", "restartCount": 3,
                  "state": { "terminated": { "reason": "ContainerTerminatedReason" } } },
            ],
        }),
    ));
    assert_cells(&cols, "ContainerWaitingReason", "0/2", "6");
}

#[test]
fn ready_container_without_a_running_state_is_not_counted_ready() {
    let cols = columns(pod(
        json!({ "containers": containers(2) }),
        json!({
            "phase": "podPhase",
            "containerStatuses": [
                { "name": "c0", "ready": true, "restartCount": 3, "state": { "running": {} } },
                { "name": "c1", "ready": true, "restartCount": 3 },
            ],
        }),
    ));
    assert_cells(&cols, "podPhase", "1/2", "6");
}

#[test]
fn pod_status_reason_replaces_the_phase() {
    let cols = columns(running_and_stateless("podPhase", Some("podReason")));
    assert_cells(&cols, "podReason", "1/2", "6");
}

/// c0 completed, c1 ready and running, with the given pod conditions.
fn completed_beside_running(conditions: Value) -> Value {
    pod(
        json!({ "containers": containers(2) }),
        json!({
            "phase": "Running",
            "conditions": conditions,
            "containerStatuses": [
                { "name": "c0", "ready": true, "restartCount": 3,
                  "state": { "terminated": { "reason": "Completed", "exitCode": 0 } } },
                { "name": "c1", "ready": true, "restartCount": 3, "state": { "running": {} } },
            ],
        }),
    )
}

#[test]
fn completed_container_with_running_sibling_and_no_ready_condition_is_not_ready() {
    let cols = columns(completed_beside_running(json!([])));
    assert_cells(&cols, "NotReady", "1/2", "6");
}

#[test]
fn completed_container_with_running_sibling_and_ready_condition_is_running() {
    let cols = columns(completed_beside_running(json!([
        { "type": "Ready", "status": "True" },
    ])));
    assert_cells(&cols, "Running", "1/2", "6");
}

#[test]
fn completed_container_with_running_sibling_and_a_false_ready_condition_is_not_ready() {
    let cols = columns(completed_beside_running(json!([
        { "type": "Ready", "status": "False" },
    ])));
    assert_cells(&cols, "NotReady", "1/2", "6");
}

#[test]
fn terminated_container_without_reason_shows_its_signal() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Failed",
            "containerStatuses": [
                { "name": "c0", "state": { "terminated": { "exitCode": 137, "signal": 9 } } },
            ],
        }),
    ));
    assert_cells(&cols, "Signal:9", "0/1", "0");
}

#[test]
fn terminated_container_without_reason_or_signal_shows_its_exit_code() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Failed",
            "containerStatuses": [
                { "name": "c0", "state": { "terminated": { "exitCode": 137 } } },
            ],
        }),
    ));
    assert_cells(&cols, "ExitCode:137", "0/1", "0");
}

#[test]
fn waiting_container_with_an_empty_reason_keeps_the_phase() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Pending",
            "containerStatuses": [ { "name": "c0", "state": { "waiting": { "reason": "" } } } ],
        }),
    ));
    assert_cells(&cols, "Pending", "0/1", "0");
}

// ---- Restarts ---------------------------------------------------------------------------

#[test]
fn single_running_init_container_shows_init_zero_of_one_and_its_last_restart() {
    let cols = columns(pod(
        json!({ "initContainers": [ { "name": "init0" } ], "containers": containers(1) }),
        json!({
            "phase": "podPhase",
            "initContainerStatuses": [
                { "name": "init0", "restartCount": 3, "state": { "running": {} },
                  "lastState": last_finished(10) },
            ],
            "containerStatuses": [ { "name": "c0", "state": { "waiting": {} } } ],
        }),
    ));
    assert_cells(&cols, "Init:0/1", "0/1", "3 (10s ago)");
    assert_eq!(cols.restart_count, 3);
    assert_eq!(
        cols.last_restart,
        Some(now() - SignedDuration::from_secs(10))
    );
}

#[test]
fn first_init_container_restarting_shows_init_zero_of_two() {
    let cols = columns(pod(
        json!({
            "initContainers": [ { "name": "init0" }, { "name": "init1" } ],
            "containers": containers(1),
        }),
        json!({
            "phase": "podPhase",
            "initContainerStatuses": [
                { "name": "init0", "restartCount": 3, "state": { "running": {} },
                  "lastState": last_finished(10) },
                { "name": "init1", "state": { "waiting": {} } },
            ],
            "containerStatuses": [ { "name": "c0", "state": { "waiting": {} } } ],
        }),
    ));
    assert_cells(&cols, "Init:0/2", "0/1", "3 (10s ago)");
}

#[test]
fn init_container_done_and_the_next_restarting_shows_init_one_of_two() {
    let cols = columns(pod(
        json!({
            "initContainers": [ { "name": "init0" }, { "name": "init1" } ],
            "containers": containers(1),
        }),
        json!({
            "phase": "podPhase",
            "initContainerStatuses": [
                { "name": "init0", "state": { "terminated": {} } },
                { "name": "init1", "restartCount": 3, "state": { "running": {} },
                  "lastState": last_finished(10) },
            ],
            "containerStatuses": [ { "name": "c0", "state": { "waiting": {} } } ],
        }),
    ));
    assert_cells(&cols, "Init:1/2", "0/1", "3 (10s ago)");
}

#[test]
fn restarts_of_a_done_init_container_count_while_the_pod_initializes() {
    let cols = columns(pod(
        json!({
            "initContainers": [ { "name": "init0" }, { "name": "init1" } ],
            "containers": containers(1),
        }),
        json!({
            "phase": "podPhase",
            "initContainerStatuses": [
                { "name": "init0", "restartCount": 2, "state": { "terminated": {} },
                  "lastState": last_finished(120) },
                { "name": "init1", "restartCount": 3, "state": { "running": {} },
                  "lastState": last_finished(10) },
            ],
            "containerStatuses": [ { "name": "c0", "state": { "waiting": {} } } ],
        }),
    ));
    assert_cells(&cols, "Init:1/2", "0/1", "5 (10s ago)");
}

#[test]
fn restarts_of_finished_init_containers_are_dropped_once_the_pod_is_initialized() {
    let cols = columns(pod(
        json!({ "initContainers": [ { "name": "init0" } ], "containers": containers(1) }),
        json!({
            "phase": "Running",
            "initContainerStatuses": [
                { "name": "init0", "restartCount": 2, "state": { "terminated": {} },
                  "lastState": last_finished(120) },
            ],
            "containerStatuses": [
                { "name": "c0", "restartCount": 4, "state": { "running": {} },
                  "lastState": last_finished(20) },
            ],
        }),
    ));
    assert_cells(&cols, "Running", "0/1", "4 (20s ago)");
    assert_eq!(cols.restart_count, 4);
}

#[test]
fn one_container_restarted_five_days_ago_shows_five_days() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Running",
            "containerStatuses": [
                { "name": "c0", "ready": true, "restartCount": 3, "state": { "running": {} },
                  "lastState": last_finished(5 * 86_400) },
            ],
        }),
    ));
    assert_cells(&cols, "Running", "1/1", "3 (5d ago)");
}

#[test]
fn container_that_never_restarted_does_not_hide_its_siblings_restart_time() {
    let cols = columns(pod(
        json!({ "containers": containers(2) }),
        json!({
            "phase": "Running",
            "containerStatuses": [
                { "name": "c0", "ready": true, "state": { "running": {} } },
                { "name": "c1", "ready": true, "restartCount": 3, "state": { "running": {} },
                  "lastState": last_finished(10 * 86_400) },
            ],
        }),
    ));
    assert_cells(&cols, "Running", "2/2", "3 (10d ago)");
}

#[test]
fn restart_sum_shows_the_most_recent_restart_of_all_containers() {
    let cols = columns(pod(
        json!({ "containers": containers(2) }),
        json!({
            "phase": "Running",
            "containerStatuses": [
                { "name": "c0", "ready": true, "restartCount": 6, "state": { "running": {} },
                  "lastState": last_finished(5 * 86_400) },
                { "name": "c1", "ready": true, "restartCount": 3, "state": { "running": {} },
                  "lastState": last_finished(20 * 86_400) },
            ],
        }),
    ));
    assert_cells(&cols, "Running", "2/2", "9 (5d ago)");
    assert_eq!(cols.restart_count, 9);
}

#[test]
fn restarts_without_a_finish_time_print_the_bare_number() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Running",
            "containerStatuses": [
                { "name": "c0", "ready": true, "restartCount": 2, "state": { "running": {} },
                  "lastState": { "terminated": { "exitCode": 1 } } },
            ],
        }),
    ));
    assert_cells(&cols, "Running", "1/1", "2");
    assert_eq!(cols.last_restart, None);
}

#[test]
fn a_known_restart_time_with_zero_restarts_prints_zero() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Running",
            "containerStatuses": [
                { "name": "c0", "ready": true, "state": { "running": {} },
                  "lastState": last_finished(30) },
            ],
        }),
    ));
    assert_cells(&cols, "Running", "1/1", "0");
    assert_eq!(
        cols.last_restart,
        Some(now() - SignedDuration::from_secs(30))
    );
}

// ---- Scheduling, phases and deletion ----------------------------------------------------

#[test]
fn scheduling_gated_condition_shows_scheduling_gated() {
    let cols = columns(pod(
        json!({ "containers": containers(2) }),
        json!({
            "phase": "podPhase",
            "conditions": [
                { "type": "PodScheduled", "status": "False", "reason": "SchedulingGated" },
            ],
        }),
    ));
    assert_cells(&cols, "SchedulingGated", "0/2", "0");
}

#[test]
fn succeeded_pod_with_a_completed_container_shows_completed() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Succeeded",
            "containerStatuses": [
                { "name": "c0", "state": { "terminated": { "reason": "Completed", "exitCode": 0 } } },
            ],
        }),
    ));
    assert_cells(&cols, "Completed", "0/1", "0");
}

#[test]
fn failed_pod_with_an_errored_container_shows_error() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Failed",
            "containerStatuses": [
                { "name": "c0", "state": { "terminated": { "reason": "Error", "exitCode": 1 } } },
            ],
        }),
    ));
    assert_cells(&cols, "Error", "0/1", "0");
}

/// A pod being deleted, with the given phase, reason and container statuses.
fn deleted(phase: &str, reason: Option<&str>, statuses: Value) -> Value {
    let mut pod = pod(
        json!({ "containers": containers(1) }),
        json!({ "phase": phase, "containerStatuses": statuses }),
    );
    pod["metadata"]["deletionTimestamp"] = json!(ago(10));
    if let Some(reason) = reason {
        pod["status"]["reason"] = json!(reason);
    }
    pod
}

#[test]
fn succeeded_pod_being_deleted_still_shows_completed() {
    let cols = columns(deleted(
        "Succeeded",
        None,
        json!([{ "name": "c0", "state": { "terminated": { "reason": "Completed", "exitCode": 0 } } }]),
    ));
    assert_cells(&cols, "Completed", "0/1", "0");
}

#[test]
fn failed_pod_being_deleted_still_shows_its_error() {
    let cols = columns(deleted(
        "Failed",
        None,
        json!([{ "name": "c0", "state": { "terminated": { "reason": "Error", "exitCode": 1 } } }]),
    ));
    assert_cells(&cols, "Error", "0/1", "0");
}

#[test]
fn running_pod_being_deleted_shows_terminating() {
    let cols = columns(deleted(
        "Running",
        None,
        json!([{ "name": "c0", "state": { "running": {} } }]),
    ));
    assert_cells(&cols, "Terminating", "0/1", "0");
}

#[test]
fn pending_pod_being_deleted_without_statuses_shows_terminating() {
    let cols = columns(deleted("Pending", None, json!(null)));
    assert_cells(&cols, "Terminating", "0/1", "0");
}

#[test]
fn running_pod_being_deleted_on_a_lost_node_shows_unknown() {
    let cols = columns(deleted(
        "Running",
        Some("NodeLost"),
        json!([{ "name": "c0", "state": { "running": {} } }]),
    ));
    assert_eq!(cols.status, "Unknown");
}

#[test]
fn pod_on_a_lost_node_that_is_not_being_deleted_shows_node_lost() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({ "phase": "Running", "reason": "NodeLost" }),
    ));
    assert_eq!(cols.status, "NodeLost");
}

// ---- Init containers --------------------------------------------------------------------

/// One init container init0 in the given state, one container c0 not started.
fn one_init_container(state: Value) -> Value {
    pod(
        json!({ "initContainers": [ { "name": "init0" } ], "containers": containers(1) }),
        json!({
            "phase": "Pending",
            "initContainerStatuses": [ { "name": "init0", "state": state } ],
            "containerStatuses": [
                { "name": "c0", "state": { "waiting": { "reason": "PodInitializing" } } },
            ],
        }),
    )
}

#[test]
fn init_container_that_failed_without_reason_shows_its_exit_code() {
    let cols = columns(one_init_container(
        json!({ "terminated": { "exitCode": 1 } }),
    ));
    assert_cells(&cols, "Init:ExitCode:1", "0/1", "0");
}

#[test]
fn init_container_killed_by_a_signal_without_reason_shows_the_signal() {
    let cols = columns(one_init_container(json!({
        "terminated": { "exitCode": 137, "signal": 9 },
    })));
    assert_cells(&cols, "Init:Signal:9", "0/1", "0");
}

#[test]
fn init_container_that_failed_with_a_reason_shows_the_reason() {
    let cols = columns(one_init_container(json!({
        "terminated": { "exitCode": 1, "reason": "Error" },
    })));
    assert_cells(&cols, "Init:Error", "0/1", "0");
}

#[test]
fn init_container_in_crash_loop_shows_init_crash_loop_back_off() {
    let cols = columns(one_init_container(json!({
        "waiting": { "reason": "CrashLoopBackOff" },
    })));
    assert_cells(&cols, "Init:CrashLoopBackOff", "0/1", "0");
}

#[test]
fn init_container_waiting_for_pod_initializing_shows_progress_instead() {
    let cols = columns(one_init_container(json!({
        "waiting": { "reason": "PodInitializing" },
    })));
    assert_cells(&cols, "Init:0/1", "0/1", "0");
}

#[test]
fn initializing_pod_ignores_its_containers_reasons() {
    let cols = columns(one_init_container(json!({ "running": {} })));
    assert_eq!(cols.status, "Init:0/1");
}

// ---- Sidecars (restartable init containers) ---------------------------------------------

/// Two sidecars sc0 and sc1 with the given statuses, one container c0.
fn with_sidecars(phase: &str, init_statuses: Value, statuses: Value, initialized: &str) -> Value {
    pod(
        json!({ "initContainers": sidecars(2), "containers": containers(1) }),
        json!({
            "phase": phase,
            "initContainerStatuses": init_statuses,
            "containerStatuses": statuses,
            "conditions": [ { "type": "Initialized", "status": initialized } ],
        }),
    )
}

#[test]
fn sidecar_running_but_not_started_shows_init_zero_of_two() {
    let cols = columns(with_sidecars(
        "Pending",
        json!([
            { "name": "sc0", "restartCount": 3, "state": { "running": {} }, "started": false,
              "lastState": last_finished(10) },
            { "name": "sc1", "state": { "waiting": {} }, "started": false },
        ]),
        json!([{ "name": "c0", "state": { "waiting": {} } }]),
        "False",
    ));
    assert_cells(&cols, "Init:0/2", "0/3", "3 (10s ago)");
    assert_eq!(cols.total_containers, 3);
}

#[test]
fn started_sidecar_followed_by_an_unstarted_one_shows_init_one_of_two() {
    let cols = columns(with_sidecars(
        "Pending",
        json!([
            { "name": "sc0", "restartCount": 3, "state": { "running": {} }, "started": true,
              "lastState": last_finished(10) },
            { "name": "sc1", "state": { "running": {} }, "started": false },
        ]),
        json!([{ "name": "c0", "state": { "waiting": {} } }]),
        "False",
    ));
    assert_cells(&cols, "Init:1/2", "0/3", "3 (10s ago)");
}

#[test]
fn started_sidecars_and_a_ready_container_show_running_with_all_their_restarts() {
    let cols = columns(with_sidecars(
        "Running",
        json!([
            { "name": "sc0", "restartCount": 3, "state": { "running": {} }, "started": true,
              "lastState": last_finished(10) },
            { "name": "sc1", "state": { "running": {} }, "started": true },
        ]),
        json!([
            { "name": "c0", "ready": true, "restartCount": 4, "state": { "running": {} },
              "lastState": last_finished(20) },
        ]),
        "True",
    ));
    assert_cells(&cols, "Running", "1/3", "7 (10s ago)");
    assert_eq!(
        (
            cols.restart_count,
            cols.ready_containers,
            cols.total_containers
        ),
        (7, 1, 3)
    );
}

#[test]
fn ready_started_sidecars_count_in_ready() {
    let cols = columns(with_sidecars(
        "Running",
        json!([
            { "name": "sc0", "ready": true, "state": { "running": {} }, "started": true },
            { "name": "sc1", "ready": true, "state": { "running": {} }, "started": true },
        ]),
        json!([{ "name": "c0", "ready": true, "state": { "running": {} } }]),
        "True",
    ));
    assert_cells(&cols, "Running", "3/3", "0");
}

#[test]
fn succeeded_pod_with_killed_sidecars_and_a_completed_container_shows_completed() {
    let cols = columns(with_sidecars(
        "Succeeded",
        json!([
            { "name": "sc0", "restartCount": 3, "started": false,
              "state": { "terminated": { "reason": "Error", "exitCode": 137 } },
              "lastState": last_finished(10) },
            { "name": "sc1", "started": false,
              "state": { "terminated": { "reason": "Error", "exitCode": 137 } } },
        ]),
        json!([
            { "name": "c0", "restartCount": 4,
              "state": { "terminated": { "reason": "Completed", "exitCode": 0 } },
              "lastState": last_finished(20) },
        ]),
        "True",
    ));
    assert_cells(&cols, "Completed", "0/3", "7 (10s ago)");
}

#[test]
fn statuses_of_containers_missing_from_the_spec_are_not_sidecars() {
    let cols = columns(pod(
        json!({
            "initContainers": [
                { "name": "init1", "image": "initimage" },
                { "name": "sidecar1", "image": "sidecarimage", "restartPolicy": "Always" },
            ],
            "containers": [ { "name": "container1", "image": "containerimage" } ],
        }),
        json!({
            "phase": "Running",
            "initContainerStatuses": [
                { "name": "initinvalid" }, { "name": "init1" }, { "name": "sidecar1" },
            ],
            "containerStatuses": [ { "name": "containerinvalid" }, { "name": "container1" } ],
        }),
    ));
    assert_cells(&cols, "Init:0/2", "0/2", "0");
}

#[test]
fn first_initialized_condition_decides_whether_containers_count() {
    let cols = columns(pod(
        json!({ "initContainers": sidecars(1), "containers": containers(1) }),
        json!({
            "phase": "Running",
            "conditions": [
                { "type": "Initialized", "status": "False" },
                { "type": "Initialized", "status": "True" },
            ],
            "initContainerStatuses": [
                { "name": "sc0", "state": { "running": {} }, "started": false },
            ],
            "containerStatuses": [ { "name": "c0", "ready": true, "state": { "running": {} } } ],
        }),
    ));
    assert_cells(&cols, "Init:0/1", "0/2", "0");
}

// ---- AGE and the wide columns -----------------------------------------------------------

#[test]
fn wide_columns_show_first_ip_node_nominated_node_and_passed_readiness_gates() {
    let mut pod = running_and_stateless("podPhase", None);
    pod["spec"]["nodeName"] = json!("test1");
    pod["spec"]["readinessGates"] = json!([
        { "conditionType": "condition1" },
        { "conditionType": "condition2" },
        { "conditionType": "condition3" },
    ]);
    pod["status"]["conditions"] = json!([
        { "type": "condition1", "status": "False" },
        { "type": "condition2", "status": "True" },
    ]);
    pod["status"]["podIPs"] = json!([{ "ip": "1.1.1.1" }, { "ip": "2001:db8::" }]);
    pod["status"]["nominatedNodeName"] = json!("node1");
    let cols = columns(pod);
    assert_cells(&cols, "podPhase", "1/2", "6");
    assert_eq!(
        [
            cols.ip.as_str(),
            cols.node.as_str(),
            cols.nominated_node.as_str(),
            cols.readiness_gates.as_str()
        ],
        ["1.1.1.1", "test1", "node1", "1/3"]
    );
}

#[test]
fn wide_columns_without_ip_node_or_gates_show_none() {
    let cols = columns(pod(
        json!({ "containers": containers(2) }),
        json!({
            "phase": "podPhase",
            "containerStatuses": [
                { "name": "c0", "ready": true, "restartCount": 3, "state": { "running": {} } },
                { "name": "c1", "restartCount": 3,
                  "state": { "waiting": { "reason": "ContainerWaitingReason" } } },
            ],
        }),
    ));
    assert_cells(&cols, "ContainerWaitingReason", "1/2", "6");
    assert_eq!(
        [
            cols.ip.as_str(),
            cols.node.as_str(),
            cols.nominated_node.as_str(),
            cols.readiness_gates.as_str()
        ],
        ["<none>"; 4]
    );
}

#[test]
fn pod_ip_alone_is_shown_as_the_ip() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({ "phase": "Running", "podIP": "10.0.0.7" }),
    ));
    assert_eq!(cols.ip, "10.0.0.7");
}

#[test]
fn pod_ip_that_differs_from_the_first_pod_ips_entry_wins_as_in_the_v1_conversion() {
    let cols = columns(pod(
        json!({ "containers": containers(1) }),
        json!({
            "phase": "Running",
            "podIP": "1.1.2.1",
            "podIPs": [ { "ip": "1.1.1.1" }, { "ip": "2.2.2.2" } ],
        }),
    ));
    assert_eq!(cols.ip, "1.1.2.1");
}

#[test]
fn readiness_gate_is_judged_by_the_first_condition_of_its_type() {
    let cols = columns(pod(
        json!({ "containers": containers(1), "readinessGates": [ { "conditionType": "g" } ] }),
        json!({
            "phase": "Running",
            "conditions": [
                { "type": "g", "status": "False" },
                { "type": "g", "status": "True" },
            ],
        }),
    ));
    assert_eq!(cols.readiness_gates, "0/1");
}

#[test]
fn age_is_the_human_duration_since_creation() {
    let mut pod = running_and_stateless("Running", None);
    pod["metadata"]["creationTimestamp"] = json!(ago(3 * 86_400 + 5 * 3_600));
    assert_eq!(columns(pod).age, "3d5h");
}

#[test]
fn age_without_a_creation_time_is_unknown() {
    assert_eq!(
        columns(running_and_stateless("Running", None)).age,
        "<unknown>"
    );
}

#[test]
fn empty_pod_prints_empty_cells_without_panicking() {
    let cols = columns(json!({}));
    assert_eq!(
        cols,
        PodColumns {
            name: "".into(),
            ready: "0/0".into(),
            status: "".into(),
            restarts: "0".into(),
            age: "<unknown>".into(),
            ip: "<none>".into(),
            node: "<none>".into(),
            nominated_node: "<none>".into(),
            readiness_gates: "<none>".into(),
            restart_count: 0,
            ready_containers: 0,
            total_containers: 0,
            last_restart: None,
        }
    );
}

// ---- STATUS by release (the two changes since 1.29) ----

fn status_as(pod_json: Value, version: &str) -> String {
    let pod: Pod = serde_json::from_value(pod_json).expect("test pod is a Pod");
    let version = super::KubernetesVersion::parse(version).expect("a version");
    super::pod_columns_as(&pod, now(), version).status.into()
}

fn terminated(reason: Option<&str>, exit: i32, signal: Option<i32>) -> Value {
    let mut t = json!({ "exitCode": exit });
    if let Some(r) = reason {
        t["reason"] = json!(r);
    }
    if let Some(s) = signal {
        t["signal"] = json!(s);
    }
    json!({ "terminated": t })
}

fn status_of(name: &str, state: Value, ready: bool) -> Value {
    json!({ "name": name, "ready": ready, "restartCount": 0, "image": "", "imageID": "", "state": state })
}

#[test]
fn a_failed_container_after_a_completed_one_shows_from_1_35_and_completed_before() {
    let failed = pod(
        json!({ "containers": containers(2) }),
        json!({ "phase": "Failed", "containerStatuses": [
            status_of("c0", terminated(Some("Completed"), 0, None), false),
            status_of("c1", terminated(Some("Error"), 1, None), false)] }),
    );
    for (version, status) in [
        ("1.29", "Completed"),
        ("1.34", "Completed"),
        ("1.35", "Error"),
        ("v1.37.2", "Error"),
    ] {
        assert_eq!(status_as(failed.clone(), version), status, "{version}");
    }
}

#[test]
fn from_1_35_the_lowest_failed_container_wins_with_its_reason_signal_or_exit_code() {
    let three = |c1: Value, c2: Value| {
        pod(
            json!({ "containers": containers(3) }),
            json!({ "phase": "Failed", "containerStatuses": [
                status_of("c0", terminated(Some("Completed"), 0, None), false),
                status_of("c1", c1, false), status_of("c2", c2, false)] }),
        )
    };
    let oom_then_error = three(
        terminated(Some("OOMKilled"), 137, None),
        terminated(Some("Error"), 1, None),
    );
    assert_eq!(status_as(oom_then_error.clone(), "1.35"), "OOMKilled");
    assert_eq!(status_as(oom_then_error, "1.34"), "Completed");
    let signal = three(
        terminated(None, 137, Some(9)),
        terminated(Some("Completed"), 0, None),
    );
    assert_eq!(status_as(signal, "1.36"), "Signal:9");
    let exit_zero = three(
        terminated(None, 0, None),
        terminated(Some("Completed"), 0, None),
    );
    assert_eq!(
        status_as(exit_zero, "1.37"),
        "Completed",
        "exit 0 is no error"
    );
}

#[test]
fn a_running_ready_container_beside_a_failed_one_shows_the_failure_from_1_35_unless_the_pod_is_ready()
 {
    let with_ready = |ready: &str| {
        pod(
            json!({ "containers": containers(3) }),
            json!({ "phase": "Running", "conditions": [{ "type": "Ready", "status": ready }],
                "containerStatuses": [
                status_of("c0", terminated(Some("Completed"), 0, None), false),
                status_of("c1", terminated(Some("Error"), 1, None), false),
                status_of("c2", json!({ "running": {} }), true)] }),
        )
    };
    assert_eq!(status_as(with_ready("False"), "1.34"), "NotReady");
    assert_eq!(status_as(with_ready("False"), "1.35"), "Error");
    assert_eq!(status_as(with_ready("True"), "1.35"), "Running");
    assert_eq!(status_as(with_ready("True"), "1.34"), "Running");
}

#[test]
fn a_finished_pod_being_deleted_keeps_its_status_from_1_31_and_shows_terminating_before() {
    for (phase, reason, shown) in [
        ("Succeeded", None, "Succeeded"),
        ("Failed", Some("Evicted"), "Evicted"),
    ] {
        let mut status = json!({ "phase": phase });
        if let Some(r) = reason {
            status["reason"] = json!(r);
        }
        let mut deleted = pod(json!({ "containers": containers(1) }), status);
        deleted["metadata"]["deletionTimestamp"] = json!(ago(60));
        assert_eq!(status_as(deleted.clone(), "1.30"), "Terminating", "{phase}");
        assert_eq!(status_as(deleted.clone(), "1.31"), shown, "{phase}");
        assert_eq!(status_as(deleted, "1.37"), shown, "{phase}");
    }
}

#[test]
fn versions_are_read_as_servers_and_distributions_write_them() {
    use super::KubernetesVersion as V;
    let v = |major, minor| Some(V { major, minor });
    assert_eq!(V::parse("v1.34.4"), v(1, 34));
    assert_eq!(V::parse("1.34"), v(1, 34));
    assert_eq!(V::parse("v1.30.2-eks-a1b2c3d"), v(1, 30));
    assert_eq!(V::parse("v1.31.0+k3s1"), v(1, 31));
    assert_eq!(V::parse("1.29+"), v(1, 29));
    assert_eq!(V::parse("29+"), None, "a minor alone is no version");
    assert_eq!(V::parse("latest"), None);
    assert_eq!(V::default(), V::NEWEST);
}
