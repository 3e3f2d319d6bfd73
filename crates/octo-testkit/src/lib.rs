//! Test support shared by the octo-rs crates: the recorded exchanges in
//! `fixtures/`, and a way to run each one through any transport.
//!
//! A fixture is one JSON file: the operation and its input, the request the
//! SDK must send, the response OCTO gave, and the outcome the SDK must reach.
//! [`Fixture::run`] drives it through a [`Driver`] (the sans-IO one here, or
//! a real transport against a replay server) and returns the outcome as
//! JSON, which the test compares with [`Fixture::outcome`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod fixture;
mod operation;
mod outcome;

pub use fixture::{
    ExpectedRequest, Fixture, FixtureError, RecordedResponse, fixtures_dir, load_all,
};
pub use operation::{AnyOperation, Driver, SansIoDriver};
pub use outcome::{error_outcome, outcome_of};
