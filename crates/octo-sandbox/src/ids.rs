//! Fresh identifiers: payment UUIDs, refund ids, card tokens.
//!
//! Each id hashes a counter with keys drawn by the standard library's
//! `RandomState` when the sandbox starts, so ids look random, never repeat
//! within a run, and differ between runs (a restarted sandbox with a data
//! file keeps its counter too).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// Draws ids.
#[derive(Debug)]
pub(crate) struct IdSource {
    keys: [RandomState; 2],
    counter: AtomicU64,
}

impl IdSource {
    pub(crate) fn new(start: u64) -> Self {
        Self {
            keys: [RandomState::new(), RandomState::new()],
            counter: AtomicU64::new(start),
        }
    }

    /// The next counter value; also OCTO's numeric ids (refund ids,
    /// verification ids).
    pub(crate) fn next_number(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }

    /// The counter's current value, for persisting.
    pub(crate) fn current(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }

    fn random128(&self) -> u128 {
        let n = self.next_number();
        let [a, b] = &self.keys;
        let mut h1 = a.build_hasher();
        h1.write_u64(n);
        let mut h2 = b.build_hasher();
        h2.write_u64(n);
        (u128::from(h1.finish()) << 64) | u128::from(h2.finish())
    }

    /// A version-4-shaped UUID.
    pub(crate) fn uuid(&self) -> String {
        let mut v = self.random128();
        v = (v & !(0xF << 76)) | (0x4 << 76);
        v = (v & !(0x3 << 62)) | (0x2 << 62);
        // Written nibble by nibble into a fixed buffer whose dashes are
        // already in place.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'-'; 36];
        let mut nibbles = (0..32u32).rev().map(|i| (v >> i.saturating_mul(4)) & 0xF);
        for (at, slot) in out.iter_mut().enumerate() {
            if matches!(at, 8 | 13 | 18 | 23) {
                continue;
            }
            let nibble = nibbles.next().and_then(|n| usize::try_from(n).ok());
            *slot = nibble.and_then(|n| HEX.get(n)).copied().unwrap_or(b'0');
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// An opaque 32-character card token.
    pub(crate) fn token(&self) -> String {
        format!("{:032x}", self.random128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_unique_and_shaped() {
        let ids = IdSource::new(0);
        let a = ids.uuid();
        let b = ids.uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.get(14..15), Some("4"));
        assert!(matches!(a.get(19..20), Some("8" | "9" | "a" | "b")), "{a}");
        let dashes: Vec<usize> = a.match_indices('-').map(|(i, _)| i).collect();
        assert_eq!(dashes, [8, 13, 18, 23]);
        assert!(
            a.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(ids.current(), 2);
        assert_eq!(ids.token().len(), 32);
    }
}
