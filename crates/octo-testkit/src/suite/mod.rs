//! The tests every transport must pass, written once against
//! [`AnyClient`](crate::AnyClient) and run for each transport by
//! [`transport_suite!`](crate::transport_suite):
//!
//! - [`transport_faults`]: what fixtures cannot express (refused
//!   connections, hang-ups, stalls, 503 then success, chunked and oversized
//!   bodies, redirects);
//! - [`machines`]: a state machine run to its end through the client;
//! - [`retry_owner`]: the transport's retry loop is the only one (a machine
//!   never resends on its own);
//! - [`retry_after`]: a 429 or 503 asking for a pause with `Retry-After`;
//! - [`network`]: TLS with a certificate no root trusts, a late answer on
//!   a connection given up on, a proxy in the environment;
//! - [`conformance`]: every fixture in `fixtures/`, replayed over loopback.
//!
//! A transport's `tests/suite.rs` is one line:
//! `octo_testkit::transport_suite!(octo_ureq::Client, "ureq");`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod conformance;
pub mod machines;
pub mod network;
mod network_servers;
mod parts;
pub mod retry_after;
pub mod retry_owner;
pub mod transport_faults;

use std::future::Future;

use octo_proto::machine::{CodePrompt, Hold, Input, Wait};
use octo_transport::{BlockingFlowHandler, FlowHandler};

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

/// A shop's handler written once, blocking, with the async face too, so
/// that the same handler drives a run on either kind of client.
pub struct Both<H>(pub H);

impl<H: BlockingFlowHandler> BlockingFlowHandler for Both<H> {
    fn redirect(&mut self, url: &str) {
        self.0.redirect(url);
    }

    fn code(&mut self, prompt: &CodePrompt) -> Input {
        self.0.code(prompt)
    }

    fn decide(&mut self, hold: &Hold) -> Input {
        self.0.decide(hold)
    }

    fn wait(&mut self, wait: &Wait) -> Option<Input> {
        self.0.wait(wait)
    }
}

impl<H: BlockingFlowHandler + Send> FlowHandler for Both<H> {
    async fn redirect(&mut self, url: &str) {
        self.0.redirect(url);
    }

    async fn code(&mut self, prompt: &CodePrompt) -> Input {
        self.0.code(prompt)
    }

    async fn decide(&mut self, hold: &Hold) -> Input {
        self.0.decide(hold)
    }

    async fn wait(&mut self, wait: &Wait) -> Option<Input> {
        self.0.wait(wait)
    }
}

/// One `#[test]` per shared scenario for the client type `$client`
/// (named `$name` in messages), in modules `transport_faults`, `machines`,
/// `retry_owner`, `retry_after`, `network` and `conformance`.
#[macro_export]
macro_rules! transport_suite {
    ($client:ty, $name:literal) => {
        mod transport_faults {
            $crate::transport_suite!(@each $client, transport_faults:
                connection_refused_is_a_connect_error,
                server_closing_mid_response_is_an_io_error,
                a_server_slower_than_the_timeout_is_a_timeout,
                a_body_that_trickles_past_the_deadline_is_a_timeout,
                timeouts_too_long_for_the_clock_are_waits_not_panics,
                idempotent_operations_are_retried_after_503_with_the_same_request,
                non_idempotent_operations_are_not_retried_after_503,
                an_endpoint_held_back_is_not_resent_after_503,
                turning_retries_off_sends_once,
                a_configured_user_agent_is_sent_on_every_attempt,
                a_chunked_response_is_read_whole,
                oversized_responses_are_refused,
                a_long_answer_is_read_whole_at_the_cap_and_refused_one_byte_over,
                redirects_are_refused_and_never_followed,
            );
        }

        mod machines {
            $crate::transport_suite!(@each $client, machines:
                a_two_stage_payment_runs_to_its_capture,
                a_refused_payment_ends_the_run_with_the_failure,
                a_callback_for_another_card_is_skipped_and_the_right_one_binds,
                a_run_resumed_after_an_interrupted_capture_asks_octo_first,
            );
        }

        mod retry_owner {
            $crate::transport_suite!(@each $client, retry_owner:
                an_idempotent_command_answered_503_reaches_the_server_exactly_max_attempts_times,
                an_idempotent_command_that_always_times_out_reaches_the_server_exactly_max_attempts_times,
                bind_card_that_times_out_is_sent_once_then_only_its_status_is_asked,
            );
        }

        mod retry_after {
            $crate::transport_suite!(@each $client, retry_after:
                an_idempotent_call_waits_as_long_as_retry_after_asks,
                a_call_that_is_not_idempotent_is_not_resent_for_retry_after,
                a_retry_after_past_the_bound_returns_the_error_at_once,
            );
        }

        mod network {
            $crate::transport_suite!(@each $client, network:
                an_untrusted_certificate_gets_no_request,
                a_late_answer_to_a_timed_out_attempt_is_not_taken_for_the_next,
                child_calls_the_loopback_server,
                a_proxy_in_the_environment_is_not_used_for_a_loopback_base_url,
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
