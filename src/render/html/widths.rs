//! Column widths of the HTML tables, from their content. The tables are `table-layout:fixed`
//! (a long pod name wraps instead of widening the page), and equal columns wrapped a pod name
//! over three to five lines at 600 px while READY and AGE kept room they did not use.
//!
//! Widths are planned for the narrowest reader, a 600 px mail pane, in characters of the
//! tables' text: first every column gets its longest word (so `Running` or `Completed` is not
//! broken mid-word), then the rest of the row goes to the columns whose cells are longer than
//! that, in proportion. Wider windows scale the same percentages up.

use pulldown_cmark::{Event, Tag, TagEnd};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What a column's cells need, in characters (a CJK character or an emoji counts two).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Column {
    /// Its longest cell: the room to show every cell on one line.
    pub longest_cell: usize,
    /// Its longest word: less room than this, and a word is broken in the middle.
    pub longest_word: usize,
}

/// The characters of 13 px text a 600 px pane's table holds in a row: 584 px, at 7.3 px a
/// character (wide fonts such as DejaVu Sans; Arial or Segoe UI are narrower).
const ROW: f64 = 80.0;
/// A cell's padding and border (13 px), in characters.
const PADDING: f64 = 2.0;
/// A character to spare: widths are rounded to whole percent (0.8 characters each).
const SLACK: f64 = 1.0;
/// No column is planned narrower than two Chinese characters...
const MIN_WORD: usize = 4;
/// ...nor given more than 40% of the row for one word: a very long name breaks rather than
/// squeeze every other column.
const MAX_WORD: usize = 32;

/// Each column of a table's events (between its start and end), measured; the head counts.
pub(super) fn measure(events: &[Event<'_>]) -> Vec<Column> {
    let mut columns: Vec<Column> = Vec::new();
    let (mut index, mut cell, mut bold) = (0, String::new(), false);
    for event in events {
        match event {
            Event::Start(Tag::TableHead) => (index, bold) = (0, true),
            Event::Start(Tag::TableRow) => (index, bold) = (0, false),
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                cell.push_str(text);
            }
            Event::End(TagEnd::TableCell) => {
                if columns.len() <= index {
                    columns.resize(index + 1, Column::default());
                }
                // The head is bold: up to a fifth wider (DejaVu Sans Bold).
                let wider = |n: usize| if bold { n + n.div_ceil(5) } else { n };
                let column = &mut columns[index];
                column.longest_cell = column.longest_cell.max(wider(display_width(&cell)));
                column.longest_word = column.longest_word.max(wider(longest_word(&cell)));
                index += 1;
                cell.clear();
            }
            _ => {}
        }
    }
    columns
}

/// Each column's width in whole percent, adding up to 100.
pub(super) fn column_widths(columns: &[Column]) -> Vec<u32> {
    let need: Vec<f64> = columns
        .iter()
        .map(|c| c.longest_word.clamp(MIN_WORD, MAX_WORD) as f64 + PADDING + SLACK)
        .collect();
    let want: Vec<f64> = columns
        .iter()
        .zip(&need)
        .map(|(c, &need)| (c.longest_cell as f64 + PADDING + SLACK).max(need))
        .collect();
    let spare = ROW - need.iter().sum::<f64>();
    let longer: f64 = want.iter().zip(&need).map(|(w, n)| w - n).sum();
    let planned: Vec<f64> = if spare <= 0.0 {
        // Not even the words fit: they share the row by their length.
        need
    } else if longer <= spare {
        want
    } else {
        need.iter()
            .zip(&want)
            .map(|(n, w)| n + spare * (w - n) / longer)
            .collect()
    };
    percent(&planned)
}

/// Shares of the sum in whole percent adding up to 100: what rounding down leaves goes to the
/// shares rounded down the most.
fn percent(parts: &[f64]) -> Vec<u32> {
    let sum: f64 = parts.iter().sum();
    let exact: Vec<f64> = parts.iter().map(|p| p * 100.0 / sum).collect();
    let mut whole: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let mut by_remainder: Vec<usize> = (0..exact.len()).collect();
    by_remainder.sort_by(|&a, &b| (exact[b].fract()).total_cmp(&exact[a].fract()));
    let left = 100usize.saturating_sub(whole.iter().sum::<u32>() as usize);
    for &i in by_remainder.iter().take(left) {
        whole[i] += 1;
    }
    whole
}

/// The widest run of characters a browser keeps on one line: it breaks at spaces, after `-`
/// and `/` (names such as `pigo-rel-k8s-service-node05`), and between CJK characters.
fn longest_word(text: &str) -> usize {
    let (mut longest, mut word) = (0, 0);
    for c in text.chars() {
        let width = char_width(c);
        if c.is_whitespace() || width == 2 {
            longest = longest.max(width);
            word = 0;
            continue;
        }
        word += width;
        longest = longest.max(word);
        if c == '-' || c == '/' {
            word = 0;
        }
    }
    longest
}

/// As wide as it is drawn (unicode-width): East Asian wide characters and emoji take two
/// columns, combining marks none, and `⚠️` (a symbol with its emoji selector) two.
fn display_width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(cell: &str) -> Column {
        Column {
            longest_cell: display_width(cell),
            longest_word: longest_word(cell),
        }
    }

    /// The healthy pods' table of the seed, its longest cells.
    fn healthy_table() -> Vec<Column> {
        [
            "prometheus-blackbox-exporter-6fc9ff54ff-6cnqp",
            "Completed",
            "Ready",
            "Restarts",
            "7d10h",
            "pigo-rel-k8s-service-node05",
        ]
        .map(column)
        .to_vec()
    }

    #[test]
    fn short_columns_keep_their_words_whole_and_the_rest_goes_to_long_ones() {
        let widths = column_widths(&healthy_table());
        let room = |i: usize| f64::from(widths[i]) / 100.0 * ROW - PADDING;
        for (i, word) in ["Completed", "Ready", "Restarts", "7d10h"]
            .iter()
            .enumerate()
        {
            assert!(room(i + 1) >= word.len() as f64, "{word}: {widths:?}");
        }
        assert!(widths[0] > widths[5] && widths[5] > widths[1], "{widths:?}");
    }

    #[test]
    fn widths_add_up_to_100() {
        let tables = [
            healthy_table(),
            vec![column(&"x".repeat(300)), column("0"), column("1/1")],
            vec![column(""), column("")],
            vec![column("alone")],
            vec![column(&"word ".repeat(30)); 12],
        ];
        for table in tables {
            let widths = column_widths(&table);
            assert_eq!(widths.iter().sum::<u32>(), 100, "{table:?}: {widths:?}");
        }
    }

    #[test]
    fn a_very_long_word_does_not_squeeze_the_other_columns_below_their_words() {
        let widths = column_widths(&[column(&"x".repeat(300)), column("Running")]);
        let running = f64::from(widths[1]) / 100.0 * ROW - PADDING;
        assert!(running >= 7.0, "{widths:?}");
    }

    #[test]
    fn names_break_after_hyphens_and_chinese_between_characters() {
        assert_eq!(longest_word("prometheus-blackbox-exporter-6fc9ff54ff"), 11);
        assert_eq!(longest_word("Pod 處於 Error 狀態"), 5);
        assert_eq!(longest_word("重啟次數"), 2);
    }

    #[test]
    fn chinese_characters_and_emoji_count_double() {
        assert_eq!(display_width("READY"), 5);
        assert_eq!(display_width("重啟次數"), 8);
        assert_eq!(display_width("🔴 高"), 5);
        assert_eq!(display_width("⚠️ ✅"), 5);
    }
}
