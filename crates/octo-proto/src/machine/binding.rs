//! Binding a card to get a token: Humo and Uzcard confirm with an SMS code,
//! Visa and Mastercard on a 3-D Secure page.
//!
//! ```text
//!   Binding ──bind_card──┬─ humo/uzcard ─► Verifying ──verificationInfo──► AwaitingCode ◄──┐
//!                        │                                  AskCode ◄──┘  │   │  │        │
//!                        │                       code: check_sms_key ─────┘   │  │ wrong  │
//!                        │                              ▼                     │  └────────┘
//!                        │                          Checking ──ok──┐   resend: check_pan
//!                        │                                         │   (Resending; 17 ends resends)
//!                        └─ visa/mc ─► Redirect(3-D Secure) ───────┤
//!                                                                  ▼
//!                                                          AwaitingCallback
//!                                   callback active ─► Bound      callback failed ─► Failed
//!   three wrong codes, an expired code with no resend left, no callback in time ─► Failed
//! ```
//!
//! The callback is accepted in every state after `bind_card`: the code may
//! have been taken even when the reply to `check_sms_key` was lost. A
//! callback for another `shop_transaction_id` is refused.

use std::collections::VecDeque;

use time::{Duration, OffsetDateTime};

use super::drive::{
    Awaiting, CodePrompt, Command, Failure, InFlight, Input, Machine, Output, Rejected, Reply,
    TokenNotice, Wait, refused,
};
use crate::card::MaskedPan;
use crate::enums::{PaymentMethod, PaymentStatus, TokenStatus};
use crate::error::{Error, ErrorCode};
use crate::ids::{PaymentUuid, ShopTransactionId, VerifyId};
use crate::op::{
    BindCard, CheckPan, CheckSmsKey, Endpoint, SmsCode, Verification, VerificationInfo,
};
use crate::secret::CardToken;

/// The limits of a binding machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindingParams {
    /// Wrong codes that end the binding. Default 3 (OCTO cancels after
    /// three for Uzcard).
    pub max_wrong_codes: u32,
    /// How long to wait for the tokenization callback after the customer
    /// confirmed. Default 10 minutes.
    pub callback_timeout: Duration,
    /// How often an idempotent command is sent in all before the machine
    /// gives up on an unknown outcome. Default 3.
    pub max_attempts: u32,
}

impl Default for BindingParams {
    fn default() -> Self {
        Self {
            max_wrong_codes: 3,
            callback_timeout: Duration::minutes(10),
            max_attempts: 3,
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
    /// Waiting for the tokenization callback.
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
    code: Option<Code>,
    wrong_codes: u32,
    can_resend: bool,
    in_flight: Option<InFlight>,
    deadline: Option<OffsetDateTime>,
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
            code: None,
            wrong_codes: 0,
            can_resend: true,
            in_flight: None,
            deadline: None,
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
        self.out.push_back(Output::Failed(failure));
    }

    fn not_now(&self, input: &'static str) -> Rejected {
        if self.phase.is_terminal() {
            Rejected::Finished
        } else {
            Rejected::NotNow {
                input,
                state: self.phase.name(),
            }
        }
    }

    fn verify(&mut self) {
        if let Some(uuid) = self.uuid.clone() {
            self.phase = BindingPhase::Verifying;
            self.send(Command::VerificationInfo(VerificationInfo::new(uuid)));
        }
    }

    fn await_callback(&mut self, now: OffsetDateTime) {
        self.phase = BindingPhase::AwaitingCallback;
        self.deadline = Some(now + self.params.callback_timeout);
    }

    fn prompt(&mut self, now: OffsetDateTime) {
        let Some(code) = &mut self.code else { return };
        let left = (code.expires_at - now).whole_seconds().max(0);
        let seconds_left = u32::try_from(left).unwrap_or(u32::MAX);
        if seconds_left == 0 {
            if !self.can_resend {
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
            can_resend: self.can_resend,
        };
        self.out.push_back(Output::AskCode(prompt));
    }

    fn new_code(&mut self, v: Verification, now: OffsetDateTime) {
        self.code = Some(Code {
            verify_id: v.verify_id,
            phone: v.phone,
            expires_at: now + Duration::seconds(i64::from(v.seconds_left)),
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
        let Some(uuid) = self.uuid.clone() else {
            return Err(self.not_now("a resend"));
        };
        let resend = CheckPan {
            pan: self.bind.pan.clone(),
            exp: self.bind.exp,
            payment_id: uuid,
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
        match self.phase {
            // OCTO retries its callback: the same answer again is fine.
            BindingPhase::Bound if notice.status == TokenStatus::Active => return Ok(()),
            BindingPhase::Failed if notice.status == TokenStatus::Failed => return Ok(()),
            phase if phase.is_terminal() => return Err(Rejected::Finished),
            _ => {}
        }
        match notice.status {
            TokenStatus::Active => {
                self.phase = BindingPhase::Bound;
                self.in_flight = None;
                self.deadline = None;
                let card = MaskedPan::from_parts(self.bind.pan.first6(), self.bind.pan.last4());
                self.out.push_back(Output::Done(BoundCard {
                    shop_transaction_id: notice.shop_transaction_id,
                    card_token: notice.card_token,
                    card,
                }));
            }
            TokenStatus::Failed | TokenStatus::Blocked => self.fail(Failure::TokenFailed),
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
            BindingPhase::AwaitingCallback if self.deadline.is_some_and(|d| now >= d) => {
                self.fail(Failure::CallbackTimeout);
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

    fn on_reply(&mut self, reply: Reply, now: OffsetDateTime) -> Result<(), Rejected> {
        let endpoint = reply.endpoint();
        let Some(flight) = self.in_flight.take_if(|f| f.command.endpoint() == endpoint) else {
            return Err(if self.phase.is_terminal() {
                Rejected::Finished
            } else {
                Rejected::UnexpectedReply(endpoint)
            });
        };
        match reply {
            Reply::BindCard(Ok(p)) => {
                self.uuid = Some(p.octo_payment_uuid);
                if matches!(p.status, PaymentStatus::Canceled | PaymentStatus::Failed) {
                    self.fail(Failure::Ended(p.status));
                } else if self.by_sms() {
                    self.verify();
                } else {
                    if let Some(url) = p.octo_pay_url {
                        self.out.push_back(Output::Redirect(url));
                    }
                    self.await_callback(now);
                }
            }
            Reply::VerificationInfo(Ok(v)) => self.new_code(v, now),
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
                if matches!(p.status, PaymentStatus::Canceled | PaymentStatus::Failed) {
                    self.fail(Failure::Ended(p.status));
                } else {
                    self.await_callback(now);
                }
            }
            Reply::CheckSmsKey(Err(error)) if refused(&error) => self.wrong_code(now),
            // The code may have been taken: ask again without counting it; a
            // callback settles the binding either way.
            Reply::CheckSmsKey(Err(_)) => self.prompt(now),
            Reply::BindCard(Err(error)) | Reply::VerificationInfo(Err(error)) => {
                self.retry_or_fail(flight, error)
            }
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

    fn retry_or_fail(&mut self, mut flight: InFlight, error: Error) {
        if !refused(&error) && flight.attempts < self.params.max_attempts {
            flight.attempts += 1;
            self.out.push_back(Output::Send(flight.command.clone()));
            self.in_flight = Some(flight);
        } else {
            let endpoint: Endpoint = flight.command.endpoint();
            self.fail(Failure::Request { endpoint, error });
        }
    }

    fn wait(&self) -> Wait {
        if let Some(flight) = &self.in_flight {
            return Wait {
                until: None,
                awaiting: Awaiting::Reply(flight.command.endpoint()),
            };
        }
        let awaiting = match self.phase {
            BindingPhase::AwaitingCode => Awaiting::Code,
            phase if phase.is_terminal() => Awaiting::Nothing,
            _ => Awaiting::Tokenization,
        };
        Wait {
            until: self.deadline,
            awaiting,
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
