//! From the validated config to the settings of each stage, and the pod exclusions.

use crate::model::Pod;
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{AgeBucket, ArchiveConfig, Config, ExcludeConfig, TrendConfig};
use crate::analyze::Rules;
use crate::analyze::statistics::StatisticsConfig;
use crate::analyze::trend::TrendSettings;
use crate::deliver::archive::ArchiveSettings;
use crate::report as statistics;

impl Config {
    /// The health rules' thresholds.
    pub fn rules(&self) -> Rules {
        let h = &self.health;
        Rules {
            restarts_attention: i64::from(h.restarts_attention),
            restarts_unhealthy: i64::from(h.restarts_unhealthy),
            pending_grace: h.pending_grace,
            not_ready_grace: h.not_ready_grace,
            terminating_grace: h.terminating_grace,
            restart_window: h.restart_window,
        }
    }

    /// The statistics' knobs; those the file does not set keep their defaults.
    pub fn statistics(&self) -> StatisticsConfig {
        StatisticsConfig {
            age_buckets_days: self.statistics.age_buckets.iter().map(bucket).collect(),
            top_restarters: self.statistics.top_restarters as usize,
            ..StatisticsConfig::default()
        }
    }
}

impl ArchiveConfig {
    /// The archive's settings; `None` without a `dir` (nothing is archived).
    pub fn settings(&self) -> Option<ArchiveSettings> {
        let dir = self.dir.clone()?;
        Some(ArchiveSettings {
            dir,
            keep_count: self.keep_count.map(|n| n as usize),
            keep_for: self.keep_for,
            // Validated as positive; `unsigned_abs` only spares a conversion error.
            lock_wait: self.lock_wait.unsigned_abs(),
        })
    }
}

impl TrendConfig {
    /// The trend's thresholds.
    pub fn settings(&self) -> TrendSettings {
        TrendSettings {
            restart_growth_abnormal: i64::from(self.restart_growth_abnormal),
        }
    }
}

fn bucket(b: &AgeBucket) -> statistics::AgeBucket {
    if b.older {
        statistics::AgeBucket::OlderThan(b.days)
    } else {
        statistics::AgeBucket::YoungerThan(b.days)
    }
}

/// Which pods the report leaves out entirely (`exclude.pods`, `exclude.labels`).
#[derive(Debug, Clone)]
pub struct PodExclusions {
    names: GlobSet,
    labels: Vec<super::LabelMatch>,
}

impl PodExclusions {
    /// # Errors
    /// Never for a validated config (its globs were checked); the error names the glob.
    pub fn new(exclude: &ExcludeConfig) -> Result<Self, String> {
        let mut names = GlobSetBuilder::new();
        for pattern in &exclude.pods {
            names.add(
                Glob::new(pattern).map_err(|e| format!("bad pod name glob '{pattern}': {e}"))?,
            );
        }
        Ok(PodExclusions {
            names: names.build().map_err(|e| e.to_string())?,
            labels: exclude.labels.clone(),
        })
    }

    /// Whether the pod is left out.
    pub fn excludes(&self, pod: &Pod) -> bool {
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        if self.names.is_match(name) {
            return true;
        }
        let empty = Default::default();
        let labels = pod.metadata.labels.as_ref().unwrap_or(&empty);
        self.labels.iter().any(|l| l.matches(labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::from_yaml;

    fn pod(name: &str, labels: serde_json::Value) -> Pod {
        serde_json::from_value(serde_json::json!({"metadata": {"name": name, "labels": labels}}))
            .unwrap()
    }

    #[test]
    fn pods_are_excluded_by_name_glob_or_label() {
        let config =
            from_yaml("exclude:\n  pods: ['*-debug-*']\n  labels: ['kube-patrol/ignore=true']\n")
                .unwrap();
        let ex = PodExclusions::new(&config.exclude).unwrap();
        assert!(ex.excludes(&pod("web-debug-1", serde_json::json!({}))));
        assert!(ex.excludes(&pod(
            "web-1",
            serde_json::json!({"kube-patrol/ignore": "true"})
        )));
        assert!(!ex.excludes(&pod("web-1", serde_json::json!({"app": "web"}))));
    }

    #[test]
    fn health_thresholds_and_buckets_come_from_the_file() {
        let config = from_yaml("health:\n  restarts_attention: 3\n  restarts_unhealthy: 4\nstatistics:\n  age_buckets: ['>10d']\n").unwrap();
        assert_eq!(config.rules().restarts_unhealthy, 4);
        assert_eq!(
            config.statistics().age_buckets_days,
            [statistics::AgeBucket::OlderThan(10)]
        );
    }

    #[test]
    fn archive_settings_come_from_the_file_and_none_without_a_dir() {
        assert_eq!(Config::default().archive.settings(), None);
        let config = from_yaml(
            "archive:\n  dir: /var/lib/kube-patrol/reports\n  keep_count: 52\n  keep_for: forever\n  lock_wait: 2m\n",
        )
        .unwrap();
        assert_eq!(
            config.archive.settings(),
            Some(ArchiveSettings {
                dir: "/var/lib/kube-patrol/reports".into(),
                keep_count: Some(52),
                keep_for: None,
                lock_wait: std::time::Duration::from_secs(120),
            })
        );
    }

    #[test]
    fn the_default_archive_settings_are_the_archive_modules_own() {
        let config = from_yaml("archive:\n  dir: /reports\n").unwrap();
        assert_eq!(
            config.archive.settings(),
            Some(ArchiveSettings::new("/reports"))
        );
    }

    #[test]
    fn trend_settings_come_from_the_file_and_default_to_the_trend_modules_own() {
        assert_eq!(Config::default().trend.settings(), TrendSettings::default());
        let config = from_yaml("trend:\n  restart_growth_abnormal: 12\n").unwrap();
        assert_eq!(config.trend.settings().restart_growth_abnormal, 12);
    }
}
