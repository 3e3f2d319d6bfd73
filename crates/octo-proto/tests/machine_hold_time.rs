//! A two-stage payment's hold lapses on OCTO's clock: the pages say an
//! amount not confirmed within 30 minutes is cancelled, counted from when
//! the customer paid. The machine does not see that moment; it sees only
//! OCTO's answers. So it must look often enough while the customer pays
//! that a hold cannot lapse unseen, and must never tell the shop it has
//! longer to decide than OCTO may give.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use machine_support::*;
use octo_proto::PaymentStatus;
use octo_proto::machine::{Input, Machine, Output, PaymentMachine, PaymentParams, Reply};
use time::OffsetDateTime;

const ID: &str = "order-h";
const UUID: &str = "u-h";

/// A payment of 1000.00 with `ttl` minutes, two-stage or not, whose
/// `prepare_payment` OCTO answered `created` at 09:00:01; returns the machine
/// and the deadline it then waits for.
fn prepared(two_stage: bool, ttl: u32) -> (PaymentMachine, Option<OffsetDateTime>) {
    let mut op = prepare(ID, "1000.00");
    op.ttl = Some(ttl);
    if two_stage {
        op = op.two_stage();
    }
    let mut m = PaymentMachine::new(op, PaymentParams::default(), T0);
    drain(&mut m, payment_outcome);
    let created = payment(ID, UUID, PaymentStatus::Created, Some("1000.00"));
    m.handle_input(Reply::PreparePayment(Ok(created)).into(), at(0, 1))
        .unwrap();
    let until = wait_until(&mut m);
    (m, until)
}

fn wait_until(m: &mut PaymentMachine) -> Option<OffsetDateTime> {
    loop {
        match m.poll_output() {
            Output::Wait(wait) => return wait.until,
            Output::Send(command) => panic!("sent {command:?}"),
            _ => {}
        }
    }
}

/// `input` at `now` makes the machine send a status check, which OCTO
/// answers with `status`; the machine's outputs.
fn check_on(
    m: &mut PaymentMachine,
    input: Input,
    now: OffsetDateTime,
    status: PaymentStatus,
) -> Vec<Output<octo_proto::machine::PaymentOutcome>> {
    m.handle_input(input, now).unwrap();
    let sent = m.poll_output();
    assert!(matches!(sent, Output::Send(_)), "{sent:?}");
    while !matches!(m.poll_output(), Output::Wait(_)) {}
    let answer = payment(ID, UUID, status, Some("1000.00"));
    m.handle_input(Reply::PaymentStatus(Ok(answer)).into(), now)
        .unwrap();
    outputs(m)
}

/// The hold the shop is asked to decide on, among `out`.
fn decide(out: &[Output<octo_proto::machine::PaymentOutcome>]) -> octo_proto::machine::Hold {
    out.iter()
        .find_map(|o| match o {
            Output::Decide(hold) => Some(hold.clone()),
            _ => None,
        })
        .expect("the shop is asked to decide")
}

/// The deadline passes at `now`: the machine checks, OCTO says `status`.
fn check(
    m: &mut PaymentMachine,
    now: OffsetDateTime,
    status: PaymentStatus,
) -> Vec<Output<octo_proto::machine::PaymentOutcome>> {
    check_on(m, Input::Timeout, now, status)
}

/// With a ttl of an hour, the machine waited the whole hour before its
/// first look: a customer who paid at minute 2 had a hold OCTO cancelled at
/// minute 32, unseen, and the shop was never asked to decide.
#[test]
fn a_two_stage_payment_is_looked_at_within_half_a_hold_while_the_customer_pays() {
    let (mut m, until) = prepared(true, 60);
    let until = until.expect("a deadline");
    assert!(until <= at(15, 1), "first look at {until}");
    // Each look that finds the customer still paying schedules the next
    // within half a hold, up to the ttl.
    let out = check(&mut m, until, PaymentStatus::WaitUserAction);
    let next = match out.last() {
        Some(Output::Wait(w)) => w.until.expect("a deadline"),
        other => panic!("{other:?}"),
    };
    assert!(
        next > until && next <= until + time::Duration::minutes(15),
        "{next}"
    );
    // A one-stage payment holds nothing: it waits for its ttl.
    let (_, until) = prepared(false, 60);
    assert_eq!(until, Some(at(60, 0)));
}

/// The hold's deadline counts from the last answer that showed no hold,
/// not from when the machine first saw it: OCTO placed it somewhere in
/// between, and may cancel it 30 minutes after that.
#[test]
fn the_hold_deadline_counts_from_the_last_look_before_the_hold() {
    let (mut m, _) = prepared(true, 15);
    // `created` at 09:00:01; the next look, at the ttl (09:15), finds the
    // hold.
    let out = check(&mut m, at(15, 0), PaymentStatus::WaitingForCapture);
    let hold = decide(&out);
    assert_eq!(hold.expires_at, at(30, 1), "{hold:?}");
    // The machine looks again at that deadline.
    assert!(matches!(out.last(), Some(Output::Wait(w)) if w.until == Some(at(30, 1))));
}

/// A hold first seen later than a whole hold after the last look (the
/// machine was not driven meanwhile): OCTO still shows it now, so the
/// deadline is now, not in the past.
#[test]
fn a_hold_seen_late_is_due_now_never_in_the_past() {
    let (mut m, _) = prepared(true, 120);
    // The customer comes back at 10:40 (the machine was not driven since
    // 09:00:01).
    let late = at(100, 0);
    let out = check_on(
        &mut m,
        Input::CheckStatus,
        late,
        PaymentStatus::WaitingForCapture,
    );
    let hold = decide(&out);
    assert_eq!(hold.expires_at, late);
}

/// A verified notification says the payment is held; the check it causes
/// gets an older view (`wait_user_action`). The hold was placed before the
/// notification, so that view must not push the hold's clock forward.
#[test]
fn an_older_view_after_a_held_notification_does_not_move_the_hold_clock() {
    let (mut m, _) = prepared(true, 60);
    let notice = signed_notice(ID, UUID, PaymentStatus::WaitingForCapture, Some("1000.00"));
    m.handle_input(Input::Notification(notice), at(5, 0))
        .unwrap();
    outputs(&mut m);
    let stale = payment(ID, UUID, PaymentStatus::WaitUserAction, Some("1000.00"));
    m.handle_input(Reply::PaymentStatus(Ok(stale)).into(), at(5, 1))
        .unwrap();
    outputs(&mut m);
    let out = check_on(
        &mut m,
        Input::CheckStatus,
        at(6, 0),
        PaymentStatus::WaitingForCapture,
    );
    // Counted from 09:00:01, the last view before the notification.
    assert_eq!(decide(&out).expires_at, at(30, 1));
}

/// A two-stage payment whose hold OCTO showed at 09:15 (its deadline
/// 09:30:01), captured whole at `when`: the `set_accept` is out.
fn captured_at(when: OffsetDateTime) -> PaymentMachine {
    let (mut m, _) = prepared(true, 15);
    check(&mut m, at(15, 0), PaymentStatus::WaitingForCapture);
    m.handle_input(Input::Capture { final_amount: None }, when)
        .unwrap();
    outputs(&mut m);
    m
}

/// A capture OCTO refuses after the hold's deadline: the new `Decide`
/// says "now", never a time already past.
#[test]
fn a_decision_refused_past_the_deadline_is_due_now() {
    let mut m = captured_at(at(30, 0));
    let refused = octo_error(3, octo_proto::op::Endpoint::SetAccept);
    m.handle_input(Reply::SetAccept(Err(refused)).into(), at(30, 5))
        .unwrap();
    let out = outputs(&mut m);
    let hold = decide(&out);
    assert!(hold.expires_at >= at(30, 5), "{hold:?}");
}

/// After a capture OCTO answered, a check that still shows the hold (an
/// older view) is followed by another within `recheck_interval`, not at
/// the hold's deadline half an hour away.
#[test]
fn a_decision_still_unconfirmed_is_checked_again_soon() {
    let mut m = captured_at(at(16, 0));
    let accepted = payment(ID, UUID, PaymentStatus::WaitingForCapture, Some("1000.00"));
    m.handle_input(Reply::SetAccept(Ok(accepted)).into(), at(16, 1))
        .unwrap();
    outputs(&mut m);
    let out = check(&mut m, at(17, 1), PaymentStatus::WaitingForCapture);
    let until = match out.last() {
        Some(Output::Wait(w)) => w.until.expect("a deadline"),
        other => panic!("{other:?}"),
    };
    assert!(until <= at(18, 1), "{until}");
}
