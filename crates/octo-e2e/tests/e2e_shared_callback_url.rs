//! End to end, through each transport: a shop that gives OCTO ONE URL as
//! both `notify_url` and `bind_notify_url`, served by octo-hyper's
//! `CallbackService` with its notify path and its bind-notify path set to
//! that one path, so that the service tells each callback by its body.
//!
//! The sandbox writes its callbacks from OCTO's pages, not from the SDK's
//! parsers: a card binding with an SMS code (its charge notified and its
//! token called back, both to the one URL) and a payment paid with an SMS
//! code (two notifications) must each reach the handler as what it is and
//! be acknowledged on the sandbox's first try. A tokenization callback
//! read as a notification would be refused (it carries no signature),
//! retried, and end with the token cancelled.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use octo_proto::op::{CheckSmsKey, SmsCode, VerificationInfo};
use octo_proto::{PaymentMethod, PaymentStatus, RetryPolicy, TokenStatus};
use octo_sandbox::cards::CardBehaviour;
use octo_testkit::AnyClient;
use support::{CallbackPaths, Env, assert_amount};

each_transport!(binding_on_one_url, payment_on_one_url);

const UZCARD: &str = "8600000000000007";

/// A sandbox and a receiver that serves both callbacks on one path.
async fn on_one_url<C: AnyClient + 'static>() -> Env<C> {
    let env = Env::<C>::start_on(|b| b, RetryPolicy::default(), CallbackPaths::SHARED).await;
    assert_eq!(
        env.callbacks.notify_url(),
        env.callbacks.bind_notify_url(),
        "one URL for both callbacks"
    );
    env
}

async fn binding_on_one_url<C: AnyClient + 'static>() {
    let env = on_one_url::<C>().await;
    let url = env.callbacks.notify_url();
    let mut bind = env.bind_card("bind-one-url", UZCARD, PaymentMethod::Uzcard);
    bind.notify_url = Some(url.clone());
    assert_eq!(bind.bind_notify_url.as_deref(), Some(url.as_str()));

    let started = env.answer(&bind).await;
    assert_eq!(started.status, PaymentStatus::Created);
    let uuid = started.octo_payment_uuid.clone();
    let info = env.answer(&VerificationInfo::new(uuid.clone())).await;
    let right = CheckSmsKey {
        octo_payment_uuid: uuid.clone(),
        verify_id: info.verify_id,
        sms_key: SmsCode::new(env.sb.otp_code()).unwrap(),
    };
    let done = env.answer(&right).await;
    assert_eq!(done.status, PaymentStatus::Succeeded);

    // The token, handed to the handler's tokenization side.
    let callback = env.callbacks.next_tokenization().await;
    assert_eq!(callback.shop_transaction_id.as_str(), "bind-one-url");
    assert_eq!(callback.status, TokenStatus::Active);
    let (held, status) = env.sb.binding_token(uuid.as_str()).unwrap();
    assert_eq!(
        status,
        TokenStatus::Active,
        "the sandbox kept the token: its callback was acknowledged"
    );
    assert_eq!(held.expose_secret(), callback.card_token.expose_secret());

    // The binding's charge, notified to the same URL and verified.
    let notes = env.until(uuid.as_str(), PaymentStatus::Succeeded).await;
    let charge = notes.last().unwrap();
    assert_eq!(charge.shop_transaction_id.as_str(), "bind-one-url");
    assert!(charge.total_sum.is_some(), "the charge's amount");
    assert_eq!(
        charge.refunded_sum, charge.total_sum,
        "the test charge returned"
    );
    assert!(charge.warnings().is_empty(), "{:?}", charge.warnings());

    env.each_acknowledged_at_first_try(1 + notes.len()).await;
    assert_eq!(
        env.sb.binding_token(uuid.as_str()).unwrap().1,
        TokenStatus::Active,
        "still active once every callback is over"
    );
    env.finish().await;
}

async fn payment_on_one_url<C: AnyClient + 'static>() {
    let env = on_one_url::<C>().await;
    let prepare = env.payment("order-one-url", "1500.25");
    assert_eq!(
        prepare.notify_url.as_deref(),
        Some(env.callbacks.bind_notify_url().as_str())
    );
    let (uuid, notes) = env
        .pay_until(&prepare, CardBehaviour::SmsCode, PaymentStatus::Succeeded)
        .await;
    let statuses: Vec<_> = notes.iter().map(|n| n.status.clone()).collect();
    assert_eq!(
        statuses,
        [PaymentStatus::WaitUserAction, PaymentStatus::Succeeded]
    );
    for n in &notes {
        assert_eq!(n.shop_transaction_id.as_str(), "order-one-url");
        assert!(n.warnings().is_empty(), "{:?}", n.warnings());
    }
    assert_amount(notes.last().unwrap().total_sum, "1500.25");
    assert!(
        env.callbacks
            .next_tokenization_within(Duration::from_millis(100))
            .await
            .is_none(),
        "no notification taken for a tokenization callback"
    );
    assert_eq!(
        env.checked("order-one-url").await.status,
        PaymentStatus::Succeeded
    );
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Succeeded);

    env.each_acknowledged_at_first_try(notes.len()).await;
    env.finish().await;
}
