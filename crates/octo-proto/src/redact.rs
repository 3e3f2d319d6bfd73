//! Keeping secrets out of printed bodies: one redaction for every JSON body
//! or map this crate prints (`RawBody`, the unmodelled fields of responses
//! and callbacks, OCTO's error messages).
//!
//! Two rules, applied together:
//! - a field whose name says it holds a secret ([`is_secret_key`]: card
//!   numbers, CVCs, expiries, holder names, card tokens, SMS codes, the
//!   shop's secret and keys) has its value replaced by `[REDACTED]`, at any
//!   depth, in objects and arrays;
//! - in every other string (and number), a run of twelve or more digits,
//!   which could be a card number under any name or inside a sentence, is
//!   masked like a card number ([`mask_card_number`]).
//!
//! A body that is not JSON is printed as its size and kind only: there is no
//! telling where a secret sits in it.

use std::borrow::Cow;

use serde_json::Value;

use crate::card_number::mask_card_number;

/// Field names that hold a secret wherever they appear, compared after
/// [`normal_key`]. No documented response carries one, but bodies and the
/// unmodelled fields of a response are kept and printed with `Debug`, so a
/// secret OCTO echoed back one day would reach a log.
const SECRET_KEYS: [&str; 33] = [
    // Card numbers.
    "pan",
    "cardnumber",
    "cardpan",
    // Card security codes.
    "cvc",
    "cvc2",
    "cvv",
    "cvv2",
    "securitycode",
    // Expiries.
    "exp",
    "expdate",
    "expiry",
    "expirydate",
    "expirationdate",
    "cardexp",
    "cardexpiry",
    // Holder names.
    "cardholdername",
    "cardholder",
    "holdername",
    "holder",
    "cardowner",
    "ownername",
    // Card tokens.
    "cardtoken",
    "token",
    // SMS codes.
    "smskey",
    "smscode",
    "otp",
    // The shop's secret and keys.
    "octosecret",
    "secret",
    "uniquekey",
    "notificationkey",
    "notifykey",
    "password",
    "apikey",
];

/// The key lower-cased, without `_` and `-`: `card_token`, `cardToken` and
/// `CARD-TOKEN` all read `cardtoken`.
fn normal_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a field of this name holds a secret.
pub(crate) fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.contains(&normal_key(key).as_str())
}

/// Replaces a secret field's value (a `null` stays `null`: nothing to hide).
pub(crate) fn redact(value: &mut Value) {
    if !value.is_null() {
        *value = Value::String("[REDACTED]".to_owned());
    }
}

/// Replaces the value of every secret-named field, at any depth. Used on
/// the unmodelled fields a response keeps: other values stay as received.
pub(crate) fn redact_secrets(value: &mut Value) {
    walk(value, &mut |_| {});
}

/// The value made safe to print: secret-named fields redacted and long
/// digit runs masked, at any depth.
pub(crate) fn redact_for_print(value: &mut Value) {
    walk(value, &mut |leaf| match leaf {
        Value::String(text) => {
            if let Cow::Owned(masked) = mask_digit_runs(text) {
                *text = masked;
            }
        }
        Value::Number(number) => {
            let text = number.to_string();
            if let Cow::Owned(masked) = mask_digit_runs(&text) {
                *leaf = Value::String(masked);
            }
        }
        _ => {}
    });
}

/// Redacts every secret-named field at any depth and hands every other
/// scalar (string, number, bool, null) to `leaf`.
fn walk(value: &mut Value, leaf: &mut impl FnMut(&mut Value)) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) {
                    redact(inner);
                } else {
                    walk(inner, leaf);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk(item, leaf)),
        _ => leaf(value),
    }
}

/// A copy of `value` safe to print or log: every secret-named field
/// (card numbers, CVCs, expiries, holder names, card tokens, SMS codes, the
/// shop's secret and keys) replaced by `"[REDACTED]"` at any depth, and every
/// run of twelve or more digits elsewhere masked like a card number (at most
/// the first six and last four, never more than half of the digits).
///
/// This is the rule every `Debug` of a body in this crate follows; tools that
/// print a notification or a response as JSON use it too.
///
/// ```
/// use serde_json::json;
/// let shown = octo_proto::redacted(&json!({
///     "pan": "9860240101226506", "note": "card 9860240101226506", "rrn": "1234"
/// }));
/// assert_eq!(shown, json!({
///     "pan": "[REDACTED]", "note": "card 9860********6506", "rrn": "1234"
/// }));
/// ```
pub fn redacted(value: &Value) -> Value {
    let mut copy = value.clone();
    redact_for_print(&mut copy);
    copy
}

/// A map (a callback's unmodelled fields, say) as JSON text safe to print.
pub(crate) fn printable_map(map: &serde_json::Map<String, Value>) -> String {
    let mut value = Value::Object(map.clone());
    redact_for_print(&mut value);
    value.to_string()
}

/// A body as text safe to print: JSON redacted ([`redact_for_print`]), and
/// anything else described by its size and kind only.
pub(crate) fn printable_body(bytes: &[u8]) -> String {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return format!("<empty, {} bytes>", bytes.len());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut value) => {
            redact_for_print(&mut value);
            value.to_string()
        }
        Err(_) => {
            let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
            let kind = match (first, std::str::from_utf8(bytes).is_ok()) {
                (Some(b'<'), true) => "HTML or XML",
                (Some(b'{' | b'['), true) => "broken JSON",
                (_, true) => "text",
                (_, false) => "binary",
            };
            format!("<{} bytes of {kind}, not shown>", bytes.len())
        }
    }
}

/// Masks every run of twelve or more digits (digits possibly grouped by
/// single spaces or dashes, as card numbers are written) the way a card
/// number is masked. Borrowed back when there is nothing to mask.
pub(crate) fn mask_digit_runs(text: &str) -> Cow<'_, str> {
    const LONGEST_SHOWN: usize = 11;
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut at = 0;
    while let Some(&c) = chars.get(at) {
        if !c.is_ascii_digit() {
            out.push(c);
            at += 1;
            continue;
        }
        // The run: digits, with single separators between digits.
        let start = at;
        let mut end = at;
        let mut digits = 0;
        while let Some(&d) = chars.get(end) {
            if d.is_ascii_digit() {
                digits += 1;
                end += 1;
            } else if matches!(d, ' ' | '-') && chars.get(end + 1).is_some_and(char::is_ascii_digit)
            {
                end += 1;
            } else {
                break;
            }
        }
        let run = chars.get(start..end).unwrap_or_default();
        if digits > LONGEST_SHOWN {
            changed = true;
            let only: String = run.iter().filter(|c| c.is_ascii_digit()).collect();
            let mut masked = mask_card_number(&only).into_bytes().into_iter();
            for c in run {
                if c.is_ascii_digit() {
                    out.push(masked.next().map_or('*', char::from));
                } else {
                    out.push(*c);
                }
            }
        } else {
            out.extend(run);
        }
        at = end;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn long_digit_runs_are_masked_wherever_they_are() {
        assert_eq!(
            mask_digit_runs("card 9860240101226506 ok"),
            "card 9860********6506 ok"
        );
        assert_eq!(
            mask_digit_runs("9860 2401 0122 6506"),
            "9860 **** **** 6506"
        );
        assert_eq!(
            mask_digit_runs("4278-3100-1234-3018."),
            "4278-****-****-3018."
        );
        assert_eq!(
            mask_digit_runs("HTTP 500, 125000.00 UZS, id 12345678901"),
            "HTTP 500, 125000.00 UZS, id 12345678901"
        );
        assert!(matches!(mask_digit_runs("no digits"), Cow::Borrowed(_)));
        assert_eq!(mask_digit_runs("123456789012"), "12******9012");
    }

    #[test]
    fn bodies_print_redacted() {
        let body = br#"{"a":{"cardHolderName":"X Y","list":[{"exp":"2805"}],"n":9860240101226506,"s":"9860240101226506"},"ok":1}"#;
        let shown = printable_body(body);
        assert!(!shown.contains("X Y") && !shown.contains("2805"), "{shown}");
        assert!(!shown.contains("9860240101226506"), "{shown}");
        assert!(shown.contains("\"ok\":1"), "{shown}");
        assert_eq!(
            printable_body(b"<html>9860240101226506</html>"),
            "<29 bytes of HTML or XML, not shown>"
        );
        assert_eq!(printable_body(b""), "<empty, 0 bytes>");
        assert_eq!(
            printable_body(&[0xff, 0xfe]),
            "<2 bytes of binary, not shown>"
        );
    }
}
