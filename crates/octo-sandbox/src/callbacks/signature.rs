//! The notification signature, computed by the sandbox itself from the API
//! notes' description, with the `sha1` crate directly. It deliberately
//! shares no code with the SDK's verifier, so that a mistake in either one
//! shows up as a notification the other refuses.
//!
//! - `unique_key`: `SHA1(unique_key + octo_payment_UUID + status)`, the
//!   parts joined with nothing between them, written as 40 uppercase hex
//!   digits.
//! - `secret_and_hash_key` (OCTO's older page: `sha1(sha1(secret,
//!   hash_key), uuid, status)`, joining not written): the inner digest
//!   `SHA1(octo_secret + hash_key)` written as 40 lowercase hex digits (how
//!   a hex digest is usually printed), then
//!   `SHA1(inner + octo_payment_UUID + status)` as 40 uppercase hex digits.
//!   This is the sandbox's reading.

use sha1::{Digest, Sha1};

/// The digest of the parts, joined with nothing between them, as 40 hex
/// digits.
fn sha1_hex(parts: &[&str], upper: bool) -> String {
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    if upper {
        hex::encode_upper(digest)
    } else {
        hex::encode(digest)
    }
}

/// `SHA1(unique_key + uuid + status)`, uppercase hex.
pub(crate) fn unique_key(key: &str, uuid: &str, status: &str) -> String {
    sha1_hex(&[key, uuid, status], true)
}

/// `SHA1(lowerhex(SHA1(secret + hash_key)) + uuid + status)`, uppercase hex.
pub(crate) fn secret_and_hash_key(
    secret: &str,
    hash_key: &str,
    uuid: &str,
    status: &str,
) -> String {
    let inner = sha1_hex(&[secret, hash_key], false);
    sha1_hex(&[&inner, uuid, status], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "e3f40dc3-4955-412a-853a-2ddd28d3201f";

    // The expected digests were computed outside Rust, with coreutils:
    // printf '%s' 'unique-key-from-octo<uuid>succeeded' | sha1sum
    #[test]
    fn unique_key_vector() {
        assert_eq!(
            unique_key("unique-key-from-octo", UUID, "succeeded"),
            "C058D3921E673916174E046EC24D1C706AA7461C"
        );
    }

    // inner=$(printf '%s' 's3cret7f1e0c2a' | sha1sum)  (lowercase)
    // printf '%s' "${inner}<uuid>succeeded" | sha1sum
    #[test]
    fn secret_and_hash_key_vector() {
        assert_eq!(
            sha1_hex(&["s3cret", "7f1e0c2a"], false),
            "ca5959b5d1bb790b3612d0311cef6b2a905242b3"
        );
        assert_eq!(
            secret_and_hash_key("s3cret", "7f1e0c2a", UUID, "succeeded"),
            "C6FEE34552E7EA3CE3A3AA54ACDCA4C131C731B0"
        );
    }
}
