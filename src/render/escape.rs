//! Tera filters: escaping of untrusted text (names, reasons, messages and log lines from the
//! cluster) for Markdown, and `fill` for the locale's `{placeholders}`.

use std::collections::HashMap;

use tera::{Tera, Value};

pub fn register(tera: &mut Tera) {
    tera.register_filter("md", md_filter);
    tera.register_filter("code_line", code_line_filter);
    tera.register_filter("fill", fill_filter);
    tera.register_filter("shell", shell_filter);
}

/// `{{ ns.name | shell }}`: one shell word, quoted when it holds anything but plain characters,
/// as the advice's commands quote theirs.
fn shell_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(crate::shell::shell_word(&plain(value))))
}

/// `{{ t.report.folded | fill(count=3) }}`: the locale text with its placeholders filled, in
/// the one pass of [`crate::locale::fill`]: a value is never scanned for placeholders, so the
/// order in which the `HashMap` gives the arguments does not matter.
fn fill_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let template = value.as_str().unwrap_or_default();
    let texts: Vec<(String, String)> = args.iter().map(|(k, v)| (k.clone(), plain(v))).collect();
    let pairs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Ok(Value::String(crate::locale::fill(template, &pairs)))
}

/// `{{ line | code_line }}`: a line inside a fenced code block, which cannot close the fence.
fn code_line_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(code_line(&plain(value))))
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One line of code-block text: control characters dropped, backtick runs broken up so a
/// log line cannot end the fence.
pub fn code_line(text: &str) -> String {
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect();
    while out.contains("```") {
        out = out.replace("```", "`\u{200b}``");
    }
    out
}

/// `{{ value | md }}`: text that cannot break a Markdown table or inject markup.
fn md_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(markdown_cell(&plain(value))))
}

/// Escapes HTML, Markdown punctuation that changes meaning, and table pipes; folds newlines.
/// `~` is escaped too: the HTML renderer turns on strikethrough, where `~x~` would strike out
/// part of a message such as `retry in ~5s, ~10s`. A `]` is escaped only where it could close a
/// link (`](`, `][`, `]:`), so node ranges such as `node0[1-6]` read as they are.
pub fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ']' if matches!(chars.peek(), Some('(' | '[' | ':')) => out.push_str("\\]"),
            '[' | ']' => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_html_in_a_cell_are_escaped() {
        assert_eq!(
            markdown_cell("| x | </td><script>"),
            "\\| x \\| &lt;/td&gt;&lt;script&gt;"
        );
    }

    #[test]
    fn a_name_in_a_command_is_one_shell_word() {
        let shell = |s: &str| shell_filter(&Value::from(s), &HashMap::new()).unwrap();
        assert_eq!(shell("pigo-dev"), "pigo-dev");
        assert_eq!(shell("x; rm -rf ~"), "'x; rm -rf ~'");
    }

    #[test]
    fn a_log_line_cannot_close_a_code_fence() {
        assert_eq!(code_line("```\nrm -rf"), "`\u{200b}``rm -rf");
    }

    #[test]
    fn node_ranges_keep_their_brackets_but_links_are_broken() {
        assert_eq!(markdown_cell("node0[1-6]"), "node0[1-6]");
        assert_eq!(markdown_cell("[x](http://e)"), "[x\\](http://e)");
    }

    #[test]
    fn tildes_cannot_strike_out_a_message() {
        assert_eq!(
            markdown_cell("retry in ~5s, ~~10s~~"),
            "retry in \\~5s, \\~\\~10s\\~\\~"
        );
        let html = crate::render::html::body(&markdown_cell("~one~ ~~two~~"));
        assert!(!html.contains("<del>"), "{html}");
    }

    fn fill(template: &str, args: &[(&str, Value)]) -> Value {
        let args: HashMap<String, Value> = args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        fill_filter(&Value::from(template), &args).unwrap()
    }

    #[test]
    fn the_fill_filter_fills_in_one_pass_whatever_the_argument_order() {
        // Each value names the other placeholder: replacing one name after the other would
        // give `x x` or `y y` depending on the HashMap's order.
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let template: String = names.iter().map(|n| format!("[{{{n}}}]")).collect();
        let expected: String = names
            .iter()
            .enumerate()
            .map(|(i, _)| format!("[{{{}}}]", names[(i + 1) % names.len()]))
            .collect();
        for _ in 0..20 {
            let args: Vec<(&str, Value)> = names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    (
                        *n,
                        Value::from(format!("{{{}}}", names[(i + 1) % names.len()])),
                    )
                })
                .collect();
            assert_eq!(fill(&template, &args), Value::from(expected.as_str()));
        }
    }

    #[test]
    fn a_value_of_the_fill_filter_that_looks_like_a_placeholder_is_copied_as_is() {
        assert_eq!(
            fill(
                "{index}. Namespace {namespace}",
                &[
                    ("index", Value::from(1)),
                    ("namespace", Value::from("{index}"))
                ]
            ),
            "1. Namespace {index}"
        );
        assert_eq!(
            fill(
                "Last {count} log lines of container {container}{previous}:",
                &[
                    ("count", Value::from(3)),
                    ("container", Value::from("Boom{count}{previous}")),
                    ("previous", Value::from("")),
                ]
            ),
            "Last 3 log lines of container Boom{count}{previous}:"
        );
    }

    #[test]
    fn the_fill_filter_leaves_unknown_placeholders_and_shows_numbers_and_null_as_text() {
        assert_eq!(
            fill(
                "{count} of {total}, {nothing}",
                &[("count", Value::from(7)), ("nothing", Value::Null)]
            ),
            "7 of {total}, "
        );
    }

    #[test]
    fn plain_kubernetes_names_are_unchanged() {
        assert_eq!(
            markdown_cell("pigo-cron-77cc9c4d8c-tw2xb"),
            "pigo-cron-77cc9c4d8c-tw2xb"
        );
    }
}
