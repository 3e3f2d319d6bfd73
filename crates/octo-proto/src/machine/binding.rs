//! Binding a card to get a token: Humo and Uzcard confirm with an SMS code,
//! Visa and Mastercard on a 3-D Secure page.
//!
//! ```text
//!   Binding ──bind_card──┬─ humo/uzcard ─► Verifying ──verificationInfo──► AwaitingCode ◄──┐
//!                        │                                  AskCode ◄──┘  │   │  │        │
//!                        │                       code: check_sms_key ─────┘   │  │ wrong  │
//!                        │                              ▼                     │  └────────┘
//!                        │                          Checking ──ok──┐   resend: check_pan
//!                        │                              │ lost     │   (Resending; 17 ends resends)
//!                        │                              ▼          │
//!                        │                 Confirming (status) ────┤ paid: confirmed
//!                        └─ visa/mc ─► Redirect(3-D Secure) ───────┤
//!                                                                  ▼
//!                                                          AwaitingCallback
//!                          callback active + confirmed ─► Bound
//!   three wrong codes, an expired code with no resend left ─► Failed
//!   no callback in time ─► Failed, unless OCTO confirmed the card and no
//!     `failed` callback came (then reported, and a late callback still binds)
//!   callback failed ─► reported once; OCTO's answers (or the timeout) decide
//! ```
//!
//! # What the machine trusts
//!
//! OCTO's tokenization callback carries no signature, so anyone who knows a
//! `shop_transaction_id` could post one. An `active` callback therefore
//! never finishes a binding by itself. Two things must hold:
//!
//! - **OCTO confirmed the card**, in an answer to a request the shop made:
//!   on the SMS route, `check_sms_key` answered successfully (or, when its
//!   answer was lost, a status check shows the binding payment paid); on
//!   the 3-D Secure route, where there is no `check_sms_key`, a status
//!   check (`prepare_payment` with only the `shop_transaction_id`) shows
//!   the binding payment paid (`succeeded`, `refunded` or
//!   `partially_refunded`: OCTO charges and returns a test amount).
//! - **The callback's card is the card being bound**: the first six and
//!   last four digits of its `pan` ([`TokenNotice::card`]) match the card
//!   given to `bind_card`. A callback with another card, or none, is
//!   refused with [`Rejected::CardMismatch`]. A confirming answer that
//!   names another card (`first6`/`last4`) fails the binding
//!   ([`Failure::CardMismatch`]).
//!
//! An `active` callback that arrives **before** the confirmation is kept
//! (the input is accepted, so the shop acknowledges it and OCTO does not
//! cancel the token) and applied once OCTO confirms. When it arrives while
//! the machine is idle, the machine asks OCTO at once with a status check:
//! on the SMS route a payment still open sends the customer back to the
//! code prompt; on the 3-D Secure route the machine checks again every
//! [`BindingParams::confirm_interval`] until
//! [`BindingParams::callback_timeout`] ends the binding. A kept callback
//! lives only in the machine's memory: store its token durably but marked
//! unconfirmed before answering OCTO, and use it only once [`Output::Done`]
//! confirms it. A `failed` callback is unsigned too: it is reported once
//! ([`Failure::TokenFailed`]) and never ends the binding by itself; OCTO's
//! answers do (on the 3-D Secure route the machine asks at once).
//!
//! # OCTO's payment id
//!
//! The OTP resend (`check_pan`) names the payment by OCTO's integer
//! [`PaymentId`], not by its UUID. The machine reads it from every answer
//! that carries it (`id` or `paymentId` in `bind_card`, `verificationInfo`,
//! `check_pan` and status answers). While it is unknown, the prompt says
//! `can_resend: false` and [`Input::ResendCode`] is refused with
//! [`Rejected::PaymentIdUnknown`]: no guessed number is ever sent.
//!
//! # Retries
//!
//! The machine never resends a command on its own. A `bind_card` whose
//! outcome is unknown (it is not idempotent: a resend meets error 20) is
//! followed by a status check to learn whether the binding exists; other
//! failures end the binding.

use std::collections::VecDeque;

use time::{Duration, OffsetDateTime};

use super::Machine;
use super::command::{Command, InFlight, Reply, refused};
use super::failure::{Failure, Rejected};
use super::input::Input;
use super::notice::TokenNotice;
use super::output::{Awaiting, CodePrompt, Output, Wait};
use crate::card::{MaskedPan, Pan};
use crate::enums::{PaymentMethod, PaymentStatus, TokenStatus};
use crate::error::{Error, ErrorCode};
use crate::ids::{PaymentId, PaymentUuid, ShopTransactionId, VerifyId};
use crate::op::{
    BindCard, CheckPan, CheckSmsKey, Endpoint, Payment, PaymentStatusCheck, SmsCode, Verification,
    VerificationInfo,
};
use crate::secret::CardToken;

/// The limits of a binding machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindingParams {
    /// Wrong codes that end the binding. Default 3 (OCTO cancels after
    /// three for Uzcard).
    pub max_wrong_codes: u32,
    /// How long to wait for the tokenization callback, and for OCTO to
    /// confirm it, after the customer confirmed (or was sent to the 3-D
    /// Secure page). Default 10 minutes (no page gives a figure). Past it
    /// a binding OCTO has not confirmed ends with
    /// [`Failure::CallbackTimeout`]; one OCTO confirmed reports that
    /// failure and stays open, so that a late callback still binds.
    pub callback_timeout: Duration,
    /// How long to wait before asking OCTO again when a callback came but
    /// OCTO does not show the binding payment paid yet. Default 30 seconds;
    /// anything under a second counts as one.
    pub confirm_interval: Duration,
}

impl Default for BindingParams {
    fn default() -> Self {
        Self {
            max_wrong_codes: 3,
            callback_timeout: Duration::minutes(10),
            confirm_interval: Duration::seconds(30),
        }
    }
}

/// Where a binding machine stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BindingPhase {
    /// `bind_card` is under way.
    Binding,
    /// `verificationInfo` is under way.
    Verifying,
    /// Waiting for the customer's code.
    AwaitingCode,
    /// `check_sms_key` is under way.
    Checking,
    /// `check_pan` (a resend) is under way.
    Resending,
    /// A status check is under way: OCTO is asked whether the binding
    /// payment exists or went through.
    Confirming,
    /// Waiting for the tokenization callback (or for OCTO to confirm one).
    AwaitingCallback,
    /// The card is bound (terminal).
    Bound,
    /// The binding failed (terminal).
    Failed,
}

impl BindingPhase {
    /// Whether the phase absorbs every further input.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Bound | Self::Failed)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Binding => "binding",
            Self::Verifying => "verifying",
            Self::AwaitingCode => "awaiting the code",
            Self::Checking => "checking the code",
            Self::Resending => "resending the code",
            Self::Confirming => "confirming with OCTO",
            Self::AwaitingCallback => "awaiting the callback",
            Self::Bound => "bound",
            Self::Failed => "failed",
        }
    }
}

/// A bound card, carried by [`Output::Done`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundCard {
    /// The shop's id of the binding.
    pub shop_transaction_id: ShopTransactionId,
    /// The token (secret): store it, then answer the callback.
    pub card_token: CardToken,
    /// The card, masked.
    pub card: Option<MaskedPan>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Code {
    verify_id: VerifyId,
    phone: Option<String>,
    expires_at: OffsetDateTime,
    expiry_announced: bool,
}

/// Why a status check is under way.
#[derive(Debug)]
enum Check {
    /// `bind_card`'s outcome is unknown: does the binding exist?
    Bind(Error),
    /// `check_sms_key`'s outcome is unknown: did the code go through?
    Code,
    /// A callback came before OCTO confirmed: did the card go through?
    Callback,
}

/// Whether OCTO's answer shows the binding payment through.
fn paid(status: &PaymentStatus) -> bool {
    status.is_paid()
}

fn ended(status: &PaymentStatus) -> bool {
    matches!(status, PaymentStatus::Canceled | PaymentStatus::Failed)
}

/// The leading digits and the last four digits of a masked card
/// (`860031******4318`, `860031** **** 4318`).
fn ends_of(masked: &MaskedPan) -> (String, String) {
    let text = masked.as_str();
    let first: String = text.chars().take_while(char::is_ascii_digit).collect();
    let mut last: Vec<char> = text
        .chars()
        .rev()
        .filter(char::is_ascii_digit)
        .take(4)
        .collect();
    last.reverse();
    (first, last.into_iter().collect())
}

/// Whether `masked` shows the same first six and last four digits as `pan`.
fn same_card(masked: &MaskedPan, pan: &Pan) -> bool {
    let (first, last) = ends_of(masked);
    first.len() >= 6 && first.starts_with(pan.first6()) && last == pan.last4()
}

/// OCTO's integer payment id in a payment answer's unmodelled fields.
fn payment_id_in(payment: &Payment) -> Option<PaymentId> {
    ["id", "paymentId"]
        .into_iter()
        .find_map(|key| payment.extra.get(key).and_then(PaymentId::from_json))
}

/// One card binding.
///
/// ```
/// use octo_proto::machine::{BindingMachine, BindingParams, Machine, Output};
/// use octo_proto::{CardExpiry, PaymentMethod, Pan, op::BindCard};
/// use time::macros::datetime;
///
/// let bind = BindCard {
///     shop_transaction_id: "bind-1".parse()?,
///     pan: Pan::new("8600312990314318")?,
///     exp: CardExpiry::parse_yymm("2805")?,
///     phone: "998901234567".into(),
///     card_holder_name: "A. Karimov".into(),
///     cvc2: None,
///     method: PaymentMethod::Uzcard,
///     return_url: "https://shop.example/cards".into(),
///     notify_url: None,
///     bind_notify_url: None,
/// };
/// let now = datetime!(2024-05-02 09:17 UTC);
/// let mut binding = BindingMachine::new(bind, BindingParams::default(), now);
/// assert!(matches!(binding.poll_output(), Output::Send(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct BindingMachine {
    bind: BindCard,
    params: BindingParams,
    phase: BindingPhase,
    uuid: Option<PaymentUuid>,
    payment_id: Option<PaymentId>,
    code: Option<Code>,
    wrong_codes: u32,
    can_resend: bool,
    /// OCTO confirmed the card (see the module docs).
    confirmed: bool,
    /// An `active` callback for our card, waiting for OCTO's confirmation.
    kept: Option<TokenNotice>,
    /// A `failed` callback came and was reported (once: OCTO repeats it).
    failed_callback: bool,
    check: Option<Check>,
    in_flight: Option<InFlight>,
    deadline: Option<OffsetDateTime>,
    callback_deadline: Option<OffsetDateTime>,
    out: VecDeque<Output<BoundCard>>,
}

impl BindingMachine {
    /// Starts a binding: the first output sends `bind`.
    pub fn new(bind: BindCard, params: BindingParams, _now: OffsetDateTime) -> Self {
        let mut machine = Self {
            bind,
            params,
            phase: BindingPhase::Binding,
            uuid: None,
            payment_id: None,
            code: None,
            wrong_codes: 0,
            can_resend: true,
            confirmed: false,
            kept: None,
            failed_callback: false,
            check: None,
            in_flight: None,
            deadline: None,
            callback_deadline: None,
            out: VecDeque::new(),
        };
        machine.send(Command::BindCard(machine.bind.clone()));
        machine
    }

    /// Where the machine stands.
    pub fn phase(&self) -> BindingPhase {
        self.phase
    }

    /// Wrong codes typed so far.
    pub fn wrong_codes(&self) -> u32 {
        self.wrong_codes
    }

    /// OCTO's id of the binding payment, once known.
    pub fn octo_payment_uuid(&self) -> Option<&PaymentUuid> {
        self.uuid.as_ref()
    }

    /// OCTO's integer number for the binding payment (what a resend
    /// sends), once an answer carried it.
    pub fn octo_payment_id(&self) -> Option<PaymentId> {
        self.payment_id
    }

    fn by_sms(&self) -> bool {
        matches!(
            self.bind.method,
            PaymentMethod::Humo | PaymentMethod::Uzcard
        )
    }

    fn send(&mut self, command: Command) {
        self.in_flight = Some(InFlight::new(command.clone()));
        self.out.push_back(Output::Send(command));
    }

    fn fail(&mut self, failure: Failure) {
        self.phase = BindingPhase::Failed;
        self.in_flight = None;
        self.deadline = None;
        self.kept = None;
        self.check = None;
        self.out.push_back(Output::Failed(failure));
    }

    fn not_now(&self, input: &'static str) -> Rejected {
        Rejected::not_now(self.phase.is_terminal(), input, self.phase.name())
    }

    fn wait(&self) -> Wait {
        let awaiting = match self.phase {
            BindingPhase::AwaitingCode => Awaiting::Code,
            phase if phase.is_terminal() => Awaiting::Nothing,
            _ => Awaiting::Tokenization,
        };
        Wait::after(self.in_flight.as_ref(), self.deadline, awaiting)
    }

    fn learn_id(&mut self, id: Option<PaymentId>) {
        if id.is_some() {
            self.payment_id = id;
        }
    }

    fn verify(&mut self) {
        if let Some(uuid) = self.uuid.clone() {
            self.phase = BindingPhase::Verifying;
            self.send(Command::VerificationInfo(VerificationInfo::new(uuid)));
        }
    }

    /// Asks OCTO for the binding payment's status.
    fn check_status(&mut self, why: Check) {
        self.phase = BindingPhase::Confirming;
        self.deadline = None;
        self.check = Some(why);
        self.send(Command::PaymentStatus(PaymentStatusCheck::new(
            self.bind.shop_transaction_id.clone(),
        )));
    }

    /// Waits for the callback (or OCTO's confirmation of a kept one) until
    /// the callback deadline, set the first time.
    fn await_callback(&mut self, now: OffsetDateTime) {
        self.phase = BindingPhase::AwaitingCallback;
        let until = *self
            .callback_deadline
            .get_or_insert(super::clock::after(now, self.params.callback_timeout));
        self.deadline = Some(until);
    }

    /// The 3-D Secure route, not yet confirmed: wait, and ask OCTO again
    /// about a kept callback after `confirm_interval`.
    fn await_confirmation(&mut self, now: OffsetDateTime) {
        self.await_callback(now);
        if self.kept.is_some() {
            let again = super::clock::recheck_after(now, self.params.confirm_interval);
            self.deadline = self.deadline.map(|d| d.min(again)).or(Some(again));
        }
    }

    /// OCTO confirmed the card: bind with a kept callback, or wait for one.
    fn confirm(&mut self, now: OffsetDateTime) {
        self.confirmed = true;
        match self.kept.take() {
            Some(notice) => self.bind_with(notice),
            None => self.await_callback(now),
        }
    }

    fn bind_with(&mut self, notice: TokenNotice) {
        self.phase = BindingPhase::Bound;
        self.in_flight = None;
        self.deadline = None;
        self.check = None;
        let card = MaskedPan::from_parts(self.bind.pan.first6(), self.bind.pan.last4());
        self.out.push_back(Output::Done(BoundCard {
            shop_transaction_id: notice.shop_transaction_id,
            card_token: notice.card_token,
            card,
        }));
    }

    /// Whether a confirming answer names our card (or no card at all).
    fn card_agrees(&self, payment: &Payment) -> bool {
        payment
            .card
            .as_ref()
            .is_none_or(|card| same_card(card, &self.bind.pan))
    }

    fn can_resend_now(&self) -> bool {
        self.can_resend && self.payment_id.is_some()
    }

    fn prompt(&mut self, now: OffsetDateTime) {
        let can_resend = self.can_resend_now();
        let Some(code) = &mut self.code else { return };
        let left = (code.expires_at - now).whole_seconds().max(0);
        let seconds_left = u32::try_from(left).unwrap_or(u32::MAX);
        if seconds_left == 0 {
            if !can_resend {
                self.fail(Failure::ResendsExhausted);
                return;
            }
            code.expiry_announced = true;
        }
        self.phase = BindingPhase::AwaitingCode;
        self.deadline = (seconds_left > 0).then_some(code.expires_at);
        let prompt = CodePrompt {
            phone: code.phone.clone(),
            seconds_left,
            attempts_left: self.params.max_wrong_codes.saturating_sub(self.wrong_codes),
            can_resend,
        };
        self.out.push_back(Output::AskCode(prompt));
    }

    fn new_code(&mut self, v: Verification, now: OffsetDateTime) {
        self.learn_id(v.payment_id);
        self.code = Some(Code {
            verify_id: v.verify_id,
            phone: v.phone,
            expires_at: super::clock::after(now, Duration::seconds(i64::from(v.seconds_left))),
            expiry_announced: false,
        });
        self.prompt(now);
    }

    fn code_expired(&self, now: OffsetDateTime) -> bool {
        self.code.as_ref().is_none_or(|c| now >= c.expires_at)
    }

    fn on_code(&mut self, sms_key: SmsCode, now: OffsetDateTime) -> Result<(), Rejected> {
        if self.phase != BindingPhase::AwaitingCode {
            return Err(self.not_now("a code"));
        }
        if self.code_expired(now) {
            return Err(Rejected::CodeExpired);
        }
        let (Some(uuid), Some(code)) = (self.uuid.clone(), &self.code) else {
            return Err(self.not_now("a code"));
        };
        let check = CheckSmsKey {
            octo_payment_uuid: uuid,
            verify_id: code.verify_id,
            sms_key,
        };
        self.phase = BindingPhase::Checking;
        self.deadline = None;
        self.send(Command::CheckSmsKey(check));
        Ok(())
    }

    fn on_resend(&mut self) -> Result<(), Rejected> {
        if self.phase != BindingPhase::AwaitingCode {
            return Err(self.not_now("a resend"));
        }
        if !self.can_resend {
            return Err(Rejected::NoResendLeft);
        }
        // Never a guessed number: without OCTO's id there is no resend.
        let Some(payment_id) = self.payment_id else {
            return Err(Rejected::PaymentIdUnknown);
        };
        let resend = CheckPan {
            pan: self.bind.pan.clone(),
            exp: self.bind.exp,
            payment_id,
        };
        self.phase = BindingPhase::Resending;
        self.deadline = None;
        self.send(Command::CheckPan(resend));
        Ok(())
    }

    fn on_callback(&mut self, notice: TokenNotice) -> Result<(), Rejected> {
        if notice.shop_transaction_id != self.bind.shop_transaction_id {
            return Err(Rejected::OtherTransaction);
        }
        let our_card = notice
            .card
            .as_ref()
            .is_some_and(|card| same_card(card, &self.bind.pan));
        if notice.status == TokenStatus::Active && !our_card {
            return Err(Rejected::CardMismatch);
        }
        match self.phase {
            // OCTO retries its callback: the same answer again is fine.
            BindingPhase::Bound if notice.status == TokenStatus::Active => return Ok(()),
            BindingPhase::Failed
                if matches!(notice.status, TokenStatus::Failed | TokenStatus::Blocked) =>
            {
                return Ok(());
            }
            phase if phase.is_terminal() => return Err(Rejected::Finished),
            _ => {}
        }
        match notice.status {
            TokenStatus::Active if self.confirmed => self.bind_with(notice),
            TokenStatus::Active => {
                // Kept until OCTO confirms; ask OCTO now when idle.
                self.kept = Some(notice);
                let idle = self.in_flight.is_none()
                    && matches!(
                        self.phase,
                        BindingPhase::AwaitingCode | BindingPhase::AwaitingCallback
                    );
                if idle {
                    self.check_status(Check::Callback);
                }
            }
            // Unsigned, so it never ends the binding alone: it is reported
            // (once), and OCTO's answers decide. On the 3-D Secure route
            // the machine asks OCTO at once; on the SMS route the
            // customer's code (or its answer) does.
            TokenStatus::Failed | TokenStatus::Blocked => {
                if !self.failed_callback {
                    self.failed_callback = true;
                    self.out.push_back(Output::Failed(Failure::TokenFailed));
                }
                let idle = self.in_flight.is_none()
                    && self.phase == BindingPhase::AwaitingCallback
                    && !self.confirmed;
                if idle {
                    self.check_status(Check::Callback);
                }
            }
            // `init` says nothing new.
            _ => {}
        }
        Ok(())
    }

    fn on_timeout(&mut self, now: OffsetDateTime) {
        if self.in_flight.is_some() {
            return;
        }
        match self.phase {
            BindingPhase::AwaitingCallback if self.callback_deadline.is_some_and(|d| now >= d) => {
                if self.confirmed && self.failed_callback {
                    // OCTO confirmed the card, but the callback said the
                    // token failed and no `active` one came: that stands.
                    self.fail(Failure::TokenFailed);
                } else if self.confirmed {
                    // OCTO confirmed the card, so its token is on the way
                    // (no page says how long it takes): the timeout is
                    // reported, and the machine stays open with nothing
                    // scheduled, so that a late callback still binds
                    // instead of being refused until OCTO cancels it.
                    self.callback_deadline = None;
                    self.deadline = None;
                    self.out.push_back(Output::Failed(Failure::CallbackTimeout));
                } else {
                    self.fail(Failure::CallbackTimeout);
                }
            }
            BindingPhase::AwaitingCallback
                if self.kept.is_some() && self.deadline.is_some_and(|d| now >= d) =>
            {
                self.check_status(Check::Callback);
            }
            BindingPhase::AwaitingCode => {
                let announced = self.code.as_ref().is_none_or(|c| c.expiry_announced);
                if self.code_expired(now) && !announced {
                    self.prompt(now);
                }
            }
            _ => {}
        }
    }

    fn on_bind_card(&mut self, p: Payment, now: OffsetDateTime) {
        self.uuid = Some(p.octo_payment_uuid.clone());
        self.learn_id(payment_id_in(&p));
        if ended(&p.status) {
            self.fail(Failure::Ended(p.status));
        } else if self.by_sms() {
            self.verify();
        } else {
            if let Some(url) = p.octo_pay_url {
                self.out.push_back(Output::Redirect(url));
            }
            if self.kept.is_some() {
                self.check_status(Check::Callback);
            } else {
                self.await_callback(now);
            }
        }
    }

    /// Not confirmed yet: back to where the customer acts.
    fn unconfirmed(&mut self, now: OffsetDateTime) {
        if self.by_sms() && self.code.is_some() {
            self.prompt(now);
        } else {
            self.await_confirmation(now);
        }
    }

    fn on_status(&mut self, result: Result<Payment, Error>, now: OffsetDateTime) {
        let why = self.check.take();
        match (why, result) {
            (Some(Check::Bind(_)), Ok(p)) => self.on_bind_card(p, now),
            // The binding was never made, or is still unknown.
            (Some(Check::Bind(error)), Err(_)) => self.fail(Failure::Request {
                endpoint: Endpoint::BindCard,
                error,
            }),
            (_, Ok(p)) => {
                self.learn_id(payment_id_in(&p));
                let ours = self.uuid.as_ref().is_none_or(|u| *u == p.octo_payment_uuid);
                if ended(&p.status) {
                    self.fail(Failure::Ended(p.status));
                } else if ours && paid(&p.status) {
                    if self.card_agrees(&p) {
                        self.confirm(now);
                    } else {
                        self.fail(Failure::CardMismatch);
                    }
                } else {
                    self.unconfirmed(now);
                }
            }
            // No answer: nothing learnt; a code may be typed again (it was
            // not counted), a kept callback is asked about again later.
            (_, Err(_)) => self.unconfirmed(now),
        }
    }

    fn on_reply(&mut self, reply: Reply, now: OffsetDateTime) -> Result<(), Rejected> {
        let endpoint = reply.endpoint();
        if self
            .in_flight
            .take_if(|f| f.command.endpoint() == endpoint)
            .is_none()
        {
            return Err(if self.phase.is_terminal() {
                Rejected::Finished
            } else {
                Rejected::UnexpectedReply(endpoint)
            });
        }
        match reply {
            Reply::BindCard(Ok(p)) => self.on_bind_card(p, now),
            // Not resent (error 20 would meet it): ask whether it exists.
            Reply::BindCard(Err(error)) if !refused(&error) => {
                self.check_status(Check::Bind(error));
            }
            Reply::BindCard(Err(error)) => self.fail(Failure::Request { endpoint, error }),
            Reply::PaymentStatus(result) => self.on_status(result, now),
            Reply::VerificationInfo(Ok(v)) => self.new_code(v, now),
            Reply::VerificationInfo(Err(error)) => {
                self.fail(Failure::Request { endpoint, error });
            }
            Reply::CheckPan(Ok(v)) => self.new_code(v, now),
            Reply::CheckPan(Err(error)) if error.code() == Some(ErrorCode::TooManyOtpResends) => {
                self.can_resend = false;
                self.prompt(now);
            }
            Reply::CheckPan(Err(error)) if refused(&error) => {
                self.fail(Failure::Request { endpoint, error })
            }
            // Whether a new code went out is unknown: ask which one is live.
            Reply::CheckPan(Err(_)) => self.verify(),
            Reply::CheckSmsKey(Ok(p)) => {
                self.learn_id(payment_id_in(&p));
                if ended(&p.status) {
                    self.fail(Failure::Ended(p.status));
                } else if !self.card_agrees(&p) {
                    self.fail(Failure::CardMismatch);
                } else {
                    self.confirm(now);
                }
            }
            Reply::CheckSmsKey(Err(error)) if refused(&error) => self.wrong_code(now),
            // The code may have been taken: ask OCTO rather than the
            // customer, and count nothing.
            Reply::CheckSmsKey(Err(_)) => self.check_status(Check::Code),
            _ => return Err(Rejected::UnexpectedReply(endpoint)),
        }
        Ok(())
    }

    fn wrong_code(&mut self, now: OffsetDateTime) {
        self.wrong_codes += 1;
        if self.wrong_codes >= self.params.max_wrong_codes {
            self.fail(Failure::TooManyWrongCodes {
                attempts: self.wrong_codes,
            });
        } else {
            self.prompt(now);
        }
    }
}

impl Machine for BindingMachine {
    type Outcome = BoundCard;

    fn handle_input(&mut self, input: Input, now: OffsetDateTime) -> Result<(), Rejected> {
        match input {
            Input::Reply(reply) => self.on_reply(reply, now),
            Input::Tokenization(notice) => self.on_callback(notice),
            Input::Code(code) => self.on_code(code, now),
            Input::ResendCode => self.on_resend(),
            Input::Timeout => {
                self.on_timeout(now);
                Ok(())
            }
            Input::Notification(_) | Input::CheckStatus => {
                Err(self.not_now("a payment notification"))
            }
            Input::Capture { .. } | Input::Cancel => Err(self.not_now("a capture or cancel")),
            Input::Refund { .. } => Err(self.not_now("a refund")),
            Input::Block => Err(self.not_now("a block")),
        }
    }

    fn poll_output(&mut self) -> Output<BoundCard> {
        self.out
            .pop_front()
            .unwrap_or_else(|| Output::Wait(self.wait()))
    }

    fn is_terminal(&self) -> bool {
        self.phase.is_terminal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_compare_by_first_six_and_last_four() {
        let pan = Pan::new("8600312990314318").unwrap();
        for same in [
            "860031******4318",
            "860031** **** 4318",
            "860031 ****** 4318",
        ] {
            assert!(same_card(&MaskedPan::new(same).unwrap(), &pan), "{same}");
        }
        for other in [
            "860032******4318",
            "860031******4319",
            "86003******4318",
            "******4318",
        ] {
            assert!(!same_card(&MaskedPan::new(other).unwrap(), &pan), "{other}");
        }
    }
}
