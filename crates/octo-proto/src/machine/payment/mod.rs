//! One payment, from `prepare_payment` to its end, with capture, cancel and
//! refunds.
//!
//! ```text
//!            prepare_payment
//!   Preparing ───────────────► AwaitingCustomer ──(ttl: check status)──┐
//!       │ (token: Paying)        │          │   ▲                      │
//!       │                        │          │   └──────────────────────┘
//!       │          waiting_for_capture   succeeded
//!       │                        ▼          │
//!       │    Decide ◄──────── Held ─(hold expiry: check status)
//!       │                        │ Capture / Cancel: set_accept
//!       │                        ▼          │
//!       │                    Deciding ──────┤
//!       │                                   ▼
//!       │                               Succeeded ──Refund──► refund ─┐
//!       │                                   │  ▲    ▲ (open: recheck) │
//!       │                                   │  └────┴─────────────────┘
//!       │                                   └─(refunds reach the total,
//!       │                                      none open)─► Refunded
//!       └─► canceled / failed (from any state before Succeeded) ──► Canceled | Failed
//!   a command OCTO refuses, or whose outcome stays unknown ──► Aborted
//!   (but a refused capture or cancel goes back to Held: nothing changed)
//!   (a status check that fails never ends the payment: it learnt
//!   nothing, so the machine reports the failure and checks again)
//! ```
//!
//! Every arrow is taken on OCTO's answer to a command, never on a
//! notification. A verified notification ([`Input::Notification`]) is a
//! signed hint that the status changed: the machine checks the status with
//! OCTO (or, when a command is out, waits for its answer and checks after
//! it if that answer does not show the news) and moves on what OCTO says,
//! with OCTO's amounts. [`Input::CheckStatus`] does the same without a
//! claim. A notification naming the status the machine already has sends
//! nothing.
//!
//! Statuses only move forward: a late, duplicated or reordered answer that
//! would move the payment back is ignored, and the terminal states
//! (`Canceled`, `Failed`, `Refunded`, `Aborted`) absorb everything.
//!
//! A refund OCTO answers `new`, `pending` or `unknown` is not finished
//! (it may still end `canceled` or `error`): its amount stays reserved, it
//! is not counted as refunded, no [`Output::Done`] comes for it, and after
//! `recheck_interval` the machine sends the very same refund again (same
//! `shop_refund_id`, same amount; OCTO's pages say the id filters
//! duplicates, not whether a duplicate is answered with the refund's
//! status or refused), until OCTO says `succeeded` (then `Done`) or
//! `canceled`/`error` (then [`Failure::RefundRefused`], and the amount is
//! free again). If OCTO refuses the ask, the failure is reported (not as a
//! refusal of the refund) and the refund stays open; a status check whose
//! `refunded_sum` reaches the total still ends the payment `Refunded`. A
//! refund whose earlier call ended in doubt and whose resend OCTO answers
//! `canceled`/`error` stays in doubt ([`Failure::RefundInDoubt`]). See
//! [`RefundRecord`].

use std::collections::VecDeque;

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

mod refunds;

pub use refunds::RefundRecord;

use super::Machine;
use super::checkout::TokenCheckout;
use super::command::{Command, InFlight, Reply, refused, unreadable};
use super::failure::{Failure, Rejected};
use super::input::Input;
use super::notice::PaymentNotice;
use super::output::{Awaiting, Hold, Output, Wait};
use crate::enums::PaymentStatus;
use crate::error::{Error, InputError, InputProblem};
use crate::ids::{PaymentUuid, ShopTransactionId};
use crate::op::{PaymentStatusCheck, PreparePayment, SetAccept};
use refunds::{RefundStart, Refunds};

/// The timings and limits of a payment machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentParams {
    /// How long the customer has to pay when the shop's [`PreparePayment`]
    /// sets no `ttl`; after it the machine checks the status. Default 15
    /// minutes (the lifetime OCTO's examples send).
    ///
    /// OCTO is told the same: the machine sends it as the request's `ttl`
    /// (OCTO documents no default of its own), in whole minutes rounded up
    /// and held within 1 to [`MAX_TTL_MINUTES`], and counts with exactly
    /// the minutes it sent. So the machine never reports a payment expired
    /// while OCTO would still let the customer pay it. A `ttl` the shop set
    /// on the [`PreparePayment`] is sent as it is and counted with instead.
    ///
    /// [`MAX_TTL_MINUTES`]: crate::op::MAX_TTL_MINUTES
    pub ttl: Duration,
    /// How long a hold is trusted before the machine checks whether OCTO
    /// still holds it. OCTO documents 30 minutes on one page and 7 or 30
    /// days on another, so the default is the shortest: 30 minutes. A check
    /// that finds the hold still standing just waits again. It counts from
    /// the last answer that showed the payment not yet held (OCTO placed
    /// the hold after it), and while the customer pays a two-stage payment
    /// the machine looks at least every half of it, so a hold cannot lapse
    /// unseen.
    pub hold_expiry: Duration,
    /// How long to wait between status checks once a deadline has passed,
    /// and between two asks about a refund OCTO has not finished.
    /// Default 60 seconds; anything under a second counts as one.
    pub recheck_interval: Duration,
    /// Whether a full capture names the held amount as `final_amount`
    /// (default `true`): OCTO's pages describe `set_accept` as confirming
    /// the amount to take, and one public source says a capture needs it.
    /// `false` sends a full capture without `final_amount`.
    pub full_capture_sends_final_amount: bool,
    /// Whether a status check that says `created` or `waiting_pay` after a
    /// charge with a token (`pay/{uuid}`) whose answer was lost ends the
    /// flow as not charged (default `false`: the machine reports the lost
    /// answer as [`Output::Failed`] and keeps watching the payment until
    /// OCTO shows it paid, canceled or failed). The pay-with-token page's
    /// own answer to a charge that did land shows `created` beside the SMS
    /// page, so that status does not prove the charge never landed, and a
    /// shop told "not charged" may charge again. `true` suits a shop whose
    /// token charges never wait for the customer. Either way a charge that
    /// never reached OCTO (every attempt failed to connect) ends as not
    /// charged, and one OCTO answered with a success it could not be read
    /// from is watched.
    pub created_after_lost_charge_ends: bool,
}

impl Default for PaymentParams {
    fn default() -> Self {
        Self {
            ttl: Duration::minutes(15),
            hold_expiry: Duration::minutes(30),
            recheck_interval: Duration::seconds(60),
            full_capture_sends_final_amount: true,
            created_after_lost_charge_ends: false,
        }
    }
}

impl PaymentParams {
    /// [`ttl`](Self::ttl) as the wire takes it: whole minutes, rounded up
    /// (the customer never gets less time than asked for), from 1 to
    /// [`MAX_TTL_MINUTES`](crate::op::MAX_TTL_MINUTES).
    fn ttl_minutes(&self) -> u32 {
        let whole = self.ttl.whole_minutes();
        let minutes = if self.ttl > Duration::minutes(whole) {
            whole.saturating_add(1)
        } else {
            whole
        };
        let max = crate::op::MAX_TTL_MINUTES;
        u32::try_from(minutes.clamp(1, i64::from(max))).unwrap_or(max)
    }
}

/// Where a payment machine stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PaymentPhase {
    /// `prepare_payment` is under way.
    Preparing,
    /// The stored card is being charged (token payments).
    Paying,
    /// Waiting for the customer to pay.
    AwaitingCustomer,
    /// The money is held; the shop decides.
    Held,
    /// The capture or cancel is under way or awaits confirmation.
    Deciding,
    /// Paid; refunds may follow. The payment stays here while a refund OCTO
    /// took is not finished (`new`, `pending`, `unknown`), even one of the
    /// whole amount.
    Succeeded,
    /// Canceled (terminal).
    Canceled,
    /// Failed (terminal).
    Failed,
    /// Fully refunded (terminal): OCTO said so, and no refund OCTO took is
    /// still open.
    Refunded,
    /// The machine gave up after a refused or unanswerable command, or on
    /// a `prepare_payment` answered with another payment
    /// ([`Failure::OtherPayment`]) (terminal); check the status yourself.
    Aborted,
}

impl PaymentPhase {
    /// Whether the phase absorbs every further input.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Canceled | Self::Failed | Self::Refunded | Self::Aborted
        )
    }

    fn name(self) -> &'static str {
        match self {
            Self::Preparing => "preparing",
            Self::Paying => "paying",
            Self::AwaitingCustomer => "awaiting the customer",
            Self::Held => "held",
            Self::Deciding => "deciding",
            Self::Succeeded => "succeeded",
            Self::Canceled => "canceled",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Aborted => "aborted",
        }
    }
}

/// A payment's settled result, carried by [`Output::Done`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOutcome {
    /// The shop's id of the payment.
    pub shop_transaction_id: ShopTransactionId,
    /// OCTO's id of the payment.
    pub octo_payment_uuid: Option<PaymentUuid>,
    /// `succeeded`, `partially_refunded`, `refunded`, `canceled` or
    /// `failed`. `partially_refunded` and `refunded` follow `refunded_sum`:
    /// a refund OCTO has not finished does not make a payment refunded.
    pub status: PaymentStatus,
    /// The amount taken (the captured amount after a partial capture; 0
    /// when nothing was taken).
    pub total_sum: Decimal,
    /// The amount OCTO said is refunded: the refunds it answered
    /// `succeeded`, or the payment's `refunded_sum` from OCTO's status
    /// answers if larger (which may count refunds made elsewhere). A refund
    /// OCTO has not finished is not in it.
    pub refunded_sum: Decimal,
    /// The refunds asked for through this machine, each with OCTO's last
    /// status for it ([`RefundRecord::is_open`] for one not finished).
    pub refunds: Vec<RefundRecord>,
}

/// A reason to ask OCTO for the status that no answer has settled yet.
#[derive(Debug)]
struct Hint {
    /// The status a notification named; `None` for [`Input::CheckStatus`].
    status: Option<PaymentStatus>,
    /// Whether a status check went out after the hint came: its answer
    /// settles the hint, whatever it says.
    checked: bool,
}

/// What the machine is waiting to learn from a status check.
#[derive(Debug)]
enum Doubt {
    /// The capture or cancel may or may not have happened; `acted` when
    /// OCTO's answer said it did (a success that did not decode).
    Decision { acted: bool },
    /// The token payment may or may not have happened; `acted` as above.
    Pay { error: Error, acted: bool },
}

/// Whether a failed answer still said OCTO acted: a success envelope
/// (`"error": 0`) whose fields did not decode, or that came under a failing
/// HTTP status. A later status that looks "not yet" is then an older view,
/// not proof that the command never landed.
fn acted(error: &Error) -> bool {
    match error {
        Error::Decode { path, .. } => path != "error",
        Error::UnexpectedResponse { reason, .. } => {
            *reason == crate::error::ResponseProblem::StatusMismatch
        }
        _ => false,
    }
}

/// One payment, prepared with [`PreparePayment`], paid on OCTO's page (or
/// with a stored card: [`TokenPaymentMachine`](super::TokenPaymentMachine)).
///
/// ```
/// use octo_proto::machine::{Machine, Output, PaymentMachine, PaymentParams};
/// use octo_proto::{Currency, op::PreparePayment};
/// use rust_decimal::Decimal;
/// use time::macros::datetime;
///
/// let now = datetime!(2024-05-02 09:17 UTC);
/// let prepare = PreparePayment::new(
///     "order-7".parse()?, Decimal::new(5000, 2), Currency::Uzs,
///     "Tea", "https://shop.example/7", datetime!(2024-05-02 09:17),
/// );
/// let mut payment = PaymentMachine::new(prepare, PaymentParams::default(), now);
/// assert!(matches!(payment.poll_output(), Output::Send(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct PaymentMachine {
    prepare: PreparePayment,
    params: PaymentParams,
    token: Option<TokenCheckout>,
    phase: PaymentPhase,
    status: PaymentStatus,
    uuid: Option<PaymentUuid>,
    held: Option<Decimal>,
    taken: Decimal,
    decision: Option<SetAccept>,
    doubt: Option<Doubt>,
    hint: Option<Hint>,
    refunds: Refunds,
    /// A refund change is not reported yet: it settled while another
    /// refund was open, and its `Done` waits for that one to end.
    refunds_unreported: bool,
    in_flight: Option<InFlight>,
    expires_at: OffsetDateTime,
    /// Until when OCTO may still let the customer pay: a ttl from OCTO's
    /// first answer to the prepare (OCTO counts from when the request
    /// reached it, which may be after the machine's start). An unpaid
    /// payment is reported expired only after it.
    payable_until: OffsetDateTime,
    /// The last time an answer (or the start) showed the payment before
    /// any hold: OCTO cannot have placed a hold earlier, so a hold's
    /// lapse is counted from here.
    unheld_at: OffsetDateTime,
    /// When a verified notification first said the payment was held: OCTO
    /// placed the hold before, so no later answer moves `unheld_at`.
    hold_hinted_at: Option<OffsetDateTime>,
    /// The payment's time ran out unpaid and that was reported.
    expiry_reported: bool,
    deadline: Option<OffsetDateTime>,
    out: VecDeque<Output<PaymentOutcome>>,
}

impl PaymentMachine {
    /// Starts a payment: the first output sends `prepare`. Its
    /// `shop_transaction_id` is the idempotency key of every command.
    ///
    /// The customer has `prepare.ttl` minutes to pay, or, when it is
    /// `None`, [`PaymentParams::ttl`], which is then sent as the request's
    /// `ttl`: OCTO and the machine count with the same lifetime, from the
    /// same request.
    ///
    /// Never panics on its input: any `ttl` (even `u32::MAX` minutes), any
    /// [`PaymentParams`] and any `now` are accepted. Deadlines are clamped:
    /// a negative duration counts as zero, and one that would pass the
    /// year 9999 ends at the last instant `time` represents.
    pub fn new(prepare: PreparePayment, params: PaymentParams, now: OffsetDateTime) -> Self {
        Self::start(prepare, params, None, now)
    }

    pub(crate) fn start(
        prepare: PreparePayment,
        params: PaymentParams,
        token: Option<TokenCheckout>,
        now: OffsetDateTime,
    ) -> Self {
        // The ttl OCTO is sent is the one counted with: OCTO documents no
        // default, so a prepare without one carries the params' ttl.
        let mut prepare = prepare;
        let minutes = *prepare.ttl.get_or_insert_with(|| params.ttl_minutes());
        let ttl = Duration::minutes(i64::from(minutes));
        let mut machine = Self {
            prepare,
            params,
            token,
            phase: PaymentPhase::Preparing,
            status: PaymentStatus::Created,
            uuid: None,
            held: None,
            taken: Decimal::ZERO,
            decision: None,
            doubt: None,
            hint: None,
            refunds: Refunds::default(),
            refunds_unreported: false,
            in_flight: None,
            expires_at: super::clock::after(now, ttl),
            payable_until: super::clock::after(now, ttl),
            unheld_at: now,
            hold_hinted_at: None,
            expiry_reported: false,
            deadline: None,
            out: VecDeque::new(),
        };
        machine.send(Command::PreparePayment(machine.prepare.clone()));
        machine
    }

    /// Where the machine stands.
    pub fn phase(&self) -> PaymentPhase {
        self.phase
    }

    /// The payment's status as last accepted (never moves back).
    pub fn status(&self) -> &PaymentStatus {
        &self.status
    }

    /// OCTO's id, once known.
    pub fn octo_payment_uuid(&self) -> Option<&PaymentUuid> {
        self.uuid.as_ref()
    }

    /// The shop's id of the payment.
    pub fn shop_transaction_id(&self) -> &ShopTransactionId {
        &self.prepare.shop_transaction_id
    }

    /// The amount held, in a two-stage payment.
    pub fn held_sum(&self) -> Option<Decimal> {
        self.held
    }

    /// The amount taken (0 until the payment succeeds).
    pub fn total_sum(&self) -> Decimal {
        self.taken
    }

    /// The amount OCTO said is refunded, exactly (see
    /// [`PaymentOutcome::refunded_sum`]); a refund not finished is not in it.
    pub fn refunded_sum(&self) -> Decimal {
        self.refunds.refunded()
    }

    /// The refunds asked for through this machine.
    pub fn refunds(&self) -> &[RefundRecord] {
        self.refunds.records()
    }

    /// Whether a refund OCTO took is not finished yet
    /// ([`RefundRecord::is_open`]): its amount is reserved, and no `Done`
    /// comes until OCTO has said how it ended.
    pub fn has_open_refunds(&self) -> bool {
        self.refunds.has_open()
    }

    /// The outcome as it stands.
    pub fn outcome(&self) -> PaymentOutcome {
        let refunded = self.refunds.refunded();
        let status = match self.phase {
            // OCTO said everything is refunded while a refund of ours is
            // still open: the payment ends once that refund has.
            PaymentPhase::Succeeded if self.taken > Decimal::ZERO && refunded >= self.taken => {
                PaymentStatus::Refunded
            }
            PaymentPhase::Succeeded if refunded > Decimal::ZERO => PaymentStatus::PartiallyRefunded,
            _ => self.status.clone(),
        };
        PaymentOutcome {
            shop_transaction_id: self.prepare.shop_transaction_id.clone(),
            octo_payment_uuid: self.uuid.clone(),
            status,
            total_sum: self.taken,
            refunded_sum: refunded,
            refunds: self.refunds.records().to_vec(),
        }
    }

    pub(crate) fn prepared(&self) -> &PreparePayment {
        &self.prepare
    }

    fn send(&mut self, command: Command) {
        self.in_flight = Some(InFlight::new(command.clone()));
        self.out.push_back(Output::Send(command));
    }

    fn check_status(&mut self) {
        self.deadline = None;
        self.send(Command::PaymentStatus(PaymentStatusCheck::new(
            self.prepare.shop_transaction_id.clone(),
        )));
    }

    fn abort(&mut self, failure: Failure) {
        self.phase = PaymentPhase::Aborted;
        self.deadline = None;
        self.in_flight = None;
        self.out.push_back(Output::Failed(failure));
    }

    fn settle(&mut self) {
        self.deadline = None;
        self.refunds_unreported = false;
        self.out.push_back(Output::Done(self.outcome()));
    }

    /// Settles a change in the refunds, unless a refund OCTO took is still
    /// open: the flow is not settled until OCTO has finished it, and the
    /// change is reported then.
    fn settle_refunds(&mut self) {
        if self.phase == PaymentPhase::Succeeded && self.refunds.has_open() {
            self.refunds_unreported = true;
            return;
        }
        self.settle();
    }

    /// While a paid payment has a refund OCTO has not finished, and nothing
    /// else is out or due, the next ask about it is due a
    /// `recheck_interval` from now.
    fn arm_refund_check(&mut self, now: OffsetDateTime) {
        if self.phase == PaymentPhase::Succeeded
            && self.in_flight.is_none()
            && self.deadline.is_none()
            && self.refunds.has_due()
        {
            self.deadline = Some(super::clock::recheck_after(
                now,
                self.params.recheck_interval,
            ));
        }
    }

    /// After a status that leaves the payment open: wait for its deadline,
    /// or poll once it has passed.
    fn rearm(&mut self, now: OffsetDateTime) {
        if self.phase.is_terminal() || self.phase == PaymentPhase::Succeeded {
            return;
        }
        // A decision OCTO answered but a check does not show yet is asked
        // about again shortly, not at the hold's deadline.
        let next = if now < self.expires_at && self.phase != PaymentPhase::Deciding {
            self.expires_at
        } else {
            super::clock::recheck_after(now, self.params.recheck_interval)
        };
        // While the customer pays a two-stage payment, a hold may be placed
        // at any moment and lapses on OCTO's clock: look at least every half
        // hold, so that the shop always has half a hold to decide.
        let hold_may_come = !self.prepare.auto_capture
            && matches!(
                self.phase,
                PaymentPhase::Paying | PaymentPhase::AwaitingCustomer
            );
        self.deadline = Some(if hold_may_come {
            next.min(super::clock::recheck_after(
                now,
                self.params.hold_expiry / 2,
            ))
        } else {
            next
        });
    }

    /// The one place statuses are accepted; it never moves backwards.
    fn observe(
        &mut self,
        status: &PaymentStatus,
        total_sum: Option<Decimal>,
        refunded_sum: Option<Decimal>,
        now: OffsetDateTime,
    ) {
        if self.phase.is_terminal() {
            return;
        }
        let before_success = self.phase < PaymentPhase::Succeeded;
        let cap = self.prepare.total_sum;
        let before_hold = matches!(
            self.phase,
            PaymentPhase::Preparing | PaymentPhase::Paying | PaymentPhase::AwaitingCustomer
        );
        if before_hold
            && matches!(
                status,
                PaymentStatus::Created | PaymentStatus::WaitUserAction | PaymentStatus::WaitingPay
            )
        {
            // An answer after a notification said "held" is an older view.
            if self.hold_hinted_at.is_none_or(|hinted| now < hinted) {
                self.unheld_at = self.unheld_at.max(now);
            }
        }
        match status {
            PaymentStatus::WaitingForCapture
                if matches!(
                    self.phase,
                    PaymentPhase::Preparing | PaymentPhase::Paying | PaymentPhase::AwaitingCustomer
                ) =>
            {
                let held = total_sum.filter(|s| *s > Decimal::ZERO && *s <= cap);
                let amount = held.unwrap_or(cap);
                self.phase = PaymentPhase::Held;
                self.status = status.clone();
                self.held = Some(amount);
                // OCTO placed the hold after the last answer that showed
                // none, and cancels it a hold's length after that: count
                // from there (never into the past: OCTO holds it now).
                self.expires_at =
                    super::clock::after(self.unheld_at, self.params.hold_expiry).max(now);
                self.deadline = Some(self.expires_at);
                self.out.push_back(Output::Decide(Hold {
                    octo_payment_uuid: self.uuid.clone(),
                    amount,
                    expires_at: self.expires_at,
                }));
            }
            PaymentStatus::Succeeded
            | PaymentStatus::PartiallyRefunded
            | PaymentStatus::Refunded
                if before_success =>
            {
                // A partial capture takes what the shop asked for; otherwise
                // trust OCTO's figure when it is sane.
                let asked = self.decision.as_ref().and_then(|d| d.final_amount);
                let reported = total_sum.filter(|s| *s > Decimal::ZERO && *s <= cap);
                self.taken = asked.or(reported).or(self.held).unwrap_or(cap);
                self.phase = PaymentPhase::Succeeded;
                self.status = PaymentStatus::Succeeded;
                self.doubt = None;
                self.observe_refunds(status, refunded_sum);
                self.settle();
            }
            PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
                if self.phase == PaymentPhase::Succeeded =>
            {
                let before = self.refunds.refunded();
                self.observe_refunds(status, refunded_sum);
                if self.phase == PaymentPhase::Refunded || self.refunds.refunded() != before {
                    self.settle_refunds();
                }
            }
            PaymentStatus::Canceled | PaymentStatus::Failed if before_success => {
                self.phase = if *status == PaymentStatus::Canceled {
                    PaymentPhase::Canceled
                } else {
                    PaymentPhase::Failed
                };
                self.status = status.clone();
                self.in_flight = None;
                self.settle();
            }
            // Earlier statuses, unknown ones and anything that would move
            // the payment back are ignored.
            _ => {}
        }
    }

    fn observe_refunds(&mut self, status: &PaymentStatus, refunded_sum: Option<Decimal>) {
        let reported = match status {
            PaymentStatus::Refunded => Some(refunded_sum.unwrap_or(self.taken)),
            _ => refunded_sum,
        };
        if let Some(sum) = reported {
            self.refunds.observe_reported(sum, self.taken);
        }
        self.close_if_refunded();
    }

    fn close_if_refunded(&mut self) {
        if self.phase == PaymentPhase::Succeeded
            && self.taken > Decimal::ZERO
            // OCTO's own `refunded_sum` may say all of it is back while a
            // refund of ours is still open (its final word never came):
            // nothing more can be refunded either way.
            && self.refunds.refunded() >= self.taken
        {
            self.phase = PaymentPhase::Refunded;
            self.status = PaymentStatus::Refunded;
            self.in_flight = None;
        }
    }

    fn on_notice(&mut self, notice: PaymentNotice, now: OffsetDateTime) -> Result<(), Rejected> {
        if *notice.shop_transaction_id() != self.prepare.shop_transaction_id {
            return Err(Rejected::OtherTransaction);
        }
        if let Some(ours) = &self.uuid
            && ours != notice.octo_payment_uuid()
        {
            return Err(Rejected::OtherTransaction);
        }
        if self.phase.is_terminal() || *notice.status() == self.status {
            return Ok(());
        }
        if *notice.status() == PaymentStatus::WaitingForCapture {
            let hinted = self.hold_hinted_at.map_or(now, |earlier| earlier.min(now));
            self.hold_hinted_at = Some(hinted);
        }
        self.ask_octo(Some(notice.status().clone()));
        Ok(())
    }

    /// Checks the status with OCTO now, or after the command that is out.
    /// Nothing is believed until OCTO answers.
    fn ask_octo(&mut self, status: Option<PaymentStatus>) {
        if self.phase.is_terminal() {
            return;
        }
        if self.in_flight.is_none() {
            self.hint = Some(Hint {
                status,
                checked: true,
            });
            self.check_status();
        } else if self.hint.as_ref().is_none_or(|h| h.status != status) {
            self.hint = Some(Hint {
                status,
                checked: false,
            });
        }
    }

    /// After a reply: settles the pending hint when OCTO's answer covers
    /// it, or checks the status once nothing else is out. `answered` says
    /// whether the reply carried the payment's status.
    fn after_reply(&mut self, answered: bool) {
        let Some(hint) = self.hint.take() else {
            return;
        };
        if self.phase.is_terminal() {
            return;
        }
        let covered = answered && (hint.checked || hint.status.as_ref() == Some(&self.status));
        if covered {
            return;
        }
        if self.in_flight.is_some() {
            self.hint = Some(hint);
            return;
        }
        self.hint = Some(Hint {
            checked: true,
            ..hint
        });
        self.check_status();
    }

    fn on_timeout(&mut self, now: OffsetDateTime) {
        if self.in_flight.is_some() {
            return;
        }
        if let Some(deadline) = self.deadline
            && now >= deadline
            && (matches!(
                self.phase,
                PaymentPhase::Paying
                    | PaymentPhase::AwaitingCustomer
                    | PaymentPhase::Held
                    | PaymentPhase::Deciding
            ) || (self.phase == PaymentPhase::Succeeded && self.hint.is_some()))
        {
            self.check_status();
        } else if let Some(deadline) = self.deadline
            && now >= deadline
            && self.phase == PaymentPhase::Succeeded
            && let Some(uuid) = self.uuid.clone()
            && let Some(again) = self.refunds.ask_again(&uuid, now)
        {
            // A refund OCTO has not finished: the very same command, which
            // OCTO answers with the refund's status.
            self.deadline = None;
            self.send(Command::Refund(again));
        }
    }

    fn decide(&mut self, decision: SetAccept) -> Result<(), Rejected> {
        if self.phase != PaymentPhase::Held {
            return Err(self.not_now("a capture or cancel"));
        }
        // A status check in flight only reads; the decision supersedes it
        // and its late reply is refused as unexpected.
        if let Some(flight) = &self.in_flight
            && !matches!(flight.command, Command::PaymentStatus(_))
        {
            return Err(Rejected::Busy(flight.command.endpoint()));
        }
        if let Some(amount) = decision.final_amount {
            let held = self.held.unwrap_or(self.prepare.total_sum);
            if amount <= Decimal::ZERO {
                return Err(Rejected::Invalid(InputError::new(
                    "final_amount",
                    InputProblem::NotPositive,
                )));
            }
            if amount > held {
                return Err(Rejected::Invalid(InputError::new(
                    "final_amount",
                    InputProblem::ExceedsTotal { available: held },
                )));
            }
        }
        // The decision answers any `Decide` not yet polled (a run that ended
        // at a refused decision's failure leaves one queued). A status check
        // asked for but not yet polled never goes out: its answer would come
        // back while the decision is the command out. The hint it was for is
        // settled after the decision's answer instead.
        self.out
            .retain(|output| !matches!(output, Output::Decide(_)));
        let queued = self.out.len();
        self.out
            .retain(|output| !matches!(output, Output::Send(Command::PaymentStatus(_))));
        if self.out.len() != queued
            && let Some(hint) = &mut self.hint
        {
            hint.checked = false;
        }
        self.phase = PaymentPhase::Deciding;
        self.deadline = None;
        self.decision = Some(decision.clone());
        self.send(Command::SetAccept(decision));
        Ok(())
    }

    fn refund(
        &mut self,
        shop_refund_id: crate::ids::ShopRefundId,
        amount: Decimal,
        now: OffsetDateTime,
    ) -> Result<(), Rejected> {
        if self.phase != PaymentPhase::Succeeded {
            return Err(self.not_now("a refund"));
        }
        if let Some(flight) = &self.in_flight {
            return Err(Rejected::Busy(flight.command.endpoint()));
        }
        let Some(uuid) = self.uuid.clone() else {
            return Err(self.not_now("a refund"));
        };
        // Asking at once about an open refund: the next ask on the
        // machine's own counts from its answer.
        let asked_again = self.refunds.is_open(&shop_refund_id);
        match self
            .refunds
            .start(&uuid, shop_refund_id, amount, self.taken, now)?
        {
            RefundStart::Send(command) if asked_again => {
                self.deadline = None;
                self.send(Command::Refund(command));
            }
            RefundStart::Send(command) => self.send(Command::Refund(command)),
            RefundStart::AlreadyDone => {}
        }
        Ok(())
    }

    fn not_now(&self, input: &'static str) -> Rejected {
        Rejected::not_now(self.phase.is_terminal(), input, self.phase.name())
    }

    fn on_reply(&mut self, reply: Reply, now: OffsetDateTime) -> Result<(), Rejected> {
        let endpoint = reply.endpoint();
        let Some(flight) = self.in_flight.take_if(|f| f.command.endpoint() == endpoint) else {
            return Err(if self.phase.is_terminal() {
                Rejected::Finished
            } else {
                Rejected::UnexpectedReply(endpoint)
            });
        };
        let answered = matches!(
            reply,
            Reply::PreparePayment(Ok(_))
                | Reply::PaymentStatus(Ok(_))
                | Reply::SetAccept(Ok(_))
                | Reply::PayWithToken(Ok(_))
        );
        // A failed check keeps its hint: the deadline brings the next one.
        let failed_check = matches!(reply, Reply::PaymentStatus(Err(_)));
        match reply {
            Reply::PreparePayment(result) => self.on_prepared(flight, result, now),
            Reply::PaymentStatus(Ok(p)) => {
                self.learn_uuid(&p.octo_payment_uuid);
                self.observe(&p.status, p.total_sum, p.refunded_sum, now);
                self.after_check(&p.status, now);
            }
            // A failed read learnt nothing, and never ends the payment:
            // the customer may still pay, OCTO may hold or have taken the
            // money. A paid payment keeps taking refunds; any other checks
            // again after `recheck_interval`. A read that will fail the
            // same way again is reported (a run ends there) rather than
            // repeated in silence.
            Reply::PaymentStatus(Err(error)) => {
                let again = unreadable(&error);
                if again && self.phase == PaymentPhase::Succeeded {
                    self.hint = None;
                    self.deadline = None;
                } else {
                    self.deadline = Some(super::clock::recheck_after(
                        now,
                        self.params.recheck_interval,
                    ));
                }
                if again {
                    self.out
                        .push_back(Output::Failed(Failure::Request { endpoint, error }));
                }
            }
            Reply::SetAccept(Ok(p)) => {
                self.observe(&p.status, p.total_sum, p.refunded_sum, now);
                if self.phase == PaymentPhase::Deciding {
                    // Older answers may still say waiting_for_capture:
                    // confirm with a status check shortly.
                    self.deadline = Some(super::clock::recheck_after(
                        now,
                        self.params.recheck_interval,
                    ));
                }
            }
            Reply::SetAccept(Err(error)) => {
                if refused(&error) {
                    self.decision_refused(Failure::Request { endpoint, error }, now);
                } else {
                    self.doubt = Some(Doubt::Decision {
                        acted: acted(&error),
                    });
                    self.check_status();
                }
            }
            Reply::PayWithToken(result) => self.on_paid(result, now),
            Reply::Refund(result) => self.on_refund(flight, result),
            _ => return Err(Rejected::UnexpectedReply(endpoint)),
        }
        if !failed_check {
            self.after_reply(answered);
        }
        Ok(())
    }

    /// OCTO refused the capture or cancel: nothing changed there, so the
    /// money is still held. The caller hears of the refusal (a run ends
    /// there) and is asked to decide again before the hold's deadline,
    /// which still stands; a decision that cannot land any more (the hold
    /// lapsed) is settled by the status check at that deadline.
    ///
    /// The refused decision is kept until the shop makes another: a
    /// refused resend may mean that the first one landed after all, and if
    /// OCTO then shows the payment paid, what was taken is what it asked.
    fn decision_refused(&mut self, failure: Failure, now: OffsetDateTime) {
        self.phase = PaymentPhase::Held;
        self.doubt = None;
        // OCTO still held the money when it refused: never a deadline in
        // the past.
        self.expires_at = self.expires_at.max(now);
        self.deadline = Some(self.expires_at);
        self.out.push_back(Output::Failed(failure));
        self.out.push_back(Output::Decide(Hold {
            octo_payment_uuid: self.uuid.clone(),
            amount: self.held.unwrap_or(self.prepare.total_sum),
            expires_at: self.expires_at,
        }));
    }

    fn learn_uuid(&mut self, uuid: &PaymentUuid) {
        if self.uuid.is_none() {
            self.uuid = Some(uuid.clone());
        }
    }

    fn on_prepared(
        &mut self,
        flight: InFlight,
        result: Result<crate::op::Payment, Error>,
        now: OffsetDateTime,
    ) {
        let payment = match result {
            Ok(payment) => payment,
            // The transport has already retried this idempotent command as
            // its policy allows; the machine never resends on its own.
            Err(error) => {
                let endpoint = flight.command.endpoint();
                self.abort(Failure::Request { endpoint, error });
                return;
            }
        };
        // An id used before is answered with the payment made first: one of
        // another amount is not this order's (the same amount may be this
        // order's own, prepared again after a lost answer).
        if let Some(total_sum) = self.prepare.answered_with_another(&payment) {
            self.abort(Failure::OtherPayment { total_sum });
            return;
        }
        if self.uuid.is_none() {
            let ttl = Duration::minutes(i64::from(self.prepare.ttl.unwrap_or(0)));
            self.payable_until = self.payable_until.max(super::clock::after(now, ttl));
        }
        self.learn_uuid(&payment.octo_payment_uuid);
        self.observe(&payment.status, payment.total_sum, None, now);
        if self.phase != PaymentPhase::Preparing {
            return;
        }
        match (&self.token, &self.uuid) {
            (Some(token), Some(uuid)) => {
                let pay = token.command(uuid.clone());
                self.phase = PaymentPhase::Paying;
                self.send(Command::PayWithToken(pay));
            }
            _ => {
                self.phase = PaymentPhase::AwaitingCustomer;
                if let Some(url) = payment.octo_pay_url {
                    self.out.push_back(Output::Redirect(url));
                }
                self.rearm(now);
            }
        }
    }

    fn on_paid(&mut self, result: Result<crate::op::TokenPayment, Error>, now: OffsetDateTime) {
        match result {
            Ok(paid) => {
                self.observe(&paid.status, Some(paid.total_sum), paid.refunded_sum, now);
                if self.phase == PaymentPhase::Paying {
                    self.phase = PaymentPhase::AwaitingCustomer;
                    match TokenCheckout::next_step(&paid) {
                        Some(url) => {
                            self.out.push_back(Output::Redirect(url));
                            self.rearm(now);
                        }
                        // No step for the customer: the outcome comes by
                        // notification, or from a check shortly.
                        None => {
                            self.deadline = Some(super::clock::recheck_after(
                                now,
                                self.params.recheck_interval,
                            ))
                        }
                    }
                }
            }
            Err(error) if refused(&error) => self.abort(Failure::Request {
                endpoint: crate::endpoint::Endpoint::PayWithToken,
                error,
            }),
            Err(error) => {
                // Paying twice is not safe: learn what happened first.
                let acted = acted(&error);
                self.doubt = Some(Doubt::Pay { error, acted });
                self.check_status();
            }
        }
    }

    fn after_check(&mut self, status: &PaymentStatus, now: OffsetDateTime) {
        if self.phase.is_terminal() || self.phase == PaymentPhase::Succeeded {
            return;
        }
        match self.doubt.take() {
            Some(Doubt::Decision { acted })
                if self.phase == PaymentPhase::Deciding
                    && *status == PaymentStatus::WaitingForCapture =>
            {
                if acted {
                    // OCTO said it acted; the hold it still shows is an
                    // older view. Never decide twice: check again shortly.
                    self.doubt = Some(Doubt::Decision { acted });
                    self.deadline = Some(super::clock::recheck_after(
                        now,
                        self.params.recheck_interval,
                    ));
                    return;
                }
                // The decision did not land: the very same command again.
                if let Some(decision) = self.decision.clone() {
                    self.send(Command::SetAccept(decision));
                }
                return;
            }
            Some(Doubt::Pay { error, acted }) if self.phase == PaymentPhase::Paying => {
                // A "not paid yet" status proves the charge did not land
                // only when nothing was sent (every attempt failed to
                // connect). Otherwise it does not (a landed charge awaiting
                // the customer's code shows `created`), so by default the
                // machine watches the payment, as for any other status; the
                // params may read it as "not charged" when OCTO did not say
                // it acted.
                let not_paid_yet =
                    matches!(status, PaymentStatus::Created | PaymentStatus::WaitingPay);
                let never_sent = matches!(error.resend(), crate::error::Resend::Safe);
                if not_paid_yet
                    && (never_sent || (!acted && self.params.created_after_lost_charge_ends))
                {
                    self.abort(Failure::Request {
                        endpoint: crate::endpoint::Endpoint::PayWithToken,
                        error,
                    });
                    return;
                }
                self.phase = PaymentPhase::AwaitingCustomer;
                if !acted {
                    // The charge's outcome is still unknown and its answer
                    // (with any page for the customer) lost: the shop hears
                    // of it (a run ends there) while the machine watches
                    // what OCTO makes of the payment.
                    self.out.push_back(Output::Failed(Failure::Request {
                        endpoint: crate::endpoint::Endpoint::PayWithToken,
                        error,
                    }));
                }
            }
            Some(other) => self.doubt = Some(other),
            None => {}
        }
        let unpaid = matches!(
            status,
            PaymentStatus::Created | PaymentStatus::WaitUserAction | PaymentStatus::WaitingPay
        );
        if self.phase == PaymentPhase::AwaitingCustomer
            && unpaid
            && now >= self.expires_at
            && now >= self.payable_until
            && !self.expiry_reported
        {
            // No page says what an unpaid payment becomes past its ttl:
            // the shop hears of it once, and the machine keeps looking.
            self.expiry_reported = true;
            self.out.push_back(Output::Failed(Failure::Expired {
                status: status.clone(),
            }));
        }
        self.rearm(now);
    }

    fn on_refund(&mut self, flight: InFlight, result: Result<crate::op::RefundResult, Error>) {
        let Command::Refund(command) = &flight.command else {
            return;
        };
        let id = command.shop_refund_id.clone();
        // OCTO had taken this refund already: this was an ask about it.
        let asked_again = self.refunds.is_open(&id);
        match result {
            Ok(answer) => {
                if !self.refunds.answered(&id, &answer) {
                    self.out.push_back(Output::Failed(Failure::RefundInDoubt {
                        shop_refund_id: id,
                        status: answer.status,
                    }));
                    return;
                }
                if matches!(
                    answer.status,
                    crate::enums::RefundStatus::Canceled | crate::enums::RefundStatus::Error
                ) {
                    self.out.push_back(Output::Failed(Failure::RefundRefused {
                        shop_refund_id: id,
                        status: answer.status,
                    }));
                    // OCTO may have reported the whole amount refunded
                    // while this refund was open, or another refund may
                    // have succeeded meanwhile, its `Done` held back.
                    self.close_if_refunded();
                    if self.phase == PaymentPhase::Refunded
                        || (self.refunds_unreported && !self.refunds.has_open())
                    {
                        self.settle();
                    }
                } else if self.refunds.is_open(&id) {
                    // Not finished: asked about again after the interval.
                } else {
                    self.close_if_refunded();
                    self.settle_refunds();
                }
            }
            // An ask about a refund OCTO took failed: that says nothing
            // about the refund, which stays open with its amount reserved.
            // A failure that would come again is reported and the next ask
            // left to the shop (the same `Input::Refund`); any other is
            // asked again after the interval, as a failed status check is.
            // OCTO refusing the ask (it may turn a duplicate id away) is
            // reported as what it is for the refund: no refusal of it.
            Err(error) if asked_again => {
                if unreadable(&error) {
                    self.refunds.pause(&id);
                    self.out.push_back(Output::Failed(Failure::Request {
                        endpoint: crate::endpoint::Endpoint::Refund,
                        error: not_a_refusal(error),
                    }));
                }
            }
            // Refused: the amount is free again, unless an earlier call of
            // this refund may have made it (OCTO may refuse the duplicate);
            // it then stays in doubt, and the shop must not hear "refused".
            Err(error) if refused(&error) => {
                let error = if self.refunds.refused(&id) {
                    error
                } else {
                    not_a_refusal(error)
                };
                self.out.push_back(Output::Failed(Failure::Request {
                    endpoint: crate::endpoint::Endpoint::Refund,
                    error,
                }));
            }
            Err(error) => {
                // The transport has already retried it. The refund stays in
                // doubt and keeps its amount reserved; a refund with the
                // same id sends the same command (OCTO's page: the id
                // filters duplicates), and a later refusal of it frees
                // nothing.
                self.refunds.doubted(&id);
                self.out.push_back(Output::Failed(Failure::Request {
                    endpoint: crate::endpoint::Endpoint::Refund,
                    error,
                }));
            }
        }
    }

    fn wait(&self) -> Wait {
        let awaiting = match self.phase {
            PaymentPhase::Held => Awaiting::Decision,
            PaymentPhase::Succeeded if self.refunds.has_due() => Awaiting::Refund,
            PaymentPhase::Succeeded => Awaiting::Caller,
            phase if phase.is_terminal() => Awaiting::Nothing,
            _ => Awaiting::Notification,
        };
        Wait::after(self.in_flight.as_ref(), self.deadline, awaiting)
    }
}

/// A refusal of a refund call that frees nothing (an earlier call of the
/// refund may have made it) as the error the shop hears: not a refusal,
/// so it is not read as "nothing was refunded".
fn not_a_refusal(error: Error) -> Error {
    if error.is_refusal() {
        Error::RefusedAfterResend(Box::new(error))
    } else {
        error
    }
}

impl Machine for PaymentMachine {
    type Outcome = PaymentOutcome;

    fn handle_input(&mut self, input: Input, now: OffsetDateTime) -> Result<(), Rejected> {
        self.on_input(input, now)?;
        self.arm_refund_check(now);
        Ok(())
    }

    fn poll_output(&mut self) -> Output<PaymentOutcome> {
        self.out
            .pop_front()
            .unwrap_or_else(|| Output::Wait(self.wait()))
    }

    fn is_terminal(&self) -> bool {
        self.phase.is_terminal()
    }
}

impl PaymentMachine {
    fn on_input(&mut self, input: Input, now: OffsetDateTime) -> Result<(), Rejected> {
        match input {
            Input::Reply(reply) => self.on_reply(reply, now),
            Input::Notification(notice) => self.on_notice(notice, now),
            Input::CheckStatus => {
                self.ask_octo(None);
                Ok(())
            }
            Input::Timeout => {
                self.on_timeout(now);
                Ok(())
            }
            Input::Capture { final_amount } => {
                let uuid = self.uuid.clone().ok_or_else(|| self.not_now("a capture"))?;
                let held = self.held.unwrap_or(self.prepare.total_sum);
                let decision = match final_amount {
                    Some(amount) => SetAccept::capture_partial(uuid, amount),
                    None if self.params.full_capture_sends_final_amount => {
                        SetAccept::capture_held(uuid, held)
                    }
                    None => SetAccept::capture(uuid),
                };
                self.decide(decision)
            }
            Input::Cancel => {
                let uuid = self.uuid.clone().ok_or_else(|| self.not_now("a cancel"))?;
                self.decide(SetAccept::cancel(uuid))
            }
            Input::Refund {
                shop_refund_id,
                amount,
            } => self.refund(shop_refund_id, amount, now),
            Input::Code(_) => Err(self.not_now("a code")),
            Input::ResendCode => Err(self.not_now("a resend")),
            Input::Tokenization(_) => Err(self.not_now("a tokenization callback")),
            Input::Block => Err(self.not_now("a block")),
        }
    }
}
