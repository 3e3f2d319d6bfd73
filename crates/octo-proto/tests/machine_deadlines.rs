//! Deadlines a machine announces are deadlines it acts on: after
//! [`Output::Wait`] names an `until`, handing in [`Input::Timeout`] at that
//! time must make progress (a command, an output or a later deadline),
//! never the same past deadline again, which would make a driver that
//! sleeps until `until` spin.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod machine_support;

use machine_support::*;
use octo_proto::machine::{
    BindingMachine, BindingParams, Command, Input, Machine, Output, PaymentMachine, PaymentParams,
    PaymentPhase, Reply, Wait,
};
use octo_proto::{PaymentMethod, PaymentStatus};
use proptest::prelude::*;

/// The `until` of the machine's idle output; every other output is drained.
fn idle_until<M: Machine>(machine: &mut M) -> Option<time::OffsetDateTime> {
    for _ in 0..64 {
        if let Output::Wait(wait) = machine.poll_output() {
            return wait.until;
        }
    }
    panic!("the machine never goes idle");
}

#[test]
fn a_token_payment_in_doubt_keeps_checking_after_a_failed_check() {
    let mut m = humo_token_charge_sent("order-d", "u-d");
    // The pay request's outcome is unknown: the machine asks OCTO.
    m.handle_input(Input::Reply(Reply::PayWithToken(Err(timeout()))), at(0, 2))
        .unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert_eq!(lines[0], "send payment_status order-d", "{lines:?}");
    // That check fails too: the machine must ask again at its deadline.
    m.handle_input(Input::Reply(Reply::PaymentStatus(Err(timeout()))), at(0, 3))
        .unwrap();
    assert_eq!(m.phase(), PaymentPhase::Paying);
    let until = idle_until(&mut m).expect("a deadline to check again");
    m.handle_input(Input::Timeout, until).unwrap();
    let lines = drain(&mut m, payment_outcome);
    assert_eq!(
        lines[0], "send payment_status order-d",
        "the deadline passed and nothing was asked: {lines:?}"
    );
}

/// What one generated step hands a machine.
enum Act {
    /// OCTO answers the outstanding command (nothing when none is).
    Answer(u8),
    /// Time reaches the announced deadline, plus these seconds (nothing
    /// when none is announced).
    Deadline(u8),
    /// Any other input, at the current time.
    Input(Box<Input>),
}

impl Act {
    fn input(input: Input) -> Self {
        Act::Input(Box::new(input))
    }
}

/// Drains the outputs; the command sent, if any, the idle wait, and how
/// many other outputs there were.
fn settle<M: Machine>(machine: &mut M) -> (Option<Command>, Wait, usize) {
    let mut sent = None;
    let mut others = 0;
    for _ in 0..64 {
        match machine.poll_output() {
            Output::Send(command) => sent = Some(command),
            Output::Wait(wait) => return (sent, wait, others),
            _ => others += 1,
        }
    }
    panic!("the machine never goes idle");
}

/// Drives `machine` through `steps`, `answer` standing in for OCTO, and
/// checks that each deadline reached while nothing is outstanding makes
/// progress: a command, an output, or a later deadline.
fn drive<M: Machine>(
    mut machine: M,
    steps: impl IntoIterator<Item = impl Into<Act>>,
    answer: impl Fn(&Command, u8) -> Reply,
) {
    let mut now = T0;
    let (mut outstanding, mut wait, _) = settle(&mut machine);
    for step in steps {
        let input = match step.into() {
            Act::Answer(pick) => match outstanding.take() {
                Some(command) => Input::Reply(answer(&command, pick)),
                None => continue,
            },
            Act::Deadline(extra) => match wait.until {
                Some(until) => {
                    now = now.max(until) + time::Duration::seconds(i64::from(extra));
                    Input::Timeout
                }
                None => continue,
            },
            Act::Input(input) => *input,
        };
        let deadline_step = matches!(input, Input::Timeout);
        let _ = machine.handle_input(input, now);
        let (sent, next, others) = settle(&mut machine);
        if deadline_step && outstanding.is_none() && sent.is_none() && others == 0 {
            assert!(
                next.until.is_none_or(|until| until > now),
                "a deadline at {now} changed nothing and is announced again: {next:?}"
            );
        }
        if sent.is_some() {
            outstanding = sent;
        }
        wait = next;
    }
}

/// The payment status an answer chosen by `pick` carries.
fn status_of(pick: u8) -> PaymentStatus {
    PaymentStatus::parse(STATUSES[usize::from(pick / 4) % STATUSES.len()])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn payment_deadlines_make_progress(
        two_stage in any::<bool>(),
        steps in prop::collection::vec(payment::step(), 1..40),
    ) {
        let mut prepare = prepare("order-r", "1000.00");
        if two_stage {
            prepare = prepare.two_stage();
        }
        let machine = PaymentMachine::new(prepare, PaymentParams::default(), T0);
        drive(machine, steps, payment::answer);
    }

    #[test]
    fn token_payment_deadlines_make_progress(
        steps in prop::collection::vec(payment::step(), 1..40),
    ) {
        let machine = humo_token_payment("order-r", "1000.00");
        drive(machine, steps, payment::answer);
    }

    #[test]
    fn binding_deadlines_make_progress(
        sms in any::<bool>(),
        steps in prop::collection::vec(binding::step(), 1..40),
    ) {
        let method = if sms {
            PaymentMethod::Humo
        } else {
            PaymentMethod::BankCard
        };
        let machine =
            BindingMachine::new(bind_card("bind-r", method), BindingParams::default(), T0);
        drive(machine, steps, binding::answer);
    }
}

/// Steps and OCTO's answers for a payment, by redirect or by card token.
mod payment {
    use super::*;

    #[derive(Debug, Clone)]
    pub enum Step {
        /// OCTO answers the outstanding command: a status, a timeout or a
        /// refusal.
        Answer(u8),
        Notice(usize),
        CheckStatus,
        Capture,
        Cancel,
        /// Time reaches the announced deadline (plus these seconds).
        Deadline(u8),
    }

    impl From<Step> for Act {
        fn from(step: Step) -> Act {
            match step {
                Step::Answer(pick) => Act::Answer(pick),
                Step::Deadline(extra) => Act::Deadline(extra),
                Step::Notice(i) => Act::input(Input::Notification(signed_notice(
                    "order-r",
                    "u-r",
                    PaymentStatus::parse(STATUSES[i]),
                    None,
                ))),
                Step::CheckStatus => Act::input(Input::CheckStatus),
                Step::Capture => Act::input(Input::Capture { final_amount: None }),
                Step::Cancel => Act::input(Input::Cancel),
            }
        }
    }

    pub fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            5 => any::<u8>().prop_map(Step::Answer),
            2 => (0..STATUSES.len()).prop_map(Step::Notice),
            1 => Just(Step::CheckStatus),
            1 => Just(Step::Capture),
            1 => Just(Step::Cancel),
            4 => any::<u8>().prop_map(Step::Deadline),
        ]
    }

    pub fn answer(command: &Command, pick: u8) -> Reply {
        let status = status_of(pick);
        let endpoint = command.endpoint();
        match (command, pick % 4) {
            (_, 0) => command.fail(timeout()),
            (_, 1) => command.fail(octo_error(2, endpoint)),
            (Command::PayWithToken(_), _) => {
                let url = (pick % 8 < 4).then_some("https://pay2.octo.uz/uzcard/sms/u-r");
                Reply::PayWithToken(Ok(token_payment("u-r", status, "1000.00", url)))
            }
            (Command::PreparePayment(_), _) => {
                Reply::PreparePayment(Ok(payment("order-r", "u-r", status, Some("1000.00"))))
            }
            (Command::PaymentStatus(_), _) => {
                Reply::PaymentStatus(Ok(payment("order-r", "u-r", status, Some("1000.00"))))
            }
            (Command::SetAccept(_), _) => {
                Reply::SetAccept(Ok(payment("order-r", "u-r", status, Some("1000.00"))))
            }
            _ => command.fail(timeout()),
        }
    }
}

/// Steps and OCTO's answers for a card binding, with or without an SMS code.
mod binding {
    use super::*;
    use octo_proto::machine::TokenNotice;
    use octo_proto::op::{Endpoint, SmsCode};
    use octo_proto::{CardToken, MaskedPan, TokenStatus};

    #[derive(Debug, Clone)]
    pub enum Step {
        Answer(u8),
        Callback { active: bool },
        Code,
        Resend,
        Deadline(u8),
    }

    impl From<Step> for Act {
        fn from(step: Step) -> Act {
            match step {
                Step::Answer(pick) => Act::Answer(pick),
                Step::Deadline(extra) => Act::Deadline(extra),
                Step::Callback { active } => {
                    let status = if active {
                        TokenStatus::Active
                    } else {
                        TokenStatus::Failed
                    };
                    let notice =
                        TokenNotice::new("bind-r".parse().unwrap(), CardToken::new("tok"), status)
                            .with_card(MaskedPan::new("860031******4318").unwrap());
                    Act::input(Input::Tokenization(notice))
                }
                Step::Code => Act::input(Input::Code(SmsCode::new("61135").unwrap())),
                Step::Resend => Act::input(Input::ResendCode),
            }
        }
    }

    pub fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            6 => any::<u8>().prop_map(Step::Answer),
            2 => any::<bool>().prop_map(|active| Step::Callback { active }),
            2 => Just(Step::Code),
            1 => Just(Step::Resend),
            4 => any::<u8>().prop_map(Step::Deadline),
        ]
    }

    pub fn answer(command: &Command, pick: u8) -> Reply {
        let status = status_of(pick);
        let endpoint = command.endpoint();
        let seconds = u32::from(pick % 3) * 60;
        let pay = || payment("bind-r", "u-b", status.clone(), Some("1.00"));
        match (command, pick % 4) {
            (_, 0) => command.fail(timeout()),
            (Command::CheckPan(_), 1) if pick % 8 == 1 => {
                command.fail(octo_error(17, Endpoint::CheckPan))
            }
            (_, 1) => command.fail(octo_error(-1, endpoint)),
            (Command::BindCard(_), _) => Reply::BindCard(Ok(pay())),
            (Command::PaymentStatus(_), _) => Reply::PaymentStatus(Ok(pay())),
            (Command::CheckSmsKey(_), _) => Reply::CheckSmsKey(Ok(pay())),
            (Command::VerificationInfo(_), _) => {
                Reply::VerificationInfo(Ok(verification(7, seconds)))
            }
            (Command::CheckPan(_), _) => Reply::CheckPan(Ok(verification(8, seconds))),
            _ => command.fail(timeout()),
        }
    }
}
