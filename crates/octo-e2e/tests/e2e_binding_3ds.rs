//! A Mastercard binding end to end through each transport's runner: the
//! 3-D Secure route has no `check_sms_key`, so the binding machine takes
//! the unsigned tokenization callback only once a status check shows the
//! binding payment through.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use octo_proto::machine::{BindingMachine, BindingParams, Machine};
use octo_proto::op::BindCard;
use octo_proto::{CardExpiry, Pan, PaymentMethod, TokenStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_testkit::AnyClient;
use support::{Env, Shopper};
use time::OffsetDateTime;

each_transport!(run_3ds_binding);

async fn run_3ds_binding<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let card = test_card(CardBehaviour::ThreeDSecure);
    let bind = BindCard {
        shop_transaction_id: "run-3ds".parse().unwrap(),
        pan: Pan::new(card.pan).unwrap(),
        exp: CardExpiry::parse_yymm(card.exp).unwrap(),
        phone: "998901234533".into(),
        card_holder_name: "ZAHIRIDDIN BABUR".into(),
        cvc2: None,
        method: PaymentMethod::BankCard,
        return_url: "https://shop.example/bound".into(),
        notify_url: None,
        bind_notify_url: Some(env.callbacks.bind_notify_url()),
    };
    let mut machine =
        BindingMachine::new(bind, BindingParams::default(), OffsetDateTime::now_utc());
    let mut shopper = Shopper::new(&env, card);
    let bound = env.client.run(&mut machine, &mut shopper).await.unwrap();
    assert!(machine.is_terminal());
    assert!(
        shopper.redirects[0].ends_with("/3ds"),
        "{:?}",
        shopper.redirects
    );
    let binding = machine.octo_payment_uuid().unwrap().clone();
    let (held, status) = env.sb.binding_token(binding.as_str()).unwrap();
    assert_eq!(status, TokenStatus::Active);
    assert_eq!(held.expose_secret(), bound.card_token.expose_secret());
    assert_eq!(
        bound.card.unwrap().as_str(),
        format!(
            "{}******{}",
            &card.pan[..6],
            &card.pan[card.pan.len() - 4..]
        )
    );
    env.all_callbacks_verified().await;
    env.shutdown().await;
}
