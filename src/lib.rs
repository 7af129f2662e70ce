//! kube-patrol: the weekly pod-health inspection of a Kubernetes cluster.
//!
//! One pipeline, one direction:
//! [`collect`] (the only code that talks to the API server or reads a dump) →
//! [`model::Snapshot`] (compact plain data) → [`analyze`] (pure) → [`report::Report`] (plain
//! data) → [`render`] (pure) → [`deliver`].

pub mod analyze;
pub mod cli;
pub mod collect;
pub mod config;
pub mod deliver;
pub mod error;
pub mod locale;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod shell;
