//! Faults injected by the sandbox, met by each transport's own retries:
//! connections dropped after the sandbox processed the request, and HTTP
//! 500s before or after processing. Idempotent calls (`prepare_payment`,
//! the status check, `refund`) are retried with the same idempotency key and
//! never create a second payment or refund; calls that are not idempotent
//! (`set_accept`, paying with a token) are not resent, and a status check
//! then reports exactly what the sandbox holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use octo_proto::op::{PreparePayment, Refund, SetAccept};
use octo_proto::{Error, PaymentStatus, PaymentUuid, RefundStatus, RetryPolicy};
use octo_sandbox::cards::CardBehaviour;
use octo_sandbox::{DuplicateRefund, FaultAction, FaultRule};
use octo_testkit::AnyClient;
use support::{Env, assert_amount, dec};

each_transport!(
    retried_prepare_makes_one_payment,
    retried_refunds_refund_once,
    unsafe_calls_are_not_resent_and_status_matches_the_sandbox,
    many_payments_under_faults_end_as_the_sandbox_holds_them,
    a_refund_whose_resend_is_refused_is_not_a_refusal,
);

/// Five attempts, a few milliseconds apart.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::new(5, Duration::from_millis(5), Duration::from_millis(40))
}

async fn env<C: AnyClient + 'static>() -> Env<C> {
    Env::<C>::start_with(|b| b, quick_retries()).await
}

fn fault(action: FaultAction, path: &str, times: u32) -> FaultRule {
    FaultRule::new(action).on_path(path).times(times)
}

/// Prepares `prepare` and has the customer pay it with a card that passes.
async fn paid<C: AnyClient + 'static>(env: &Env<C>, prepare: &PreparePayment) -> PaymentUuid {
    let uuid = env.answer(prepare).await.octo_payment_uuid;
    env.pay(uuid.as_str(), CardBehaviour::Success);
    uuid
}

async fn retried_prepare_makes_one_payment<C: AnyClient + 'static>() {
    let env = env::<C>().await;
    let faults = env.sb.faults();
    faults.add(fault(
        FaultAction::DropAfterProcessing,
        "/prepare_payment",
        1,
    ));
    faults.add(fault(
        FaultAction::Status500AfterProcessing,
        "/prepare_payment",
        1,
    ));
    faults.add(fault(FaultAction::Status500, "/prepare_payment", 1));
    let created = env.answer(&env.payment("f-1", "50000.00")).await;
    assert_eq!(env.sb.payment_count(), 1, "three attempts, one payment");
    let uuid = created.octo_payment_uuid.as_str();
    let record = env.record(uuid);
    assert_eq!(record.shop_transaction_id, "f-1");
    assert_eq!(record.total_sum, dec("50000.00"));
    assert_eq!(created.status, record.status);

    // The faults were used up by the retries: the next call goes straight
    // through and is still the same payment.
    let again = env.answer(&env.payment("f-1", "50000.00")).await;
    assert_eq!(again.octo_payment_uuid, created.octo_payment_uuid);
    assert_eq!(env.sb.payment_count(), 1);

    // The status check is retried too, and reads what the sandbox holds.
    env.pay(uuid, CardBehaviour::Success);
    faults.add(fault(
        FaultAction::DropAfterProcessing,
        "/prepare_payment",
        2,
    ));
    let checked = env.checked("f-1").await;
    assert_eq!(checked.status, PaymentStatus::Succeeded);
    assert_eq!(checked.status, env.record(uuid).status);
    env.shutdown().await;
}

async fn retried_refunds_refund_once<C: AnyClient + 'static>() {
    let env = env::<C>().await;
    let uuid = paid(&env, &env.payment("f-2", "200000.00")).await;
    let faults = env.sb.faults();
    let refund =
        |id: &str, amount: &str| Refund::new(id.parse().unwrap(), uuid.clone(), dec(amount));

    faults.add(fault(FaultAction::DropAfterProcessing, "/refund", 2));
    let first = env.client.send(&refund("rf-1", "20000.10")).await.unwrap();
    assert_eq!(first.status, RefundStatus::Succeeded);
    assert_eq!(
        env.record(uuid.as_str()).refunded_sum,
        dec("20000.10"),
        "three attempts, one refund"
    );

    faults.add(fault(FaultAction::Status500AfterProcessing, "/refund", 1));
    faults.add(fault(FaultAction::Status500, "/refund", 1));
    let second = env.client.send(&refund("rf-2", "30000.00")).await.unwrap();
    assert_ne!(second.refund_id, first.refund_id);
    assert_eq!(env.record(uuid.as_str()).refunded_sum, dec("50000.10"));
    let checked = env.checked("f-2").await;
    assert_amount(checked.refunded_sum, "50000.10");
    assert_eq!(checked.status, env.record(uuid.as_str()).status);
    env.shutdown().await;
}

/// A sandbox that refuses a duplicate `shop_refund_id` (the other reading
/// of OCTO's "filters duplicate calls"): the refund is made, its answer
/// lost, and the transport's resend refused. The client must not report
/// a refusal: the refund was made once, and a new id would make it twice.
async fn a_refund_whose_resend_is_refused_is_not_a_refusal<C: AnyClient + 'static>() {
    let env = Env::<C>::start_with(
        |b| b.duplicate_refund(DuplicateRefund::Refused),
        quick_retries(),
    )
    .await;
    let uuid = paid(&env, &env.payment("f-5", "100000.00")).await;
    env.sb
        .faults()
        .add(fault(FaultAction::DropAfterProcessing, "/refund", 1));
    let refund = Refund::new("rf-5".parse().unwrap(), uuid.clone(), dec("40000.00"));
    let error = env.client.send(&refund).await.unwrap_err();
    assert!(matches!(error, Error::RefusedAfterResend(_)), "{error:?}");
    assert!(!error.is_refusal(), "{error}");
    assert_eq!(error.code().map(|c| c.as_i64()), Some(1));
    assert_eq!(env.record(uuid.as_str()).refunded_sum, dec("40000.00"));
    // OCTO's status says what the refusal could not: it was made.
    assert_amount(env.checked("f-5").await.refunded_sum, "40000.00");
    env.shutdown().await;
}

async fn unsafe_calls_are_not_resent_and_status_matches_the_sandbox<C: AnyClient + 'static>() {
    let env = env::<C>().await;
    let uuid = paid(&env, &env.payment("f-3", "9000").two_stage()).await;
    // The capture is made, the answer lost; the client must not resend.
    env.sb
        .faults()
        .add(fault(FaultAction::DropAfterProcessing, "/set_accept", 1));
    env.sb
        .faults()
        .add(fault(FaultAction::Status500, "/set_accept", 1));
    let lost = env.client.send(&SetAccept::capture(uuid.clone())).await;
    let error = lost.unwrap_err();
    assert!(
        !matches!(error, octo_proto::Error::Octo(_)),
        "a transport error, not OCTO's: {error}"
    );
    // Not resent: the 500 that a second attempt would have met is still set.
    let refused = env.client.send(&SetAccept::capture(uuid.clone())).await;
    assert!(refused.is_err(), "the second attempt met the 500");
    let checked = env.checked("f-3").await;
    assert_eq!(checked.status, PaymentStatus::Succeeded, "the capture held");
    assert_eq!(checked.status, env.record(uuid.as_str()).status);
    env.shutdown().await;
}

/// Twelve payments, each created, paid or not, captured or refunded, with
/// faults on every path the shop calls; at the end, each one's status
/// check equals the sandbox's record and nothing was created twice.
async fn many_payments_under_faults_end_as_the_sandbox_holds_them<C: AnyClient + 'static>() {
    let env = env::<C>().await;
    let faults = env.sb.faults();
    let mut ids = Vec::new();
    for i in 0..12_u32 {
        let action = match i % 3 {
            0 => FaultAction::DropAfterProcessing,
            1 => FaultAction::Status500AfterProcessing,
            _ => FaultAction::Status500,
        };
        faults.add(fault(action, "/prepare_payment", 1 + i % 2));
        let id = format!("many-{i}");
        let mut prepare = env.payment(&id, "30000.00");
        if i % 4 == 1 {
            prepare = prepare.two_stage();
        }
        let uuid = env.answer(&prepare).await.octo_payment_uuid;
        match i % 4 {
            0 => {
                env.pay(uuid.as_str(), CardBehaviour::Success);
                faults.add(fault(action, "/refund", 1));
                let refund = Refund::new(
                    format!("many-r{i}").parse().unwrap(),
                    uuid.clone(),
                    dec("15000.00"),
                );
                env.client.send(&refund).await.unwrap();
            }
            1 => {
                env.pay(uuid.as_str(), CardBehaviour::SmsCode);
                faults.add(fault(FaultAction::DropAfterProcessing, "/set_accept", 1));
                // Unknown outcome: not resent.
                let cancel = SetAccept::cancel(uuid.clone());
                assert!(env.client.send(&cancel).await.is_err());
            }
            2 => {
                env.pay(uuid.as_str(), CardBehaviour::Decline);
            }
            _ => {}
        }
        ids.push((id, uuid));
    }
    assert_eq!(env.sb.payment_count(), 12, "no payment created twice");
    faults.clear();
    for (i, (id, uuid)) in ids.iter().enumerate() {
        let checked = env.checked(id).await;
        let record = env.record(uuid.as_str());
        assert_eq!(checked.status, record.status, "{id}");
        assert_eq!(
            checked.refunded_sum.unwrap_or_default(),
            record.refunded_sum,
            "{id}"
        );
        let expected = match i % 4 {
            0 => PaymentStatus::Succeeded,
            1 | 2 => PaymentStatus::Canceled,
            _ => PaymentStatus::Created,
        };
        assert_eq!(record.status, expected, "{id}");
        if i % 4 == 0 {
            assert_eq!(record.refunded_sum, dec("15000.00"), "{id}: refunded once");
        }
    }
    env.shutdown().await;
}
