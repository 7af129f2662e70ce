//! The digest to Microsoft Teams: an Adaptive Card in a `message` envelope POSTed to a Teams
//! Workflows webhook ([`crate::render::digest::teams`] makes it). The webhook's URL is its
//! credential: it comes from `notify.teams.url_file` and is never logged.

use ::http::Method;
use bytes::Bytes;
use serde_json::Value;

use super::email::Secret;
use super::http::{self, HttpError, HttpSettings, Outgoing};

/// How errors and logs name this channel.
pub const CHANNEL: &str = "Teams";

/// POSTs `message` to the Workflows webhook at `url` (it answers 202 Accepted); the attempts
/// it took.
///
/// # Errors
/// As [`http::send`].
pub async fn send(
    url: &Secret,
    message: &Value,
    settings: &HttpSettings,
) -> Result<u32, HttpError> {
    let out = Outgoing {
        channel: CHANNEL,
        method: Method::POST,
        url,
        content_type: "application/json; charset=utf-8",
        headers: Vec::new(),
        body: Bytes::from(message.to_string()),
    };
    http::send(&out, settings).await
}
