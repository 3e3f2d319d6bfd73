//! End to end, through each transport: binding a card with its SMS code
//! (`bind_card` → `verificationInfo` → `bind_card/check_sms_key` → the
//! tokenization callback), paying with the token, blocking it, and a
//! binding ended by three wrong codes. Callbacks arrive at octo-hyper's
//! `CallbackService` on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use octo_proto::op::{
    BindCard, BlockCardToken, CheckSmsKey, PayWithToken, PaymentStatusCheck, SmsCode,
    VerificationInfo,
};
use octo_proto::{
    CardExpiry, CardToken, Pan, PaymentMethod, PaymentStatus, PaymentUuid, TokenStatus,
};
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

fn bind<C>(env: &Env<C>, id: &str, pan: &str, method: PaymentMethod) -> BindCard {
    BindCard {
        shop_transaction_id: id.parse().unwrap(),
        pan: Pan::new(pan).unwrap(),
        exp: CardExpiry::parse_yymm("3012").unwrap(),
        phone: "998901234567".into(),
        card_holder_name: "ALISHER NAVOI".into(),
        cvc2: None,
        method,
        return_url: "https://shop.example/bound".into(),
        notify_url: None,
        bind_notify_url: Some(env.callbacks.bind_notify_url()),
    }
}

/// Binds `pan` with the right code: the binding's uuid and the token from
/// the verified callback.
async fn bound_token<C: AnyClient>(
    env: &Env<C>,
    id: &str,
    pan: &str,
    method: PaymentMethod,
) -> (PaymentUuid, CardToken) {
    let started = env.client.send(&bind(env, id, pan, method)).await.unwrap();
    let uuid = started.octo_payment_uuid.clone();
    let info = env
        .client
        .send(&VerificationInfo::new(uuid.clone()))
        .await
        .unwrap();
    env.client
        .send(&CheckSmsKey {
            octo_payment_uuid: uuid.clone(),
            verify_id: info.verify_id,
            sms_key: SmsCode::new(env.sb.otp_code()).unwrap(),
        })
        .await
        .unwrap();
    let callback = env.callbacks.next_tokenization().await;
    assert_eq!(callback.status, TokenStatus::Active);
    (uuid, callback.card_token)
}

async fn card_binding_with_sms_code<C: AnyClient + 'static>() {
    // A stopped clock, so that `secondsLeft` is exact.
    let env = Env::<C>::with_clock(ManualClock::starting_now()).await;
    let started = env
        .client
        .send(&bind(&env, "bind-1", UZCARD, PaymentMethod::Uzcard))
        .await
        .unwrap();
    assert_eq!(started.status, PaymentStatus::Created);
    let uuid = started.octo_payment_uuid.clone();
    assert_eq!(
        code(
            env.client
                .send(&bind(&env, "bind-1", UZCARD, PaymentMethod::Uzcard))
                .await
        ),
        20,
        "not idempotent: the same request meets the pending token"
    );
    assert_eq!(
        code(
            env.client
                .send(&bind(&env, "bind-2", UZCARD, PaymentMethod::Uzcard))
                .await
        ),
        20,
        "a binding of this card is pending"
    );
    assert_eq!(
        env.sb.binding_token(uuid.as_str()).unwrap().1,
        TokenStatus::Init
    );

    let info = env
        .client
        .send(&VerificationInfo::new(uuid.clone()))
        .await
        .unwrap();
    assert_eq!(info.seconds_left, 300);
    assert_eq!(info.phone.as_deref(), Some("+998** *****67"));
    let check = |sms: &str| CheckSmsKey {
        octo_payment_uuid: uuid.clone(),
        verify_id: info.verify_id,
        sms_key: SmsCode::new(sms).unwrap(),
    };
    assert_eq!(code(env.client.send(&check("654321")).await), 1, "wrong");
    assert!(
        env.callbacks
            .next_tokenization_within(std::time::Duration::from_millis(100))
            .await
            .is_none(),
        "no callback before the right code"
    );
    let done = env.client.send(&check(env.sb.otp_code())).await.unwrap();
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
    let record = env.sb.payment(uuid.as_str()).unwrap();
    assert!(record.is_binding);
    assert_eq!(record.status, PaymentStatus::Succeeded);
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

async fn token_payment<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let (_, token) = bound_token(&env, "bind-t", HUMO, PaymentMethod::Humo).await;
    let created = env
        .client
        .send(&env.payment("order-t", "2500.30"))
        .await
        .unwrap();
    let uuid = created.octo_payment_uuid.clone();
    let paying = env
        .client
        .send(&PayWithToken::new(
            uuid.clone(),
            token.clone(),
            PaymentMethod::Humo,
        ))
        .await
        .unwrap();
    assert_eq!(paying.status, PaymentStatus::WaitUserAction);
    assert_eq!(paying.total_sum.to_string(), "2500.30");
    let otp = paying.redirect_url.clone().unwrap();
    assert!(otp.ends_with("/otp"), "{otp}");
    assert_eq!(support::uuid_in(&otp), uuid.as_str());
    env.sb
        .customer()
        .enter_code(uuid.as_str(), env.sb.otp_code())
        .unwrap();
    let notes = env
        .callbacks
        .notifications_until(uuid.as_str(), PaymentStatus::Succeeded)
        .await;
    assert_amount(notes.last().unwrap().total_sum, "2500.30");
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("order-t".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Succeeded);
    assert_amount(checked.total_sum, "2500.30");
    assert_eq!(
        env.sb.payment(uuid.as_str()).unwrap().status,
        PaymentStatus::Succeeded
    );
    assert_eq!(
        code(
            env.client
                .send(&PayWithToken::new(uuid, token, PaymentMethod::Humo))
                .await
        ),
        1,
        "a paid payment is not paid again"
    );
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

async fn blocking_a_token<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let (binding, token) = bound_token(&env, "bind-b", UZCARD, PaymentMethod::Uzcard).await;
    let blocked = env
        .client
        .send(&BlockCardToken::new(token.clone()))
        .await
        .unwrap();
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
    let created = env
        .client
        .send(&env.payment("order-b", "1000"))
        .await
        .unwrap();
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
        env.sb
            .payment(created.octo_payment_uuid.as_str())
            .unwrap()
            .status,
        PaymentStatus::Created
    );
    // Once blocked, the card can be bound again.
    let (_, fresh) = bound_token(&env, "bind-b2", UZCARD, PaymentMethod::Uzcard).await;
    assert_ne!(fresh.expose_secret(), token_text);
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

async fn binding_three_wrong_codes<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let started = env
        .client
        .send(&bind(&env, "bind-w", HUMO, PaymentMethod::Humo))
        .await
        .unwrap();
    let uuid = started.octo_payment_uuid.clone();
    let info = env
        .client
        .send(&VerificationInfo::new(uuid.clone()))
        .await
        .unwrap();
    let wrong = CheckSmsKey {
        octo_payment_uuid: uuid.clone(),
        verify_id: info.verify_id,
        sms_key: SmsCode::new("000000").unwrap(),
    };
    for _ in 0..3 {
        assert_eq!(code(env.client.send(&wrong).await), 1);
    }
    let callback = env.callbacks.next_tokenization().await;
    assert_eq!(callback.shop_transaction_id.as_str(), "bind-w");
    assert_eq!(callback.status, TokenStatus::Failed);
    let (_, status) = env.sb.binding_token(uuid.as_str()).unwrap();
    assert_eq!(status, TokenStatus::Failed);
    assert_eq!(
        env.sb.payment(uuid.as_str()).unwrap().status,
        PaymentStatus::Canceled
    );
    let right = CheckSmsKey {
        sms_key: SmsCode::new(env.sb.otp_code()).unwrap(),
        ..wrong
    };
    assert_eq!(code(env.client.send(&right).await), 1, "too late");
    env.all_callbacks_verified().await;
    env.shutdown().await;
}
