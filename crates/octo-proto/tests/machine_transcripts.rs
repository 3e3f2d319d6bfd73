//! Golden transcripts: each flow, driven with canned answers, produces the
//! outputs a shop should see, in order. The expected lists were written
//! from the flows in `docs/flows/`, then the machines were made to match.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod machine_support;

use machine_support::*;
use octo_proto::machine::{
    BindingMachine, BindingParams, BoundCard, Input, Machine, PaymentMachine, PaymentNotice,
    PaymentParams, Rejected, Reply, TokenMachine, TokenNotice, TokenPaymentMachine,
};
use octo_proto::op::{Endpoint, SmsCode};
use octo_proto::{CardToken, MaskedPan, PaymentMethod, PaymentStatus, RefundStatus, TokenStatus};
use time::OffsetDateTime;

struct Script<M: Machine> {
    machine: M,
    lines: Vec<String>,
    outcome: fn(&M::Outcome) -> String,
}

impl<M: Machine> Script<M> {
    fn new(machine: M, outcome: fn(&M::Outcome) -> String) -> Self {
        let mut script = Self {
            machine,
            lines: Vec::new(),
            outcome,
        };
        script.drain();
        script
    }

    fn drain(&mut self) {
        let lines = drain(&mut self.machine, self.outcome);
        self.lines.extend(lines);
    }

    fn input(&mut self, input: impl Into<Input>, now: OffsetDateTime) {
        self.machine.handle_input(input.into(), now).unwrap();
        self.drain();
    }

    fn refused(&mut self, input: impl Into<Input>, now: OffsetDateTime) -> Rejected {
        let rejected = self.machine.handle_input(input.into(), now).unwrap_err();
        self.drain();
        rejected
    }

    fn check(&self, expected: &[&str]) {
        assert_eq!(self.lines, expected, "\n{}", self.lines.join("\n"));
    }

    /// Checks the lines: a flow's common start `head`, then `tail`.
    fn check_after<S: AsRef<str>>(&self, head: &[S], tail: &[&str]) {
        let expected: Vec<&str> = head
            .iter()
            .map(AsRef::as_ref)
            .chain(tail.iter().copied())
            .collect();
        self.check(&expected);
    }
}

fn bound(card: &BoundCard) -> String {
    let card_text = card
        .card
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();
    format!("bound {} {card_text}", card.shop_transaction_id)
}

/// A verified notification for payment `u-1` of `id`.
fn notice(id: &str, status: PaymentStatus, total: Option<&str>) -> PaymentNotice {
    signed_notice(id, "u-1", status, total)
}

/// OCTO's answer to a status check of payment `u-1` of `id`.
fn status_answer(id: &str, status: PaymentStatus, total: &str) -> Reply {
    Reply::PaymentStatus(Ok(payment(id, "u-1", status, Some(total))))
}

/// OCTO's answer to a refund of payment `u-1`.
fn refunded(status: RefundStatus) -> Reply {
    Reply::Refund(Ok(refund_result("u-1", status)))
}

fn paid_one_stage(id: &str, total: &str) -> Script<PaymentMachine> {
    let machine = PaymentMachine::new(prepare(id, total), PaymentParams::default(), at(0, 0));
    let mut s = Script::new(machine, payment_outcome);
    let created = payment(id, "u-1", PaymentStatus::Created, Some(total));
    s.input(Reply::PreparePayment(Ok(created)), at(0, 1));
    s.input(notice(id, PaymentStatus::Succeeded, Some(total)), at(3, 0));
    s.input(status_answer(id, PaymentStatus::Succeeded, total), at(3, 0));
    s
}

/// [`paid_one_stage`] of 1,000.00 under `id`, then the shop asks for a
/// refund `r-1` of 300.00.
fn refund_asked(id: &str) -> Script<PaymentMachine> {
    let mut s = paid_one_stage(id, "1000.00");
    s.input(refund("r-1", "300.00"), at(10, 0));
    s
}

/// The lines of [`paid_one_stage`] for `id`.
fn paid_lines(id: &str) -> Vec<String> {
    [
        format!("send prepare_payment {id}"),
        "wait reply prepare_payment".into(),
        "redirect https://pay2.octo.uz/pay/u-1".into(),
        "wait notification until 09:15:00".into(),
        format!("send payment_status {id}"),
        "wait reply payment_status".into(),
        "done succeeded total 1000.00 refunded 0".into(),
        "wait caller".into(),
    ]
    .to_vec()
}

fn held(id: &str) -> Script<PaymentMachine> {
    held_with(id, PaymentParams::default())
}

fn held_with(id: &str, params: PaymentParams) -> Script<PaymentMachine> {
    let machine = PaymentMachine::new(prepare(id, "1000.00").two_stage(), params, at(0, 0));
    let mut s = Script::new(machine, payment_outcome);
    let created = payment(id, "u-1", PaymentStatus::Created, Some("1000.00"));
    s.input(Reply::PreparePayment(Ok(created)), at(0, 1));
    s.input(
        notice(id, PaymentStatus::WaitingForCapture, Some("1000.00")),
        at(5, 0),
    );
    s.input(
        status_answer(id, PaymentStatus::WaitingForCapture, "1000.00"),
        at(5, 0),
    );
    s
}

/// The shop's capture of the hold, all of it or `final_amount`.
fn capture(final_amount: Option<&str>) -> Input {
    Input::Capture {
        final_amount: final_amount.map(dec),
    }
}

/// OCTO's answer to `set_accept` for the held payment of `held("order-2")`.
fn accepted(status: PaymentStatus) -> Reply {
    Reply::SetAccept(Ok(payment("order-2", "u-1", status, Some("1000.00"))))
}

const HELD: [&str; 8] = [
    "send prepare_payment order-2",
    "wait reply prepare_payment",
    "redirect https://pay2.octo.uz/pay/u-1",
    "wait notification until 09:15:00",
    "send payment_status order-2",
    "wait reply payment_status",
    // The hold counts from the last answer that showed none (09:00:01).
    "decide held 1000.00 until 09:30:01",
    "wait decision until 09:30:01",
];

#[test]
fn one_stage() {
    let s = paid_one_stage("order-1", "1000.00");
    s.check_after(&paid_lines("order-1"), &[]);
}

/// The amount in a notification is not signed: OCTO's answer decides.
#[test]
fn a_notification_is_a_hint_and_octo_has_the_amount() {
    let machine = PaymentMachine::new(
        prepare("order-h", "1000.00"),
        PaymentParams::default(),
        at(0, 0),
    );
    let mut s = Script::new(machine, payment_outcome);
    let created = payment("order-h", "u-1", PaymentStatus::Created, Some("1000.00"));
    s.input(Reply::PreparePayment(Ok(created)), at(0, 1));
    // A notification for another payment id is refused outright.
    let other = s.refused(
        signed_notice("order-h", "u-2", PaymentStatus::Succeeded, None),
        at(1, 0),
    );
    assert_eq!(other, Rejected::OtherTransaction);
    // "succeeded, 1.00": the machine asks; OCTO says it is not paid yet.
    s.input(
        notice("order-h", PaymentStatus::Succeeded, Some("1.00")),
        at(2, 0),
    );
    // The same notice again, while the check is out, adds nothing.
    s.input(
        notice("order-h", PaymentStatus::Succeeded, Some("1.00")),
        at(2, 0),
    );
    s.input(
        status_answer("order-h", PaymentStatus::Created, "1000.00"),
        at(2, 1),
    );
    // Later the customer comes back to return_url: check again.
    s.input(Input::CheckStatus, at(4, 0));
    s.input(
        status_answer("order-h", PaymentStatus::Succeeded, "1000.00"),
        at(4, 1),
    );
    // A notification naming what the machine knows sends nothing.
    s.input(
        notice("order-h", PaymentStatus::Succeeded, Some("5.00")),
        at(5, 0),
    );
    s.check(&[
        "send prepare_payment order-h",
        "wait reply prepare_payment",
        "redirect https://pay2.octo.uz/pay/u-1",
        "wait notification until 09:15:00",
        "wait notification until 09:15:00",
        "send payment_status order-h",
        "wait reply payment_status",
        "wait reply payment_status",
        "wait notification until 09:15:00",
        "send payment_status order-h",
        "wait reply payment_status",
        "done succeeded total 1000.00 refunded 0",
        "wait caller",
        "wait caller",
    ]);
}

/// A notification that comes while a command is out waits for its answer,
/// then, if that answer does not show the news, the machine checks.
#[test]
fn a_notification_during_a_refund_is_checked_after_it() {
    let mut s = refund_asked("order-r");
    s.input(
        notice("order-r", PaymentStatus::PartiallyRefunded, None),
        at(10, 0),
    );
    s.input(refunded(RefundStatus::Pending), at(10, 1));
    let mut partly = payment(
        "order-r",
        "u-1",
        PaymentStatus::PartiallyRefunded,
        Some("1000.00"),
    );
    partly.refunded_sum = Some(dec("300.00"));
    s.input(Reply::PaymentStatus(Ok(partly)), at(10, 2));
    // OCTO has not finished the refund: nothing is settled until it says
    // `succeeded` (the same refund asked again), however the sum reads.
    s.input(Input::Timeout, at(11, 2));
    s.input(refunded(RefundStatus::Succeeded), at(11, 3));
    s.check_after(
        &paid_lines("order-r"),
        &[
            "send refund r-1 300.00",
            "wait reply refund",
            "wait reply refund",
            "send payment_status order-r",
            "wait reply payment_status",
            "wait refund until 09:11:02",
            "send refund r-1 300.00",
            "wait reply refund",
            "done partially_refunded total 1000.00 refunded 300.00",
            "wait caller",
        ],
    );
}

/// The customer's return asks OCTO even with no notification at all.
#[test]
fn check_status_without_any_notification() {
    let machine = PaymentMachine::new(
        prepare("order-c", "1000.00").two_stage(),
        PaymentParams::default(),
        at(0, 0),
    );
    let mut s = Script::new(machine, payment_outcome);
    // While prepare_payment is out, its answer will tell.
    s.input(Input::CheckStatus, at(0, 0));
    let created = payment("order-c", "u-1", PaymentStatus::Created, Some("1000.00"));
    s.input(Reply::PreparePayment(Ok(created)), at(0, 1));
    s.input(
        status_answer("order-c", PaymentStatus::WaitingForCapture, "990.00"),
        at(0, 2),
    );
    s.check(&[
        "send prepare_payment order-c",
        "wait reply prepare_payment",
        "wait reply prepare_payment",
        "redirect https://pay2.octo.uz/pay/u-1",
        "send payment_status order-c",
        "wait reply payment_status",
        "decide held 990.00 until 09:30:01",
        "wait decision until 09:30:01",
    ]);
}

/// A full capture names the held amount as `final_amount` by default, and
/// leaves it out when the params say so.
#[test]
fn two_stage_full_capture() {
    let leave_out = PaymentParams {
        full_capture_sends_final_amount: false,
        ..PaymentParams::default()
    };
    for (params, send) in [
        (PaymentParams::default(), "send set_accept capture 1000.00"),
        (leave_out, "send set_accept capture"),
    ] {
        let mut s = held_with("order-2", params);
        s.input(capture(None), at(6, 0));
        s.input(accepted(PaymentStatus::Succeeded), at(6, 1));
        let done = "done succeeded total 1000.00 refunded 0";
        s.check_after(&HELD, &[send, "wait reply set_accept", done, "wait caller"]);
    }
}

#[test]
fn two_stage_partial_capture() {
    let mut s = held("order-2");
    // More than the hold is refused before anything is sent.
    let too_much = s.refused(capture(Some("1000.01")), at(6, 0));
    assert!(matches!(too_much, Rejected::Invalid(_)));
    s.input(capture(Some("800.00")), at(6, 0));
    // OCTO may still report the amount first held.
    s.input(accepted(PaymentStatus::Succeeded), at(6, 1));
    s.check_after(
        &HELD,
        &[
            "wait decision until 09:30:01",
            "send set_accept capture 800.00",
            "wait reply set_accept",
            "done succeeded total 800.00 refunded 0",
            "wait caller",
        ],
    );
}

#[test]
fn two_stage_cancel() {
    let mut s = held("order-2");
    s.input(Input::Cancel, at(6, 0));
    s.input(accepted(PaymentStatus::Canceled), at(6, 1));
    // A late succeeded notification cannot revive it.
    s.input(
        notice("order-2", PaymentStatus::Succeeded, Some("1000.00")),
        at(7, 0),
    );
    s.check_after(
        &HELD,
        &[
            "send set_accept cancel",
            "wait reply set_accept",
            "done canceled total 0 refunded 0",
            "wait nothing",
            "wait nothing",
        ],
    );
}

#[test]
fn partial_then_full_refund() {
    let mut s = refund_asked("order-5");
    s.input(refunded(RefundStatus::Succeeded), at(10, 1));
    // More than what is left is refused locally.
    let over = s.refused(refund("r-2", "700.01"), at(11, 0));
    assert!(matches!(over, Rejected::Invalid(_)));
    s.input(refund("r-2", "700.00"), at(11, 0));
    s.input(refunded(RefundStatus::Succeeded), at(11, 1));
    let after = s.refused(refund("r-3", "1"), at(12, 0));
    assert_eq!(after, Rejected::Finished);
    s.check_after(
        &paid_lines("order-5"),
        &[
            "send refund r-1 300.00",
            "wait reply refund",
            "done partially_refunded total 1000.00 refunded 300.00",
            "wait caller",
            "wait caller",
            "send refund r-2 700.00",
            "wait reply refund",
            "done refunded total 1000.00 refunded 1000.00",
            "wait nothing",
            "wait nothing",
        ],
    );
}

fn sms_binding(id: &str, seconds_left: u32) -> Script<BindingMachine> {
    let machine = BindingMachine::new(
        bind_card(id, PaymentMethod::Humo),
        BindingParams::default(),
        at(0, 0),
    );
    let mut s = Script::new(machine, bound);
    let created = payment(id, "b-1", PaymentStatus::Created, Some("1000"));
    s.input(Reply::BindCard(Ok(created)), at(0, 1));
    s.input(
        Reply::VerificationInfo(Ok(verification(819, seconds_left))),
        at(0, 2),
    );
    s
}

/// The lines of [`sms_binding`] for `id` with 120 seconds left, up to the
/// wait for the code.
fn sms_lines(id: &str) -> [String; 6] {
    [
        format!("send bind_card {id}"),
        "wait reply bind_card".into(),
        "send verification_info".into(),
        "wait reply verification_info".into(),
        "ask code +998** *****33 120s attempts 3 resend yes".into(),
        "wait code until 09:02:02".into(),
    ]
}

/// OCTO's callback for the card of `bind_card()`.
fn callback(id: &str, status: TokenStatus) -> TokenNotice {
    TokenNotice::new(id.parse().unwrap(), CardToken::new("tok-secret"), status)
        .with_card(MaskedPan::new("860031******4318").unwrap())
}

fn code(text: &str) -> SmsCode {
    SmsCode::new(text).unwrap()
}

#[test]
fn humo_binding() {
    let mut s = sms_binding("bind-1", 120);
    s.input(code("61135"), at(1, 0));
    let ok = payment("bind-1", "b-1", PaymentStatus::Succeeded, Some("1000"));
    s.input(Reply::CheckSmsKey(Ok(ok)), at(1, 1));
    s.input(callback("bind-1", TokenStatus::Active), at(1, 30));
    // OCTO retries its callback; the same answer is accepted again.
    s.input(callback("bind-1", TokenStatus::Active), at(1, 40));
    s.check_after(
        &sms_lines("bind-1"),
        &[
            "send check_sms_key 819",
            "wait reply check_sms_key",
            "wait tokenization until 09:11:01",
            "done bound bind-1 860031******4318",
            "wait nothing",
            "wait nothing",
        ],
    );
}

#[test]
fn visa_binding() {
    let machine = BindingMachine::new(
        bind_card("bind-2", PaymentMethod::BankCard),
        BindingParams::default(),
        at(0, 0),
    );
    let mut s = Script::new(machine, bound);
    let mut created = payment("bind-2", "b-2", PaymentStatus::Created, Some("1000"));
    created.octo_pay_url = Some("https://pay2.octo.uz/3ds/b-2".into());
    s.input(Reply::BindCard(Ok(created)), at(0, 1));
    let other = s.refused(callback("bind-9", TokenStatus::Active), at(2, 0));
    assert_eq!(other, Rejected::OtherTransaction);
    // The callback is unsigned: OCTO confirms the payment first.
    s.input(callback("bind-2", TokenStatus::Active), at(2, 0));
    let paid = payment("bind-2", "b-2", PaymentStatus::Succeeded, Some("1000"));
    s.input(Reply::PaymentStatus(Ok(paid)), at(2, 1));
    s.check(&[
        "send bind_card bind-2",
        "wait reply bind_card",
        "redirect https://pay2.octo.uz/3ds/b-2",
        "wait tokenization until 09:10:01",
        "wait tokenization until 09:10:01",
        "send payment_status bind-2",
        "wait reply payment_status",
        "done bound bind-2 860031******4318",
        "wait nothing",
    ]);
}

#[test]
fn token_payment_with_otp() {
    let machine = TokenPaymentMachine::new(
        prepare("order-8", "1000.00"),
        CardToken::new("tok-secret"),
        PaymentMethod::Uzcard,
        Some("client@mail.com".into()),
        PaymentParams::default(),
        at(0, 0),
    );
    let mut s = Script::new(machine, payment_outcome);
    let created = payment("order-8", "u-8", PaymentStatus::Created, Some("1000.00"));
    s.input(Reply::PreparePayment(Ok(created)), at(0, 1));
    let otp = token_payment(
        "u-8",
        PaymentStatus::Created,
        "1000.00",
        Some("https://pay2.octo.uz/uzcard/sms/u-8"),
    );
    s.input(Reply::PayWithToken(Ok(otp)), at(0, 2));
    s.input(
        signed_notice("order-8", "u-8", PaymentStatus::Succeeded, Some("1000.00")),
        at(2, 0),
    );
    let paid = payment("order-8", "u-8", PaymentStatus::Succeeded, Some("1000.00"));
    s.input(Reply::PaymentStatus(Ok(paid)), at(2, 1));
    s.check(&[
        "send prepare_payment order-8",
        "wait reply prepare_payment",
        "send pay_with_token u-8",
        "wait reply pay_with_token",
        "redirect https://pay2.octo.uz/uzcard/sms/u-8",
        "wait notification until 09:15:00",
        "send payment_status order-8",
        "wait reply payment_status",
        "done succeeded total 1000.00 refunded 0",
        "wait caller",
    ]);
}

#[test]
fn three_wrong_codes() {
    let mut s = sms_binding("bind-3", 120);
    for (i, typed) in ["11111", "22222", "33333"].into_iter().enumerate() {
        let t = at(1, i64::try_from(i).unwrap() * 10);
        s.input(code(typed), t);
        s.input(
            Reply::CheckSmsKey(Err(octo_error(-1, Endpoint::CheckSmsKey))),
            t,
        );
    }
    let late = s.refused(code("44444"), at(2, 0));
    assert_eq!(late, Rejected::Finished);
    s.check_after(
        &sms_lines("bind-3"),
        &[
            "send check_sms_key 819",
            "wait reply check_sms_key",
            "ask code +998** *****33 62s attempts 2 resend yes",
            "wait code until 09:02:02",
            "send check_sms_key 819",
            "wait reply check_sms_key",
            "ask code +998** *****33 52s attempts 1 resend yes",
            "wait code until 09:02:02",
            "send check_sms_key 819",
            "wait reply check_sms_key",
            "failed 3 wrong codes",
            "wait nothing",
            "wait nothing",
        ],
    );
}

#[test]
fn code_expiry_with_resend() {
    let mut s = sms_binding("bind-4", 60);
    // Before the deadline a timeout changes nothing.
    s.input(Input::Timeout, at(0, 30));
    s.input(Input::Timeout, at(1, 2));
    let expired = s.refused(code("61135"), at(1, 3));
    assert_eq!(expired, Rejected::CodeExpired);
    s.input(Input::ResendCode, at(1, 5));
    s.input(Reply::CheckPan(Ok(verification(820, 120))), at(1, 6));
    // The customer asks again: OCTO says no more (error 17).
    s.input(Input::ResendCode, at(1, 20));
    s.input(
        Reply::CheckPan(Err(octo_error(17, Endpoint::CheckPan))),
        at(1, 26),
    );
    s.input(code("61135"), at(1, 30));
    let ok = payment("bind-4", "b-1", PaymentStatus::Succeeded, Some("1000"));
    s.input(Reply::CheckSmsKey(Ok(ok)), at(1, 31));
    s.input(callback("bind-4", TokenStatus::Active), at(2, 0));
    s.check(&[
        "send bind_card bind-4",
        "wait reply bind_card",
        "send verification_info",
        "wait reply verification_info",
        "ask code +998** *****33 60s attempts 3 resend yes",
        "wait code until 09:01:02",
        "wait code until 09:01:02",
        "ask code +998** *****33 0s attempts 3 resend yes",
        "wait code",
        "wait code",
        "send check_pan",
        "wait reply check_pan",
        "ask code +998** *****33 120s attempts 3 resend yes",
        "wait code until 09:03:06",
        "send check_pan",
        "wait reply check_pan",
        "ask code +998** *****33 100s attempts 3 resend no",
        "wait code until 09:03:06",
        "send check_sms_key 820",
        "wait reply check_sms_key",
        "wait tokenization until 09:11:31",
        "done bound bind-4 860031******4318",
        "wait nothing",
    ]);
}

#[test]
fn token_issue_and_block() {
    let machine = TokenMachine::pending("bind-5".parse().unwrap());
    let mut s = Script::new(machine, |status: &TokenStatus| format!("token {status}"));
    let early = s.refused(Input::Block, at(0, 0));
    assert_eq!(early, Rejected::TokenNotActive(TokenStatus::Init));
    s.input(callback("bind-5", TokenStatus::Active), at(0, 10));
    s.input(Input::Block, at(5, 0));
    s.input(Reply::BlockCardToken(Ok(blocked())), at(5, 1));
    let again = s.refused(Input::Block, at(6, 0));
    assert_eq!(again, Rejected::Finished);
    s.check(&[
        "wait tokenization",
        "wait tokenization",
        "done token active",
        "wait caller",
        "send block_card_token",
        "wait reply block_card_token",
        "done token blocked",
        "wait nothing",
        "wait nothing",
    ]);
}

/// OCTO keeps one payment per `shop_transaction_id`: `prepare_payment`
/// under an id already used answers with the payment made first, whatever
/// amount was asked now. The machine took that answer as its own: an old
/// paid payment ended a new order as `Done(succeeded)` without the customer
/// paying, and a token charge went to the old payment. Another amount in
/// the answer ends the flow before anything else is sent or shown.
#[test]
fn an_id_already_used_for_another_amount_ends_the_flow() {
    for (status, token) in [
        (PaymentStatus::Succeeded, false),
        (PaymentStatus::Created, false),
        (PaymentStatus::Created, true),
    ] {
        let old = payment("order-9", "u-old", status.clone(), Some("250.00"));
        let lines = if token {
            let mut m = humo_token_payment("order-9", "1000.00");
            drain(&mut m, payment_outcome);
            m.handle_input(Reply::PreparePayment(Ok(old)).into(), at(0, 1))
                .unwrap();
            assert!(m.is_terminal());
            drain(&mut m, payment_outcome)
        } else {
            let mut m = PaymentMachine::new(
                prepare("order-9", "1000.00"),
                PaymentParams::default(),
                at(0, 0),
            );
            drain(&mut m, payment_outcome);
            m.handle_input(Reply::PreparePayment(Ok(old)).into(), at(0, 1))
                .unwrap();
            assert!(m.is_terminal());
            drain(&mut m, payment_outcome)
        };
        assert_eq!(
            lines,
            [
                "failed OCTO already has a payment under this shop_transaction_id, for 250.00: \
                 it answered with that one and made none",
                "wait nothing",
            ],
            "{status} token {token}"
        );
    }
    // The same amount (written with other decimals) is the same payment;
    // an amount in another currency may come back converted, so it is not
    // read as another payment.
    let mut usd = prepare("order-9", "1000.00");
    usd.currency = octo_proto::Currency::Usd;
    // And an amount sent with more decimals than the sum has may come back
    // rounded to the tiyin.
    for (op, answered) in [
        (prepare("order-9", "1000.00"), "1000"),
        (prepare("order-9", "1000.005"), "1000.01"),
        (usd, "12650000.00"),
    ] {
        let mut m = PaymentMachine::new(op, PaymentParams::default(), at(0, 0));
        drain(&mut m, payment_outcome);
        let same = payment("order-9", "u-9", PaymentStatus::Created, Some(answered));
        m.handle_input(Reply::PreparePayment(Ok(same)).into(), at(0, 1))
            .unwrap();
        assert!(!m.is_terminal(), "{answered}");
    }
}

/// Past the payment's ttl OCTO's pages say it can no longer be paid, but
/// not what its status becomes. A payment OCTO still shows unpaid then was
/// checked every minute for ever, with nothing for the shop: a run never
/// returned. It is reported once (`Failed(Expired)`, a run ends there) and
/// still watched, in case OCTO moves it after all.
#[test]
fn a_payment_unpaid_past_its_ttl_is_reported_once_and_still_watched() {
    for still in [PaymentStatus::Created, PaymentStatus::WaitUserAction] {
        let mut m = PaymentMachine::new(
            prepare("order-e", "1000.00"),
            PaymentParams::default(),
            at(0, 0),
        );
        drain(&mut m, payment_outcome);
        let created = payment("order-e", "u-e", PaymentStatus::Created, Some("1000.00"));
        m.handle_input(Reply::PreparePayment(Ok(created)).into(), at(0, 1))
            .unwrap();
        drain(&mut m, payment_outcome);
        let mut reports = 0;
        for minute in 15..20 {
            m.handle_input(Input::Timeout, at(minute, 0)).unwrap();
            let sent = drain(&mut m, payment_outcome);
            assert_eq!(sent[0], "send payment_status order-e", "{sent:?}");
            let answer = payment("order-e", "u-e", still.clone(), Some("1000.00"));
            m.handle_input(Reply::PaymentStatus(Ok(answer)).into(), at(minute, 0))
                .unwrap();
            let lines = drain(&mut m, payment_outcome);
            reports += lines
                .iter()
                .filter(|l| l.starts_with("failed the payment's time ran out"))
                .count();
            assert!(!m.is_terminal());
        }
        assert_eq!(reports, 1, "{still}");
        // OCTO moves it after all: the machine still sees it through.
        m.handle_input(Input::Timeout, at(20, 0)).unwrap();
        drain(&mut m, payment_outcome);
        let paid = payment("order-e", "u-e", PaymentStatus::Succeeded, Some("1000.00"));
        m.handle_input(Reply::PaymentStatus(Ok(paid)).into(), at(20, 0))
            .unwrap();
        assert_eq!(
            drain(&mut m, payment_outcome)[0],
            "done succeeded total 1000.00 refunded 0"
        );
    }
}
