//! End to end with octo-proto's state machines driven by each transport's
//! runner (`Client::run`): a one-stage payment, a two-stage payment
//! captured in part, a refund after it, a card binding with its SMS code,
//! and a payment with the bound token. The shopper in `support` pays on
//! the sandbox when redirected, types the code, decides the hold, and hands
//! in the callbacks octo-hyper's `CallbackService` verified.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::time::Duration;

use octo_proto::machine::{
    BindingMachine, BindingParams, Failure, Input, Machine, PaymentMachine, PaymentParams,
    TokenPaymentMachine,
};
use octo_proto::{CardToken, Endpoint, PaymentMethod, PaymentStatus, TokenStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{FaultAction, FaultKind, FaultRule};
use octo_testkit::AnyClient;
use octo_transport::RunError;
use support::{Env, Shopper, dec};
use time::OffsetDateTime;

each_transport!(
    run_one_stage,
    run_two_stage_partial_capture_then_refund,
    run_binding_then_token_payment,
    run_token_payment_whose_answer_was_lost,
);

async fn run_one_stage<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let prepare = env.payment("run-1", "1234.56");
    let mut machine =
        PaymentMachine::new(prepare, PaymentParams::default(), OffsetDateTime::now_utc());
    let mut shopper = Shopper::new(&env, test_card(CardBehaviour::SmsCode));
    let outcome = env.client.run(&mut machine, &mut shopper).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Succeeded);
    assert_eq!(outcome.total_sum.to_string(), "1234.56");
    assert_eq!(outcome.refunded_sum, dec("0"));
    assert_eq!(shopper.redirects.len(), 1);
    let uuid = outcome.octo_payment_uuid.clone().unwrap();
    assert!(
        shopper.redirects[0].starts_with(&format!("{}/pay/{}", env.sb.base_url(), uuid.as_str())),
        "{:?}",
        shopper.redirects
    );
    let record = env.record(uuid.as_str());
    assert_eq!(record.status, PaymentStatus::Succeeded);
    assert_eq!(record.total_sum, dec("1234.56"));
    assert_eq!(env.sb.payment_count(), 1);
    env.finish().await;
}

async fn run_two_stage_partial_capture_then_refund<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let prepare = env.payment("run-2", "100000.00").two_stage();
    let mut machine =
        PaymentMachine::new(prepare, PaymentParams::default(), OffsetDateTime::now_utc());
    let mut shopper = Shopper::new(&env, test_card(CardBehaviour::ThreeDSecure));
    shopper.decision = Input::Capture {
        final_amount: Some(dec("80000.00")),
    };
    let outcome = env.client.run(&mut machine, &mut shopper).await.unwrap();
    assert_eq!(shopper.holds.len(), 1);
    assert_eq!(shopper.holds[0].amount.to_string(), "100000.00");
    assert_eq!(outcome.status, PaymentStatus::Succeeded);
    assert_eq!(outcome.total_sum.to_string(), "80000.00");
    let uuid = outcome.octo_payment_uuid.clone().unwrap();
    let record = env.record(uuid.as_str());
    assert_eq!(
        (record.status, record.total_sum),
        (PaymentStatus::Succeeded, dec("80000.00"))
    );

    // The same machine takes a refund.
    machine
        .handle_input(
            Input::Refund {
                shop_refund_id: "run-2-r1".parse().unwrap(),
                amount: dec("30000.25"),
            },
            OffsetDateTime::now_utc(),
        )
        .unwrap();
    let outcome = env.client.run(&mut machine, &mut shopper).await.unwrap();
    assert_eq!(outcome.refunded_sum.to_string(), "30000.25");
    assert_eq!(env.record(uuid.as_str()).refunded_sum, dec("30000.25"));
    env.finish().await;
}

/// Binds a Humo card through the binding machine and returns its token.
async fn bound_token<C: AnyClient + 'static>(
    env: &Env<C>,
    shopper: &mut Shopper<'_>,
    id: &str,
) -> CardToken {
    let bind = env.bind_card(id, "9860000000000000", PaymentMethod::Humo);
    let mut machine =
        BindingMachine::new(bind, BindingParams::default(), OffsetDateTime::now_utc());
    env.client
        .run(&mut machine, shopper)
        .await
        .unwrap()
        .card_token
}

/// The answer to `pay/{uuid}` is lost after the sandbox charged: the
/// payment shows `created` beside the code sent to the customer, as
/// OCTO's page prints it, so the machine reports the lost answer, never
/// charges again, and sees the payment to its end once the customer
/// types the code.
async fn run_token_payment_whose_answer_was_lost<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let mut shopper = Shopper::new(&env, test_card(CardBehaviour::SmsCode));
    let token = bound_token(&env, &mut shopper, "lost-bind").await;
    let faults = env.sb.faults();
    faults.add(
        FaultRule::new(FaultAction::DropAfterProcessing)
            .on_path("/pay")
            .times(1),
    );
    // Counts every later charge, answered as usual.
    faults.add(FaultRule::new(FaultAction::Delay(Duration::ZERO)).on_path("/pay"));
    let later_charges = || faults.injected().get(FaultKind::Delay);

    let prepare = env.payment("lost-t", "5000.50");
    let mut machine = TokenPaymentMachine::new(
        prepare,
        token,
        PaymentMethod::Humo,
        None,
        PaymentParams::default(),
        OffsetDateTime::now_utc(),
    );
    let redirects = shopper.redirects.len();
    let failed = env
        .client
        .run(&mut machine, &mut shopper)
        .await
        .unwrap_err();
    assert!(
        matches!(
            failed,
            RunError::Failed(Failure::Request {
                endpoint: Endpoint::PayWithToken,
                ..
            })
        ),
        "{failed:?}"
    );
    assert!(!machine.is_terminal(), "the charge may have landed");
    assert_eq!(shopper.redirects.len(), redirects, "the page was lost");
    let uuid = machine.payment().octo_payment_uuid().unwrap().clone();
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Created);
    assert_eq!(later_charges(), 0);

    // The customer got the code by SMS and types it.
    env.sb
        .customer()
        .enter_code(uuid.as_str(), env.sb.otp_code())
        .unwrap();
    machine
        .handle_input(Input::CheckStatus, OffsetDateTime::now_utc())
        .unwrap();
    let outcome = env.client.run(&mut machine, &mut shopper).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Succeeded);
    assert_eq!(outcome.total_sum, dec("5000.50"));
    assert_eq!(later_charges(), 0, "charged once");
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Succeeded);
    env.finish().await;
}

async fn run_binding_then_token_payment<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let mut bind = env.bind_card("run-bind", "9860000000000000", PaymentMethod::Humo);
    bind.phone = "998901234533".into();
    bind.card_holder_name = "ZAHIRIDDIN BABUR".into();
    let mut machine =
        BindingMachine::new(bind, BindingParams::default(), OffsetDateTime::now_utc());
    let mut shopper = Shopper::new(&env, test_card(CardBehaviour::SmsCode));
    let bound = env.client.run(&mut machine, &mut shopper).await.unwrap();
    assert!(machine.is_terminal());
    assert_eq!(bound.shop_transaction_id.as_str(), "run-bind");
    assert_eq!(shopper.prompts.len(), 1, "asked for the code once");
    assert_eq!(shopper.prompts[0].phone.as_deref(), Some("+998** *****33"));
    let binding = machine.octo_payment_uuid().unwrap().clone();
    let (held, status) = env.sb.binding_token(binding.as_str()).unwrap();
    assert_eq!(status, TokenStatus::Active);
    assert_eq!(held.expose_secret(), bound.card_token.expose_secret());

    // Pay with it: a Humo token asks for the SMS code on the OTP page.
    let prepare = env.payment("run-t", "77000.70");
    let mut machine = TokenPaymentMachine::new(
        prepare,
        bound.card_token.clone(),
        PaymentMethod::Humo,
        None,
        PaymentParams::default(),
        OffsetDateTime::now_utc(),
    );
    let outcome = env.client.run(&mut machine, &mut shopper).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Succeeded);
    assert_eq!(outcome.total_sum.to_string(), "77000.70");
    assert!(shopper.redirects.last().unwrap().ends_with("/otp"));
    let uuid = outcome.octo_payment_uuid.unwrap();
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Succeeded);
    env.finish().await;
}
