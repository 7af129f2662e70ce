//! The `kube-patrol.io/silence` annotation, read strictly: fields `key=value` separated by `;`,
//! `until`, `owner` and `reason` required, `problems` (comma-separated codes) optional:
//!
//! ```text
//! until=2026-01-15; owner=team-payments@example.com; reason=waiting for vendor fix; problems=restarts_high
//! ```
//!
//! A value cannot hold `;`. Anything else is an error naming what to fix; the caller lists
//! the annotation as invalid and ignores it.

use std::collections::BTreeMap;

use super::{Until, problem_code};
use crate::report::ProblemCode;

/// The fields of a well-formed annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub until: Until,
    /// `until` as written.
    pub until_text: String,
    pub owner: String,
    pub reason: String,
    /// Empty: every problem.
    pub problems: Vec<ProblemCode>,
}

const REQUIRED: [&str; 3] = ["until", "owner", "reason"];
const OPTIONAL: &str = "problems";

/// Reads an annotation's value.
///
/// # Errors
/// One line saying what is wrong: a field that is not `key=value`, an unknown or repeated key,
/// a missing or empty required field, an `until` that is neither a date nor an RFC 3339 time,
/// an unknown problem code.
pub fn parse(value: &str) -> Result<Fields, String> {
    let fields = split(value)?;
    let field = |key: &str| fields.get(key).copied().unwrap_or_default();
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|key| field(key).is_empty())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing {}: write `until=YYYY-MM-DD; owner=...; reason=...`",
            missing.join(", ")
        ));
    }
    let until_text = field("until");
    let until = Until::parse(until_text).map_err(|e| format!("until: {e}"))?;
    let problems = match fields.get(OPTIONAL) {
        None => Vec::new(),
        Some(list) => codes(list)?,
    };
    Ok(Fields {
        until,
        until_text: until_text.to_owned(),
        owner: field("owner").to_owned(),
        reason: field("reason").to_owned(),
        problems,
    })
}

/// The `key=value` fields, trimmed; an empty field (a trailing `;`) is allowed.
fn split(value: &str) -> Result<BTreeMap<&str, &str>, String> {
    let mut fields = BTreeMap::new();
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, text)) = part.split_once('=') else {
            return Err(format!(
                "`{part}` is not key=value (fields are separated by `;`)"
            ));
        };
        let key = key.trim();
        if !REQUIRED.contains(&key) && key != OPTIONAL {
            return Err(format!(
                "unknown key `{key}` (expected until, owner, reason and optionally problems)"
            ));
        }
        if fields.insert(key, text.trim()).is_some() {
            return Err(format!("`{key}` is given twice"));
        }
    }
    Ok(fields)
}

/// `restarts_high,crash_loop`: at least one, each known.
fn codes(list: &str) -> Result<Vec<ProblemCode>, String> {
    let names: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err("problems is empty: leave it out to silence every problem".to_owned());
    }
    names
        .into_iter()
        .map(|n| problem_code(n).map_err(|e| format!("problems: {e}")))
        .collect()
}
