//! The report's Markdown as email-safe HTML: pulldown-cmark, with inline
//! styles on every element a mail client might strip a stylesheet from, no scripts and no
//! external resources; readable at 600 px and in dark mode.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Inline styles by element: what survives mail clients that drop `<style>`.
const TABLE: &str = "border-collapse:collapse;width:100%;max-width:100%;table-layout:fixed;margin:8px 0;font-size:13px;";
/// Cells are the bulk of a big report: their inline style is kept short, and the page's
/// stylesheet adds the wrapping rules for the clients that keep it.
const CELL: &str = "border:1px solid #d0d7de;padding:3px 6px;vertical-align:top";
const HEAD_CELL: &str =
    "border:1px solid #d0d7de;padding:3px 6px;text-align:left;background:#f6f8fa";
const PRE: &str = "background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;max-width:100%;";
const CODE: &str = "font-family:SFMono-Regular,Consolas,Menlo,monospace;font-size:12px;";

/// The Markdown as HTML with inline styles; raw HTML in the Markdown is shown as text.
pub fn body(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut in_head = false;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Table(_)) => raw(format!("<table style=\"{TABLE}\">")),
        Event::Start(Tag::TableHead) => {
            in_head = true;
            raw("<thead><tr>".into())
        }
        Event::End(TagEnd::TableHead) => {
            in_head = false;
            raw("</tr></thead><tbody>".into())
        }
        Event::End(TagEnd::Table) => raw("</tbody></table>".into()),
        Event::Start(Tag::TableCell) if in_head => raw(format!("<th style=\"{HEAD_CELL}\">")),
        Event::Start(Tag::TableCell) => raw(format!("<td style=\"{CELL}\">")),
        Event::End(TagEnd::TableCell) if in_head => raw("</th>".into()),
        // pulldown-cmark closes cells by the head state it tracks, which our raw head never
        // ends: every cell would close with `</th>`.
        Event::End(TagEnd::TableCell) => raw("</td>".into()),
        Event::Start(Tag::CodeBlock(_)) => {
            raw(format!("<pre style=\"{PRE}\"><code style=\"{CODE}\">"))
        }
        Event::End(TagEnd::CodeBlock) => raw("</code></pre>".into()),
        Event::Code(text) => raw(format!("<code style=\"{CODE}\">{}</code>", escape(&text))),
        // The title block and counts are one field per line, as the seed writes them.
        Event::SoftBreak => Event::HardBreak,
        // Untrusted text that looks like HTML is shown, never interpreted.
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut out, events);
    out
}

fn raw(html: String) -> Event<'static> {
    Event::Html(CowStr::from(html))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_get_inline_styles() {
        let html = body("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            html.contains("<table style=\"border-collapse:collapse"),
            "{html}"
        );
        assert!(html.contains("<th style="), "{html}");
        assert!(html.contains("<td style="), "{html}");
    }

    #[test]
    fn head_cells_close_with_th_and_body_cells_with_td() {
        let html = body("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n");
        assert_eq!(html.matches("<th ").count(), 2, "{html}");
        assert_eq!(html.matches("</th>").count(), 2, "{html}");
        assert_eq!(html.matches("<td ").count(), 4, "{html}");
        assert_eq!(html.matches("</td>").count(), 4, "{html}");
    }

    #[test]
    fn raw_html_in_the_markdown_is_shown_as_text() {
        let html = body("before\n\n<script>alert(1)</script>\n\nafter <b>x</b>\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }
}
