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

use common::{Receiver, code, dec, init_time, send};
use octo_proto::callback::{CallbackLimits, TokenizationCallback};
use octo_proto::op::{
    BindCard, BlockCardToken, CheckPan, CheckSmsKey, PayWithToken, PreparePayment, SmsCode,
    VerificationInfo,
};
use octo_proto::{
    CardExpiry, CardToken, Currency, Pan, PaymentMethod, PaymentStatus, TokenStatus, VerifyId,
};
use octo_sandbox::{ManualClock, Sandbox, Step};

fn bind(id: &str, pan: &str, receiver: &Receiver) -> BindCard {
    BindCard {
        shop_transaction_id: id.parse().unwrap(),
        pan: Pan::new(pan).unwrap(),
        exp: CardExpiry::parse_yymm("3012").unwrap(),
        phone: "998901234567".into(),
        card_holder_name: "ALISHER NAVOI".into(),
        cvc2: None,
        method: PaymentMethod::Uzcard,
        return_url: "https://shop.example/bound".into(),
        notify_url: None,
        bind_notify_url: Some(receiver.url("/bind")),
    }
}

#[tokio::test]
async fn sms_binding_gives_an_active_token_that_pays_and_can_be_blocked() {
    let receiver = Receiver::start().await;
    let sb = Sandbox::builder()
        .clock(ManualClock::starting_now())
        .fast_callbacks(3, Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let bound = send(&sb, &bind("bind-1", "8600000000000007", &receiver))
        .await
        .unwrap();
    assert_eq!(bound.status, PaymentStatus::Created);
    assert!(bound.octo_pay_url.as_deref().unwrap().ends_with("/otp"));
    let uuid = bound.octo_payment_uuid.clone();
    // Not idempotent: the same request again meets the pending token.
    assert_eq!(
        code(send(&sb, &bind("bind-1", "8600000000000007", &receiver)).await),
        20
    );
    assert_eq!(
        code(send(&sb, &bind("bind-2", "8600000000000007", &receiver)).await),
        20
    );

    let info = send(&sb, &VerificationInfo::new(uuid.clone()))
        .await
        .unwrap();
    assert_eq!(info.seconds_left, 300);
    assert_eq!(info.phone.as_deref(), Some("+998** *****67"));
    let check = |verify_id: VerifyId, code: &str| CheckSmsKey {
        octo_payment_uuid: uuid.clone(),
        verify_id,
        sms_key: SmsCode::new(code).unwrap(),
    };
    assert_eq!(
        code(send(&sb, &check(VerifyId(info.verify_id.0 + 1000), "123456")).await),
        1
    );
    assert_eq!(code(send(&sb, &check(info.verify_id, "654321")).await), 1);
    let done = send(&sb, &check(info.verify_id, sb.otp_code()))
        .await
        .unwrap();
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

    // Pay with the token: a Uzcard asks for the SMS code.
    let order = send(
        &sb,
        &PreparePayment::new(
            "order-t".parse().unwrap(),
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
            token.clone(),
            PaymentMethod::Uzcard,
        ),
    )
    .await
    .unwrap();
    assert_eq!(paying.status, PaymentStatus::WaitUserAction);
    assert_eq!(paying.trans_type.as_deref(), Some("SMS"));
    assert!(paying.redirect_url.unwrap().ends_with("/otp"));
    let step = sb
        .customer()
        .enter_code(order.octo_payment_uuid.as_str(), sb.otp_code())
        .unwrap();
    assert!(matches!(
        step,
        Step::Finished {
            status: PaymentStatus::Succeeded,
            ..
        }
    ));
    assert_eq!(
        code(
            send(
                &sb,
                &PayWithToken::new(
                    order.octo_payment_uuid.clone(),
                    token.clone(),
                    PaymentMethod::Uzcard
                )
            )
            .await
        ),
        1
    );

    let blocked = send(&sb, &BlockCardToken::new(token.clone()))
        .await
        .unwrap();
    assert_eq!(blocked.status, TokenStatus::Blocked);
    assert_eq!(
        code(send(&sb, &BlockCardToken::new(token.clone())).await),
        6
    );
    assert_eq!(
        code(send(&sb, &BlockCardToken::new(CardToken::new("nope"))).await),
        5
    );
    let order2 = send(
        &sb,
        &PreparePayment::new(
            "order-t2".parse().unwrap(),
            dec("2500"),
            Currency::Uzs,
            "d",
            "https://shop.example/r",
            init_time(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        code(
            send(
                &sb,
                &PayWithToken::new(
                    order2.octo_payment_uuid.clone(),
                    token,
                    PaymentMethod::Uzcard
                )
            )
            .await
        ),
        6
    );
    assert_eq!(
        code(
            send(
                &sb,
                &PayWithToken::new(
                    order2.octo_payment_uuid.clone(),
                    CardToken::new("nope"),
                    PaymentMethod::Uzcard
                )
            )
            .await
        ),
        5
    );
    // Once blocked, the card can be bound again.
    assert!(
        send(&sb, &bind("bind-3", "8600000000000007", &receiver))
            .await
            .is_ok()
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn resends_are_limited_and_give_a_new_verification() {
    let receiver = Receiver::start().await;
    let sb = Sandbox::builder().start().await.unwrap();
    let bound = send(&sb, &bind("bind-r", "9860000000000000", &receiver))
        .await
        .unwrap();
    let uuid = bound.octo_payment_uuid.clone();
    let first = send(&sb, &VerificationInfo::new(uuid.clone()))
        .await
        .unwrap();
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
    let sb = Sandbox::builder()
        .fast_callbacks(3, Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let bound = send(&sb, &bind("bind-f", "5555555555554444", &receiver))
        .await
        .unwrap();
    let uuid = bound.octo_payment_uuid.as_str().to_owned();
    assert!(
        bound.octo_pay_url.as_deref().unwrap().ends_with("/3ds"),
        "Mastercard confirms on 3-D Secure"
    );
    let step = sb.customer().confirm_3ds(&uuid).unwrap();
    assert!(matches!(
        step,
        Step::Finished {
            status: PaymentStatus::Succeeded,
            ..
        }
    ));
    for _ in 0..3 {
        let got = receiver.next().await;
        assert_eq!(got.json["status"], "active");
    }
    assert!(sb.wait_for_callbacks(common::LIMIT).await);
    assert!(
        receiver
            .next_within(Duration::from_millis(200))
            .await
            .is_none(),
        "no fourth try"
    );
    assert_eq!(sb.binding_token(&uuid).unwrap().1, TokenStatus::Failed);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_declined_card_fails_the_binding_and_says_so() {
    let receiver = Receiver::start().await;
    let sb = Sandbox::builder().start().await.unwrap();
    let bound = send(&sb, &bind("bind-d", "4000000000000002", &receiver))
        .await
        .unwrap();
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
