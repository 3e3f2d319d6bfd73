//! The tests every transport must pass, written once against
//! [`AnyClient`](crate::AnyClient) and run for each transport by
//! [`transport_suite!`](crate::transport_suite):
//!
//! - [`transport_faults`]: what fixtures cannot express (refused
//!   connections, hang-ups, stalls, 503 then success, chunked and oversized
//!   bodies, redirects);
//! - [`machines`]: a state machine run to its end through the client;
//! - [`conformance`]: every fixture in `fixtures/`, replayed over loopback.
//!
//! A transport's `tests/suite.rs` is one line:
//! `octo_testkit::transport_suite!(octo_ureq::Client, "ureq");`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod conformance;
pub mod machines;
pub mod transport_faults;

use std::future::Future;

/// Runs one scenario to its end on a fresh two-thread runtime (so that a
/// blocking client can block in place while the rest keeps running).
pub fn block_on<F: Future>(scenario: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a test runtime")
        .block_on(scenario)
}

/// One `#[test]` per shared scenario for the client type `$client`
/// (named `$name` in messages), in modules `transport_faults`, `machines`
/// and `conformance` as the suites were laid out per transport before.
#[macro_export]
macro_rules! transport_suite {
    ($client:ty, $name:literal) => {
        mod transport_faults {
            $crate::transport_suite!(@each $client, transport_faults:
                connection_refused_is_a_connect_error,
                server_closing_mid_response_is_an_io_error,
                a_server_slower_than_the_timeout_is_a_timeout,
                idempotent_operations_are_retried_after_503_with_the_same_request,
                non_idempotent_operations_are_not_retried_after_503,
                turning_retries_off_sends_once,
                a_chunked_response_is_read_whole,
                oversized_responses_are_refused,
                redirects_are_refused_and_never_followed,
            );
        }

        mod machines {
            $crate::transport_suite!(@each $client, machines:
                a_two_stage_payment_runs_to_its_capture,
                a_refused_payment_ends_the_run_with_the_failure,
            );
        }

        mod conformance {
            #[test]
            fn every_fixture() {
                $crate::suite::block_on($crate::suite::conformance::every_fixture::<$client>($name));
            }
        }
    };
    (@each $client:ty, $suite:ident: $($scenario:ident),* $(,)?) => {
        $(
            #[test]
            fn $scenario() {
                $crate::suite::block_on($crate::suite::$suite::$scenario::<$client>());
            }
        )*
    };
}
