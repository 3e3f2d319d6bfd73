//! OCTO said `"error": 0` but a field of its answer did not decode
//! (`Error::Decode`). Resending is not safe, yet OCTO did act: the card was
//! charged, the hold captured, the refund made. A machine must treat such
//! an answer as an unknown outcome and learn the truth with a read, never as
//! a refusal that ends the flow (the shop would then pay again under a new
//! order, or refund again under a new id).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use machine_support::*;
use octo_proto::machine::{
    Failure, Input, Machine, Output, PaymentMachine, PaymentOutcome, PaymentParams, PaymentPhase,
    Reply,
};
use octo_proto::op::Payment;
use octo_proto::{DecodeProblem, Error, PaymentStatus, RawBody, RefundStatus};
use time::OffsetDateTime;

/// A success envelope whose `field` OCTO sent in a form we cannot read.
fn unreadable(field: &str) -> Error {
    Error::Decode {
        status: http::StatusCode::OK,
        path: field.to_owned(),
        problem: DecodeProblem::Invalid {
            expected: "a decimal amount",
        },
        body: RawBody::new(r#"{"error":0,"data":{"totalSum":"1 000,00"}}"#),
    }
}

/// Hands `m` OCTO's unreadable success `reply` to the `action` it sent, at
/// `now`: the machine must ask OCTO (its next line is `check`) and stay open.
fn unreadable_answer_is_checked<M: Machine<Outcome = PaymentOutcome>>(
    m: &mut M,
    reply: Reply,
    now: OffsetDateTime,
    check: &str,
    action: &str,
) {
    m.handle_input(Input::Reply(reply), now).unwrap();
    let lines = drain(m, payment_outcome);
    assert_eq!(
        lines[0], check,
        "OCTO said the {action} went through; the machine gave up: {lines:?}"
    );
    assert!(!m.is_terminal());
}

/// Hands `m` the check's answer `found`, which does not show the `action`
/// settled yet: the machine must stay open and must not send the `action`
/// again (no line starts with `resend`).
fn unsettled_check_keeps_waiting<M: Machine<Outcome = PaymentOutcome>>(
    m: &mut M,
    found: Payment,
    now: OffsetDateTime,
    resend: &str,
    action: &str,
) {
    m.handle_input(Input::Reply(Reply::PaymentStatus(Ok(found))), now)
        .unwrap();
    let lines = drain(m, payment_outcome);
    assert!(
        !m.is_terminal(),
        "the {action} OCTO accepted was declared failed: {lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with(resend)),
        "the {action} OCTO accepted was sent again: {lines:?}"
    );
}

#[test]
fn a_charge_whose_answer_does_not_decode_is_checked_not_failed() {
    let mut m = humo_token_charge_sent("order-u", "u-u");
    unreadable_answer_is_checked(
        &mut m,
        Reply::PayWithToken(Err(unreadable("data.totalSum"))),
        at(0, 2),
        "send payment_status order-u",
        "charge",
    );
    // The check shows the payment waiting for the customer (an OTP or
    // 3-D Secure step): the charge OCTO accepted is still under way, not
    // a pay request that never landed.
    let waiting = payment("order-u", "u-u", PaymentStatus::WaitingPay, Some("1000.00"));
    unsettled_check_keeps_waiting(&mut m, waiting, at(0, 3), "send pay_with_token", "charge");
}

#[test]
fn a_capture_whose_answer_does_not_decode_is_checked_not_failed() {
    let mut m = PaymentMachine::new(
        prepare("order-c", "1000.00").two_stage(),
        PaymentParams::default(),
        T0,
    );
    drain(&mut m, payment_outcome);
    let held = payment(
        "order-c",
        "u-c",
        PaymentStatus::WaitingForCapture,
        Some("1000.00"),
    );
    m.handle_input(Input::Reply(Reply::PreparePayment(Ok(held))), at(0, 1))
        .unwrap();
    drain(&mut m, payment_outcome);
    assert_eq!(m.phase(), PaymentPhase::Held);
    m.handle_input(Input::Capture { final_amount: None }, at(0, 2))
        .unwrap();
    assert_eq!(
        drain(&mut m, payment_outcome)[0],
        "send set_accept capture 1000.00"
    );
    unreadable_answer_is_checked(
        &mut m,
        Reply::SetAccept(Err(unreadable("status"))),
        at(0, 3),
        "send payment_status order-c",
        "capture",
    );
    // An older answer may still show the hold: the capture OCTO accepted
    // must not be sent again; the machine checks again later.
    let still_held = payment(
        "order-c",
        "u-c",
        PaymentStatus::WaitingForCapture,
        Some("1000.00"),
    );
    unsettled_check_keeps_waiting(&mut m, still_held, at(0, 4), "send set_accept", "capture");
}

#[test]
fn a_refund_whose_answer_does_not_decode_keeps_its_amount_reserved() {
    let mut m = PaymentMachine::new(prepare("order-r", "1000.00"), PaymentParams::default(), T0);
    drain(&mut m, payment_outcome);
    let paid = payment("order-r", "u-r", PaymentStatus::Succeeded, Some("1000.00"));
    m.handle_input(Input::Reply(Reply::PreparePayment(Ok(paid))), at(0, 1))
        .unwrap();
    drain(&mut m, payment_outcome);
    assert_eq!(m.phase(), PaymentPhase::Succeeded);
    m.handle_input(refund("r-1", "1000.00"), at(1, 0)).unwrap();
    assert_eq!(drain(&mut m, payment_outcome)[0], "send refund r-1 1000.00");
    m.handle_input(
        Input::Reply(Reply::Refund(Err(unreadable("data.refund_time")))),
        at(1, 1),
    )
    .unwrap();
    drain(&mut m, payment_outcome);
    // OCTO made the refund: the whole amount is taken, so a second refund
    // of it under another id must not be sent.
    let again = m.handle_input(refund("r-2", "1000.00"), at(2, 0));
    let lines = drain(&mut m, payment_outcome);
    assert!(
        again.is_err() || !lines.iter().any(|l| l.starts_with("send refund r-2")),
        "a refund OCTO made was forgotten and sent again: {lines:?}"
    );
}

/// A payment machine of `order` (1000.00, OCTO's `uuid`) paid, with a
/// refund `r-1` of `amount` just sent.
fn paid_with_refund_of(order: &str, uuid: &str, amount: &str) -> PaymentMachine {
    let mut m = PaymentMachine::new(prepare(order, "1000.00"), PaymentParams::default(), T0);
    drain(&mut m, payment_outcome);
    let paid = payment(order, uuid, PaymentStatus::Succeeded, Some("1000.00"));
    m.handle_input(Input::Reply(Reply::PreparePayment(Ok(paid))), at(0, 1))
        .unwrap();
    drain(&mut m, payment_outcome);
    m.handle_input(refund("r-1", amount), at(1, 0)).unwrap();
    assert_eq!(
        drain(&mut m, payment_outcome)[0],
        format!("send refund r-1 {amount}")
    );
    m
}

/// [`paid_with_refund_of`] all of it.
fn paid_with_refund_sent(order: &str, uuid: &str) -> PaymentMachine {
    paid_with_refund_of(order, uuid, "1000.00")
}

/// The transport resent the refund after an attempt whose outcome was
/// unknown, and OCTO refused the resend: the first attempt may have made
/// the refund, so its amount stays reserved and the same id may go again,
/// while a new id for the same money is refused.
#[test]
fn a_refund_refused_after_a_resend_keeps_its_amount_reserved_and_its_id() {
    let mut m = paid_with_refund_sent("order-s", "u-s");
    let last = octo_error(3, octo_proto::Endpoint::Refund);
    let refused = Error::RefusedAfterResend(Box::new(last));
    assert!(!refused.is_refusal());
    m.handle_input(Input::Reply(Reply::Refund(Err(refused))), at(1, 1))
        .unwrap();
    drain(&mut m, payment_outcome);
    assert!(!m.is_terminal());
    assert!(
        m.handle_input(refund("r-2", "1000.00"), at(2, 0)).is_err(),
        "a refund that may have been made was freed for a new id"
    );
    m.handle_input(refund("r-1", "1000.00"), at(2, 1)).unwrap();
    assert_eq!(
        drain(&mut m, payment_outcome)[0],
        "send refund r-1 1000.00",
        "the same id goes again"
    );
}

/// A refund whose first call ended with an unknown outcome is sent again
/// under the same id, as the shop should, and OCTO refuses that call (it
/// filters the duplicate): the first call may have made the refund, so
/// the refusal frees nothing.
#[test]
fn a_refund_in_doubt_refused_when_sent_again_keeps_its_amount_reserved() {
    let mut m = paid_with_refund_sent("order-d", "u-d");
    m.handle_input(Input::Reply(Reply::Refund(Err(timeout()))), at(1, 1))
        .unwrap();
    drain(&mut m, payment_outcome);
    m.handle_input(refund("r-1", "1000.00"), at(2, 0)).unwrap();
    assert_eq!(drain(&mut m, payment_outcome)[0], "send refund r-1 1000.00");
    let duplicate = octo_error(1, octo_proto::Endpoint::Refund);
    assert!(duplicate.is_refusal());
    m.handle_input(Input::Reply(Reply::Refund(Err(duplicate))), at(2, 1))
        .unwrap();
    drain(&mut m, payment_outcome);
    assert!(
        m.handle_input(refund("r-2", "1000.00"), at(3, 0)).is_err(),
        "a refund that may have been made was freed for a new id"
    );
    assert_eq!(m.refunds()[0].status, None, "still in doubt");
}

/// The failure reported for a refusal that frees nothing must not read as
/// a refusal: the shop would then refund again under a new id, which a
/// partial refund leaves room for. Two ways there: the shop's resend of a
/// refund in doubt is refused, and the machine's ask about a refund OCTO
/// took (`pending`) is refused as a duplicate.
#[test]
fn a_refusal_that_frees_nothing_is_not_reported_as_a_refusal() {
    let paid = |order: &str, uuid: &str| paid_with_refund_of(order, uuid, "400.00");
    let reported = |m: &mut PaymentMachine| -> Vec<bool> {
        let mut refusals = Vec::new();
        loop {
            match m.poll_output() {
                Output::Failed(Failure::Request { error, .. }) => {
                    refusals.push(error.is_refusal());
                }
                Output::Wait(_) => return refusals,
                _ => {}
            }
        }
    };
    let duplicate = || octo_error(1, octo_proto::Endpoint::Refund);

    // The shop's resend of a refund in doubt.
    let mut m = paid("order-x", "u-x");
    m.handle_input(Input::Reply(Reply::Refund(Err(timeout()))), at(1, 1))
        .unwrap();
    assert_eq!(reported(&mut m), [false]);
    m.handle_input(refund("r-1", "400.00"), at(2, 0)).unwrap();
    drain(&mut m, payment_outcome);
    m.handle_input(Input::Reply(Reply::Refund(Err(duplicate()))), at(2, 1))
        .unwrap();
    assert_eq!(reported(&mut m), [false], "the resend's refusal");

    // The machine's ask about a pending refund.
    let mut m = paid("order-y", "u-y");
    let pending = refund_result("u-y", RefundStatus::Pending);
    m.handle_input(Input::Reply(Reply::Refund(Ok(pending))), at(1, 1))
        .unwrap();
    drain(&mut m, payment_outcome);
    m.handle_input(Input::Timeout, at(20, 0)).unwrap();
    assert_eq!(drain(&mut m, payment_outcome)[0], "send refund r-1 400.00");
    m.handle_input(Input::Reply(Reply::Refund(Err(duplicate()))), at(20, 1))
        .unwrap();
    assert_eq!(reported(&mut m), [false], "the ask's refusal");
}
