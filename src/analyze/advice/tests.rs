use super::*;
use crate::analyze::health::Finding;
use crate::locale::{Catalog, Lang};

fn finding(code: &'static str, severity: Severity) -> Finding {
    let code = ProblemCode::parse(code).expect("a known code");
    assert_eq!(code.severity(), severity, "{code}'s severity");
    Finding::new(code)
}

fn deployment_chain() -> Vec<Owner> {
    vec![
        Owner {
            kind: "ReplicaSet".into(),
            name: "pigo-cron-77cc9c4d8c".into(),
        },
        Owner {
            kind: "Deployment".into(),
            name: "pigo-cron".into(),
        },
    ]
}

fn commands_of(a: &Action) -> Vec<&str> {
    a.commands.iter().map(|c| c.command.as_str()).collect()
}

#[test]
fn a_failed_deployment_pod_gets_the_seeds_delete_get_and_list_commands() {
    let findings = [finding("failed", Severity::High)];
    let chain = deployment_chain();
    let s = Subject {
        namespace: "pigo-dev",
        pod: "pigo-cron-77cc9c4d8c-tw2xb",
        status: "Error",
        findings: &findings,
        chain: &chain,
        selector: Some("app=pigo-cron"),
        container: Some("pigo-cron"),
        container_restarted: false,
    };
    let a = action(&s, &Catalog::builtin(Lang::ZhTw)).unwrap();
    assert_eq!(a.priority, Severity::High);
    assert_eq!(
        a.title,
        "處理 pigo-dev/pigo-cron-77cc9c4d8c-tw2xb (Error 狀態)"
    );
    assert_eq!(a.short, "刪除 Pod 讓 Deployment 重建");
    assert_eq!(
        commands_of(&a),
        [
            "kubectl delete pod pigo-cron-77cc9c4d8c-tw2xb -n pigo-dev",
            "kubectl get deployment pigo-cron -n pigo-dev",
            "kubectl get pods -n pigo-dev -l app=pigo-cron",
        ]
    );
    assert_eq!(a.commands[0].comment, "刪除錯誤 Pod");
}

#[test]
fn a_completed_leftover_gets_a_medium_priority_cleanup() {
    let findings = [finding("leftover_completed", Severity::Medium)];
    let chain = deployment_chain();
    let s = Subject {
        namespace: "pigo-rel",
        pod: "old-pod",
        status: "Completed",
        findings: &findings,
        chain: &chain,
        selector: None,
        container: None,
        container_restarted: false,
    };
    let a = action(&s, &Catalog::builtin(Lang::ZhTw)).unwrap();
    assert_eq!(
        (a.priority, a.short.as_str()),
        (Severity::Medium, "刪除舊 Pod 清理資源")
    );
    assert_eq!(commands_of(&a), ["kubectl delete pod old-pod -n pigo-rel"]);
}

#[test]
fn a_crash_loop_reads_previous_logs_and_checks_the_rollout() {
    let findings = [
        finding("crash_loop", Severity::High),
        finding("restarts_high", Severity::High),
    ];
    let chain = deployment_chain();
    let s = Subject {
        namespace: "dev",
        pod: "web-1",
        status: "CrashLoopBackOff",
        findings: &findings,
        chain: &chain,
        selector: None,
        container: Some("web"),
        container_restarted: true,
    };
    let a = action(&s, &Catalog::builtin(Lang::En)).unwrap();
    assert_eq!(
        commands_of(&a),
        [
            "kubectl logs web-1 -n dev -c web --previous --tail=50",
            "kubectl describe pod web-1 -n dev",
            "kubectl rollout status deployment/pigo-cron -n dev",
            "kubectl rollout restart deployment/pigo-cron -n dev",
        ]
    );
}

#[test]
fn a_pod_that_is_only_starting_needs_no_action() {
    let findings = [finding("starting", Severity::Low)];
    let s = Subject {
        namespace: "dev",
        pod: "web-1",
        status: "ContainerCreating",
        findings: &findings,
        chain: &[],
        selector: None,
        container: None,
        container_restarted: false,
    };
    assert!(action(&s, &Catalog::builtin(Lang::En)).is_none());
}

#[test]
fn selectors_with_shell_syntax_are_quoted() {
    assert_eq!(shell_word("app=web"), "app=web");
    assert_eq!(shell_word("tier in (a,b)"), "'tier in (a,b)'");
    assert_eq!(shell_word("it's"), r"'it'\''s'");
}

fn subject_with<'a>(findings: &'a [Finding], chain: &'a [Owner]) -> Subject<'a> {
    Subject {
        namespace: "ns",
        pod: "p",
        status: "Running",
        findings,
        chain,
        selector: None,
        container: Some("app"),
        container_restarted: false,
    }
}

fn job_chain() -> Vec<Owner> {
    vec![Owner {
        kind: "Job".into(),
        name: "report-1".into(),
    }]
}

#[test]
fn a_failed_job_pod_is_advised_to_read_its_logs_not_to_be_deleted_for_a_recreation() {
    let findings = [Finding::new(ProblemCode::Failed).with("container", "app")];
    let chain = job_chain();
    let a = action(
        &subject_with(&findings, &chain),
        &Catalog::builtin(Lang::En),
    )
    .unwrap();
    assert!(a.advice.contains("backoffLimit"), "{}", a.advice);
    assert_eq!(
        commands_of(&a),
        [
            "kubectl logs p -n ns -c app --tail=50",
            "kubectl describe pod p -n ns",
            "kubectl describe job report-1 -n ns",
        ]
    );
}

#[test]
fn a_failing_readiness_gate_is_advised_about_the_gates_controller() {
    let findings =
        [Finding::new(ProblemCode::NotReadyTooLong)
            .with("gates", "target-health.example.io/ready")];
    let a = action(&subject_with(&findings, &[]), &Catalog::builtin(Lang::En)).unwrap();
    assert!(
        a.advice.contains("target-health.example.io/ready") && a.advice.contains("controller"),
        "{}",
        a.advice
    );
    assert!(commands_of(&a)[1].contains(".status.conditions"));
}

#[test]
fn a_pod_on_a_not_ready_node_is_advised_to_look_at_the_node() {
    let findings = [Finding::new(ProblemCode::NodeNotReady).with("node", "node-7")];
    let a = action(&subject_with(&findings, &[]), &Catalog::builtin(Lang::En)).unwrap();
    assert_eq!(
        commands_of(&a),
        [
            "kubectl describe node node-7",
            "kubectl get pods -A -o wide --field-selector spec.nodeName=node-7",
        ]
    );
}

#[test]
fn a_job_held_open_by_a_sidecar_is_advised_about_the_sidecar_not_a_deletion() {
    let findings = [Finding::new(ProblemCode::SidecarBlocksJob)
        .with("container", "migrate")
        .with("still_running", "istio-proxy")];
    let chain = job_chain();
    let mut s = subject_with(&findings, &chain);
    s.container = Some("istio-proxy");
    let a = action(&s, &Catalog::builtin(Lang::En)).unwrap();
    assert!(a.advice.contains("native sidecar"), "{}", a.advice);
    assert!(
        commands_of(&a).iter().all(|c| !c.contains("delete")),
        "{:?}",
        commands_of(&a)
    );
    assert!(commands_of(&a).contains(&"kubectl logs p -n ns -c istio-proxy --tail=50"));
}
