//! The values every machine is driven with: what goes in ([`Input`]), what
//! comes out ([`Output`]), and the requests in between ([`Command`],
//! [`Reply`]).

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::callback::{TokenizationCallback, VerifiedNotification};
use crate::card::MaskedPan;
use crate::config::Config;
use crate::enums::{PaymentStatus, RefundStatus, TokenStatus};
use crate::error::{Error, InputError, TransportError};
use crate::ids::{PaymentUuid, ShopRefundId, ShopTransactionId};
use crate::op::{
    BindCard, BlockCardToken, BlockedToken, CheckPan, CheckSmsKey, Endpoint, Operation,
    PayWithToken, Payment, PaymentStatusCheck, PreparePayment, Refund, RefundResult, SetAccept,
    SmsCode, TokenPayment, Verification, VerificationInfo,
};
use crate::secret::CardToken;

macro_rules! commands {
    ($( $(#[$doc:meta])* $variant:ident($op:ty) -> $out:ty ),* $(,)?) => {
        /// A request a machine wants sent. Send it (with any transport; the
        /// transport's retry loop may resend it as [`RetryPolicy`] decides:
        /// the value is the same on every attempt, and so is its
        /// idempotency key), then hand the one result back as
        /// [`Input::Reply`]. The machine itself never resends it.
        ///
        /// [`RetryPolicy`]: crate::RetryPolicy
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Command {
            $( $(#[$doc])* $variant($op), )*
        }

        /// The typed result of a [`Command`], one variant per command.
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum Reply {
            $(
                #[doc = concat!("The result of [`Command::", stringify!($variant), "`].")]
                $variant(Result<$out, Error>),
            )*
        }

        impl Command {
            /// The endpoint this command calls.
            pub fn endpoint(&self) -> Endpoint {
                match self { $( Self::$variant(op) => op.endpoint(), )* }
            }

            /// Builds the HTTP request.
            pub fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
                match self { $( Self::$variant(op) => op.build_request(config), )* }
            }

            /// Reads the response into the matching [`Reply`].
            pub fn parse_response<B: AsRef<[u8]>>(&self, response: &http::Response<B>) -> Reply {
                match self { $( Self::$variant(op) => Reply::$variant(op.parse_response(response)), )* }
            }

            /// The [`Reply`] for a command that could not be sent or read.
            pub fn fail(&self, error: Error) -> Reply {
                match self { $( Self::$variant(_) => Reply::$variant(Err(error)), )* }
            }

            /// Whether resending after an unknown outcome is safe.
            pub fn is_idempotent(&self) -> bool {
                match self { $( Self::$variant(op) => op.is_idempotent(), )* }
            }

            /// The shop's key for this command, when it has one.
            pub fn idempotency_key(&self) -> Option<&str> {
                match self { $( Self::$variant(op) => op.idempotency_key(), )* }
            }
        }

        impl Reply {
            /// The endpoint this reply answers.
            pub fn endpoint(&self) -> Endpoint {
                match self { $( Self::$variant(_) => Endpoint::$variant, )* }
            }

            /// The error, when the command failed.
            pub fn error(&self) -> Option<&Error> {
                match self { $( Self::$variant(r) => r.as_ref().err(), )* }
            }
        }
    };
}

commands! {
    /// Create the payment (also answers with its status when it exists).
    PreparePayment(PreparePayment) -> Payment,
    /// Ask for the payment's status.
    PaymentStatus(PaymentStatusCheck) -> Payment,
    /// Pay a prepared payment with a card token.
    PayWithToken(PayWithToken) -> TokenPayment,
    /// Capture or cancel a held payment.
    SetAccept(SetAccept) -> Payment,
    /// Refund part or all of a succeeded payment.
    Refund(Refund) -> RefundResult,
    /// Start binding a card.
    BindCard(BindCard) -> Payment,
    /// Ask how long the binding's SMS code lives.
    VerificationInfo(VerificationInfo) -> Verification,
    /// Send the customer's SMS code.
    CheckSmsKey(CheckSmsKey) -> Payment,
    /// Have the SMS code sent again.
    CheckPan(CheckPan) -> Verification,
    /// Block a card token.
    BlockCardToken(BlockCardToken) -> BlockedToken,
}

impl Command {
    /// Sends this command with a blocking `send` function and reads the
    /// answer: a convenience for blocking transports and tests. Async
    /// transports do the same three steps themselves.
    pub fn send_with<B, F>(&self, config: &Config, send: F) -> Reply
    where
        B: AsRef<[u8]>,
        F: FnOnce(http::Request<Vec<u8>>) -> Result<http::Response<B>, TransportError>,
    {
        match self.build_request(config) {
            Err(error) => self.fail(error),
            Ok(request) => match send(request) {
                Ok(response) => self.parse_response(&response),
                Err(error) => self.fail(Error::Transport(error)),
            },
        }
    }
}

/// A verified payment notification, as far as the machines care: a signed
/// hint that a payment's status changed.
///
/// It is made only from a [`VerifiedNotification`], and it carries no
/// amount: with the `unique_key` scheme the signature covers the payment's
/// id and status only, so the amounts beside them prove nothing. A machine
/// that gets one asks OCTO for the status
/// ([`PaymentStatusCheck`]) and takes amounts and outcomes from the answer.
///
/// ```
/// use octo_proto::callback::{CallbackLimits, Notification, SignatureScheme};
/// use octo_proto::machine::{Input, PaymentNotice};
/// use octo_proto::{NotificationKey, PaymentStatus};
///
/// let scheme = SignatureScheme::UniqueKey(NotificationKey::new("key"));
/// let request = Notification::new("order-1".parse()?, "uuid-1".parse()?, PaymentStatus::Succeeded)
///     .sign(&scheme, "salt")
///     .to_request("https://shop.example/notify".parse()?);
/// let verified = Notification::parse_verified(&request, &scheme, &CallbackLimits::default())?;
/// let notice = PaymentNotice::from(&verified);
/// assert_eq!(notice.status(), &PaymentStatus::Succeeded);
/// let _input = Input::Notification(notice);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A plain [`Notification`](crate::callback::Notification), built or read
/// without a check, does not become one:
///
/// ```compile_fail
/// use octo_proto::callback::Notification;
/// use octo_proto::machine::PaymentNotice;
/// use octo_proto::PaymentStatus;
///
/// let built = Notification::new("order-1".parse()?, "uuid-1".parse()?, PaymentStatus::Succeeded);
/// let notice = PaymentNotice::from(&built);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```compile_fail
/// use octo_proto::callback::{CallbackLimits, Notification};
/// use octo_proto::machine::PaymentNotice;
///
/// let request = http::Request::new(Vec::<u8>::new());
/// let unverified = Notification::parse_unverified(&request, &CallbackLimits::default())?;
/// let notice = PaymentNotice::from(&unverified.into_unverified());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```compile_fail
/// use octo_proto::machine::PaymentNotice;
/// use octo_proto::PaymentStatus;
///
/// let notice = PaymentNotice::new("order-1".parse()?, PaymentStatus::Succeeded);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNotice {
    shop_transaction_id: ShopTransactionId,
    octo_payment_uuid: PaymentUuid,
    status: PaymentStatus,
}

impl PaymentNotice {
    /// The shop's id of the payment (not covered by the signature).
    pub fn shop_transaction_id(&self) -> &ShopTransactionId {
        &self.shop_transaction_id
    }

    /// OCTO's id of the payment (signed).
    pub fn octo_payment_uuid(&self) -> &PaymentUuid {
        &self.octo_payment_uuid
    }

    /// The status the notification names (signed).
    pub fn status(&self) -> &PaymentStatus {
        &self.status
    }
}

impl From<&VerifiedNotification> for PaymentNotice {
    fn from(n: &VerifiedNotification) -> Self {
        Self {
            shop_transaction_id: n.shop_transaction_id.clone(),
            octo_payment_uuid: n.octo_payment_uuid.clone(),
            status: n.status.clone(),
        }
    }
}

/// What a tokenization callback says, as far as the machines care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenNotice {
    /// The shop's id of the binding.
    pub shop_transaction_id: ShopTransactionId,
    /// The token (secret).
    pub card_token: CardToken,
    /// `active` or `failed`.
    pub status: TokenStatus,
    /// The callback's card (its `pan`) masked to first six and last four.
    /// A binding accepts an `active` callback only for the card it binds.
    pub card: Option<MaskedPan>,
}

impl TokenNotice {
    /// A notice without a card.
    pub fn new(
        shop_transaction_id: ShopTransactionId,
        card_token: CardToken,
        status: TokenStatus,
    ) -> Self {
        Self {
            shop_transaction_id,
            card_token,
            status,
            card: None,
        }
    }

    /// The same notice, for `card`.
    #[must_use]
    pub fn with_card(mut self, card: MaskedPan) -> Self {
        self.card = Some(card);
        self
    }
}

impl From<&TokenizationCallback> for TokenNotice {
    fn from(c: &TokenizationCallback) -> Self {
        Self {
            shop_transaction_id: c.shop_transaction_id.clone(),
            card_token: c.card_token.clone(),
            status: c.status.clone(),
            card: c.pan.as_ref().and_then(|p| p.to_masked_pan()),
        }
    }
}

/// Something that happened, handed to a machine with the current time.
// Inputs live for one call; boxing the reply would only add noise to every
// match a transport writes.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum Input {
    /// The result of the last [`Output::Send`].
    Reply(Reply),
    /// A verified payment notification: a hint that the status changed.
    /// The machine checks the status with OCTO (or waits for the answer it
    /// is already expecting); the notice alone never settles, holds or
    /// fails a payment, nor sets an amount.
    Notification(PaymentNotice),
    /// Check the payment's status with OCTO now: the customer came back to
    /// `return_url`, a timer of the shop's fired, an operator asked. It
    /// claims nothing, so it needs no signature; a machine with nothing to
    /// check ignores it.
    CheckStatus,
    /// A tokenization callback.
    Tokenization(TokenNotice),
    /// The code the customer typed.
    Code(SmsCode),
    /// The customer asks for the code again.
    ResendCode,
    /// Capture a held payment: all of it, or `final_amount`.
    Capture {
        /// At most the held amount; `None` takes all of it.
        final_amount: Option<Decimal>,
    },
    /// Release a held payment.
    Cancel,
    /// Refund part of a succeeded payment.
    Refund {
        /// The shop's key for this refund; give the same one to retry it.
        shop_refund_id: ShopRefundId,
        /// More than zero, at most what is left.
        amount: Decimal,
    },
    /// Block the card token.
    Block,
    /// Time passed: the deadline of the last [`Wait`] may have come.
    Timeout,
}

impl From<Reply> for Input {
    fn from(reply: Reply) -> Self {
        Self::Reply(reply)
    }
}

impl From<PaymentNotice> for Input {
    fn from(notice: PaymentNotice) -> Self {
        Self::Notification(notice)
    }
}

impl From<&VerifiedNotification> for Input {
    fn from(n: &VerifiedNotification) -> Self {
        Self::Notification(n.into())
    }
}

impl From<TokenNotice> for Input {
    fn from(notice: TokenNotice) -> Self {
        Self::Tokenization(notice)
    }
}

impl From<&TokenizationCallback> for Input {
    fn from(c: &TokenizationCallback) -> Self {
        Self::Tokenization(c.into())
    }
}

impl From<SmsCode> for Input {
    fn from(code: SmsCode) -> Self {
        Self::Code(code)
    }
}

/// What a machine wants done next. Poll until [`Output::Wait`], act on each.
// Outputs are moved out at once; see `Input` for why nothing is boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[must_use]
#[non_exhaustive]
pub enum Output<T> {
    /// Send this command; hand its result back as [`Input::Reply`].
    Send(Command),
    /// Send the customer to this URL (payment page, OTP form, 3-D Secure).
    Redirect(String),
    /// Ask the customer for the SMS code; answer with [`Input::Code`] or
    /// [`Input::ResendCode`].
    AskCode(CodePrompt),
    /// The money is held: answer with [`Input::Capture`] or
    /// [`Input::Cancel`] before the hold expires.
    Decide(Hold),
    /// Nothing to do until an input arrives or `until` passes.
    Wait(Wait),
    /// The flow reached a settled result. The machine may still accept
    /// the caller's actions (a refund, a block) and then settle again.
    Done(T),
    /// What was asked for did not happen.
    Failed(Failure),
}

/// Why a machine is idle, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// When to hand in [`Input::Timeout`]; `None` waits for an input only.
    pub until: Option<OffsetDateTime>,
    /// What the machine expects.
    pub awaiting: Awaiting,
}

/// What an idle machine expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Awaiting {
    /// The reply to the command it sent.
    Reply(Endpoint),
    /// A payment notification, the customer's return
    /// ([`Input::CheckStatus`]) or the deadline; each makes it check the
    /// status with OCTO.
    Notification,
    /// The tokenization callback.
    Tokenization,
    /// The customer's code, or a resend.
    Code,
    /// Capture or cancel.
    Decision,
    /// Nothing: settled, until the caller acts.
    Caller,
    /// Nothing ever again.
    Nothing,
}

/// What to show the customer when asking for the SMS code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePrompt {
    /// Where the code went, masked by OCTO.
    pub phone: Option<String>,
    /// How long the code lives; 0 means it expired (offer a resend).
    pub seconds_left: u32,
    /// Wrong codes still allowed.
    pub attempts_left: u32,
    /// Whether [`Input::ResendCode`] is still possible.
    pub can_resend: bool,
}

/// A payment held for capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// OCTO's id of the payment.
    pub octo_payment_uuid: Option<PaymentUuid>,
    /// The amount held: the most a capture may take.
    pub amount: Decimal,
    /// When the machine will next check whether the hold still stands
    /// (the hold's lifetime is a parameter: OCTO documents it
    /// inconsistently).
    pub expires_at: OffsetDateTime,
}

/// Why a flow, or the caller's last action, did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// OCTO refused a command, or its outcome stayed unknown after the
    /// retries allowed.
    #[error("{endpoint} failed: {error}")]
    Request {
        /// The endpoint called.
        endpoint: Endpoint,
        /// Why.
        #[source]
        error: Error,
    },
    /// OCTO answered a refund with `canceled` or `error`.
    #[error("refund {shop_refund_id} refused with status {status}")]
    RefundRefused {
        /// The shop's key of the refund.
        shop_refund_id: ShopRefundId,
        /// OCTO's status for it.
        status: RefundStatus,
    },
    /// OCTO ended the flow with this status.
    #[error("ended with status {0}")]
    Ended(PaymentStatus),
    /// The customer typed too many wrong codes.
    #[error("{attempts} wrong codes")]
    TooManyWrongCodes {
        /// Wrong codes typed.
        attempts: u32,
    },
    /// The code expired and OCTO allows no more resends (error 17).
    #[error("the code expired and no resend is left")]
    ResendsExhausted,
    /// The tokenization callback said `failed`.
    #[error("the card token failed")]
    TokenFailed,
    /// The tokenization callback did not come in time, or OCTO did not
    /// confirm the one that came.
    #[error("no tokenization callback in time")]
    CallbackTimeout,
    /// OCTO confirmed a binding for another card than the one bound.
    #[error("OCTO reported another card for this binding")]
    CardMismatch,
}

/// Why a machine refused an input. Its state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejected {
    /// This input means nothing in the machine's current state.
    #[error("{input} is not accepted while {state}")]
    NotNow {
        /// The input.
        input: &'static str,
        /// The machine's state.
        state: &'static str,
    },
    /// A reply to a command that is not outstanding (late or duplicated).
    #[error("no {0} command is outstanding")]
    UnexpectedReply(Endpoint),
    /// A command is outstanding; wait for its reply.
    #[error("a {0} command is outstanding")]
    Busy(Endpoint),
    /// A notification or callback for another payment or binding.
    #[error("for another transaction")]
    OtherTransaction,
    /// The machine has ended.
    #[error("the flow has ended")]
    Finished,
    /// An amount or other value is not acceptable.
    #[error("{0}")]
    Invalid(InputError),
    /// A refund id already used for a different amount.
    #[error("refund id {0} already used for another amount")]
    RefundIdReused(ShopRefundId),
    /// The code expired; ask for a resend.
    #[error("the code expired")]
    CodeExpired,
    /// No resend is left (OCTO's error 17).
    #[error("no resend is left")]
    NoResendLeft,
    /// Only an active token can be blocked (OCTO's error 6, caught locally).
    #[error("the token is {0}, not active")]
    TokenNotActive(TokenStatus),
    /// A tokenization callback for another card than the one being bound,
    /// or an `active` one that names no card.
    #[error("the callback is for another card")]
    CardMismatch,
    /// A resend needs OCTO's integer payment id (`check_pan`'s
    /// `paymentId`), and no answer so far carried it.
    #[error("OCTO's payment id is not known, so the code cannot be resent")]
    PaymentIdUnknown,
}

/// A state machine for one OCTO flow: [`PaymentMachine`],
/// [`TokenPaymentMachine`], [`BindingMachine`] or [`TokenMachine`].
///
/// [`PaymentMachine`]: super::PaymentMachine
/// [`TokenPaymentMachine`]: super::TokenPaymentMachine
/// [`BindingMachine`]: super::BindingMachine
/// [`TokenMachine`]: super::TokenMachine
pub trait Machine {
    /// What [`Output::Done`] carries.
    type Outcome;

    /// Hands in an input. A refused input leaves the machine unchanged.
    fn handle_input(&mut self, input: Input, now: OffsetDateTime) -> Result<(), Rejected>;

    /// The next thing to do; [`Output::Wait`] when idle.
    fn poll_output(&mut self) -> Output<Self::Outcome>;

    /// Whether the machine has ended and absorbs every further input.
    fn is_terminal(&self) -> bool;
}

/// The command in flight. Machines never resend it on their own: retries
/// belong to the transport (see the module docs of [`machine`](super)).
#[derive(Debug)]
pub(crate) struct InFlight {
    pub(crate) command: Command,
}

impl InFlight {
    pub(crate) fn new(command: Command) -> Self {
        Self { command }
    }
}

/// Whether OCTO certainly did not act on a failed command.
pub(crate) fn refused(error: &Error) -> bool {
    matches!(error.resend(), crate::error::Resend::Never)
}
