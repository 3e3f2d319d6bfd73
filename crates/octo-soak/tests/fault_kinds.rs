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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn octo_error_4_is_an_unknown_outcome_and_changes_nothing() {
    let (sent, sb) = once(FaultAction::OctoInternal, "e4-1").await;
    let error = match sent {
        Err(e) => e,
        Ok(()) => panic!("error 4 is not a success"),
    };
    match &error {
        Error::Octo(e) => {
            assert_eq!(e.code, octo_proto::ErrorCode::Internal);
            assert_eq!(e.http_status.as_u16(), 200, "OCTO's errors come under 200");
        }
        other => panic!("expected OCTO's error 4, got {other:?}"),
    }
    assert!(!error.is_refusal(), "its outcome is unknown");
    assert_eq!(sb.payment_count(), 0);
    sb.shutdown().await;
}

/// The soak's three clients, with retries as the soak sets them.
fn retrying(sb: &SandboxHandle) -> (octo_reqwest::Client, octo_ureq::Client, octo_hyper::Client) {
    let retry =
        octo_proto::RetryPolicy::new(3, Duration::from_millis(20), Duration::from_millis(200));
    let reqwest = octo_reqwest::Client::builder(sb.client_config())
        .timeout(Duration::from_secs(2))
        .retry_policy(retry)
        .build()
        .unwrap();
    let ureq = octo_ureq::Client::builder(sb.client_config())
        .timeout(Duration::from_secs(2))
        .retry_policy(retry)
        .build();
    let hyper = octo_hyper::Client::builder(sb.client_config())
        .timeout(Duration::from_secs(2))
        .retry_policy(retry)
        .build()
        .unwrap();
    (reqwest, ureq, hyper)
}

/// Sends `op` through the client `which` (0 reqwest, 1 ureq, 2 hyper).
async fn send_through<O>(sb: &SandboxHandle, which: usize, op: &O) -> Result<O::Output, Error>
where
    O: octo_proto::Operation + Clone + Send + 'static,
    O::Output: Send + 'static,
{
    let (reqwest, ureq, hyper) = retrying(sb);
    let call = async {
        match which {
            0 => reqwest.send(op).await,
            1 => {
                let op = op.clone();
                tokio::task::spawn_blocking(move || ureq.send(&op))
                    .await
                    .unwrap()
            }
            _ => hyper.send(op).await,
        }
    };
    tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .unwrap_or_else(|_| panic!("no end within 10 s"))
}

/// Error 4 after the change on `prepare_payment`: every client resends it
/// with the same `shop_transaction_id`, and OCTO's deduplication answers
/// the one payment made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_call_answered_error_4_is_resent_with_its_key_and_made_once() {
    for which in 0..3 {
        let sb = Sandbox::builder()
            .fault(
                FaultRule::new(FaultAction::OctoInternalAfterProcessing)
                    .on_path("/prepare_payment")
                    .times(1),
            )
            .start()
            .await
            .unwrap();
        let made = send_through(&sb, which, &payment(&format!("e4-key-{which}")))
            .await
            .unwrap_or_else(|e| panic!("client {which}: {e}"));
        assert_eq!(sb.payment_count(), 1, "client {which}");
        assert_eq!(
            sb.payments()[0].uuid,
            made.octo_payment_uuid.as_str(),
            "client {which}"
        );
        assert_eq!(sb.faults().injected().requests_seen(), 2, "client {which}");
        sb.shutdown().await;
    }
}

/// Error 4 after the change on `set_accept`, which is not idempotent: no
/// client sends it again; the capture was made once, and the caller learns
/// an unknown outcome (to settle by a status check), not a refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_answered_error_4_is_not_resent() {
    use octo_proto::PaymentStatus;
    use octo_proto::op::SetAccept;
    use octo_sandbox::cards::{CardBehaviour, test_card};
    for which in 0..3 {
        let sb = Sandbox::builder().start().await.unwrap();
        let prepared = send_through(&sb, which, &payment(&format!("e4-cap-{which}")).two_stage())
            .await
            .unwrap();
        let uuid = prepared.octo_payment_uuid;
        sb.customer()
            .pay(uuid.as_str(), &test_card(CardBehaviour::Success))
            .unwrap();
        assert_eq!(
            sb.payment(uuid.as_str()).map(|p| p.status),
            Some(PaymentStatus::WaitingForCapture)
        );
        sb.faults().add(
            FaultRule::new(FaultAction::OctoInternalAfterProcessing)
                .on_path("/set_accept")
                .times(1),
        );
        let seen = sb.faults().injected().requests_seen();
        let failed = send_through(&sb, which, &SetAccept::capture(uuid.clone()))
            .await
            .unwrap_err();
        assert!(
            matches!(&failed, Error::Octo(e) if e.code == octo_proto::ErrorCode::Internal),
            "client {which}: {failed:?}"
        );
        assert!(!failed.is_refusal(), "client {which}");
        assert_eq!(
            sb.faults().injected().requests_seen() - seen,
            1,
            "client {which} sent set_accept once"
        );
        assert_eq!(
            sb.payment(uuid.as_str()).map(|p| p.status),
            Some(PaymentStatus::Succeeded),
            "client {which}: captured although the answer was error 4"
        );
        sb.shutdown().await;
    }
}
