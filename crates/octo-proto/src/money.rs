//! Amounts on the wire: a `Decimal` written as a JSON number with exactly
//! its digits (`980.0000` stays `980.0000`, `1` stays `1`).
//!
//! `rust_decimal`'s own arbitrary-precision writer goes through `Display`
//! and re-parses the text; amounts are the bulk of a basket's numbers, so
//! the text is built here directly from the mantissa and the scale.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// Room for any `Decimal`: a sign, 29 digits, a point and leading zeros.
const TEXT_CAPACITY: usize = 64;

/// The exact text of `value`: sign, integer digits, and `scale` decimals.
#[cfg(test)]
fn decimal_text(value: Decimal) -> String {
    let mut buffer = [0u8; TEXT_CAPACITY];
    write_decimal(value, &mut buffer).to_owned()
}

/// Writes the exact text of `value` at the end of `buffer`, without
/// allocating, and returns it.
fn write_decimal(value: Decimal, buffer: &mut [u8; TEXT_CAPACITY]) -> &str {
    let scale = value.scale() as usize;
    let mantissa = value.mantissa();
    let mut magnitude = mantissa.unsigned_abs();
    let mut start = TEXT_CAPACITY;
    let mut put = |byte: u8, start: &mut usize| {
        *start -= 1;
        if let Some(slot) = buffer.get_mut(*start) {
            *slot = byte;
        }
    };
    let mut written = 0;
    // Least significant digit first; at least one digit before the point.
    // Amounts fit in a u64 but for the largest decimals, and u64 division
    // is several times cheaper than u128's.
    let next_digit = |magnitude: &mut u128| {
        if let Ok(small) = u64::try_from(*magnitude) {
            *magnitude = u128::from(small / 10);
            (small % 10) as u8
        } else {
            let digit = (*magnitude % 10) as u8;
            *magnitude /= 10;
            digit
        }
    };
    while magnitude > 0 || written <= scale {
        if scale > 0 && written == scale {
            put(b'.', &mut start);
        }
        put(b'0' + next_digit(&mut magnitude), &mut start);
        written += 1;
    }
    if mantissa < 0 {
        put(b'-', &mut start);
    }
    buffer
        .get(start..)
        .and_then(|text| std::str::from_utf8(text).ok())
        .unwrap_or("0")
}

/// Serde writer for `Decimal` fields: a JSON number with the exact digits.
pub(crate) mod number {
    use super::*;

    /// Writes `value` as a JSON number.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = [0u8; TEXT_CAPACITY];
        serde_json::Number::from_str(write_decimal(*value, &mut buffer))
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }

    /// Reads a JSON number or numeric string, keeping its digits.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        rust_decimal::serde::arbitrary_precision::deserialize(d)
    }

    /// The same for optional fields (`null` when absent).
    pub mod option {
        use super::*;

        /// Writes `value` as a JSON number or `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<Decimal>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            crate::serde_option::some_or_null(value, serializer, super::serialize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        for text in [
            "0",
            "1",
            "-1",
            "0.0001",
            "-0.0001",
            "103.33",
            "980.0000",
            "10000000.5",
            "1000.0",
            "0.10",
            "-12.000",
            "79228162514264337593543950335",
            "-7.9228162514264337593543950335",
        ] {
            let value = Decimal::from_str(text).unwrap();
            assert_eq!(decimal_text(value), text);
            assert_eq!(decimal_text(value), value.to_string());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn matches_display(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
                           negative in any::<bool>(), scale in 0u32..=28) {
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(decimal_text(value), value.to_string());
            let json = serde_json::to_string(&Wrapper(value)).unwrap();
            prop_assert_eq!(json, value.to_string());
        }
    }

    struct Wrapper(Decimal);

    impl Serialize for Wrapper {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            number::serialize(&self.0, s)
        }
    }
}
