//! Hostile text from the cluster, rendered end to end: a dump whose pod names, node name, owner
//! names, label values (the workload's selector), container waiting and terminated messages and
//! event message carry table pipes, HTML, a script, an image with a handler, a `javascript:`
//! link, backticks, a code fence, a `# heading` and newlines. The Markdown must keep its tables
//! and headings, the HTML must show all of it as text, and suggested commands must quote it.
//!
//! A second dump carries text that looks like the locale's `{placeholders}` (a terminated reason
//! `Boom{exit_code}{since}`, messages, an event, pod, node and owner names): sentences are
//! filled in one pass, so it must show as written, with nothing substituted into it.
//!
//! Log lines are the one untrusted text a dump cannot carry (logs are only read from a live
//! cluster); they go through the `code_line` filter, which the unit tests of
//! `src/render/escape.rs` cover (a log line cannot close its code fence).

mod common;

use common::*;
use serde_json::{Value, json};

/// Every trick at once; `HOSTILE` marks where it went.
const HOSTILE: &str = "| x | </td><script>alert(1)</script> `tick` ```fence\n# HOSTILE heading\n\
                       [link](javascript:alert(1)) <img src=x onerror=alert(1)>\r\n\
                       - item ~~strike~~ *em* &amp; \\| back";

const LANGS: [&str; 2] = ["zh-TW", "en"];

/// A namespace with a crash-looping pod (waiting and last-terminated messages, a warning
/// event), a failed pod with a hostile name (the delete and `-l` selector commands), a healthy
/// pod on a hostile node, and their ReplicaSet and Deployment with hostile names.
fn dump() -> Value {
    let owner = |kind: &str, name: &str| json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": kind, "controller": true}]);
    let (rs, deployment) = (format!("rs-{HOSTILE}"), format!("deploy-{HOSTILE}"));
    let selector = json!({"matchLabels": {"app": HOSTILE}});
    let pod = |name: &str, node: &str, status: Value| {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": name, "namespace": "shop", "creationTimestamp": "2025-12-01T00:00:00Z",
                "labels": {"app": HOSTILE}, "ownerReferences": owner("ReplicaSet", &rs),
            },
            "spec": {"nodeName": node, "containers": [{"name": "web", "image": "r/web:1"}]},
            "status": status,
        })
    };
    let status = |phase: &str, ready: bool, restarts: u32, state: Value, last: Value| {
        json!({
            "phase": phase,
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" },
                            "lastTransitionTime": "2025-12-20T00:00:00Z"}],
            "containerStatuses": [{"name": "web", "image": "r/web:1", "imageID": "",
                                   "ready": ready, "restartCount": restarts,
                                   "state": state, "lastState": last}],
        })
    };
    let crashing = status(
        "Running",
        false,
        12,
        json!({"waiting": {"reason": "CrashLoopBackOff", "message": HOSTILE}}),
        json!({"terminated": {"exitCode": 1, "reason": "Error", "message": HOSTILE,
                              "finishedAt": "2025-12-26T01:55:00Z"}}),
    );
    let failed = status(
        "Failed",
        false,
        0,
        json!({"terminated": {"exitCode": 137, "reason": "Error", "message": HOSTILE,
                              "finishedAt": "2025-12-20T01:55:00Z"}}),
        json!({}),
    );
    let running = status(
        "Running",
        true,
        0,
        json!({"running": {"startedAt": "2025-12-01T00:00:00Z"}}),
        json!({}),
    );
    json!({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": [
        pod("web-5f46454c7b-abcde", "node-1", crashing),
        pod(&format!("failed-{HOSTILE}"), "node-1", failed),
        pod("web-5f46454c7b-klmno", &format!("node-{HOSTILE}"), running),
        {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": rs, "namespace": "shop", "uid": "ReplicaSet",
                         "ownerReferences": owner("Deployment", &deployment)},
            "spec": {"replicas": 1, "selector": selector}, "status": {"replicas": 1},
        },
        {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": deployment, "namespace": "shop", "uid": "Deployment"},
            "spec": {"replicas": 1, "selector": selector}, "status": {"replicas": 1},
        },
        {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "web.1", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "web-5f46454c7b-abcde", "namespace": "shop"},
            "reason": "BackOff", "type": "Warning", "message": HOSTILE, "count": 40,
            "firstTimestamp": "2025-12-25T00:00:00Z", "lastTimestamp": "2025-12-26T01:50:00Z",
        },
    ]})
}

/// The report of the hostile dump in one language and format.
fn render(lang: &str, format: &str) -> String {
    render_dump(&dump(), lang, format)
}

/// The report of a dump in one language and format.
fn render_dump(dump: &Value, lang: &str, format: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dump.json");
    std::fs::write(&path, dump.to_string()).expect("write the dump");
    let path = path.to_str().expect("a UTF-8 temp path");
    stdout(&kube_patrol(&[
        "report",
        "--from-dump",
        path,
        "-n",
        "shop",
        "--now",
        "2025-12-26T10:00:00+08:00",
        "--timezone",
        "Asia/Taipei",
        "--lang",
        lang,
        "-o",
        format,
    ]))
}

/// The lines outside fenced code blocks, and those inside.
fn split_fences(markdown: &str) -> (Vec<&str>, Vec<&str>) {
    let (mut prose, mut code, mut fenced) = (Vec::new(), Vec::new(), false);
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced {
            code.push(line);
        } else {
            prose.push(line);
        }
    }
    (prose, code)
}

/// Table cell separators: pipes not escaped by an odd run of backslashes.
fn separators(line: &str) -> usize {
    let mut backslashes = 0;
    let mut count = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => count += 1,
            _ => {}
        }
        if c != '\\' {
            backslashes = 0;
        }
    }
    count
}

/// Every Markdown table as (header line, body lines).
fn markdown_tables<'a>(lines: &[&'a str]) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut tables = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        if lines[i].starts_with('|') && lines[i + 1].starts_with("|-") {
            let rows: Vec<&str> = lines[i + 2..]
                .iter()
                .take_while(|l| l.starts_with('|'))
                .copied()
                .collect();
            i += 2 + rows.len();
            tables.push((lines[i - 2 - rows.len()], rows));
        } else {
            i += 1;
        }
    }
    tables
}

/// The text of every tag: each `<` of the page starts one, since text has `&lt;`.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(rest))
        .collect()
}

/// Opening tags `<name ...>` or `<name>` in `html`.
fn count_tags(html: &str, name: &str) -> usize {
    tags(html)
        .into_iter()
        .filter(|t| {
            t.strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
        .count()
}

/// Every table of the report's body as (head, body rows); the glance's layout tables have
/// no head.
fn html_tables(html: &str) -> Vec<(&str, Vec<&str>)> {
    html.split("<table class=\"kp-t\"")
        .skip(1)
        .map(|table| {
            let table = table.split("</table>").next().unwrap();
            let (head, body) = table.split_once("</thead>").expect("a table head");
            let rows = body.split("<tr>").skip(1).collect();
            (head, rows)
        })
        .collect()
}

#[test]
fn the_hostile_text_reaches_the_report_as_text() {
    for lang in LANGS {
        let markdown = render(lang, "markdown");
        assert!(
            markdown.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{markdown}"
        );
        assert!(markdown.contains("\\# HOSTILE heading"), "{markdown}");
        let html = render(lang, "html");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        assert!(html.contains("[link](javascript:alert(1))"), "{html}");
    }
}

#[test]
fn every_markdown_table_row_has_as_many_cell_separators_as_its_header() {
    for lang in LANGS {
        let markdown = render(lang, "markdown");
        let (prose, _) = split_fences(&markdown);
        let tables = markdown_tables(&prose);
        assert!(
            tables.len() >= 4,
            "{lang}: summary, healthy, unhealthy, problems"
        );
        let hostile_rows = tables
            .iter()
            .flat_map(|(_, rows)| rows)
            .filter(|row| row.contains("HOSTILE"))
            .count();
        assert!(
            hostile_rows >= 3,
            "{lang}: hostile text in {hostile_rows} rows"
        );
        for (header, rows) in &tables {
            for row in rows {
                assert_eq!(
                    separators(row),
                    separators(header),
                    "{lang}: a row of the table {header}:\n{row}"
                );
            }
        }
    }
}

#[test]
fn hostile_text_starts_no_heading_and_opens_no_tag_in_the_markdown() {
    for lang in LANGS {
        let markdown = render(lang, "markdown");
        for line in markdown.lines() {
            let start = line.trim_start();
            assert!(
                !(start.starts_with('#') && line.contains("HOSTILE")),
                "{lang}: a heading or comment line from the hostile text:\n{line}"
            );
        }
        // Code blocks show their text as it is (HTML escapes it); everything else is escaped.
        let (prose, _) = split_fences(&markdown);
        for line in prose {
            let lower = line.to_lowercase();
            for raw in ["<script", "<img", "</td>", "[link](javascript:"] {
                assert!(!lower.contains(raw), "{lang}: raw {raw:?} in\n{line}");
            }
        }
    }
}

#[test]
fn suggested_commands_quote_hostile_names_and_selectors() {
    for lang in LANGS {
        let markdown = render(lang, "markdown");
        let (_, code) = split_fences(&markdown);
        let commands: Vec<&str> = code
            .iter()
            .map(|l| l.trim_start())
            .filter(|l| l.starts_with("kubectl") && l.contains("HOSTILE"))
            .collect();
        assert!(
            commands.iter().any(|c| c.contains(" -l 'app=| x |")),
            "{lang}: the selector command, quoted: {commands:#?}"
        );
        for command in &commands {
            let opening = command.find('\'').expect("a quote");
            let hostile = command.find("HOSTILE").unwrap();
            let closing = command.rfind('\'').unwrap();
            assert!(
                opening < hostile && hostile < closing,
                "{lang}: unquoted: {command}"
            );
        }
    }
}

#[test]
fn the_html_has_no_script_image_handler_or_javascript_link() {
    for lang in LANGS {
        let html = render(lang, "html");
        let lower = html.to_lowercase();
        for raw in ["<script", "<img", "<iframe", "<a "] {
            assert!(!lower.contains(raw), "{lang}: {raw:?} in the HTML");
        }
        for tag in tags(&lower) {
            assert!(!tag.contains("onerror"), "{lang}: a handler in <{tag}>");
            assert!(
                !tag.contains("javascript:"),
                "{lang}: a script URL in <{tag}>"
            );
        }
    }
}

#[test]
fn every_html_table_row_has_as_many_cells_as_its_head() {
    for lang in LANGS {
        let html = render(lang, "html");
        let tables = html_tables(&html);
        assert!(tables.len() >= 4, "{lang}: {} tables", tables.len());
        for (head, rows) in tables {
            let columns = count_tags(head, "th");
            assert!(columns > 0, "{lang}: a head without cells: {head}");
            for row in rows {
                assert_eq!(count_tags(row, "td"), columns, "{lang}: {row}");
                assert_eq!(row.matches("</td>").count(), columns, "{lang}: {row}");
            }
        }
    }
}

/// A terminated reason that reads as the container sentence's own placeholders: filled one
/// placeholder after the other, it became `Boom3{since}` in one sentence and `Boom{exit_code}`
/// followed by a duration in another.
const REASON: &str = "Boom{exit_code}{since}";
/// The terminated message.
const ENDED: &str = "Crashed {namespace}{count}{pod}{container}{since}{reason}{exit_code}";
/// The waiting message of the crash-looping container.
const WAITING: &str = "Stalled {pod}{namespace}{count}{duration}{status}{container}";
/// The warning event's message.
const EVENT: &str = "Flapping {count}{pod}{namespace}{reason}{message}";
/// The evicted pod's message.
const EVICTED: &str = "Starved {message}{reason}{since}{status}";
/// The scheduler's message of the pending pod.
const SCHEDULER: &str = "Nowhere {message}{grace}{status}{ready}";
/// Pod, node and owner names (a real API server refuses braces in names; a dump does not).
const CRASHING_POD: &str = "crashy-{pod}{count}{status}{container}";
const FAILED_POD: &str = "failing-{status}{since}{namespace}{reason}";
const EVICTED_POD: &str = "evicty-{reason}{message}{status}";
const PENDING_POD: &str = "waity-{grace}{status}{ready}";
const NODE: &str = "nodey-{pod}{count}{node}";
const REPLICA_SET: &str = "rsy-{namespace}{pod}{chain}";
const DEPLOYMENT: &str = "deployy-{namespace}{pod}{kind}{owner}";

/// Every placeholder-looking text of the dump. Each starts with a word of its own before its
/// first brace, which marks where it went in the report.
const PLACEHOLDER_TEXTS: [&str; 13] = [
    REASON,
    ENDED,
    WAITING,
    EVENT,
    EVICTED,
    SCHEDULER,
    CRASHING_POD,
    FAILED_POD,
    EVICTED_POD,
    PENDING_POD,
    NODE,
    REPLICA_SET,
    DEPLOYMENT,
];

/// A namespace with a crash-looping pod (a waiting message, a last-terminated reason and
/// message, a warning event), a failed pod (its terminated reason is its STATUS), an evicted pod,
/// a pod the scheduler cannot place, and a healthy pod on a node, every text from the list above.
fn placeholder_dump() -> Value {
    let owner = |kind: &str, name: &str| json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": kind, "controller": true}]);
    let selector = json!({"matchLabels": {"app": "web"}});
    let pod = |name: &str, node: Option<&str>, status: Value| {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": name, "namespace": "shop", "creationTimestamp": "2025-12-01T00:00:00Z",
                "labels": {"app": "web"}, "ownerReferences": owner("ReplicaSet", REPLICA_SET),
            },
            "spec": {"nodeName": node, "containers": [{"name": "web", "image": "r/web:1"}]},
            "status": status,
        })
    };
    let status = |phase: &str, ready: bool, restarts: u32, state: Value, last: Value| {
        json!({
            "phase": phase,
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" },
                            "lastTransitionTime": "2025-12-20T00:00:00Z"}],
            "containerStatuses": [{"name": "web", "image": "r/web:1", "imageID": "",
                                   "ready": ready, "restartCount": restarts,
                                   "state": state, "lastState": last}],
        })
    };
    let crashing = status(
        "Running",
        false,
        12,
        json!({"waiting": {"reason": "CrashLoopBackOff", "message": WAITING}}),
        json!({"terminated": {"exitCode": 3, "reason": REASON, "message": ENDED,
                              "finishedAt": "2025-12-26T01:55:00Z"}}),
    );
    let failed = status(
        "Failed",
        false,
        0,
        json!({"terminated": {"exitCode": 3, "reason": REASON, "message": ENDED,
                              "finishedAt": "2025-12-20T01:55:00Z"}}),
        json!({}),
    );
    let evicted = json!({"phase": "Failed", "reason": "Evicted", "message": EVICTED,
                         "startTime": "2025-12-01T00:00:00Z"});
    let pending = json!({"phase": "Pending", "conditions": [{
        "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
        "message": SCHEDULER, "lastTransitionTime": "2025-12-01T00:00:00Z"}]});
    let running = status(
        "Running",
        true,
        0,
        json!({"running": {"startedAt": "2025-12-01T00:00:00Z"}}),
        json!({}),
    );
    json!({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": [
        pod(CRASHING_POD, Some("node-1"), crashing),
        pod(FAILED_POD, Some("node-1"), failed),
        pod(EVICTED_POD, Some("node-1"), evicted),
        pod(PENDING_POD, None, pending),
        pod("web-5f46454c7b-klmno", Some(NODE), running),
        {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": REPLICA_SET, "namespace": "shop", "uid": "ReplicaSet",
                         "ownerReferences": owner("Deployment", DEPLOYMENT)},
            "spec": {"replicas": 1, "selector": selector}, "status": {"replicas": 1},
        },
        {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": DEPLOYMENT, "namespace": "shop", "uid": "Deployment"},
            "spec": {"replicas": 1, "selector": selector}, "status": {"replicas": 1},
        },
        {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "crashy.1", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": CRASHING_POD, "namespace": "shop"},
            "reason": "BackOff", "type": "Warning", "message": EVENT, "count": 40,
            "firstTimestamp": "2025-12-25T00:00:00Z", "lastTimestamp": "2025-12-26T01:50:00Z",
        },
    ]})
}

/// A placeholder text as the Markdown shows it outside code: only `_` needs escaping.
fn markdown_form(text: &str) -> String {
    text.replace('_', "\\_")
}

/// The line of `output` around byte `at`.
fn line_at(output: &str, at: usize) -> &str {
    let start = output[..at].rfind('\n').map_or(0, |n| n + 1);
    let end = output[at..].find('\n').map_or(output.len(), |n| at + n);
    &output[start..end]
}

/// Checks one rendering: every placeholder text is shown, each time whole, and no brace is
/// left once they are taken out (no text was filled into them, no placeholder was left
/// unfilled). `forms` gives the spellings a text may have in this rendering. Every line at
/// fault is listed.
fn assert_shown_as_written(what: &str, output: &str, forms: impl Fn(&str) -> Vec<String>) {
    let mut faults: Vec<String> = Vec::new();
    // `Boom3{since}`, `Boom{exit_code}26h`: the bug as it was reported.
    for form in forms(REASON) {
        let boom = form.split('{').next().unwrap();
        for (at, _) in output.match_indices(&format!("{boom}3")) {
            faults.push(format!("an exit code filled in: {}", line_at(output, at)));
        }
        let (head, _) = form.split_at(form.find("{since}").unwrap());
        for (at, _) in output.match_indices(head) {
            if output[at + head.len()..].starts_with(|c: char| c.is_ascii_digit()) {
                faults.push(format!("a duration filled in: {}", line_at(output, at)));
            }
        }
    }
    let mut rest = output.to_owned();
    for text in PLACEHOLDER_TEXTS {
        let forms = forms(text);
        let marker = text.split('{').next().unwrap();
        if !output.contains(marker) {
            faults.push(format!("{text:?} is not in the report"));
        }
        for (at, _) in output.match_indices(marker) {
            if !forms.iter().any(|f| output[at..].starts_with(f.as_str())) {
                faults.push(format!("{text:?} changed: {}", line_at(output, at)));
            }
        }
        for form in forms {
            rest = rest.replace(&form, "");
        }
    }
    for (at, _) in rest.match_indices(['{', '}']) {
        faults.push(format!(
            "a brace of no placeholder text of the dump: {}",
            line_at(&rest, at)
        ));
    }
    faults.dedup();
    assert!(faults.is_empty(), "{what}:\n{}", faults.join("\n"));
}

/// The pod of a JSON report by name.
fn json_pod<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["pods"]
        .as_array()
        .expect("pods")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no pod {name} in {report}"))
}

/// The lines of a pod's analysis that contain `text`.
fn analysis_with<'a>(pod: &'a Value, text: &str) -> Vec<&'a str> {
    pod["analysis"]
        .as_array()
        .expect("an analysis")
        .iter()
        .filter_map(Value::as_str)
        .filter(|line| line.contains(text))
        .collect()
}

#[test]
fn placeholder_looking_text_from_the_cluster_is_reported_as_written() {
    let dump = placeholder_dump();
    for lang in LANGS {
        let markdown = render_dump(&dump, lang, "markdown");
        assert_shown_as_written(&format!("{lang} Markdown"), &markdown, |text| {
            vec![markdown_form(text), text.to_owned()]
        });
        let html = render_dump(&dump, lang, "html");
        // The style sheet in the head has braces of its own.
        let (_, body) = html.split_once("<body").expect("an HTML body");
        assert_shown_as_written(&format!("{lang} HTML"), body, |text| vec![text.to_owned()]);

        let json = render_dump(&dump, lang, "json");
        let report: Value = serde_json::from_str(&json).expect("a JSON report");
        // Every string of the report, one per line: JSON's own braces are not text.
        let mut strings = Vec::new();
        collect_strings(&report, &mut strings);
        let text = strings.join("\n");
        assert_shown_as_written(&format!("{lang} JSON"), &text, |text| vec![text.to_owned()]);

        // The sentences that carry each text, in whatever words the language has.
        let failed = json_pod(&report, FAILED_POD);
        assert_eq!(failed["status"], REASON, "{lang}");
        let with_reason = analysis_with(failed, REASON);
        assert!(
            with_reason.len() >= 2 && with_reason.iter().any(|l| l.contains('3')),
            "{lang}: the state and the container's exit sentences: {:#}",
            failed["analysis"]
        );
        assert!(
            !analysis_with(failed, ENDED).is_empty(),
            "{lang}: {failed:#}"
        );
        let crashing = json_pod(&report, CRASHING_POD);
        for shown in [REASON, WAITING, EVENT] {
            assert!(
                !analysis_with(crashing, shown).is_empty(),
                "{lang}: {shown:?} in the analysis of the crashing pod: {:#}",
                crashing["analysis"]
            );
        }
        let evicted = json_pod(&report, EVICTED_POD);
        assert!(
            evicted["description"].as_str().unwrap().contains(EVICTED),
            "{lang}: {evicted:#}"
        );
        let pending = json_pod(&report, PENDING_POD);
        assert!(
            !analysis_with(pending, SCHEDULER).is_empty(),
            "{lang}: {pending:#}"
        );
        let findings = report["findings"].as_array().expect("findings");
        let finding = |pod: &str| {
            findings
                .iter()
                .find(|f| f["pod"] == pod)
                .unwrap_or_else(|| panic!("{lang}: no finding of {pod}"))
        };
        let description = finding(FAILED_POD)["description"].as_str().unwrap();
        assert!(description.contains(REASON), "{lang}: {description}");
        assert!(
            finding(EVICTED_POD)["description"]
                .as_str()
                .unwrap()
                .contains(EVICTED),
            "{lang}"
        );
        let titles: Vec<&str> = report["advice"]["immediate"]
            .as_array()
            .expect("immediate advice")
            .iter()
            .filter_map(|a| a["title"].as_str())
            .collect();
        for pod in [CRASHING_POD, FAILED_POD, EVICTED_POD, PENDING_POD] {
            assert!(
                titles.iter().any(|t| t.contains(pod)),
                "{lang}: {pod:?} in the advice titles {titles:#?}"
            );
        }
        assert!(
            titles
                .iter()
                .any(|t| t.contains(FAILED_POD) && t.contains(REASON)),
            "{lang}: {titles:#?}"
        );
    }
}

/// Every string value of a JSON document, keys left out.
fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}
