//! One label requirement in kubectl's equality syntax, for `exclude.labels`.

use std::fmt;

/// `key=value` (or `key==value`), `key!=value`, `key` (the label exists), `!key` (it does not).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LabelMatch {
    Equals {
        key: String,
        value: String,
    },
    /// As in Kubernetes, also true when the pod has no such label.
    NotEquals {
        key: String,
        value: String,
    },
    Exists {
        key: String,
    },
    NotExists {
        key: String,
    },
}

impl LabelMatch {
    /// Whether a pod with these labels meets the requirement.
    pub fn matches(&self, labels: &crate::model::Labels) -> bool {
        match self {
            LabelMatch::Equals { key, value } => labels.get(key) == Some(value.as_str()),
            LabelMatch::NotEquals { key, value } => labels.get(key) != Some(value.as_str()),
            LabelMatch::Exists { key } => labels.contains_key(key),
            LabelMatch::NotExists { key } => !labels.contains_key(key),
        }
    }

    /// Parses one requirement; the error says what is wrong, for a config diagnostic.
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.contains(',') {
            return Err(
                "one requirement per list entry (a pod is left out when any entry matches)".into(),
            );
        }
        if text.contains('(') || text.split_whitespace().any(|w| w == "in" || w == "notin") {
            return Err("set-based requirements (`in`, `notin`) are not supported; use key=value, key!=value, key or !key".into());
        }
        let parsed = if let Some(key) = text.strip_prefix('!') {
            LabelMatch::NotExists {
                key: key.trim().to_owned(),
            }
        } else if let Some((key, value)) = text.split_once("!=") {
            LabelMatch::NotEquals {
                key: key.trim().to_owned(),
                value: value.trim().to_owned(),
            }
        } else if let Some((key, value)) = text.split_once("==").or_else(|| text.split_once('=')) {
            LabelMatch::Equals {
                key: key.trim().to_owned(),
                value: value.trim().to_owned(),
            }
        } else {
            LabelMatch::Exists {
                key: text.to_owned(),
            }
        };
        check_key(parsed.key())?;
        if let Some(value) = parsed.value() {
            check_value(value)?;
        }
        Ok(parsed)
    }

    fn key(&self) -> &str {
        match self {
            LabelMatch::Equals { key, .. }
            | LabelMatch::NotEquals { key, .. }
            | LabelMatch::Exists { key }
            | LabelMatch::NotExists { key } => key,
        }
    }

    fn value(&self) -> Option<&str> {
        match self {
            LabelMatch::Equals { value, .. } | LabelMatch::NotEquals { value, .. } => Some(value),
            LabelMatch::Exists { .. } | LabelMatch::NotExists { .. } => None,
        }
    }
}

/// kubectl's spelling, e.g. `app!=web`.
impl fmt::Display for LabelMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelMatch::Equals { key, value } => write!(f, "{key}={value}"),
            LabelMatch::NotEquals { key, value } => write!(f, "{key}!={value}"),
            LabelMatch::Exists { key } => f.write_str(key),
            LabelMatch::NotExists { key } => write!(f, "!{key}"),
        }
    }
}

/// A label key: a name, optionally after a DNS subdomain prefix and `/` (Kubernetes' rules).
fn check_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if is_name(name) && prefix.is_none_or(is_dns_subdomain) {
        return Ok(());
    }
    Err(format!(
        "invalid label key `{key}`: expected a name of letters, digits, '-', '_' or '.' \
         (at most 63, starting and ending with a letter or digit), optionally after a \
         DNS prefix and '/'"
    ))
}

/// A label value: empty, or a name (Kubernetes' rules).
fn check_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_name(value) {
        Ok(())
    } else {
        Err(format!(
            "invalid label value `{value}`: expected letters, digits, '-', '_' or '.' \
             (at most 63, starting and ending with a letter or digit)"
        ))
    }
}

fn is_name(s: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    s.len() <= 63
        && edge(s.chars().next())
        && edge(s.chars().last())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_dns_subdomain(s: &str) -> bool {
    let label = |part: &str| {
        !part.is_empty()
            && !part.starts_with('-')
            && !part.ends_with('-')
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    s.len() <= 253 && s.split('.').all(label)
}
