use std::path::Path;

use jiff::SignedDuration;

use super::*;

/// The file made of these lines (line N of the file is `lines[N - 1]`).
fn file(lines: &[&str]) -> String {
    lines.join("\n") + "\n"
}

fn config(lines: &[&str]) -> Config {
    from_yaml(&file(lines)).unwrap_or_else(|d| panic!("expected a valid config, got {d:#?}"))
}

/// Each problem as `line:column: path: message`.
fn problems(lines: &[&str]) -> Vec<String> {
    match from_yaml(&file(lines)) {
        Ok(config) => panic!("expected problems, got {config:#?}"),
        Err(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn an_empty_file_gives_the_defaults() {
    assert_eq!(from_yaml(""), Ok(Config::default()));
    assert_eq!(config(&["# nothing set yet"]), Config::default());
    assert_eq!(config(&["---", "health:", "report: ~"]), Config::default());
}

#[test]
fn the_defaults_are_the_documented_ones() {
    let d = Config::default();
    assert_eq!(d.health.restarts_attention, 5);
    assert_eq!(d.health.restarts_unhealthy, 10);
    assert_eq!(d.health.pending_grace, SignedDuration::from_mins(15));
    assert_eq!(d.health.unhealthy_share, 0.2);
    assert_eq!(d.evidence.log_bytes, 65536);
    let buckets: Vec<String> = d
        .statistics
        .age_buckets
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(buckets, [">90d", ">70d", ">30d", "<7d"]);
    assert_eq!(d.report.lang, Lang::ZhTw);
    assert_eq!(d.report.next_inspection, SignedDuration::from_hours(168));
    assert_eq!(d.archive.dir, None);
    assert_eq!(d.archive.keep_count, None);
    assert_eq!(
        d.archive.keep_for,
        Some(SignedDuration::from_hours(366 * 24))
    );
    assert_eq!(d.archive.lock_wait, SignedDuration::from_secs(30));
    assert_eq!(d.smtp, None);
    assert_eq!(d.trend.restart_growth_abnormal, 5);
}

#[test]
fn every_key_is_read() {
    let c = config(&[
        "cluster:",
        "  name: PIGO 線下",
        "  timezone: Asia/Taipei",
        "namespaces:",
        "  include: [pigo-dev, 'pigo-s*']",
        "  all: false",
        "  exclude: [pigo-stg-old]",
        "exclude:",
        "  pods: ['*-debug-*']",
        "  labels: [app=debug, 'tier!=web', canary, '!keep', 'team==ops']",
        "health:",
        "  restarts_attention: 3",
        "  restarts_unhealthy: 20",
        "  pending_grace: 10m",
        "  not_ready_grace: 1h30m",
        "  terminating_grace: PT5M",
        "  unhealthy_share: 0.5",
        "evidence:",
        "  log_lines: 200",
        "  log_bytes: 1048576",
        "  events_per_pod: 0",
        "  concurrency: 8",
        "statistics:",
        "  age_buckets: ['>180d', '<1d']",
        "  top_restarters: 10",
        "report:",
        "  lang: en",
        "  next_inspection: 14d",
        "  healthy_rows_per_namespace: 0",
        "  history_weeks: 26",
        "archive:",
        "  dir: /reports",
        "  keep_count: 52",
        "  keep_for: 400d",
        "  lock_wait: 2m",
        "smtp:",
        "  host: mail.example.com",
        "  port: 2525",
        "  tls: implicit",
        "  username: patrol",
        "  password_file: /etc/kube-patrol/smtp/password",
        "  from: 'kube-patrol <patrol@example.com>'",
        "  to: [sre@example.com, 'Ops <ops@example.com>']",
        "  cc: [boss@example.com]",
        "  subject: '{{ cluster }} weekly'",
        "  timeout: 1m",
        "  retries: 0",
        "  backoff: 10s",
        "  ca_file: /etc/ssl/relay.pem",
        "trend:",
        "  restart_growth_abnormal: 20",
    ]);
    let expected = Config {
        cluster: ClusterConfig {
            name: Some("PIGO 線下".into()),
            timezone: Some("Asia/Taipei".into()),
            ..ClusterConfig::default()
        },
        namespaces: NamespacesConfig {
            include: vec!["pigo-dev".into(), "pigo-s*".into()],
            all: false,
            exclude: vec!["pigo-stg-old".into()],
        },
        exclude: ExcludeConfig {
            pods: vec!["*-debug-*".into()],
            labels: vec![
                LabelMatch::Equals {
                    key: "app".into(),
                    value: "debug".into(),
                },
                LabelMatch::NotEquals {
                    key: "tier".into(),
                    value: "web".into(),
                },
                LabelMatch::Exists {
                    key: "canary".into(),
                },
                LabelMatch::NotExists { key: "keep".into() },
                LabelMatch::Equals {
                    key: "team".into(),
                    value: "ops".into(),
                },
            ],
        },
        health: HealthConfig {
            restarts_attention: 3,
            restarts_unhealthy: 20,
            pending_grace: SignedDuration::from_mins(10),
            not_ready_grace: SignedDuration::from_mins(90),
            terminating_grace: SignedDuration::from_mins(5),
            restart_window: SignedDuration::from_hours(7 * 24),
            unhealthy_share: 0.5,
        },
        evidence: EvidenceConfig {
            log_lines: 200,
            log_bytes: 1_048_576,
            events_per_pod: 0,
            concurrency: 8,
        },
        statistics: StatisticsConfig {
            age_buckets: vec![
                AgeBucket {
                    older: true,
                    days: 180,
                },
                AgeBucket {
                    older: false,
                    days: 1,
                },
            ],
            top_restarters: 10,
        },
        report: ReportConfig {
            lang: Lang::En,
            next_inspection: SignedDuration::from_hours(14 * 24),
            healthy_rows_per_namespace: 0,
            history_weeks: 26,
            url: None,
        },
        archive: ArchiveConfig {
            dir: Some("/reports".into()),
            keep_count: Some(52),
            keep_for: Some(SignedDuration::from_hours(400 * 24)),
            lock_wait: SignedDuration::from_mins(2),
        },
        smtp: Some(SmtpConfig {
            host: "mail.example.com".into(),
            port: 2525,
            tls: TlsMode::Implicit,
            username: Some("patrol".into()),
            password_file: Some("/etc/kube-patrol/smtp/password".into()),
            from: "kube-patrol <patrol@example.com>".into(),
            to: vec!["sre@example.com".into(), "Ops <ops@example.com>".into()],
            cc: vec!["boss@example.com".into()],
            subject: Some("{{ cluster }} weekly".into()),
            timeout: SignedDuration::from_mins(1),
            retries: 0,
            backoff: SignedDuration::from_secs(10),
            ca_file: Some("/etc/ssl/relay.pem".into()),
        }),
        trend: TrendConfig {
            restart_growth_abnormal: 20,
        },
        silences: SilencesConfig::default(),
        clusters: Vec::new(),
        notify: Default::default(),
        metrics: Default::default(),
        teams: Vec::new(),
    };
    assert_eq!(c, expected);
}

#[test]
fn the_example_file_is_valid_and_holds_the_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kube-patrol.yaml");
    let loaded = load(&path).unwrap_or_else(|e| panic!("{e}"));
    let expected = Config {
        cluster: ClusterConfig {
            name: Some("PIGO 線下".into()),
            timezone: Some("Asia/Taipei".into()),
            ..ClusterConfig::default()
        },
        archive: ArchiveConfig {
            dir: Some("/var/lib/kube-patrol/reports".into()),
            ..ArchiveConfig::default()
        },
        smtp: Some(SmtpConfig {
            from: "kube-patrol <kube-patrol@example.com>".into(),
            to: vec!["sre@example.com".into()],
            ..smtp_defaults("smtp.example.com")
        }),
        ..Config::default()
    };
    assert_eq!(loaded, expected);
}

/// The `smtp` section with only `host` of the required keys set apart from its defaults.
fn smtp_defaults(host: &str) -> SmtpConfig {
    SmtpConfig {
        host: host.into(),
        port: 587,
        tls: TlsMode::StartTls,
        username: None,
        password_file: None,
        from: "a@example.com".into(),
        to: vec!["b@example.com".into()],
        cc: vec![],
        subject: None,
        timeout: SignedDuration::from_secs(30),
        retries: 3,
        backoff: SignedDuration::from_secs(5),
        ca_file: None,
    }
}

/// The shipped files, compiled in so that this test needs nothing but the source tree.
#[test]
fn the_shipped_config_files_are_valid() {
    for (name, text) in [
        (
            "examples/kube-patrol.yaml",
            include_str!("../../examples/kube-patrol.yaml"),
        ),
        (
            "deploy/config.yaml",
            include_str!("../../deploy/config.yaml"),
        ),
        (
            "deploy/overlays/namespaced/config.yaml",
            include_str!("../../deploy/overlays/namespaced/config.yaml"),
        ),
        (
            "deploy/overlays/fleet/config.yaml",
            include_str!("../../deploy/overlays/fleet/config.yaml"),
        ),
    ] {
        if let Err(problems) = from_yaml(text) {
            panic!("{name}: {problems:#?}");
        }
    }
}

#[test]
fn every_key_of_the_example_file_is_written_out() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kube-patrol.yaml"),
    )
    .unwrap();
    for (section, keys) in read::SECTIONS {
        assert!(text.contains(&format!("\n{section}:")), "{section}");
        for key in *keys {
            assert!(text.contains(&format!("\n  {key}:")), "{section}.{key}");
        }
    }
}

#[test]
fn several_problems_are_reported_at_once_with_their_lines() {
    assert_eq!(
        problems(&[
            "cluster:",
            "  timezone: Mars/Olympus",
            "health:",
            "  restarts_attention: 5",
            "  restarts_unhealthy: 3",
            "  pending_grace: soon",
            "evidence:",
            "  concurrency: 100",
            "  log_line: 10",
        ]),
        [
            "2:13: cluster.timezone: unknown time zone `Mars/Olympus` (use an IANA name such as Asia/Taipei or UTC)",
            "5:23: health.restarts_unhealthy: must be greater than restarts_attention (5)",
            "6:18: health.pending_grace: expected a duration such as `15m`, `1h30m` or `7d`, found `soon`",
            "8:16: evidence.concurrency: must be between 1 and 64, found 100",
            "9:3: evidence.log_line: unknown key; did you mean `log_lines`?",
        ]
    );
}

#[test]
fn an_unknown_key_is_reported_with_its_line_and_the_closest_known_key() {
    assert_eq!(
        problems(&[
            "health:",
            "  restarts_attention: 5",
            "  restarts_unhealty: 12"
        ]),
        ["3:3: health.restarts_unhealty: unknown key; did you mean `restarts_unhealthy`?"]
    );
    assert_eq!(
        problems(&["clusters:", "  name: x"]),
        [
            "2:3: clusters: expected a list of clusters (`- context: dev` ...), found a mapping; one cluster's settings go under `cluster:`"
        ]
    );
}

#[test]
fn an_unknown_key_without_a_close_match_lists_the_known_ones_or_where_it_belongs() {
    assert_eq!(
        problems(&["cluster:", "  context: prod", "  log_lines: 3"]),
        [
            "2:3: cluster.context: unknown key; expected one of `name`, `timezone`, `retries`, `request_timeout`, `timeout`",
            "3:3: cluster.log_lines: unknown key here; `log_lines` belongs under `evidence`",
        ]
    );
}

#[test]
fn a_yaml_syntax_error_is_reported_with_its_line() {
    let found = problems(&["health:", "  restarts_attention: 5", " pending_grace: 15m"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("3:2: invalid YAML: "), "{found:?}");

    let found = problems(&["exclude:", "  pods: ['*-debug-*'", "report:"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("invalid YAML"), "{found:?}");
}

#[test]
fn duplicate_keys_a_second_document_and_aliases_are_refused() {
    assert_eq!(
        problems(&[
            "evidence:",
            "  log_lines: 10",
            "  log_lines: 20",
            "exclude:",
            "  pods: &p ['a-*']",
            "namespaces:",
            "  exclude: *p",
            "---",
            "report: {}",
        ]),
        [
            "3:3: evidence.log_lines: duplicate key (first at line 2)",
            "7:12: namespaces.exclude: YAML aliases (`*name`) are not supported here: write the value out",
            "8:1: only one YAML document is allowed (remove this `---`)",
        ]
    );
}

#[test]
fn values_of_the_wrong_type_are_reported() {
    assert_eq!(
        problems(&[
            "cluster: [a, b]",
            "namespaces:",
            "  include: pigo-*",
            "  all: yes",
            "health:",
            "  restarts_attention: five",
            "  unhealthy_share: .inf",
            "report:",
            "  lang: {code: en}",
        ]),
        [
            "1:10: cluster: expected a mapping with keys name, timezone, retries, request_timeout, timeout, found a list",
            "3:12: namespaces.include: expected a list such as [\"a\", \"b\"], found `pigo-*`",
            "4:8: namespaces.all: expected true or false, found `yes`",
            "6:23: health.restarts_attention: expected a whole number, found `five`",
            "7:20: health.unhealthy_share: expected a number, found `.inf`",
            "9:9: report.lang: expected a text value, found a mapping",
        ]
    );
}

#[test]
fn a_name_that_looks_like_a_number_stays_text() {
    let c = config(&[
        "cluster:",
        "  name: 2024",
        "namespaces:",
        "  include: [no, 012]",
    ]);
    assert_eq!(c.cluster.name.as_deref(), Some("2024"));
    assert_eq!(c.namespaces.include, ["no", "012"]);
}

#[test]
fn durations_accept_minutes_hours_days_and_iso_8601() {
    let c = config(&[
        "health:",
        "  pending_grace: 90s",
        "  not_ready_grace: 2 hours",
        "  terminating_grace: P1D",
        "report:",
        "  next_inspection: 2w",
    ]);
    assert_eq!(c.health.pending_grace, SignedDuration::from_secs(90));
    assert_eq!(c.health.not_ready_grace, SignedDuration::from_hours(2));
    assert_eq!(c.health.terminating_grace, SignedDuration::from_hours(24));
    assert_eq!(
        c.report.next_inspection,
        SignedDuration::from_hours(14 * 24)
    );
}

#[test]
fn bad_durations_are_rejected() {
    assert_eq!(
        problems(&[
            "health:",
            "  pending_grace: 0s",
            "  not_ready_grace: -5m",
            "  terminating_grace: 15",
            "report:",
            "  next_inspection: 1 month",
        ]),
        [
            "2:18: health.pending_grace: must be longer than zero, found `0s`",
            "3:20: health.not_ready_grace: must be longer than zero, found `-5m`",
            "4:22: health.terminating_grace: expected a duration such as `15m`, `1h30m` or `7d`, found `15`",
            "6:20: report.next_inspection: expected a duration such as `15m`, `1h30m` or `7d`, found `1 month`",
        ]
    );
}

#[test]
fn bad_globs_are_rejected() {
    assert_eq!(
        problems(&[
            "namespaces:",
            "  include: ['pigo-[dev']",
            "  exclude: ['']",
            "exclude:",
            "  pods: ['{a,b']",
        ]),
        [
            "2:13: namespaces.include[0]: invalid glob `pigo-[dev`: unclosed character class; missing ']'",
            "3:13: namespaces.exclude[0]: must not be empty",
            "5:10: exclude.pods[0]: invalid glob `{a,b`: unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)",
        ]
    );
}

#[test]
fn an_unknown_time_zone_is_rejected() {
    assert_eq!(
        problems(&["cluster:", "  timezone: Asia/Taipai"]),
        [
            "2:13: cluster.timezone: unknown time zone `Asia/Taipai` (use an IANA name such as Asia/Taipei or UTC)"
        ]
    );
    assert_eq!(
        config(&["cluster:", "  timezone: UTC"])
            .cluster
            .timezone
            .as_deref(),
        Some("UTC")
    );
}

#[test]
fn bad_label_selectors_are_rejected() {
    let found = problems(&[
        "exclude:",
        "  labels:",
        "    - 'app=web,tier=db'",
        "    - 'env in (dev)'",
        "    - 'bad key=x'",
        "    - 'app=not ok'",
        "    - '!'",
        "    - 'Example.com/app=x'",
    ]);
    let expected_starts = [
        "3:7: exclude.labels[0]: one requirement per list entry",
        "4:7: exclude.labels[1]: set-based requirements (`in`, `notin`) are not supported",
        "5:7: exclude.labels[2]: invalid label key `bad key`",
        "6:7: exclude.labels[3]: invalid label value `not ok`",
        "7:7: exclude.labels[4]: invalid label key ``",
        "8:7: exclude.labels[5]: invalid label key `Example.com/app`",
    ];
    assert_eq!(found.len(), expected_starts.len(), "{found:#?}");
    for (found, start) in found.iter().zip(expected_starts) {
        assert!(
            found.starts_with(start),
            "{found} should start with {start}"
        );
    }
}

#[test]
fn label_selectors_match_as_kubectl_does() {
    let labels: crate::model::Labels = [("app", "web"), ("tier", "front")]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    let matches = |selector: &str| LabelMatch::parse(selector).unwrap().matches(&labels);
    assert!(matches("app=web"));
    assert!(matches("app==web"));
    assert!(!matches("app=db"));
    assert!(matches("app!=db"));
    assert!(!matches("app!=web"));
    assert!(
        matches("team!=ops"),
        "!= also matches pods without the label"
    );
    assert!(matches("tier"));
    assert!(!matches("team"));
    assert!(matches("!team"));
    assert!(!matches("!app"));
    assert!(matches("example.com/x!=y"));
    assert_eq!(
        LabelMatch::parse(" app != web ").unwrap().to_string(),
        "app!=web"
    );
    assert_eq!(LabelMatch::parse("app=").unwrap().to_string(), "app=");
}

#[test]
fn out_of_range_numbers_are_rejected() {
    assert_eq!(
        problems(&[
            "health:",
            "  restarts_attention: 0",
            "  unhealthy_share: 1.5",
            "evidence:",
            "  log_lines: 0",
            "  log_bytes: 100",
            "  events_per_pod: -1",
            "  concurrency: 65",
            "statistics:",
            "  top_restarters: 5000",
            "report:",
            "  healthy_rows_per_namespace: 99999999999",
        ]),
        [
            "2:23: health.restarts_attention: must be at least 1, found 0",
            "3:20: health.unhealthy_share: must be a share between 0 and 1 (0.2 = 20%), found 1.5",
            "5:14: evidence.log_lines: must be between 1 and 10000, found 0",
            "6:14: evidence.log_bytes: must be between 1024 and 16777216, found 100",
            "7:19: evidence.events_per_pod: must be between 0 and 1000, found -1",
            "8:16: evidence.concurrency: must be between 1 and 64, found 65",
            "10:19: statistics.top_restarters: must be between 0 and 1000, found 5000",
            "12:31: report.healthy_rows_per_namespace: must be at least 0, found 99999999999",
        ]
    );
}

#[test]
fn restarts_unhealthy_must_be_greater_than_restarts_attention() {
    assert_eq!(
        problems(&[
            "health:",
            "  restarts_attention: 5",
            "  restarts_unhealthy: 5"
        ]),
        ["3:23: health.restarts_unhealthy: must be greater than restarts_attention (5)"]
    );
    assert_eq!(
        problems(&["health:", "  restarts_attention: 12"]),
        ["2:23: health.restarts_attention: must be less than restarts_unhealthy (10, the default)"]
    );
    assert_eq!(
        problems(&["health:", "  restarts_unhealthy: 3"]),
        ["2:23: health.restarts_unhealthy: must be greater than restarts_attention (5)"]
    );
    let c = config(&[
        "health:",
        "  restarts_attention: 1",
        "  restarts_unhealthy: 2",
    ]);
    assert_eq!(
        (c.health.restarts_attention, c.health.restarts_unhealthy),
        (1, 2)
    );
}

#[test]
fn age_buckets_must_be_older_or_younger_than_whole_days_each_once() {
    assert_eq!(
        problems(&[
            "statistics:",
            "  age_buckets: ['>30d', '30d', '<0d', '>30d', '>2w']"
        ]),
        [
            "2:25: statistics.age_buckets[1]: expected `>Nd` (older than N days) or `<Nd` (younger), found `30d`",
            "2:32: statistics.age_buckets[2]: expected `>Nd` (older than N days) or `<Nd` (younger), found `<0d`",
            "2:39: statistics.age_buckets[3]: `>30d` is listed twice",
            "2:47: statistics.age_buckets[4]: expected `>Nd` (older than N days) or `<Nd` (younger), found `>2w`",
        ]
    );
    assert_eq!(
        config(&["statistics:", "  age_buckets: []"])
            .statistics
            .age_buckets,
        []
    );
}

#[test]
fn lang_is_zh_tw_or_en() {
    assert_eq!(
        problems(&["report:", "  lang: zh"]),
        ["2:9: report.lang: must be `zh-TW` or `en`, found `zh`"]
    );
}

#[test]
fn all_namespaces_together_with_an_include_list_is_refused() {
    assert_eq!(
        problems(&["namespaces:", "  include: [a]", "  all: true"]),
        [
            "3:8: namespaces.all: `all: true` already inspects every namespace: remove namespaces.include or set all to false"
        ]
    );
    assert!(
        config(&["namespaces:", "  all: true", "  exclude: ['kube-*']"])
            .namespaces
            .all
    );
}

#[test]
fn an_invalid_file_is_one_error_line_listing_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kube-patrol.yaml");
    std::fs::write(
        &path,
        file(&["report:", "  lang: fr", "  next_inspection: never"]),
    )
    .unwrap();
    let error = load(&path).unwrap_err();
    let p = path.display();
    assert_eq!(
        error.to_string(),
        format!(
            "config file {p} has 2 problems: {p}:2:9: report.lang: must be `zh-TW` or `en`, found `fr`; \
             {p}:3:20: report.next_inspection: expected a duration such as `15m`, `1h30m` or `7d`, found `never`"
        )
    );
    assert!(
        matches!(error, ConfigError::Invalid { ref diagnostics, .. } if diagnostics.len() == 2)
    );
}

#[test]
fn a_missing_file_is_a_read_error_naming_the_file() {
    let error = load(Path::new("/nonexistent/kube-patrol.yaml")).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }));
    assert!(
        error
            .to_string()
            .starts_with("cannot read config file /nonexistent/kube-patrol.yaml: "),
        "{error}"
    );
}

#[test]
fn an_empty_cluster_name_is_refused() {
    assert_eq!(
        problems(&["cluster:", "  name: ''"]),
        ["2:9: cluster.name: must not be empty (leave it out to use the context's name)"]
    );
}

fn smtp(lines: &[&str]) -> SmtpConfig {
    config(lines).smtp.expect("an smtp section")
}

#[test]
fn an_smtp_section_with_only_the_required_keys_gets_every_default() {
    let c = smtp(&[
        "smtp:",
        "  host: smtp.example.com",
        "  from: a@example.com",
        "  to: [b@example.com]",
    ]);
    assert_eq!(c, smtp_defaults("smtp.example.com"));
}

#[test]
fn the_smtp_defaults_are_those_of_the_email_module() {
    let c = smtp_defaults("h");
    let std = |d: SignedDuration| d.unsigned_abs();
    assert_eq!(std(c.timeout), crate::deliver::email::DEFAULT_TIMEOUT);
    assert_eq!(c.retries, crate::deliver::email::DEFAULT_RETRIES);
    assert_eq!(std(c.backoff), crate::deliver::email::DEFAULT_BACKOFF);
    assert_eq!(c.tls, TlsMode::default());
}

#[test]
fn the_default_smtp_port_follows_the_tls_mode() {
    let port = |tls: &str| {
        smtp(&[
            "smtp:",
            "  host: localhost",
            &format!("  tls: {tls}"),
            "  from: a@example.com",
            "  to: [b@example.com]",
        ])
        .port
    };
    assert_eq!(port("starttls"), 587);
    assert_eq!(port("implicit"), 465);
    assert_eq!(port("none"), 25);
}

#[test]
fn a_single_smtp_recipient_need_not_be_a_list() {
    let c = smtp(&[
        "smtp:",
        "  host: smtp.example.com",
        "  from: a@example.com",
        "  to: Ops <ops@example.com>",
    ]);
    assert_eq!(c.to, ["Ops <ops@example.com>"]);
}

#[test]
fn missing_required_smtp_keys_are_each_reported_at_the_smtp_key() {
    assert_eq!(
        problems(&["report:", "  lang: en", "smtp:", "  port: 25"]),
        [
            "3:1: smtp.host: missing: the mail server's host name is required when there is an `smtp` section",
            "3:1: smtp.from: missing: the sender's address is required when there is an `smtp` section",
            "3:1: smtp.to: missing: at least one recipient is required when there is an `smtp` section",
        ]
    );
    assert_eq!(
        problems(&["smtp: {}"]).len(),
        3,
        "an empty mapping is a section too"
    );
}

#[test]
fn a_required_smtp_key_of_the_wrong_type_is_reported_once_not_as_missing_too() {
    assert_eq!(
        problems(&[
            "smtp:",
            "  host: [a, b]",
            "  from: a@example.com",
            "  to: {sre: sre@example.com}",
        ]),
        [
            "2:9: smtp.host: expected a text value, found a list",
            "4:7: smtp.to: expected a list such as [\"a\", \"b\"], found a mapping",
        ]
    );
}

#[test]
fn an_unset_smtp_section_means_no_email_and_a_scalar_is_a_type_error() {
    assert_eq!(config(&["smtp:"]).smtp, None);
    assert_eq!(config(&["smtp: ~"]).smtp, None);
    assert_eq!(
        problems(&["smtp: smtp.example.com"]),
        [
            "1:7: smtp: expected a mapping with keys host, port, tls, username, password_file, from, to, cc, subject, timeout, retries, backoff, ca_file, found `smtp.example.com`"
        ]
    );
}

/// A valid `smtp` section, then `extra` lines in it (from line 5).
fn smtp_with(extra: &[&'static str]) -> Vec<&'static str> {
    let mut lines = vec![
        "smtp:",
        "  host: smtp.example.com",
        "  from: a@example.com",
        "  to: [b@example.com]",
    ];
    lines.extend(extra);
    lines
}

#[test]
fn a_password_file_without_username_is_refused() {
    assert_eq!(
        problems(&smtp_with(&[
            "  password_file: /etc/kube-patrol/smtp/password"
        ])),
        ["5:18: smtp.password_file: a password needs `username`"]
    );
}

#[test]
fn a_username_without_password_file_is_allowed_the_password_then_comes_from_the_environment() {
    let c = smtp(&smtp_with(&["  username: patrol"]));
    assert_eq!(c.username.as_deref(), Some("patrol"));
    assert_eq!(c.password_file, None);
}

#[test]
fn a_login_over_plain_text_is_refused_except_to_this_host() {
    assert_eq!(
        problems(&smtp_with(&["  tls: none", "  username: patrol"])),
        ["5:8: smtp.tls: would send the password in plain text: use starttls or implicit"]
    );
    for host in ["localhost", "127.0.0.1", "'::1'"] {
        let c = smtp(&[
            "smtp:",
            &format!("  host: {host}"),
            "  tls: none",
            "  username: patrol",
            "  from: a@example.com",
            "  to: b@example.com",
        ]);
        assert_eq!((c.tls, c.port), (TlsMode::None, 25), "{host}");
    }
    assert_eq!(smtp(&smtp_with(&["  tls: none"])).username, None);
}

#[test]
fn an_smtp_host_is_a_bare_name_without_scheme_port_or_spaces() {
    let found = |host: &str| {
        let line = format!("  host: {host}");
        problems(&[
            "smtp:",
            &line,
            "  from: a@example.com",
            "  to: [b@example.com]",
        ])
    };
    assert_eq!(
        found("smtp://mail.example.com"),
        [
            "2:9: smtp.host: `smtp://` makes it a URL: write the host name only (`mail.example.com`), and the port in `port`"
        ]
    );
    assert_eq!(
        found("mail.example.com:465"),
        ["2:9: smtp.host: write the port in `port: 465`, the host alone (`mail.example.com`)"]
    );
    assert_eq!(
        found("'mail example.com'"),
        ["2:9: smtp.host: must not contain spaces, found `mail example.com`"]
    );
    assert_eq!(found("''"), ["2:9: smtp.host: must not be empty"]);
}

#[test]
fn smtp_addresses_must_be_mailboxes_and_to_must_not_be_empty() {
    let expected = "expected an address such as `name <user@example.com>` or `user@example.com`";
    assert_eq!(
        problems(&[
            "smtp:",
            "  host: smtp.example.com",
            "  from: kube-patrol",
            "  to: [sre@example.com, 'Ops <ops@>']",
            "  cc: ['<a@b']",
        ]),
        [
            format!("3:9: smtp.from: {expected}, found `kube-patrol`"),
            format!("4:25: smtp.to[1]: {expected}, found `Ops <ops@>`"),
            format!("5:8: smtp.cc[0]: {expected}, found `<a@b`"),
        ]
    );
    assert_eq!(
        problems(&["smtp:", "  host: h", "  from: a@example.com", "  to: []"]),
        ["4:7: smtp.to: must list at least one recipient"]
    );
}

#[test]
fn an_smtp_subject_must_be_a_tera_template_that_compiles() {
    let c = smtp(&smtp_with(&[
        "  subject: '[{{ cluster }}] {% if ok %}OK{% endif %}'",
    ]));
    assert_eq!(
        c.subject.as_deref(),
        Some("[{{ cluster }}] {% if ok %}OK{% endif %}")
    );
    assert_eq!(
        problems(&smtp_with(&["  subject: '{{ cluster'"])),
        [
            "5:12: smtp.subject: invalid Tera template: expected `or`, `and`, `not`, `<=`, `>=`, `<`, \
             `>`, `==`, `!=`, `+`, `-`, `*`, `/`, `%`, a filter, or a variable end (`}}`) \
             (template line 1, column 11)"
        ]
    );
}

#[test]
fn smtp_tls_is_starttls_implicit_or_none() {
    assert_eq!(
        problems(&smtp_with(&["  tls: ssl"])),
        ["5:8: smtp.tls: must be `starttls`, `implicit` or `none`, found `ssl`"]
    );
}

#[test]
fn out_of_range_archive_smtp_and_trend_numbers_are_rejected() {
    assert_eq!(
        problems(&[
            "archive:",
            "  keep_count: 0",
            "  keep_for: 0s",
            "  lock_wait: soon",
            "smtp:",
            "  host: h",
            "  port: 65536",
            "  from: a@example.com",
            "  to: b@example.com",
            "  timeout: -1s",
            "  retries: 11",
            "  backoff: 0s",
            "trend:",
            "  restart_growth_abnormal: 0",
        ]),
        [
            "2:15: archive.keep_count: must be between 1 and 100000, found 0",
            "3:13: archive.keep_for: must be longer than zero, found `0s`",
            "4:14: archive.lock_wait: expected a duration such as `15m`, `1h30m` or `7d`, found `soon`",
            "7:9: smtp.port: must be between 1 and 65535, found 65536",
            "10:12: smtp.timeout: must be longer than zero, found `-1s`",
            "11:12: smtp.retries: must be between 0 and 10, found 11",
            "12:12: smtp.backoff: must be longer than zero, found `0s`",
            "14:28: trend.restart_growth_abnormal: must be between 1 and 1000000, found 0",
        ]
    );
}

#[test]
fn keep_for_forever_keeps_runs_at_any_age() {
    let c = config(&["archive:", "  dir: /reports", "  keep_for: forever"]);
    assert_eq!(c.archive.keep_for, None);
    assert_eq!(
        config(&["archive:", "  keep_for: 52w"]).archive.keep_for,
        Some(SignedDuration::from_hours(52 * 7 * 24))
    );
}

#[test]
fn empty_paths_are_refused() {
    assert_eq!(
        problems(&[
            "archive:",
            "  dir: ''",
            "smtp:",
            "  host: h",
            "  from: a@example.com",
            "  to: b@example.com",
            "  username: ' '",
            "  password_file: ''",
            "  ca_file: ''",
        ]),
        [
            "2:8: archive.dir: must not be empty (leave it out to archive nothing)",
            "7:13: smtp.username: must not be empty (leave it out for a relay without login)",
            "8:18: smtp.password_file: must not be empty (leave it out to read $KUBE_PATROL_SMTP_PASSWORD)",
            "9:12: smtp.ca_file: must not be empty (leave it out to trust the system's CAs only)",
        ]
    );
}

#[test]
fn typos_in_the_new_sections_get_the_closest_key() {
    assert_eq!(
        problems(&[
            "archive:",
            "  keep_cont: 3",
            "smtp:",
            "  host: h",
            "  from: a@example.com",
            "  to: b@example.com",
            "  username: patrol",
            "  pasword_file: /run/secret",
            "trend:",
            "  restarts_growth_abnormal: 3",
            "smpt: {}",
        ]),
        [
            "2:3: archive.keep_cont: unknown key; did you mean `keep_count`?",
            "8:3: smtp.pasword_file: unknown key; did you mean `password_file`?",
            "10:3: trend.restarts_growth_abnormal: unknown key; did you mean `restart_growth_abnormal`?",
            "11:1: smpt: unknown key; did you mean `smtp`?",
        ]
    );
}

#[test]
fn the_cluster_s_retries_and_timeouts_are_read_and_checked() {
    let c = config(&[
        "cluster:",
        "  retries: 0",
        "  request_timeout: 5s",
        "  timeout: 1h",
    ]);
    assert_eq!(c.cluster.retries, 0);
    assert_eq!(c.cluster.request_timeout, SignedDuration::from_secs(5));
    assert_eq!(c.cluster.timeout, SignedDuration::from_hours(1));
    assert_eq!(
        problems(&["cluster:", "  retries: 21", "  timeout: 0s"]),
        [
            "2:12: cluster.retries: must be between 0 and 20, found 21",
            "3:12: cluster.timeout: must be longer than zero, found `0s`"
        ]
    );
}

#[test]
fn clusters_are_read_with_their_names_contexts_kubeconfigs_and_namespaces() {
    let c = config(&[
        "clusters:",
        "  - name: dev",
        "    kubeconfig: /etc/kube-patrol/clusters/dev/kubeconfig",
        "    namespaces: [pigo-dev, 'pigo-x*']",
        "  - context: stg-admin",
        "    namespaces: pigo-stg",
        "  - kubeconfig: /etc/kube-patrol/clusters/rel/kubeconfig",
        "    context: rel",
        "  - kubeconfig: /etc/kube-patrol/clusters/prod/kubeconfig",
    ]);
    let names: Vec<&str> = c.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["dev", "stg-admin", "rel", "prod"]);
    assert_eq!(c.clusters[0].namespaces, ["pigo-dev", "pigo-x*"]);
    assert_eq!(c.clusters[0].context, None);
    assert_eq!(c.clusters[1].namespaces, ["pigo-stg"]);
    assert_eq!(c.clusters[1].kubeconfig, None);
    assert_eq!(c.clusters[2].context.as_deref(), Some("rel"));
}

#[test]
fn a_cluster_without_context_or_kubeconfig_and_a_second_of_one_name_are_refused() {
    assert_eq!(
        problems(&[
            "clusters:",
            "  - name: dev",
            "    context: dev",
            "  - name: dev",
            "    context: dev-2",
            "  - name: lost",
            "  - name: x",
            "    contex: typo",
        ]),
        [
            "4:11: clusters[1].name: a second cluster named `dev`: give each cluster its own name (it is its row in the fleet summary and the key of its trend)",
            "6:5: clusters[2]: says nothing of which cluster to read: give context and/or kubeconfig",
            "7:5: clusters[3]: says nothing of which cluster to read: give context and/or kubeconfig",
            "8:5: clusters[3].contex: unknown key; did you mean `context`?",
        ]
    );
}
