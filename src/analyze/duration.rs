//! Durations and ages printed the way the Kubernetes API server prints them.
//!
//! [`human_duration`] is a port of `HumanDuration` from `k8s.io/apimachinery/pkg/util/duration`,
//! and [`age`] of `translateTimestampSince` from the table printers
//! (`pkg/printers/internalversion/printers.go`). Both are pure: the caller passes `now`, so a
//! report built from a dump file prints the same ages as the server did at that moment.

use crate::model::Time;
use jiff::{SignedDuration, Timestamp};

/// Go's zero `time.Time`, 0001-01-01T00:00:00Z.
///
/// The printer treats a `metav1.Time` equal to it as "no time at all" (`IsZero`): a timestamp
/// missing from the JSON decodes to it, and it is also where a "latest so far" search starts.
pub(crate) const GO_ZERO_TIME: Timestamp = Timestamp::constant(-62_135_596_800, 0);

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SECOND;
const NANOS_PER_HOUR: i64 = 60 * NANOS_PER_MINUTE;

/// A duration as ~2–3 significant figures, exactly as `HumanDuration` prints it:
/// `59s`, `119s`, `2m1s`, `179m`, `7h59m`, `47h`, `2d14h`, `729d`, `2y1d`, `8y`.
///
/// Up to one second in the future prints `0s` (clock skew between machines); further in the
/// future prints `<invalid>`.
pub fn human_duration(d: SignedDuration) -> String {
    let nanos = go_duration_nanos(d);
    // Go computes `int(d.Seconds())`, which truncates toward zero: -1.9s is -1 second, so
    // still "0s"; only from -2s on is the duration invalid.
    let seconds = nanos / NANOS_PER_SECOND;
    if seconds < -1 {
        "<invalid>".to_owned()
    } else if seconds < 0 {
        "0s".to_owned()
    } else if seconds < 60 * 2 {
        format!("{seconds}s")
    } else {
        minutes_and_longer(nanos)
    }
}

/// The elapsed time since `created` (the AGE column), or `<unknown>` without a time.
///
/// Mirrors `translateTimestampSince`, which answers `<unknown>` for a zero `metav1.Time`: that
/// is what an absent timestamp decodes to in Go, so both `None` and Go's zero time count as
/// unknown here.
pub fn age(created: Option<&Time>, now: Timestamp) -> String {
    match created {
        Some(time) if time.0 != GO_ZERO_TIME => since(time.0, now),
        _ => "<unknown>".to_owned(),
    }
}

/// `HumanDuration(now - then)`, for a time already known not to be Go's zero time.
pub(crate) fn since(then: Timestamp, now: Timestamp) -> String {
    human_duration(now.duration_since(then))
}

/// Go's `time.Duration` is an `int64` of nanoseconds, and `time.Since` saturates at its
/// bounds (about 292 years) instead of overflowing; do the same so very old times print as
/// the server prints them.
fn go_duration_nanos(d: SignedDuration) -> i64 {
    let nanos = d.as_nanos();
    i64::try_from(nanos).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX })
}

/// The branches of `HumanDuration` for two minutes and more (`nanos` >= 120s). Every division
/// is Go's integer division of the nanosecond count, so the parts are truncated, never rounded.
fn minutes_and_longer(nanos: i64) -> String {
    let minutes = nanos / NANOS_PER_MINUTE;
    if minutes < 10 {
        let s = (nanos / NANOS_PER_SECOND) % 60;
        return with_remainder(minutes, "m", s, "s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = nanos / NANOS_PER_HOUR;
    if hours < 8 {
        with_remainder(hours, "h", minutes % 60, "m")
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        with_remainder(hours / 24, "d", hours % 24, "h")
    } else if hours < 24 * 365 * 2 {
        format!("{}d", hours / 24)
    } else if hours < 24 * 365 * 8 {
        with_remainder(hours / 24 / 365, "y", (hours / 24) % 365, "d")
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

/// `<big><unit>` alone when the smaller part is zero, else `<big><unit><small><unit>`.
fn with_remainder(big: i64, big_unit: &str, small: i64, small_unit: &str) -> String {
    if small == 0 {
        format!("{big}{big_unit}")
    } else {
        format!("{big}{big_unit}{small}{small_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: i64) -> String {
        human_duration(SignedDuration::from_secs(s))
    }

    const MIN: i64 = 60;
    const HOUR: i64 = 60 * MIN;
    const DAY: i64 = 24 * HOUR;
    const YEAR: i64 = 365 * DAY;

    #[test]
    fn more_than_one_second_in_the_future_is_invalid() {
        assert_eq!(secs(-2), "<invalid>");
        assert_eq!(secs(-3600), "<invalid>");
    }

    #[test]
    fn one_second_in_the_future_is_zero_seconds() {
        assert_eq!(secs(-1), "0s");
    }

    #[test]
    fn a_fraction_of_a_second_past_minus_one_truncates_toward_zero_and_is_zero_seconds() {
        assert_eq!(human_duration(SignedDuration::from_millis(-1_900)), "0s");
        assert_eq!(human_duration(SignedDuration::from_millis(-500)), "0s");
    }

    #[test]
    fn exactly_now_is_zero_seconds() {
        assert_eq!(secs(0), "0s");
    }

    #[test]
    fn fifty_nine_seconds_is_59s() {
        assert_eq!(secs(59), "59s");
    }

    #[test]
    fn a_hundred_and_nineteen_seconds_is_still_counted_in_seconds() {
        assert_eq!(secs(119), "119s");
    }

    #[test]
    fn sub_second_parts_are_dropped_not_rounded() {
        assert_eq!(human_duration(SignedDuration::from_millis(119_999)), "119s");
    }

    #[test]
    fn two_minutes_switches_to_minutes() {
        assert_eq!(secs(120), "2m");
    }

    #[test]
    fn two_minutes_one_second_keeps_the_seconds() {
        assert_eq!(secs(2 * MIN + 1), "2m1s");
    }

    #[test]
    fn nine_minutes_fifty_nine_seconds_keeps_the_seconds() {
        assert_eq!(secs(9 * MIN + 59), "9m59s");
    }

    #[test]
    fn ten_minutes_five_seconds_drops_the_seconds() {
        assert_eq!(secs(10 * MIN + 5), "10m");
    }

    #[test]
    fn a_hundred_and_seventy_nine_minutes_is_still_counted_in_minutes() {
        assert_eq!(secs(179 * MIN), "179m");
        assert_eq!(secs(179 * MIN + 59), "179m");
    }

    #[test]
    fn three_hours_switches_to_hours() {
        assert_eq!(secs(3 * HOUR), "3h");
    }

    #[test]
    fn three_hours_one_minute_keeps_the_minutes() {
        assert_eq!(secs(3 * HOUR + MIN), "3h1m");
    }

    #[test]
    fn seven_hours_fifty_nine_minutes_keeps_the_minutes() {
        assert_eq!(secs(7 * HOUR + 59 * MIN), "7h59m");
    }

    #[test]
    fn eight_hours_fifty_nine_minutes_drops_the_minutes() {
        assert_eq!(secs(8 * HOUR + 59 * MIN), "8h");
    }

    #[test]
    fn forty_seven_hours_is_still_counted_in_hours() {
        assert_eq!(secs(47 * HOUR), "47h");
        assert_eq!(secs(47 * HOUR + 59 * MIN), "47h");
    }

    #[test]
    fn forty_eight_hours_switches_to_days() {
        assert_eq!(secs(48 * HOUR), "2d");
    }

    #[test]
    fn two_days_fourteen_hours_keeps_the_hours() {
        assert_eq!(secs(2 * DAY + 14 * HOUR), "2d14h");
    }

    #[test]
    fn seven_days_twenty_three_hours_keeps_the_hours() {
        assert_eq!(secs(7 * DAY + 23 * HOUR), "7d23h");
    }

    #[test]
    fn eight_days_twenty_three_hours_drops_the_hours() {
        assert_eq!(secs(8 * DAY + 23 * HOUR), "8d");
    }

    #[test]
    fn seven_hundred_twenty_nine_days_is_still_counted_in_days() {
        assert_eq!(secs(729 * DAY), "729d");
        assert_eq!(secs(729 * DAY + 23 * HOUR), "729d");
    }

    #[test]
    fn seven_hundred_thirty_days_is_two_years() {
        assert_eq!(secs(730 * DAY), "2y");
    }

    #[test]
    fn seven_hundred_thirty_one_days_is_two_years_one_day() {
        assert_eq!(secs(731 * DAY), "2y1d");
    }

    #[test]
    fn just_under_eight_years_keeps_the_days() {
        assert_eq!(secs(8 * YEAR - DAY), "7y364d");
    }

    #[test]
    fn eight_years_drops_the_days() {
        assert_eq!(secs(8 * YEAR), "8y");
        assert_eq!(secs(8 * YEAR + 100 * DAY), "8y");
    }

    #[test]
    fn a_thousand_years_saturates_like_go_time_duration_at_292_years() {
        assert_eq!(secs(1000 * YEAR), "292y");
        assert_eq!(secs(-1000 * YEAR), "<invalid>");
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("test timestamp")
    }

    #[test]
    fn age_without_a_creation_time_is_unknown() {
        assert_eq!(age(None, ts("2025-06-01T12:00:00Z")), "<unknown>");
    }

    #[test]
    fn age_of_go_zero_time_is_unknown_like_translate_timestamp_since() {
        let zero = Time(ts("0001-01-01T00:00:00Z"));
        assert_eq!(age(Some(&zero), ts("2025-06-01T12:00:00Z")), "<unknown>");
    }

    #[test]
    fn age_is_the_human_duration_since_creation() {
        let created = Time(ts("2025-05-30T09:00:00Z"));
        assert_eq!(age(Some(&created), ts("2025-06-01T12:00:00Z")), "2d3h");
    }

    #[test]
    fn age_of_a_pod_created_in_the_future_is_invalid() {
        let created = Time(ts("2025-06-01T12:00:05Z"));
        assert_eq!(age(Some(&created), ts("2025-06-01T12:00:00Z")), "<invalid>");
    }
}
