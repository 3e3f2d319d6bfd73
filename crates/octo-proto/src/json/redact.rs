//! Secrets that might hide in the unmodelled fields of a response.

use serde_json::Value;

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
pub(crate) fn is_secret_key(key: &str) -> bool {
    let normal: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_KEYS.contains(&normal.as_str())
}

pub(crate) fn redact(value: &mut Value) {
    if !value.is_null() {
        *value = Value::String("[REDACTED]".to_owned());
    }
}

/// Replaces the value of every secret-named field, at any depth.
pub(crate) fn redact_secrets(value: &mut Value) {
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
