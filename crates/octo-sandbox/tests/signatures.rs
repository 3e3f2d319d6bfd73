//! Notification signatures: the sandbox computes them itself (from the API
//! notes), octo-proto's verifier must accept them, and a digest computed
//! here by hand with `sha1` must match.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Receiver, notifying, paid, sandbox, started};
use octo_proto::callback::{CallbackLimits, Notification, SignatureScheme};
use octo_proto::{NotificationKey, PaymentStatus};
use octo_sandbox::{DEFAULT_NOTIFY_KEY, NotificationHashKey, Sandbox, SandboxHandle, Signing};
use sha1::{Digest, Sha1};

async fn paid_notification(sb: &SandboxHandle, id: &str, receiver: &Receiver) -> common::Received {
    paid(sb, &notifying(id, "2500.00", receiver)).await;
    receiver.next().await
}

fn sha1_hex(text: &str) -> String {
    Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn the_default_scheme_is_unique_key_and_the_sdk_accepts_it() {
    let receiver = Receiver::start().await;
    let sb = sandbox().await;
    let got = paid_notification(&sb, "sig-default", &receiver).await;
    let uuid = got.json["octo_payment_UUID"].as_str().unwrap();
    let status = got.json["status"].as_str().unwrap();
    let by_hand = sha1_hex(&format!("{DEFAULT_NOTIFY_KEY}{uuid}{status}")).to_uppercase();
    assert_eq!(got.json["signature"], by_hand.as_str());

    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(DEFAULT_NOTIFY_KEY));
    let n =
        Notification::parse_verified(&got.request, &scheme, &CallbackLimits::default()).unwrap();
    assert_eq!(n.status, PaymentStatus::Succeeded);
    let other = SignatureScheme::SecretAndHashKey(sb.shop_secret());
    assert!(
        Notification::parse_verified(&got.request, &other, &CallbackLimits::default()).is_err(),
        "the default is not the older scheme"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn the_older_scheme_matches_by_hand_and_the_sdk_accepts_it() {
    let receiver = Receiver::start().await;
    let sb = started(Sandbox::builder().signing(Signing::SecretAndHashKey)).await;
    let got = paid_notification(&sb, "sig-older", &receiver).await;
    let uuid = got.json["octo_payment_UUID"].as_str().unwrap();
    let status = got.json["status"].as_str().unwrap();
    let hash_key = got.json["hash_key"].as_str().unwrap();
    let inner = sha1_hex(&format!("{}{hash_key}", sb.shop_secret().expose_secret()));
    let by_hand = sha1_hex(&format!("{inner}{uuid}{status}")).to_uppercase();
    assert_eq!(got.json["signature"], by_hand.as_str());

    let scheme = SignatureScheme::SecretAndHashKey(sb.shop_secret());
    let n =
        Notification::parse_verified(&got.request, &scheme, &CallbackLimits::default()).unwrap();
    assert_eq!(n.octo_payment_uuid.as_str(), uuid);
    sb.shutdown().await;
}

/// Told to, the sandbox sends unique_key notifications without `hash_key`
/// (left out, or null), and the SDK still verifies them; under the secret
/// formula `hash_key` is sent whatever it is told, as the signature needs it.
#[tokio::test]
async fn hash_key_can_be_left_out_under_unique_key_and_the_sdk_accepts_it() {
    let receiver = Receiver::start().await;
    let key = NotificationKey::new("unique-key-no-salt");
    let scheme = SignatureScheme::UniqueKey(key.clone());
    for (form, id) in [
        (NotificationHashKey::LeftOut, "salt-left-out"),
        (NotificationHashKey::Null, "salt-null"),
    ] {
        let sb = started(
            Sandbox::builder()
                .signing(Signing::UniqueKey(key.clone()))
                .notification_hash_key(form),
        )
        .await;
        assert!(sb.banner().contains("hash_key"), "{form:?}");
        let got = paid_notification(&sb, id, &receiver).await;
        let body = got.json.as_object().unwrap();
        match form {
            NotificationHashKey::LeftOut => assert!(!body.contains_key("hash_key"), "{body:?}"),
            _ => assert_eq!(body.get("hash_key"), Some(&serde_json::Value::Null)),
        }
        let uuid = got.json["octo_payment_UUID"].as_str().unwrap();
        let status = got.json["status"].as_str().unwrap();
        let by_hand = sha1_hex(&format!("unique-key-no-salt{uuid}{status}")).to_uppercase();
        assert_eq!(got.json["signature"], by_hand.as_str());
        let n = Notification::parse_verified(&got.request, &scheme, &CallbackLimits::default())
            .unwrap();
        assert_eq!(n.status, PaymentStatus::Succeeded);
        assert!(n.hash_key.is_empty());
        // A shop that requires hash_key refuses it, as before.
        let strict = CallbackLimits::default().with_hash_key_required(true);
        assert_eq!(
            Notification::parse_verified(&got.request, &scheme, &strict)
                .unwrap_err()
                .status(),
            400
        );
        sb.shutdown().await;
    }

    let sb = started(
        Sandbox::builder()
            .signing(Signing::SecretAndHashKey)
            .notification_hash_key(NotificationHashKey::LeftOut),
    )
    .await;
    let got = paid_notification(&sb, "salt-secret", &receiver).await;
    assert!(got.json["hash_key"].as_str().is_some_and(|k| !k.is_empty()));
    let scheme = SignatureScheme::SecretAndHashKey(sb.shop_secret());
    Notification::parse_verified(&got.request, &scheme, &CallbackLimits::default()).unwrap();
    sb.shutdown().await;
}

#[test]
fn the_sandbox_source_computes_signatures_itself() {
    // The sandbox must not borrow the SDK's signing code: a shared mistake
    // would go unnoticed.
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut stack = vec![std::path::PathBuf::from(src)];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                for banned in ["SignatureScheme", "callback::signature", ".sign("] {
                    assert!(!text.contains(banned), "{} uses {banned}", path.display());
                }
            }
        }
    }
    assert!(files > 10, "read the sandbox's sources");
}
