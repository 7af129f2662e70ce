//! Escaping of untrusted text (names, reasons and messages from the cluster) for Markdown
//! table cells, as tera filters.

use std::collections::HashMap;

use tera::{Tera, Value};

pub fn register(tera: &mut Tera) {
    tera.register_filter("md", md_filter);
}

/// `{{ value | md }}`: text that cannot break a Markdown table or inject markup.
fn md_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(Value::String(markdown_cell(&text)))
}

/// Escapes HTML, Markdown punctuation that changes meaning, and table pipes; folds newlines.
pub fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
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
    fn plain_kubernetes_names_are_unchanged() {
        assert_eq!(
            markdown_cell("pigo-cron-77cc9c4d8c-tw2xb"),
            "pigo-cron-77cc9c4d8c-tw2xb"
        );
    }
}
