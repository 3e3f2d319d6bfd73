//! A refund OCTO answered but has not finished (`new`, `pending`,
//! `unknown`): its amount stays reserved, it is not refunded, the payment
//! stays open, and the machine asks OCTO about it again (the same refund,
//! same `shop_refund_id` and amount) until OCTO gives its final word.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use machine_support::*;
use octo_proto::machine::{
    Input, Machine, PaymentMachine, PaymentParams, PaymentPhase, Rejected, Reply,
};
use octo_proto::op::Endpoint;
use octo_proto::{PaymentStatus, RefundStatus};
use rust_decimal::Decimal;
use time::OffsetDateTime;

/// A one-stage payment of 1,000.00 under `id`, paid (as OCTO's status
/// check said at 09:03:00); its lines are drained.
fn paid(id: &str) -> PaymentMachine {
    let mut m = PaymentMachine::new(prepare(id, "1000.00"), PaymentParams::default(), at(0, 0));
    drain(&mut m, payment_outcome);
    let created = payment(id, "u-1", PaymentStatus::Created, Some("1000.00"));
    feed(&mut m, Reply::PreparePayment(Ok(created)), at(0, 1));
    m.handle_input(Input::CheckStatus, at(3, 0)).unwrap();
    drain(&mut m, payment_outcome);
    let succeeded = payment(id, "u-1", PaymentStatus::Succeeded, Some("1000.00"));
    let lines = feed(&mut m, Reply::PaymentStatus(Ok(succeeded)), at(3, 0));
    assert_eq!(lines[0], "done succeeded total 1000.00 refunded 0");
    m
}

fn feed(m: &mut PaymentMachine, input: impl Into<Input>, now: OffsetDateTime) -> Vec<String> {
    m.handle_input(input.into(), now).unwrap();
    drain(m, payment_outcome)
}

fn answer(status: RefundStatus) -> Reply {
    Reply::Refund(Ok(refund_result("u-1", status)))
}

/// [`paid`], then a refund `r-1` of `amount` asked at 09:10:00 and answered
/// `status` at 09:10:01.
fn answered(id: &str, amount: &str, status: RefundStatus) -> (PaymentMachine, Vec<String>) {
    let mut m = paid(id);
    let sent = feed(&mut m, refund("r-1", amount), at(10, 0));
    assert_eq!(
        sent,
        [
            format!("send refund r-1 {amount}"),
            "wait reply refund".into()
        ]
    );
    let lines = feed(&mut m, answer(status), at(10, 1));
    (m, lines)
}

#[test]
fn a_pending_refund_of_the_whole_amount_neither_ends_the_payment_nor_counts_as_refunded() {
    for status in [
        RefundStatus::New,
        RefundStatus::Pending,
        RefundStatus::Unknown,
    ] {
        let (m, lines) = answered("order-p", "1000.00", status.clone());
        assert_eq!(lines, ["wait refund until 09:11:01"], "{status}");
        assert!(!m.is_terminal(), "{status}");
        assert_eq!(m.phase(), PaymentPhase::Succeeded);
        assert_eq!(*m.status(), PaymentStatus::Succeeded);
        assert_eq!(m.refunded_sum(), Decimal::ZERO);
        let outcome = m.outcome();
        assert_eq!(outcome.status, PaymentStatus::Succeeded);
        assert_eq!(outcome.refunded_sum, Decimal::ZERO);
        let record = &m.refunds()[0];
        assert!(record.is_open() && !record.is_refunded() && !record.is_settled());
        assert!(record.is_accepted() && !record.is_refused());
    }
}

#[test]
fn a_pending_refund_keeps_its_amount_reserved() {
    let (mut m, _) = answered("order-r", "600.00", RefundStatus::Pending);
    let over = m
        .handle_input(refund("r-2", "400.01"), at(10, 5))
        .unwrap_err();
    assert!(matches!(over, Rejected::Invalid(_)), "{over:?}");
    // What is left can be refunded meanwhile; its own answer settles
    // nothing while r-1 is open.
    let lines = feed(&mut m, refund("r-2", "400.00"), at(10, 5));
    assert_eq!(lines[0], "send refund r-2 400.00");
    let lines = feed(&mut m, answer(RefundStatus::Succeeded), at(10, 6));
    // r-1 is still asked about when it was due.
    assert_eq!(lines, ["wait refund until 09:11:01"]);
    assert_eq!(m.refunded_sum(), "400.00".parse::<Decimal>().unwrap());
    assert!(!m.is_terminal());
}

#[test]
fn a_pending_refund_is_asked_again_until_it_succeeds() {
    let (mut m, _) = answered("order-s", "1000.00", RefundStatus::New);
    // Not before the interval.
    assert_eq!(
        feed(&mut m, Input::Timeout, at(11, 0)),
        ["wait refund until 09:11:01"]
    );
    // The very same refund again: OCTO filters duplicates by its id and
    // answers with the refund's status.
    assert_eq!(
        feed(&mut m, Input::Timeout, at(11, 1)),
        ["send refund r-1 1000.00", "wait reply refund"]
    );
    assert_eq!(
        feed(&mut m, answer(RefundStatus::Pending), at(11, 2)),
        ["wait refund until 09:12:02"]
    );
    assert_eq!(m.refunds()[0].status, Some(RefundStatus::Pending));
    assert_eq!(
        feed(&mut m, Input::Timeout, at(12, 2)),
        ["send refund r-1 1000.00", "wait reply refund"]
    );
    assert_eq!(
        feed(&mut m, answer(RefundStatus::Succeeded), at(12, 3)),
        [
            "done refunded total 1000.00 refunded 1000.00",
            "wait nothing"
        ]
    );
    assert!(m.is_terminal());
    assert_eq!(m.phase(), PaymentPhase::Refunded);
    assert!(m.refunds()[0].is_refunded() && m.refunds()[0].is_settled());
}

#[test]
fn the_shop_may_ask_for_an_open_refund_again_at_once() {
    let (mut m, _) = answered("order-a", "300.00", RefundStatus::Pending);
    // Same id and amount: the same command, now.
    assert_eq!(
        feed(&mut m, refund("r-1", "300.00"), at(10, 30)),
        ["send refund r-1 300.00", "wait reply refund"]
    );
    // Another amount under that id is still refused.
    let reused = m.handle_input(refund("r-1", "200.00"), at(10, 30));
    assert!(matches!(reused, Err(Rejected::Busy(_))), "{reused:?}");
    assert_eq!(
        feed(&mut m, answer(RefundStatus::Succeeded), at(10, 31)),
        [
            "done partially_refunded total 1000.00 refunded 300.00",
            "wait caller"
        ]
    );
    let reused = m.handle_input(refund("r-1", "200.00"), at(11, 0));
    assert!(
        matches!(reused, Err(Rejected::RefundIdReused(_))),
        "{reused:?}"
    );
    // Settled: the same refund again sends nothing.
    assert_eq!(
        feed(&mut m, refund("r-1", "300.00"), at(11, 0)),
        ["wait caller"]
    );
}

#[test]
fn the_next_ask_counts_from_the_shops_own() {
    let (mut m, _) = answered("order-o", "300.00", RefundStatus::Pending);
    feed(&mut m, refund("r-1", "300.00"), at(10, 30));
    assert_eq!(
        feed(&mut m, answer(RefundStatus::Pending), at(10, 31)),
        ["wait refund until 09:11:31"]
    );
}

#[test]
fn a_status_check_counts_the_refunded_sum_but_the_refund_is_still_asked_about() {
    let (mut m, _) = answered("order-c", "300.00", RefundStatus::Pending);
    // A notification says partially refunded: the machine checks.
    let note = signed_notice("order-c", "u-1", PaymentStatus::PartiallyRefunded, None);
    assert_eq!(
        feed(&mut m, Input::Notification(note), at(10, 20)),
        ["send payment_status order-c", "wait reply payment_status"]
    );
    let mut partly = payment(
        "order-c",
        "u-1",
        PaymentStatus::PartiallyRefunded,
        Some("1000.00"),
    );
    partly.refunded_sum = Some(dec("300.00"));
    // OCTO says 300.00 is refunded: that much is reported, but the sum
    // does not say which refund it is, so r-1 stays open and is asked
    // about again; nothing is settled yet.
    assert_eq!(
        feed(&mut m, Reply::PaymentStatus(Ok(partly)), at(10, 21)),
        ["wait refund until 09:11:21"]
    );
    assert_eq!(m.refunded_sum(), dec("300.00"));
    assert!(m.refunds()[0].is_open());
    assert_eq!(
        feed(&mut m, Input::Timeout, at(11, 21)),
        ["send refund r-1 300.00", "wait reply refund"]
    );
    assert_eq!(
        feed(&mut m, answer(RefundStatus::Succeeded), at(11, 22)),
        [
            "done partially_refunded total 1000.00 refunded 300.00",
            "wait caller"
        ]
    );
}

#[test]
fn a_pending_refund_that_fails_later_frees_its_amount_and_is_reported() {
    for end in [RefundStatus::Canceled, RefundStatus::Error] {
        let (mut m, _) = answered("order-f", "1000.00", RefundStatus::Pending);
        feed(&mut m, Input::Timeout, at(11, 1));
        assert_eq!(
            feed(&mut m, answer(end.clone()), at(11, 2)),
            [
                format!("failed refund r-1 refused with status {end}"),
                "wait caller".into()
            ]
        );
        assert!(!m.is_terminal());
        assert_eq!(m.refunded_sum(), Decimal::ZERO);
        assert!(m.refunds()[0].is_refused() && m.refunds()[0].is_settled());
        // The amount is free again, under a new id.
        assert_eq!(
            feed(&mut m, refund("r-2", "1000.00"), at(12, 0)),
            ["send refund r-2 1000.00", "wait reply refund"]
        );
    }
}

#[test]
fn a_recheck_refused_by_octo_keeps_the_refund_open_and_its_amount_reserved() {
    let (mut m, _) = answered("order-x", "1000.00", RefundStatus::Pending);
    feed(&mut m, Input::Timeout, at(11, 1));
    let lines = feed(
        &mut m,
        Reply::Refund(Err(octo_error(3, Endpoint::Refund))),
        at(11, 2),
    );
    // The refusal is of the repeat, not of the refund OCTO took: reported,
    // and the machine leaves the next ask to the shop.
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("failed refund failed"), "{lines:?}");
    assert_eq!(lines[1], "wait caller");
    assert!(!m.is_terminal());
    assert_eq!(m.refunds()[0].status, Some(RefundStatus::Pending));
    assert_eq!(m.refunded_sum(), Decimal::ZERO);
    let over = m
        .handle_input(refund("r-2", "1.00"), at(12, 0))
        .unwrap_err();
    assert!(matches!(over, Rejected::Invalid(_)), "{over:?}");
    // The shop asks again under the same id: sent, and rechecks resume.
    assert_eq!(
        feed(&mut m, refund("r-1", "1000.00"), at(20, 0)),
        ["send refund r-1 1000.00", "wait reply refund"]
    );
    assert_eq!(
        feed(&mut m, answer(RefundStatus::Pending), at(20, 1)),
        ["wait refund until 09:21:01"]
    );
}

#[test]
fn a_recheck_whose_outcome_is_unknown_is_asked_again_later() {
    let (mut m, _) = answered("order-t", "1000.00", RefundStatus::Pending);
    feed(&mut m, Input::Timeout, at(11, 1));
    assert_eq!(
        feed(&mut m, Reply::Refund(Err(timeout())), at(11, 30)),
        ["wait refund until 09:12:30"]
    );
    assert_eq!(m.refunds()[0].status, Some(RefundStatus::Pending));
    assert_eq!(
        feed(&mut m, Input::Timeout, at(12, 30)),
        ["send refund r-1 1000.00", "wait reply refund"]
    );
}

#[test]
fn open_refunds_are_asked_about_in_turn() {
    let (mut m, _) = answered("order-n", "300.00", RefundStatus::Pending);
    feed(&mut m, refund("r-2", "200.00"), at(10, 10));
    assert_eq!(
        feed(&mut m, answer(RefundStatus::New), at(10, 11)),
        ["wait refund until 09:11:01"]
    );
    let mut asked = Vec::new();
    let mut now = at(11, 11);
    for _ in 0..4 {
        let lines = feed(&mut m, Input::Timeout, now);
        asked.push(lines[0].clone());
        now += time::Duration::seconds(1);
        feed(&mut m, answer(RefundStatus::Pending), now);
        now += time::Duration::minutes(1);
    }
    assert_eq!(
        asked,
        [
            "send refund r-1 300.00",
            "send refund r-2 200.00",
            "send refund r-1 300.00",
            "send refund r-2 200.00"
        ]
    );
}

/// A status check saying the whole payment is refunded ends it, though a
/// refund of its own is still open: nothing more can be refunded, and
/// OCTO said so. (Until 30 Nov 2026 the machine waited for the open
/// refund's own word, which never comes when OCTO turns the asks about it
/// away.)
#[test]
fn a_status_check_showing_everything_refunded_ends_the_payment() {
    let (mut m, _) = answered("order-w", "1000.00", RefundStatus::Pending);
    m.handle_input(Input::CheckStatus, at(10, 30)).unwrap();
    drain(&mut m, payment_outcome);
    let mut all = payment("order-w", "u-1", PaymentStatus::Refunded, Some("1000.00"));
    all.refunded_sum = Some(dec("1000.00"));
    assert_eq!(
        feed(&mut m, Reply::PaymentStatus(Ok(all)), at(10, 31)),
        [
            "done refunded total 1000.00 refunded 1000.00",
            "wait nothing"
        ]
    );
    assert_eq!(m.refunded_sum(), dec("1000.00"));
    assert!(m.is_terminal());
    assert!(m.refunds()[0].is_open(), "its own word never came");
}

/// A refund that succeeded while another was open gets its `Done` once the
/// other ends, even when the other ends canceled.
#[test]
fn a_success_held_back_by_an_open_refund_is_reported_when_that_one_fails() {
    let (mut m, _) = answered("order-hb", "300.00", RefundStatus::Pending);
    assert_eq!(
        feed(&mut m, refund("r-2", "200.00"), at(10, 5))[0],
        "send refund r-2 200.00"
    );
    let lines = feed(&mut m, answer(RefundStatus::Succeeded), at(10, 6));
    assert!(
        !lines.iter().any(|l| l.starts_with("done")),
        "held back while r-1 is open: {lines:?}"
    );
    assert_eq!(
        feed(&mut m, Input::Timeout, at(11, 1))[0],
        "send refund r-1 300.00"
    );
    let lines = feed(&mut m, answer(RefundStatus::Canceled), at(11, 2));
    assert!(
        lines.iter().any(|l| l.starts_with("failed")),
        "r-1's refusal: {lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "done partially_refunded total 1000.00 refunded 200.00"),
        "r-2's success was never reported: {lines:?}"
    );
}

/// OCTO turns the machine's ask about an open refund away (it may refuse a
/// duplicate id), and a status check then shows the whole payment
/// refunded: nothing more can be refunded, so the payment ends `Refunded`
/// with the `Done` held back for another refund, though the open one never
/// got its own final word.
#[test]
fn a_payment_octo_shows_fully_refunded_ends_though_a_refund_stays_open() {
    let (mut m, _) = answered("order-fr", "600.00", RefundStatus::Pending);
    feed(&mut m, refund("r-2", "400.00"), at(10, 2));
    let lines = feed(&mut m, answer(RefundStatus::Succeeded), at(10, 3));
    assert!(!lines.iter().any(|l| l.starts_with("done")), "{lines:?}");
    assert_eq!(
        feed(&mut m, Input::Timeout, at(11, 3))[0],
        "send refund r-1 600.00"
    );
    let duplicate = Reply::Refund(Err(octo_error(1, Endpoint::Refund)));
    feed(&mut m, duplicate, at(11, 4));
    m.handle_input(Input::CheckStatus, at(12, 0)).unwrap();
    drain(&mut m, payment_outcome);
    let mut all = payment("order-fr", "u-1", PaymentStatus::Refunded, Some("1000.00"));
    all.refunded_sum = Some(dec("1000.00"));
    let lines = feed(&mut m, Reply::PaymentStatus(Ok(all)), at(12, 1));
    assert!(
        lines
            .iter()
            .any(|l| l == "done refunded total 1000.00 refunded 1000.00"),
        "{lines:?}"
    );
    assert!(m.is_terminal());
    assert_eq!(m.phase(), PaymentPhase::Refunded);
}

/// A refund whose call ended in doubt is sent again, and OCTO answers the
/// resend `error` (or `canceled`): that may be its answer to the duplicate
/// rather than the first refund's fate, so the amount stays reserved and
/// the shop does not hear that nothing was refunded.
#[test]
fn a_refund_in_doubt_answered_error_on_its_resend_keeps_its_amount() {
    for status in [RefundStatus::Error, RefundStatus::Canceled] {
        let mut m = paid("order-de");
        feed(&mut m, refund("r-1", "1000.00"), at(10, 0));
        feed(&mut m, Reply::Refund(Err(timeout())), at(10, 1));
        assert_eq!(
            feed(&mut m, refund("r-1", "1000.00"), at(10, 2))[0],
            "send refund r-1 1000.00"
        );
        let lines = feed(&mut m, answer(status.clone()), at(10, 3));
        assert!(
            !lines.iter().any(|l| l.contains("refused with status")),
            "{status}: {lines:?}"
        );
        assert!(
            m.handle_input(refund("r-9", "1000.00"), at(11, 0)).is_err(),
            "{status}: a refund that may have been made was freed"
        );
    }
}
