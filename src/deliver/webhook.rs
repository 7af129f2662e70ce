//! The digest as JSON to any HTTP endpoint ([`crate::render::digest::webhook`] makes it),
//! signed when `notify.webhook.secret_file` is set:
//!
//! ```text
//! X-Kube-Patrol-Signature: sha256=<hex of HMAC-SHA256(secret, body)>
//! ```
//!
//! The receiver computes the same over the raw body it received and compares in constant time.

use ::http::Method;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::email::Secret;
use super::http::{self, HttpError, HttpSettings, Outgoing};

/// How errors and logs name this channel.
pub const CHANNEL: &str = "the webhook";
/// The signature's header.
pub const SIGNATURE_HEADER: &str = "X-Kube-Patrol-Signature";

/// POSTs `body` (JSON) to `url`, signed with `secret` when given; the attempts it took.
///
/// # Errors
/// As [`http::send`].
pub async fn send(
    url: &Secret,
    body: String,
    secret: Option<&Secret>,
    settings: &HttpSettings,
) -> Result<u32, HttpError> {
    let headers = match secret {
        Some(secret) => vec![(SIGNATURE_HEADER, signature(secret, body.as_bytes()))],
        None => Vec::new(),
    };
    let out = Outgoing {
        channel: CHANNEL,
        method: Method::POST,
        url,
        content_type: "application/json; charset=utf-8",
        headers,
        body: Bytes::from(body),
    };
    http::send(&out, settings).await
}

/// `sha256=` and the lowercase hex of HMAC-SHA256 of `body` keyed with `secret`.
pub fn signature(secret: &Secret, body: &[u8]) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_rfc_4231s_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        let secret = Secret::new("Jefe");
        assert_eq!(
            signature(&secret, b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
