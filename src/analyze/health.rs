//! The health tier of a pod from its kubectl columns.
//!
//! The seed's basic rule for now (健康判定標準): healthy is Running, every container ready and
//! fewer restarts than the attention threshold. Completed pods need attention (a leftover).

use super::columns::PodColumns;
use crate::report::Health;

/// Thresholds of the health rules.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Restarts from which a pod needs attention (the seed: 5).
    pub restarts_attention: i64,
    /// Restarts from which a pod is unhealthy (the seed: 10).
    pub restarts_unhealthy: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            restarts_attention: 5,
            restarts_unhealthy: 10,
        }
    }
}

/// The tier of one pod.
pub fn classify(cols: &PodColumns, rules: &Rules) -> Health {
    let all_ready = cols.ready_containers == cols.total_containers;
    if cols.restart_count >= rules.restarts_unhealthy {
        return Health::Unhealthy;
    }
    match cols.status.as_str() {
        "Running" if all_ready && cols.restart_count < rules.restarts_attention => Health::Healthy,
        "Running" if all_ready => Health::Attention,
        "Completed" => Health::Attention,
        _ => Health::Unhealthy,
    }
}
