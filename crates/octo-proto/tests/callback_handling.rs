//! Callback behaviour beyond the fixtures: size limits, replies, the sign
//! helper a sandbox uses, and secrets kept out of every printed form.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod notification_fields;

use notification_fields::{OPTIONAL_FIELDS, REQUIRED_FIELDS, SALT_FIELD};
use octo_proto::callback::{
    CallbackError, CallbackLimits, CallbackPan, Notification, NotificationReply, SignatureScheme,
    TokenizationCallback, TokenizationReply,
};
use octo_proto::{CardExpiry, CardToken, Decimal, NotificationKey, PaymentStatus, TokenStatus};
use serde_json::{Value, json};

const PAN: &str = "8600312990314318";
const TOKEN: &str = "tok-very-secret-4f9a1c";
const KEY: &str = "unique-key-never-printed";

fn scheme() -> SignatureScheme {
    SignatureScheme::UniqueKey(NotificationKey::new(KEY))
}

fn post(body: Vec<u8>) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method("POST")
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
}

fn signed(status: PaymentStatus) -> Notification {
    let mut n = Notification::new(
        "order-9".parse().unwrap(),
        "uuid-9".parse().unwrap(),
        status,
    );
    n.total_sum = Some(Decimal::new(100_000, 2));
    n.sign(&scheme(), "salt-9")
}

#[test]
fn the_default_limit_is_64_kib_and_applies_to_the_real_body() {
    assert_eq!(CallbackLimits::default().max_body_bytes(), 64 * 1024);
    let mut n = signed(PaymentStatus::Succeeded);
    n.extra
        .insert("padding".into(), json!("x".repeat(64 * 1024)));
    let request = n.to_request("https://shop.example/n".parse().unwrap());
    let err =
        Notification::parse_verified(&request, &scheme(), &CallbackLimits::default()).unwrap_err();
    assert!(
        matches!(err, CallbackError::BodyTooLarge { limit: 65536, size } if size > 65536),
        "{err:?}"
    );
    assert_eq!(err.reply().status(), 413);
    let roomy = CallbackLimits::new().with_max_body_bytes(1 << 20);
    assert!(Notification::parse_verified(&request, &scheme(), &roomy).is_ok());
}

#[test]
fn the_sandbox_helper_builds_what_the_parser_accepts() {
    let sent = signed(PaymentStatus::WaitingForCapture);
    assert_eq!(sent.signature.len(), 40);
    assert_eq!(sent.signature, sent.signature.to_ascii_uppercase());
    let request = sent.to_request("https://shop.example/octo/notify".parse().unwrap());
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri().path(), "/octo/notify");
    assert_eq!(request.headers()["content-type"], "application/json");
    // The amount goes out as a JSON number with its digits.
    let text = String::from_utf8(request.body().clone()).unwrap();
    assert!(text.contains("\"total_sum\":1000.00"), "{text}");

    let got =
        Notification::parse_verified(&request, &scheme(), &CallbackLimits::default()).unwrap();
    assert_eq!(*got.notification(), sent);
    assert!(got.warnings().is_empty());
    assert!(got.awaits_decision());
    // A different key refuses it.
    let other = SignatureScheme::UniqueKey(NotificationKey::new("another key"));
    let err =
        Notification::parse_verified(&request, &other, &CallbackLimits::default()).unwrap_err();
    assert!(err.is_signature_failure());
}

#[test]
fn a_duplicate_delivery_parses_to_the_same_notification() {
    let request =
        signed(PaymentStatus::Succeeded).to_request("https://s.example/n".parse().unwrap());
    let limits = CallbackLimits::default();
    let first = Notification::parse_verified(&request, &scheme(), &limits).unwrap();
    let second = Notification::parse_verified(&request, &scheme(), &limits).unwrap();
    assert_eq!(first, second);
}

#[test]
fn an_unverified_notification_can_be_peeked_at_but_not_trusted() {
    let forged = signed(PaymentStatus::Succeeded);
    let mut body: Value = serde_json::from_slice(
        forged
            .to_request("https://s.example/n".parse().unwrap())
            .body(),
    )
    .unwrap();
    body["status"] = json!("refunded");
    let request = post(serde_json::to_vec(&body).unwrap());
    let unverified = Notification::parse_unverified(&request, &CallbackLimits::default()).unwrap();
    assert_eq!(unverified.peek_unverified().status, PaymentStatus::Refunded);
    assert_eq!(unverified.signed_fields().status, "refunded");
    assert!(
        unverified
            .verify(&scheme())
            .unwrap_err()
            .is_signature_failure()
    );
}

#[test]
fn the_signature_covers_the_status_as_sent() {
    // `cancelled` reads as Canceled, but was signed as `cancelled`.
    let fields = octo_proto::callback::SignedFields {
        octo_payment_uuid: "uuid-c",
        status: "cancelled",
        hash_key: "",
    };
    let body = json!({
        "shop_transaction_id": "order-c",
        "octo_payment_UUID": "uuid-c",
        "status": "cancelled",
        "hash_key": "",
        "signature": scheme().sign(&fields),
    });
    let got = Notification::parse_verified(
        &post(serde_json::to_vec(&body).unwrap()),
        &scheme(),
        &CallbackLimits::default(),
    )
    .unwrap();
    assert_eq!(got.status, PaymentStatus::Canceled);
}

#[test]
fn a_forged_notification_is_refused_before_its_fields_are_read() {
    let body = json!({
        "shop_transaction_id": "order-f",
        "octo_payment_UUID": "uuid-f",
        "status": "succeeded",
        "hash_key": "",
        "signature": "0000000000000000000000000000000000000000",
        "total_sum": "not an amount",
    });
    let err = Notification::parse_verified(
        &post(serde_json::to_vec(&body).unwrap()),
        &scheme(),
        &CallbackLimits::default(),
    )
    .unwrap_err();
    assert!(err.is_signature_failure(), "{err:?}");
    assert_eq!(err.reply().status(), 401);
}

#[test]
fn odd_optional_fields_are_kept_and_reported_not_refused() {
    let mut n = signed(PaymentStatus::Succeeded);
    n.extra.insert("riskLevel".into(), json!(-1));
    n.extra
        .insert("payed_time".into(), json!("2024-05-02T09:18:41Z"));
    n.extra
        .insert("maskedPan".into(), json!(["860031", "4318"]));
    n.extra.insert("transfer_sum".into(), json!("12,50"));
    let request = n.to_request("https://s.example/n".parse().unwrap());
    // Any content type, or none, reads the same.
    let mut variants = vec![request.clone()];
    let mut text = request.clone();
    text.headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    variants.push(text);
    let mut bare = request.clone();
    bare.headers_mut().remove("content-type");
    variants.push(bare);
    for request in variants {
        let got =
            Notification::parse_verified(&request, &scheme(), &CallbackLimits::default()).unwrap();
        let mut fields: Vec<&str> = got.warnings().iter().map(|w| w.field).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            ["maskedPan", "payed_time", "riskLevel", "transfer_sum"]
        );
        assert_eq!(got.risk_level, None);
        assert_eq!(got.payed_time, None);
        assert_eq!(got.extra["riskLevel"], json!(-1));
        assert_eq!(got.extra["transfer_sum"], json!("12,50"));
        // A maskedPan that does not read as one could be a whole number.
        assert!(!got.extra.contains_key("maskedPan"));
        let masked = got
            .warnings()
            .iter()
            .find(|w| w.field == "maskedPan")
            .unwrap();
        assert!(!masked.kept_in_extra);
        for warning in got.warnings() {
            let shown = format!("{warning} {warning:?}");
            for value in ["-1", "12,50", "2024-05-02T09", "860031"] {
                assert!(!shown.contains(value), "{shown}");
            }
        }
        // Sent on as received: the raw values go out again.
        let again = got.notification().to_json();
        assert_eq!(again["riskLevel"], json!(-1));
        assert_eq!(again["payed_time"], json!("2024-05-02T09:18:41Z"));
    }
}

#[test]
fn only_signed_and_required_fields_can_fail() {
    let n = signed(PaymentStatus::Succeeded);
    let body: Value =
        serde_json::from_slice(n.to_request("https://s.example/n".parse().unwrap()).body())
            .unwrap();
    for field in REQUIRED_FIELDS {
        let mut broken = body.clone();
        broken[field] = json!(null);
        let err = Notification::parse_verified(
            &post(serde_json::to_vec(&broken).unwrap()),
            &scheme(),
            &CallbackLimits::default(),
        )
        .unwrap_err();
        assert_eq!(err.status(), 400, "{field}: {err:?}");
    }
    // The unique_key formula does not sign the salt: without it the
    // notification verifies, unless the shop asked for it to be required.
    let mut no_salt = body.clone();
    no_salt[SALT_FIELD] = json!(null);
    let request = post(serde_json::to_vec(&no_salt).unwrap());
    assert!(Notification::parse_verified(&request, &scheme(), &CallbackLimits::default()).is_ok());
    let strict = CallbackLimits::default().with_hash_key_required(true);
    let err = Notification::parse_verified(&request, &scheme(), &strict).unwrap_err();
    assert_eq!(err.status(), 400, "{err:?}");
    for field in OPTIONAL_FIELDS {
        for odd in [
            json!(null),
            json!(-1),
            json!("?"),
            json!([1]),
            json!({"a": 1}),
            json!(false),
        ] {
            let mut changed = body.clone();
            changed[field] = odd.clone();
            let got = Notification::parse_verified(
                &post(serde_json::to_vec(&changed).unwrap()),
                &scheme(),
                &CallbackLimits::default(),
            );
            assert!(got.is_ok(), "{field} = {odd}: {got:?}");
        }
    }
}

#[test]
fn replies_carry_what_octo_reads() {
    let capture = NotificationReply::capture().to_response();
    let body: Value = serde_json::from_slice(capture.body()).unwrap();
    assert_eq!(
        (capture.status().as_u16(), body),
        (200, json!({"accept_status": "capture"}))
    );
    let retry =
        NotificationReply::reject(http::StatusCode::SERVICE_UNAVAILABLE, "busy").to_response();
    assert!(retry.status().is_server_error());
    let stored = TokenizationReply::stored("token saved").to_response();
    let body: Value = serde_json::from_slice(stored.body()).unwrap();
    assert_eq!(body, json!({"status": "success", "message": "token saved"}));
    let not_stored = TokenizationReply::not_stored("database down").to_response();
    assert_eq!(not_stored.status(), 400);
}

fn tokenization_body(pan: &str, token: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "shop_transaction_id": "bind-s",
        "pan": pan,
        "exp": "2912",
        "cardHolderName": "TEST CARD",
        "card_token": token,
        "status": "active",
    }))
    .unwrap()
}

fn assert_clean(text: &str) {
    for secret in [PAN, TOKEN, KEY, "0031299031"] {
        assert!(!text.contains(secret), "`{secret}` leaked into: {text}");
    }
}

#[test]
fn card_numbers_tokens_and_keys_never_print() {
    let request = post(tokenization_body(PAN, TOKEN));
    let callback = TokenizationCallback::parse(&request, &CallbackLimits::default()).unwrap();
    assert_clean(&format!("{callback:?}"));
    assert_eq!(callback.pan.as_ref().unwrap().expose_secret(), PAN);
    assert_eq!(callback.token().unwrap().expose_secret(), TOKEN);
    assert_eq!(
        format!("{}", callback.pan.as_ref().unwrap()),
        "8600********4318"
    );
    assert_clean(&format!("{:?}", scheme()));

    // Errors about a bad card field name the field, never its value.
    let bad_exp = serde_json::to_vec(&json!({
        "shop_transaction_id": "b", "pan": PAN, "exp": "13", "card_token": TOKEN, "status": "active",
    }))
    .unwrap();
    let bad_pan = tokenization_body(&format!("{PAN}x"), TOKEN);
    let truncated = tokenization_body(PAN, TOKEN)[..60].to_vec();
    for body in [bad_exp, bad_pan, truncated] {
        let err = TokenizationCallback::parse(&post(body), &CallbackLimits::default()).unwrap_err();
        assert_clean(&format!("{err:?} {err}"));
        assert_clean(&String::from_utf8_lossy(err.reply().body()));
    }
    // Neither does a bad signature reveal the expected one.
    let n = signed(PaymentStatus::Succeeded);
    let good = n.signature.clone();
    let mut body: Value =
        serde_json::from_slice(n.to_request("https://s.example/n".parse().unwrap()).body())
            .unwrap();
    body["signature"] = json!("00");
    let err = Notification::parse_verified(
        &post(serde_json::to_vec(&body).unwrap()),
        &scheme(),
        &CallbackLimits::default(),
    )
    .unwrap_err();
    let shown = format!(
        "{err:?} {err} {}",
        String::from_utf8_lossy(err.reply().body())
    );
    assert!(!shown.contains(&good), "{shown}");
    assert_clean(&shown);
}

#[test]
fn tokenization_callbacks_round_trip_through_the_sandbox_helper() {
    let mut sent = TokenizationCallback::new(
        "bind-r".parse().unwrap(),
        CardToken::new(TOKEN),
        TokenStatus::Active,
    );
    sent.pan = CallbackPan::new(PAN);
    sent.exp = Some(CardExpiry::parse_yymm("2912").unwrap());
    sent.card_holder_name = Some("TEST CARD".into());
    let request = sent.to_request("https://shop.example/octo/bind".parse().unwrap());
    let got = TokenizationCallback::parse(&request, &CallbackLimits::default()).unwrap();
    assert_eq!(got, sent);

    let failed = TokenizationCallback::new(
        "bind-f".parse().unwrap(),
        CardToken::new(""),
        TokenStatus::Failed,
    );
    let got = TokenizationCallback::parse(
        &failed.to_request("https://shop.example/octo/bind".parse().unwrap()),
        &CallbackLimits::default(),
    )
    .unwrap();
    assert_eq!(got.token(), None);
    assert_eq!(got.status, TokenStatus::Failed);
}

/// A `failed` binding has nothing to store: its card fields, whatever
/// their shape, must not make the shop refuse it, or OCTO repeats it and
/// the shop never learns the binding failed.
#[test]
fn a_failed_tokenization_callback_is_never_refused_over_its_card_fields() {
    for (pan, exp, name) in [
        (
            json!("4276-3800-1234-1025"),
            json!("2912"),
            json!("TEST CARD"),
        ),
        (
            json!(4_276_380_012_341_025_u64),
            json!("12/29"),
            json!("TEST CARD"),
        ),
        (
            json!("427638XXXXXX1025"),
            json!(null),
            json!({"first": "A"}),
        ),
        (json!(""), json!(""), json!(7)),
    ] {
        let body = serde_json::to_vec(&json!({
            "shop_transaction_id": "bind-f",
            "pan": pan,
            "exp": exp,
            "cardHolderName": name,
            "status": "failed",
        }))
        .unwrap();
        let parsed = TokenizationCallback::parse(&post(body), &CallbackLimits::default());
        let callback = parsed.unwrap_or_else(|e| panic!("{pan} {exp}: refused with {e}"));
        assert_eq!(callback.status, TokenStatus::Failed);
        assert!(callback.token().is_none());
        // A card number in a shape this SDK does not read is dropped, not
        // kept somewhere else.
        assert!(!format!("{callback:?}").contains("3800"));
    }
}

/// A body with the signed key twice: whichever value the parser keeps is
/// the one it checks the signature against and the one it reports, so a
/// signature for one status never vouches for another.
#[test]
fn a_duplicated_signed_key_never_splits_what_is_checked_from_what_is_used() {
    let scheme = scheme();
    for (signed_for, first, second) in [
        (PaymentStatus::Succeeded, "succeeded", "canceled"),
        (PaymentStatus::Succeeded, "canceled", "succeeded"),
        (PaymentStatus::Canceled, "succeeded", "canceled"),
    ] {
        let signature = signed(signed_for.clone()).signature;
        let body = format!(
            r#"{{"shop_transaction_id":"order-9","octo_payment_UUID":"uuid-9","status":"{first}","status":"{second}","signature":"{signature}","hash_key":"salt-9"}}"#
        );
        match Notification::parse_verified(
            &post(body.into_bytes()),
            &scheme,
            &CallbackLimits::default(),
        ) {
            Ok(verified) => assert_eq!(verified.status, signed_for, "{first}/{second}"),
            Err(refused) => assert!(refused.is_signature_failure(), "{refused}"),
        }
    }
}
