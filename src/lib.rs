//! kube-patrol: the weekly pod-health inspection of a Kubernetes cluster.
//!
//! One pipeline, one direction:
//! [`collect`] (the only code that talks to the API server or reads a dump) → [`snapshot::Snapshot`]
//! (plain data) → [`analyze`] (pure) → [`report::Report`] (plain data) → [`render`] (pure).

pub mod analyze;
pub mod cli;
pub mod collect;
pub mod config;
pub mod deliver;
pub mod error;
pub mod locale;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod snapshot;
