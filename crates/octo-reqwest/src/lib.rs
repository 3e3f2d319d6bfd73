//! An async client for the OCTO payment gateway over [`reqwest`].
//!
//! octo-proto builds each request and reads each answer; this crate only
//! carries the bytes, with timeouts, a capped response size, and retries as
//! [`RetryPolicy`](octo_proto::RetryPolicy) decides: after an unknown outcome only idempotent
//! operations are resent (a request that certainly never left, such as a
//! refused connection, is resent for any operation), always with the same
//! body and so the same idempotency key. TLS is rustls with the ring provider and the Mozilla
//! roots from `webpki-roots`.
//!
//! ```no_run
//! use octo_proto::{Config, Currency, op::{PaymentStatusCheck, PreparePayment}};
//! use octo_reqwest::Client;
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
//! Redirects are never followed: OCTO's API does not redirect, and
//! a 307 or 308 would carry the body (the shop's secret, card data) to
//! another address. A 3xx answer ends the call in
//! [`Error::Redirect`](octo_proto::Error::Redirect), naming the status and
//! the target's host, and is not retried.
//!
//! Proxies are reqwest's: `HTTPS_PROXY` or `ALL_PROXY` from the environment
//! (`HTTP_PROXY` for a plain `http` base URL), minus the hosts in
//! `NO_PROXY`. An `https` call goes through such a proxy as a `CONNECT`
//! tunnel, so TLS and the certificate check stay end to end with OCTO and
//! the proxy sees only the host name. A loopback base URL (a local test
//! server) never goes through one with the client this crate builds; a
//! client passed to [`ReqwestBuilderExt::reqwest_client`] keeps its own
//! proxy settings, so for no proxy at all build it with `.no_proxy()`.
//!
//! Every call runs in a `tracing` span `octo.call` (operation,
//! `shop_transaction_id` or `shop_refund_id`) with one `octo.attempt` span
//! per attempt (attempt number, HTTP status, elapsed milliseconds). Spans
//! never carry secrets, card data or bodies.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backend;
mod error;
mod urls;

pub use backend::{Client, ClientBuilder, ReqwestBackend, ReqwestBuilderExt, ReqwestOptions};
pub use octo_transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, FlowHandler, RunError,
};

/// The protocol crate, so that users hold the same version as this client.
pub use octo_proto;
/// The HTTP backend, so that users hold the same version as this client.
pub use reqwest;
