//! Every machine takes any input, in any order, at any time `time` can
//! represent (including time running backwards), without panicking, and
//! always goes idle after a bounded number of outputs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use machine_support::*;
use octo_proto::machine::{
    BindingMachine, BindingParams, Input, Machine, Output, PaymentMachine, PaymentParams, Reply,
    TokenMachine, TokenNotice,
};
use octo_proto::op::{Endpoint, SmsCode};
use octo_proto::{CardToken, MaskedPan, PaymentMethod, PaymentStatus, RefundStatus, TokenStatus};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;

const ID: &str = "order-a";
const UUID: &str = "u-a";

fn any_time() -> impl Strategy<Value = OffsetDateTime> {
    prop_oneof![
        // Around the start, forwards and backwards.
        (-100_000i64..100_000).prop_map(|s| T0 + time::Duration::seconds(s)),
        // Anywhere `time` can go.
        (OffsetDateTime::UNIX_EPOCH.year() - 11_969..=9999i32).prop_map(|year| {
            OffsetDateTime::UNIX_EPOCH
                .replace_year(year.clamp(-9999, 9999))
                .unwrap()
        }),
    ]
}

fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        (-2_000_000i64..2_000_000).prop_map(|c| Decimal::new(c, 2)),
    ]
}

fn status() -> impl Strategy<Value = PaymentStatus> {
    (0..STATUSES.len()).prop_map(|i| PaymentStatus::parse(STATUSES[i]))
}

fn reply() -> impl Strategy<Value = Reply> {
    let failed = prop_oneof![Just(None), (-1i64..30).prop_map(Some)];
    (
        0..10usize,
        status(),
        failed,
        0..400u32,
        amount(),
        any::<bool>(),
    )
        .prop_map(|(which, status, failed, seconds, total, other)| {
            let uuid = if other { "u-other" } else { UUID };
            let total = total.to_string();
            let error = |endpoint| match failed {
                Some(code) => octo_error(code, endpoint),
                None => timeout(),
            };
            let ok = failed.is_none() && seconds % 3 != 0;
            let pay = || payment(ID, uuid, status.clone(), Some(&total));
            match which {
                0 if ok => Reply::PreparePayment(Ok(pay())),
                0 => Reply::PreparePayment(Err(error(Endpoint::PreparePayment))),
                1 if ok => Reply::PaymentStatus(Ok(pay())),
                1 => Reply::PaymentStatus(Err(error(Endpoint::PaymentStatus))),
                2 if ok => Reply::PayWithToken(Ok(token_payment(
                    uuid,
                    status.clone(),
                    &total,
                    other.then_some("https://pay2.octo.uz/x"),
                ))),
                2 => Reply::PayWithToken(Err(error(Endpoint::PayWithToken))),
                3 if ok => Reply::SetAccept(Ok(pay())),
                3 => Reply::SetAccept(Err(error(Endpoint::SetAccept))),
                4 if ok => Reply::Refund(Ok(refund_result(
                    uuid,
                    RefundStatus::parse(
                        ["succeeded", "pending", "canceled", "error", "new"][seconds as usize % 5],
                    ),
                ))),
                4 => Reply::Refund(Err(error(Endpoint::Refund))),
                5 if ok => Reply::BindCard(Ok(pay())),
                5 => Reply::BindCard(Err(error(Endpoint::BindCard))),
                6 if ok => Reply::VerificationInfo(Ok(verification(1, seconds))),
                6 => Reply::VerificationInfo(Err(error(Endpoint::VerificationInfo))),
                7 if ok => Reply::CheckSmsKey(Ok(pay())),
                7 => Reply::CheckSmsKey(Err(error(Endpoint::CheckSmsKey))),
                8 if ok => Reply::CheckPan(Ok(verification(2, seconds))),
                8 => Reply::CheckPan(Err(error(Endpoint::CheckPan))),
                _ if ok => Reply::BlockCardToken(Ok(blocked())),
                _ => Reply::BlockCardToken(Err(error(Endpoint::BlockCardToken))),
            }
        })
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        6 => reply().prop_map(Input::Reply),
        2 => (status(), any::<bool>()).prop_map(|(s, other)| {
            let uuid = if other { "u-other" } else { UUID };
            Input::Notification(signed_notice(ID, uuid, s, Some("1.00")))
        }),
        1 => Just(()).prop_map(|()| Input::CheckStatus),
        2 => (0..4usize, any::<bool>(), any::<bool>()).prop_map(|(s, card, token)| {
            let status = TokenStatus::parse(["init", "active", "failed", "blocked"][s]);
            let token = CardToken::new(if token { "tok" } else { "" });
            let mut notice = TokenNotice::new(ID.parse().unwrap(), token, status);
            if card {
                notice = notice.with_card(MaskedPan::new("860031******4318").unwrap());
            }
            Input::Tokenization(notice)
        }),
        1 => Just(()).prop_map(|()| Input::Code(SmsCode::new("61135").unwrap())),
        1 => Just(()).prop_map(|()| Input::ResendCode),
        1 => prop::option::of(amount()).prop_map(|final_amount| Input::Capture { final_amount }),
        1 => Just(()).prop_map(|()| Input::Cancel),
        1 => (0..3u8, amount()).prop_map(|(id, amount)| Input::Refund {
            shop_refund_id: format!("r-{id}").parse().unwrap(),
            amount,
        }),
        1 => Just(()).prop_map(|()| Input::Block),
        3 => Just(()).prop_map(|()| Input::Timeout),
    ]
}

fn run<M: Machine>(mut machine: M, steps: Vec<(Input, OffsetDateTime)>) {
    for (input, now) in steps {
        let _ = machine.handle_input(input, now);
        let mut idle = false;
        for _ in 0..64 {
            if matches!(machine.poll_output(), Output::Wait(_)) {
                idle = true;
                break;
            }
        }
        assert!(idle, "the machine never goes idle");
    }
}

fn steps() -> impl Strategy<Value = Vec<(Input, OffsetDateTime)>> {
    prop::collection::vec((input(), any_time()), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn payments_take_anything(two_stage in any::<bool>(), start in any_time(), steps in steps()) {
        let mut prepare = prepare(ID, "1000.00");
        prepare.ttl = Some(u32::MAX);
        if two_stage {
            prepare = prepare.two_stage();
        }
        run(PaymentMachine::new(prepare, PaymentParams::default(), start), steps);
    }

    #[test]
    fn token_payments_take_anything(steps in steps()) {
        run(humo_token_payment(ID, "1000.00"), steps);
    }

    #[test]
    fn bindings_take_anything(sms in any::<bool>(), start in any_time(), steps in steps()) {
        let method = if sms { PaymentMethod::Uzcard } else { PaymentMethod::BankCard };
        run(BindingMachine::new(bind_card(ID, method), BindingParams::default(), start), steps);
    }

    #[test]
    fn tokens_take_anything(active in any::<bool>(), steps in steps()) {
        let machine = if active {
            TokenMachine::active(ID.parse().unwrap(), CardToken::new("tok"))
        } else {
            TokenMachine::pending(ID.parse().unwrap())
        };
        run(machine, steps);
    }
}
