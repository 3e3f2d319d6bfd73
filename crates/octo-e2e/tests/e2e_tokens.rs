//! End to end, through each transport: binding a card with its SMS code
//! (`bind_card` → `verificationInfo` → `bind_card/check_sms_key` → the
//! tokenization callback), paying with the token, blocking it, and a
//! binding ended by three wrong codes. Callbacks arrive at octo-hyper's
//! `CallbackService` on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use octo_proto::op::{
    BindCard, BlockCardToken, CheckSmsKey, PayWithToken, SmsCode, Verification, VerificationInfo,
};
use octo_proto::{CardExpiry, CardToken, PaymentMethod, PaymentStatus, PaymentUuid, TokenStatus};
use octo_sandbox::ManualClock;
use octo_testkit::AnyClient;
use support::{Env, assert_amount, code};

each_transport!(
    card_binding_with_sms_code,
    token_payment,
    blocking_a_token,
    binding_three_wrong_codes,
);

const UZCARD: &str = "8600000000000007";
const HUMO: &str = "9860000000000000";

/// A `check_sms_key` for the binding `uuid` with `sms`.
fn check(uuid: &PaymentUuid, info: &Verification, sms: &str) -> CheckSmsKey {
    CheckSmsKey {
        octo_payment_uuid: uuid.clone(),
        verify_id: info.verify_id,
        sms_key: SmsCode::new(sms).unwrap(),
    }
}

/// Starts `bind`: the binding's uuid and its verification.
async fn started<C: AnyClient + 'static>(
    env: &Env<C>,
    bind: &BindCard,
) -> (PaymentUuid, Verification) {
    let started = env.answer(bind).await;
    assert_eq!(started.status, PaymentStatus::Created);
    let uuid = started.octo_payment_uuid;
    let info = env.answer(&VerificationInfo::new(uuid.clone())).await;
    (uuid, info)
}

/// Completes `bind` with the right code: the binding's uuid and the token
/// from the verified callback.
async fn bound_token<C: AnyClient + 'static>(
    env: &Env<C>,
    bind: &BindCard,
) -> (PaymentUuid, CardToken) {
    let (uuid, info) = started(env, bind).await;
    env.answer(&check(&uuid, &info, env.sb.otp_code())).await;
    let callback = env.callbacks.next_tokenization().await;
    assert_eq!(callback.status, TokenStatus::Active);
    (uuid, callback.card_token)
}

async fn card_binding_with_sms_code<C: AnyClient + 'static>() {
    // A stopped clock, so that `secondsLeft` is exact.
    let env = Env::<C>::with_clock(ManualClock::starting_now()).await;
    let started = env
        .answer(&env.bind_card("bind-1", UZCARD, PaymentMethod::Uzcard))
        .await;
    assert_eq!(started.status, PaymentStatus::Created);
    let uuid = started.octo_payment_uuid.clone();
    for (id, why) in [
        (
            "bind-1",
            "not idempotent: the same request meets the pending token",
        ),
        ("bind-2", "a binding of this card is pending"),
    ] {
        let again = env.bind_card(id, UZCARD, PaymentMethod::Uzcard);
        assert_eq!(code(env.client.send(&again).await), 20, "{why}");
    }
    assert_eq!(
        env.sb.binding_token(uuid.as_str()).unwrap().1,
        TokenStatus::Init
    );

    let info = env.answer(&VerificationInfo::new(uuid.clone())).await;
    assert_eq!(info.seconds_left, 300);
    assert_eq!(info.phone.as_deref(), Some("+998** *****67"));
    let wrong = check(&uuid, &info, "654321");
    assert_eq!(code(env.client.send(&wrong).await), 1, "wrong");
    assert!(
        env.callbacks
            .next_tokenization_within(std::time::Duration::from_millis(100))
            .await
            .is_none(),
        "no callback before the right code"
    );
    let right = check(&uuid, &info, env.sb.otp_code());
    let done = env.client.send(&right).await.unwrap();
    assert_eq!(done.status, PaymentStatus::Succeeded);
    assert_eq!(
        done.refunded_sum, done.total_sum,
        "the test charge returned"
    );

    let callback = env.callbacks.next_tokenization().await;
    assert_eq!(callback.shop_transaction_id.as_str(), "bind-1");
    assert_eq!(callback.status, TokenStatus::Active);
    assert_eq!(callback.exp, Some(CardExpiry::parse_yymm("3012").unwrap()));
    let (held, status) = env.sb.binding_token(uuid.as_str()).unwrap();
    assert_eq!(status, TokenStatus::Active);
    assert_eq!(held.expose_secret(), callback.card_token.expose_secret());
    let record = env.record(uuid.as_str());
    assert!(record.is_binding);
    assert_eq!(record.status, PaymentStatus::Succeeded);
    env.finish().await;
}

async fn token_payment<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let (_, token) = bound_token(&env, &env.bind_card("bind-t", HUMO, PaymentMethod::Humo)).await;
    let created = env.answer(&env.payment("order-t", "2500.30")).await;
    let uuid = created.octo_payment_uuid.clone();
    let paying = env
        .answer(&PayWithToken::new(
            uuid.clone(),
            token.clone(),
            PaymentMethod::Humo,
        ))
        .await;
    // `created` beside the SMS page, as the pay-with-token page answers.
    assert_eq!(paying.status, PaymentStatus::Created);
    assert_eq!(paying.total_sum.to_string(), "2500.30");
    let otp = paying.redirect_url.clone().unwrap();
    assert!(otp.ends_with("/otp"), "{otp}");
    assert_eq!(octo_sandbox::page_uuid(&otp), Some(uuid.as_str()));
    env.sb
        .customer()
        .enter_code(uuid.as_str(), env.sb.otp_code())
        .unwrap();
    let notes = env.until(uuid.as_str(), PaymentStatus::Succeeded).await;
    assert_amount(notes.last().unwrap().total_sum, "2500.30");
    let checked = env.checked("order-t").await;
    assert_eq!(checked.status, PaymentStatus::Succeeded);
    assert_amount(checked.total_sum, "2500.30");
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Succeeded);
    assert_eq!(
        code(
            env.client
                .send(&PayWithToken::new(uuid, token, PaymentMethod::Humo))
                .await
        ),
        1,
        "a paid payment is not paid again"
    );
    env.finish().await;
}

async fn blocking_a_token<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let (binding, token) = bound_token(
        &env,
        &env.bind_card("bind-b", UZCARD, PaymentMethod::Uzcard),
    )
    .await;
    let blocked = env.answer(&BlockCardToken::new(token.clone())).await;
    assert_eq!(blocked.status, TokenStatus::Blocked);
    let token_text = token.expose_secret().to_owned();
    let (held, status) = env.sb.binding_token(binding.as_str()).unwrap();
    assert_eq!(held.expose_secret(), token.expose_secret());
    assert_eq!(status, TokenStatus::Blocked, "the sandbox's own record");
    assert_eq!(
        code(env.client.send(&BlockCardToken::new(token.clone())).await),
        6,
        "no longer active"
    );
    assert_eq!(
        code(
            env.client
                .send(&BlockCardToken::new(CardToken::new("no-such-token")))
                .await
        ),
        5
    );
    let created = env.answer(&env.payment("order-b", "1000")).await;
    assert_eq!(
        code(
            env.client
                .send(&PayWithToken::new(
                    created.octo_payment_uuid.clone(),
                    token,
                    PaymentMethod::Uzcard
                ))
                .await
        ),
        6,
        "a blocked token does not pay"
    );
    assert_eq!(
        env.record(created.octo_payment_uuid.as_str()).status,
        PaymentStatus::Created
    );
    // Once blocked, the card can be bound again.
    let (_, fresh) = bound_token(
        &env,
        &env.bind_card("bind-b2", UZCARD, PaymentMethod::Uzcard),
    )
    .await;
    assert_ne!(fresh.expose_secret(), token_text);
    env.finish().await;
}

async fn binding_three_wrong_codes<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let (uuid, info) = started(&env, &env.bind_card("bind-w", HUMO, PaymentMethod::Humo)).await;
    let wrong = check(&uuid, &info, "000000");
    for _ in 0..3 {
        assert_eq!(code(env.client.send(&wrong).await), 1);
    }
    let callback = env.callbacks.next_tokenization().await;
    assert_eq!(callback.shop_transaction_id.as_str(), "bind-w");
    assert_eq!(callback.status, TokenStatus::Failed);
    let (_, status) = env.sb.binding_token(uuid.as_str()).unwrap();
    assert_eq!(status, TokenStatus::Failed);
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Canceled);
    let right = check(&uuid, &info, env.sb.otp_code());
    assert_eq!(code(env.client.send(&right).await), 1, "too late");
    env.finish().await;
}
