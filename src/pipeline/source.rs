//! Where the snapshot comes from: a dump, or a cluster read within the run's deadline; and the
//! evidence of the problem pods, from the same place.

use jiff::SignedDuration;
use tokio::time::Instant;
use tracing::warn;

use super::Plan;
use crate::cli::{Exit, Failure, InspectArgs};
use crate::collect::{self, ClusterOptions, EvidenceOptions, NamespaceSelection, RetryPolicy};
use crate::config::Config;
use crate::model::{Missing, Pod, Snapshot};

/// Where the snapshot came from, to read the evidence from the same place.
pub(super) enum Reader {
    Cluster(Box<collect::Cluster>),
    Dump,
}

/// The run's deadline for reading the cluster (`--timeout`, `cluster.timeout`).
pub(super) struct Deadline {
    at: Instant,
    after: SignedDuration,
}

impl Deadline {
    pub(super) fn of(args: &InspectArgs, config: &Config) -> Self {
        let after = args.timeout.unwrap_or(config.cluster.timeout);
        Deadline {
            at: Instant::now() + after.unsigned_abs(),
            after,
        }
    }

    /// `the run's deadline (20m, --timeout or cluster.timeout) passed`.
    fn passed(&self) -> String {
        format!(
            "the run's deadline ({:#}, --timeout or cluster.timeout) passed",
            self.after
        )
    }
}

/// The snapshot, from the dump or the cluster.
///
/// # Errors
/// A bad dump or kubeconfig, an unknown namespace (exit 2); the cluster unreachable, refusing
/// or too slow for the deadline (exit 3).
pub(super) async fn collect_snapshot(
    args: &InspectArgs,
    plan: &Plan,
    deadline: &Deadline,
) -> Result<(Snapshot, Reader), Failure> {
    let outcome = match &args.from_dump {
        Some(path) => {
            if args.selector.is_some() {
                return Err(Failure::new(
                    Exit::Usage,
                    anyhow::anyhow!(
                        "-l/--selector is not supported with --from-dump yet: filter the dump with kubectl instead"
                    ),
                ));
            }
            read_dump(path.clone(), plan.selection.clone())
                .await
                .map(|s| (s, Reader::Dump))
        }
        None => {
            read_cluster(
                &cluster_options(args, &plan.config),
                &plan.selection,
                deadline,
            )
            .await
        }
    };
    outcome.map_err(|e| {
        let exit = if e.is_input_error() {
            Exit::Usage
        } else {
            Exit::Cluster
        };
        Failure::new(exit, e)
    })
}

async fn read_cluster(
    opts: &ClusterOptions,
    selection: &NamespaceSelection,
    deadline: &Deadline,
) -> Result<(Snapshot, Reader), collect::Error> {
    let cluster = collect::connect(opts).await?;
    match tokio::time::timeout_at(deadline.at, cluster.snapshot(selection)).await {
        Ok(snapshot) => Ok((snapshot?, Reader::Cluster(Box::new(cluster)))),
        Err(_) => Err(collect::Error::Api {
            action: "list the pods".to_owned(),
            message: format!(
                "{} before the API server {} had answered",
                deadline.passed(),
                cluster.source().server().trim_end_matches('/')
            ),
        }),
    }
}

/// Reads the evidence of the problem pods where the snapshot came from. Past the deadline, the
/// report is made without it (and is partial).
pub(super) async fn add_evidence(
    reader: Reader,
    snapshot: &mut Snapshot,
    problems: &[&Pod],
    plan: &Plan,
    deadline: &Deadline,
) {
    match reader {
        Reader::Cluster(cluster) => {
            let evidence = evidence_options(&plan.config);
            let reading = cluster.add_evidence(snapshot, problems, &evidence);
            if tokio::time::timeout_at(deadline.at, reading).await.is_err() {
                let reason = format!("{} while they were read", deadline.passed());
                warn!(%reason, "evidence missing");
                snapshot.missing.push(Missing {
                    what: "events and logs".to_owned(),
                    namespace: None,
                    reason,
                });
            }
        }
        Reader::Dump => collect::add_dump_evidence(snapshot, problems),
    }
}

/// Flags win over the config's `cluster` section.
fn cluster_options(args: &InspectArgs, config: &Config) -> ClusterOptions {
    let retries = args.retries.unwrap_or(config.cluster.retries);
    ClusterOptions {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context(),
        label_selector: args.selector.clone(),
        page_size: args.page_size,
        retry: RetryPolicy {
            attempts: retries + 1,
            ..RetryPolicy::default()
        },
        request_timeout: args
            .request_timeout
            .unwrap_or(config.cluster.request_timeout)
            .unsigned_abs(),
        ..ClusterOptions::default()
    }
}

fn evidence_options(config: &Config) -> EvidenceOptions {
    EvidenceOptions {
        log_lines: config.evidence.log_lines as usize,
        log_bytes: config.evidence.log_bytes as usize,
        concurrency: config.evidence.concurrency as usize,
    }
}

/// Reads a dump on a blocking thread: a big dump takes seconds to read, which must not stall
/// the runtime.
async fn read_dump(
    path: String,
    selection: NamespaceSelection,
) -> Result<Snapshot, collect::Error> {
    tokio::task::spawn_blocking(move || collect::from_dump(&path, &selection))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}
