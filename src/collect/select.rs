//! Which namespaces an inspection covers: `-n` names and shell-style globs, `-A`, and
//! `--exclude-namespace`, matched against the namespaces that exist.

use globset::{Glob, GlobMatcher};

use super::Error;

/// The namespaces asked for on the command line or in the config file.
#[derive(Debug, Clone, Default)]
pub struct NamespaceSelection {
    /// Every namespace (`-A`).
    pub all: bool,
    /// Names or globs (`-n pigo-*`); comma-separated values are already split.
    pub include: Vec<String>,
    /// Names or globs to leave out (`--exclude-namespace`).
    pub exclude: Vec<String>,
}

impl NamespaceSelection {
    /// Whether a pattern needs the list of namespaces to be expanded.
    pub fn has_globs(&self) -> bool {
        self.all || self.include.iter().any(|p| is_glob(p))
    }

    /// The plain names asked for, when no glob or `-A` needs the cluster's list.
    pub fn literal_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .include
            .iter()
            .filter(|p| !self.excludes(p))
            .cloned()
            .collect();
        let mut seen = std::collections::HashSet::new();
        names.retain(|ns| seen.insert(ns.clone()));
        names
    }

    /// Resolves the selection against the namespaces that exist: in the order asked for (a
    /// glob's matches sorted), without duplicates; with `-A`, sorted.
    ///
    /// # Errors
    /// Nothing asked for; a plain name that does not exist; a glob that matches nothing; a
    /// malformed glob.
    pub fn resolve(&self, existing: &[String]) -> Result<Vec<String>, Error> {
        if !self.all && self.include.is_empty() {
            return Err(Error::NoNamespace);
        }
        let excluded = matchers(&self.exclude)?;
        let mut chosen: Vec<String> = if self.all {
            let mut all = existing.to_vec();
            all.sort();
            all
        } else {
            let mut chosen = Vec::new();
            for pattern in &self.include {
                chosen.extend(expand(pattern, existing)?);
            }
            chosen
        };
        chosen.retain(|ns| !excluded.iter().any(|m| m.is_match(ns)));
        // Keep the order asked for (the report lists namespaces in that order), first wins.
        let mut seen = std::collections::HashSet::new();
        chosen.retain(|ns| seen.insert(ns.clone()));
        Ok(chosen)
    }

    /// A compiled test of whether one namespace is selected, for filtering as data streams in.
    ///
    /// # Errors
    /// A malformed glob.
    pub fn matcher(&self) -> Result<NamespaceMatcher, Error> {
        Ok(NamespaceMatcher {
            all: self.all,
            include: matchers(&self.include)?,
            exclude: matchers(&self.exclude)?,
        })
    }

    fn excludes(&self, namespace: &str) -> bool {
        matchers(&self.exclude)
            .map(|ms| ms.iter().any(|m| m.is_match(namespace)))
            .unwrap_or(false)
    }
}

/// Whether a namespace is selected; see [`NamespaceSelection::matcher`].
#[derive(Debug, Clone)]
pub struct NamespaceMatcher {
    all: bool,
    include: Vec<GlobMatcher>,
    exclude: Vec<GlobMatcher>,
}

impl NamespaceMatcher {
    pub fn matches(&self, namespace: &str) -> bool {
        (self.all || self.include.iter().any(|m| m.is_match(namespace)))
            && !self.exclude.iter().any(|m| m.is_match(namespace))
    }
}

/// Splits repeated, comma-separated flag values (`-n a,b -n c`) into patterns.
pub fn split_patterns<S: AsRef<str>>(values: &[S]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.as_ref().split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn expand(pattern: &str, existing: &[String]) -> Result<Vec<String>, Error> {
    if !is_glob(pattern) {
        return if existing.iter().any(|ns| ns == pattern) {
            Ok(vec![pattern.to_owned()])
        } else {
            Err(Error::UnknownNamespace(pattern.to_owned()))
        };
    }
    let matcher = matcher(pattern)?;
    let matched: Vec<String> = existing
        .iter()
        .filter(|ns| matcher.is_match(ns.as_str()))
        .cloned()
        .collect();
    if matched.is_empty() {
        return Err(Error::NoNamespaceMatches(pattern.to_owned()));
    }
    Ok(matched)
}

fn matchers(patterns: &[String]) -> Result<Vec<GlobMatcher>, Error> {
    patterns.iter().map(|p| matcher(p)).collect()
}

fn matcher(pattern: &str) -> Result<GlobMatcher, Error> {
    Glob::new(pattern)
        .map(|g| g.compile_matcher())
        .map_err(|e| Error::BadPattern(pattern.to_owned(), e.kind().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn existing() -> Vec<String> {
        ["default", "kube-system", "pigo-dev", "pigo-rel", "pigo-stg"]
            .map(String::from)
            .to_vec()
    }

    fn select(include: &[&str], exclude: &[&str]) -> NamespaceSelection {
        NamespaceSelection {
            all: false,
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_glob_picks_every_matching_namespace_in_order() {
        let chosen = select(&["pigo-*"], &[]).resolve(&existing()).unwrap();
        assert_eq!(chosen, ["pigo-dev", "pigo-rel", "pigo-stg"]);
    }

    #[test]
    fn excluded_namespaces_are_dropped_from_all_namespaces() {
        let mut sel = select(&[], &["kube-*", "default"]);
        sel.all = true;
        assert_eq!(
            sel.resolve(&existing()).unwrap(),
            ["pigo-dev", "pigo-rel", "pigo-stg"]
        );
    }

    #[test]
    fn an_unknown_plain_name_is_an_error_naming_it() {
        let err = select(&["pigo-prod"], &[])
            .resolve(&existing())
            .unwrap_err();
        assert!(err.to_string().contains("pigo-prod"), "{err}");
    }

    #[test]
    fn a_glob_matching_nothing_is_an_error() {
        let err = select(&["prod-*"], &[]).resolve(&existing()).unwrap_err();
        assert!(matches!(err, Error::NoNamespaceMatches(_)));
    }

    #[test]
    fn no_namespace_at_all_is_an_error() {
        assert!(matches!(
            select(&[], &[]).resolve(&existing()),
            Err(Error::NoNamespace)
        ));
    }

    #[test]
    fn comma_separated_values_are_split_and_trimmed() {
        assert_eq!(split_patterns(&["a,b", " c ", ""]), ["a", "b", "c"]);
    }

    #[test]
    fn duplicates_from_overlapping_patterns_appear_once() {
        let chosen = select(&["pigo-dev", "pigo-*"], &["pigo-stg"])
            .resolve(&existing())
            .unwrap();
        assert_eq!(chosen, ["pigo-dev", "pigo-rel"]);
    }

    #[test]
    fn namespaces_keep_the_order_they_were_asked_in() {
        let chosen = select(&["pigo-stg", "default", "pigo-dev"], &[])
            .resolve(&existing())
            .unwrap();
        assert_eq!(chosen, ["pigo-stg", "default", "pigo-dev"]);
    }
}
