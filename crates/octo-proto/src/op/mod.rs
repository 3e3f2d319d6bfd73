//! One operation per OCTO endpoint.
//!
//! An operation is plain data. [`Operation::build_request`] validates it and
//! turns it into an `http::Request<Vec<u8>>` for a [`Config`];
//! [`Operation::parse_response`] turns the response into a typed output or a
//! typed [`Error`]. Sending is left to a transport (or to your own code):
//!
//! ```
//! use octo_proto::{Config, Operation, op::PaymentStatusCheck};
//!
//! let config = Config::new(123, "secret");
//! let op = PaymentStatusCheck::new("order-42".parse().unwrap());
//! let request = op.build_request(&config).unwrap();
//! assert_eq!(request.uri(), "https://secure.octo.uz/prepare_payment");
//!
//! // … send `request` with any HTTP client, then:
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(br#"{"error":0,"data":{"shop_transaction_id":"order-42",
//!         "octo_payment_UUID":"e3f4","status":"succeeded","total_sum":1000.0}}"#)
//!     .unwrap();
//! let payment = op.parse_response(&response).unwrap();
//! assert!(payment.status.is_paid());
//! ```

mod accept;
mod binding;
mod fiscal;
mod pay;
mod prepare;
mod refund;
mod status;
mod token;
pub(crate) mod validate;

pub use accept::SetAccept;
pub use binding::{BindCard, CheckPan, CheckSmsKey, SmsCode, Verification, VerificationInfo};
pub use fiscal::{FiscalData, FiscalReceipt};
pub use pay::{PayWithToken, TokenPayment};
pub use prepare::{BasketItem, PreparePayment, UserData};
pub use refund::{Refund, RefundResult};
pub use status::{Payment, PaymentStatusCheck};
pub use token::{BlockCardToken, BlockedToken};

use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, InputError, InputProblem};

/// An OCTO endpoint, as far as it matters for paths, error codes and
/// retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /prepare_payment`: create a payment.
    PreparePayment,
    /// `POST /prepare_payment` with only the shop's id: check a status.
    PaymentStatus,
    /// `POST /pay/{octo_payment_UUID}`: pay with a card token.
    PayWithToken,
    /// `POST /set_accept`: capture or cancel a held payment.
    SetAccept,
    /// `POST /refund`.
    Refund,
    /// `POST /bind_card`: start binding a card.
    BindCard,
    /// `POST /verificationInfo/`: the OTP's state during binding.
    VerificationInfo,
    /// `POST /bind_card/check_sms_key`: the customer's OTP during binding.
    CheckSmsKey,
    /// `POST /check_pan`: resend the OTP.
    CheckPan,
    /// `POST /block_card_token`.
    BlockCardToken,
    /// `POST /fiscal-data`: the fiscal receipt of a payment.
    FiscalData,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 11] = [
        Self::PreparePayment,
        Self::PaymentStatus,
        Self::PayWithToken,
        Self::SetAccept,
        Self::Refund,
        Self::BindCard,
        Self::VerificationInfo,
        Self::CheckSmsKey,
        Self::CheckPan,
        Self::BlockCardToken,
        Self::FiscalData,
    ];

    /// A stable snake_case name (used in fixtures, logs and spans).
    pub fn name(self) -> &'static str {
        match self {
            Self::PreparePayment => "prepare_payment",
            Self::PaymentStatus => "payment_status",
            Self::PayWithToken => "pay_with_token",
            Self::SetAccept => "set_accept",
            Self::Refund => "refund",
            Self::BindCard => "bind_card",
            Self::VerificationInfo => "verification_info",
            Self::CheckSmsKey => "check_sms_key",
            Self::CheckPan => "check_pan",
            Self::BlockCardToken => "block_card_token",
            Self::FiscalData => "fiscal_data",
        }
    }

    /// Whether resending a request whose outcome is unknown is safe: the
    /// endpoint only reads, or OCTO's pages say it deduplicates by a key
    /// the shop chose (`shop_transaction_id` for `prepare_payment`,
    /// `shop_refund_id` for `refund`). The evidence for each endpoint is in
    /// `docs/protocol-notes.md`, "Idempotency of each endpoint".
    pub fn is_idempotent(self) -> bool {
        match self {
            Self::PreparePayment
            | Self::PaymentStatus
            | Self::Refund
            | Self::VerificationInfo
            | Self::FiscalData => true,
            // Binding twice meets error 20 (a token is pending) and sends
            // the card again; capturing twice, paying twice, spending an
            // OTP attempt, sending another SMS or blocking twice (error 6
            // hides whether the first block landed) are not safe to repeat
            // blindly.
            Self::BindCard
            | Self::PayWithToken
            | Self::SetAccept
            | Self::CheckSmsKey
            | Self::CheckPan
            | Self::BlockCardToken => false,
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A request to OCTO and how to read its answer.
pub trait Operation {
    /// What a successful call returns.
    type Output;

    /// Which endpoint this is.
    fn endpoint(&self) -> Endpoint;

    /// Validates the input and builds the HTTP request.
    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error>;

    /// Reads OCTO's response into the typed output or a typed error.
    fn parse_response<B: AsRef<[u8]>>(
        &self,
        response: &http::Response<B>,
    ) -> Result<Self::Output, Error>;

    /// Whether a request whose outcome is unknown may be sent again.
    fn is_idempotent(&self) -> bool {
        self.endpoint().is_idempotent()
    }

    /// The shop's key for this operation (`shop_transaction_id` or
    /// `shop_refund_id`), when it has one; for logs and retries.
    fn idempotency_key(&self) -> Option<&str> {
        None
    }
}

/// Builds `POST {base_url}{path}` with a JSON body.
pub(crate) fn post_json(
    config: &Config,
    path: &str,
    body: &impl Serialize,
) -> Result<http::Request<Vec<u8>>, Error> {
    // Most bodies fit in 1 KiB (a 10-item basket does): one allocation.
    let mut bytes = Vec::with_capacity(1024);
    serde_json::to_writer(&mut bytes, body)
        .map_err(|_| InputError::new("body", InputProblem::Format("JSON-serialisable values")))?;
    let uri = config
        .uri_for(path)
        .ok_or_else(|| Error::Input(InputError::new("url", InputProblem::Format("a valid URL"))))?;
    let mut request = http::Request::new(bytes);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = uri;
    let json = http::HeaderValue::from_static("application/json");
    request
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, json.clone());
    request.headers_mut().insert(http::header::ACCEPT, json);
    Ok(request)
}

/// Serialises a secret's value into a request body.
pub(crate) mod expose {
    use serde::Serializer;

    pub fn secret<S: Serializer>(value: &crate::OctoSecret, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose_secret())
    }

    pub fn token<S: Serializer>(value: &crate::CardToken, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose_secret())
    }

    pub fn pan<S: Serializer>(value: &crate::Pan, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.expose_secret())
    }
}
