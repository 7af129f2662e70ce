//! The history section's data: this report and the archived ones before it, each reduced to
//! the figures of a [`HistoryPoint`].
//!
//! An archived report is read from its JSON leniently and without holding it: only
//! `generated_at`, `summary`, `partial` and the lengths of `trend.new_problems[]` and
//! `trend.resolved[]` are kept, every other key is skipped as it is read (a big cluster's
//! report is tens of MiB).

use std::fmt;
use std::io::Read;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};

use crate::report::{Counts, Health, HistoryPoint, Report};

/// This report as a history point.
pub fn point(report: &Report) -> HistoryPoint {
    HistoryPoint {
        generated_at: report.generated_at,
        overall: report.summary.overall,
        counts: report.summary.counts.clone(),
        not_healthy: report.summary.not_healthy,
        new_problems: report.trend.as_ref().map(|t| t.new_problems.len()),
        resolved: report.trend.as_ref().map(|t| t.resolved.len()),
        partial: report.partial,
    }
}

/// An archived report's point, read from its JSON (any schema version: the keys read here
/// are in every one). A fleet report's point is its clusters' figures summed, its state the
/// worst of theirs; a cluster that was not read makes it partial.
///
/// # Errors
/// The text is not JSON, or lacks `generated_at` or `summary` (with `pods`, `healthy`,
/// `attention`, `unhealthy`, `restarts`, `not_healthy` and `overall`), or for a fleet report
/// `clusters`.
pub fn read_point(reader: impl Read) -> Result<HistoryPoint, serde_json::Error> {
    let archived: Archived = serde_json::from_reader(reader)?;
    if let (None, Some(clusters)) = (&archived.summary, archived.clusters) {
        return Ok(fleet_point(archived.generated_at, clusters));
    }
    let Some(summary) = archived.summary else {
        return Err(serde::de::Error::missing_field("summary"));
    };
    let trend = archived.trend;
    Ok(HistoryPoint {
        generated_at: archived.generated_at,
        overall: summary.overall,
        counts: summary.counts,
        not_healthy: summary.not_healthy,
        new_problems: trend.as_ref().map(|t| t.new_problems.0),
        resolved: trend.as_ref().map(|t| t.resolved.0),
        partial: archived.partial,
    })
}

/// A fleet report's figures: its clusters' summed.
fn fleet_point(generated_at: Timestamp, clusters: Vec<ArchivedCluster>) -> HistoryPoint {
    let mut point = HistoryPoint {
        generated_at,
        overall: Health::Healthy,
        counts: Counts::default(),
        not_healthy: 0,
        new_problems: None,
        resolved: None,
        partial: false,
    };
    for cluster in clusters {
        let Some(summary) = cluster.summary else {
            point.partial = true;
            continue;
        };
        let c = &summary.counts;
        point.counts.pods += c.pods;
        point.counts.healthy += c.healthy;
        point.counts.attention += c.attention;
        point.counts.unhealthy += c.unhealthy;
        point.counts.restarts += c.restarts;
        point.counts.silenced += c.silenced;
        point.not_healthy += summary.not_healthy;
        point.overall = point.overall.max(summary.overall);
        point.partial |= cluster.partial;
        if let Some(trend) = cluster.trend {
            *point.new_problems.get_or_insert(0) += trend.new_problems.0;
            *point.resolved.get_or_insert(0) += trend.resolved.0;
        }
    }
    point
}

/// The history of `current`: it first, then the `earlier` points made before it, newest
/// first, `weeks` points at most (at least this one). A point as new as this report or newer
/// (a clock gone back, a report written since) is left out, as is a second point of one time.
pub fn history(
    current: &Report,
    earlier: impl IntoIterator<Item = HistoryPoint>,
    weeks: usize,
) -> Vec<HistoryPoint> {
    let mut before: Vec<HistoryPoint> = earlier
        .into_iter()
        .filter(|p| p.generated_at < current.generated_at)
        .collect();
    before.sort_by_key(|p| std::cmp::Reverse(p.generated_at));
    before.dedup_by_key(|p| p.generated_at);
    std::iter::once(point(current))
        .chain(before)
        .take(weeks.max(1))
        .collect()
}

#[derive(Deserialize)]
struct Archived {
    generated_at: Timestamp,
    /// Absent from a fleet report, which has `clusters`.
    summary: Option<ArchivedSummary>,
    #[serde(default)]
    partial: bool,
    trend: Option<ArchivedTrend>,
    clusters: Option<Vec<ArchivedCluster>>,
}

/// A fleet report's cluster: a report's figures, or (a cluster not read) none.
#[derive(Deserialize)]
struct ArchivedCluster {
    summary: Option<ArchivedSummary>,
    #[serde(default)]
    partial: bool,
    trend: Option<ArchivedTrend>,
}

#[derive(Deserialize)]
struct ArchivedSummary {
    #[serde(flatten)]
    counts: Counts,
    not_healthy: usize,
    overall: Health,
}

#[derive(Deserialize)]
struct ArchivedTrend {
    #[serde(default)]
    new_problems: Len,
    #[serde(default)]
    resolved: Len,
}

/// The length of a JSON array whose elements are skipped.
#[derive(Default)]
struct Len(usize);

impl<'de> Deserialize<'de> for Len {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Counting;
        impl<'de> Visitor<'de> for Counting {
            type Value = Len;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Len, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Len(n))
            }
        }
        deserializer.deserialize_seq(Counting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_report() -> Report {
        let text = include_str!("../../tests/snapshots/json_contract__seed_report_json_zh_tw.snap");
        let json = text.split_once("\n---\n").map_or(text, |(_, body)| body);
        serde_json::from_str(json).expect("the seed's JSON snapshot")
    }

    #[test]
    fn an_archived_report_is_read_down_to_its_figures() {
        let report = seed_report();
        let text = serde_json::to_string(&report).unwrap();
        let read = read_point(text.as_bytes()).unwrap();
        assert_eq!(read, point(&report));
    }

    #[test]
    fn trend_lists_are_counted_not_kept() {
        let text = r#"{"generated_at":"2026-11-01T02:00:00Z","partial":false,
            "summary":{"pods":3,"healthy":1,"attention":1,"unhealthy":1,"restarts":7,
                       "not_healthy":2,"overall":"unhealthy","overall_reasons":[]},
            "trend":{"new_problems":[{"a":1},{"b":[2]}],"resolved":[],"still_open":[]},
            "pods":[{"big":"x"}]}"#;
        let read = read_point(text.as_bytes()).unwrap();
        assert_eq!((read.new_problems, read.resolved), (Some(2), Some(0)));
        assert_eq!(read.counts.restarts, 7);
        assert_eq!(read.overall, Health::Unhealthy);
    }

    #[test]
    fn a_fleet_reports_point_sums_its_clusters_and_is_partial_with_a_cluster_not_read() {
        let one = serde_json::to_value(seed_report()).unwrap();
        let fleet = serde_json::json!({
            "schema_version": 2, "generated_at": "2026-11-01T02:00:00Z",
            "clusters": [one, {"cluster": "stg", "reason": "refused"}, one],
        });
        let read = read_point(fleet.to_string().as_bytes()).unwrap();
        let single = point(&seed_report());
        assert_eq!(read.counts.pods, 2 * single.counts.pods);
        assert_eq!(read.not_healthy, 2 * single.not_healthy);
        assert_eq!(read.overall, single.overall);
        assert!(read.partial);
    }

    #[test]
    fn a_file_that_is_not_a_report_is_an_error() {
        assert!(read_point(&b"{\"kind\": \"List\"}"[..]).is_err());
        assert!(read_point(&b"{\"generated_at\": "[..]).is_err());
    }

    #[test]
    fn history_starts_with_this_report_and_keeps_the_newest_weeks() {
        let report = seed_report();
        let at = |days: i64| HistoryPoint {
            generated_at: report.generated_at - jiff::SignedDuration::from_hours(24 * days),
            ..point(&report)
        };
        let earlier = [at(14), at(7), at(21), at(7), at(-7)];
        let history = history(&report, earlier, 3);
        let times: Vec<Timestamp> = history.iter().map(|p| p.generated_at).collect();
        assert_eq!(
            times,
            [report.generated_at, at(7).generated_at, at(14).generated_at]
        );
    }
}
