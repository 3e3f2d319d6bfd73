//! A notification is a signed hint that a payment's status changed, and no
//! more: with the `unique_key` scheme its signature covers only
//! `octo_payment_UUID` and `status`, so the amounts beside them can be
//! replayed or rewritten by anyone holding one genuine notification.
//!
//! These properties drive payment machines with notifications alone, and
//! pairs of machines with notifications that differ only in their unsigned
//! fields, and check that amounts and outcomes come from OCTO's answers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use machine_support::*;
use octo_proto::callback::{CallbackLimits, Notification, SignatureScheme, SignedFields};
use octo_proto::machine::{
    Command, Input, Machine, Output, PaymentMachine, PaymentOutcome, PaymentParams, Reply,
    TokenPaymentMachine,
};
use octo_proto::{NotificationKey, PaymentStatus};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;

const ID: &str = "order-t";
const UUID: &str = "e3f40dc3-4955-412a-853a-2ddd28d3201f";
const TOTAL: &str = "1000.00";

/// The fields a signature does not cover.
#[derive(Debug, Clone, PartialEq)]
struct Unsigned {
    total_sum: Option<Decimal>,
    refunded_sum: Option<Decimal>,
    transfer_sum: Option<Decimal>,
    /// Other unsigned fields, some in odd shapes: `riskLevel`,
    /// `payed_time`, `currency`, an unknown field.
    others: Vec<(&'static str, serde_json::Value)>,
}

fn amount() -> impl Strategy<Value = Option<Decimal>> {
    prop::option::of(prop_oneof![
        Just(Decimal::ZERO),
        Just(dec("-5")),
        Just(dec(TOTAL)),
        Just(dec("1000000")),
        (1..200_000i64).prop_map(|cents| Decimal::new(cents, 2)),
    ])
}

fn other_field() -> impl Strategy<Value = (&'static str, serde_json::Value)> {
    use serde_json::json;
    (
        proptest::sample::select(vec!["riskLevel", "payed_time", "currency", "settled_sum"]),
        proptest::sample::select(vec![
            json!(-1),
            json!(3),
            json!("1000.00"),
            json!("2024-05-02 09:18:41"),
            json!("USD"),
            json!(null),
            json!([1, 2]),
        ]),
    )
}

fn unsigned() -> impl Strategy<Value = Unsigned> {
    (
        amount(),
        amount(),
        amount(),
        prop::collection::vec(other_field(), 0..3),
    )
        .prop_map(|(total_sum, refunded_sum, transfer_sum, others)| Unsigned {
            total_sum,
            refunded_sum,
            transfer_sum,
            others,
        })
}

/// The machine input for a notification OCTO signed for `status`, carrying
/// `fields` in its unsigned part: signed with the shop's key, sent over
/// "HTTP" and verified, as a shop's handler would.
fn notification(status: &str, fields: &Unsigned) -> Input {
    notification_for(ID, status, fields)
}

/// The same, with `shop_transaction_id` (not signed either) set to `id`.
fn notification_for(id: &str, status: &str, fields: &Unsigned) -> Input {
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new("shop-key"));
    let mut sent = Notification::new(
        id.parse().unwrap(),
        UUID.parse().unwrap(),
        PaymentStatus::parse(status),
    );
    sent.total_sum = fields.total_sum;
    sent.refunded_sum = fields.refunded_sum;
    sent.transfer_sum = fields.transfer_sum;
    for (key, value) in &fields.others {
        sent.extra.insert((*key).to_owned(), value.clone());
    }
    // The wire form of the status, so that `cancelled` is signed as sent.
    let request = sent
        .sign(&scheme, "salt")
        .to_request("https://shop.example/octo/notify".parse().unwrap());
    let mut body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    body["status"] = status.into();
    body["signature"] = scheme
        .sign(&SignedFields {
            octo_payment_uuid: UUID,
            status,
            hash_key: "salt",
        })
        .into();
    let request = request.map(|_| serde_json::to_vec(&body).unwrap());
    let verified =
        Notification::parse_verified(&request, &scheme, &CallbackLimits::default()).unwrap();
    Input::from(&verified)
}

/// Where the machine is when the notifications start.
#[derive(Debug, Clone, Copy)]
enum Start {
    AwaitingCustomer,
    Held,
    Succeeded,
}

fn start() -> impl Strategy<Value = Start> {
    prop_oneof![
        Just(Start::AwaitingCustomer),
        Just(Start::Held),
        Just(Start::Succeeded)
    ]
}

/// OCTO's own answers: the amounts are always the real ones.
fn octo_answer(command: &Command, status: &str) -> Reply {
    let status = PaymentStatus::parse(status);
    match command {
        Command::PreparePayment(_) => {
            Reply::PreparePayment(Ok(payment(ID, UUID, status, Some(TOTAL))))
        }
        Command::PaymentStatus(_) => {
            Reply::PaymentStatus(Ok(payment(ID, UUID, status, Some(TOTAL))))
        }
        Command::SetAccept(_) => Reply::SetAccept(Ok(payment(ID, UUID, status, Some(TOTAL)))),
        Command::PayWithToken(_) => {
            Reply::PayWithToken(Ok(token_payment(UUID, status, TOTAL, None)))
        }
        other => other.fail(timeout()),
    }
}

/// A payment machine with the command it has outstanding, if any.
struct Driven<M> {
    machine: M,
    outstanding: Option<Command>,
    lines: Vec<String>,
    settled: Vec<String>,
}

impl<M: Machine<Outcome = PaymentOutcome>> Driven<M> {
    fn new(machine: M) -> Self {
        let mut driven = Self {
            machine,
            outstanding: None,
            lines: Vec::new(),
            settled: Vec::new(),
        };
        driven.drain();
        driven
    }

    fn drain(&mut self) -> Vec<String> {
        let mut fresh = Vec::new();
        for _ in 0..64 {
            let output = self.machine.poll_output();
            let line = describe(&output, payment_outcome);
            match &output {
                Output::Send(command) => self.outstanding = Some(command.clone()),
                Output::Done(_) | Output::Failed(_) | Output::Decide(_) => {
                    self.settled.push(line.clone());
                }
                _ => {}
            }
            fresh.push(line.clone());
            self.lines.push(line);
            if matches!(output, Output::Wait(_)) {
                return fresh;
            }
        }
        panic!("the machine never goes idle: {:?}", self.lines);
    }

    fn input(&mut self, input: Input, now: OffsetDateTime) -> Vec<String> {
        // A refusal leaves the machine as it was; both twins see the same.
        let _ = self.machine.handle_input(input, now);
        self.drain()
    }

    fn answer(&mut self, status: &str, now: OffsetDateTime) -> Vec<String> {
        match self.outstanding.take() {
            Some(command) => self.input(Input::Reply(octo_answer(&command, status)), now),
            None => Vec::new(),
        }
    }
}

fn one_stage_or_two(two_stage: bool) -> PaymentMachine {
    let mut prepared = prepare(ID, TOTAL);
    if two_stage {
        prepared = prepared.two_stage();
    }
    PaymentMachine::new(prepared, PaymentParams::default(), T0)
}

/// Brings a fresh machine to `start` with OCTO's answers only.
fn bring_to<M: Machine<Outcome = PaymentOutcome>>(driven: &mut Driven<M>, start: Start) {
    driven.answer("created", at(0, 1));
    if matches!(driven.outstanding, Some(Command::PayWithToken(_))) {
        driven.answer("created", at(0, 2));
    }
    let status = match start {
        Start::AwaitingCustomer => return,
        Start::Held => "waiting_for_capture",
        Start::Succeeded => "succeeded",
    };
    // The deadline passes; the machine asks OCTO, OCTO answers.
    driven.input(Input::Timeout, at(60, 0));
    driven.answer(status, at(60, 1));
}

#[derive(Debug, Clone)]
enum Step {
    /// A notification for `status`; each twin gets its own unsigned part.
    Notice {
        status: usize,
        a: Unsigned,
        b: Unsigned,
    },
    /// OCTO answers whatever command is outstanding with `status`.
    Answer(usize),
    /// Time passes.
    Timeout(u32),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..STATUSES.len(), unsigned(), unsigned())
            .prop_map(|(status, a, b)| Step::Notice { status, a, b }),
        3 => (0..STATUSES.len()).prop_map(Step::Answer),
        1 => (0..4000u32).prop_map(Step::Timeout),
    ]
}

fn money<M>(driven: &Driven<M>, view: fn(&M) -> &PaymentMachine) -> String {
    let p = view(&driven.machine);
    format!(
        "{:?} {} total {} held {:?} refunded {} {:?}",
        p.phase(),
        p.status(),
        p.total_sum(),
        p.held_sum(),
        p.refunded_sum(),
        p.outcome(),
    )
}

/// Two twins, the same OCTO, notifications that differ only in unsigned
/// fields: every output and every amount stays the same.
fn twins<M: Machine<Outcome = PaymentOutcome>>(
    make: impl Fn() -> M,
    view: fn(&M) -> &PaymentMachine,
    start: Start,
    steps: &[Step],
) -> Result<(), TestCaseError> {
    let mut a = Driven::new(make());
    let mut b = Driven::new(make());
    bring_to(&mut a, start);
    bring_to(&mut b, start);
    let mut now = at(61, 0);
    for step in steps {
        let (seen_a, seen_b) = match step {
            Step::Notice {
                status,
                a: ua,
                b: ub,
            } => (
                a.input(notification(STATUSES[*status], ua), now),
                b.input(notification(STATUSES[*status], ub), now),
            ),
            Step::Answer(status) => (
                a.answer(STATUSES[*status], now),
                b.answer(STATUSES[*status], now),
            ),
            Step::Timeout(seconds) => {
                now += time::Duration::seconds(i64::from(*seconds));
                (a.input(Input::Timeout, now), b.input(Input::Timeout, now))
            }
        };
        prop_assert_eq!(&seen_a, &seen_b, "after {:?}", step);
        prop_assert_eq!(money(&a, view), money(&b, view), "after {:?}", step);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// However many notifications arrive, of any status and with any
    /// amounts, a payment is not settled, held, failed or refunded by them
    /// alone: without OCTO's answers, its phase and outcome stay put.
    #[test]
    fn a_notification_alone_never_completes_a_payment(
        two_stage in any::<bool>(),
        start in start(),
        notices in prop::collection::vec((0..STATUSES.len(), unsigned()), 1..20),
    ) {
        let mut driven = Driven::new(one_stage_or_two(two_stage));
        bring_to(&mut driven, start);
        let settled_before = driven.settled.len();
        let phase = driven.machine.phase();
        let outcome = driven.machine.outcome();
        let held = driven.machine.held_sum();
        for (i, (status, fields)) in notices.iter().enumerate() {
            let now = at(61, i64::try_from(i).unwrap());
            driven.input(notification(STATUSES[*status], fields), now);
            let p = &driven.machine;
            prop_assert_eq!(p.phase(), phase);
            prop_assert_eq!(&p.outcome(), &outcome);
            prop_assert_eq!(p.held_sum(), held);
        }
        if matches!(start, Start::AwaitingCustomer) {
            prop_assert_eq!(driven.machine.total_sum(), Decimal::ZERO);
            prop_assert_eq!(driven.machine.held_sum(), None);
        }
        prop_assert_eq!(
            &driven.settled[settled_before..],
            &[] as &[String],
            "settled by notifications: {:?}",
            driven.lines
        );
    }

    /// Replayed or rewritten unsigned fields never change an amount or an
    /// outcome, in any phase, whatever OCTO answers in between.
    #[test]
    fn unsigned_fields_never_change_amounts_or_outcomes(
        two_stage in any::<bool>(),
        start in start(),
        steps in prop::collection::vec(step(), 1..30),
    ) {
        twins(|| one_stage_or_two(two_stage), |m| m, start, &steps)?;
    }

    /// A genuine notification moved to another `shop_transaction_id` (the
    /// signature does not cover it) is refused and changes nothing.
    #[test]
    fn a_notification_moved_to_another_order_changes_nothing(
        two_stage in any::<bool>(),
        start in start(),
        status in 0..STATUSES.len(),
        fields in unsigned(),
    ) {
        let mut driven = Driven::new(one_stage_or_two(two_stage));
        bring_to(&mut driven, start);
        let before = format!("{:?}", driven.machine);
        let result = driven
            .machine
            .handle_input(notification_for("order-other", STATUSES[status], &fields), at(61, 0));
        prop_assert_eq!(result, Err(octo_proto::machine::Rejected::OtherTransaction));
        prop_assert_eq!(before, format!("{:?}", driven.machine));
    }

    /// The same for a payment with a stored card.
    #[test]
    fn token_payments_ignore_unsigned_fields_too(
        start in start(),
        steps in prop::collection::vec(step(), 1..30),
    ) {
        let make = || humo_token_payment(ID, TOTAL);
        twins(make, TokenPaymentMachine::payment, start, &steps)?;
    }
}
