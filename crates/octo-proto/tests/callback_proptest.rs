//! Properties of the callback parsers: no input makes them panic, every
//! refusal maps to a 4xx, signatures hold exactly for what was signed, and
//! amounts survive the trip exactly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod notification_fields;

use notification_fields::{OPTIONAL_FIELDS, REQUIRED_FIELDS, SALT_FIELD};
use octo_proto::callback::{
    CallbackError, CallbackLimits, Notification, SchemeName, SignatureScheme, SignedFields,
    TokenizationCallback, check_request_head,
};
use octo_proto::{Decimal, NotificationKey, OctoSecret, PaymentStatus};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn methods() -> impl Strategy<Value = http::Method> {
    prop_oneof![
        4 => Just(http::Method::POST),
        1 => Just(http::Method::GET),
        1 => Just(http::Method::PUT),
        1 => "[A-Z]{1,8}".prop_map(|m| http::Method::from_bytes(m.as_bytes()).unwrap()),
    ]
}

fn header_values() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"application/json".to_vec()),
        Just(b"application/json; charset=utf-8".to_vec()),
        Just(b"text/plain".to_vec()),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

fn requests() -> impl Strategy<Value = http::Request<Vec<u8>>> {
    (
        methods(),
        proptest::option::of(header_values()),
        proptest::option::of(header_values()),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(method, content_type, content_length, body)| {
            let mut request = http::Request::new(body);
            *request.method_mut() = method;
            for (name, value) in [
                (http::header::CONTENT_TYPE, content_type),
                (http::header::CONTENT_LENGTH, content_length),
            ] {
                if let Some(value) = value.and_then(|v| http::HeaderValue::from_bytes(&v).ok()) {
                    request.headers_mut().insert(name, value);
                }
            }
            request
        })
}

fn json_values() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
        "-?(0|[1-9][0-9]{0,29})(\\.[0-9]{1,30})?".prop_map(|n| serde_json::from_str(&n).unwrap()),
    ];
    nested(leaf, 3)
}

/// OCTO's field names, secret-named ones and others.
fn keys() -> Vec<&'static str> {
    let others = [
        "pan",
        "exp",
        "cardHolderName",
        "card_token",
        "other",
        "data",
        SALT_FIELD,
    ];
    [&REQUIRED_FIELDS[..], &OPTIONAL_FIELDS[..], &others[..]].concat()
}

/// Objects with OCTO's field names and any values in them.
fn callback_like_bodies() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::btree_map(proptest::sample::select(keys()), json_values(), 0..12)
        .prop_map(|m| {
            let map: Map<String, Value> = m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            serde_json::to_vec(&Value::Object(map)).unwrap()
        })
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
        "-?[0-9]{1,12}([.,][0-9]{0,6})?".prop_map(Value::String),
    ];
    nested(leaf, 4)
}

/// `leaf` values in arrays and objects, two levels deep, at most
/// `width - 1` items a level.
fn nested(
    leaf: impl Strategy<Value = Value> + 'static,
    width: usize,
) -> impl Strategy<Value = Value> {
    let size = u32::try_from(width).unwrap();
    leaf.prop_recursive(2, 8, size, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..width).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,5}", inner, 0..width)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn schemes() -> [SignatureScheme; 3] {
    [
        SignatureScheme::UniqueKey(NotificationKey::new("prop-key")),
        SignatureScheme::SecretAndHashKey(OctoSecret::new("prop-secret")),
        SignatureScheme::either(
            NotificationKey::new("prop-key"),
            OctoSecret::new("prop-secret"),
        ),
    ]
}

fn check_never_panics(request: &http::Request<Vec<u8>>, limits: &CallbackLimits) {
    for scheme in &schemes() {
        if let Err(e) = Notification::parse_verified(request, scheme, limits) {
            assert!(e.reply().status().is_client_error(), "{e:?}");
        }
    }
    match Notification::parse_unverified(request, limits) {
        Ok(unverified) => {
            let _ = unverified.verify(&schemes()[0]);
        }
        Err(e) => assert!(e.status().is_client_error(), "{e:?}"),
    }
    if let Err(e) = TokenizationCallback::parse(request, limits) {
        assert!(e.reply().status().is_client_error(), "{e:?}");
    }
    let _ = check_request_head(request.method(), request.headers(), limits);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_requests_never_panic(request in requests(), limit in 0usize..400) {
        check_never_panics(&request, &CallbackLimits::default());
        check_never_panics(&request, &CallbackLimits::new().with_max_body_bytes(limit));
    }

    #[test]
    fn callback_shaped_bodies_never_panic(body in callback_like_bodies()) {
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        check_never_panics(&request, &CallbackLimits::default());
    }

    #[test]
    fn signed_notifications_verify_and_amounts_stay_exact(
        uuid in "[0-9a-f-]{1,40}",
        status in "[a-z_]{1,24}",
        hash_key in "\\PC{0,30}",
        mantissa in any::<i64>(),
        scale in 0u32..=8,
    ) {
        let total = Decimal::new(mantissa, scale);
        for scheme in &schemes() {
            let mut sent = Notification::new(
                "order-p".parse().unwrap(),
                uuid.parse().unwrap(),
                PaymentStatus::parse(&status),
            );
            sent.total_sum = Some(total);
            let sent = sent.sign(scheme, hash_key.clone());
            let request = sent.to_request("https://shop.example/n".parse().unwrap());
            let got = Notification::parse_verified(&request, scheme, &CallbackLimits::default()).unwrap();
            prop_assert_eq!(got.total_sum.map(|d| d.to_string()), Some(total.to_string()));
            prop_assert_eq!(got.notification(), &sent);
            prop_assert!(got.warnings().is_empty());
        }
    }

    /// `Either` accepts a signature exactly when one of its two formulas
    /// does, names that formula, and refuses the rest as `Either`.
    #[test]
    fn either_accepts_exactly_what_one_formula_accepts(
        uuid in "\\PC{1,40}",
        status in "\\PC{1,24}",
        hash_key in "\\PC{0,30}",
        signer_key in prop_oneof![Just("prop-key"), Just("prop-secret"), Just("stranger")],
        by_secret in any::<bool>(),
    ) {
        let fields = SignedFields { octo_payment_uuid: &uuid, status: &status, hash_key: &hash_key };
        let signer = if by_secret {
            SignatureScheme::SecretAndHashKey(OctoSecret::new(signer_key))
        } else {
            SignatureScheme::UniqueKey(NotificationKey::new(signer_key))
        };
        let signature = signer.sign(&fields);
        let [unique, secret, either] = schemes();
        let expected = match (unique.verify(&fields, &signature), secret.verify(&fields, &signature)) {
            (Ok(name), _) | (_, Ok(name)) => Ok(name),
            _ => Err(CallbackError::BadSignature { scheme: SchemeName::Either }),
        };
        prop_assert_eq!(either.verify(&fields, &signature), expected.clone());
        // Only the keys the scheme holds sign for it.
        let holds_the_key = matches!((by_secret, signer_key), (false, "prop-key") | (true, "prop-secret"));
        prop_assert_eq!(expected.is_ok(), holds_the_key);
    }

    /// A notification whose signature verifies is never refused over an
    /// optional field, whatever JSON it holds; the odd ones are reported.
    #[test]
    fn genuine_notifications_are_never_refused_over_optional_fields(
        fields in prop::collection::btree_map(
            proptest::sample::select(OPTIONAL_FIELDS.to_vec()),
            json_value(),
            0..12,
        ),
        content_type in prop::option::of("[ -~]{0,40}"),
    ) {
        for scheme in &schemes() {
            let mut sent = Notification::new(
                "order-l".parse().unwrap(),
                "uuid-l".parse().unwrap(),
                PaymentStatus::Succeeded,
            );
            for (key, value) in &fields {
                sent.extra.insert((*key).to_owned(), value.clone());
            }
            let mut request = sent
                .sign(scheme, "hk")
                .to_request("https://shop.example/n".parse().unwrap());
            request.headers_mut().remove("content-type");
            if let Some(ct) = content_type.as_deref().and_then(|c| http::HeaderValue::from_str(c).ok()) {
                request.headers_mut().insert("content-type", ct);
            }
            let got = Notification::parse_verified(&request, scheme, &CallbackLimits::default());
            let got = got.map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
            for warning in got.warnings() {
                prop_assert!(OPTIONAL_FIELDS.contains(&warning.field));
                prop_assert!(fields.contains_key(warning.field));
            }
        }
    }

    #[test]
    fn changing_one_signature_digit_fails(
        uuid in "[0-9a-f-]{1,40}",
        status in "[a-z_]{1,24}",
        position in 0usize..40,
        replacement in proptest::sample::select(b"0123456789ABCDEFabcdef".to_vec()),
    ) {
        for scheme in &schemes() {
            let fields = SignedFields { octo_payment_uuid: &uuid, status: &status, hash_key: "hk" };
            let good = scheme.sign(&fields);
            prop_assert!(scheme.verify(&fields, &good.to_ascii_lowercase()).is_ok());
            let mut bytes = good.clone().into_bytes();
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            let same_digit = changed.eq_ignore_ascii_case(&good);
            prop_assert_eq!(scheme.verify(&fields, &changed).is_ok(), same_digit);
        }
    }
}
