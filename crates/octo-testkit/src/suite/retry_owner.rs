//! One owner for retries: the transport's retry loop. A machine driven
//! through the client never resends a command on its own, so the worst
//! case is exactly the policy's attempts, not the policy's attempts times
//! a machine's own.

use std::time::Duration;

use octo_proto::machine::{BindingMachine, BindingParams, Machine, PaymentMachine, PaymentParams};
use octo_proto::op::{BindCard, PaymentStatusCheck};
use octo_proto::{Operation, PaymentMethod, RetryPolicy};
use octo_transport::{ClientBuilder, RunError};
use time::OffsetDateTime;

use super::Both;
use super::parts::{Unattended, config};
use crate::ExpectedRequest;
use crate::cards::binding;
use crate::client::AnyClient;
use crate::payments::payment;
use crate::replay::{Canned, Exchange, ReplayServer};

const UNAVAILABLE: &str = r#"{"title":"Service Unavailable","status":503}"#;

fn policy() -> RetryPolicy {
    RetryPolicy::new(3, Duration::from_millis(2), Duration::from_millis(10))
}

fn client<C: AnyClient>(url: &str) -> C {
    C::build(
        ClientBuilder::new(config(url))
            .retry_policy(policy())
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_millis(150)),
    )
}

/// An answer that comes after the client's 150 ms timeout.
fn late() -> Canned {
    Canned::json(200, "{}").delayed(Duration::from_millis(600))
}

/// Runs `machine` through a retrying client of the server at `url`, with a
/// shop that answers nothing, and checks that the run failed.
async fn run_to_failure<C: AnyClient, M: Machine>(url: &str, mut machine: M)
where
    M::Outcome: std::fmt::Debug,
{
    let error = client::<C>(url)
        .run(&mut machine, &mut Both(Unattended::default()))
        .await
        .unwrap_err();
    assert!(matches!(error, RunError::Failed(_)), "{error:?}");
}

/// Runs a payment machine with a shop that answers nothing against a server that always
/// answers `reply`; checks the run failed, and says how many requests the
/// server saw.
async fn failed_payment_run<C: AnyClient>(reply: Canned) -> usize {
    let server = ReplayServer::always(reply).unwrap();
    let prepare = payment("order-r", "1000.00");
    let machine = PaymentMachine::new(prepare, PaymentParams::default(), OffsetDateTime::now_utc());
    run_to_failure::<C, _>(&server.url(), machine).await;
    server.received()
}

/// An idempotent command answered 503 reaches the server exactly
/// `max_attempts` times.
pub async fn an_idempotent_command_answered_503_reaches_the_server_exactly_max_attempts_times<
    C: AnyClient,
>() {
    let received = failed_payment_run::<C>(Canned::json(503, UNAVAILABLE)).await;
    assert_eq!(
        received,
        usize::try_from(policy().max_attempts()).unwrap(),
        "the transport's attempts and no more"
    );
}

/// An idempotent command that always times out reaches the server exactly
/// `max_attempts` times.
pub async fn an_idempotent_command_that_always_times_out_reaches_the_server_exactly_max_attempts_times<
    C: AnyClient,
>() {
    assert_eq!(failed_payment_run::<C>(late()).await, 3);
}

fn bind_card() -> BindCard {
    binding("bind-r", "8600312990314318", PaymentMethod::Uzcard, None)
}

/// `bind_card` that times out is sent once; then only its status is asked,
/// with the policy's attempts.
pub async fn bind_card_that_times_out_is_sent_once_then_only_its_status_is_asked<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let config = config(&server.url());
    let expect =
        |request: http::Request<Vec<u8>>| Some(ExpectedRequest::from_request(&request).unwrap());
    // bind_card once: a resend would meet error 20 and send the card again.
    server.push(Exchange {
        expect: expect(bind_card().build_request(&config).unwrap()),
        reply: late(),
    });
    // Then the status check, which is idempotent: the policy's attempts.
    let status = PaymentStatusCheck::new("bind-r".parse().unwrap());
    for _ in 0..policy().max_attempts() {
        server.push(Exchange {
            expect: expect(status.build_request(&config).unwrap()),
            reply: late(),
        });
    }
    let machine = BindingMachine::new(
        bind_card(),
        BindingParams::default(),
        OffsetDateTime::now_utc(),
    );
    run_to_failure::<C, _>(&server.url(), machine).await;
    assert_eq!(server.received(), 4);
    server.finish().unwrap();
}
