//! End to end, through each transport: a shop that holds both keys and has
//! not yet seen which formula OCTO signs its notifications with verifies
//! them with `SignatureScheme::Either`.
//!
//! The sandbox signs with its own code, not octo-proto's: with a unique key
//! for octo-reqwest's run and with the shop's secret and `hash_key` for the
//! others. Under either, every notification of a payment must be verified
//! and acknowledged on the sandbox's first try, and `signed_with` must name
//! the formula the sandbox used.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use octo_proto::callback::SchemeName;
use octo_proto::{PaymentStatus, RetryPolicy};
use octo_sandbox::cards::CardBehaviour;
use octo_testkit::AnyClient;
use support::{CallbackPaths, Env, Verify, assert_amount};

each_transport!(either_formula_is_accepted_and_named);

async fn either_formula_is_accepted_and_named<C: AnyClient + 'static>() {
    let env = Env::<C>::start_verifying(
        |b| b,
        RetryPolicy::default(),
        CallbackPaths::SEPARATE,
        Verify::Either,
    )
    .await;
    let formula = if Env::<C>::signs_with_unique_key() {
        SchemeName::UniqueKey
    } else {
        SchemeName::SecretAndHashKey
    };
    let prepare = env.payment("order-either", "2100.50");
    let (_, notes) = env
        .pay_until(&prepare, CardBehaviour::SmsCode, PaymentStatus::Succeeded)
        .await;
    assert_eq!(
        notes.iter().map(|n| n.status.clone()).collect::<Vec<_>>(),
        [PaymentStatus::WaitUserAction, PaymentStatus::Succeeded]
    );
    for n in &notes {
        assert_eq!(n.signed_with(), formula, "{n:?}");
        assert_eq!(n.shop_transaction_id.as_str(), "order-either");
    }
    assert_amount(notes.last().unwrap().total_sum, "2100.50");
    for late in env.each_acknowledged_at_first_try(notes.len()).await {
        assert_eq!(late.signed_with(), formula, "{late:?}");
    }
    env.finish().await;
}
