//! Why a flow did not succeed ([`Failure`]) and why a machine refused an
//! input ([`Rejected`]).

use crate::endpoint::Endpoint;
use crate::enums::{PaymentStatus, RefundStatus, TokenStatus};
use crate::error::{Error, InputError};
use crate::ids::ShopRefundId;

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
    /// OCTO answered a refund with `canceled` or `error`, at once or after
    /// answering it `new`, `pending` or `unknown` (an open refund the
    /// payment machine asked about again). Nothing was refunded under it,
    /// and its amount is free again.
    #[error("refund {shop_refund_id} refused with status {status}")]
    RefundRefused {
        /// The shop's key of the refund.
        shop_refund_id: ShopRefundId,
        /// OCTO's status for it.
        status: RefundStatus,
    },
    /// OCTO answered a refund `canceled` or `error` when it was sent again
    /// after an earlier call of it ended with an unknown outcome. That may
    /// be OCTO's answer to the duplicate rather than what became of the
    /// first call (OCTO's pages do not say how a duplicate `shop_refund_id`
    /// is answered), so the refund may have been made: it stays in doubt
    /// and its amount reserved. Do not refund that money under a new id;
    /// a status check's `refunded_sum` shows it once it succeeded.
    #[error(
        "refund {shop_refund_id}: OCTO answered its resend {status}, but an earlier call of it \
         had no answer and may have made it; it stays in doubt"
    )]
    RefundInDoubt {
        /// The shop's key of the refund.
        shop_refund_id: ShopRefundId,
        /// OCTO's status in the answer to the resend.
        status: RefundStatus,
    },
    /// OCTO ended the flow with this status.
    #[error("ended with status {0}")]
    Ended(PaymentStatus),
    /// The payment's time (its `ttl`) ran out and OCTO still shows it
    /// unpaid. OCTO's pages say it can no longer be paid then, not what
    /// its status becomes, so the machine stays open and keeps checking:
    /// check `is_terminal()`, and stop driving it when the order is given
    /// up.
    #[error("the payment's time ran out and OCTO still shows it {status}")]
    Expired {
        /// The status OCTO shows.
        status: PaymentStatus,
    },
    /// `prepare_payment` was answered with a payment of another amount:
    /// OCTO keeps one payment per `shop_transaction_id`, and an id used
    /// before gets the payment made first. Nothing was done with it; a new
    /// order needs a new id.
    #[error(
        "OCTO already has a payment under this shop_transaction_id, for {total_sum}: \
         it answered with that one and made none"
    )]
    OtherPayment {
        /// The amount of the payment OCTO holds under the id.
        total_sum: rust_decimal::Decimal,
    },
    /// The customer typed too many wrong codes.
    #[error("{attempts} wrong codes")]
    TooManyWrongCodes {
        /// Wrong codes typed.
        attempts: u32,
    },
    /// The code expired (or OCTO's `secondsLeft` was 0, which its page
    /// also uses for a verification no longer active) and no resend is
    /// possible: OCTO refused more (error 17), or no answer named the
    /// payment's integer id that a resend needs.
    #[error("the code expired and no resend is left")]
    ResendsExhausted,
    /// The tokenization callback said `failed` (or `blocked`). The callback
    /// is unsigned, so the binding machine reports it once and stays open
    /// (OCTO's answers decide); it ends with this failure when OCTO had
    /// confirmed the card and no `active` callback came by the callback
    /// timeout.
    #[error("the card token failed")]
    TokenFailed,
    /// The tokenization callback did not come in time, or OCTO did not
    /// confirm the one that came. When OCTO had confirmed the card, the
    /// binding machine stays open after reporting it (a late callback
    /// still binds): check `is_terminal()`.
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

impl Rejected {
    /// `input` arrived in a state that does not take it: [`Rejected::Finished`]
    /// once the machine has ended, else [`Rejected::NotNow`] naming `state`.
    pub(crate) fn not_now(terminal: bool, input: &'static str, state: &'static str) -> Self {
        if terminal {
            Self::Finished
        } else {
            Self::NotNow { input, state }
        }
    }
}
