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

use common::{
    Receiver, answer, binding_started, check_sms, code, payment, post_raw, prepared, sandbox, send,
    verification,
};
use octo_proto::op::{BindCard, CheckPan, PayWithToken};
use octo_proto::{CardExpiry, Pan, PaymentId, PaymentMethod, PaymentStatus};
use octo_testkit::cards::binding;
use serde_json::json;

const CARD: &str = "9860000000000000";

/// A Humo binding of `pan` whose callback goes to `receiver`.
fn bind(id: &str, pan: &str, receiver: &Receiver) -> BindCard {
    binding(id, pan, PaymentMethod::Humo, Some(receiver.url("/bind")))
}

#[tokio::test]
async fn check_pan_takes_the_integer_payment_id_from_verification_info() {
    let receiver = Receiver::start().await;
    let sb = sandbox().await;
    let bound = answer(&sb, &bind("bind-p", CARD, &receiver)).await;
    let info = verification(&sb, &bound.octo_payment_uuid).await;
    let payment_id = info
        .payment_id
        .expect("verificationInfo gives the payment id");

    let resend = CheckPan {
        pan: Pan::new(CARD).unwrap(),
        exp: CardExpiry::parse_yymm("3012").unwrap(),
        payment_id,
    };
    let first = answer(&sb, &resend).await;
    assert_ne!(first.verify_id, info.verify_id);
    assert_eq!(first.payment_id, Some(payment_id));

    let check_pan = |payment_id: serde_json::Value| {
        let body = json!({"pan": CARD, "expDate": "3012", "paymentId": payment_id});
        serde_json::to_vec(&body).unwrap()
    };
    // The same number as a numeric string is accepted too.
    let as_text = check_pan(payment_id.get().to_string().into());
    let (status, body) = post_raw(&sb, "/check_pan", &as_text).await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], 0, "{body}");
    assert!(body["data"]["verifyId"].is_u64());

    // The UUID is not the payment id.
    let uuid = check_pan(bound.octo_payment_uuid.as_str().into());
    let (_, body) = post_raw(&sb, "/check_pan", &uuid).await;
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
    let sb = sandbox().await;
    let bind = bind("bind-q", "8600000000000007", &receiver);
    let (uuid, info) = binding_started(&sb, &bind).await;
    let confirmed = answer(&sb, &check_sms(&uuid, &info, sb.otp_code())).await;
    assert_eq!(confirmed.status, PaymentStatus::Succeeded);
    let (token, _) = sb.binding_token(uuid.as_str()).unwrap();

    let order = prepared(&sb, &payment("order-q", "2500")).await;
    let paying = answer(&sb, &PayWithToken::new(order, token, PaymentMethod::Uzcard)).await;
    let id = paying.id.expect("the pay answer's id");
    assert_ne!(Some(id), info.payment_id, "each payment has its own number");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_second_bind_card_for_a_pending_card_meets_error_20() {
    let receiver = Receiver::start().await;
    let sb = sandbox().await;
    answer(&sb, &bind("bind-d", CARD, &receiver)).await;
    // A retry of the very same request after a lost answer.
    assert_eq!(code(send(&sb, &bind("bind-d", CARD, &receiver)).await), 20);
    // Another binding of the same card.
    assert_eq!(code(send(&sb, &bind("bind-e", CARD, &receiver)).await), 20);
    assert_eq!(sb.payment_count(), 1);
    sb.shutdown().await;
}
