//! What octo-reqwest, octo-ureq and octo-hyper share, with no HTTP backend
//! of its own: the client settings, the tracing spans, the attempt loop
//! that follows [`RetryPolicy`](octo_proto::RetryPolicy), and the loop that
//! drives an octo-proto state machine.
//!
//! A transport supplies only its glue: one exchange (an `http::Request`
//! in, an `http::Response` or a [`TransportError`](octo_proto::TransportError)
//! out) and a way to sleep. Each loop exists here twice, blocking and
//! async, because a blocking transport must not need a runtime.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod macros;
mod retry;
mod run;
mod settings;
mod trace;

pub use retry::{send_async, send_blocking, send_command_async, send_command_blocking};
pub use run::{AsyncFlow, Flow, RunError, run_async, run_blocking};
pub use settings::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Settings,
};

/// The protocol crate, for the paths the macros here expand to.
pub use octo_proto;
