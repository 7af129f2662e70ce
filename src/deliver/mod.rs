//! Deliver: the only stage that writes or sends. It takes what [`crate::render`] made (strings)
//! and puts it where people read it; nothing before it does I/O besides [`crate::collect`].

pub mod archive;
pub mod email;
pub mod http;
pub mod pushgateway;
pub mod slack;
pub mod teams;
pub mod textfile;
pub mod webhook;
