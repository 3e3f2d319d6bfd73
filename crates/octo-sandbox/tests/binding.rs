//! Card binding with an SMS code, the tokenization callback, token
//! payments and blocking: errors 5, 6, 17 and 20.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{
    LIMIT, Receiver, answer, assert_finished, binding_started, check_sms, code, payment, prepared,
    sandbox, send, started, verification,
};
use octo_proto::callback::{CallbackLimits, TokenizationCallback};
use octo_proto::op::{BindCard, BlockCardToken, CheckPan, PayWithToken, PaymentStatusCheck};
use octo_proto::{
    CardExpiry, CardToken, Pan, PaymentMethod, PaymentStatus, PaymentUuid, ShopTransactionId,
    TokenStatus, VerifyId,
};
use octo_sandbox::{ManualClock, Sandbox, TokenChargeStatus};
use octo_testkit::cards::binding;

/// A Uzcard binding of `pan` whose callback goes to `receiver`.
fn bind(id: &str, pan: &str, receiver: &Receiver) -> BindCard {
    binding(id, pan, PaymentMethod::Uzcard, Some(receiver.url("/bind")))
}

/// Paying `order` with `token` as a Uzcard.
fn pay_with(order: &PaymentUuid, token: &CardToken) -> PayWithToken {
    PayWithToken::new(order.clone(), token.clone(), PaymentMethod::Uzcard)
}

#[tokio::test]
async fn sms_binding_gives_an_active_token_that_pays_and_can_be_blocked() {
    let receiver = Receiver::start().await;
    let sb = started(
        Sandbox::builder()
            .clock(ManualClock::starting_now())
            .fast_callbacks(3, Duration::from_millis(20)),
    )
    .await;
    let bound = answer(&sb, &bind("bind-1", "8600000000000007", &receiver)).await;
    assert_eq!(bound.status, PaymentStatus::Created);
    assert!(bound.octo_pay_url.as_deref().unwrap().ends_with("/otp"));
    let uuid = bound.octo_payment_uuid.clone();
    // Not idempotent: the same request again meets the pending token.
    for id in ["bind-1", "bind-2"] {
        let again = bind(id, "8600000000000007", &receiver);
        assert_eq!(code(send(&sb, &again).await), 20, "{id}");
    }

    let info = verification(&sb, &uuid).await;
    assert_eq!(info.seconds_left, 300);
    assert_eq!(info.phone.as_deref(), Some("+998** *****67"));
    let mut unknown = check_sms(&uuid, &info, "123456");
    unknown.verify_id = VerifyId(info.verify_id.0 + 1000);
    assert_eq!(code(send(&sb, &unknown).await), 1);
    assert_eq!(code(send(&sb, &check_sms(&uuid, &info, "654321")).await), 1);
    let done = answer(&sb, &check_sms(&uuid, &info, sb.otp_code())).await;
    assert_eq!(done.status, PaymentStatus::Succeeded);
    assert_eq!(
        done.refunded_sum, done.total_sum,
        "the test charge is returned"
    );

    let got = receiver.next().await;
    assert_eq!(got.path, "/bind");
    let callback = TokenizationCallback::parse(&got.request, &CallbackLimits::default()).unwrap();
    assert_eq!(callback.status, TokenStatus::Active);
    assert_eq!(
        got.json["pan"], "8600000000000007",
        "OCTO sends the full number"
    );
    let token = callback.card_token.clone();
    let (held, status) = sb.binding_token(uuid.as_str()).unwrap();
    assert_eq!(
        (held.expose_secret(), status),
        (token.expose_secret(), TokenStatus::Active)
    );

    // Pay with the token: a Uzcard asks for the SMS code. The payment
    // still shows `created`, as the pay-with-token page's example answer
    // does beside its SMS page, and a status check says the same.
    let order = prepared(&sb, &payment("order-t", "2500")).await;
    let paying = answer(&sb, &pay_with(&order, &token)).await;
    assert_eq!(paying.status, PaymentStatus::Created);
    let checked = answer(
        &sb,
        &PaymentStatusCheck::new(ShopTransactionId::new("order-t").unwrap()),
    )
    .await;
    assert_eq!(checked.status, PaymentStatus::Created);
    assert_eq!(paying.trans_type.as_deref(), Some("SMS"));
    assert!(paying.redirect_url.unwrap().ends_with("/otp"));
    let step = sb
        .customer()
        .enter_code(order.as_str(), sb.otp_code())
        .unwrap();
    assert_finished(&step, PaymentStatus::Succeeded);
    assert_eq!(code(send(&sb, &pay_with(&order, &token)).await), 1);

    let blocked = answer(&sb, &BlockCardToken::new(token.clone())).await;
    assert_eq!(blocked.status, TokenStatus::Blocked);
    let nope = CardToken::new("nope");
    assert_eq!(
        code(send(&sb, &BlockCardToken::new(token.clone())).await),
        6
    );
    assert_eq!(code(send(&sb, &BlockCardToken::new(nope.clone())).await), 5);
    let order2 = prepared(&sb, &payment("order-t2", "2500")).await;
    assert_eq!(code(send(&sb, &pay_with(&order2, &token)).await), 6);
    assert_eq!(code(send(&sb, &pay_with(&order2, &nope)).await), 5);
    // Once blocked, the card can be bound again.
    assert!(
        send(&sb, &bind("bind-3", "8600000000000007", &receiver))
            .await
            .is_ok()
    );
    sb.shutdown().await;
}

/// Binds `pan` with its SMS code and returns the token its callback
/// carried.
async fn bound_token(sb: &octo_sandbox::SandboxHandle, id: &str, pan: &str) -> CardToken {
    let receiver = Receiver::start().await;
    let (uuid, info) = binding_started(sb, &bind(id, pan, &receiver)).await;
    let done = answer(sb, &check_sms(&uuid, &info, sb.otp_code())).await;
    assert_eq!(done.status, PaymentStatus::Succeeded);
    let got = receiver.next().await;
    TokenizationCallback::parse(&got.request, &CallbackLimits::default())
        .unwrap()
        .card_token
}

#[tokio::test]
async fn a_token_charge_awaiting_its_code_shows_the_status_configured() {
    for (setting, shown) in [
        (TokenChargeStatus::Created, PaymentStatus::Created),
        (
            TokenChargeStatus::WaitUserAction,
            PaymentStatus::WaitUserAction,
        ),
    ] {
        let sb = started(
            Sandbox::builder()
                .token_charge_status(setting)
                .fast_callbacks(3, Duration::from_millis(20)),
        )
        .await;
        let token = bound_token(&sb, "bind-s", "8600000000000007").await;
        let order = prepared(&sb, &payment("order-s", "2500")).await;
        let paying = answer(&sb, &pay_with(&order, &token)).await;
        assert_eq!(paying.status, shown, "{setting:?}");
        assert_eq!(paying.trans_type.as_deref(), Some("SMS"));
        let id = ShopTransactionId::new("order-s").unwrap();
        let checked = answer(&sb, &PaymentStatusCheck::new(id.clone())).await;
        assert_eq!(checked.status, shown, "{setting:?}");
        // Charged once: a second charge is refused either way.
        assert_eq!(code(send(&sb, &pay_with(&order, &token)).await), 1);
        let step = sb
            .customer()
            .enter_code(order.as_str(), sb.otp_code())
            .unwrap();
        assert_finished(&step, PaymentStatus::Succeeded);
        let paid = answer(&sb, &PaymentStatusCheck::new(id)).await;
        assert_eq!(paid.status, PaymentStatus::Succeeded);
        sb.shutdown().await;
    }
}

#[tokio::test]
async fn resends_are_limited_and_give_a_new_verification() {
    let receiver = Receiver::start().await;
    let sb = sandbox().await;
    let (_, first) = binding_started(&sb, &bind("bind-r", "9860000000000000", &receiver)).await;
    let payment_id = first.payment_id.unwrap();
    let resend = |pan: &str| CheckPan {
        pan: Pan::new(pan).unwrap(),
        exp: CardExpiry::parse_yymm("3012").unwrap(),
        payment_id,
    };
    assert_eq!(
        code(send(&sb, &resend("8600000000000007")).await),
        1,
        "another card"
    );
    let mut ids = vec![first.verify_id];
    for _ in 0..3 {
        let v = send(&sb, &resend("9860000000000000")).await.unwrap();
        assert!(!ids.contains(&v.verify_id));
        ids.push(v.verify_id);
    }
    assert_eq!(code(send(&sb, &resend("9860000000000000")).await), 17);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_unacknowledged_tokenization_callback_is_tried_three_times_then_the_token_fails() {
    let receiver = Receiver::start().await;
    receiver.answer_always(500, r#"{"status":"error"}"#);
    let sb = started(Sandbox::builder().fast_callbacks(3, Duration::from_millis(20))).await;
    let bound = answer(&sb, &bind("bind-f", "5555555555554444", &receiver)).await;
    let uuid = bound.octo_payment_uuid.as_str().to_owned();
    assert!(
        bound.octo_pay_url.as_deref().unwrap().ends_with("/3ds"),
        "Mastercard confirms on 3-D Secure"
    );
    let step = sb.customer().confirm_3ds(&uuid).unwrap();
    assert_finished(&step, PaymentStatus::Succeeded);
    for _ in 0..3 {
        let got = receiver.next().await;
        assert_eq!(got.json["status"], "active");
    }
    assert!(sb.wait_for_callbacks(LIMIT).await);
    assert!(
        receiver.silent_for(Duration::from_millis(200)).await,
        "no fourth try"
    );
    assert_eq!(sb.binding_token(&uuid).unwrap().1, TokenStatus::Failed);
    sb.shutdown().await;
}

/// card-tokenization.txt names HTTP 200 as the answer that acknowledges a
/// tokenization callback; a shop answering anything else (here 204) has
/// not acknowledged it, and must learn so from the sandbox, not from a
/// token OCTO cancelled.
#[tokio::test]
async fn a_tokenization_callback_answered_other_than_200_is_not_acknowledged() {
    let receiver = Receiver::start().await;
    receiver.answer_always(204, "");
    let sb = started(Sandbox::builder().fast_callbacks(3, Duration::from_millis(20))).await;
    let bound = answer(&sb, &bind("bind-204", "5555555555554444", &receiver)).await;
    let uuid = bound.octo_payment_uuid.as_str().to_owned();
    let step = sb.customer().confirm_3ds(&uuid).unwrap();
    assert_finished(&step, PaymentStatus::Succeeded);
    for _ in 0..3 {
        assert_eq!(receiver.next().await.json["status"], "active");
    }
    assert!(sb.wait_for_callbacks(LIMIT).await);
    assert_eq!(sb.binding_token(&uuid).unwrap().1, TokenStatus::Failed);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_declined_card_fails_the_binding_and_says_so() {
    let receiver = Receiver::start().await;
    let sb = sandbox().await;
    let bound = answer(&sb, &bind("bind-d", "4000000000000002", &receiver)).await;
    assert_eq!(bound.status, PaymentStatus::Canceled);
    let got = receiver.next().await;
    assert_eq!(got.json["status"], "failed");
    assert_eq!(
        sb.binding_token(bound.octo_payment_uuid.as_str())
            .unwrap()
            .1,
        TokenStatus::Failed
    );
    sb.shutdown().await;
}
