//! The digest to Slack: one Block Kit message POSTed to an incoming webhook
//! ([`crate::render::digest::slack`] makes it). The webhook's URL is its credential: it comes
//! from `notify.slack.url_file` and is never logged.

use serde_json::Value;

use super::email::Secret;
use super::http::{self, HttpError, HttpSettings};

/// How errors and logs name this channel.
pub const CHANNEL: &str = "Slack";

/// POSTs `message` to the incoming webhook at `url`; the attempts it took.
///
/// # Errors
/// As [`http::send`]: Slack answers a message it refuses with 400 and a reason
/// (`invalid_blocks`), a removed webhook with 404 or 410 (`no_service`).
pub async fn send(
    url: &Secret,
    message: &Value,
    settings: &HttpSettings,
) -> Result<u32, HttpError> {
    http::post_json(CHANNEL, url, message, settings).await
}
