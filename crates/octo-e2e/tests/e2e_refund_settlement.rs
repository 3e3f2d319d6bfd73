//! End to end, a refund OCTO does not finish at once: the sandbox answers
//! it `new`, then `pending`, and it either succeeds or ends `canceled`. A
//! payment machine driven by each transport's runner (`Client::run`) asks
//! about it again with the very same refund until OCTO gives its final
//! word, never reporting money refunded before OCTO says so.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use octo_proto::machine::{Failure, Input, Machine, PaymentMachine, PaymentParams, PaymentPhase};
use octo_proto::{PaymentStatus, RefundStatus};
use octo_sandbox::RefundSettlement;
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_testkit::AnyClient;
use octo_transport::RunError;
use rust_decimal::Decimal;
use support::{Env, Shopper, bounded, dec};
use time::OffsetDateTime;

each_transport!(a_pending_refund_settles, a_pending_refund_fails);

/// Asks again about an open refund every second.
fn params() -> PaymentParams {
    PaymentParams {
        recheck_interval: time::Duration::seconds(1),
        ..PaymentParams::default()
    }
}

/// A sandbox whose refunds settle as `settlement` says.
async fn settling<C: AnyClient + 'static>(settlement: RefundSettlement) -> Env<C> {
    Env::<C>::start_with(
        |b| b.refund_settlement(settlement),
        octo_proto::RetryPolicy::default(),
    )
    .await
}

/// A one-stage payment of 50,000.00 under `id`, paid through the runner,
/// then a refund `{id}-r1` of the whole amount handed in.
async fn paid_then_refund<C: AnyClient + 'static>(
    env: &Env<C>,
    shopper: &mut Shopper<'_>,
    id: &str,
) -> PaymentMachine {
    let prepare = env.payment(id, "50000.00");
    let mut machine = PaymentMachine::new(prepare, params(), OffsetDateTime::now_utc());
    let paid = bounded(env.client.run(&mut machine, shopper))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    machine
        .handle_input(
            Input::Refund {
                shop_refund_id: format!("{id}-r1").parse().unwrap(),
                amount: dec("50000.00"),
            },
            OffsetDateTime::now_utc(),
        )
        .unwrap();
    machine
}

async fn a_pending_refund_settles<C: AnyClient + 'static>() {
    let env = settling::<C>(RefundSettlement::AfterChecks(2)).await;
    let mut shopper = Shopper::new(&env, test_card(CardBehaviour::SmsCode));
    let mut machine = paid_then_refund(&env, &mut shopper, "run-pend-ok").await;
    // new, pending, pending, succeeded: the run waits it out.
    let outcome = bounded(env.client.run(&mut machine, &mut shopper))
        .await
        .unwrap();
    assert_eq!(outcome.status, PaymentStatus::Refunded);
    assert_eq!(outcome.refunded_sum.to_string(), "50000.00");
    assert_eq!(outcome.refunds.len(), 1);
    assert_eq!(outcome.refunds[0].status, Some(RefundStatus::Succeeded));
    assert!(machine.is_terminal());
    assert_eq!(machine.phase(), PaymentPhase::Refunded);
    let uuid = outcome.octo_payment_uuid.unwrap();
    assert_eq!(env.record(uuid.as_str()).refunded_sum, dec("50000.00"));
    // One refund in the ledger, made once, though asked about four times.
    let ledger = env.sb.refunds();
    assert_eq!(ledger.len(), 1);
    assert!(ledger[0].settled, "{ledger:?}");
    env.finish().await;
}

async fn a_pending_refund_fails<C: AnyClient + 'static>() {
    let env = settling::<C>(RefundSettlement::FailsAfterChecks(1)).await;
    let mut shopper = Shopper::new(&env, test_card(CardBehaviour::SmsCode));
    let mut machine = paid_then_refund(&env, &mut shopper, "run-pend-no").await;
    // new, pending, canceled: the shop hears of it.
    let ended = bounded(env.client.run(&mut machine, &mut shopper)).await;
    match ended {
        Err(RunError::Failed(Failure::RefundRefused {
            shop_refund_id,
            status,
        })) => {
            assert_eq!(shop_refund_id.as_str(), "run-pend-no-r1");
            assert_eq!(status, RefundStatus::Canceled);
        }
        other => panic!("expected the refund refused, got {other:?}"),
    }
    // Still paid, nothing refunded, the amount free again.
    assert!(!machine.is_terminal());
    assert_eq!(machine.phase(), PaymentPhase::Succeeded);
    assert_eq!(machine.refunded_sum(), Decimal::ZERO);
    assert!(machine.refunds()[0].is_refused());
    let uuid = machine.octo_payment_uuid().unwrap().clone();
    assert_eq!(env.record(uuid.as_str()).refunded_sum, Decimal::ZERO);
    let ledger = env.sb.refunds();
    assert!(ledger[0].canceled && !ledger[0].settled, "{ledger:?}");
    machine
        .handle_input(
            Input::Refund {
                shop_refund_id: "run-pend-no-r2".parse().unwrap(),
                amount: dec("50000.00"),
            },
            OffsetDateTime::now_utc(),
        )
        .unwrap();
    env.finish().await;
}
