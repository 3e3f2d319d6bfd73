//! Deadlines never overflow the clock: a `ttl` of `u32::MAX` minutes, a code
//! that lives `u32::MAX` seconds, timings of any size and a `now` anywhere in
//! the range `time` supports build machines that run without panicking, and
//! their deadlines stay at or after `now`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod machine_support;

use machine_support::*;
use octo_proto::machine::{
    BindingMachine, BindingParams, Input, Machine, Output, PaymentMachine, PaymentParams, Reply,
    TokenPaymentMachine,
};
use octo_proto::{CardToken, PaymentMethod, PaymentStatus};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

/// Any instant `time` can represent (years -9999 to 9999), weighted towards
/// the edges where the overflows are.
fn instant() -> impl Strategy<Value = OffsetDateTime> {
    let min = OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT).unix_timestamp();
    let max = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT).unix_timestamp();
    prop_oneof![
        (min..=max),
        (max - 100_000_000..=max),
        (min..=min + 100_000_000),
        Just(max),
        Just(min),
    ]
    .prop_map(|t| OffsetDateTime::from_unix_timestamp(t).unwrap())
}

/// Durations of any size and sign `time` can hold.
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        any::<i64>().prop_map(Duration::seconds),
        (0i64..1_000_000).prop_map(Duration::seconds),
        Just(Duration::MAX),
        Just(Duration::MIN),
    ]
}

fn payment_params() -> impl Strategy<Value = PaymentParams> {
    (duration(), duration(), duration(), any::<bool>()).prop_map(
        |(ttl, hold_expiry, recheck_interval, created_after_lost_charge_ends)| PaymentParams {
            ttl,
            hold_expiry,
            recheck_interval,
            created_after_lost_charge_ends,
            ..PaymentParams::default()
        },
    )
}

/// Every deadline the machine sets is at or after `now`.
fn assert_sane_waits<M: Machine>(machine: &mut M, now: OffsetDateTime) {
    for _ in 0..64 {
        match machine.poll_output() {
            Output::Wait(wait) => {
                if let Some(until) = wait.until {
                    assert!(until >= now, "a deadline in the past: {until} < {now}");
                }
                return;
            }
            Output::Decide(hold) => assert!(hold.expires_at >= now, "hold expired already"),
            _ => {}
        }
    }
    panic!("the machine never goes idle");
}

/// Drives a payment through a prepare reply with `status`, a deadline
/// passing, and a notification, at `now` and later.
fn run_payment<M: Machine>(machine: &mut M, status: PaymentStatus, now: OffsetDateTime) {
    assert_sane_waits(machine, now);
    let created = payment("order-1", "u-1", status.clone(), Some("1000.00"));
    let _ = machine.handle_input(Reply::PreparePayment(Ok(created)).into(), now);
    assert_sane_waits(machine, now);
    let _ = machine.handle_input(Input::Timeout, now);
    assert_sane_waits(machine, now);
    let held = payment(
        "order-1",
        "u-1",
        PaymentStatus::WaitingForCapture,
        Some("1000.00"),
    );
    let _ = machine.handle_input(Reply::PaymentStatus(Ok(held)).into(), now);
    assert_sane_waits(machine, now);
    let _ = machine.handle_input(Input::Timeout, now);
    assert_sane_waits(machine, now);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn payments_take_any_ttl_and_any_now(
        ttl in prop_oneof![Just(None), Just(Some(u32::MAX)), any::<u32>().prop_map(Some)],
        params in payment_params(),
        now in instant(),
        waiting in any::<bool>(),
    ) {
        let status = if waiting {
            PaymentStatus::WaitingForCapture
        } else {
            PaymentStatus::Created
        };
        let mut op = prepare("order-1", "1000.00");
        op.ttl = ttl;
        let mut machine = PaymentMachine::new(op.clone(), params, now);
        run_payment(&mut machine, status.clone(), now);

        let mut token = TokenPaymentMachine::new(
            op,
            CardToken::new("tok-1"),
            PaymentMethod::Uzcard,
            None,
            params,
            now,
        );
        assert_sane_waits(&mut token, now);
    }

    #[test]
    fn bindings_take_any_code_lifetime_and_any_now(
        seconds_left in prop_oneof![Just(u32::MAX), any::<u32>()],
        callback_timeout in duration(),
        now in instant(),
    ) {
        let params = BindingParams {
            callback_timeout,
            ..BindingParams::default()
        };
        let mut machine = BindingMachine::new(bind_card("bind-1", PaymentMethod::Humo), params, now);
        assert_sane_waits(&mut machine, now);
        let created = payment("bind-1", "u-1", PaymentStatus::Created, None);
        let _ = machine.handle_input(Reply::BindCard(Ok(created)).into(), now);
        assert_sane_waits(&mut machine, now);
        let v = verification(819, seconds_left);
        let _ = machine.handle_input(Reply::VerificationInfo(Ok(v)).into(), now);
        assert_sane_waits(&mut machine, now);
        let _ = machine.handle_input(Input::Timeout, now);
        assert_sane_waits(&mut machine, now);
        // The bank-card flow waits for the callback with `callback_timeout`.
        let mut card = BindingMachine::new(
            bind_card("bind-2", PaymentMethod::BankCard),
            params,
            now,
        );
        let created = payment("bind-2", "u-2", PaymentStatus::Created, None);
        let _ = card.handle_input(Reply::BindCard(Ok(created)).into(), now);
        assert_sane_waits(&mut card, now);
    }
}

#[test]
fn the_largest_ttl_from_deserialised_input_does_not_panic() {
    let op: octo_proto::op::PreparePayment = serde_json::from_value(serde_json::json!({
        "shop_transaction_id": "order-1", "auto_capture": true,
        "init_time": "2024-05-02 09:00:00", "total_sum": 1000.00, "currency": "UZS",
        "description": "d", "return_url": "https://shop.example/r", "language": "uz",
        "ttl": u32::MAX
    }))
    .unwrap();
    assert_eq!(op.ttl, Some(u32::MAX));
    let mut machine = PaymentMachine::new(op, PaymentParams::default(), T0);
    assert_sane_waits(&mut machine, T0);
}

/// A zero or negative `recheck_interval` still leaves time between two
/// status checks: a deadline of `now` made a driver that sleeps until it
/// ask OCTO again at once, in a loop.
#[test]
fn a_zero_recheck_interval_still_waits_between_checks() {
    for recheck_interval in [Duration::ZERO, Duration::seconds(-5)] {
        let params = PaymentParams {
            recheck_interval,
            ..PaymentParams::default()
        };
        let mut machine = PaymentMachine::new(prepare("order-1", "1000.00"), params, at(0, 0));
        drain(&mut machine, payment_outcome);
        let created = payment("order-1", "u-1", PaymentStatus::Created, Some("1000.00"));
        machine
            .handle_input(Reply::PreparePayment(Ok(created.clone())).into(), at(0, 1))
            .unwrap();
        drain(&mut machine, payment_outcome);
        // The ttl passes: the machine asks, and OCTO still says `created`.
        machine.handle_input(Input::Timeout, at(15, 0)).unwrap();
        drain(&mut machine, payment_outcome);
        machine
            .handle_input(Reply::PaymentStatus(Ok(created)).into(), at(15, 1))
            .unwrap();
        let until = loop {
            match machine.poll_output() {
                Output::Wait(wait) => break wait.until.expect("a re-check"),
                Output::Send(command) => panic!("sent at once: {command:?}"),
                _ => {}
            }
        };
        assert!(until > at(15, 1), "{recheck_interval}: {until}");
    }
}
