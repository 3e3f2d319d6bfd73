//! Reading fields out of OCTO's JSON, with the path of any bad field.
//!
//! Responses are read through `serde_json::Value` (with arbitrary precision,
//! so amounts keep their exact digits) rather than derived structs: OCTO puts
//! fields in `data` or at the top level or both, sends numbers as strings and
//! strings as numbers, and every decode failure must name the field.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
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

/// An exact decimal from a JSON number (its digits as written) or a numeric
/// string.
pub(crate) fn decimal_of(value: &Value) -> Option<Decimal> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    parse_decimal(&text)
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

/// The payload of a response: `data` first, then the top level.
pub(crate) struct Fields<'a> {
    primary: Option<(&'a Map<String, Value>, String)>,
    fallback: Option<(&'a Map<String, Value>, String)>,
}

impl<'a> Fields<'a> {
    /// Fields of an OCTO envelope: `data{…}` first, then the legacy top level.
    pub fn envelope(root: &'a Map<String, Value>) -> Self {
        let data = root.get("data").and_then(Value::as_object);
        Self {
            primary: data.map(|d| (d, "data.".to_owned())),
            fallback: Some((root, String::new())),
        }
    }

    /// Fields of one plain object, its paths starting with `prefix`.
    pub fn object(map: &'a Map<String, Value>, prefix: &str) -> Self {
        Self {
            primary: Some((map, prefix.to_owned())),
            fallback: None,
        }
    }

    fn path_for_missing(&self, key: &str) -> String {
        match (&self.primary, &self.fallback) {
            (Some((_, prefix)), _) | (None, Some((_, prefix))) => format!("{prefix}{key}"),
            (None, None) => key.to_owned(),
        }
    }

    /// The first non-null value under `key`, and its path.
    pub fn get(&self, key: &str) -> Option<(&'a Value, String)> {
        [&self.primary, &self.fallback]
            .into_iter()
            .flatten()
            .find_map(|(map, prefix)| {
                map.get(key)
                    .filter(|v| !v.is_null())
                    .map(|v| (v, format!("{prefix}{key}")))
            })
    }

    fn read<T>(
        &self,
        key: &str,
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some((value, path)) => convert(value).map(Some).ok_or(FieldError {
                path,
                problem: DecodeProblem::Invalid { expected },
            }),
        }
    }

    fn required<T>(&self, key: &str, value: Option<T>) -> Result<T, FieldError> {
        value.ok_or_else(|| FieldError {
            path: self.path_for_missing(key),
            problem: DecodeProblem::Missing,
        })
    }

    /// An optional field, converted by `convert`.
    pub fn opt<T>(
        &self,
        key: &str,
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, FieldError> {
        self.read(key, expected, convert)
    }

    /// A required field, converted by `convert`.
    pub fn req<T>(
        &self,
        key: &str,
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Result<T, FieldError> {
        let value = self.read(key, expected, convert)?;
        self.required(key, value)
    }

    /// An optional field read with the first key present among `keys`.
    pub fn opt_any<T>(
        &self,
        keys: &[&str],
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T> + Copy,
    ) -> Result<Option<T>, FieldError> {
        for key in keys {
            if let Some(v) = self.read(key, expected, convert)? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    /// A required string (numbers are taken as their digits).
    #[allow(dead_code)]
    pub fn req_text(&self, key: &str) -> Result<String, FieldError> {
        self.req(key, "a string", text_of)
    }

    /// An optional string; an empty string reads as absent.
    pub fn opt_text(&self, key: &str) -> Result<Option<String>, FieldError> {
        Ok(self
            .read(key, "a string", text_of)?
            .filter(|s| !s.is_empty()))
    }

    /// A required exact amount.
    pub fn req_decimal(&self, key: &str) -> Result<Decimal, FieldError> {
        self.req(key, "a decimal amount", decimal_of)
    }

    /// An optional exact amount.
    pub fn opt_decimal(&self, key: &str) -> Result<Option<Decimal>, FieldError> {
        self.read(key, "a decimal amount", decimal_of)
    }

    /// An optional nested object.
    pub fn opt_object(&self, key: &str) -> Result<Option<Fields<'a>>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some((Value::Object(map), path)) => Ok(Some(Fields::object(map, &format!("{path}.")))),
            Some((_, path)) => Err(FieldError {
                path,
                problem: DecodeProblem::Invalid {
                    expected: "an object",
                },
            }),
        }
    }

    /// Every field not named in `known` (nor an envelope field), `data`
    /// winning over the top level: what this SDK does not model, kept, with
    /// any secret-named field inside it redacted (see [`redact_secrets`]).
    pub fn extra(&self, known: &[&str]) -> Map<String, Value> {
        const ENVELOPE: [&str; 5] = [
            "error",
            "errMessage",
            "errorMessage",
            "apiMessageForDevelopers",
            "data",
        ];
        let mut extra = Map::new();
        for (map, _) in [&self.fallback, &self.primary].into_iter().flatten() {
            for (key, value) in map.iter() {
                if !known.contains(&key.as_str()) && !ENVELOPE.contains(&key.as_str()) {
                    let mut value = value.clone();
                    if is_secret_key(key) {
                        redact(&mut value);
                    } else {
                        redact_secrets(&mut value);
                    }
                    extra.insert(key.clone(), value);
                }
            }
        }
        extra
    }
}

/// Field names that hold a secret wherever they appear: card numbers, CVCs,
/// card tokens, SMS codes, the shop's secret. No documented response carries
/// one, but the unmodelled fields of a response are kept and printed with
/// `Debug`, so a secret OCTO echoed back one day would reach a log.
const SECRET_KEYS: [&str; 13] = [
    "pan",
    "cardnumber",
    "cardtoken",
    "token",
    "cvc",
    "cvc2",
    "cvv",
    "cvv2",
    "octosecret",
    "secret",
    "smskey",
    "smscode",
    "otp",
];

/// Compares case-insensitively and ignoring `_` and `-`, so that `card_token`,
/// `cardToken` and `CARD-TOKEN` all match.
fn is_secret_key(key: &str) -> bool {
    let normal: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_KEYS.contains(&normal.as_str())
}

fn redact(value: &mut Value) {
    if !value.is_null() {
        *value = Value::String("[REDACTED]".to_owned());
    }
}

/// Replaces the value of every secret-named field, at any depth.
fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) {
                    redact(inner);
                } else {
                    redact_secrets(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals_keep_their_digits() {
        for text in ["103.33", "980.0000", "1", "10000000.5", "0.0001"] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(decimal_of(&value).unwrap().to_string(), text);
        }
        assert_eq!(decimal_of(&json!("12.50")).unwrap().to_string(), "12.50");
        let exp: Value = serde_json::from_str("1e3").unwrap();
        assert_eq!(decimal_of(&exp).unwrap(), Decimal::from(1000));
        assert_eq!(decimal_of(&json!(true)), None);
    }

    #[test]
    fn data_wins_over_top_level_and_paths_are_named() {
        let root = json!({"error":0,"data":{"a":"inner"},"a":"outer","b":"top","c":[1]});
        let map = root.as_object().unwrap();
        let f = Fields::envelope(map);
        assert_eq!(f.req_text("a").unwrap(), "inner");
        assert_eq!(f.req_text("b").unwrap(), "top");
        let err = f.req_text("c").unwrap_err();
        assert_eq!(err.path, "c");
        let err = f.req_text("zzz").unwrap_err();
        assert_eq!(err.path, "data.zzz");
        assert_eq!(err.problem, DecodeProblem::Missing);
        let extra = f.extra(&["a"]);
        assert_eq!(extra.keys().collect::<Vec<_>>(), vec!["b", "c"]);
    }

    #[test]
    fn secrets_in_unmodelled_fields_are_redacted() {
        let root = json!({"error":0,"data":{
            "cardToken":"tok-123","note":"kept",
            "details":{"pan":"4111111111111111","list":[{"sms_key":"61135"}],"saveToken":null},
            "CVC2":"739"}});
        let map = root.as_object().unwrap();
        let extra = Fields::envelope(map).extra(&[]);
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
}
