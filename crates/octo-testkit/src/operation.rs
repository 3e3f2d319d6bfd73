//! Any operation, chosen by name at run time, and the sans-IO driver that
//! answers it without a network (the transports are reached through
//! `AnyClient`, with the `replay` feature, instead).

use octo_proto::op::{
    BindCard, BlockCardToken, CheckPan, CheckSmsKey, FiscalData, PayWithToken, PaymentStatusCheck,
    PreparePayment, Refund, SetAccept, VerificationInfo,
};
use octo_proto::{Config, Error, Operation};
use serde_json::Value;

use crate::outcome::outcome_of;

/// Answers one operation without a network and returns its typed result
/// (the sans-IO path of octo-proto's fixture tests).
pub trait Driver {
    /// Carries `op` for `config`.
    fn call<O>(&mut self, op: &O, config: &Config) -> Result<O::Output, Error>
    where
        O: Operation;
}

/// The driver with no network: builds the request, hands it to a closure
/// that answers it, and parses the answer.
pub struct SansIoDriver<F>(pub F);

impl<F> Driver for SansIoDriver<F>
where
    F: FnMut(http::Request<Vec<u8>>) -> http::Response<Vec<u8>>,
{
    fn call<O>(&mut self, op: &O, config: &Config) -> Result<O::Output, Error>
    where
        O: Operation,
    {
        let request = op.build_request(config)?;
        let response = (self.0)(request);
        op.parse_response(&response)
    }
}

macro_rules! any_operation {
    ($($variant:ident($ty:ty) = $name:literal),* $(,)?) => {
        /// One of the eleven operations.
        #[derive(Debug, Clone)]
        #[allow(missing_docs)]
        pub enum AnyOperation {
            $($variant($ty),)*
        }

        impl AnyOperation {
            /// Builds the operation named `name` from its JSON input.
            pub fn from_json(name: &str, input: Value) -> Result<Self, String> {
                match name {
                    $($name => serde_json::from_value::<$ty>(input)
                        .map(Self::$variant)
                        .map_err(|e| format!("input of {name}: {e}")),)*
                    other => Err(format!("unknown operation {other:?}")),
                }
            }

            /// The operation's name in fixtures.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $name,)*
                }
            }

            /// Runs it through `driver`; the outcome as JSON.
            pub fn run<D: Driver>(&self, driver: &mut D, config: &Config) -> Value {
                match self {
                    $(Self::$variant(op) => outcome_of(&driver.call(op, config)),)*
                }
            }

            /// Sends it through `client` (any transport's); the outcome as
            /// JSON.
            #[cfg(feature = "replay")]
            pub async fn run_on<C: crate::AnyClient>(&self, client: &C) -> Value {
                match self {
                    $(Self::$variant(op) => outcome_of(&client.send(op).await),)*
                }
            }

            /// Builds its request (for tests that check requests only).
            pub fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
                match self {
                    $(Self::$variant(op) => op.build_request(config),)*
                }
            }

            /// Parses a response as this operation would; the outcome as JSON.
            pub fn parse_outcome(&self, response: &http::Response<Vec<u8>>) -> Value {
                match self {
                    $(Self::$variant(op) => outcome_of(&op.parse_response(response)),)*
                }
            }
        }
    };
}

any_operation!(
    PreparePayment(PreparePayment) = "prepare_payment",
    PaymentStatus(PaymentStatusCheck) = "payment_status",
    PayWithToken(PayWithToken) = "pay_with_token",
    SetAccept(SetAccept) = "set_accept",
    Refund(Refund) = "refund",
    BindCard(BindCard) = "bind_card",
    VerificationInfo(VerificationInfo) = "verification_info",
    CheckSmsKey(CheckSmsKey) = "check_sms_key",
    CheckPan(CheckPan) = "check_pan",
    BlockCardToken(BlockCardToken) = "block_card_token",
    FiscalData(FiscalData) = "fiscal_data",
);
