//! Delivery: the only stage that writes or sends.

pub mod archive;
