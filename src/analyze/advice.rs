//! What to do about a problem pod: the advice sentence, the short advice of the summary table,
//! and the kubectl commands an operator would paste, by priority.

use serde::Serialize;

use super::health::{Finding, Severity};
use super::owners::Owner;
use crate::locale::Catalog;

/// One immediate action (the seed's 立即處理建議).
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub priority: Severity,
    pub namespace: String,
    pub pod: String,
    pub title: String,
    /// The 建議 sentence of the analysis.
    pub advice: String,
    /// The 建議處理 cell of the summary table.
    pub short: String,
    pub commands: Vec<CommandLine>,
}

/// A command with the comment that says what it is for.
#[derive(Debug, Clone, Serialize)]
pub struct CommandLine {
    pub comment: String,
    pub command: String,
}

/// What advice needs to know of a problem pod.
pub struct Subject<'a> {
    pub namespace: &'a str,
    pub pod: &'a str,
    pub status: &'a str,
    /// Most severe first.
    pub findings: &'a [Finding],
    pub chain: &'a [Owner],
    pub selector: Option<&'a str>,
    /// The container to read logs of (the first not ready), if any.
    pub container: Option<&'a str>,
}

/// The advice for one problem pod; `None` for low-severity findings only (a pod starting).
pub fn action(s: &Subject, t: &Catalog) -> Option<Action> {
    let top = s.findings.first()?;
    if top.severity == Severity::Low {
        return None;
    }
    let kind = advice_kind(top.code);
    let (advice, short) = sentences(kind, s, t);
    let title_key = match (top.severity, kind) {
        (_, "leftover_completed") => "advice.title_leftover",
        (Severity::High, _) => "advice.title_unhealthy",
        _ => "advice.title_attention",
    };
    Some(Action {
        priority: top.severity,
        namespace: s.namespace.to_owned(),
        pod: s.pod.to_owned(),
        title: t.text(
            title_key,
            &[
                ("namespace", s.namespace),
                ("pod", s.pod),
                ("status", s.status),
            ],
        ),
        advice,
        short,
        commands: commands(kind, s, t),
    })
}

/// Groups problem codes that call for the same advice.
fn advice_kind(code: &str) -> &'static str {
    match code {
        "leftover_completed" => "leftover_completed",
        "crash_loop" => "crash_loop",
        "image_pull" => "image_pull",
        "container_create" => "container_create",
        "oom_killed" | "oom_killed_before" => "oom",
        "pending_too_long" | "starting" => "pending",
        "not_ready_too_long" | "not_ready" => "not_ready",
        "restarts_high" | "restarts_elevated" => "restarts",
        "stuck_terminating" => "terminating",
        "evicted" => "evicted",
        "node_lost" => "node_lost",
        _ => "failed",
    }
}

fn sentences(kind: &str, s: &Subject, t: &Catalog) -> (String, String) {
    let top = s.chain.last();
    if kind == "failed" {
        return match top {
            Some(owner) => {
                let owner_text = format!("{} {}", owner.kind, owner.name);
                (
                    t.text("advice.failed", &[("owner", &owner_text)]),
                    t.text("advice.failed_short", &[("owner_kind", &owner.kind)]),
                )
            }
            None => (
                t.text("advice.failed_bare", &[]),
                t.text("advice.failed_short_bare", &[]),
            ),
        };
    }
    (
        t.text(&format!("advice.{kind}"), &[]),
        t.text(&format!("advice.{kind}_short"), &[]),
    )
}

fn commands(kind: &str, s: &Subject, t: &Catalog) -> Vec<CommandLine> {
    let k = Kubectl(s);
    let mut lines = match kind {
        "leftover_completed" => vec![k.line(t.text("command.delete_leftover", &[]), k.delete())],
        "failed" | "evicted" => {
            let mut lines = vec![k.line(t.text("command.delete_pod", &[]), k.delete())];
            lines.extend(k.owner_lines(t));
            lines
        }
        "crash_loop" | "restarts" | "oom" | "not_ready" => {
            let mut lines = vec![
                k.line(t.text("command.logs_previous", &[]), k.logs(true)),
                k.line(t.text("command.describe", &[]), k.describe()),
            ];
            lines.extend(k.rollout_lines(t));
            lines
        }
        "image_pull" | "container_create" => {
            let mut lines = vec![
                k.line(t.text("command.describe", &[]), k.describe()),
                k.line(t.text("command.events", &[]), k.events()),
            ];
            lines.extend(k.image_line(t));
            lines
        }
        "pending" => vec![
            k.line(t.text("command.describe", &[]), k.describe()),
            k.line(t.text("command.events", &[]), k.events()),
            k.line(
                t.text("command.nodes", &[]),
                "kubectl get nodes -o wide".to_owned(),
            ),
        ],
        "terminating" | "node_lost" => vec![
            k.line(t.text("command.finalizers", &[]), k.finalizers()),
            k.line(
                t.text("command.force_delete", &[]),
                format!("{} --grace-period=0 --force", k.delete()),
            ),
        ],
        _ => vec![k.line(t.text("command.describe", &[]), k.describe())],
    };
    lines.dedup_by(|a, b| a.command == b.command);
    lines
}

/// kubectl command lines for one pod; arguments that could hold shell syntax are quoted.
struct Kubectl<'a>(&'a Subject<'a>);

impl Kubectl<'_> {
    fn line(&self, comment: String, command: String) -> CommandLine {
        CommandLine { comment, command }
    }

    fn ns(&self) -> String {
        format!("-n {}", shell_word(self.0.namespace))
    }

    fn delete(&self) -> String {
        format!(
            "kubectl delete pod {} {}",
            shell_word(self.0.pod),
            self.ns()
        )
    }

    fn describe(&self) -> String {
        format!(
            "kubectl describe pod {} {}",
            shell_word(self.0.pod),
            self.ns()
        )
    }

    fn logs(&self, previous: bool) -> String {
        let container = self
            .0
            .container
            .map(|c| format!(" -c {}", shell_word(c)))
            .unwrap_or_default();
        let previous = if previous { " --previous" } else { "" };
        format!(
            "kubectl logs {} {}{container}{previous} --tail=50",
            shell_word(self.0.pod),
            self.ns()
        )
    }

    fn events(&self) -> String {
        format!(
            "kubectl get events {} --field-selector involvedObject.name={} --sort-by=.lastTimestamp",
            self.ns(),
            shell_word(self.0.pod)
        )
    }

    fn finalizers(&self) -> String {
        format!(
            "kubectl get pod {} {} -o jsonpath='{{.metadata.finalizers}}'",
            shell_word(self.0.pod),
            self.ns()
        )
    }

    /// `kubectl get deployment x` and `kubectl get pods -l <selector>`, as the seed shows.
    fn owner_lines(&self, t: &Catalog) -> Vec<CommandLine> {
        let mut lines = Vec::new();
        if let Some(top) = self.0.chain.last() {
            lines.push(self.line(
                t.text("command.get_owner", &[("kind", &top.kind)]),
                format!(
                    "kubectl get {} {} {}",
                    top.kind.to_lowercase(),
                    shell_word(&top.name),
                    self.ns()
                ),
            ));
        }
        if let Some(selector) = self.0.selector {
            lines.push(self.line(
                t.text("command.get_pods", &[]),
                format!("kubectl get pods {} -l {}", self.ns(), shell_word(selector)),
            ));
        }
        lines
    }

    fn rollout_lines(&self, t: &Catalog) -> Vec<CommandLine> {
        let Some(top) = self.0.chain.last().filter(|o| rollable(&o.kind)) else {
            return Vec::new();
        };
        vec![
            self.line(
                t.text("command.rollout_status", &[]),
                format!(
                    "kubectl rollout status {} {}",
                    shell_word(&top.kubectl_ref()),
                    self.ns()
                ),
            ),
            self.line(
                t.text("command.rollout_restart", &[]),
                format!(
                    "kubectl rollout restart {} {}",
                    shell_word(&top.kubectl_ref()),
                    self.ns()
                ),
            ),
        ]
    }

    fn image_line(&self, t: &Catalog) -> Option<CommandLine> {
        let top = self.0.chain.last().filter(|o| rollable(&o.kind))?;
        Some(self.line(
            t.text("command.image", &[]),
            format!(
                "kubectl get {} {} -o jsonpath='{{.spec.template.spec.containers[*].image}}'",
                shell_word(&top.kubectl_ref()),
                self.ns()
            ),
        ))
    }
}

fn rollable(kind: &str) -> bool {
    matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet")
}

/// A word the shell takes as it is: names and selectors of plain characters stay bare (as the
/// seed writes them); anything else is single-quoted.
pub(crate) fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.=/,:@+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
