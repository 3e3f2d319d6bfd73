//! Test support shared by the octo-rs crates: the recorded exchanges in
//! `fixtures/`, a way to run each one through any transport, and the
//! requests many tests send ([`cards`], [`payments`]).
//!
//! A fixture is one JSON file: the operation and its input, the request the
//! SDK must send, the response OCTO gave, and the outcome the SDK must reach.
//! [`Fixture::run`] drives it through the sans-IO [`Driver`] and returns the
//! outcome as JSON, which the test compares with [`Fixture::outcome`].
//!
//! With the `replay` feature: `replay::ReplayServer` serves fixtures on
//! loopback to the real transports and checks the requests they send;
//! `AnyClient` is any transport's client behind one async face;
//! `loopback::serve` serves a test's own stand-in (a callback endpoint, a
//! return page); and `suite` holds the tests every transport must pass,
//! run for one client type by `transport_suite!`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cards;
#[cfg(feature = "replay")]
mod client;
mod fixture;
#[cfg(feature = "replay")]
pub mod loopback;
mod operation;
mod outcome;
pub mod payments;
#[cfg(feature = "replay")]
pub mod replay;
#[cfg(feature = "replay")]
pub mod slow_client;
#[cfg(feature = "replay")]
pub mod suite;

#[cfg(feature = "replay")]
pub use client::{AnyClient, AnyHandler};
pub use fixture::{
    ExpectedRequest, Fixture, FixtureError, RecordedResponse, fixtures_dir, load_all,
};
pub use operation::{AnyOperation, Driver, SansIoDriver};
pub use outcome::{error_outcome, octo_code, outcome_of};
