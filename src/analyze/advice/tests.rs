use super::*;
use crate::analyze::health::{Finding, Severity};
use crate::locale::{Catalog, Lang};

fn finding(code: &'static str, severity: Severity) -> Finding {
    Finding {
        code,
        severity,
        facts: Default::default(),
    }
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
    };
    assert!(action(&s, &Catalog::builtin(Lang::En)).is_none());
}

#[test]
fn selectors_with_shell_syntax_are_quoted() {
    assert_eq!(shell_word("app=web"), "app=web");
    assert_eq!(shell_word("tier in (a,b)"), "'tier in (a,b)'");
    assert_eq!(shell_word("it's"), r"'it'\''s'");
}
