//! A payment notification that carries no `hash_key`.
//!
//! The `unique_key` formula does not sign `hash_key`, so a notification
//! without one (the key left out, or sent as `null`) is as genuine as one
//! with it and must verify: refusing it makes OCTO retry and then give up,
//! and the shop loses the callback. The secret formula signs `hash_key` and
//! cannot be checked without it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use octo_proto::callback::{
    CallbackError, CallbackLimits, Notification, SchemeName, SignatureScheme, SignedFields,
    VerifiedNotification,
};
use octo_proto::{DecodeProblem, NotificationKey, OctoSecret, PaymentStatus};
use serde_json::{Value, json};

const UUID: &str = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const KEY: &str = "unique-key-for-hash-key-tests";

fn unique_key() -> SignatureScheme {
    SignatureScheme::UniqueKey(NotificationKey::new(KEY))
}

fn post(body: &Value) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method("POST")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .unwrap()
}

/// A notification signed by `scheme` over `hash_key_signed`, its body
/// carrying `hash_key` as `sent` (`None`: no `hash_key` member at all).
fn body(scheme: &SignatureScheme, hash_key_signed: &str, sent: Option<Value>) -> Value {
    let signature = scheme.sign(&SignedFields {
        octo_payment_uuid: UUID,
        status: "succeeded",
        hash_key: hash_key_signed,
    });
    let mut body = json!({
        "shop_transaction_id": "order-hk",
        "octo_payment_UUID": UUID,
        "status": "succeeded",
        "signature": signature,
        "total_sum": 1500,
    });
    if let Some(sent) = sent {
        body["hash_key"] = sent;
    }
    body
}

/// The two ways a notification can carry no `hash_key`.
fn without_hash_key(scheme: &SignatureScheme, signed_over: &str) -> [(&'static str, Value); 2] {
    [
        ("left out", body(scheme, signed_over, None)),
        ("null", body(scheme, signed_over, Some(Value::Null))),
    ]
}

#[test]
fn a_unique_key_notification_without_hash_key_verifies() {
    let limits = CallbackLimits::default();
    for (how, body) in without_hash_key(&unique_key(), "") {
        let verified = Notification::parse_verified(&post(&body), &unique_key(), &limits)
            .unwrap_or_else(|e| panic!("hash_key {how}: {e:?}"));
        assert_eq!(verified.signed_with(), SchemeName::UniqueKey, "{how}");
        assert_eq!(verified.status, PaymentStatus::Succeeded, "{how}");
        assert_eq!(verified.shop_transaction_id.as_str(), "order-hk", "{how}");
        assert!(verified.hash_key.is_empty(), "{how}: {verified:?}");
        assert!(verified.extra.is_empty(), "{how}: {:?}", verified.extra);
        assert!(verified.warnings().is_empty(), "{how}");

        // The two-step way in agrees.
        let unverified = Notification::parse_unverified(&post(&body), &limits)
            .unwrap_or_else(|e| panic!("hash_key {how}, unverified: {e:?}"));
        let two_step = unverified.verify(&unique_key()).unwrap();
        assert_eq!(two_step, verified, "{how}");
    }
}

fn secret() -> SignatureScheme {
    SignatureScheme::SecretAndHashKey(OctoSecret::new(SECRET))
}

fn either() -> SignatureScheme {
    SignatureScheme::either(NotificationKey::new(KEY), OctoSecret::new(SECRET))
}

const SECRET: &str = "octo-secret-for-hash-key-tests";

/// Both ways in: `parse_verified`, and `parse_unverified` then `verify`.
fn both_ways(
    body: &Value,
    scheme: &SignatureScheme,
    limits: &CallbackLimits,
) -> [Result<VerifiedNotification, CallbackError>; 2] {
    [
        Notification::parse_verified(&post(body), scheme, limits),
        Notification::parse_unverified(&post(body), limits).and_then(|u| u.verify(scheme)),
    ]
}

fn missing_hash_key() -> CallbackError {
    CallbackError::Field {
        path: "hash_key".to_owned(),
        problem: DecodeProblem::Missing,
    }
}

#[test]
fn the_secret_formula_still_refuses_a_notification_without_hash_key() {
    // Signed as the secret formula would be over an empty salt: without
    // the salt on the wire it cannot be checked, and is not checked with an
    // empty one in its place.
    for scheme in [secret(), either()] {
        for (how, body) in without_hash_key(&secret(), "") {
            for got in both_ways(&body, &scheme, &CallbackLimits::default()) {
                let err = got.unwrap_err();
                assert_eq!(
                    err,
                    missing_hash_key(),
                    "{:?}, hash_key {how}",
                    scheme.name()
                );
                assert_eq!(err.status(), 400);
            }
        }
    }
    // The same signature with the empty salt on the wire is taken as sent.
    let body = body(&secret(), "", Some(json!("")));
    for scheme in [secret(), either()] {
        for got in both_ways(&body, &scheme, &CallbackLimits::default()) {
            assert_eq!(got.unwrap().signed_with(), SchemeName::SecretAndHashKey);
        }
    }
}

#[test]
fn either_verifies_a_notification_without_hash_key_by_the_unique_key_formula_only() {
    for (how, body) in without_hash_key(&unique_key(), "") {
        for got in both_ways(&body, &either(), &CallbackLimits::default()) {
            let verified = got.unwrap_or_else(|e| panic!("hash_key {how}: {e:?}"));
            assert_eq!(verified.signed_with(), SchemeName::UniqueKey, "{how}");
        }
    }
}

#[test]
fn a_forged_notification_without_hash_key_is_still_refused() {
    let stranger = SignatureScheme::UniqueKey(NotificationKey::new("not-the-key"));
    for (how, body) in without_hash_key(&stranger, "") {
        for got in both_ways(&body, &unique_key(), &CallbackLimits::default()) {
            let err = got.unwrap_err();
            assert!(err.is_signature_failure(), "hash_key {how}: {err:?}");
            assert_eq!(err.status(), 401);
        }
        // Under `Either` the secret formula could not be checked at all.
        for got in both_ways(&body, &either(), &CallbackLimits::default()) {
            assert_eq!(got.unwrap_err(), missing_hash_key(), "hash_key {how}");
        }
    }
    // The status is still signed.
    let mut body = body(&unique_key(), "", None);
    body["status"] = json!("canceled");
    for got in both_ways(&body, &unique_key(), &CallbackLimits::default()) {
        assert!(got.unwrap_err().is_signature_failure());
    }
}

#[test]
fn a_strict_shop_can_still_require_hash_key() {
    let strict = CallbackLimits::default().with_hash_key_required(true);
    assert!(strict.hash_key_required());
    assert!(!CallbackLimits::default().hash_key_required());
    for scheme in [unique_key(), either()] {
        for (how, body) in without_hash_key(&unique_key(), "") {
            for got in both_ways(&body, &scheme, &strict) {
                assert_eq!(got.unwrap_err(), missing_hash_key(), "hash_key {how}");
            }
        }
        let with_it = body(&unique_key(), "", Some(json!("salt-1")));
        for got in both_ways(&with_it, &scheme, &strict) {
            assert_eq!(got.unwrap().hash_key, "salt-1");
        }
    }
}

#[test]
fn a_hash_key_that_is_not_a_string_is_refused_as_before() {
    for odd in [json!(17), json!(["salt"]), json!({"k": 1}), json!(true)] {
        let body = body(&unique_key(), "", Some(odd.clone()));
        for got in both_ways(&body, &unique_key(), &CallbackLimits::default()) {
            let err = got.unwrap_err();
            assert!(
                matches!(&err, CallbackError::Field { path, problem: DecodeProblem::Invalid { .. } } if path == "hash_key"),
                "{odd}: {err:?}"
            );
        }
    }
}

#[test]
fn the_unverified_form_says_whether_hash_key_came() {
    let limits = CallbackLimits::default();
    for (how, body) in without_hash_key(&unique_key(), "") {
        let unverified = Notification::parse_unverified(&post(&body), &limits).unwrap();
        assert!(!unverified.hash_key_sent(), "{how}");
        assert_eq!(unverified.signed_fields().hash_key, "", "{how}");
    }
    for sent in ["", "salt-2"] {
        let body = body(&unique_key(), "", Some(json!(sent)));
        let unverified = Notification::parse_unverified(&post(&body), &limits).unwrap();
        assert!(unverified.hash_key_sent(), "{sent:?}");
        assert_eq!(unverified.signed_fields().hash_key, sent);
    }
}
