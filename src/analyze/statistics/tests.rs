use jiff::SignedDuration;

use super::*;

const DAY: i64 = 24 * 3600;

fn days(d: i64) -> Option<SignedDuration> {
    Some(SignedDuration::from_secs(d * DAY))
}

/// A healthy, ready, Running bare pod of 10 days on `node01`: tests change what they are about.
fn pod(namespace: &'static str, name: &'static str) -> PodFacts<'static> {
    PodFacts {
        namespace,
        name,
        status: "Running",
        restart_count: 0,
        age: days(10),
        node: Some("node01"),
        workload: None,
        ready: true,
        healthy: true,
        ask: Ask::Nothing,
    }
}

fn on(node: &'static str, p: PodFacts<'static>) -> PodFacts<'static> {
    PodFacts {
        node: Some(node),
        ..p
    }
}

fn node_pods(names: &[&str]) -> Vec<NodePods> {
    names
        .iter()
        .map(|n| NodePods {
            node: (*n).to_owned(),
            pods: 1,
        })
        .collect()
}

fn folded(names: &[&str]) -> Vec<String> {
    fold_node_names(&node_pods(names))
        .into_iter()
        .map(|g| g.name)
        .collect()
}

fn stats(pods: &[PodFacts<'_>]) -> Statistics {
    statistics(pods, None, &StatisticsConfig::default())
}

/// The seed cluster's shape: 46 healthy Running pods, one Error in pigo-dev, one Completed in
/// pigo-rel.
fn seed_shape() -> Vec<PodFacts<'static>> {
    let mut pods: Vec<PodFacts<'static>> = (0..46)
        .map(|i| pod(["pigo-dev", "pigo-stg", "pigo-rel"][i % 3], "app"))
        .collect();
    pods.push(PodFacts {
        status: "Error",
        ready: false,
        healthy: false,
        ask: Ask::Fix,
        ..pod("pigo-dev", "pigo-cron-77cc9c4d8c-tw2xb")
    });
    pods.push(PodFacts {
        status: "Completed",
        ready: false,
        healthy: false,
        ask: Ask::Fix,
        ..pod("pigo-rel", "prometheus-blackbox-exporter-6fc9ff54ff-6cnqp")
    });
    pods
}

fn status_line(s: &StatusShare) -> (String, usize, f64, String) {
    let share = &s.share;
    (
        s.status.clone(),
        share.pods,
        share.percent,
        share.percent_text.clone(),
    )
}

#[test]
fn seed_shape_splits_into_95_8_running_and_2_1_of_each_problem_status() {
    let lines: Vec<_> = stats(&seed_shape())
        .status_distribution
        .iter()
        .map(status_line)
        .collect();
    assert_eq!(
        lines,
        [
            ("Running".into(), 46, 95.8, "95.8".into()),
            ("Completed".into(), 1, 2.1, "2.1".into()),
            ("Error".into(), 1, 2.1, "2.1".into()),
        ]
    );
}

#[test]
fn percentages_round_half_up_unlike_float_formatting() {
    assert_eq!(Share::of(1, 16).percent_text, "6.3");
    assert_eq!(Share::of(1, 16).percent, 6.3);
    assert_eq!(Share::of(3, 3).percent_text, "100.0");
    assert_eq!(Share::of(0, 7).percent_text, "0.0");
}

#[test]
fn empty_input_gives_empty_lists_and_zero_shares_without_dividing_by_zero() {
    let s = statistics(&[], Some(&[]), &StatisticsConfig::default());
    assert_eq!(s.pods, 0);
    assert!(s.status_distribution.is_empty());
    assert_eq!(s.restarts.total, 0);
    assert!(
        s.age_buckets
            .iter()
            .all(|b| b.pods == 0 && b.notable.is_empty())
    );
    assert!(s.nodes.per_node.is_empty() && s.nodes.groups.is_empty());
    assert_eq!(s.nodes.mean_pods_per_node, 0.0);
    assert!(s.single_points.balanced);
    assert_eq!(s.highlights.running, Share::of(0, 0));
    assert_eq!(s.highlights.running.percent_text, "0.0");
    assert!(
        !s.highlights.no_restarts,
        "no pods is no evidence of stability"
    );
}

#[test]
fn a_pod_of_exactly_90_days_is_not_over_90_days() {
    assert!(!AgeBucket::OlderThan(90).contains(SignedDuration::from_secs(90 * DAY)));
    assert!(AgeBucket::OlderThan(90).contains(SignedDuration::from_secs(90 * DAY + 1)));
}

#[test]
fn a_pod_of_exactly_7_days_is_not_under_7_days() {
    assert!(!AgeBucket::YoungerThan(7).contains(SignedDuration::from_secs(7 * DAY)));
    assert!(AgeBucket::YoungerThan(7).contains(SignedDuration::from_secs(7 * DAY - 1)));
}

#[test]
fn age_buckets_are_cumulative_and_skip_pods_of_unknown_age() {
    let ages = [
        days(133),
        days(92),
        days(77),
        days(44),
        days(10),
        days(2),
        None,
    ];
    let pods: Vec<_> = ages
        .iter()
        .map(|&age| PodFacts {
            age,
            ..pod("ns", "p")
        })
        .collect();
    let counts: Vec<usize> = stats(&pods).age_buckets.iter().map(|b| b.pods).collect();
    // Over 90, over 70, over 30, under 7; the pod of unknown age is nowhere.
    assert_eq!(counts, [2, 3, 4, 1]);
}

#[test]
fn notable_names_are_the_most_common_apps_of_the_bucket_then_by_name() {
    let old = |ns, name, workload| PodFacts {
        age: days(92),
        workload: Some(workload),
        ..pod(ns, name)
    };
    let pods = [
        old("pigo-dev", "pay-mock-d758797b-8rxm8", "Deployment/pay-mock"),
        old(
            "pigo-stg",
            "pay-mock-55b9c9c8b-rths8",
            "Deployment/pay-mock",
        ),
        old("pigo-dev", "nacos-5645f897b-t8qs2", "Deployment/nacos"),
        old("pigo-rel", "nacos-5549f7c5f4-bvjbl", "Deployment/nacos"),
        old("pigo-rel", "nfs-pigo-0", "StatefulSet/nfs-pigo"),
        old("pigo-rel", "zk-0", "StatefulSet/zk"),
    ];
    let over_90 = &stats(&pods).age_buckets[0];
    assert_eq!(over_90.pods, 6);
    let notable: Vec<(&str, usize)> = over_90
        .notable
        .iter()
        .map(|n| (n.name.as_str(), n.pods))
        .collect();
    assert_eq!(notable, [("nacos", 2), ("pay-mock", 2), ("nfs-pigo", 1)]);
}

#[test]
fn app_name_drops_the_suffixes_kubernetes_generates_and_keeps_real_words() {
    let bare = |name| app_name(&pod("ns", name));
    let job = |name, workload| {
        app_name(&PodFacts {
            workload: Some(workload),
            ..pod("ns", name)
        })
    };
    assert_eq!(bare("pigo-web-75fb4c7fc5-lc9x6"), "pigo-web");
    assert_eq!(bare("debug-shell"), "debug-shell");
    assert_eq!(bare("nginx-proxy"), "nginx-proxy");
    assert_eq!(bare("bxzmg"), "bxzmg");
    assert_eq!(
        job("backup-29012345-x7k2p", "Job/backup-29012345"),
        "backup"
    );
    assert_eq!(job("migrate-v2-abcde", "Job/migrate-v2"), "migrate-v2");
    assert_eq!(job("web-0", "StatefulSet/web"), "web");
}

#[test]
fn restarts_are_summed_and_the_top_restarters_ranked_by_count_then_name() {
    let restarted = |name, restart_count| PodFacts {
        restart_count,
        ..pod("ns", name)
    };
    let pods = [
        restarted("calm", 0),
        restarted("b", 3),
        restarted("a", 3),
        restarted("worst", 12),
        restarted("once", 1),
    ];
    let cfg = StatisticsConfig {
        top_restarters: 3,
        ..StatisticsConfig::default()
    };
    let r = statistics(&pods, None, &cfg).restarts;
    assert_eq!((r.total, r.pods_with_restarts), (19, 4));
    let top: Vec<(&str, i64)> = r
        .top
        .iter()
        .map(|t| (t.name.as_str(), t.restarts))
        .collect();
    assert_eq!(top, [("worst", 12), ("a", 3), ("b", 3)]);
}

#[test]
fn contiguous_node_numbers_fold_into_one_range_behind_their_shared_digits() {
    let names: Vec<String> = (1..=6)
        .map(|i| format!("pigo-rel-k8s-service-node0{i}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(folded(&names), ["pigo-rel-k8s-service-node0[1-6]"]);
}

#[test]
fn a_gap_splits_the_range_inside_one_bracket() {
    let names = ["node01", "node02", "node03", "node05", "node07", "node08"];
    assert_eq!(folded(&names), ["node0[1-3,5,7-8]"]);
}

#[test]
fn zero_padded_numbers_crossing_a_decade_fold_with_their_full_width() {
    assert_eq!(folded(&["node09", "node10"]), ["node[09-10]"]);
    assert_eq!(folded(&["node10", "node11", "node12"]), ["node1[0-2]"]);
}

#[test]
fn unpadded_numbers_of_mixed_widths_fold_together_but_apart_from_padded_ones() {
    assert_eq!(folded(&["node9", "node10", "node11"]), ["node[9-11]"]);
    assert_eq!(folded(&["w01", "w02", "w1", "w2"]), ["w0[1-2]", "w[1-2]"]);
}

#[test]
fn a_single_node_and_names_without_trailing_digits_keep_their_names() {
    let names = [
        "master",
        "pigo-rel-k8s-nfs-node01",
        "node1a",
        "waas-dev-k8s-service-runner01",
    ];
    assert_eq!(
        folded(&names),
        [
            "master",
            "node1a",
            "pigo-rel-k8s-nfs-node01",
            "waas-dev-k8s-service-runner01"
        ]
    );
}

#[test]
fn node_groups_count_their_nodes_and_pods() {
    let pods = [
        on("stg-node01", pod("a", "1")),
        on("stg-node01", pod("a", "2")),
        on("stg-node02", pod("a", "3")),
        on("nfs", pod("a", "4")),
    ];
    let groups = stats(&pods).nodes.groups;
    let g: Vec<(&str, usize, usize)> = groups
        .iter()
        .map(|g| (g.name.as_str(), g.nodes, g.pods))
        .collect();
    assert_eq!(g, [("nfs", 1, 1), ("stg-node0[1-2]", 2, 3)]);
}

#[test]
fn only_nodes_hosting_pods_are_listed_and_pods_without_a_node_are_unscheduled() {
    let pods = [
        on("b", pod("ns", "1")),
        on("a", pod("ns", "2")),
        on("a", pod("ns", "3")),
        PodFacts {
            node: None,
            status: "Pending",
            ..pod("ns", "4")
        },
    ];
    let nodes = stats(&pods).nodes;
    let per_node: Vec<(&str, usize)> = nodes
        .per_node
        .iter()
        .map(|n| (n.node.as_str(), n.pods))
        .collect();
    assert_eq!(per_node, [("a", 2), ("b", 1)]);
    assert_eq!(nodes.unscheduled, 1);
    assert_eq!(nodes.mean_pods_per_node, 1.5);
}

#[test]
fn a_workload_whose_ready_pods_all_share_one_node_is_a_single_point() {
    let replica = |ns, node, workload| PodFacts {
        workload: Some(workload),
        ..on(node, pod(ns, "x"))
    };
    let pods = [
        replica("stg", "n1", "Deployment/game-api"),
        replica("stg", "n1", "Deployment/game-api"),
        replica("stg", "n1", "Deployment/spread"),
        replica("stg", "n2", "Deployment/spread"),
        replica("stg", "n1", "Deployment/lonely"),
        replica("stg", "n1", "Job/batch"),
        replica("stg", "n1", "Job/batch"),
        PodFacts {
            ready: false,
            ..replica("stg", "n2", "Deployment/game-api")
        },
    ];
    let check = stats(&pods).single_points;
    assert_eq!(
        check.concentrated_workloads,
        [ConcentratedWorkload {
            namespace: "stg".into(),
            workload: "Deployment/game-api".into(),
            node: "n1".into(),
            ready_pods: 2,
        }]
    );
    assert!(!check.balanced);
}

#[test]
fn a_node_far_above_the_mean_is_overloaded() {
    let mut pods: Vec<PodFacts<'static>> = (0..12).map(|_| on("hot", pod("ns", "x"))).collect();
    for node in ["n1", "n2", "n3", "n4"] {
        pods.push(on(node, pod("ns", "x")));
        pods.push(on(node, pod("ns", "y")));
    }
    // Mean 20 / 5 = 4: "hot" has 12 > 2 × 4 and > 4 + 3.
    let check = stats(&pods).single_points;
    let overloaded: Vec<&str> = check
        .overloaded_nodes
        .iter()
        .map(|n| n.node.as_str())
        .collect();
    assert_eq!(overloaded, ["hot"]);
    assert!(!check.balanced);
}

#[test]
fn a_small_cluster_twice_the_mean_but_within_three_pods_is_balanced() {
    let pods = [
        on("a", pod("ns", "1")),
        on("a", pod("ns", "2")),
        on("a", pod("ns", "3")),
        on("b", pod("ns", "4")),
        on("c", pod("ns", "5")),
        on("d", pod("ns", "6")),
    ];
    // Mean 1.5: "a" has 3 > 2 × 1.5 is false anyway, and 3 < 1.5 + 3.
    let check = stats(&pods).single_points;
    assert!(check.overloaded_nodes.is_empty());
    assert!(check.balanced);
}

#[test]
fn troubled_nodes_are_those_hosting_pods_that_are_unready_under_pressure_or_cordoned() {
    let pods = [
        on("sick", pod("ns", "1")),
        on("cordoned", pod("ns", "2")),
        on("ok", pod("ns", "3")),
    ];
    let node = |name, ready| NodeFacts {
        name,
        ready,
        conditions_bad: Vec::new(),
        unschedulable: false,
    };
    let nodes = [
        NodeFacts {
            conditions_bad: vec![("MemoryPressure", "KubeletHasInsufficientMemory")],
            ..node("sick", Some(true))
        },
        NodeFacts {
            unschedulable: true,
            ..node("cordoned", Some(true))
        },
        node("ok", None),
        node("empty-and-down", Some(false)),
    ];
    let check = statistics(&pods, Some(&nodes), &StatisticsConfig::default()).single_points;
    assert!(check.nodes_checked);
    let names: Vec<&str> = check
        .troubled_nodes
        .iter()
        .map(|n| n.node.as_str())
        .collect();
    assert_eq!(names, ["cordoned", "sick"]);
    assert_eq!(
        check.troubled_nodes[1].conditions[0].condition,
        "MemoryPressure"
    );
    assert!(check.balanced, "node state is reported apart from balance");
}

#[test]
fn without_node_facts_the_node_state_is_marked_unchecked() {
    let check = stats(&[pod("ns", "a")]).single_points;
    assert!(!check.nodes_checked);
    assert!(check.troubled_nodes.is_empty());
}

#[test]
fn seed_shape_highlights_name_the_healthy_namespace_and_the_issues_per_namespace() {
    let h = stats(&seed_shape()).highlights;
    assert_eq!(h.running.percent_text, "95.8");
    assert_eq!((h.healthy.pods, h.healthy.total), (46, 48));
    assert!(h.no_restarts);
    assert_eq!(h.healthy_namespaces, ["pigo-stg"]);
    let issues: Vec<(&str, &str, usize)> = h
        .namespace_issues
        .iter()
        .map(|i| (i.namespace.as_str(), i.status.as_str(), i.pods))
        .collect();
    assert_eq!(
        issues,
        [("pigo-dev", "Error", 1), ("pigo-rel", "Completed", 1)]
    );
}

#[test]
fn the_share_older_than_30_days_is_of_the_pods_whose_age_is_known() {
    let aged = |age| PodFacts {
        age,
        ..pod("ns", "p")
    };
    let pods = [aged(days(31)), aged(days(30)), aged(days(44)), aged(None)];
    let older = stats(&pods).highlights.older_than_30_days;
    assert_eq!(
        (older.pods, older.total, older.percent_text.as_str()),
        (2, 3, "66.7")
    );
}

#[test]
fn json_uses_snake_case_keys_and_flattens_shares_and_buckets() {
    let json = serde_json::to_value(stats(&seed_shape())).unwrap();
    assert_eq!(
        json["status_distribution"][0],
        serde_json::json!({"status": "Running", "pods": 46, "total": 48, "percent": 95.8,
                           "percent_text": "95.8"})
    );
    assert_eq!(json["age_buckets"][0]["kind"], "older_than");
    assert_eq!(json["age_buckets"][0]["days"], 90);
    assert_eq!(json["age_buckets"][3]["kind"], "younger_than");
    assert_eq!(json["single_points"]["balanced"], true);
}

#[test]
fn the_default_config_is_the_seeds() {
    let cfg = StatisticsConfig::default();
    assert_eq!(
        cfg.age_buckets_days,
        [
            AgeBucket::OlderThan(90),
            AgeBucket::OlderThan(70),
            AgeBucket::OlderThan(30),
            AgeBucket::YoungerThan(7)
        ]
    );
    assert_eq!(cfg.top_restarters, 5);
    assert_eq!(cfg.node_overload_factor, 2.0);
}
