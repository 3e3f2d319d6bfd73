//! Reading fields out of OCTO's JSON, with the path of any bad field.
//!
//! Responses are read field by field rather than through derived structs:
//! OCTO puts fields in `data` or at the top level or both, sends numbers as
//! strings and strings as numbers, and every decode failure must name the
//! field. An envelope is first split into its members without decoding them
//! ([`RawObject`]); only the fields a decoder asks for are decoded, as
//! `serde_json::Value` with arbitrary precision so that amounts keep their
//! exact digits.

mod fields;
mod raw;

pub(crate) use fields::{Fields, Warnings};
pub(crate) use raw::{Envelope, RawObject, Split, parse_raw};

use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::DecodeProblem;

/// A bad field: where, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub path: String,
    pub problem: DecodeProblem,
}

/// An integer from a JSON number or a numeric string.
pub(crate) fn u64_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A signed integer from a JSON number or a numeric string.
pub(crate) fn i64_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `text` without the whitespace around it. Text that starts and ends with
/// a visible ASCII character (every JSON number, most strings) has none and
/// is returned as it is, without `str::trim`'s Unicode-aware scan.
pub(crate) fn trimmed(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Parses decimal text (`-12.50`, `1e3`, `1.5E-2`) into the `Decimal` of
/// exactly that value, or `None`.
///
/// `None` also when a `Decimal` cannot hold the value exactly (more than 28
/// decimals that are not zeros, or beyond its range): `rust_decimal`'s own
/// parsers round or cut such text, and a rounded amount is another amount.
/// Only JSON's number syntax is taken, with an optional `+`; text such as
/// `1_000` is refused.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    if let Some(plain) = plain_decimal(text) {
        return Some(plain);
    }
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (number, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => {
            let exponent = unsigned.get(at + 1..)?;
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Taken whole: many digits can offset a large exponent, so
            // cutting it would read another number.
            (unsigned.get(..at)?, exponent.parse::<i64>().ok()?)
        }
        None => (unsigned, 0),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    // The value is `digits × 10^-scale`, the digits being `whole` then
    // `fraction`. Leading zeros change nothing, nor do zeros ending the
    // fraction: as many of those go as the digits need to fit a Decimal.
    // No copy of the digits is made: an amount is read in every answer.
    let digits = || whole.bytes().chain(fraction.bytes());
    let leading = digits().take_while(|&b| b == b'0').count();
    let len = (whole.len() + fraction.len()).saturating_sub(leading);
    let scale = i64::try_from(fraction.len()).ok()?.checked_sub(exponent)?;
    if len == 0 {
        // Zero: keep the scale it was written with, as far as it fits.
        let scale = u32::try_from(scale.clamp(0, MAX_SCALE)).ok()?;
        return Some(Decimal::new(0, scale));
    }
    let trailing = digits().rev().take_while(|&b| b == b'0').count();
    let droppable = i64::try_from(trailing).ok()?.min(scale.max(0));
    let len = i64::try_from(len).ok()?;
    // The fewest zeros to drop for 29 digits and 28 decimals at most; one
    // more when 29 digits still exceed a Decimal's mantissa.
    let fewest = (len - MAX_DIGITS)
        .max(scale.saturating_sub(MAX_SCALE))
        .max(0);
    (fewest..=droppable.min(fewest + 1)).find_map(|dropped| {
        let kept = usize::try_from(len - dropped).ok()?;
        exact_decimal(
            negative,
            digits().skip(leading).take(kept),
            kept,
            scale - dropped,
        )
    })
}

/// The usual amount, `-?digits(.digits)?` in at most 19 characters, read in
/// one pass: it always fits a `Decimal` as written. `None` leaves any other
/// text to [`parse_decimal`]'s general reading, which gives the same value
/// for this form.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let (negative, bytes) = match text.as_bytes().split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, text.as_bytes()),
    };
    if bytes.len() > 19 {
        return None;
    }
    let (mut mantissa, mut digits, mut scale) = (0i64, 0usize, None);
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            // 19 digits at most, so never past i64::MAX but for 19 nines
            // and the like, which the checked steps send the long way.
            b'0'..=b'9' => {
                mantissa = mantissa
                    .checked_mul(10)?
                    .checked_add(i64::from(byte - b'0'))?;
                digits += 1;
            }
            b'.' if scale.is_none() => scale = Some(bytes.len() - at - 1),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    let scale = u32::try_from(scale.unwrap_or(0)).ok()?;
    Some(Decimal::new(
        if negative { -mantissa } else { mantissa },
        scale,
    ))
}

/// A `Decimal` keeps at most 28 decimals.
const MAX_SCALE: i64 = 28;

/// A `Decimal`'s mantissa has at most 29 digits.
const MAX_DIGITS: i64 = 29;

/// `±digits × 10^-scale` as a Decimal, if one holds it exactly. `digits`
/// are `len` ASCII digits, the first not a zero.
fn exact_decimal(
    negative: bool,
    mut digits: impl Iterator<Item = u8>,
    len: usize,
    scale: i64,
) -> Option<Decimal> {
    if i64::try_from(len).ok()? > MAX_DIGITS || !(-MAX_DIGITS..=MAX_SCALE).contains(&scale) {
        return None;
    }
    let mut mantissa = digits.try_fold(0i128, |m, d| {
        m.checked_mul(10)?
            .checked_add(i128::from(d.checked_sub(b'0')?))
    })?;
    let mut scale = scale;
    if scale < 0 {
        mantissa = mantissa.checked_mul(10i128.checked_pow(u32::try_from(-scale).ok()?)?)?;
        scale = 0;
    }
    if negative {
        mantissa = -mantissa;
    }
    Decimal::try_from_i128_with_scale(mantissa, u32::try_from(scale).ok()?).ok()
}

/// Text from a JSON string, or a number's digits.
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A boolean, also from `"true"`/`"false"` or 0/1.
pub(crate) fn bool_of(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod agree {
        //! The split envelope read from raw text agrees with the same
        //! envelope decoded into `serde_json::Value`s and read the plain
        //! way: every typed read, every error path, every warning and
        //! `extra`.

        use super::*;
        use proptest::prelude::*;
        use serde_json::Map;

        /// Few names, so that `data` and the top level share some; a
        /// secret name and names with characters JSON escapes.
        const KEYS: [&str; 8] = ["a", "b", "amount", "pan", "q\"k", "line\nx", "é", "data"];

        fn number() -> impl Strategy<Value = Value> {
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string()),
                any::<u64>().prop_map(|n| n.to_string()),
                (0u64..10_000_000, 0u32..10_000, 1usize..5)
                    .prop_map(|(i, f, d)| format!("{i}.{f:0>d$}")),
                Just("1e3".to_owned()),
                Just("-2.5E-2".to_owned()),
                Just("980.0000".to_owned()),
                Just("123456789012345678901234567890".to_owned()),
            ]
            .prop_map(|text| Value::Number(text.parse().unwrap()))
        }

        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                1 => "[a-z0-9 .:-]{0,12}",
                1 => Just(String::new()),
                1 => Just("  12.50 ".to_owned()),
                1 => Just("true".to_owned()),
                1 => Just("2024-05-02 09:17:00".to_owned()),
                3 => "[\"\\\\/\n\t\u{1}é€😀a-z0-9]{0,8}",
                1 => (0u64..100_000).prop_map(|n| n.to_string()),
            ]
        }

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                number(),
                text().prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map(prop::sample::select(KEYS.to_vec()), inner, 0..4)
                        .prop_map(|m| Value::Object(
                            m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                        )),
                ]
            })
        }

        fn object() -> impl Strategy<Value = Map<String, Value>> {
            prop::collection::btree_map(prop::sample::select(KEYS.to_vec()), value(), 0..7)
                .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        }

        /// Every read a decoder can make of `key`, its results in one list.
        fn read_all(f: &Fields<'_>, key: &'static str, warnings: &Warnings) -> Vec<String> {
            let mut seen = vec![
                format!("{:?}", f.opt_text(key)),
                format!("{:?}", f.opt_decimal(key)),
                format!("{:?}", f.opt(key, "an integer", u64_of)),
                format!("{:?}", f.opt(key, "a boolean", bool_of)),
                format!("{:?}", f.opt_string_as(key, "a string", Some)),
                format!("{:?}", f.req_text_as(key, "text", Some)),
                format!("{:?}", f.req_str_as(key, "text", |s| Some(s.to_owned()))),
                format!("{:?}", f.soft(key, warnings, |f| f.opt_decimal(key))),
                format!(
                    "{:?}",
                    f.soft_hidden(key, warnings, |f| f.opt(key, "an integer", i64_of))
                ),
                format!("{:?}", f.invalid(key, "anything")),
            ];
            seen.push(format!(
                "{:?}",
                f.with_object(key, |n| {
                    Ok((n.opt_text("a")?, n.opt_decimal("amount")?))
                })
            ));
            seen
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(600))]

            #[test]
            fn raw_reads_agree_with_value_reads(
                mut root in object(),
                data in prop::option::of(prop_oneof![
                    4 => object().prop_map(Value::Object),
                    1 => value(),
                ]),
                read in prop::collection::vec(prop::sample::select(KEYS.to_vec()), 0..6),
                marked in prop::collection::vec(prop::sample::select(KEYS.to_vec()), 0..3),
            ) {
                root.remove("data");
                let mut whole = root.clone();
                if let Some(data) = &data {
                    whole.insert("data".to_owned(), data.clone());
                }
                let body = serde_json::to_string(&Value::Object(whole)).unwrap();

                let split = Split::of(&body);
                let envelope = split.envelope();
                let raw = Fields::envelope(&envelope.root, envelope.data.as_ref());
                let data_map = data.as_ref().and_then(Value::as_object);
                let plain = Fields::envelope_of_values(&root, data_map);

                let (raw_warnings, plain_warnings) = (Warnings::new(), Warnings::new());
                for key in &read {
                    prop_assert_eq!(
                        read_all(&raw, key, &raw_warnings),
                        read_all(&plain, key, &plain_warnings),
                        "{} in {}", key, body
                    );
                }
                for key in &marked {
                    raw.mark_read(key);
                    plain.mark_read(key);
                }
                prop_assert_eq!(raw_warnings.into_vec(), plain_warnings.into_vec());
                prop_assert_eq!(raw.extra(), plain.extra(), "{}", body);
            }
        }
    }

    #[test]
    fn trimming_keeps_what_str_trim_keeps() {
        for text in [
            "",
            " ",
            "12.50",
            "  12.50 ",
            "\u{a0}1\u{3000}",
            "1\u{a0}",
            "\t1",
            "é",
            " é ",
            "a b",
        ] {
            assert_eq!(trimmed(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn decimals_keep_their_digits() {
        let body = br#"{"a":103.33,"b":980.0000,"c":1,"d":10000000.5,"e":0.0001,
            "s":"12.50","x":1e3,"t":true}"#;
        let split = Split::of(std::str::from_utf8(body).unwrap());
        let root = split.envelope().root;
        let raw = Fields::envelope(&root, None);
        let value: Value = serde_json::from_slice(body).unwrap();
        let decoded = Fields::object(value.as_object().unwrap(), "");
        for f in [raw, decoded] {
            for (key, text) in [
                ("a", "103.33"),
                ("b", "980.0000"),
                ("c", "1"),
                ("d", "10000000.5"),
                ("e", "0.0001"),
                ("s", "12.50"),
            ] {
                assert_eq!(f.req_decimal(key).unwrap().to_string(), text);
            }
            assert_eq!(f.req_decimal("x").unwrap(), Decimal::from(1000));
            assert_eq!(f.opt_decimal("t").unwrap_err().path, "t");
            assert_eq!(f.opt_decimal("none").unwrap(), None);
        }
    }

    /// An amount a `Decimal` cannot hold exactly is refused, never rounded
    /// or cut: a rounded `total_sum` would be a different amount. Amounts
    /// it can hold keep their value, also when written with an exponent or
    /// with zeros past the 28 decimals a `Decimal` keeps.
    #[test]
    fn decimals_that_would_lose_digits_are_refused() {
        for text in [
            // 29 significant digits after the point: `from_str` rounds.
            "0.12345678901234567890123456789",
            // The last decimal does not fit: `from_str` rounds the units.
            "7922816251426433759354395033.56",
            // `from_scientific` drops the digit past 28.
            "1.23456789012345678901234567891e0",
            "123456789012345678901234567891e-2",
            // Too large, either way.
            "79228162514264337593543950336",
            "1e29",
            // Not a number as OCTO writes one.
            "1_000",
            "",
            "-",
            "1e",
            "e3",
            "1.2.3",
            "0x10",
            // Many digits offsetting a large exponent: 1e-990 and 1e990,
            // nothing a Decimal holds.
            &format!("1{}e-2000", "0".repeat(1010)),
            &format!("0.{}1e2000", "0".repeat(1009)),
            "1e9223372036854775807",
            "1e-9223372036854775808",
        ] {
            assert_eq!(parse_decimal(text), None, "{text:?}");
        }
        for (text, value) in [
            ("1000.00", "1000.00"),
            ("980.0000", "980.0000"),
            ("0.1", "0.1"),
            ("-0.0", "0.0"),
            ("1e3", "1000"),
            ("1E+3", "1000"),
            ("1.5e-2", "0.015"),
            ("100e-2", "1.00"),
            ("1e-28", "0.0000000000000000000000000001"),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
            (
                "7922816251426433759354395033.5",
                "7922816251426433759354395033.5",
            ),
            // Zeros past the 28th decimal change no value.
            (
                "0.10000000000000000000000000000000",
                "0.1000000000000000000000000000",
            ),
            (
                "123456789012345678901234.5678",
                "123456789012345678901234.5678",
            ),
            (
                "79228162514264337593543950335.00",
                "79228162514264337593543950335",
            ),
            ("0e5", "0"),
        ] {
            assert_eq!(
                parse_decimal(text).map(|d| d.to_string()).as_deref(),
                Some(value),
                "{text:?}"
            );
        }
    }

    proptest::proptest! {
        /// Every `Decimal` reads back as itself, scale included, from its
        /// own text and from the same digits with an exponent.
        #[test]
        fn every_decimal_reads_back_exactly(
            lo in proptest::prelude::any::<u32>(),
            mid in proptest::prelude::any::<u32>(),
            hi in proptest::prelude::any::<u32>(),
            negative in proptest::prelude::any::<bool>(),
            scale in 0u32..=28,
            shift in 0u32..=5,
        ) {
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            let read = parse_decimal(&value.to_string());
            proptest::prop_assert_eq!(read.map(|d| (d, d.scale())), Some((value, scale)));
            // The mantissa's digits with `shift` more zeros, and an exponent.
            let mantissa = value.mantissa();
            let scientific = format!("{mantissa}{}e-{}", "0".repeat(shift as usize), scale + shift);
            // Zeros past what a Decimal holds are dropped; the value stays.
            proptest::prop_assert_eq!(parse_decimal(&scientific), Some(value), "{}", scientific);
        }
    }

    #[test]
    fn data_wins_over_top_level_and_paths_are_named() {
        let body = br#"{"error":0,"data":{"a":"inner"},"a":"outer","b":"top","c":[1]}"#;
        let split = Split::of(std::str::from_utf8(body).unwrap());
        let Envelope { root, data } = split.envelope();
        let data = data.unwrap();
        let f = Fields::envelope(&root, Some(&data));
        assert_eq!(f.req_text("a").unwrap(), "inner");
        assert_eq!(f.req_text("b").unwrap(), "top");
        let err = f.req_text("c").unwrap_err();
        assert_eq!(err.path, "c");
        let err = f.req_text("zzz").unwrap_err();
        assert_eq!(err.path, "data.zzz");
        assert_eq!(err.problem, DecodeProblem::Missing);
        // Every key read, present or not, stays out of `extra`.
        f.mark_read("error");
        f.mark_read("data");
        assert!(f.extra().is_empty());
        let f = Fields::envelope(&root, Some(&data));
        f.mark_read("error"); // the envelope's members, as envelope::decode does
        f.mark_read("data");
        assert_eq!(f.req_text("a").unwrap(), "inner");
        let extra = f.extra();
        assert_eq!(extra.keys().collect::<Vec<_>>(), vec!["b", "c"]);
    }

    #[test]
    fn extra_of_a_long_object_leaves_out_every_read_member() {
        let mut body = String::from(r#"{"error":0,"data":{"#);
        for at in 0..70 {
            body.push_str(&format!(r#""k{at}":{at},"#));
        }
        body.push_str(r#""k3":"again"}}"#);
        let split = Split::of(&body);
        let envelope = split.envelope();
        let f = Fields::envelope(&envelope.root, envelope.data.as_ref());
        f.mark_read("error");
        for key in ["k3", "k64", "k66", "k69"] {
            assert!(f.opt_text(key).unwrap().is_some(), "{key}");
        }
        assert_eq!(f.opt_text("k3").unwrap().as_deref(), Some("again"));
        let extra = f.extra();
        assert_eq!(extra.len(), 66);
        for key in ["k3", "k64", "k66", "k69"] {
            assert!(!extra.contains_key(key), "{key}");
        }
        assert!(extra.contains_key("k63") && extra.contains_key("k65"));
    }

    #[test]
    fn extra_is_what_was_not_read() {
        let body = br#"{"error":0,"data":{"a":1,"b":2,"alias":3,
            "nested":{"x":1,"y":{"z":2,"w":3},"v":4},"bad":"x"}}"#;
        let split = Split::of(std::str::from_utf8(body).unwrap());
        let Envelope { root, data } = split.envelope();
        let data = data.unwrap();
        let f = Fields::envelope(&root, Some(&data));
        f.mark_read("error"); // the envelope's members, as envelope::decode does
        f.mark_read("data");
        assert_eq!(f.opt_decimal("a").unwrap(), Some(Decimal::from(1)));
        // Every alias counts as read, even the ones not reached.
        let first = f.opt_any(&["b", "alias"], "an integer", u64_of).unwrap();
        assert_eq!(first, Some(2));
        let nested = f
            .with_object("nested", |n| {
                n.req_decimal("x")?;
                n.with_object("y", |y| y.req_decimal("z"))
            })
            .unwrap();
        assert_eq!(nested, Some(Some(Decimal::from(2))));
        // A field that fails to read is still read: it is modelled.
        assert!(f.opt_decimal("bad").is_err());
        f.mark_read("never_sent");
        let extra = f.extra();
        assert_eq!(
            Value::Object(extra),
            serde_json::json!({"nested":{"y":{"w":3},"v":4}})
        );
    }

    #[test]
    fn secrets_in_unmodelled_fields_are_redacted() {
        let body = br#"{"error":0,"data":{
            "cardToken":"tok-123","note":"kept",
            "details":{"pan":"4111111111111111","list":[{"sms_key":"61135"}],"saveToken":null},
            "CVC2":"739"}}"#;
        let split = Split::of(std::str::from_utf8(body).unwrap());
        let Envelope { root, data } = split.envelope();
        let data = data.unwrap();
        let extra = Fields::envelope(&root, Some(&data)).extra();
        let text = serde_json::to_string(&extra).unwrap();
        for secret in ["tok-123", "4111111111111111", "61135", "739"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert_eq!(extra["note"], "kept");
        assert_eq!(extra["cardToken"], "[REDACTED]");
        assert_eq!(extra["details"]["list"][0]["sms_key"], "[REDACTED]");
        // A null stays null: absent is not a secret, and saveToken is no key.
        assert_eq!(extra["details"]["saveToken"], Value::Null);
    }

    #[test]
    fn soft_reads_warn_and_keep_no_secret() {
        let body = br#"{"error":0,"data":{"when":"soon","info":{"pan":"4111111111111111","n":1},
            "first6":{"x":"860031"},"ok":"2024-05-02 09:17:00"}}"#;
        let split = Split::of(std::str::from_utf8(body).unwrap());
        let Envelope { root, data } = split.envelope();
        let data = data.unwrap();
        let f = Fields::envelope(&root, Some(&data));
        let warnings = Warnings::new();
        let time = |key: &'static str| {
            f.soft(key, &warnings, |f| {
                f.opt_string_as(key, "a time", |s| crate::datetime::parse_octo(&s))
            })
        };
        assert!(time("ok").is_some());
        assert_eq!(time("when"), None);
        assert_eq!(time("absent"), None);
        assert_eq!(f.soft("info", &warnings, |f| f.opt_text("info")), None);
        assert_eq!(
            f.soft_hidden("first6", &warnings, |f| f.opt_text("first6")),
            None
        );
        let warnings = warnings.into_vec();
        let paths: Vec<_> = warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, ["data.when", "data.info", "data.first6"]);
        assert_eq!(warnings[0].raw, "soon");
        assert_eq!(warnings[0].expected, "a time");
        // A secret inside a kept value is redacted; card data is not kept.
        assert_eq!(warnings[1].raw["pan"], "[REDACTED]");
        assert_eq!(warnings[1].raw["n"], 1);
        assert_eq!(warnings[2].raw, "[REDACTED]");
        let shown = format!("{warnings:?}");
        assert!(!shown.contains("4111111111111111") && !shown.contains("860031"));
    }
}
