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
pub(crate) use raw::{Envelope, RawObject, parse_raw};

use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

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

/// Parses decimal text, with or without an exponent.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
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

    #[test]
    fn decimals_keep_their_digits() {
        let body = br#"{"a":103.33,"b":980.0000,"c":1,"d":10000000.5,"e":0.0001,
            "s":"12.50","x":1e3,"t":true}"#;
        let root: RawObject<'_> = serde_json::from_slice(body).unwrap();
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

    #[test]
    fn data_wins_over_top_level_and_paths_are_named() {
        let body = br#"{"error":0,"data":{"a":"inner"},"a":"outer","b":"top","c":[1]}"#;
        let root: RawObject<'_> = serde_json::from_slice(body).unwrap();
        let data = RawObject::of(root.get("data").unwrap()).unwrap();
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
    fn extra_is_what_was_not_read() {
        let body = br#"{"error":0,"data":{"a":1,"b":2,"alias":3,
            "nested":{"x":1,"y":{"z":2,"w":3},"v":4},"bad":"x"}}"#;
        let root: RawObject<'_> = serde_json::from_slice(body).unwrap();
        let data = RawObject::of(root.get("data").unwrap()).unwrap();
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
        let root: RawObject<'_> = serde_json::from_slice(body).unwrap();
        let data = RawObject::of(root.get("data").unwrap()).unwrap();
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
        let root: RawObject<'_> = serde_json::from_slice(body).unwrap();
        let data = RawObject::of(root.get("data").unwrap()).unwrap();
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
