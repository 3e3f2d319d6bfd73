//! Properties of the machines under random inputs: duplicated, reordered
//! and stale notifications and replies, random answers from OCTO, random
//! jumps of `now`. A small reference model runs beside each machine and
//! the invariants are checked after every step.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use std::collections::{HashMap, HashSet};

use machine_support::*;
use octo_proto::machine::{
    BindingMachine, BindingParams, BindingPhase, Command, Failure, Input, Machine, Output,
    PaymentMachine, PaymentNotice, PaymentOutcome, PaymentParams, PaymentPhase, Rejected, Reply,
    TokenMachine, TokenNotice, TokenPaymentMachine,
};
use octo_proto::op::{Endpoint, SmsCode};
use octo_proto::{CardToken, PaymentMethod, PaymentStatus, RefundStatus, TokenStatus};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;

const CASES: u32 = 1000;
const TOTAL: &str = "1000.00";

fn rank(status: &PaymentStatus) -> u8 {
    match status {
        PaymentStatus::Created => 0,
        PaymentStatus::WaitUserAction | PaymentStatus::WaitingPay => 1,
        PaymentStatus::WaitingForCapture => 2,
        PaymentStatus::Succeeded => 3,
        PaymentStatus::PartiallyRefunded => 4,
        _ => 5,
    }
}

/// The status at `index` among the ten, each spelled once.
fn status(index: usize) -> PaymentStatus {
    let once = &STATUSES[..10];
    PaymentStatus::parse(once[index % once.len()])
}

/// How the fake OCTO answers the outstanding command.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Ok(usize),
    Unknown,
    Refused,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        6 => (0..10usize).prop_map(Answer::Ok),
        2 => Just(Answer::Unknown),
        1 => Just(Answer::Refused),
    ]
}

#[derive(Debug, Clone)]
enum PayStep {
    Notice {
        status: usize,
        other: bool,
    },
    RepeatNotice,
    Answer(Answer),
    StaleReply(usize),
    Capture(Option<u8>),
    Cancel,
    Refund {
        id: u8,
        percent: u8,
    },
    /// The last refund handed in again: the same id and amount.
    RepeatRefund,
    Timeout(u32),
}

fn pay_step() -> impl Strategy<Value = PayStep> {
    prop_oneof![
        3 => (0..10usize, prop::bool::weighted(0.1))
            .prop_map(|(status, other)| PayStep::Notice { status, other }),
        1 => Just(PayStep::RepeatNotice),
        5 => answer().prop_map(PayStep::Answer),
        1 => (0..4usize).prop_map(PayStep::StaleReply),
        1 => prop::option::of(1..=110u8).prop_map(PayStep::Capture),
        1 => Just(PayStep::Cancel),
        2 => (0..4u8, 1..=110u8).prop_map(|(id, percent)| PayStep::Refund { id, percent }),
        3 => Just(PayStep::RepeatRefund),
        2 => (0..4000u32).prop_map(PayStep::Timeout),
    ]
}

fn percent_of(total: Decimal, percent: u8) -> Decimal {
    (total * Decimal::from(percent) / Decimal::from(100)).round_dp(2)
}

const ID: &str = "order-p";
const UUID: &str = "u-p";

/// The reference model: what may be true, from the inputs alone.
#[derive(Debug, Default)]
struct PayModel {
    rank: u8,
    terminal: Option<String>,
    succeeded: bool,
    refunds: HashMap<String, (Decimal, RefundState)>,
    /// Refunds a call of which ended with an unknown outcome: they may
    /// have been made, so only OCTO's answer `canceled`/`error` frees them.
    doubted: HashSet<String>,
    reported_full: bool,
    decision: Option<Command>,
    held: Option<Decimal>,
}

impl PayModel {
    fn refunded(&self, total: Decimal) -> Decimal {
        if self.reported_full {
            return total;
        }
        self.refunds
            .values()
            .filter(|(_, state)| *state == RefundState::Refunded)
            .map(|(amount, _)| *amount)
            .sum()
    }
}

/// Where a refund stands in the model: only `Refunded` counts as money
/// back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefundState {
    /// Sent, no answer yet (or its outcome unknown).
    Doubt,
    /// OCTO took it and has not finished (`pending`).
    Open,
    /// OCTO said `succeeded`.
    Refunded,
    /// OCTO refused it.
    Refused,
}

struct PayHarness<M> {
    machine: M,
    view: fn(&M) -> &PaymentMachine,
    now: OffsetDateTime,
    outstanding: Option<Command>,
    last_notice: Option<PaymentNotice>,
    /// The last refund handed in: its id and amount.
    last_refund: Option<(String, Decimal)>,
    model: PayModel,
}

impl<M: Machine<Outcome = PaymentOutcome> + std::fmt::Debug> PayHarness<M> {
    fn payment(&self) -> &PaymentMachine {
        (self.view)(&self.machine)
    }

    /// Held, known to OCTO's id, and nothing but a status check under way.
    fn can_decide(&self) -> bool {
        self.payment().phase() == PaymentPhase::Held
            && self.payment().octo_payment_uuid().is_some()
            && self
                .outstanding
                .as_ref()
                .is_none_or(|c| matches!(c, Command::PaymentStatus(_)))
    }

    fn drain(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let output = self.machine.poll_output();
            let line = describe(&output, payment_outcome);
            match output {
                Output::Send(command) => self.check_command(command),
                Output::Decide(hold) => self.model.held = Some(hold.amount),
                // A decision OCTO refused changed nothing: the next one
                // may differ.
                Output::Failed(Failure::Request {
                    endpoint: Endpoint::SetAccept,
                    error,
                }) if error.is_refusal() => self.model.decision = None,
                Output::Wait(_) => {
                    lines.push(line);
                    return lines;
                }
                // Settled means settled: no refund OCTO took is open,
                // unless OCTO said the whole payment is refunded.
                Output::Done(outcome) => assert!(
                    outcome.refunds.iter().all(|r| !r.is_open())
                        || outcome.refunded_sum == outcome.total_sum,
                    "done with a refund open: {line}"
                ),
                _ => {}
            }
            lines.push(line);
        }
    }

    fn check_command(&mut self, command: Command) {
        let phase = self.payment().phase();
        assert!(
            self.model.terminal.is_none(),
            "a command after the end: {command:?}"
        );
        match &command {
            Command::PreparePayment(p) => assert_eq!(p.shop_transaction_id.as_str(), ID),
            Command::PaymentStatus(p) => assert_eq!(p.shop_transaction_id.as_str(), ID),
            Command::PayWithToken(p) => {
                assert_eq!(phase, PaymentPhase::Paying);
                assert_eq!(p.octo_payment_uuid.as_str(), UUID);
            }
            Command::SetAccept(s) => {
                assert_eq!(phase, PaymentPhase::Deciding, "set_accept while {phase:?}");
                let held = self.payment().held_sum().unwrap();
                assert!(
                    s.final_amount
                        .is_none_or(|a| a > Decimal::ZERO && a <= held)
                );
                // Every retry of the decision is the very same command.
                let first = self.model.decision.get_or_insert_with(|| command.clone());
                assert_eq!(first, &command);
            }
            Command::Refund(r) => {
                assert_eq!(phase, PaymentPhase::Succeeded, "refund while {phase:?}");
                assert!(r.amount > Decimal::ZERO);
                let first = self
                    .model
                    .refunds
                    .entry(r.shop_refund_id.to_string())
                    .or_insert((r.amount, RefundState::Doubt));
                assert_eq!(first.0, r.amount, "one key, one amount");
            }
            other => panic!("a payment sent {other:?}"),
        }
        self.outstanding = Some(command);
    }

    fn reply(&self, command: &Command, answer: Answer) -> Reply {
        let fail = |endpoint| match answer {
            Answer::Refused => octo_error(2, endpoint),
            _ => timeout(),
        };
        match (command, answer) {
            (Command::PreparePayment(_), Answer::Ok(i)) => {
                // A fresh payment, or one that exists already.
                let s = pick(&[0, 0, 0, 3, 4, 7], i);
                Reply::PreparePayment(Ok(payment(ID, UUID, status(s), Some(TOTAL))))
            }
            (Command::PaymentStatus(_), Answer::Ok(i)) => {
                Reply::PaymentStatus(Ok(payment(ID, UUID, status(i), Some(TOTAL))))
            }
            (Command::SetAccept(_), Answer::Ok(i)) => {
                let s = pick(&[3, 4, 7, 4], i);
                Reply::SetAccept(Ok(payment(ID, UUID, status(s), Some(TOTAL))))
            }
            (Command::PayWithToken(_), Answer::Ok(i)) => {
                let s = pick(&[0, 0, 3, 4, 7], i);
                let url = (i % 2 == 0).then_some("https://pay2.octo.uz/uzcard/sms/u-p");
                Reply::PayWithToken(Ok(token_payment(UUID, status(s), TOTAL, url)))
            }
            (Command::Refund(_), Answer::Ok(i)) => {
                use RefundStatus::{Canceled, Error, Pending, Succeeded};
                let s = pick(&[Succeeded, Pending, Canceled, Error], i);
                Reply::Refund(Ok(refund_result(UUID, s)))
            }
            (c, _) => c.fail(fail(c.endpoint())),
        }
    }

    fn record_refund_answer(&mut self, command: &Command, reply: &Reply) {
        if let (Command::Refund(r), Reply::Refund(Ok(result))) = (command, reply) {
            let id = r.shop_refund_id.as_str();
            let doubted = self.model.doubted.contains(id);
            if let Some(entry) = self.model.refunds.get_mut(id) {
                let state = match result.status {
                    RefundStatus::Succeeded => RefundState::Refunded,
                    // The answer to a resend of a refund never answered
                    // whose earlier call ended in doubt: maybe OCTO's answer
                    // to the duplicate, so still in doubt.
                    RefundStatus::Canceled | RefundStatus::Error
                        if doubted && entry.1 == RefundState::Doubt =>
                    {
                        RefundState::Doubt
                    }
                    RefundStatus::Canceled | RefundStatus::Error => RefundState::Refused,
                    _ => RefundState::Open,
                };
                entry.1 = state;
            }
        }
        // A refusal of a refund OCTO had already taken refuses only the
        // repeat: the refund stays open. One whose earlier call ended in
        // doubt may have been made: the refusal frees nothing either.
        if let (Command::Refund(r), Reply::Refund(Err(e))) = (command, reply) {
            let id = r.shop_refund_id.as_str();
            if !e.is_refusal() {
                self.model.doubted.insert(id.to_owned());
            }
            if e.is_refusal()
                && !self.model.doubted.contains(id)
                && let Some(entry) = self.model.refunds.get_mut(id)
                && entry.1 != RefundState::Open
            {
                entry.1 = RefundState::Refused;
            }
        }
    }

    fn step(&mut self, step: PayStep) {
        let before = format!("{:?}", self.machine);
        let was_terminal = self.machine.is_terminal();
        match step {
            PayStep::Notice { status: s, other } => {
                let id = if other { "order-x" } else { ID };
                let notice = signed_notice(id, UUID, status(s), Some(TOTAL));
                let result = self
                    .machine
                    .handle_input(Input::Notification(notice.clone()), self.now);
                if other {
                    assert_eq!(result, Err(Rejected::OtherTransaction));
                } else {
                    result.unwrap();
                    self.last_notice = Some(notice);
                }
            }
            PayStep::RepeatNotice => {
                if let Some(notice) = self.last_notice.clone() {
                    // A duplicate settles nothing and moves no money; at
                    // most it asks OCTO again.
                    self.drain();
                    let outcome = self.payment().outcome();
                    let phase = self.payment().phase();
                    self.machine
                        .handle_input(Input::Notification(notice), self.now)
                        .unwrap();
                    let lines = self.drain();
                    assert!(lines.len() <= 2, "a duplicate produced {lines:?}");
                    if let [first, _] = lines.as_slice() {
                        assert!(first.starts_with("send payment_status"), "{lines:?}");
                    }
                    assert_eq!(outcome, self.payment().outcome());
                    assert_eq!(phase, self.payment().phase());
                }
            }
            PayStep::Answer(answer) => {
                if let Some(command) = self.outstanding.take() {
                    let reply = self.reply(&command, answer);
                    self.record_refund_answer(&command, &reply);
                    // OCTO said the whole payment is refunded: the machine
                    // reports it so even while a refund of its own is open.
                    let says_refunded = match &reply {
                        Reply::PreparePayment(Ok(p))
                        | Reply::PaymentStatus(Ok(p))
                        | Reply::SetAccept(Ok(p)) => p.status == PaymentStatus::Refunded,
                        Reply::PayWithToken(Ok(p)) => p.status == PaymentStatus::Refunded,
                        _ => false,
                    };
                    if says_refunded && !was_terminal {
                        self.model.reported_full = true;
                    }
                    let result = self.machine.handle_input(Input::Reply(reply), self.now);
                    if !was_terminal {
                        result.unwrap();
                    }
                }
            }
            PayStep::StaleReply(i) => {
                let stale = [
                    Reply::SetAccept(Err(timeout())),
                    Reply::Refund(Err(timeout())),
                    Reply::PaymentStatus(Err(timeout())),
                    Reply::PreparePayment(Err(timeout())),
                ];
                let reply = stale.into_iter().nth(i).unwrap();
                let expected = self.outstanding.as_ref().map(Command::endpoint);
                if expected != Some(reply.endpoint()) {
                    let result = self.machine.handle_input(Input::Reply(reply), self.now);
                    assert!(result.is_err());
                    assert_eq!(before, format!("{:?}", self.machine));
                }
            }
            PayStep::Capture(percent) => {
                let final_amount = percent.map(|p| percent_of(dec(TOTAL), p));
                let allowed = self.can_decide()
                    && final_amount
                        .is_none_or(|a| a > Decimal::ZERO && Some(a) <= self.payment().held_sum());
                let result = self
                    .machine
                    .handle_input(Input::Capture { final_amount }, self.now);
                assert_eq!(
                    result.is_ok(),
                    allowed,
                    "capture {final_amount:?}: {result:?}"
                );
            }
            PayStep::Cancel => {
                let allowed = self.can_decide();
                let result = self.machine.handle_input(Input::Cancel, self.now);
                assert_eq!(result.is_ok(), allowed);
            }
            PayStep::RepeatRefund => {
                if let Some((id, amount)) = self.last_refund.clone() {
                    let input = Input::Refund {
                        shop_refund_id: id.parse().unwrap(),
                        amount,
                    };
                    let _ = self.machine.handle_input(input, self.now);
                }
            }
            PayStep::Refund { id, percent } => {
                let amount = percent_of(self.payment().total_sum().max(dec("1")), percent);
                self.last_refund = Some((format!("r-{id}"), amount));
                let input = Input::Refund {
                    shop_refund_id: format!("r-{id}").parse().unwrap(),
                    amount,
                };
                let phase = self.payment().phase();
                let result = self.machine.handle_input(input, self.now);
                if phase != PaymentPhase::Succeeded {
                    assert!(result.is_err(), "refund while {phase:?}");
                }
            }
            PayStep::Timeout(seconds) => {
                self.now += time::Duration::seconds(i64::from(seconds));
                self.machine.handle_input(Input::Timeout, self.now).unwrap();
            }
        }
        self.drain();
        self.check(was_terminal, &before);
    }

    fn check(&mut self, was_terminal: bool, before: &str) {
        let p = (self.view)(&self.machine);
        let total = dec(TOTAL);
        // Terminal states absorb.
        if was_terminal {
            assert_eq!(
                before,
                format!("{:?}", self.machine),
                "a terminal state moved"
            );
        }
        // Status never regresses.
        let rank_now = rank(p.status());
        assert!(
            rank_now >= self.model.rank,
            "status went back to {}",
            p.status()
        );
        self.model.rank = rank_now;
        if p.phase() == PaymentPhase::Succeeded || p.status().is_paid() {
            self.model.succeeded = true;
        }
        if *p.status() == PaymentStatus::Refunded {
            self.model.reported_full = true;
            assert_eq!(p.refunded_sum(), p.total_sum());
        }
        // Money: exact, and never more than was taken.
        assert!(p.total_sum() <= total);
        assert!(p.refunded_sum() <= p.total_sum());
        let committed: Decimal = p
            .refunds()
            .iter()
            .filter(|r| !r.is_refused())
            .map(|r| r.amount)
            .sum();
        assert!(
            committed <= p.total_sum(),
            "refunds {committed} > {}",
            p.total_sum()
        );
        if self.model.succeeded && !self.model.reported_full {
            assert_eq!(p.refunded_sum(), self.model.refunded(p.total_sum()));
        }
        // A refund is freed only when the model says OCTO refused it: never
        // one in doubt (an earlier call may have made it) or open.
        for r in p.refunds() {
            let id = r.shop_refund_id.as_str();
            if r.is_refused() {
                assert_eq!(
                    self.model.refunds.get(id).map(|e| e.1),
                    Some(RefundState::Refused),
                    "refund {id} in doubt was freed by a refusal"
                );
            }
        }
        // A refund OCTO has not finished never ends the payment, unless
        // OCTO said all of it is refunded.
        if p.phase() == PaymentPhase::Refunded && p.has_open_refunds() {
            assert_eq!(
                p.refunded_sum(),
                p.total_sum(),
                "refunded with a refund open"
            );
        }
        if let Some(held) = self.model.held {
            assert!(held <= total);
        }
        if self.machine.is_terminal() && self.model.terminal.is_none() {
            self.model.terminal = Some(format!("{:?}", p.phase()));
        }
    }
}

fn run_payment<M: Machine<Outcome = PaymentOutcome> + std::fmt::Debug>(
    machine: M,
    view: fn(&M) -> &PaymentMachine,
    steps: Vec<PayStep>,
) {
    let mut h = PayHarness {
        machine,
        view,
        now: T0,
        outstanding: None,
        last_notice: None,
        last_refund: None,
        model: PayModel::default(),
    };
    h.drain();
    for step in steps {
        h.step(step);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn payment_invariants(two_stage in any::<bool>(), steps in prop::collection::vec(pay_step(), 1..40)) {
        let mut prepared = prepare(ID, TOTAL);
        if two_stage {
            prepared = prepared.two_stage();
        }
        let machine = PaymentMachine::new(prepared, PaymentParams::default(), T0);
        run_payment(machine, |m| m, steps);
    }

    #[test]
    fn token_payment_invariants(steps in prop::collection::vec(pay_step(), 1..40)) {
        let machine = humo_token_payment(ID, TOTAL);
        run_payment(machine, TokenPaymentMachine::payment, steps);
    }
}

#[derive(Debug, Clone)]
enum BindStep {
    Answer(Answer, u32),
    Code,
    Resend,
    Callback { other: bool, status: u8 },
    Timeout(u32),
    StaleReply,
}

fn bind_step() -> impl Strategy<Value = BindStep> {
    prop_oneof![
        5 => (answer(), prop_oneof![Just(0u32), 1..300u32]).prop_map(|(a, s)| BindStep::Answer(a, s)),
        3 => Just(BindStep::Code),
        1 => Just(BindStep::Resend),
        1 => (prop::bool::weighted(0.3), 0..4u8)
            .prop_map(|(other, status)| BindStep::Callback { other, status }),
        2 => (0..400u32).prop_map(BindStep::Timeout),
        1 => Just(BindStep::StaleReply),
    ]
}

const BIND_ID: &str = "bind-p";

/// The answer that `i` picks out of `answers`, round and round.
fn pick<T: Clone>(answers: &[T], i: usize) -> T {
    answers[i % answers.len()].clone()
}

fn token_status(i: u8) -> TokenStatus {
    use TokenStatus::{Active, Failed, Init};
    pick(&[Active, Failed, Init, Active], usize::from(i))
}

fn bind_reply(command: &Command, answer: Answer, seconds: u32) -> Reply {
    match (command, answer) {
        (Command::BindCard(_), Answer::Ok(_)) => Reply::BindCard(Ok(payment(
            BIND_ID,
            "b-p",
            PaymentStatus::Created,
            Some("1000"),
        ))),
        (Command::VerificationInfo(_), Answer::Ok(_)) => {
            Reply::VerificationInfo(Ok(verification(819, seconds)))
        }
        (Command::CheckPan(_), Answer::Ok(_)) => Reply::CheckPan(Ok(verification(820, seconds))),
        (Command::CheckPan(_), Answer::Refused) => {
            Reply::CheckPan(Err(octo_error(17, Endpoint::CheckPan)))
        }
        (Command::PaymentStatus(_), Answer::Ok(i)) => {
            use PaymentStatus::{Canceled, Created, Refunded, Succeeded, WaitUserAction};
            let status = pick(&[Created, Succeeded, WaitUserAction, Refunded, Canceled], i);
            Reply::PaymentStatus(Ok(payment(BIND_ID, "b-p", status, Some("1000"))))
        }
        (Command::CheckSmsKey(_), Answer::Ok(_)) => Reply::CheckSmsKey(Ok(payment(
            BIND_ID,
            "b-p",
            PaymentStatus::Succeeded,
            Some("1000"),
        ))),
        (c, Answer::Refused) => c.fail(octo_error(-1, c.endpoint())),
        (c, _) => c.fail(timeout()),
    }
}

fn run_binding(method: PaymentMethod, steps: Vec<BindStep>) {
    let params = BindingParams::default();
    let mut m = BindingMachine::new(bind_card(BIND_ID, method.clone()), params, T0);
    let mut now = T0;
    let mut outstanding: Option<Command> = None;
    let mut wrong = 0u32;
    let mut resends_over = false;
    let mut done = 0;
    let mut active_seen = false;
    // OCTO confirmed the card: check_sms_key answered, or a status check
    // showed the binding payment paid. The callback alone never binds.
    let mut octo_confirmed = false;
    let drain = |m: &mut BindingMachine, outstanding: &mut Option<Command>, done: &mut u32| {
        loop {
            match m.poll_output() {
                Output::Send(c) => {
                    assert!(!m.is_terminal());
                    *outstanding = Some(c);
                }
                Output::Done(card) => {
                    *done += 1;
                    assert_eq!(card.shop_transaction_id.as_str(), BIND_ID);
                }
                Output::Wait(_) => return,
                _ => {}
            }
        }
    };
    drain(&mut m, &mut outstanding, &mut done);
    for step in steps {
        let before = format!("{m:?}");
        let was_terminal = m.is_terminal();
        let phase = m.phase();
        match step {
            BindStep::Answer(answer, seconds) => {
                if let Some(c) = outstanding.take() {
                    if matches!(c, Command::CheckPan(_)) && matches!(answer, Answer::Refused) {
                        resends_over = true;
                    }
                    if matches!(c, Command::CheckSmsKey(_))
                        && matches!(answer, Answer::Refused)
                        && !was_terminal
                    {
                        wrong += 1;
                    }
                    let confirms = match (&c, &answer) {
                        (Command::CheckSmsKey(_), Answer::Ok(_)) => true,
                        (Command::PaymentStatus(_), Answer::Ok(i)) => matches!(i % 5, 1 | 3),
                        _ => false,
                    };
                    let result = m.handle_input(Input::Reply(bind_reply(&c, answer, seconds)), now);
                    if confirms && !was_terminal {
                        octo_confirmed = true;
                    }
                    assert_eq!(result.is_ok(), !was_terminal);
                }
            }
            BindStep::Code => {
                let result = m.handle_input(Input::Code(SmsCode::new("61135").unwrap()), now);
                if phase != BindingPhase::AwaitingCode {
                    assert!(result.is_err());
                }
            }
            BindStep::Resend => {
                let result = m.handle_input(Input::ResendCode, now);
                if resends_over || phase != BindingPhase::AwaitingCode {
                    assert!(result.is_err(), "a resend after error 17 or out of turn");
                }
            }
            BindStep::Callback { other, status } => {
                let id = if other { "bind-x" } else { BIND_ID };
                let status = token_status(status);
                // The card of `bind_card()`.
                let card = octo_proto::MaskedPan::new("860031******4318").unwrap();
                let notice =
                    TokenNotice::new(id.parse().unwrap(), CardToken::new("tok"), status.clone())
                        .with_card(card);
                let result = m.handle_input(Input::Tokenization(notice), now);
                if other {
                    assert_eq!(result, Err(Rejected::OtherTransaction));
                } else if status == TokenStatus::Active && !was_terminal {
                    active_seen = true;
                }
            }
            BindStep::Timeout(seconds) => {
                now += time::Duration::seconds(i64::from(seconds));
                m.handle_input(Input::Timeout, now).unwrap();
            }
            BindStep::StaleReply => {
                let reply = Reply::BlockCardToken(Err(timeout()));
                assert!(m.handle_input(Input::Reply(reply), now).is_err());
            }
        }
        drain(&mut m, &mut outstanding, &mut done);
        if was_terminal {
            assert_eq!(before, format!("{m:?}"), "a terminal state moved");
        }
        assert_eq!(m.wrong_codes(), wrong.min(params.max_wrong_codes));
        assert!(m.wrong_codes() <= params.max_wrong_codes);
        if wrong >= params.max_wrong_codes && !active_seen {
            assert_eq!(m.phase(), BindingPhase::Failed);
        }
        assert!(done <= 1, "done twice");
        assert_eq!(done == 1, m.phase() == BindingPhase::Bound);
        if m.phase() == BindingPhase::Bound {
            assert!(active_seen);
            assert!(octo_confirmed, "bound without OCTO's confirmation");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn binding_invariants(sms in any::<bool>(), steps in prop::collection::vec(bind_step(), 1..40)) {
        let method = if sms { PaymentMethod::Uzcard } else { PaymentMethod::BankCard };
        run_binding(method, steps);
    }
}

#[derive(Debug, Clone)]
enum TokenStep {
    Callback { other: bool, status: u8 },
    Block,
    Answer(Answer),
    Stale,
}

fn token_step() -> impl Strategy<Value = TokenStep> {
    prop_oneof![
        2 => (prop::bool::weighted(0.2), 0..4u8)
            .prop_map(|(other, status)| TokenStep::Callback { other, status }),
        2 => Just(TokenStep::Block),
        3 => answer().prop_map(TokenStep::Answer),
        1 => Just(TokenStep::Stale),
    ]
}

fn token_rank(status: &TokenStatus) -> u8 {
    match status {
        TokenStatus::Init => 0,
        TokenStatus::Active => 1,
        _ => 2,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn token_invariants(steps in prop::collection::vec(token_step(), 1..40)) {
        let mut m = TokenMachine::pending("bind-t".parse().unwrap());
        // The reference model: the status the inputs allow.
        let mut model = TokenStatus::Init;
        let mut outstanding: Option<Command> = None;
        let mut in_doubt = false;
        let mut rank_before = 0;
        for step in steps {
            let before = format!("{m:?}");
            let was_terminal = m.is_terminal();
            match step {
                TokenStep::Callback { other, status } => {
                    let id = if other { "bind-x" } else { "bind-t" };
                    let status = token_status(status);
                    let notice =
                        TokenNotice::new(id.parse().unwrap(), CardToken::new("tok"), status.clone());
                    let result = m.handle_input(Input::Tokenization(notice), T0);
                    if other {
                        prop_assert_eq!(result, Err(Rejected::OtherTransaction));
                    } else if model == TokenStatus::Init
                        && matches!(status, TokenStatus::Active | TokenStatus::Failed)
                    {
                        model = status;
                    }
                }
                TokenStep::Block => {
                    let result = m.handle_input(Input::Block, T0);
                    if model != TokenStatus::Active {
                        prop_assert!(result.is_err(), "a block of a {} token", model);
                    }
                    if outstanding.is_some() {
                        prop_assert!(matches!(result, Err(Rejected::Busy(_))));
                    }
                }
                TokenStep::Answer(answer) => {
                    if let Some(c) = outstanding.take() {
                        let reply = match answer {
                            Answer::Ok(_) => Reply::BlockCardToken(Ok(blocked())),
                            Answer::Refused => {
                                Reply::BlockCardToken(Err(octo_error(6, Endpoint::BlockCardToken)))
                            }
                            Answer::Unknown => c.fail(timeout()),
                        };
                        match answer {
                            Answer::Ok(_) => model = TokenStatus::Blocked,
                            Answer::Refused if in_doubt => model = TokenStatus::Blocked,
                            Answer::Unknown => in_doubt = true,
                            Answer::Refused => {}
                        }
                        m.handle_input(Input::Reply(reply), T0).unwrap();
                    }
                }
                TokenStep::Stale => {
                    if outstanding.is_none() {
                        let reply = Reply::BlockCardToken(Ok(blocked()));
                        prop_assert!(m.handle_input(Input::Reply(reply), T0).is_err());
                    }
                }
            }
            loop {
                match m.poll_output() {
                    Output::Send(c) => {
                        prop_assert_eq!(m.status(), &TokenStatus::Active);
                        outstanding = Some(c);
                    }
                    Output::Wait(_) => break,
                    _ => {}
                }
            }
            if was_terminal {
                prop_assert_eq!(&before, &format!("{m:?}"));
            }
            prop_assert!(token_rank(m.status()) >= rank_before);
            rank_before = token_rank(m.status());
            prop_assert_eq!(m.status(), &model);
        }
    }
}
