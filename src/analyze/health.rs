//! The health rules: from a pod and its kubectl columns to a tier and the problems found.
//!
//! The defaults follow the seed report's 健康判定標準; every threshold is configurable
//! ([`Rules`]). Each rule is a small function; all rules that apply are listed, and the most
//! severe decides the tier.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use serde::Serialize;

use super::columns::PodColumns;
use crate::report::Health;

/// Thresholds of the health rules.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Restarts from which a pod needs attention (the seed: 5).
    pub restarts_attention: i64,
    /// Restarts from which a pod is unhealthy (the seed: 10).
    pub restarts_unhealthy: i64,
    /// How long a pod may be Pending / ContainerCreating / initializing before it is unhealthy.
    pub pending_grace: SignedDuration,
    /// How long a Running pod may have containers not ready before it is unhealthy.
    pub not_ready_grace: SignedDuration,
    /// How long a pod may be Terminating before it needs attention.
    pub terminating_grace: SignedDuration,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            restarts_attention: 5,
            restarts_unhealthy: 10,
            pending_grace: SignedDuration::from_mins(15),
            not_ready_grace: SignedDuration::from_mins(15),
            terminating_grace: SignedDuration::from_mins(15),
        }
    }
}

/// How bad a problem is: 🔴 high, 🟡 medium, 🟢 low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    /// High problems make a pod unhealthy; medium and low ones ask for attention.
    pub fn health(self) -> Health {
        match self {
            Severity::High => Health::Unhealthy,
            Severity::Medium | Severity::Low => Health::Attention,
        }
    }
}

/// What a rule found; `code` is stable (documented in README), `facts` feed the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub facts: BTreeMap<&'static str, String>,
}

impl Finding {
    fn new(code: &'static str, severity: Severity) -> Self {
        Finding {
            code,
            severity,
            facts: BTreeMap::new(),
        }
    }

    fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.facts.insert(key, value.into());
        self
    }
}

/// A pod's tier and every problem found, most severe first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub health: Health,
    pub findings: Vec<Finding>,
}

impl Assessment {
    pub fn severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Applies every rule to one pod.
pub fn assess(pod: &Pod, cols: &PodColumns, now: Timestamp, rules: &Rules) -> Assessment {
    let mut findings: Vec<Finding> = [
        status_problem(pod, cols, now, rules),
        oom_killed_before(pod, cols),
        restarts(cols, rules),
        not_ready(pod, cols, now, rules),
    ]
    .into_iter()
    .flatten()
    .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let health = if findings.is_empty() {
        Health::Healthy
    } else {
        findings
            .iter()
            .map(|f| f.severity.health())
            .max()
            .unwrap_or(Health::Healthy)
    };
    Assessment { health, findings }
}

/// The rule of the STATUS cell.
fn status_problem(pod: &Pod, cols: &PodColumns, now: Timestamp, rules: &Rules) -> Option<Finding> {
    let status = cols.status.as_str();
    let finding = match status {
        "Running" => return None,
        "Completed" => return completed(pod),
        "Terminating" => return terminating(pod, now, rules),
        "CrashLoopBackOff" => Finding::new("crash_loop", Severity::High),
        "ImagePullBackOff" | "ErrImagePull" | "InvalidImageName" | "ErrImageNeverPull" => {
            Finding::new("image_pull", Severity::High)
        }
        "CreateContainerConfigError" | "CreateContainerError" | "RunContainerError" => {
            Finding::new("container_create", Severity::High)
        }
        "OOMKilled" => Finding::new("oom_killed", Severity::High),
        "Evicted" => Finding::new("evicted", Severity::High),
        "Unknown" | "NodeLost" => Finding::new("node_lost", Severity::High),
        _ if is_starting(status) => return starting(pod, status, now, rules),
        _ if status.starts_with("Init:") => Finding::new("init_failed", Severity::High),
        _ => Finding::new("failed", Severity::High),
    };
    Some(finding.with("status", status))
}

/// Statuses of a pod on its way up: fine for a while, a problem past the grace period.
fn is_starting(status: &str) -> bool {
    matches!(
        status,
        "Pending" | "ContainerCreating" | "PodInitializing" | "SchedulingGated"
    ) || is_init_progress(status)
}

/// `Init:1/3`: init containers still running in order (not `Init:CrashLoopBackOff`).
fn is_init_progress(status: &str) -> bool {
    status
        .strip_prefix("Init:")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(a, b)| a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok())
}

fn starting(pod: &Pod, status: &str, now: Timestamp, rules: &Rules) -> Option<Finding> {
    let created = created_at(pod)?;
    let waited = now.duration_since(created);
    let finding = if waited > rules.pending_grace {
        Finding::new("pending_too_long", Severity::High)
    } else {
        Finding::new("starting", Severity::Low)
    };
    let mut finding = finding
        .with("status", status)
        .with("grace", grace_text(rules.pending_grace));
    if let Some(message) = unschedulable_message(pod) {
        finding = finding.with("scheduler", message);
    }
    Some(finding)
}

/// A Completed pod: as designed for a Job; a leftover for anything that should keep running.
fn completed(pod: &Pod) -> Option<Finding> {
    match controller_kind(pod).as_deref() {
        Some("Job") => None,
        kind => Some(
            Finding::new("leftover_completed", Severity::Medium)
                .with("status", "Completed")
                .with("owner_kind", kind.unwrap_or("")),
        ),
    }
}

fn terminating(pod: &Pod, now: Timestamp, rules: &Rules) -> Option<Finding> {
    let since = pod.metadata.deletion_timestamp.as_ref()?.0;
    let grace = SignedDuration::from_secs(pod.metadata.deletion_grace_period_seconds.unwrap_or(0));
    (now.duration_since(since) + grace > rules.terminating_grace).then(|| {
        Finding::new("stuck_terminating", Severity::Medium)
            .with("status", "Terminating")
            .with("grace", grace_text(rules.terminating_grace))
    })
}

/// A container whose last instance was OOMKilled, while STATUS shows something else.
fn oom_killed_before(pod: &Pod, cols: &PodColumns) -> Option<Finding> {
    if cols.status == "OOMKilled" {
        return None;
    }
    let container = container_statuses(pod).find(|s| {
        s.last_state
            .as_ref()
            .and_then(|l| l.terminated.as_ref())
            .is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"))
    })?;
    Some(
        Finding::new("oom_killed_before", Severity::Medium)
            .with("container", container.name.clone()),
    )
}

fn restarts(cols: &PodColumns, rules: &Rules) -> Option<Finding> {
    let (code, severity, threshold) = if cols.restart_count >= rules.restarts_unhealthy {
        ("restarts_high", Severity::High, rules.restarts_unhealthy)
    } else if cols.restart_count >= rules.restarts_attention {
        (
            "restarts_elevated",
            Severity::Medium,
            rules.restarts_attention,
        )
    } else {
        return None;
    };
    Some(
        Finding::new(code, severity)
            .with("restarts", cols.restart_count.to_string())
            .with("threshold", threshold.to_string()),
    )
}

/// A Running pod whose READY is not full: fine briefly (starting, a probe flapping), a problem
/// past the grace period. Measured from the Ready condition's last transition.
fn not_ready(pod: &Pod, cols: &PodColumns, now: Timestamp, rules: &Rules) -> Option<Finding> {
    if cols.status != "Running" || cols.ready_containers >= cols.total_containers {
        return None;
    }
    let since = ready_condition_since(pod).or_else(|| created_at(pod))?;
    let severity = if now.duration_since(since) > rules.not_ready_grace {
        Severity::High
    } else {
        Severity::Low
    };
    let code = if severity == Severity::High {
        "not_ready_too_long"
    } else {
        "not_ready"
    };
    Some(
        Finding::new(code, severity)
            .with("ready", cols.ready.clone())
            .with("grace", grace_text(rules.not_ready_grace)),
    )
}

/// The kind of the pod's controlling owner (`ReplicaSet`, `Job`, ...), if any.
pub fn controller_kind(pod: &Pod) -> Option<String> {
    let owners = pod.metadata.owner_references.as_ref()?;
    owners
        .iter()
        .find(|o| o.controller == Some(true))
        .or_else(|| owners.first())
        .map(|o| o.kind.clone())
}

pub(crate) fn created_at(pod: &Pod) -> Option<Timestamp> {
    pod.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

fn ready_condition_since(pod: &Pod) -> Option<Timestamp> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready" && c.status != "True")?
        .last_transition_time
        .as_ref()
        .map(|t| t.0)
}

/// The scheduler's reason when it could not place the pod.
pub(crate) fn unschedulable_message(pod: &Pod) -> Option<String> {
    let condition = pod
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False")?;
    condition
        .message
        .clone()
        .or_else(|| condition.reason.clone())
}

pub(crate) fn container_statuses(pod: &Pod) -> impl Iterator<Item = &ContainerStatus> {
    let (init, main) = init_and_main_statuses(pod);
    init.iter().chain(main)
}

/// The init containers' statuses and the main containers', each empty when absent.
pub(crate) fn init_and_main_statuses(pod: &Pod) -> (&[ContainerStatus], &[ContainerStatus]) {
    let status = pod.status.as_ref();
    let init = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or_default();
    let main = status
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    (init, main)
}

fn grace_text(d: SignedDuration) -> String {
    super::duration::human_duration(d)
}

#[cfg(test)]
mod tests;
