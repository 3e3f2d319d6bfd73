//! The OCTO payment protocol, without I/O.
//!
//! octo-proto builds the HTTP requests a shop sends to OCTO (Uzbekistan's
//! card gateway for Uzcard, Humo, Visa and Mastercard) and reads OCTO's
//! answers into typed results and typed errors. It never opens a socket,
//! reads the clock or draws a random number, so it runs under any async
//! runtime, in blocking code, and in tests without a network. The transports
//! (`octo-reqwest`, `octo-ureq`, `octo-hyper`) only carry its bytes.
//!
//! - [`op`]: one [`Operation`] per endpoint, from `prepare_payment` to
//!   `fiscal-data`.
//! - [`callback`]: OCTO's calls to the shop (payment notifications with
//!   their signature, tokenization callbacks), parsed, verified and answered.
//! - [`Error`]: every failure, typed, with its evidence; [`RetryPolicy`]
//!   decides when a request may be sent again.
//! - Money is [`rust_decimal::Decimal`], exact on the wire both ways.
//! - Secrets ([`OctoSecret`], [`Pan`], [`Cvc`], [`CardToken`],
//!   [`NotificationKey`]) never print.
//!
//! ```
//! use octo_proto::{Config, Currency, Operation, op::PreparePayment};
//! use rust_decimal::Decimal;
//! use time::macros::datetime;
//!
//! let config = Config::new(123, "secret").with_test(true);
//! let payment = PreparePayment::new(
//!     "order-1001".parse()?,
//!     Decimal::new(100_000, 2), // 1000.00
//!     Currency::Uzs,
//!     "Two yoghurts",
//!     "https://shop.example/orders/1001",
//!     // An instant; OCTO gets it as Tashkent time, 2024-05-02 09:17:00.
//!     datetime!(2024-05-02 04:17:00 UTC),
//! );
//! let request = payment.build_request(&config)?;
//! assert_eq!(request.uri().path(), "/prepare_payment");
//! let body = String::from_utf8_lossy(request.body());
//! assert!(body.contains(r#""init_time":"2024-05-02 09:17:00""#));
//! assert!(body.contains(r#""language":"uz""#));
//!
//! let response = http::Response::new(
//!     br#"{"error":0,"data":{"shop_transaction_id":"order-1001",
//!         "octo_payment_UUID":"e3f40dc3","status":"created",
//!         "octo_pay_url":"https://pay2.octo.uz/pay/e3f40dc3","total_sum":1000.00}}"#,
//! );
//! let created = payment.parse_response(&response)?;
//! assert_eq!(created.total_sum.map(|s| s.to_string()).as_deref(), Some("1000.00"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod callback;
mod card;
mod card_number;
mod config;
mod config_env;
pub mod datetime;
mod endpoint;
mod enums;
mod envelope;
mod error;
mod ids;
mod json;
pub mod machine;
mod money;
pub mod op;
mod redact;
mod retry;
mod secret;
mod serde_option;
mod warning;

pub use card::{CardExpiry, MaskedPan, Pan};
pub use config::{
    Config, DEFAULT_BASE_URL, DEFAULT_CHECK_SMS_KEY_PATH, DEFAULT_INIT_TIME_OFFSET,
    DEFAULT_USER_AGENT, MAX_USER_AGENT_LEN,
};
pub use config_env::{BASE_URL_VAR, SECRET_VAR, SHOP_ID_VAR};
pub use endpoint::Endpoint;
pub use enums::{
    AcceptStatus, Currency, Language, PaymentMethod, PaymentStatus, RefundStatus, TokenStatus,
};
pub use error::{
    DecodeProblem, Error, ErrorCode, InputError, InputProblem, OctoError, Problem, RawBody,
    RedirectError, Resend, ResponseProblem, TransportError, TransportErrorKind,
};
pub use ids::{
    PaymentId, PaymentUuid, RefundId, ShopId, ShopRefundId, ShopTransactionId, VerifyId,
};
pub use op::Operation;
pub use redact::redacted;
pub use retry::{DEFAULT_MAX_RETRY_AFTER, RetryDecision, RetryPolicy, parse_retry_after};
pub use secret::{CardToken, Cvc, NotificationKey, OctoSecret};
pub use warning::FieldWarning;

pub use http;

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
pub use rust_decimal::Decimal;
