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

/// Replaces each `{name}` of `template` whose name is among `args` with its value, in one pass:
/// a value is copied as it is and never scanned again, so text from the cluster that looks like
/// a placeholder (a reason `Boom{exit_code}`) stays as written whatever the order of `args`.
/// An unknown `{name}` and any other brace stay as they are; if a name is given twice, the
/// first value counts.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            // Not a placeholder of ours: the brace is text, and the scan goes on after it (so
            // `{{count}}` keeps its outer braces around the filled `{count}`).
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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
    fn a_value_that_looks_like_a_placeholder_is_copied_as_is() {
        let reason = "Boom{exit_code}{since}";
        assert_eq!(
            fill(
                "{container}: {reason}, exit code {exit_code}",
                &[("container", "web"), ("reason", reason), ("exit_code", "3")]
            ),
            "web: Boom{exit_code}{since}, exit code 3"
        );
        assert_eq!(
            fill(
                "Pod in {status} state for {since}",
                &[("status", reason), ("since", "26 hours")]
            ),
            "Pod in Boom{exit_code}{since} state for 26 hours"
        );
    }

    #[test]
    fn the_order_of_the_arguments_does_not_change_the_text() {
        let template = "{a} and {b}";
        let forward = fill(template, &[("a", "{b}"), ("b", "{a}")]);
        let backward = fill(template, &[("b", "{a}"), ("a", "{b}")]);
        assert_eq!(forward, "{b} and {a}");
        assert_eq!(backward, forward);
    }

    #[test]
    fn a_value_that_names_itself_or_holds_braces_is_not_expanded() {
        assert_eq!(fill("<{x}>", &[("x", "{x}{x}")]), "<{x}{x}>");
        assert_eq!(fill("{x}", &[("x", "{")]), "{");
        assert_eq!(fill("{x}{y}", &[("x", "{"), ("y", "}")]), "{}");
    }

    #[test]
    fn every_occurrence_of_a_placeholder_is_filled() {
        assert_eq!(fill("{n}, {n} and {n}", &[("n", "1")]), "1, 1 and 1");
    }

    #[test]
    fn an_unknown_placeholder_and_stray_braces_stay_as_written() {
        assert_eq!(fill("{missing} {n}", &[("n", "1")]), "{missing} 1");
        assert_eq!(fill("a { b } c {", &[("n", "1")]), "a { b } c {");
        assert_eq!(fill("}{n}{", &[("n", "1")]), "}1{");
        assert_eq!(fill("{{n}}", &[("n", "1")]), "{1}");
        assert_eq!(fill("{ {n}", &[("n", "1")]), "{ 1");
        assert_eq!(fill("{}", &[("n", "1")]), "{}");
        assert_eq!(fill("no placeholder", &[]), "no placeholder");
        assert_eq!(fill("", &[("n", "1")]), "");
    }

    #[test]
    fn the_first_value_of_a_name_given_twice_counts() {
        assert_eq!(fill("{n}", &[("n", "1"), ("n", "2")]), "1");
    }

    #[test]
    fn text_that_is_not_ascii_is_kept_around_placeholders() {
        assert_eq!(
            fill(
                "容器 {container}：{reason}",
                &[("container", "網頁"), ("reason", "{原因}")]
            ),
            "容器 網頁：{原因}"
        );
    }

    #[test]
    fn every_catalog_text_fills_as_the_replacing_of_each_placeholder_did() {
        // With values free of braces, one pass gives what replacing name by name gave.
        for lang in [Lang::ZhTw, Lang::En] {
            let catalog = Catalog::builtin(lang);
            for key in catalog.keys() {
                let template = &catalog.texts[key];
                let names = placeholder_names(template);
                let values: Vec<String> = (0..names.len()).map(|i| format!("<v{i}>")).collect();
                let args: Vec<(&str, &str)> = names
                    .iter()
                    .map(String::as_str)
                    .zip(values.iter().map(String::as_str))
                    .collect();
                let mut replaced = template.clone();
                for (name, value) in &args {
                    replaced = replaced.replace(&format!("{{{name}}}"), value);
                }
                assert_eq!(catalog.text(key, &args), replaced, "{lang:?} {key}");
            }
        }
    }

    #[test]
    fn a_catalog_sentence_keeps_a_reason_that_looks_like_its_own_placeholders() {
        let en = Catalog::builtin(Lang::En);
        let reason = "Boom{exit_code}{since}{container}";
        assert_eq!(
            en.text(
                "analysis.container_terminated",
                &[("container", "web"), ("reason", reason), ("exit_code", "3")]
            ),
            "Container web: Boom{exit_code}{since}{container}, exit code 3"
        );
        let zh = Catalog::builtin(Lang::ZhTw);
        let text = zh.text("summary.failed", &[("status", reason), ("since", "1 天")]);
        assert!(text.contains(reason), "{text}");
        assert!(!text.contains("Boom{exit_code}1"), "{text}");
    }

    /// The `{name}`s of a template, each once.
    fn placeholder_names(template: &str) -> Vec<String> {
        let mut names = Vec::new();
        for piece in template.split('{').skip(1) {
            if let Some((name, _)) = piece.split_once('}')
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_owned());
            }
        }
        names
    }

    #[test]
    fn an_unknown_key_shows_as_itself() {
        assert_eq!(Catalog::builtin(Lang::En).text("no.such", &[]), "no.such");
    }
}
