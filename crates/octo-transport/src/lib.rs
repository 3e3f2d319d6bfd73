//! The OCTO client, written once for every HTTP library: the settings, the
//! tracing spans, the attempt loop that follows
//! [`RetryPolicy`](octo_proto::RetryPolicy), the per-operation methods and
//! the loop that drives an octo-proto state machine.
//!
//! A transport crate (octo-reqwest, octo-ureq, octo-hyper) supplies only a
//! backend: how to set its HTTP library up from the [`Settings`], and one
//! exchange (an `http::Request` in; the status, headers and body, or a
//! [`TransportError`](octo_proto::TransportError) out, the body within the
//! size cap that [`check_announced_length`] and [`body_too_large`] apply).
//! It then names the client for its backend:
//!
//! | | async | blocking |
//! |---|---|---|
//! | backend trait | [`AsyncBackend`] | [`BlockingBackend`] |
//! | client | [`Client<B>`](Client) | [`BlockingClient<B>`](BlockingClient) |
//! | shop's side of a flow | [`FlowHandler`] | [`BlockingFlowHandler`] |
//!
//! Both are one type, [`OctoClient<B, M>`](OctoClient) in the mode
//! [`Async`] or [`Blocking`], and share [`ClientBuilder<B>`](ClientBuilder)
//! and [`RunError`].
//! The blocking client needs no runtime; the async one runs on tokio.
//!
//! A run ([`Client::run`], [`BlockingClient::run`]) stops at the machine's
//! first `Done` or `Failed`. A [`RunError::Failed`] is not always the end
//! of the flow: when the machine's `is_terminal()` is `false`, the payment
//! or binding is still open; keep the machine and run it again, or check
//! the status.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod attempt;
mod backend;
mod blocking;
mod builder;
mod client;
mod handler;
mod handler_flow;
mod retry;
mod run;
mod settings;
mod size_cap;
mod trace;

pub use backend::{AsyncBackend, Backend, BlockingBackend, Exchanged};
pub use builder::ClientBuilder;
pub use client::{Async, Blocking, BlockingClient, Client, OctoClient};
pub use handler::{BlockingFlowHandler, FlowHandler};
pub use run::RunError;
pub use settings::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Settings,
};
pub use size_cap::{body_too_large, check_announced_length, content_length};

/// The protocol crate, so that users hold the same version as the clients.
pub use octo_proto;
