//! The report's Markdown as email-safe HTML: pulldown-cmark, with inline
//! styles on every element a mail client might strip a stylesheet from, no scripts and no
//! external resources; readable at 600 px and in dark mode.

mod glance;
mod widths;

pub use glance::glance;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use widths::{column_widths, measure};

/// A table's opening tag. Cells are the bulk of a big report (and of the email's budget), so
/// they carry no style of their own: the table's attributes give every cell a border and
/// padding in any mail client, and the page's stylesheet (class `kp-t`) the finer look in the
/// clients that keep it (Gmail, Apple Mail, Outlook).
const TABLE: &str = "<table class=\"kp-t\" border=\"1\" cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:collapse;width:100%;max-width:100%;table-layout:fixed;margin:8px 0;font-size:13px;border-color:#d0d7de\">";
const PRE: &str = "background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;max-width:100%;";
const CODE: &str = "font-family:SFMono-Regular,Consolas,Menlo,monospace;font-size:12px;";

/// The Markdown as HTML with inline styles; raw HTML in the Markdown is shown as text.
pub fn body(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let styled = Styled {
        parser: Parser::new_ext(markdown, options),
        table: Vec::new().into_iter(),
    };
    let mut out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut out, styled);
    out
}

/// The parser's events, styled as they are written: only one table at a time is held (a big
/// report's tables hold a million cells).
struct Styled<'a> {
    parser: Parser<'a>,
    /// The rest of the table being written.
    table: std::vec::IntoIter<Event<'a>>,
}

impl<'a> Iterator for Styled<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.table.next() {
            return Some(event);
        }
        let event = self.parser.next()?;
        if !matches!(event, Event::Start(Tag::Table(_))) {
            return Some(inline(event));
        }
        // Column widths depend on every row, so a table is read whole before it is written;
        // Markdown tables do not nest, so the first end is this table's.
        let cells = self
            .parser
            .by_ref()
            .take_while(|e| !matches!(e, Event::End(TagEnd::Table)));
        self.table = table(cells.collect()).into_iter();
        self.table.next()
    }
}

/// Everything but tables: code styled inline, raw HTML as text, soft breaks kept.
fn inline(event: Event<'_>) -> Event<'_> {
    match event {
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
    }
}

/// A table's events (between its start and end) as styled HTML, each head cell given its
/// column's width. Cells are opened and closed here: pulldown-cmark would close them by a
/// head/body state that only its own table events keep.
fn table(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut widths = column_widths(&measure(&events)).into_iter();
    let mut out = Vec::with_capacity(events.len() + 2);
    out.push(raw(TABLE.into()));
    let mut in_head = false;
    for event in events {
        out.push(match event {
            Event::Start(Tag::TableHead) => {
                in_head = true;
                raw("<thead><tr>".into())
            }
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                raw("</tr></thead><tbody>".into())
            }
            Event::Start(Tag::TableCell) if in_head => {
                let width = widths.next().unwrap_or_default();
                raw(format!("<th width=\"{width}%\" style=\"width:{width}%\">"))
            }
            Event::Start(Tag::TableCell) => raw("<td>".into()),
            Event::End(TagEnd::TableCell) if in_head => raw("</th>".into()),
            Event::End(TagEnd::TableCell) => raw("</td>".into()),
            other => inline(other),
        });
    }
    out.push(raw("</tbody></table>".into()));
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
            html.contains("<table class=\"kp-t\" border=\"1\""),
            "{html}"
        );
        assert!(html.contains("style=\"border-collapse:collapse"), "{html}");
        assert!(html.contains("<th width="), "{html}");
        assert!(html.contains("<td>"), "{html}");
    }

    #[test]
    fn head_cells_close_with_th_and_body_cells_with_td() {
        let html = body("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n");
        assert_eq!(html.matches("<th ").count(), 2, "{html}");
        assert_eq!(html.matches("</th>").count(), 2, "{html}");
        assert_eq!(html.matches("<td>").count(), 4, "{html}");
        assert_eq!(html.matches("</td>").count(), 4, "{html}");
    }

    /// The `width:NN%` of each head cell, in order.
    fn head_widths(html: &str) -> Vec<u32> {
        html.split("<th width=")
            .skip(1)
            .map(|th| {
                let width = th.split("width:").nth(1).expect("a width");
                width.split('%').next().unwrap().parse().expect("a number")
            })
            .collect()
    }

    #[test]
    fn a_pod_name_column_gets_more_room_than_a_ready_column() {
        let html = body(
            "| Pod | Status | Ready | Restarts | Age | Node |\n\
             |---|---|---|---|---|---|\n\
             | prometheus-blackbox-exporter-6fc9ff54ff-6cnqp | Running | 1/1 | 0 | 92d | \
             pigo-rel-k8s-service-node06 |\n",
        );
        let widths = head_widths(&html);
        assert_eq!(widths.len(), 6, "{html}");
        let (pod, ready) = (widths[0], widths[2]);
        assert!(pod > 2 * ready, "pod {pod}%, ready {ready}%: {html}");
        assert_eq!(widths.iter().sum::<u32>(), 100, "{widths:?}");
    }

    #[test]
    fn raw_html_in_the_markdown_is_shown_as_text() {
        let html = body("before\n\n<script>alert(1)</script>\n\nafter <b>x</b>\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }
}
