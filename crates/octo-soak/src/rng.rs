//! A seeded generator (SplitMix64) for the harness's choices: which journey,
//! which amounts, which card. No dependency, the same on every platform.

use rust_decimal::Decimal;

/// Draws from a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator for `stream` under `seed` (one stream per payment, so
    /// a payment's choices do not depend on the others' timing).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Self(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let _ = r.next();
        r
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// An amount in UZS between `min` and `max` whole sums, with tiyin.
    pub fn amount(&mut self, min: u64, max: u64) -> Decimal {
        let span = max.saturating_sub(min).saturating_mul(100);
        let tiyin = min.saturating_mul(100).saturating_add(self.below(span));
        Decimal::new(i64::try_from(tiyin).unwrap_or(i64::MAX), 2)
    }
}
