//! The history section as templates see it: one row per report, newest first, with text bars
//! (they survive every mail client, dark mode and the plain-text part, and say their number),
//! and the problems open longest.

use serde::Serialize;

use super::{ProblemRow, Style};
use crate::locale::Catalog;
use crate::report::{Health, HistoryPoint, Report};

/// The longest bar, in characters.
const BAR: usize = 8;
/// Problems listed as open longest.
const LONGEST_OPEN: usize = 5;

#[derive(Serialize)]
pub(super) struct HistoryView<'a> {
    /// Only this report so far: the section says there is no history yet.
    first: bool,
    rows: Vec<HistoryRow>,
    /// Problems still open, longest open first (at most five).
    longest_open: Vec<ProblemRow<'a>>,
}

#[derive(Serialize)]
struct HistoryRow {
    /// The report's date in the report's zone.
    date: String,
    overall: Health,
    pods: usize,
    not_healthy: usize,
    unhealthy: usize,
    /// `█` per share of the largest not-healthy count of the history; empty for none.
    bar: String,
    restarts: i64,
    /// `+12` against the report before it; empty for the oldest.
    restarts_change: String,
    new_problems: Option<usize>,
    resolved: Option<usize>,
    partial: bool,
}

impl<'a> HistoryView<'a> {
    /// `None` when the report has no history (no archive).
    pub(super) fn new(report: &'a Report, style: &Style, t: &Catalog) -> Option<Self> {
        let points = &report.history;
        if points.is_empty() {
            return None;
        }
        let largest = points.iter().map(|p| p.not_healthy).max().unwrap_or(0);
        let rows = points
            .iter()
            .enumerate()
            .map(|(i, p)| row(p, points.get(i + 1), largest, style))
            .collect();
        let mut open: Vec<_> = report
            .trend
            .iter()
            .flat_map(|trend| &trend.still_open)
            .collect();
        open.sort_by_key(|c| std::cmp::Reverse(c.reports_open));
        Some(HistoryView {
            first: points.len() == 1,
            rows,
            longest_open: open
                .into_iter()
                .take(LONGEST_OPEN)
                .map(|c| ProblemRow::new(c, t))
                .collect(),
        })
    }
}

fn row(
    point: &HistoryPoint,
    before: Option<&HistoryPoint>,
    largest: usize,
    style: &Style,
) -> HistoryRow {
    HistoryRow {
        date: point
            .generated_at
            .to_zoned(style.timezone.clone())
            .strftime("%Y-%m-%d")
            .to_string(),
        overall: point.overall,
        pods: point.counts.pods,
        not_healthy: point.not_healthy,
        unhealthy: point.counts.unhealthy,
        bar: bar(point.not_healthy, largest),
        restarts: point.counts.restarts,
        restarts_change: before.map_or_else(String::new, |b| {
            format!("{:+}", point.counts.restarts - b.counts.restarts)
        }),
        new_problems: point.new_problems,
        resolved: point.resolved,
        partial: point.partial,
    }
}

/// `value` of `largest` as up to [`BAR`] blocks; at least one for any value above zero.
fn bar(value: usize, largest: usize) -> String {
    if value == 0 || largest == 0 {
        return String::new();
    }
    let blocks = (value * BAR).div_ceil(largest).clamp(1, BAR);
    "█".repeat(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_is_proportional_and_never_empty_for_a_problem() {
        assert_eq!(bar(0, 10), "");
        assert_eq!(bar(10, 10).chars().count(), BAR);
        assert_eq!(bar(5, 10).chars().count(), BAR / 2);
        assert_eq!(bar(1, 1000).chars().count(), 1);
    }
}
