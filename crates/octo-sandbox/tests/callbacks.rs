//! Notifications to notify_url: signed, one per status change, the
//! accept_status reply honoured, retried, duplicated and reordered on demand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{LIMIT, Receiver, notifying, pay, prepared, started};
use octo_proto::callback::{CallbackLimits, Notification, SignatureScheme};
use octo_proto::{NotificationKey, PaymentStatus};
use octo_sandbox::cards::CardBehaviour;
use octo_sandbox::{CallbackFaults, Sandbox, SandboxHandle, Signing};

/// Prepares a payment of 1500.00 UZS that notifies `receiver` (held for a
/// decision when `two_stage`): its uuid.
async fn prepare(sb: &SandboxHandle, id: &str, receiver: &Receiver, two_stage: bool) -> String {
    let mut p = notifying(id, "1500.00", receiver);
    if two_stage {
        p = p.two_stage();
    }
    prepared(sb, &p).await.as_str().to_owned()
}

/// Prepares a payment that notifies `receiver` and pays it with
/// `behaviour`: its uuid.
async fn paid_with(
    sb: &SandboxHandle,
    id: &str,
    receiver: &Receiver,
    two_stage: bool,
    behaviour: CardBehaviour,
) -> String {
    let uuid = prepare(sb, id, receiver, two_stage).await;
    pay(sb, &uuid, behaviour);
    uuid
}

#[tokio::test]
async fn notifications_are_signed_with_either_scheme() {
    let receiver = Receiver::start().await;
    let key = NotificationKey::new("unique-key-from-octo");
    let sb = started(Sandbox::builder().signing(Signing::UniqueKey(key.clone()))).await;
    let uuid = paid_with(&sb, "sig-1", &receiver, false, CardBehaviour::SmsCode).await;
    let scheme = SignatureScheme::UniqueKey(key);
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let got = receiver.next().await;
        let n = Notification::parse_verified(&got.request, &scheme, &CallbackLimits::default())
            .unwrap();
        assert_eq!(n.octo_payment_uuid.as_str(), uuid);
        statuses.push(n.status.clone());
    }
    assert_eq!(
        statuses,
        [PaymentStatus::WaitUserAction, PaymentStatus::Succeeded]
    );
    let wrong = SignatureScheme::UniqueKey(NotificationKey::new("other"));
    paid_with(&sb, "sig-2", &receiver, false, CardBehaviour::Success).await;
    let got = receiver.next().await;
    assert!(
        Notification::parse_verified(&got.request, &wrong, &CallbackLimits::default()).is_err()
    );
    assert_eq!(got.json["total_sum"].to_string(), "1500.00");
    assert!(
        got.json["maskedPan"]
            .as_str()
            .unwrap()
            .starts_with("411111")
    );
    // A Visa card's type, as on help.octo.uz/en/notifications.html.
    assert_eq!(got.json["card_type"], "internationalVisa");
    sb.shutdown().await;

    let sb = started(Sandbox::builder().signing(Signing::SecretAndHashKey)).await;
    paid_with(&sb, "sig-3", &receiver, false, CardBehaviour::Success).await;
    let got = receiver.next().await;
    let scheme = SignatureScheme::SecretAndHashKey(sb.shop_secret());
    let n =
        Notification::parse_verified(&got.request, &scheme, &CallbackLimits::default()).unwrap();
    assert_eq!(n.status, PaymentStatus::Succeeded);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_reply_to_waiting_for_capture_decides_and_silence_is_retried() {
    let receiver = Receiver::start().await;
    let sb = started(Sandbox::builder().fast_callbacks(4, Duration::from_millis(30))).await;
    let uuid = prepare(&sb, "cap-1", &receiver, true).await;
    // Two undecided replies, then a capture.
    receiver.answer_next(200, "{}");
    receiver.answer_next(500, "oops");
    receiver.answer_next(200, r#"{"accept_status":"capture"}"#);
    pay(&sb, &uuid, CardBehaviour::Success);
    for _ in 0..3 {
        assert_eq!(receiver.next().await.json["status"], "waiting_for_capture");
    }
    assert_eq!(receiver.next().await.json["status"], "succeeded");
    assert_eq!(sb.payment(&uuid).unwrap().status, PaymentStatus::Succeeded);

    let uuid = prepare(&sb, "cap-2", &receiver, true).await;
    receiver.answer_next(200, r#"{"accept_status":"cancel"}"#);
    pay(&sb, &uuid, CardBehaviour::Success);
    assert_eq!(receiver.next().await.json["status"], "waiting_for_capture");
    assert_eq!(receiver.next().await.json["status"], "canceled");
    assert_eq!(sb.payment(&uuid).unwrap().status, PaymentStatus::Canceled);

    // No decision ever: the schedule ends, the hold stays for set_accept.
    receiver.answer_always(200, "{}");
    let uuid = paid_with(&sb, "cap-3", &receiver, true, CardBehaviour::Success).await;
    for _ in 0..4 {
        assert_eq!(receiver.next().await.json["status"], "waiting_for_capture");
    }
    assert!(sb.wait_for_callbacks(LIMIT).await);
    assert!(receiver.silent_for(Duration::from_millis(150)).await);
    assert_eq!(
        sb.payment(&uuid).unwrap().status,
        PaymentStatus::WaitingForCapture
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn duplicate_and_reorder_faults() {
    let receiver = Receiver::start().await;
    let sb = started(Sandbox::builder().callback_faults(CallbackFaults {
        duplicate: true,
        reorder: false,
    }))
    .await;
    paid_with(&sb, "dup-1", &receiver, false, CardBehaviour::Success).await;
    let a = receiver.next().await;
    let b = receiver.next().await;
    assert_eq!(a.json, b.json, "the same notification twice");

    sb.faults().set_callback_faults(CallbackFaults {
        duplicate: false,
        reorder: true,
    });
    paid_with(&sb, "ord-1", &receiver, false, CardBehaviour::SmsCode).await;
    assert_eq!(
        receiver.next().await.json["status"],
        "succeeded",
        "the later change first"
    );
    assert_eq!(receiver.next().await.json["status"], "wait_user_action");
    sb.shutdown().await;
}
