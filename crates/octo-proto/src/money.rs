//! Amounts on the wire: a `Decimal` written as a JSON number with exactly
//! its digits (`980.0000` stays `980.0000`, `1` stays `1`).
//!
//! `rust_decimal`'s own arbitrary-precision writer goes through `Display`
//! and re-parses the text; amounts are the bulk of a basket's numbers, so
//! the text is built here directly from the mantissa and the scale.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};

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

    /// Reads a JSON number or numeric string, keeping its digits; an
    /// amount a `Decimal` cannot hold exactly is an error, never rounded
    /// (see [`crate::json::parse_decimal`]).
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        exact(&value)
    }

    /// The exact amount `value` holds, or the error that says why not.
    fn exact<E: serde::de::Error>(value: &serde_json::Value) -> Result<Decimal, E> {
        let text = match value {
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        };
        text.and_then(|t| crate::json::parse_decimal(crate::json::trimmed(&t)))
            .ok_or_else(|| {
                E::custom(
                    "expected an amount (a number or numeric string) that a Decimal holds exactly",
                )
            })
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

        /// Reads an amount as [`deserialize`](super::deserialize) does, or
        /// `null`.
        pub fn deserialize<'de, D: serde::Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Decimal>, D::Error> {
            match Option::<serde_json::Value>::deserialize(d)? {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(value) => super::exact(&value).map(Some),
            }
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

    /// The amounts of an operation read from JSON (fixtures, a shop's own
    /// queue) are the amounts sent: exact, or refused, never rounded.
    #[test]
    fn operation_amounts_from_json_are_exact_or_refused() {
        use crate::op::{BasketItem, PreparePayment, Refund, SetAccept};
        let prepare = |total: &str| {
            serde_json::from_str::<PreparePayment>(&format!(
                r#"{{"shop_transaction_id":"o","auto_capture":true,
                "init_time":"2024-05-02 09:17:00","total_sum":{total},"currency":"UZS",
                "description":"d","return_url":"https://shop.example","language":"uz"}}"#
            ))
            .map(|p| p.total_sum)
        };
        let item = |price: &str| {
            serde_json::from_str::<BasketItem>(&format!(
                r#"{{"position_desc":"a","count":1,"price":{price}}}"#
            ))
            .map(|i| i.price)
        };
        let refund = |amount: &str| {
            serde_json::from_str::<Refund>(&format!(
                r#"{{"shop_refund_id":"r","octo_payment_uuid":"u","amount":{amount}}}"#
            ))
            .map(|r| r.amount)
        };
        let capture = |amount: &str| {
            serde_json::from_str::<SetAccept>(&format!(
                r#"{{"octo_payment_uuid":"u","accept_status":"capture","final_amount":{amount}}}"#
            ))
            .map(|s| s.final_amount)
        };
        for bad in [
            "0.12345678901234567890123456789",
            "1.23456789012345678901234567891e0",
            "\"1_000\"",
            "\"\"",
            "true",
        ] {
            assert!(prepare(bad).is_err(), "total_sum {bad}");
            assert!(item(bad).is_err(), "price {bad}");
            assert!(refund(bad).is_err(), "amount {bad}");
            assert!(capture(bad).is_err(), "final_amount {bad}");
        }
        for (text, exact) in [
            ("1000.00", "1000.00"),
            ("\"1000.00\"", "1000.00"),
            ("1e3", "1000"),
            ("0.1", "0.1"),
            ("980.0000", "980.0000"),
        ] {
            let exact = Decimal::from_str(exact).unwrap();
            for read in [prepare(text), item(text), refund(text)] {
                let read = read.unwrap();
                assert_eq!((read, read.scale()), (exact, exact.scale()), "{text}");
            }
            assert_eq!(capture(text).unwrap(), Some(exact), "{text}");
        }
        assert_eq!(capture("null").unwrap(), None);
    }

    struct Wrapper(Decimal);

    impl Serialize for Wrapper {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            number::serialize(&self.0, s)
        }
    }
}
