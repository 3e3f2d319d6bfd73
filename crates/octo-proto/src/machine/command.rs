//! The requests a machine asks for ([`Command`]) and their typed results
//! ([`Reply`]), one variant per OCTO endpoint a machine calls.

use crate::config::Config;
use crate::endpoint::Endpoint;
use crate::error::{Error, TransportError};
use crate::op::{
    BindCard, BlockCardToken, BlockedToken, CheckPan, CheckSmsKey, Operation, PayWithToken,
    Payment, PaymentStatusCheck, PreparePayment, Refund, RefundResult, SetAccept, TokenPayment,
    Verification, VerificationInfo,
};

macro_rules! commands {
    ($( $(#[$doc:meta])* $variant:ident($op:ty) -> $out:ty ),* $(,)?) => {
        /// A request a machine wants sent. Send it (with any transport; the
        /// transport's retry loop may resend it as [`RetryPolicy`] decides:
        /// the value is the same on every attempt, and so is its
        /// idempotency key), then hand the one result back as
        /// [`Input::Reply`](super::Input::Reply). The machine itself never resends it.
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

            /// The same reply, its error (if it is one) passed through `f`.
            pub fn map_err(self, f: impl FnOnce(Error) -> Error) -> Reply {
                match self { $( Self::$variant(r) => Self::$variant(r.map_err(f)), )* }
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

/// Whether OCTO certainly did not act on a failed command. An answer that
/// said success but did not decode is no refusal: OCTO acted.
pub(crate) fn refused(error: &Error) -> bool {
    error.is_refusal()
}

/// Whether a failed read will fail the same way when asked again.
pub(crate) fn unreadable(error: &Error) -> bool {
    matches!(error.resend(), crate::error::Resend::Never)
}
