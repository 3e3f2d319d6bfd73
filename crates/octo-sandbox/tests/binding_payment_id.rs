//! OCTO's integer payment id: the sandbox gives every payment one, shows it
//! where OCTO does (the `pay/{uuid}` answer's `id`, `verificationInfo`),
//! and `check_pan` takes it as `paymentId`, a number or a numeric string,
//! never the payment's UUID. A second `bind_card` for a card whose token
//! is pending meets error 20, whatever its `shop_transaction_id`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Receiver, code, dec, init_time, post_raw, send};
use octo_proto::op::{
    BindCard, CheckPan, CheckSmsKey, PayWithToken, PreparePayment, SmsCode, VerificationInfo,
};
use octo_proto::{CardExpiry, Currency, Pan, PaymentId, PaymentMethod, PaymentStatus};
use octo_sandbox::Sandbox;
use serde_json::json;

const CARD: &str = "9860000000000000";

fn bind(id: &str, pan: &str, receiver: &Receiver) -> BindCard {
    BindCard {
        shop_transaction_id: id.parse().unwrap(),
        pan: Pan::new(pan).unwrap(),
        exp: CardExpiry::parse_yymm("3012").unwrap(),
        phone: "998901234567".into(),
        card_holder_name: "ALISHER NAVOI".into(),
        cvc2: None,
        method: PaymentMethod::Humo,
        return_url: "https://shop.example/bound".into(),
        notify_url: None,
        bind_notify_url: Some(receiver.url("/bind")),
    }
}

#[tokio::test]
async fn check_pan_takes_the_integer_payment_id_from_verification_info() {
    let receiver = Receiver::start().await;
    let sb = Sandbox::builder().start().await.unwrap();
    let bound = send(&sb, &bind("bind-p", CARD, &receiver)).await.unwrap();
    let info = send(&sb, &VerificationInfo::new(bound.octo_payment_uuid.clone()))
        .await
        .unwrap();
    let payment_id = info
        .payment_id
        .expect("verificationInfo gives the payment id");

    let resend = CheckPan {
        pan: Pan::new(CARD).unwrap(),
        exp: CardExpiry::parse_yymm("3012").unwrap(),
        payment_id,
    };
    let first = send(&sb, &resend).await.unwrap();
    assert_ne!(first.verify_id, info.verify_id);
    assert_eq!(first.payment_id, Some(payment_id));

    // The same number as a numeric string is accepted too.
    let (status, body) = post_raw(
        &sb,
        "/check_pan",
        &serde_json::to_vec(&json!({
            "pan": CARD, "expDate": "3012", "paymentId": payment_id.get().to_string(),
        }))
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], 0, "{body}");
    assert!(body["data"]["verifyId"].is_u64());

    // The UUID is not the payment id.
    let (_, body) = post_raw(
        &sb,
        "/check_pan",
        &serde_json::to_vec(&json!({
            "pan": CARD, "expDate": "3012", "paymentId": bound.octo_payment_uuid.as_str(),
        }))
        .unwrap(),
    )
    .await;
    assert_ne!(body["error"], 0, "{body}");
    // Nor is a number that names no payment.
    let wrong = CheckPan {
        payment_id: PaymentId(payment_id.get() + 100_000),
        ..resend.clone()
    };
    assert_ne!(code(send(&sb, &wrong).await), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_pay_answer_carries_the_integer_payment_id() {
    let receiver = Receiver::start().await;
    let sb = Sandbox::builder().start().await.unwrap();
    let bound = send(&sb, &bind("bind-q", "8600000000000007", &receiver))
        .await
        .unwrap();
    let uuid = bound.octo_payment_uuid.clone();
    let info = send(&sb, &VerificationInfo::new(uuid.clone()))
        .await
        .unwrap();
    let confirmed = send(
        &sb,
        &CheckSmsKey {
            octo_payment_uuid: uuid.clone(),
            verify_id: info.verify_id,
            sms_key: SmsCode::new(sb.otp_code()).unwrap(),
        },
    )
    .await
    .unwrap();
    assert_eq!(confirmed.status, PaymentStatus::Succeeded);
    let (token, _) = sb.binding_token(uuid.as_str()).unwrap();

    let order = send(
        &sb,
        &PreparePayment::new(
            "order-q".parse().unwrap(),
            dec("2500"),
            Currency::Uzs,
            "d",
            "https://shop.example/r",
            init_time(),
        ),
    )
    .await
    .unwrap();
    let paying = send(
        &sb,
        &PayWithToken::new(
            order.octo_payment_uuid.clone(),
            token,
            PaymentMethod::Uzcard,
        ),
    )
    .await
    .unwrap();
    let id = paying.id.expect("the pay answer's id");
    assert_ne!(Some(id), info.payment_id, "each payment has its own number");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_second_bind_card_for_a_pending_card_meets_error_20() {
    let receiver = Receiver::start().await;
    let sb = Sandbox::builder().start().await.unwrap();
    send(&sb, &bind("bind-d", CARD, &receiver)).await.unwrap();
    // A retry of the very same request after a lost answer.
    assert_eq!(code(send(&sb, &bind("bind-d", CARD, &receiver)).await), 20);
    // Another binding of the same card.
    assert_eq!(code(send(&sb, &bind("bind-e", CARD, &receiver)).await), 20);
    assert_eq!(sb.payment_count(), 1);
    sb.shutdown().await;
}
