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
use octo_proto::{CardExpiry, PaymentMethod, TokenStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_testkit::AnyClient;
use support::{Env, Shopper};
use time::OffsetDateTime;

each_transport!(run_3ds_binding);

async fn run_3ds_binding<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let card = test_card(CardBehaviour::ThreeDSecure);
    let mut bind = env.bind_card("run-3ds", card.pan, PaymentMethod::BankCard);
    bind.exp = CardExpiry::parse_yymm(card.exp).unwrap();
    bind.phone = "998901234533".into();
    bind.card_holder_name = "ZAHIRIDDIN BABUR".into();
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
    env.finish().await;
}
