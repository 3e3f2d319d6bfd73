//! Test support shared by the octo-rs crates: the recorded exchanges in
//! `fixtures/`, and a way to run each one through any transport.
//!
//! A fixture is one JSON file: the operation and its input, the request the
//! SDK must send, the response OCTO gave, and the outcome the SDK must reach.
//! [`Fixture::run`] drives it through a [`Driver`] (the sans-IO one here, or
//! a real transport against a replay server) and returns the outcome as
//! JSON, which the test compares with [`Fixture::outcome`].
//!
//! With the `replay` feature, `replay::ReplayServer` serves fixtures on
//! loopback to the real transports and checks the requests they send.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod fixture;
mod operation;
mod outcome;
#[cfg(feature = "replay")]
pub mod replay;

pub use fixture::{
    ExpectedRequest, Fixture, FixtureError, RecordedResponse, fixtures_dir, load_all,
};
pub use operation::{AnyOperation, AsyncDriver, Driver, SansIoDriver};
pub use outcome::{error_outcome, outcome_of};
