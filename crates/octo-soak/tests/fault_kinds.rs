//! Each fault kind the soak relies on, met by a client one at a time: what
//! the client sees, and whether the sandbox made the change anyway.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use octo_proto::op::PreparePayment;
use octo_proto::{Currency, Error, TransportErrorKind};
use octo_sandbox::{FaultAction, FaultKind, FaultRule, Sandbox, SandboxHandle};
use rust_decimal::Decimal;

fn payment(id: &str) -> PreparePayment {
    PreparePayment::new(
        id.parse().unwrap_or_else(|_| unreachable!()),
        Decimal::new(5_000_000, 2),
        Currency::Uzs,
        "Fault kinds",
        "https://shop.example/done",
        time::OffsetDateTime::now_utc(),
    )
}

/// One attempt per call, a 300 ms timeout.
fn client(sb: &SandboxHandle) -> octo_reqwest::Client {
    match octo_reqwest::Client::builder(sb.client_config())
        .timeout(Duration::from_millis(300))
        .connect_timeout(Duration::from_secs(2))
        .no_retry()
        .build()
    {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

async fn once(action: FaultAction, id: &str) -> (Result<(), Error>, SandboxHandle) {
    let sb = match Sandbox::builder()
        .fault(FaultRule::new(action).on_path("/prepare_payment").times(1))
        .start()
        .await
    {
        Ok(sb) => sb,
        Err(e) => panic!("{e}"),
    };
    let sent = tokio::time::timeout(Duration::from_secs(10), client(&sb).send(&payment(id)))
        .await
        .unwrap_or_else(|_| panic!("no end within 10 s"))
        .map(|_| ());
    assert_eq!(sb.faults().injected().get(action.kind()), 1);
    (sent, sb)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_cut_mid_body_is_a_transport_error_after_the_change() {
    let (sent, sb) = once(FaultAction::ResetMidBody, "cut-1").await;
    match sent {
        Err(Error::Transport(e)) => assert_ne!(e.kind, TransportErrorKind::Connect, "{e}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(sb.payment_count(), 1, "the payment was made");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_502_page_changes_nothing() {
    let (sent, sb) = once(FaultAction::Status502, "bad-gw-1").await;
    let error = match sent {
        Err(e) => e,
        Ok(()) => panic!("a 502 is not a success"),
    };
    assert_eq!(
        error.http_status().map(|s| s.as_u16()),
        Some(502),
        "{error}"
    );
    assert_eq!(sb.payment_count(), 0);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_times_out_after_the_change() {
    let (sent, sb) = once(
        FaultAction::SlowAnswer(Duration::from_millis(1200)),
        "slow-1",
    )
    .await;
    match sent {
        Err(Error::Transport(e)) => assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(sb.payment_count(), 1, "the payment was made");
    assert_eq!(sb.faults().injected().get(FaultKind::SlowAnswer), 1);
    sb.shutdown().await;
}
