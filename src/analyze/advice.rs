//! What to do about a problem pod: the advice sentence, the short advice of the summary table,
//! and the kubectl commands an operator would paste, by priority.

use super::health::Finding;
use super::owners::Owner;
use crate::locale::Catalog;
use crate::report::{Action, CommandLine};
use crate::report::{ProblemCode, Severity};
use crate::shell::shell_word;

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
    /// Whether that container has a previous instance (`kubectl logs --previous`).
    pub container_restarted: bool,
}

/// The advice for one problem pod; `None` for low-severity findings only (a pod starting).
pub fn action(s: &Subject, t: &Catalog) -> Option<Action> {
    let top = s.findings.first()?;
    if top.severity == Severity::Low {
        return None;
    }
    let kind = advice_kind(top, s.chain);
    let (advice, short) = sentences(kind, top, s, t);
    let title_key = match (top.severity, kind) {
        (_, "leftover_completed" | "shutdown_leftover" | "failed_attempt") => {
            "advice.title_leftover"
        }
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

/// The container a finding is about, for `kubectl logs -c`: the sidecar that keeps a Job's pod
/// running, else the one the rule named.
pub fn container_of(f: &Finding) -> Option<String> {
    let named = match f.code {
        ProblemCode::SidecarBlocksJob => f.facts.get("still_running"),
        _ => f.facts.get("container"),
    }?;
    named.split(", ").next().map(str::to_owned)
}

/// Groups problem codes that call for the same advice. A failure gets advice by who owns the
/// pod (a controller that recreates it, a Job that retries it, another batch controller) and
/// by what keeps the pod from ending; a failing readiness gate, a NotReady or unreachable node
/// and a pod being deleted on a lost node get advice of their own.
fn advice_kind(top: &Finding, chain: &[Owner]) -> &'static str {
    use ProblemCode::*;
    let nearest = chain.first().map(|o| o.kind.as_str());
    let has = |fact: &str| top.facts.contains_key(fact);
    match top.code {
        Failed | InitFailed if has("still_running") => "sidecar_failed",
        Failed | InitFailed if nearest == Some("Job") && has("container") => "failed_job",
        Failed | InitFailed if nearest == Some("Job") => "failed_job_pod",
        Failed | InitFailed if !crate::analyze::pod::is_long_running_owner(nearest) => {
            "failed_batch"
        }
        NotReadyTooLong | NotReady if has("gates") => "readiness_gate",
        NodeNotReady => "node_not_ready",
        NodeLost if !has("deleting") => "node_unreachable",
        code => code.advice(),
    }
}

/// The advice sentence and its short form; the finding's facts fill their placeholders
/// (`{reason}`, `{node}`, `{still_running}`...), and the owner's (`{owner}`, `{owner_kind}`).
fn sentences(kind: &str, top: &Finding, s: &Subject, t: &Catalog) -> (String, String) {
    let owner = s.chain.last();
    let owner_text = owner.map(|o| format!("{} {}", o.kind, o.name));
    let nearest_kind = s.chain.first().map(|o| o.kind.as_str());
    if kind == "failed" {
        return match owner {
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
    let mut args: Vec<(&str, &str)> = top.facts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    args.extend(owner_text.as_deref().map(|o| ("owner", o)));
    args.extend(nearest_kind.map(|k| ("owner_kind", k)));
    (
        t.text(&format!("advice.{kind}"), &args),
        t.text(&format!("advice.{kind}_short"), &args),
    )
}

fn commands(kind: &str, s: &Subject, t: &Catalog) -> Vec<CommandLine> {
    let k = Kubectl(s);
    let mut lines = match kind {
        "leftover_completed" | "shutdown_leftover" | "failed_attempt" => {
            vec![k.line(t.text("command.delete_leftover", &[]), k.delete())]
        }
        "failed_job" | "failed_job_pod" => {
            let mut lines = vec![
                k.line(t.text("command.logs", &[]), k.logs(false)),
                k.line(t.text("command.describe", &[]), k.describe()),
                k.line(
                    t.text("command.get_owner", &[("kind", "Job")]),
                    k.describe_owner(),
                ),
            ];
            if kind == "failed_job_pod" {
                lines.remove(0);
            }
            lines
        }
        "failed_batch" => vec![
            k.line(t.text("command.logs", &[]), k.logs(false)),
            k.line(t.text("command.describe", &[]), k.describe()),
        ],
        "sidecar_failed" => vec![
            k.line(t.text("command.logs", &[]), k.logs(false)),
            k.line(t.text("command.describe", &[]), k.describe()),
        ],
        "readiness_gate" => vec![
            k.line(t.text("command.describe", &[]), k.describe()),
            k.line(t.text("command.conditions", &[]), k.conditions()),
        ],
        "node_not_ready" | "node_unreachable" => k.node_lines(t),
        "failed" | "evicted" | "rejected" | "node_shutdown" => {
            let mut lines = vec![k.line(t.text("command.delete_pod", &[]), k.delete())];
            lines.extend(k.owner_lines(t));
            lines
        }
        "crash_loop" | "restarts" | "oom" | "not_ready" => {
            let previous = s.container_restarted;
            let key = if previous {
                "command.logs_previous"
            } else {
                "command.logs"
            };
            let mut lines = vec![
                k.line(t.text(key, &[]), k.logs(previous)),
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
        "sidecar" => vec![
            k.line(t.text("command.describe", &[]), k.describe()),
            k.line(t.text("command.logs", &[]), k.logs(false)),
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

    fn conditions(&self) -> String {
        format!(
            "kubectl get pod {} {} -o jsonpath='{{.status.conditions}}'",
            shell_word(self.0.pod),
            self.ns()
        )
    }

    /// `kubectl describe job x`: the nearest owner (a Job's pod).
    fn describe_owner(&self) -> String {
        let owner = self.0.chain.first().map_or("", |o| o.name.as_str());
        format!("kubectl describe job {} {}", shell_word(owner), self.ns())
    }

    /// The node's conditions and the pods it runs.
    fn node_lines(&self, t: &Catalog) -> Vec<CommandLine> {
        let top = self.0.findings.first();
        let Some(node) = top.and_then(|f| f.facts.get("node")) else {
            return vec![self.line(t.text("command.describe", &[]), self.describe())];
        };
        vec![
            self.line(
                t.text("command.describe_node", &[]),
                format!("kubectl describe node {}", shell_word(node)),
            ),
            self.line(
                t.text("command.node_pods", &[]),
                format!(
                    "kubectl get pods -A -o wide --field-selector spec.nodeName={}",
                    shell_word(node)
                ),
            ),
        ]
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

#[cfg(test)]
mod tests;
