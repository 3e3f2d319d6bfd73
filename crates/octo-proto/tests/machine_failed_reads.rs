//! A status check is a read: when OCTO refuses or garbles its answer, the
//! machine has learnt nothing. A payment OCTO already said was paid, or
//! whose money OCTO holds, must not be thrown away for that: the shop
//! must still be able to capture, cancel and refund through it. Likewise a
//! capture or cancel OCTO refuses changed nothing there: the money is still
//! held and the shop decides again.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use machine_support::*;
use octo_proto::PaymentStatus;
use octo_proto::machine::{
    Input, Machine, PaymentMachine, PaymentOutcome, PaymentParams, PaymentPhase, Reply,
};
use octo_proto::op::Endpoint;

const ID: &str = "order-f";
const UUID: &str = "u-f";

fn answer(status: PaymentStatus) -> octo_proto::op::Payment {
    payment(ID, UUID, status, Some("1000.00"))
}

/// The machine's `prepare_payment`, answered `created` at 09:00:01.
fn prepared_at_0_1<M: Machine<Outcome = PaymentOutcome>>(m: &mut M) {
    drain(m, payment_outcome);
    m.handle_input(
        Input::Reply(Reply::PreparePayment(Ok(answer(PaymentStatus::Created)))),
        at(0, 1),
    )
    .unwrap();
    drain(m, payment_outcome);
}

/// A payment that OCTO answered `status` to, after its `prepare_payment`
/// answer said `created`.
fn machine_at(two_stage: bool, status: PaymentStatus) -> PaymentMachine {
    let mut prepare = prepare(ID, "1000.00");
    if two_stage {
        prepare = prepare.two_stage();
    }
    let mut m = PaymentMachine::new(prepare, PaymentParams::default(), T0);
    prepared_at_0_1(&mut m);
    m.handle_input(Input::CheckStatus, at(0, 2)).unwrap();
    assert_eq!(
        drain(&mut m, payment_outcome)[0],
        "send payment_status order-f"
    );
    octo_answers(&mut m, status, at(0, 3));
    m
}

fn refused_check() -> Input {
    Input::Reply(Reply::PaymentStatus(Err(octo_error(
        2,
        Endpoint::PaymentStatus,
    ))))
}

/// The status check the machine just sent is refused: the machine must
/// report the failed read and stay open (`why` says what ending it would
/// lose). Returns what the machine did after the refusal.
fn check_refused<M: Machine<Outcome = PaymentOutcome>>(
    m: &mut M,
    now: time::OffsetDateTime,
    why: &str,
) -> Vec<String> {
    assert_eq!(drain(m, payment_outcome)[0], "send payment_status order-f");
    m.handle_input(refused_check(), now).unwrap();
    let lines = drain(m, payment_outcome);
    assert!(
        lines.iter().any(|l| l.starts_with("failed payment_status")),
        "the failed read went unreported: {lines:?}"
    );
    assert!(!m.is_terminal(), "{why}: {lines:?}");
    lines
}

/// The status check the machine just sent finds the payment paid: the
/// machine must settle it with OCTO's figures.
fn check_finds_paid<M: Machine<Outcome = PaymentOutcome>>(m: &mut M, now: time::OffsetDateTime) {
    check_finds_paid_at(m, now, "1000.00");
}

/// The status check the machine just sent finds the payment (of 1000.00)
/// paid: the machine must settle it as `taken`.
fn check_finds_paid_at<M: Machine<Outcome = PaymentOutcome>>(
    m: &mut M,
    now: time::OffsetDateTime,
    taken: &str,
) {
    assert_eq!(drain(m, payment_outcome)[0], "send payment_status order-f");
    let lines = octo_answers(m, PaymentStatus::Succeeded, now);
    assert_eq!(
        lines[0],
        format!("done succeeded total {taken} refunded 0"),
        "{lines:?}"
    );
}

/// OCTO's verified notification that the payment is now `status`.
fn notified(m: &mut PaymentMachine, status: PaymentStatus, now: time::OffsetDateTime) {
    m.handle_input(
        Input::Notification(signed_notice(ID, UUID, status, None)),
        now,
    )
    .unwrap();
}

/// At `now` the machine's deadline has passed: it must check the status.
fn asks_again_at<M: Machine<Outcome = PaymentOutcome>>(m: &mut M, now: time::OffsetDateTime) {
    m.handle_input(Input::Timeout, now).unwrap();
    let lines = drain(m, payment_outcome);
    assert_eq!(lines[0], "send payment_status order-f", "{lines:?}");
}

/// OCTO answers the status check that is out with `status`.
fn octo_answers<M: Machine<Outcome = PaymentOutcome>>(
    m: &mut M,
    status: PaymentStatus,
    now: time::OffsetDateTime,
) -> Vec<String> {
    m.handle_input(Input::Reply(Reply::PaymentStatus(Ok(answer(status)))), now)
        .unwrap();
    drain(m, payment_outcome)
}

/// The shop captures `amount` (all of the held 1000.00 when `None`): the
/// capture must go out at once.
fn captures(m: &mut PaymentMachine, amount: Option<&str>, now: time::OffsetDateTime) {
    m.handle_input(
        Input::Capture {
            final_amount: amount.map(dec),
        },
        now,
    )
    .unwrap();
    let lines = drain(m, payment_outcome);
    let sent = format!("send set_accept capture {}", amount.unwrap_or("1000.00"));
    assert_eq!(lines[0], sent, "{lines:?}");
}

/// OCTO refuses the capture or cancel that is out (its error 3).
fn octo_refuses_the_decision(m: &mut PaymentMachine, now: time::OffsetDateTime) {
    let refused = octo_error(3, Endpoint::SetAccept);
    m.handle_input(Input::Reply(Reply::SetAccept(Err(refused))), now)
        .unwrap();
}

#[test]
fn a_refused_check_after_success_keeps_the_payment_refundable() {
    let mut m = machine_at(false, PaymentStatus::Succeeded);
    assert_eq!(m.phase(), PaymentPhase::Succeeded);
    // A verified notification (perhaps an old one replayed) makes the
    // machine ask OCTO; OCTO refuses to answer.
    notified(&mut m, PaymentStatus::Refunded, at(1, 0));
    let lines = check_refused(&mut m, at(1, 1), "a failed read ended a paid payment");
    assert!(lines[0].starts_with("failed payment_status"), "{lines:?}");
    assert_eq!(m.phase(), PaymentPhase::Succeeded);
    assert_eq!(m.total_sum(), dec("1000.00"));
    m.handle_input(refund("r-1", "100.00"), at(2, 0)).unwrap();
    assert_eq!(drain(&mut m, payment_outcome)[0], "send refund r-1 100.00");
}

#[test]
fn a_refused_check_while_held_keeps_the_decision_open() {
    let mut m = machine_at(true, PaymentStatus::WaitingForCapture);
    assert_eq!(m.phase(), PaymentPhase::Held);
    // The hold's lifetime passes: the machine checks the hold; OCTO
    // refuses to answer.
    let later = at(0, 3) + PaymentParams::default().hold_expiry;
    m.handle_input(Input::Timeout, later).unwrap();
    // The caller hears of it (a run ends there), instead of the machine
    // asking again every minute in silence.
    check_refused(&mut m, later, "a failed read dropped held money");
    assert_eq!(m.phase(), PaymentPhase::Held);
    captures(&mut m, None, later);
}

#[test]
fn a_refused_check_after_a_lost_decision_asks_again() {
    let mut m = machine_at(true, PaymentStatus::WaitingForCapture);
    captures(&mut m, None, at(1, 0));
    m.handle_input(Input::Reply(Reply::SetAccept(Err(timeout()))), at(1, 1))
        .unwrap();
    check_refused(
        &mut m,
        at(1, 2),
        "a failed read left the capture unknown for good",
    );
    assert_eq!(m.phase(), PaymentPhase::Deciding);
    asks_again_at(&mut m, at(10, 0));
}

/// A token payment whose `pay/{uuid}` timed out: the machine has just
/// sent the status check that is to tell whether the card was charged.
fn token_charge_in_doubt() -> octo_proto::machine::TokenPaymentMachine {
    let mut m = humo_token_charge_sent(ID, UUID);
    m.handle_input(Input::Reply(Reply::PayWithToken(Err(timeout()))), at(0, 2))
        .unwrap();
    assert_eq!(
        drain(&mut m, payment_outcome)[0],
        "send payment_status order-f"
    );
    m
}

/// After a `pay/{uuid}` whose outcome is unknown, a status check that
/// answers a status this SDK does not know says nothing about whether the
/// card was charged: the machine must keep watching, not declare the
/// payment failed (the customer may have paid, and a shop told "failed"
/// may charge again).
#[test]
fn an_unknown_status_after_a_lost_token_payment_keeps_watching() {
    let mut m = token_charge_in_doubt();
    let unknown = PaymentStatus::parse("on_review");
    let lines = octo_answers(&mut m, unknown, at(0, 3));
    assert!(
        !m.is_terminal(),
        "an unknown status ended the payment: {lines:?}"
    );
    // OCTO settles it later: the machine sees the money taken.
    m.handle_input(Input::CheckStatus, at(1, 0)).unwrap();
    check_finds_paid(&mut m, at(1, 1));
}

/// A token charge sent at `at(0, 1)` whose `pay/{uuid}` failed with
/// `error`, under `params`: the machine has just sent the status check.
fn token_charge_failed_with(
    error: octo_proto::Error,
    params: PaymentParams,
) -> octo_proto::machine::TokenPaymentMachine {
    let mut m = octo_proto::machine::TokenPaymentMachine::new(
        prepare(ID, "1000.00"),
        octo_proto::CardToken::new("tok"),
        octo_proto::PaymentMethod::Humo,
        None,
        params,
        T0,
    );
    prepared_at_0_1(&mut m);
    m.handle_input(Input::Reply(Reply::PayWithToken(Err(error))), at(0, 2))
        .unwrap();
    assert_eq!(
        drain(&mut m, payment_outcome)[0],
        "send payment_status order-f"
    );
    m
}

fn connect_error() -> octo_proto::Error {
    octo_proto::Error::Transport(octo_proto::TransportError::bare(
        octo_proto::TransportErrorKind::Connect,
    ))
}

/// After a `pay/{uuid}` whose answer was lost, a status check that still
/// says `created` (or `waiting_pay`) does not prove that the charge never
/// landed: the pay-with-token page's own answer to a charge that did land
/// shows `"status": "created"` beside the SMS page. Ending the flow told
/// the shop "not charged" and invited a second charge under a new order.
/// The machine reports the lost answer (a run ends there, and the shop
/// knows the charge is unconfirmed), never sends the charge again, and
/// keeps watching the payment: here OCTO later shows it paid.
#[test]
fn a_not_yet_paid_status_after_a_lost_token_charge_keeps_watching() {
    for status in [PaymentStatus::Created, PaymentStatus::WaitingPay] {
        let mut m = token_charge_in_doubt();
        let lines = octo_answers(&mut m, status.clone(), at(0, 3));
        assert!(
            !m.is_terminal(),
            "{status}: a charge that may have landed was ended: {lines:?}"
        );
        assert_eq!(m.phase(), PaymentPhase::AwaitingCustomer, "{status}");
        assert_eq!(
            lines,
            [
                "failed pay_with_token failed: transport failure: timed out",
                "wait notification until 09:15:00",
            ],
            "{status}: the lost answer is reported, then the payment watched"
        );
        m.handle_input(Input::CheckStatus, at(1, 0)).unwrap();
        check_finds_paid(&mut m, at(1, 1));
    }
}

/// The same, when the charge never completes: at the payment's ttl the
/// machine asks OCTO, and the payment ends as OCTO then shows it.
#[test]
fn a_watched_charge_ends_as_octo_shows_it_once_its_time_is_up() {
    for end in [PaymentStatus::Canceled, PaymentStatus::Failed] {
        let mut m = token_charge_in_doubt();
        octo_answers(&mut m, PaymentStatus::Created, at(0, 3));
        // Before the ttl nothing is asked.
        m.handle_input(Input::Timeout, at(5, 0)).unwrap();
        assert!(
            drain(&mut m, payment_outcome)
                .iter()
                .all(|l| !l.starts_with("send"))
        );
        asks_again_at(&mut m, at(15, 0));
        let lines = octo_answers(&mut m, end.clone(), at(15, 1));
        assert!(m.is_terminal(), "{end}: {lines:?}");
        assert!(
            lines.iter().all(|l| !l.starts_with("send pay_with_token")),
            "{lines:?}"
        );
    }
}

/// A charge every attempt of which failed to connect never reached OCTO:
/// `created` is then the whole truth, and the flow ends as not charged,
/// whatever the params say.
#[test]
fn a_charge_that_never_left_ends_when_octo_shows_the_payment_unpaid() {
    for status in [PaymentStatus::Created, PaymentStatus::WaitingPay] {
        let mut m = token_charge_failed_with(connect_error(), PaymentParams::default());
        let lines = octo_answers(&mut m, status.clone(), at(0, 3));
        assert_eq!(m.phase(), PaymentPhase::Aborted, "{status}: {lines:?}");
        assert!(
            lines
                .first()
                .is_some_and(|l| l.starts_with("failed pay_with_token")),
            "{status}: {lines:?}"
        );
    }
}

/// The old reading, kept as an option: a shop that knows its token
/// charges never wait for the customer can have `created` or
/// `waiting_pay` after a lost charge end the flow as not charged. A
/// charge OCTO said it made (its answer did not decode) is still watched.
#[test]
fn a_not_yet_paid_status_can_end_the_flow_when_the_params_say_so() {
    let params = PaymentParams {
        created_after_lost_charge_ends: true,
        ..PaymentParams::default()
    };
    for status in [PaymentStatus::Created, PaymentStatus::WaitingPay] {
        let mut m = token_charge_failed_with(timeout(), params);
        let lines = octo_answers(&mut m, status.clone(), at(0, 3));
        assert_eq!(m.phase(), PaymentPhase::Aborted, "{status}");
        assert_eq!(
            lines.first().map(String::as_str),
            Some("failed pay_with_token failed: transport failure: timed out"),
            "{status}: {lines:?}"
        );

        let acted = octo_proto::Error::Decode {
            status: http::StatusCode::OK,
            path: "data.totalSum".to_owned(),
            problem: octo_proto::DecodeProblem::Invalid {
                expected: "a decimal amount",
            },
            body: octo_proto::RawBody::new(r#"{"error":0,"data":{"totalSum":"1 000,00"}}"#),
        };
        let mut m = token_charge_failed_with(acted, params);
        let lines = octo_answers(&mut m, status.clone(), at(0, 3));
        assert_eq!(
            m.phase(),
            PaymentPhase::AwaitingCustomer,
            "{status}: {lines:?}"
        );
    }
}

/// A token charge whose outcome is unknown, then a status check OCTO
/// refuses: nothing says the card was not charged. Ending the flow would
/// tell the shop "refused" (and invite a second charge under a new order);
/// the machine reports the failed read and keeps the charge in doubt,
/// checking again later, and never sends the charge again.
#[test]
fn a_refused_check_after_a_lost_token_charge_keeps_it_in_doubt() {
    let mut m = token_charge_in_doubt();
    m.handle_input(refused_check(), at(0, 3)).unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert!(
        !m.is_terminal(),
        "a charge in doubt was ended by a failed read: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("failed payment_status")),
        "the failed read went unreported: {lines:?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("send pay_with_token")));
    asks_again_at(&mut m, at(10, 0));
    // OCTO now shows the charge waiting for nothing more: paid.
    octo_answers(&mut m, PaymentStatus::Succeeded, at(10, 1));
    assert_eq!(m.phase(), PaymentPhase::Succeeded);
}

/// While the customer is on OCTO's page, a status check OCTO refuses (a
/// notification made the machine ask) says nothing about the payment: the
/// customer may still pay. Ending the flow then made the machine absorb the
/// notification that the money was taken, and the shop heard only that the
/// machine gave up. The machine reports the failed read, keeps waiting for
/// the customer, and sees the payment through when OCTO answers again.
#[test]
fn a_refused_check_while_the_customer_pays_keeps_waiting() {
    let mut m = machine_at(false, PaymentStatus::Created);
    assert_eq!(m.phase(), PaymentPhase::AwaitingCustomer);
    notified(&mut m, PaymentStatus::Succeeded, at(1, 0));
    check_refused(
        &mut m,
        at(1, 1),
        "a failed read ended a payment the customer may still pay",
    );
    assert_eq!(m.phase(), PaymentPhase::AwaitingCustomer);
    // The machine asks again a minute later; OCTO answers this time.
    asks_again_at(&mut m, at(2, 1));
    octo_answers(&mut m, PaymentStatus::Created, at(2, 2));
    assert_eq!(m.phase(), PaymentPhase::AwaitingCustomer);
    // The customer pays; OCTO's notification says so.
    notified(&mut m, PaymentStatus::Succeeded, at(3, 0));
    check_finds_paid(&mut m, at(3, 1));
}

/// Once the customer's time is over, a refused check is asked again a
/// minute later (the payment may have been paid at the last moment), and
/// reported each time.
#[test]
fn a_refused_check_after_the_customers_time_asks_again_later() {
    let mut m = machine_at(false, PaymentStatus::Created);
    let expiry = at(0, 1) + PaymentParams::default().ttl;
    m.handle_input(Input::Timeout, expiry).unwrap();
    check_refused(&mut m, expiry, "a failed read ended an expired payment");
    let next = expiry + PaymentParams::default().recheck_interval;
    asks_again_at(&mut m, next);
}

/// OCTO refuses a capture (here its error 3: the amount). Nothing changed at
/// OCTO: the money is still held. Ending the flow left the shop no way,
/// through the machine, to capture another amount or cancel, and the hold
/// would lapse. The machine reports the refusal, goes back to `Held` and
/// asks for a decision again, keeping the hold's deadline.
#[test]
fn a_refused_capture_leaves_the_money_held_for_another_decision() {
    let mut m = machine_at(true, PaymentStatus::WaitingForCapture);
    // Counted from the last answer that showed no hold (`created`, 09:00:01).
    let hold_ends = at(0, 1) + PaymentParams::default().hold_expiry;
    captures(&mut m, Some("600.00"), at(1, 0));
    octo_refuses_the_decision(&mut m, at(1, 1));
    let lines = drain(&mut m, payment_outcome);
    assert!(
        lines[0].starts_with("failed set_accept"),
        "the refusal went unreported: {lines:?}"
    );
    assert!(!m.is_terminal(), "a refused capture dropped held money");
    assert_eq!(m.phase(), PaymentPhase::Held);
    assert!(
        lines.iter().any(|l| l.starts_with("decide held 1000.00")),
        "no new decision asked for: {lines:?}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.ends_with(&clock(Some(hold_ends)))),
        "the hold's deadline was lost: {lines:?}"
    );
    m.handle_input(Input::Cancel, at(2, 0)).unwrap();
    assert_eq!(drain(&mut m, payment_outcome)[0], "send set_accept cancel");
}

/// A notification comes while a capture is out, then OCTO refuses the
/// capture: the machine asks for a new decision and, after it, checks the
/// status the notification hinted at. A shop that decides when the
/// `Decide` comes (before polling on, as a run does) supersedes that check
/// before it went out: it must not go out any more, or its answer, handed
/// back while the new `set_accept` is the command out, is refused as
/// unexpected (a run ends there) and the capture waits for another run.
#[test]
fn a_decision_supersedes_a_status_check_that_has_not_gone_out() {
    let mut m = machine_at(true, PaymentStatus::WaitingForCapture);
    captures(&mut m, Some("600.00"), at(1, 0));
    notified(&mut m, PaymentStatus::Succeeded, at(1, 1));
    octo_refuses_the_decision(&mut m, at(1, 2));
    // A run stops at the failure, and takes up the decision next time.
    let failed = describe(&m.poll_output(), payment_outcome);
    assert!(failed.starts_with("failed set_accept"), "{failed}");
    let decide = describe(&m.poll_output(), payment_outcome);
    assert!(decide.starts_with("decide held 1000.00"), "{decide}");
    m.handle_input(Input::Capture { final_amount: None }, at(1, 3))
        .unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert_eq!(lines[0], "send set_accept capture 1000.00", "{lines:?}");
    // OCTO takes it: the payment settles on its answer.
    let paid = answer(PaymentStatus::Succeeded);
    m.handle_input(Input::Reply(Reply::SetAccept(Ok(paid))), at(1, 4))
        .unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert_eq!(
        lines[0], "done succeeded total 1000.00 refunded 0",
        "{lines:?}"
    );
}

/// A run ends at the refused capture's failure, before the new `Decide`
/// behind it is polled. A shop that then decides by handing in its decision
/// (and runs again) has answered that `Decide`: it must not come out any
/// more, or the run hands it to the handler, whose answer is refused
/// (the machine is no longer `Held`) and ends the run before the decision
/// goes out.
#[test]
fn a_decision_handed_in_answers_the_decide_still_queued() {
    let mut m = machine_at(true, PaymentStatus::WaitingForCapture);
    captures(&mut m, None, at(1, 0));
    octo_refuses_the_decision(&mut m, at(1, 1));
    let failed = describe(&m.poll_output(), payment_outcome);
    assert!(failed.starts_with("failed set_accept"), "{failed}");
    // The run ended there; the shop cancels instead.
    m.handle_input(Input::Cancel, at(2, 0)).unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert_eq!(lines[0], "send set_accept cancel", "{lines:?}");
    assert!(
        !lines.iter().any(|l| l.starts_with("decide")),
        "an answered decision was asked for again: {lines:?}"
    );
}

/// A capture of 800 whose answer was lost, a status check that still shows
/// the hold, the same capture sent again, and OCTO refusing it: perhaps
/// because the first one landed after all. When OCTO then shows the payment
/// paid, what was taken is the 800 asked for, not the whole hold: the
/// refused decision is forgotten only when the shop makes a new one.
#[test]
fn a_refused_resend_of_a_capture_still_settles_at_the_amount_asked() {
    let mut m = machine_at(true, PaymentStatus::WaitingForCapture);
    captures(&mut m, Some("800.00"), at(1, 0));
    m.handle_input(Input::Reply(Reply::SetAccept(Err(timeout()))), at(1, 1))
        .unwrap();
    assert_eq!(
        drain(&mut m, payment_outcome)[0],
        "send payment_status order-f"
    );
    let lines = octo_answers(&mut m, PaymentStatus::WaitingForCapture, at(1, 2));
    assert_eq!(lines[0], "send set_accept capture 800.00", "{lines:?}");
    octo_refuses_the_decision(&mut m, at(1, 3));
    let lines = drain(&mut m, payment_outcome);
    assert!(lines[0].starts_with("failed set_accept"), "{lines:?}");
    notified(&mut m, PaymentStatus::Succeeded, at(2, 0));
    check_finds_paid_at(&mut m, at(2, 1), "800.00");
}
