//! What a machine is handed: [`Input`].

use rust_decimal::Decimal;

use super::command::Reply;
use super::notice::{PaymentNotice, TokenNotice};
use crate::callback::{TokenizationCallback, VerifiedNotification};
use crate::ids::ShopRefundId;
use crate::op::SmsCode;

/// Something that happened, handed to a machine with the current time.
// Inputs live for one call; boxing the reply would only add noise to every
// match a transport writes.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum Input {
    /// The result of the last [`Output::Send`](super::Output::Send).
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
    /// Time passed: the deadline of the last [`Wait`](super::Wait) may have come.
    Timeout,
}

/// `From` each thing a machine is handed into the variant that carries it;
/// a callback given by reference becomes its notice on the way.
macro_rules! input_from {
    ($($from:ty => $variant:ident),* $(,)?) => {$(
        impl From<$from> for Input {
            fn from(value: $from) -> Self {
                Self::$variant(value.into())
            }
        }
    )*};
}

input_from!(
    Reply => Reply,
    PaymentNotice => Notification,
    &VerifiedNotification => Notification,
    TokenNotice => Tokenization,
    &TokenizationCallback => Tokenization,
    SmsCode => Code,
);
