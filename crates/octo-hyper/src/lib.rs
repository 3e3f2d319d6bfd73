//! An async client for the OCTO payment gateway over [`hyper`] 1 and
//! hyper-util's pooled client: connections are kept alive and reused.
//!
//! octo-proto builds each request and reads each answer; this crate only
//! carries the bytes, with timeouts, a capped response size, and retries as
//! [`RetryPolicy`](octo_proto::RetryPolicy) decides: after an unknown outcome only idempotent
//! operations are resent (a request that certainly never left, such as a
//! refused connection, is resent for any operation), always with the same
//! body and so the same idempotency key. TLS is rustls (through hyper-rustls) with the ring
//! provider and the Mozilla roots from `webpki-roots`. Calls need a tokio
//! runtime.
//!
//! ```no_run
//! use octo_proto::{Config, Currency, op::{PaymentStatusCheck, PreparePayment}};
//! use octo_hyper::Client;
//! use rust_decimal::Decimal;
//! use time::macros::datetime;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new(Config::new(123, "secret").with_test(true))?;
//! let payment = PreparePayment::new(
//!     "order-1001".parse()?,
//!     Decimal::new(100_000, 2),
//!     Currency::Uzs,
//!     "Two yoghurts",
//!     "https://shop.example/orders/1001",
//!     datetime!(2024-05-02 09:17:00),
//! );
//! let created = client.prepare_payment(&payment).await?;
//! let status = client
//!     .payment_status(&PaymentStatusCheck::new(created.shop_transaction_id))
//!     .await?;
//! println!("{}", status.status);
//! # Ok(())
//! # }
//! ```
//!
//! [`CallbackService`] is a hyper service for the other direction: it
//! receives OCTO's notifications and tokenization callbacks, verifies them
//! and hands them to your [`CallbackHandler`].
//!
//! Redirects are never followed (hyper-util's client never follows one): OCTO's API does not redirect, and
//! a 307 or 308 would carry the body (the shop's secret, card data) to
//! another address. A 3xx answer ends the call in
//! [`Error::Redirect`](octo_proto::Error::Redirect), naming the status and
//! the target's host, and is not retried.
//!
//! No proxy is used: hyper-util's connector reads no `HTTPS_PROXY` or
//! `ALL_PROXY`; it connects to OCTO's host directly (octo-reqwest and
//! octo-ureq do take a proxy from the environment).
//!
//! Every call runs in a `tracing` span `octo.call` (operation,
//! `shop_transaction_id` or `shop_refund_id`) with one `octo.attempt` span
//! per attempt (attempt number, HTTP status, elapsed milliseconds). Spans
//! never carry secrets, card data or bodies.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backend;
pub mod callback;
mod error;

pub use backend::{Client, ClientBuilder, HyperBackend, HyperBuilderExt, HyperOptions};
pub use callback::{CallbackBody, CallbackHandler, CallbackService};
pub use octo_transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, FlowHandler, RunError,
};

/// The HTTP backend, so that users hold the same version as this client.
pub use hyper;
/// The pooled client and runtime glue this crate builds on.
pub use hyper_util;
/// The protocol crate, so that users hold the same version as this client.
pub use octo_proto;
