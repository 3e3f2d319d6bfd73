//! What a card binding trusts. The tokenization callback is unsigned, so it
//! never finishes a binding by itself: OCTO must have confirmed the card
//! (a `check_sms_key` answer on the SMS route, a status check on the 3-D
//! Secure route), and the callback's card must be the card being bound.
//! An early callback is kept and applied once OCTO confirms.
//!
//! Also: the OTP resend carries OCTO's integer payment id, and machines
//! never resend a command on their own (the transport's retry loop is the
//! one owner of retries).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod machine_support;

use machine_support::*;
use octo_proto::machine::{
    BindingMachine, BindingParams, BindingPhase, BoundCard, Command, Failure, Input, Machine,
    Output, PaymentMachine, PaymentParams, Rejected, Reply, TokenMachine, TokenNotice,
};
use octo_proto::op::{Endpoint, Payment, SmsCode, Verification};
use octo_proto::{
    CardToken, Config, MaskedPan, PaymentId, PaymentMethod, PaymentStatus, RefundStatus,
    TokenStatus,
};
use time::OffsetDateTime;

const ID: &str = "bind-t";
/// The card of `bind_card()`: 8600312990314318.
const OUR_CARD: &str = "860031******4318";

fn masked(text: &str) -> MaskedPan {
    MaskedPan::new(text).unwrap()
}

fn active(card: Option<&str>) -> TokenNotice {
    let notice = TokenNotice::new(
        ID.parse().unwrap(),
        CardToken::new("tok-secret"),
        TokenStatus::Active,
    );
    match card {
        Some(card) => notice.with_card(masked(card)),
        None => notice,
    }
}

fn code() -> SmsCode {
    SmsCode::new("61135").unwrap()
}

fn sent<T>(outputs: &[Output<T>]) -> Vec<Endpoint> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Send(c) => Some(c.endpoint()),
            _ => None,
        })
        .collect()
}

fn done(outputs: &[Output<BoundCard>]) -> Option<&BoundCard> {
    outputs.iter().find_map(|o| match o {
        Output::Done(card) => Some(card),
        _ => None,
    })
}

fn failed<T>(outputs: &[Output<T>]) -> Option<&Failure> {
    outputs.iter().find_map(|o| match o {
        Output::Failed(f) => Some(f),
        _ => None,
    })
}

fn feed<M: Machine>(
    m: &mut M,
    input: impl Into<Input>,
    now: OffsetDateTime,
) -> Vec<Output<M::Outcome>> {
    m.handle_input(input.into(), now).unwrap();
    outputs(m)
}

fn binding_payment(status: PaymentStatus) -> Payment {
    payment(ID, "b-1", status, Some("1000"))
}

/// OCTO's answer that the code typed was right.
fn code_accepted() -> Reply {
    Reply::CheckSmsKey(Ok(binding_payment(PaymentStatus::Succeeded)))
}

fn with_id(mut v: Verification, id: u64) -> Verification {
    v.payment_id = Some(PaymentId(id));
    v
}

/// A `verificationInfo` answer without OCTO's payment id, as in OCTO's
/// documented example.
fn no_id(mut v: Verification) -> Verification {
    v.payment_id = None;
    v
}

/// An SMS binding waiting for the code; `verification` answers
/// `verificationInfo`.
/// A binding of the card of `bind_card(ID, method)`, started at 09:00.
fn binding(method: PaymentMethod) -> BindingMachine {
    BindingMachine::new(bind_card(ID, method), BindingParams::default(), at(0, 0))
}

fn awaiting_code(verification: Verification) -> BindingMachine {
    let mut m = binding(PaymentMethod::Humo);
    assert_eq!(sent(&outputs(&mut m)), [Endpoint::BindCard]);
    let out = feed(
        &mut m,
        Reply::BindCard(Ok(binding_payment(PaymentStatus::Created))),
        at(0, 1),
    );
    assert_eq!(sent(&out), [Endpoint::VerificationInfo]);
    let out = feed(&mut m, Reply::VerificationInfo(Ok(verification)), at(0, 2));
    assert!(out.iter().any(|o| matches!(o, Output::AskCode(_))));
    assert_eq!(m.phase(), BindingPhase::AwaitingCode);
    m
}

/// An SMS binding whose code (typed at 09:01:00) OCTO accepted at
/// 09:01:01, and what the machine output on that answer.
fn code_confirmed() -> (BindingMachine, Vec<Output<BoundCard>>) {
    let mut m = awaiting_code(verification(819, 120));
    feed(&mut m, code(), at(1, 0));
    let out = feed(&mut m, code_accepted(), at(1, 1));
    (m, out)
}

// ---- 1. an unsigned callback does not finish a binding ----

/// A binding of our card by `method` whose `bind_card` OCTO answered
/// `created` (at 00:01).
fn created(method: PaymentMethod) -> BindingMachine {
    let mut m = binding(method);
    outputs(&mut m);
    feed(
        &mut m,
        Reply::BindCard(Ok(binding_payment(PaymentStatus::Created))),
        at(0, 1),
    );
    m
}
#[test]
fn an_active_callback_before_the_code_is_confirmed_is_kept_not_applied() {
    let mut m = awaiting_code(verification(819, 120));
    // The callback comes first: the machine asks OCTO, which has not seen
    // the code yet.
    let out = feed(&mut m, active(Some(OUR_CARD)), at(0, 30));
    assert!(done(&out).is_none(), "bound on an unsigned callback alone");
    assert_eq!(sent(&out), [Endpoint::PaymentStatus]);
    assert_eq!(m.phase(), BindingPhase::Confirming);
    let out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::Created))),
        at(0, 31),
    );
    assert!(done(&out).is_none());
    assert!(
        out.iter().any(|o| matches!(o, Output::AskCode(_))),
        "the customer is asked again"
    );
    assert_eq!(m.phase(), BindingPhase::AwaitingCode);

    // The code goes through: the kept callback now binds.
    let out = feed(&mut m, code(), at(1, 0));
    assert_eq!(sent(&out), [Endpoint::CheckSmsKey]);
    let out = feed(&mut m, code_accepted(), at(1, 1));
    let card = done(&out).expect("bound once OCTO confirmed the code");
    assert_eq!(card.card_token.expose_secret(), "tok-secret");
    assert_eq!(card.card.as_ref().unwrap().as_str(), OUR_CARD);
    assert_eq!(m.phase(), BindingPhase::Bound);
}

#[test]
fn a_callback_while_the_code_is_being_checked_waits_for_the_answer() {
    let mut m = awaiting_code(verification(819, 120));
    feed(&mut m, code(), at(1, 0));
    let out = feed(&mut m, active(Some(OUR_CARD)), at(1, 0));
    assert!(done(&out).is_none());
    assert!(sent(&out).is_empty(), "one command at a time");
    // A wrong code: the kept callback does not bind.
    let out = feed(
        &mut m,
        Reply::CheckSmsKey(Err(octo_error(-1, Endpoint::CheckSmsKey))),
        at(1, 1),
    );
    assert!(done(&out).is_none());
    assert_eq!(m.wrong_codes(), 1);
    feed(&mut m, code(), at(1, 10));
    let out = feed(&mut m, code_accepted(), at(1, 11));
    assert!(done(&out).is_some());
}

#[test]
fn after_the_code_is_confirmed_the_callback_binds() {
    let (mut m, out) = code_confirmed();
    assert!(done(&out).is_none());
    assert_eq!(m.phase(), BindingPhase::AwaitingCallback);
    let out = feed(&mut m, active(Some("860031** **** 4318")), at(1, 30));
    assert!(done(&out).is_some(), "OCTO's spaced mask is the same card");
    // OCTO repeats its callback: still fine.
    assert_eq!(
        m.handle_input(active(Some(OUR_CARD)).into(), at(1, 40)),
        Ok(())
    );
}

/// OCTO confirmed the card (the code was accepted), and its callback comes
/// after the machine's callback timeout, a wait no page sets. Ending the
/// binding there refused the callback as `Finished`: OCTO then keeps an
/// active token the shop never took (a new `bind_card` for the card meets
/// error 20). The timeout is reported, and the late callback still binds.
#[test]
fn a_callback_after_the_timeout_still_binds_a_card_octo_confirmed() {
    let (mut m, out) = code_confirmed();
    assert!(done(&out).is_none());
    let deadline = match out.last() {
        Some(Output::Wait(w)) => w.until.expect("the callback timeout"),
        other => panic!("{other:?}"),
    };
    let out = feed(&mut m, Input::Timeout, deadline);
    assert!(
        matches!(failed(&out), Some(Failure::CallbackTimeout)),
        "{out:?}"
    );
    assert!(!m.is_terminal(), "a confirmed card's binding was ended");
    // Nothing more is scheduled, and a second timeout reports nothing new.
    assert!(
        matches!(out.last(), Some(Output::Wait(w)) if w.until.is_none()),
        "{out:?}"
    );
    let out = feed(&mut m, Input::Timeout, at(30, 0));
    assert!(failed(&out).is_none(), "{out:?}");
    let out = feed(&mut m, active(Some(OUR_CARD)), at(31, 0));
    let card = done(&out).expect("the late callback binds");
    assert_eq!(card.card_token.expose_secret(), "tok-secret");
    assert_eq!(m.phase(), BindingPhase::Bound);
}

fn failed_callback() -> TokenNotice {
    TokenNotice::new(
        ID.parse().unwrap(),
        CardToken::new("tok-secret"),
        TokenStatus::Failed,
    )
}

/// A `failed` tokenization callback is unsigned like any other: anyone who
/// knows the binding's id could post one. It ended the binding as it came,
/// even one OCTO had confirmed, and OCTO's genuine `active` callback was
/// then refused as `Finished` (OCTO retries, then cancels the token). It is
/// reported and the binding goes on: here the card was confirmed, and the
/// genuine callback binds.
#[test]
fn a_failed_callback_after_octo_confirmed_the_card_does_not_end_the_binding() {
    let (mut m, _) = code_confirmed();
    let out = feed(&mut m, failed_callback(), at(1, 20));
    assert!(
        matches!(failed(&out), Some(Failure::TokenFailed)),
        "{out:?}"
    );
    assert!(
        !m.is_terminal(),
        "an unsigned callback ended a confirmed binding"
    );
    assert!(sent(&out).is_empty(), "{out:?}");
    // OCTO repeats it: nothing new is reported.
    let out = feed(&mut m, failed_callback(), at(1, 30));
    assert!(failed(&out).is_none(), "{out:?}");
    let out = feed(&mut m, active(Some(OUR_CARD)), at(1, 40));
    assert!(done(&out).is_some(), "{out:?}");
}

/// OCTO confirmed the card, its callback said `failed`, and no `active`
/// one came by the callback timeout: the failure stands and the binding
/// ends (it stayed open for ever, with nothing scheduled).
#[test]
fn a_failed_callback_with_no_active_one_by_the_timeout_ends_the_binding() {
    let (mut m, out) = code_confirmed();
    let deadline = match out.last() {
        Some(Output::Wait(w)) => w.until.expect("the callback timeout"),
        other => panic!("{other:?}"),
    };
    feed(&mut m, failed_callback(), at(1, 20));
    let out = feed(&mut m, Input::Timeout, deadline);
    assert!(
        matches!(failed(&out), Some(Failure::TokenFailed)),
        "{out:?}"
    );
    assert!(m.is_terminal());
}

/// Before the code: the failure is reported, and the customer's code still
/// decides. OCTO accepts it, and the genuine callback binds.
#[test]
fn a_failed_callback_before_the_code_leaves_the_code_to_decide() {
    let mut m = awaiting_code(verification(819, 120));
    let out = feed(&mut m, failed_callback(), at(0, 30));
    assert!(
        matches!(failed(&out), Some(Failure::TokenFailed)),
        "{out:?}"
    );
    assert!(!m.is_terminal());
    let out = feed(&mut m, code(), at(1, 0));
    assert_eq!(sent(&out), [Endpoint::CheckSmsKey]);
    feed(&mut m, code_accepted(), at(1, 1));
    let out = feed(&mut m, active(Some(OUR_CARD)), at(1, 40));
    assert!(done(&out).is_some(), "{out:?}");
}

/// On the 3-D Secure route a `failed` callback makes the machine ask OCTO
/// at once, and OCTO's answer ends the binding when the payment failed.
#[test]
fn a_failed_callback_on_the_3ds_route_is_checked_with_octo() {
    let mut m = created(PaymentMethod::BankCard);
    let out = feed(&mut m, failed_callback(), at(2, 0));
    assert!(
        matches!(failed(&out), Some(Failure::TokenFailed)),
        "{out:?}"
    );
    assert_eq!(sent(&out), [Endpoint::PaymentStatus]);
    let out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::Canceled))),
        at(2, 1),
    );
    assert!(matches!(failed(&out), Some(Failure::Ended(_))), "{out:?}");
    assert!(m.is_terminal());
}

/// Without OCTO's confirmation the timeout still ends the binding (the
/// 3-D Secure route, `the_3ds_route_without_a_confirmation_times_out`).
/// And a zero interval between checks of a kept callback still leaves time
/// between two checks.
#[test]
fn a_zero_confirm_interval_still_waits_between_checks() {
    let params = BindingParams {
        confirm_interval: time::Duration::ZERO,
        ..BindingParams::default()
    };
    let mut m = BindingMachine::new(bind_card(ID, PaymentMethod::BankCard), params, at(0, 0));
    outputs(&mut m);
    feed(
        &mut m,
        Reply::BindCard(Ok(binding_payment(PaymentStatus::Created))),
        at(0, 1),
    );
    feed(&mut m, active(Some(OUR_CARD)), at(2, 0));
    let out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::WaitUserAction))),
        at(2, 1),
    );
    let until = match out.last() {
        Some(Output::Wait(w)) => w.until.expect("a re-check is scheduled"),
        other => panic!("{other:?}"),
    };
    assert!(
        until > at(2, 1),
        "a check at once, again and again: {until}"
    );
}

#[test]
fn a_callback_for_another_card_is_refused() {
    let (mut m, _) = code_confirmed();
    for card in [
        Some("427638******1025"),
        Some("860031******0000"),
        Some("999931******4318"),
        None,
    ] {
        let refused = m.handle_input(active(card).into(), at(1, 30));
        assert_eq!(refused, Err(Rejected::CardMismatch), "{card:?}");
        assert_eq!(m.phase(), BindingPhase::AwaitingCallback);
        assert!(done(&outputs(&mut m)).is_none());
    }
    // Before the confirmation too, nothing is kept.
    let mut early = awaiting_code(verification(819, 120));
    assert_eq!(
        early.handle_input(active(Some("427638******1025")).into(), at(0, 30)),
        Err(Rejected::CardMismatch)
    );
    assert_eq!(early.phase(), BindingPhase::AwaitingCode);
}

#[test]
fn a_check_sms_key_answer_for_another_card_fails_the_binding() {
    let mut m = awaiting_code(verification(819, 120));
    feed(&mut m, code(), at(1, 0));
    let mut answer = binding_payment(PaymentStatus::Succeeded);
    answer.card = Some(masked("427638******1025"));
    let out = feed(&mut m, Reply::CheckSmsKey(Ok(answer)), at(1, 1));
    assert!(
        matches!(failed(&out), Some(Failure::CardMismatch)),
        "{:?}",
        failed(&out)
    );
    assert_eq!(m.phase(), BindingPhase::Failed);
}

#[test]
fn a_lost_check_sms_key_answer_is_settled_by_a_status_check() {
    let mut m = awaiting_code(verification(819, 120));
    feed(&mut m, code(), at(1, 0));
    let out = feed(&mut m, Reply::CheckSmsKey(Err(timeout())), at(1, 5));
    assert_eq!(
        sent(&out),
        [Endpoint::PaymentStatus],
        "ask OCTO, do not guess"
    );
    let out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::Succeeded))),
        at(1, 6),
    );
    assert!(done(&out).is_none());
    assert_eq!(m.phase(), BindingPhase::AwaitingCallback);
    let out = feed(&mut m, active(Some(OUR_CARD)), at(1, 30));
    assert!(done(&out).is_some());
    assert_eq!(m.wrong_codes(), 0);
}

#[test]
fn a_lost_check_sms_key_answer_with_the_payment_still_open_asks_again() {
    let mut m = awaiting_code(verification(819, 120));
    feed(&mut m, code(), at(1, 0));
    feed(&mut m, Reply::CheckSmsKey(Err(timeout())), at(1, 5));
    let out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::Created))),
        at(1, 6),
    );
    assert!(out.iter().any(|o| matches!(o, Output::AskCode(_))));
    assert_eq!(m.phase(), BindingPhase::AwaitingCode);
    assert_eq!(m.wrong_codes(), 0);
}

#[test]
fn the_3ds_route_binds_only_once_a_status_check_confirms_the_payment() {
    let mut m = binding(PaymentMethod::BankCard);
    outputs(&mut m);
    let mut created = binding_payment(PaymentStatus::Created);
    created.octo_pay_url = Some("https://pay2.octo.uz/3ds/b-1".into());
    let out = feed(&mut m, Reply::BindCard(Ok(created)), at(0, 1));
    assert!(out.iter().any(|o| matches!(o, Output::Redirect(_))));
    assert_eq!(m.phase(), BindingPhase::AwaitingCallback);

    let out = feed(&mut m, active(Some(OUR_CARD)), at(2, 0));
    assert!(done(&out).is_none(), "bound on an unsigned callback alone");
    assert_eq!(sent(&out), [Endpoint::PaymentStatus]);
    // OCTO does not show it paid yet: wait, then ask again.
    let out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::WaitUserAction))),
        at(2, 1),
    );
    assert!(done(&out).is_none());
    let until = match out.last() {
        Some(Output::Wait(w)) => w.until.expect("a re-check is scheduled"),
        other => panic!("{other:?}"),
    };
    assert!(until > at(2, 1) && until <= at(10, 1));
    let out = feed(&mut m, Input::Timeout, until);
    assert_eq!(sent(&out), [Endpoint::PaymentStatus]);
    let mut paid = binding_payment(PaymentStatus::Succeeded);
    paid.card = Some(masked(OUR_CARD));
    let out = feed(&mut m, Reply::PaymentStatus(Ok(paid)), until);
    let card = done(&out).expect("bound once OCTO shows the payment through");
    assert_eq!(card.card_token.expose_secret(), "tok-secret");
}

#[test]
fn the_3ds_route_fails_when_octo_says_the_payment_failed() {
    let mut m = created(PaymentMethod::BankCard);
    feed(&mut m, active(Some(OUR_CARD)), at(2, 0));
    let out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::Canceled))),
        at(2, 1),
    );
    assert!(done(&out).is_none());
    assert!(failed(&out).is_some());
    assert_eq!(m.phase(), BindingPhase::Failed);
}

#[test]
fn the_3ds_route_without_a_confirmation_times_out() {
    let mut m = created(PaymentMethod::BankCard);
    feed(&mut m, active(Some(OUR_CARD)), at(2, 0));
    let mut now = at(2, 1);
    let mut checks = 0;
    let mut out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::Created))),
        now,
    );
    while !m.is_terminal() {
        let Some(Output::Wait(w)) = out.last() else {
            panic!("{:?}", out.last())
        };
        now = w.until.expect("a deadline");
        out = feed(&mut m, Input::Timeout, now);
        if sent(&out) == [Endpoint::PaymentStatus] {
            checks += 1;
            out = feed(
                &mut m,
                Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::Created))),
                now,
            );
        }
        assert!(checks < 100, "bounded");
    }
    assert!(matches!(failed(&out), Some(Failure::CallbackTimeout)));
    assert!(done(&out).is_none());
    assert!(now <= at(10, 2));
}

// ---- 4. check_pan carries OCTO's integer payment id ----

#[test]
fn a_resend_sends_octos_integer_payment_id() {
    let mut m = awaiting_code(with_id(verification(819, 120), 5520));
    assert_eq!(m.octo_payment_id(), Some(PaymentId(5520)));
    let out = feed(&mut m, Input::ResendCode, at(0, 30));
    let Some(Output::Send(Command::CheckPan(resend))) = out.first() else {
        panic!("{out:?}")
    };
    assert_eq!(resend.payment_id, PaymentId(5520));
    let request = Command::CheckPan(resend.clone())
        .build_request(&Config::new(1, "s"))
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(
        body["paymentId"],
        serde_json::json!(5520),
        "an integer, not the UUID"
    );
}

#[test]
fn the_payment_id_is_read_from_the_bind_card_answer_too() {
    let mut m = binding(PaymentMethod::Uzcard);
    outputs(&mut m);
    let mut created = binding_payment(PaymentStatus::Created);
    created.extra.insert("id".into(), serde_json::json!("5521"));
    feed(&mut m, Reply::BindCard(Ok(created)), at(0, 1));
    feed(
        &mut m,
        Reply::VerificationInfo(Ok(no_id(verification(819, 120)))),
        at(0, 2),
    );
    assert_eq!(m.octo_payment_id(), Some(PaymentId(5521)));
    let out = feed(&mut m, Input::ResendCode, at(0, 30));
    assert!(
        matches!(out.first(), Some(Output::Send(Command::CheckPan(c))) if c.payment_id == PaymentId(5521))
    );
}

#[test]
fn without_the_payment_id_a_resend_is_refused_and_not_offered() {
    let mut m = created(PaymentMethod::Uzcard);
    let out = feed(
        &mut m,
        Reply::VerificationInfo(Ok(no_id(verification(819, 120)))),
        at(0, 2),
    );
    let prompt = out
        .iter()
        .find_map(|o| match o {
            Output::AskCode(p) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert!(!prompt.can_resend, "a resend it cannot send is not offered");
    assert_eq!(m.octo_payment_id(), None);
    assert_eq!(
        m.handle_input(Input::ResendCode, at(0, 30)),
        Err(Rejected::PaymentIdUnknown)
    );
    assert!(sent(&outputs(&mut m)).is_empty(), "no wrong id goes out");
}

#[test]
fn a_resend_answer_may_bring_the_payment_id() {
    let mut m = awaiting_code(with_id(verification(819, 120), 5520));
    feed(&mut m, Input::ResendCode, at(0, 30));
    feed(
        &mut m,
        Reply::CheckPan(Ok(with_id(verification(820, 120), 5530))),
        at(0, 31),
    );
    assert_eq!(m.octo_payment_id(), Some(PaymentId(5530)));
}

// ---- 2. idempotency ----

#[test]
fn only_what_octo_deduplicates_or_only_reads_is_idempotent() {
    let idempotent = [
        (Endpoint::PreparePayment, true),
        (Endpoint::PaymentStatus, true),
        (Endpoint::Refund, true),
        (Endpoint::VerificationInfo, true),
        (Endpoint::FiscalData, true),
        (Endpoint::BindCard, false),
        (Endpoint::CheckPan, false),
        (Endpoint::CheckSmsKey, false),
        (Endpoint::PayWithToken, false),
        (Endpoint::SetAccept, false),
        (Endpoint::BlockCardToken, false),
    ];
    assert_eq!(idempotent.len(), Endpoint::ALL.len());
    for (endpoint, expected) in idempotent {
        assert_eq!(endpoint.is_idempotent(), expected, "{endpoint}");
    }
    let bind = Command::BindCard(bind_card(ID, PaymentMethod::Humo));
    assert!(
        !bind.is_idempotent(),
        "a retried bind_card meets error 20 and resends the card"
    );
}

// ---- 3. machines never resend on their own ----

#[test]
fn a_payment_machine_does_not_resend_prepare_payment_after_an_error() {
    let mut m = PaymentMachine::new(
        prepare("order-1", "1000.00"),
        PaymentParams::default(),
        at(0, 0),
    );
    assert_eq!(sent(&outputs(&mut m)), [Endpoint::PreparePayment]);
    let out = feed(&mut m, Reply::PreparePayment(Err(timeout())), at(0, 1));
    assert!(sent(&out).is_empty(), "the transport already retried");
    assert!(failed(&out).is_some());
}

#[test]
fn a_payment_machine_does_not_resend_a_refund_after_an_error() {
    let mut m = PaymentMachine::new(
        prepare("order-2", "1000.00"),
        PaymentParams::default(),
        at(0, 0),
    );
    outputs(&mut m);
    feed(
        &mut m,
        Reply::PreparePayment(Ok(payment(
            "order-2",
            "u-2",
            PaymentStatus::Succeeded,
            Some("1000.00"),
        ))),
        at(0, 1),
    );
    let out = feed(&mut m, refund("r-1", "100.00"), at(1, 0));
    assert_eq!(sent(&out), [Endpoint::Refund]);
    let out = feed(&mut m, Reply::Refund(Err(timeout())), at(1, 1));
    assert!(sent(&out).is_empty());
    assert!(failed(&out).is_some());
    // The caller may ask again with the same id: the same command goes out.
    let out = feed(&mut m, refund("r-1", "100.00"), at(2, 0));
    assert_eq!(sent(&out), [Endpoint::Refund]);
    let out = feed(
        &mut m,
        Reply::Refund(Ok(refund_result("u-2", RefundStatus::Succeeded))),
        at(2, 1),
    );
    assert!(out.iter().any(|o| matches!(o, Output::Done(_))));
}

#[test]
fn a_binding_machine_does_not_resend_after_an_error() {
    let mut m = binding(PaymentMethod::Humo);
    outputs(&mut m);
    let out = feed(&mut m, Reply::BindCard(Err(timeout())), at(0, 1));
    // bind_card is not sent again (error 20 would meet it): OCTO is asked
    // whether the binding exists.
    assert_eq!(sent(&out), [Endpoint::PaymentStatus]);
    let out = feed(&mut m, Reply::PaymentStatus(Err(timeout())), at(0, 2));
    assert!(sent(&out).is_empty());
    assert!(matches!(
        failed(&out),
        Some(Failure::Request {
            endpoint: Endpoint::BindCard,
            ..
        })
    ));

    // When it exists, the binding goes on from the status answer.
    let mut m = binding(PaymentMethod::Humo);
    outputs(&mut m);
    feed(&mut m, Reply::BindCard(Err(timeout())), at(0, 1));
    let out = feed(
        &mut m,
        Reply::PaymentStatus(Ok(binding_payment(PaymentStatus::Created))),
        at(0, 2),
    );
    assert_eq!(sent(&out), [Endpoint::VerificationInfo]);
    assert_eq!(m.octo_payment_uuid().map(|u| u.as_str()), Some("b-1"));

    let mut m = created(PaymentMethod::Humo);
    let out = feed(&mut m, Reply::VerificationInfo(Err(timeout())), at(0, 2));
    assert!(sent(&out).is_empty());
    assert!(failed(&out).is_some());
}

#[test]
fn a_token_machine_does_not_resend_a_block_but_a_repeated_block_settles_it() {
    let mut m = TokenMachine::active(ID.parse().unwrap(), CardToken::new("tok"));
    let out = feed(&mut m, Input::Block, at(0, 0));
    assert_eq!(sent(&out), [Endpoint::BlockCardToken]);
    let out = feed(&mut m, Reply::BlockCardToken(Err(timeout())), at(0, 1));
    assert!(sent(&out).is_empty(), "no resend of its own");
    assert!(failed(&out).is_some());
    assert_eq!(m.status(), &TokenStatus::Active);
    // The caller blocks again; error 6 means the lost attempt took effect.
    let out = feed(&mut m, Input::Block, at(1, 0));
    assert_eq!(sent(&out), [Endpoint::BlockCardToken]);
    let out = feed(
        &mut m,
        Reply::BlockCardToken(Err(octo_error(6, Endpoint::BlockCardToken))),
        at(1, 1),
    );
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Done(TokenStatus::Blocked)))
    );
    assert_eq!(m.status(), &TokenStatus::Blocked);
}
