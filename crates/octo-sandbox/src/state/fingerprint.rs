//! Recognising a card again without keeping its number.
//!
//! A card number shows its first six and last four digits to anyone (they
//! are in every answer and in the data file), and the Luhn digit fixes one
//! more: a 16-digit number has about 10^5 candidates left. Any digest an
//! attacker can compute without a secret (a plain SHA-1 of the number,
//! salted or not with a constant) gives the number back after 10^5
//! guesses. So the sandbox's fingerprint is an HMAC-SHA-1 keyed with 256
//! bits drawn when the process starts and kept only in its memory, and the
//! fingerprint itself is never written to the data file.
//!
//! What this costs: after a restart, the sandbox no longer recognises the
//! cards of the records it read back. It then chooses the reading that
//! refuses nothing (see `docs/reliability.md`): error 20 (an active or
//! pending token for the same card) is not raised for tokens made before
//! the restart, and an OTP resend (`check_pan`) for a payment made before
//! it is matched on the visible first6/last4 and the expiry.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use octo_proto::Pan;
use sha1::{Digest, Sha1};

/// SHA-1's block size.
const BLOCK: usize = 64;

/// This process's key: drawn once, never stored.
fn key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| {
        // `RandomState` is seeded from the operating system's random
        // source; four of them, each hashing its index, give 256 bits.
        let mut key = [0u8; 32];
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            let word = RandomState::new().hash_one(i).to_le_bytes();
            chunk.copy_from_slice(&word);
        }
        key
    })
}

/// HMAC-SHA-1 of `message` under `key` (RFC 2104).
fn hmac_sha1(key: &[u8; 32], message: &[u8]) -> [u8; 20] {
    let mut inner_pad = [0x36u8; BLOCK];
    let mut outer_pad = [0x5cu8; BLOCK];
    for (at, k) in key.iter().enumerate() {
        if let (Some(i), Some(o)) = (inner_pad.get_mut(at), outer_pad.get_mut(at)) {
            *i ^= k;
            *o ^= k;
        }
    }
    let inner = Sha1::new()
        .chain_update(inner_pad)
        .chain_update(message)
        .finalize();
    Sha1::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// The card's fingerprint in this process, as hex.
pub(crate) fn fingerprint(pan: &Pan) -> String {
    hex::encode(hmac_sha1(key(), pan.expose_secret().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_is_standard_and_keys_matter() {
        // Ours is always a 32-byte key: the expected value was computed
        // outside Rust, with Python's `hmac.new(bytes([0x0b] * 32),
        // b"Hi There", hashlib.sha1)`.
        let key = [0x0bu8; 32];
        assert_eq!(
            hex::encode(hmac_sha1(&key, b"Hi There")),
            "68f9d1c65ae2dde43a134515c83813a96985cbe3"
        );
        let other = [0x0cu8; 32];
        assert_ne!(hmac_sha1(&key, b"Hi There"), hmac_sha1(&other, b"Hi There"));
        let pan = Pan::new("4111111111111111").unwrap();
        assert_eq!(fingerprint(&pan), fingerprint(&pan));
        assert_ne!(
            fingerprint(&pan),
            fingerprint(&Pan::new("4000000000000002").unwrap())
        );
    }
}
