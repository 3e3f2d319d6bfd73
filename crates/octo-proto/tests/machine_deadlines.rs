//! Deadlines a machine announces are deadlines it acts on: after
//! [`Output::Wait`] names an `until`, handing in [`Input::Timeout`] at that
//! time must make progress (a command, an output or a later deadline),
//! never the same past deadline again, which would make a driver that
//! sleeps until `until` spin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod machine_support;

use machine_support::*;
use octo_proto::PaymentStatus;
use octo_proto::machine::{Input, Machine, Output, PaymentPhase, Reply};

/// The `until` of the machine's idle output; every other output is drained.
fn idle_until<M: Machine>(machine: &mut M) -> Option<time::OffsetDateTime> {
    for _ in 0..64 {
        if let Output::Wait(wait) = machine.poll_output() {
            return wait.until;
        }
    }
    panic!("the machine never goes idle");
}

#[test]
fn a_token_payment_in_doubt_keeps_checking_after_a_failed_check() {
    let mut m = humo_token_payment("order-d", "1000.00");
    drain(&mut m, payment_outcome);
    let created = payment("order-d", "u-d", PaymentStatus::Created, Some("1000.00"));
    m.handle_input(Input::Reply(Reply::PreparePayment(Ok(created))), at(0, 1))
        .unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert_eq!(lines[0], "send pay_with_token u-d", "{lines:?}");
    // The pay request's outcome is unknown: the machine asks OCTO.
    m.handle_input(Input::Reply(Reply::PayWithToken(Err(timeout()))), at(0, 2))
        .unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert_eq!(lines[0], "send payment_status order-d", "{lines:?}");
    // That check fails too: the machine must ask again at its deadline.
    m.handle_input(Input::Reply(Reply::PaymentStatus(Err(timeout()))), at(0, 3))
        .unwrap();
    assert_eq!(m.phase(), PaymentPhase::Paying);
    let until = idle_until(&mut m).expect("a deadline to check again");
    m.handle_input(Input::Timeout, until).unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert_eq!(
        lines[0], "send payment_status order-d",
        "the deadline passed and nothing was asked: {lines:?}"
    );
}
