//! The time a payment machine gives the customer is the time OCTO is told.
//!
//! OCTO's pages make `ttl` optional and give no default for it, so a
//! `prepare_payment` without one leaves the payment's lifetime to OCTO. A
//! machine that counted with its own `PaymentParams::ttl` then reported the
//! payment expired (and a run returned) while OCTO might still take the
//! customer's money. These tests hold the machine to one rule: the `ttl` in
//! the request it sends is the one its deadline counts with.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use machine_support::{T0, payment, prepare};
use octo_proto::Config;
use octo_proto::PaymentMethod;
use octo_proto::machine::{
    Command, Input, Machine, Output, PaymentMachine, PaymentParams, Reply, TokenPaymentMachine,
};
use octo_proto::op::{MAX_TTL_MINUTES, PreparePayment};
use octo_proto::{CardToken, PaymentStatus};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

const ID: &str = "order-ttl";
const UUID: &str = "u-ttl";

/// The `prepare_payment` the machine sends first, and the `ttl` field of
/// its request body (`None` when the body has none).
fn first_prepare<M: Machine>(m: &mut M) -> (PreparePayment, Option<u64>) {
    let Output::Send(Command::PreparePayment(sent)) = m.poll_output() else {
        panic!("the first output is not prepare_payment");
    };
    let request = Command::PreparePayment(sent.clone())
        .build_request(&Config::new(123, "secret"))
        .expect("the machine's prepare_payment builds");
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    let ttl = body
        .get("ttl")
        .map(|t| t.as_u64().expect("ttl is a whole number"));
    (sent, ttl)
}

/// OCTO answers the prepare with `created` at `now`: the deadline the
/// machine then waits for.
fn created_at<M: Machine>(m: &mut M, now: OffsetDateTime) -> OffsetDateTime {
    let created = payment(ID, UUID, PaymentStatus::Created, Some("1000.00"));
    m.handle_input(Input::Reply(Reply::PreparePayment(Ok(created))), now)
        .unwrap();
    loop {
        match m.poll_output() {
            Output::Wait(wait) => return wait.until.expect("a deadline"),
            Output::Redirect(_) => {}
            _ => panic!("a prepared payment only redirects and waits"),
        }
    }
}

fn params(ttl: Duration) -> PaymentParams {
    PaymentParams {
        ttl,
        ..PaymentParams::default()
    }
}

/// A prepare without `ttl` goes out with the machine's own (15 minutes by
/// default), and the machine's deadline is that many minutes.
#[test]
fn a_prepare_without_ttl_is_sent_with_the_ttl_the_machine_counts_with() {
    for minutes in [15, 60] {
        let mut m = PaymentMachine::new(
            prepare(ID, "1000.00"),
            params(Duration::minutes(minutes)),
            T0,
        );
        let (sent, ttl) = first_prepare(&mut m);
        assert_eq!(ttl, Some(u64::try_from(minutes).unwrap()), "the body's ttl");
        assert_eq!(sent.ttl, Some(u32::try_from(minutes).unwrap()));
        assert_eq!(created_at(&mut m, T0), T0 + Duration::minutes(minutes));
    }
}

/// The shop's own `ttl` is sent as it is and counted with; the params'
/// one plays no part.
#[test]
fn the_shops_ttl_is_sent_and_counted_with() {
    let mut op = prepare(ID, "1000.00");
    op.ttl = Some(30);
    let mut m = PaymentMachine::new(op, params(Duration::minutes(15)), T0);
    let (_, ttl) = first_prepare(&mut m);
    assert_eq!(ttl, Some(30));
    assert_eq!(created_at(&mut m, T0), T0 + Duration::minutes(30));
}

/// The wire takes whole minutes from 1 to [`MAX_TTL_MINUTES`]: a params'
/// ttl with seconds is rounded up (the customer never gets less time than
/// the shop asked for), one under a minute becomes a minute, one over the
/// bound is held to it, and the machine counts with what it sent.
#[test]
fn the_params_ttl_goes_out_in_whole_minutes_within_the_bounds() {
    let cases = [
        (Duration::seconds(90), 2),
        (Duration::seconds(60), 1),
        (Duration::seconds(1), 1),
        (Duration::ZERO, 1),
        (Duration::minutes(-5), 1),
        (Duration::days(60), MAX_TTL_MINUTES),
        (Duration::MAX, MAX_TTL_MINUTES),
        (Duration::MIN, 1),
    ];
    for (ttl, minutes) in cases {
        let mut m = PaymentMachine::new(prepare(ID, "1000.00"), params(ttl), T0);
        let (_, sent) = first_prepare(&mut m);
        assert_eq!(sent, Some(u64::from(minutes)), "{ttl}");
        assert_eq!(
            created_at(&mut m, T0),
            T0 + Duration::minutes(i64::from(minutes)),
            "{ttl}"
        );
    }
}

/// A payment with a stored card sends the same `ttl` as a plain one.
#[test]
fn a_token_payment_without_ttl_is_sent_with_the_ttl_the_machine_counts_with() {
    let mut m = TokenPaymentMachine::new(
        prepare(ID, "1000.00"),
        CardToken::new("tok"),
        PaymentMethod::Uzcard,
        None,
        params(Duration::minutes(20)),
        T0,
    );
    let (_, ttl) = first_prepare(&mut m);
    assert_eq!(ttl, Some(20));
    assert_eq!(m.prepared().ttl, Some(20));
}

proptest! {
    /// Whatever the params' ttl, the request carries a ttl OCTO's bounds
    /// accept, and the machine's deadline is exactly that many minutes.
    #[test]
    fn the_deadline_is_always_the_minutes_sent(seconds in any::<i64>()) {
        let ttl = Duration::seconds(seconds);
        let mut m = PaymentMachine::new(prepare(ID, "1000.00"), params(ttl), T0);
        let (_, sent) = first_prepare(&mut m);
        let minutes = sent.expect("a ttl is sent");
        prop_assert!((1..=u64::from(MAX_TTL_MINUTES)).contains(&minutes));
        let minutes = i64::try_from(minutes).unwrap();
        prop_assert_eq!(created_at(&mut m, T0), T0 + Duration::minutes(minutes));
        if ttl > Duration::ZERO && ttl <= Duration::minutes(i64::from(MAX_TTL_MINUTES)) {
            // Never less time than asked, and less than a minute more.
            prop_assert!(Duration::minutes(minutes) >= ttl);
            prop_assert!(Duration::minutes(minutes) - ttl < Duration::minutes(1));
        }
    }
}

/// OCTO counts the ttl from when the prepare reached it, which may be
/// later than the machine's start (a slow answer, retries): the machine
/// never reports the payment expired before a ttl has passed since OCTO's
/// answer.
#[test]
fn expiry_is_not_reported_before_a_ttl_after_octos_answer() {
    let mut m = PaymentMachine::new(prepare(ID, "1000.00"), params(Duration::minutes(15)), T0);
    let _ = first_prepare(&mut m);
    let answered = T0 + Duration::minutes(2);
    let _ = created_at(&mut m, answered);
    let unpaid = || {
        Input::Reply(Reply::PaymentStatus(Ok(payment(
            ID,
            UUID,
            PaymentStatus::Created,
            Some("1000.00"),
        ))))
    };
    let expired_after = |m: &mut PaymentMachine, now: OffsetDateTime| -> bool {
        m.handle_input(Input::CheckStatus, now).unwrap();
        while !matches!(m.poll_output(), Output::Wait(_)) {}
        m.handle_input(unpaid(), now).unwrap();
        let mut expired = false;
        loop {
            match m.poll_output() {
                Output::Failed(octo_proto::machine::Failure::Expired { .. }) => expired = true,
                Output::Wait(_) => return expired,
                _ => {}
            }
        }
    };
    assert!(
        !expired_after(&mut m, T0 + Duration::minutes(16)),
        "reported expired 15 minutes after the start, 14 after OCTO's answer"
    );
    assert!(expired_after(&mut m, answered + Duration::minutes(15)));
}
