//! What a machine asks for next: [`Output`], and what it carries while it
//! waits, asks for a code or holds money.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::command::{Command, InFlight};
use super::failure::Failure;
use crate::endpoint::Endpoint;
use crate::ids::PaymentUuid;

/// What a machine wants done next. Poll until [`Output::Wait`], act on each.
// Outputs are moved out at once; see `Input` for why nothing is boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[must_use]
#[non_exhaustive]
pub enum Output<T> {
    /// Send this command; hand its result back as [`Input::Reply`](super::Input::Reply).
    Send(Command),
    /// Send the customer to this URL (payment page, OTP form, 3-D Secure).
    Redirect(String),
    /// Ask the customer for the SMS code; answer with [`Input::Code`](super::Input::Code) or
    /// [`Input::ResendCode`](super::Input::ResendCode).
    AskCode(CodePrompt),
    /// The money is held: answer with [`Input::Capture`](super::Input::Capture) or
    /// [`Input::Cancel`](super::Input::Cancel) before the hold expires.
    Decide(Hold),
    /// Nothing to do until an input arrives or `until` passes.
    Wait(Wait),
    /// The flow reached a settled result. The machine may still accept
    /// the caller's actions (a refund, a block) and then settle again. A
    /// payment is not settled while a refund OCTO took is still open
    /// (`new`, `pending`, `unknown`): `Done` comes once OCTO has given its
    /// final word on every refund it answered.
    Done(T),
    /// What was asked for did not happen.
    Failed(Failure),
}

/// Why a machine is idle, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// When to hand in [`Input::Timeout`](super::Input::Timeout); `None` waits for an input only.
    pub until: Option<OffsetDateTime>,
    /// What the machine expects.
    pub awaiting: Awaiting,
}

impl Wait {
    /// While a command is out, a machine waits for its reply alone (no
    /// deadline); otherwise for what its phase expects, until `until`.
    pub(crate) fn after(
        in_flight: Option<&InFlight>,
        until: Option<OffsetDateTime>,
        awaiting: Awaiting,
    ) -> Self {
        match in_flight {
            Some(flight) => Self {
                until: None,
                awaiting: Awaiting::Reply(flight.command.endpoint()),
            },
            None => Self { until, awaiting },
        }
    }
}

/// What an idle machine expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Awaiting {
    /// The reply to the command it sent.
    Reply(Endpoint),
    /// A payment notification, the customer's return
    /// ([`Input::CheckStatus`](super::Input::CheckStatus)) or the deadline; each makes it check the
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
    /// A refund OCTO took but has not finished (`new`, `pending`,
    /// `unknown`): at `until` the machine asks OCTO about it again (hand in
    /// [`Input::Timeout`](super::Input::Timeout) then). Meanwhile the caller
    /// may act as with [`Awaiting::Caller`]. A driver that cannot wait that
    /// long may stop here and drive the machine again later: the refund's
    /// amount stays reserved and nothing is reported refunded until OCTO
    /// says `succeeded`.
    Refund,
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
    /// Whether [`Input::ResendCode`](super::Input::ResendCode) is still possible.
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
