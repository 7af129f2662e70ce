//! The words of the report in each language: `locales/<lang>.toml`, compiled into the binary.
//!
//! Every user-facing sentence lives there, none in code: code asks for a key and fills its
//! `{placeholders}`. A missing key shows as the key itself, and a test keeps the catalogs in step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The report's language.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
pub enum Lang {
    /// Traditional Chinese (Taiwan), the seed report's language.
    #[default]
    #[value(name = "zh-TW")]
    #[serde(rename = "zh-TW")]
    ZhTw,
    #[value(name = "en")]
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The spelling used in flags and the config file.
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }
}

const ZH_TW: &str = include_str!("../locales/zh-TW.toml");
const EN: &str = include_str!("../locales/en.toml");

/// One language's words: `section.key` → text.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub lang: Lang,
    texts: BTreeMap<String, String>,
    /// The same words as nested tables, for templates (`{{ t.section.key }}`).
    pub tree: toml::Table,
}

impl Catalog {
    /// The built-in catalog of a language.
    pub fn builtin(lang: Lang) -> Catalog {
        let source = match lang {
            Lang::ZhTw => ZH_TW,
            Lang::En => EN,
        };
        // The catalogs are ours and tested; a broken one is a build-time bug.
        let tree: toml::Table = source.parse().unwrap_or_default();
        let mut texts = BTreeMap::new();
        flatten("", &tree, &mut texts);
        Catalog { lang, texts, tree }
    }

    /// The text of `key` with its `{placeholders}` filled from `args`.
    pub fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        let Some(template) = self.texts.get(key) else {
            return key.to_owned();
        };
        fill(template, args)
    }

    /// A duration for a sentence: `7 天 10 小時`, `51 天`, `3 hours 5 minutes`. Like kubectl's
    /// HumanDuration, past a week only days count.
    pub fn duration(&self, seconds: i64) -> String {
        let s = seconds.max(0);
        let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
        let parts: Vec<(i64, &str)> = if d >= 8 {
            vec![(d, "day")]
        } else if d >= 1 {
            vec![(d, "day"), (h, "hour")]
        } else if h >= 1 {
            vec![(h, "hour"), (m, "minute")]
        } else if m >= 1 {
            vec![(m, "minute")]
        } else {
            vec![(s, "second")]
        };
        let words: Vec<String> = parts
            .into_iter()
            .filter(|(n, _)| *n > 0 || s == 0)
            .map(|(n, unit)| {
                let key = if n == 1 {
                    format!("duration.{unit}")
                } else {
                    format!("duration.{unit}s")
                };
                self.text(&key, &[("n", &n.to_string())])
            })
            .collect();
        words.join(&self.text("duration.separator", &[]))
    }

    /// The texts of a list (`key = ["a", "b"]`), in order.
    pub fn list(&self, key: &str) -> Vec<String> {
        (0..)
            .map_while(|i| self.texts.get(&format!("{key}.{i}")).cloned())
            .collect()
    }

    /// A kind of problem (`crashing`, the trend's `problem`) in this language; a kind this
    /// version does not know stays as it is.
    pub fn problem_kind(&self, kind: &str) -> String {
        let key = format!("problem_kind.{kind}");
        if self.has(&key) {
            self.text(&key, &[])
        } else {
            kind.to_owned()
        }
    }

    /// Whether the catalog has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.texts.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.texts.keys()
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => flatten(&path, t, out),
            toml::Value::String(s) => {
                out.insert(path, s.clone());
            }
            toml::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let text = item
                        .as_str()
                        .map_or_else(|| item.to_string(), str::to_owned);
                    out.insert(format!("{path}.{i}"), text);
                }
            }
            other => {
                out.insert(path, other.to_string());
            }
        }
    }
}

/// Replaces each `{name}` with its value; unknown placeholders stay as they are.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_of_the_others() {
        let zh = Catalog::builtin(Lang::ZhTw);
        let en = Catalog::builtin(Lang::En);
        let missing_en: Vec<_> = zh.keys().filter(|k| !en.has(k)).collect();
        let missing_zh: Vec<_> = en.keys().filter(|k| !zh.has(k)).collect();
        assert!(
            missing_en.is_empty() && missing_zh.is_empty(),
            "en lacks {missing_en:?}, zh-TW lacks {missing_zh:?}"
        );
        assert!(zh.keys().count() > 50);
    }

    #[test]
    fn placeholders_are_filled() {
        let zh = Catalog::builtin(Lang::ZhTw);
        assert_eq!(
            zh.text("problem.failed", &[("status", "Error")]),
            "Pod 處於 Error 狀態，容器未就緒"
        );
    }

    #[test]
    fn durations_read_like_the_seed() {
        let zh = Catalog::builtin(Lang::ZhTw);
        assert_eq!(zh.duration(7 * 86_400 + 10 * 3_600 + 300), "7 天 10 小時");
        assert_eq!(zh.duration(51 * 86_400 + 7_200), "51 天");
        assert_eq!(zh.duration(2 * 86_400), "2 天");
        let en = Catalog::builtin(Lang::En);
        assert_eq!(en.duration(3_600 + 60), "1 hour 1 minute");
        assert_eq!(en.duration(0), "0 seconds");
    }

    #[test]
    fn an_unknown_key_shows_as_itself() {
        assert_eq!(Catalog::builtin(Lang::En).text("no.such", &[]), "no.such");
    }
}
