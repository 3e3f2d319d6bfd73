//! Random JSON bodies with secrets planted at any depth, under any spelling
//! of a secret field's name, or as card numbers inside ordinary text: the
//! printed body (`RawBody`'s `Debug`, `octo_proto::redacted`) never shows one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use octo_proto::RawBody;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Secret field names as OCTO or a proxy might spell them.
const SECRET_NAMES: [&str; 16] = [
    "pan",
    "card_number",
    "cardNumber",
    "cvc2",
    "CVV",
    "exp",
    "expDate",
    "card_holder_name",
    "cardHolderName",
    "holderName",
    "card_token",
    "cardToken",
    "smsKey",
    "sms_code",
    "octo_secret",
    "unique_key",
];

/// A secret value: a marker no ordinary value contains.
fn secret() -> impl Strategy<Value = String> {
    "[a-z]{4}".prop_map(|s| format!("SECRET{s}"))
}

/// A card number of 12 to 19 digits.
fn card_number() -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..=9, 12..=19)
        .prop_map(|d| d.iter().map(|d| char::from(b'0' + d)).collect())
}

/// A body of nested objects and arrays with secrets in it; the planted
/// secrets and card numbers are returned beside it.
fn body() -> impl Strategy<Value = (Value, Vec<String>)> {
    let leaf = prop_oneof![
        (prop::sample::select(&SECRET_NAMES[..]), secret()).prop_map(|(k, v)| (
            Value::Object(Map::from_iter([(k.to_owned(), v.clone().into())])),
            vec![v]
        )),
        card_number().prop_map(|n| (Value::String(format!("paid with {n}.")), vec![n])),
        // A card number sent as a JSON number (no leading zero there).
        card_number().prop_map(|n| {
            let n = format!("4{}", n.get(1..).unwrap());
            (serde_json::from_str::<Value>(&n).unwrap(), vec![n])
        }),
        "[a-z ]{0,12}".prop_map(|s| (Value::String(s), vec![])),
        any::<i32>().prop_map(|n| (Value::from(n), vec![])),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(|items| {
                let mut planted = Vec::new();
                let values = items
                    .into_iter()
                    .map(|(v, p)| {
                        planted.extend(p);
                        v
                    })
                    .collect();
                (Value::Array(values), planted)
            }),
            proptest::collection::vec(("[a-z]{1,8}", inner), 0..6).prop_map(|fields| {
                let mut planted = Vec::new();
                let mut map = Map::new();
                for (key, (value, p)) in fields {
                    // A plain key may collide with a secret name
                    // (`pan`, `exp`): then the value is redacted anyway.
                    planted.extend(p);
                    map.insert(key, value);
                }
                (Value::Object(map), planted)
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn printed_bodies_never_show_planted_secrets((value, planted) in body()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        let shown = format!("{:?}", RawBody::new(bytes.clone()));
        let redacted = octo_proto::redacted(&value).to_string();
        for secret in &planted {
            prop_assert!(!shown.contains(secret.as_str()), "{} in {}", secret, shown);
            prop_assert!(!redacted.contains(secret.as_str()), "{} in {}", secret, redacted);
        }
        // The body itself is kept byte for byte.
        let kept = RawBody::new(bytes.clone());
        prop_assert_eq!(kept.as_bytes(), bytes.as_slice());
    }

    #[test]
    fn bodies_that_are_not_json_show_only_their_size(text in "[ -~]{0,200}", n in card_number()) {
        let body = format!("<html>{text} {n}</html>");
        let shown = format!("{:?}", RawBody::new(body.clone()));
        prop_assert!(!shown.contains(n.as_str()), "{}", shown);
        prop_assert!(shown.contains(&body.len().to_string()), "{}", shown);
    }
}
