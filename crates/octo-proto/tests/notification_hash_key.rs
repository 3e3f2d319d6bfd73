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
    CallbackLimits, Notification, SchemeName, SignatureScheme, SignedFields,
};
use octo_proto::{NotificationKey, PaymentStatus};
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
