//! The `kube-patrol` binary: parse flags, set up logging, run the command, map the outcome to an
//! exit code. Everything else lives in the library.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use kube_patrol::cli::{Cli, Command, Exit, LogFormat};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    quiet_panics();
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kube-patrol: error: failed to start the async runtime: {e}");
            return Exit::Internal.into();
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Report(args) => kube_patrol::pipeline::report(args).await,
            Command::Run(args) => kube_patrol::pipeline::run(args).await,
            Command::Merge(args) => kube_patrol::pipeline::merge(args),
            Command::Schema(args) => kube_patrol::pipeline::schema(args.fleet),
        }
    });
    match outcome {
        Ok(()) => Exit::Ok.into(),
        Err(failure) => {
            let error: &(dyn std::error::Error + 'static) = failure.error.as_ref();
            eprintln!(
                "kube-patrol: error: {}",
                kube_patrol::error::one_line(error)
            );
            failure.exit.into()
        }
    }
}

/// Logs go to standard error, `info` by default; `RUST_LOG` (e.g. `kube_patrol=debug`) overrides.
/// kube's client logs its own copy of connection errors, which the one-line error already says.
fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .add_directive(
            "kube_client::client::builder=off"
                .parse()
                .expect("a valid directive"),
        );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only for a person at a terminal, never in a pod's log or a file.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// A bug must still end in one line and exit code 1, not a backtrace for the user.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("kube-patrol: internal error (a bug, please report it): {info}");
        std::process::exit(Exit::Internal as i32);
    }));
}

/// jemalloc, returning freed pages to the system at once (`dirty_decay_ms:0`): the pods of a
/// big cluster are freed as they are judged, and the rows and the rendered report then reuse
/// that memory instead of adding to the peak. glibc's allocator kept most of it (about 20% more
/// peak RSS on 100,000 pods; README's "Big clusters").
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts (before `main`).
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8; 34] = b"dirty_decay_ms:0,muzzy_decay_ms:0\0";
