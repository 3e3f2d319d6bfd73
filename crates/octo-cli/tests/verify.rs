//! `verify-notification`: a notification signed as OCTO signs them passes;
//! a tampered, unsigned or malformed one does not; the key comes from the
//! environment or a file only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Indexing a serde_json::Value never panics (a missing key reads as Null).
#![allow(clippy::indexing_slicing)]

mod common;

use common::{NOTIFY_KEY, run, temp_file};
use octo_proto::callback::{Notification, SignatureScheme};
use octo_proto::{NotificationKey, OctoSecret, PaymentStatus};
use rust_decimal::Decimal;

fn signed(scheme: &SignatureScheme, status: PaymentStatus) -> serde_json::Value {
    let mut n = Notification::new(
        "order-7".parse().unwrap(),
        "f1e2d3c4-0000-4000-8000-000000000001".parse().unwrap(),
        status,
    );
    n.total_sum = Some(Decimal::new(12_500_000, 2));
    serde_json::Value::Object(n.sign(scheme, "salt-1").to_json())
}

fn key_env() -> Vec<(&'static str, String)> {
    vec![("OCTO_NOTIFY_KEY", NOTIFY_KEY.to_owned())]
}

#[test]
fn a_genuine_notification_verifies_from_a_file_and_from_stdin() {
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(NOTIFY_KEY));
    let body = signed(&scheme, PaymentStatus::Succeeded).to_string();
    let file = temp_file("notification.json", &body);
    run(
        &["verify-notification", file.to_str().unwrap()],
        &key_env(),
        "",
    )
    .expect_code(0)
    .stdout_has("signature verified")
    .stdout_has("succeeded")
    .stdout_has("order-7")
    .never_shows(NOTIFY_KEY);
    let json = run(&["verify-notification", "-", "--json"], &key_env(), &body)
        .expect_code(0)
        .json();
    assert_eq!(json["verified"], true);
    assert_eq!(json["status"], "succeeded");
    assert_eq!(json["total_sum"].to_string(), "125000.00");
    run(&["verify-notification"], &key_env(), &body).expect_code(0);
}

#[test]
fn a_held_payment_says_the_shop_must_decide() {
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(NOTIFY_KEY));
    let body = signed(&scheme, PaymentStatus::WaitingForCapture).to_string();
    run(&["verify-notification"], &key_env(), &body)
        .expect_code(0)
        .stdout_has("capture");
}

#[test]
fn a_tampered_or_wrongly_keyed_notification_exits_4() {
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(NOTIFY_KEY));
    let mut body = signed(&scheme, PaymentStatus::Canceled);
    body["status"] = "succeeded".into();
    run(&["verify-notification"], &key_env(), &body.to_string())
        .expect_code(4)
        .stderr_has("NOT verified")
        .stderr_has("OCTO_NOTIFY_KEY");
    let other = SignatureScheme::UniqueKey(NotificationKey::new("another-key"));
    let body = signed(&other, PaymentStatus::Succeeded).to_string();
    run(&["verify-notification"], &key_env(), &body).expect_code(4);
}

#[test]
fn the_secret_and_hash_key_scheme_uses_octo_secret() {
    let secret = "shop-secret-for-verify";
    let scheme = SignatureScheme::SecretAndHashKey(OctoSecret::new(secret));
    let body = signed(&scheme, PaymentStatus::Succeeded).to_string();
    let env = [("OCTO_SECRET", secret.to_owned())];
    run(
        &["verify-notification", "--scheme", "secret-hash-key"],
        &env,
        &body,
    )
    .expect_code(0)
    .never_shows(secret);
    // The same notification under the other scheme does not verify.
    let env = [
        ("OCTO_SECRET", secret.to_owned()),
        ("OCTO_NOTIFY_KEY", secret.to_owned()),
    ];
    run(&["verify-notification"], &env, &body).expect_code(4);
    let file = temp_file("verify.env", &format!("OCTO_SECRET={secret}\n"));
    run(
        &[
            "verify-notification",
            "--scheme",
            "secret-hash-key",
            "--credentials",
            file.to_str().unwrap(),
        ],
        &[],
        &body,
    )
    .expect_code(0);
}

#[test]
fn no_key_or_no_notification_is_a_usage_error() {
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(NOTIFY_KEY));
    let body = signed(&scheme, PaymentStatus::Succeeded).to_string();
    run(&["verify-notification"], &[], &body)
        .expect_code(2)
        .stderr_has("OCTO_NOTIFY_KEY");
    run(&["verify-notification"], &key_env(), "not json")
        .expect_code(2)
        .stderr_has("not a payment notification");
    run(
        &["verify-notification"],
        &key_env(),
        r#"{"status":"succeeded"}"#,
    )
    .expect_code(2);
    run(
        &["verify-notification", "/nonexistent/n.json"],
        &key_env(),
        "",
    )
    .expect_code(2);
}

#[test]
fn card_data_in_a_notification_is_not_printed() {
    // Fields OCTO does not document, holding card data: printed redacted,
    // as text and as JSON; the signature still verifies.
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(NOTIFY_KEY));
    let mut body = signed(&scheme, PaymentStatus::Succeeded);
    let pan = "9860240101226506";
    body["pan"] = pan.into();
    body["cardHolderName"] = "ZARINA QODIROVA".into();
    body["exp"] = "2911".into();
    body["note"] = format!("paid with {pan}").into();
    body["card"] = serde_json::json!({ "cvc2": "8274", "number": "4278310012343018" });
    body["maskedPan"] = "986024******6506".into();
    let body = body.to_string();
    for args in [
        &["verify-notification", "-"][..],
        &["verify-notification", "-", "--json"][..],
    ] {
        let out = run(args, &key_env(), &body);
        out.expect_code(0);
        for secret in [
            pan,
            "ZARINA QODIROVA",
            "2911",
            "8274",
            "4278310012343018",
            "986024",
        ] {
            out.never_shows(secret);
        }
    }
    let json = run(&["verify-notification", "-", "--json"], &key_env(), &body)
        .expect_code(0)
        .json();
    assert_eq!(json["pan"], "[REDACTED]");
    assert_eq!(json["maskedPan"], "9860********6506");
    assert_eq!(json["verified"], true);
}

#[test]
fn the_output_separates_what_the_signature_covers_from_unsigned_hints() {
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(NOTIFY_KEY));
    let mut body = signed(&scheme, PaymentStatus::Succeeded);
    // An optional field in a shape the SDK does not expect: still verified,
    // reported as a warning, never shown as a signed fact.
    body["riskLevel"] = "-1".into();
    let out = run(&["verify-notification"], &key_env(), &body.to_string());
    out.expect_code(0)
        .stdout_has("(unique_key formula): it covers octo_payment_UUID, status only")
        .stdout_has("Not signed")
        .stdout_has("warning: field `riskLevel`");
    let text = &out.stdout;
    let unsigned_at = text.find("Not signed").unwrap();
    let amount_at = text.find("125000.00").unwrap();
    assert!(
        amount_at > unsigned_at,
        "the amount is listed as signed:\n{text}"
    );
    let json = run(
        &["verify-notification", "--json"],
        &key_env(),
        &body.to_string(),
    )
    .expect_code(0)
    .json();
    assert_eq!(
        json["signed_fields"],
        serde_json::json!(["octo_payment_UUID", "status"])
    );
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(1));
}

/// The environment with the notification key and `secret`, and the two
/// formulas signing with them.
fn both_keys(
    secret: &str,
) -> (
    [(&'static str, String); 2],
    SignatureScheme,
    SignatureScheme,
) {
    let env = [
        ("OCTO_NOTIFY_KEY", NOTIFY_KEY.to_owned()),
        ("OCTO_SECRET", secret.to_owned()),
    ];
    let by_key = SignatureScheme::UniqueKey(NotificationKey::new(NOTIFY_KEY));
    let by_secret = SignatureScheme::SecretAndHashKey(OctoSecret::new(secret));
    (env, by_key, by_secret)
}

/// `--scheme either` takes a notification signed with either formula, says
/// which one matched and what it covers, and needs both keys.
#[test]
fn the_either_scheme_accepts_both_formulas_and_says_which() {
    let secret = "shop-secret-for-either";
    let (env, by_key, by_secret) = both_keys(secret);
    for (signer, formula, covered) in [
        (&by_key, "unique_key", &["octo_payment_UUID", "status"][..]),
        (
            &by_secret,
            "secret_and_hash_key",
            &["octo_payment_UUID", "status", "hash_key"][..],
        ),
    ] {
        let body = signed(signer, PaymentStatus::Succeeded).to_string();
        run(&["verify-notification", "--scheme", "either"], &env, &body)
            .expect_code(0)
            .stdout_has(&format!("signature verified ({formula} formula)"))
            .never_shows(secret)
            .never_shows(NOTIFY_KEY);
        let json = run(
            &["verify-notification", "--scheme", "either", "--json"],
            &env,
            &body,
        )
        .expect_code(0)
        .json();
        assert_eq!(json["signed_with"], formula);
        assert_eq!(json["signed_fields"], serde_json::json!(covered));
    }
    // The secret formula under the default scheme is refused, and the hint
    // names `--scheme either`.
    let body = signed(&by_secret, PaymentStatus::Succeeded).to_string();
    run(&["verify-notification"], &env, &body)
        .expect_code(4)
        .stderr_has("--scheme either");
    // Signed with neither key.
    let stranger = SignatureScheme::UniqueKey(NotificationKey::new("another-key"));
    let body = signed(&stranger, PaymentStatus::Succeeded).to_string();
    run(&["verify-notification", "--scheme", "either"], &env, &body)
        .expect_code(4)
        .stderr_has("unique_key or secret_and_hash_key");
    // Either key missing is a usage error naming both.
    for one in [&env[..1], &env[1..]] {
        run(&["verify-notification", "--scheme", "either"], one, &body)
            .expect_code(2)
            .stderr_has("OCTO_NOTIFY_KEY and OCTO_SECRET");
    }
}

/// A notification without `hash_key` (left out or null) verifies under the
/// `unique_key` formula, which does not sign it, alone or under
/// `--scheme either`; the secret formula cannot be checked without it, so
/// there it is not verified (exit 4), with a message that says why.
#[test]
fn a_notification_without_hash_key_verifies_under_the_unique_key_formula() {
    let secret = "shop-secret-for-no-salt";
    let (env, by_key, by_secret) = both_keys(secret);
    let without = |signer: &SignatureScheme, null: bool| {
        let mut body = signed(signer, PaymentStatus::Succeeded);
        let map = body.as_object_mut().unwrap();
        map.remove("hash_key");
        if null {
            map.insert("hash_key".into(), serde_json::Value::Null);
        }
        body.to_string()
    };
    for null in [false, true] {
        let body = without(&by_key, null);
        for scheme in ["unique-key", "either"] {
            let json = run(
                &["verify-notification", "--scheme", scheme, "--json"],
                &env,
                &body,
            )
            .expect_code(0)
            .json();
            assert_eq!(json["verified"], true, "{scheme}, null: {null}");
            assert_eq!(json["signed_with"], "unique_key");
            assert_eq!(
                json["signed_fields"],
                serde_json::json!(["octo_payment_UUID", "status"])
            );
            // What was not sent is not shown as sent.
            assert!(json.get("hash_key").is_none(), "{json}");
        }
        run(&["verify-notification"], &env, &body)
            .expect_code(0)
            .stdout_has("signature verified (unique_key formula)");
        // Signed by the secret formula, the salt then left out: not
        // verified, whichever scheme that formula is checked under.
        let body = without(&by_secret, null);
        for scheme in ["secret-hash-key", "either"] {
            run(&["verify-notification", "--scheme", scheme], &env, &body)
                .expect_code(4)
                .stderr_has("NOT verified")
                .stderr_has("no hash_key")
                .never_shows(secret);
        }
    }
}
