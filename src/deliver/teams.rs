//! The digest to Microsoft Teams: an Adaptive Card in a `message` envelope POSTed to a Teams
//! Workflows webhook ([`crate::render::digest::teams`] makes it). The webhook's URL is its
//! credential: it comes from `notify.teams.url_file` and is never logged.

use serde_json::Value;

use super::email::Secret;
use super::http::{self, HttpError, HttpSettings};

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
    http::post_json(CHANNEL, url, message, settings).await
}
