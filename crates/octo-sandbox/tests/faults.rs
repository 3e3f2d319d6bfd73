//! Injected faults: dropped connections and 500s after processing never
//! make a retried idempotent call create a second payment or refund.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{answer, dec, pay, payment, refund, sandbox, send, started};
use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Operation, PaymentStatus};
use octo_sandbox::cards::CardBehaviour;
use octo_sandbox::{FaultAction, FaultRule, Sandbox};

/// `action` on `path`, `times` times.
fn fault(action: FaultAction, path: &str, times: u32) -> FaultRule {
    FaultRule::new(action).on_path(path).times(times)
}

/// Sends `op`, and on a transport failure or a 500 sends it again, at
/// most five times.
async fn send_retrying<O: Operation>(sb: &octo_sandbox::SandboxHandle, op: &O) -> (O::Output, u32) {
    let request = op.build_request(&sb.client_config()).unwrap();
    for attempt in 1..=5 {
        let (parts, body) = request.clone().into_parts();
        let request =
            http::Request::from_parts(parts, http_body_util::Full::new(bytes::Bytes::from(body)));
        let Ok(Ok(response)) =
            tokio::time::timeout(common::LIMIT, common::client().request(request)).await
        else {
            continue;
        };
        let (parts, body) = response.into_parts();
        use http_body_util::BodyExt;
        let bytes = body.collect().await.unwrap().to_bytes();
        if parts.status == 500 {
            continue;
        }
        return (
            op.parse_response(&http::Response::from_parts(parts, bytes))
                .unwrap(),
            attempt,
        );
    }
    panic!("no answer in five attempts");
}

#[tokio::test]
async fn dropped_and_failed_answers_then_retries_make_one_payment_and_one_refund() {
    let sb = started(
        Sandbox::builder()
            .fault(fault(
                FaultAction::DropAfterProcessing,
                "/prepare_payment",
                1,
            ))
            .fault(fault(
                FaultAction::Status500AfterProcessing,
                "/prepare_payment",
                1,
            )),
    )
    .await;
    let op = payment("f-1", "50000");
    let (created, attempts) = send_retrying(&sb, &op).await;
    assert_eq!(attempts, 3, "dropped, then 500, then answered");
    assert_eq!(sb.payment_count(), 1);
    let uuid = created.octo_payment_uuid.clone();
    pay(&sb, uuid.as_str(), CardBehaviour::Success);

    sb.faults()
        .add(fault(FaultAction::DropAfterProcessing, "/refund", 2));
    let refund = refund("rf-f", &uuid, "20000");
    let (result, attempts) = send_retrying(&sb, &refund).await;
    assert_eq!(attempts, 3);
    assert!(result.refund_id.is_some());
    assert_eq!(
        sb.payment(uuid.as_str()).unwrap().refunded_sum,
        dec("20000"),
        "refunded once"
    );

    sb.faults()
        .add(fault(FaultAction::Status500, "/prepare_payment", 1));
    let (status, attempts) =
        send_retrying(&sb, &PaymentStatusCheck::new("f-1".parse().unwrap())).await;
    assert_eq!(attempts, 2);
    assert_eq!(status.status, PaymentStatus::Succeeded);
    assert_eq!(
        status.status,
        sb.payment(uuid.as_str()).unwrap().status,
        "the client sees what the sandbox holds"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn delay_fault_delays_then_answers() {
    let sb = sandbox().await;
    sb.faults()
        .add(FaultRule::new(FaultAction::Delay(Duration::from_millis(150))).times(1));
    let op = payment("d-1", "1");
    let started = std::time::Instant::now();
    send(&sb, &op).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    sb.shutdown().await;
}

#[tokio::test]
async fn garbage_never_brings_the_server_down() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sb = sandbox().await;
    let junk: [&[u8]; 5] = [
        b"\x00\x01\x02\r\n\r\n",
        b"POST /prepare_payment HTTP/1.1\r\nContent-Length: 5\r\n\r\n\xff\xfe\x00{[",
        b"GET /pay/%zz%00/../../etc HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /pay/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{\"a",
        b"POST /refund HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ];
    for bytes in junk {
        let mut stream = tokio::net::TcpStream::connect(sb.addr()).await.unwrap();
        stream.write_all(bytes).await.unwrap();
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(1), stream.read_to_end(&mut buf)).await;
    }
    let bodies = [
        "null",
        "1",
        "\"x\"",
        "{\"octo_shop_id\":[]}",
        "{\"octo_shop_id\":1e400}",
    ];
    for body in bodies {
        let (status, raw) = common::post_raw(&sb, "/set_accept", body.as_bytes()).await;
        assert_eq!(
            (status.as_u16(), raw["error"].as_i64()),
            (200, Some(1)),
            "{body}"
        );
    }
    assert!(send(&sb, &payment("alive", "1")).await.is_ok());
    sb.shutdown().await;
}

/// The answer to `prepare_payment` `op` under `action` on its path once:
/// the status, the body as JSON, and what octo-proto reads in it.
async fn under_octo_internal(
    sb: &octo_sandbox::SandboxHandle,
    action: FaultAction,
    op: &octo_proto::op::PreparePayment,
) -> (http::Response<bytes::Bytes>, serde_json::Value) {
    sb.faults().add(fault(action, "/prepare_payment", 1));
    let request = op.build_request(&sb.client_config()).unwrap();
    let response = common::exchange(request).await;
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    (response, body)
}

/// A refusal the routes write themselves (a wrong secret, error 2): the
/// envelope the faults must share.
async fn a_real_refusal(sb: &octo_sandbox::SandboxHandle) -> serde_json::Value {
    let (status, body) = common::post_raw(
        sb,
        "/prepare_payment",
        br#"{"octo_shop_id":1,"octo_secret":"wrong"}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_ne!(body["error"], 0, "{body}");
    body
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn octo_internal_answers_error_4_under_200_and_changes_nothing() {
    let sb = sandbox().await;
    let refusal = a_real_refusal(&sb).await;
    let op = payment("e4-before", "50000");
    let (response, body) = under_octo_internal(&sb, FaultAction::OctoInternal, &op).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "the envelope's content type"
    );
    assert_eq!(body["error"], 4, "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(body["errMessage"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(body["errMessage"], body["errorMessage"]);
    assert_eq!(
        keys(&body),
        keys(&refusal),
        "the same envelope as a refusal"
    );
    assert_eq!(
        body["apiMessageForDevelopers"], refusal["apiMessageForDevelopers"],
        "written by the same writer"
    );
    let read = op.parse_response(&response).unwrap_err();
    match &read {
        octo_proto::Error::Octo(e) => assert_eq!(e.code, octo_proto::ErrorCode::Internal),
        other => panic!("not OCTO's error: {other:?}"),
    }
    assert!(!read.is_refusal(), "error 4 is an unknown outcome");
    assert!(sb.payments().is_empty(), "nothing was processed");
    assert_eq!(
        sb.faults()
            .injected()
            .get(octo_sandbox::FaultKind::OctoInternal),
        1
    );

    // The next request is served: one payment, made by the resend.
    let created = answer(&sb, &op).await;
    let all = sb.payments();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].uuid, created.octo_payment_uuid.as_str());
    sb.shutdown().await;
}

#[tokio::test]
async fn octo_internal_after_processing_makes_the_change_then_answers_error_4() {
    let sb = sandbox().await;
    let refusal = a_real_refusal(&sb).await;
    let op = payment("e4-after", "70000.50");
    let (response, body) =
        under_octo_internal(&sb, FaultAction::OctoInternalAfterProcessing, &op).await;
    assert_eq!(response.status(), 200);
    assert_eq!(body["error"], 4, "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(
        keys(&body),
        keys(&refusal),
        "the same envelope as a refusal"
    );
    assert!(body.get("octo_payment_UUID").is_none(), "no result leaks");
    let read = op.parse_response(&response).unwrap_err();
    assert!(
        matches!(&read, octo_proto::Error::Octo(e) if e.code == octo_proto::ErrorCode::Internal),
        "{read:?}"
    );
    assert!(!read.is_refusal());

    let all = sb.payments();
    assert_eq!(all.len(), 1, "the change was made");
    assert_eq!(all[0].shop_transaction_id, "e4-after");
    assert_eq!(all[0].total_sum, dec("70000.50"));
    assert_eq!(
        sb.faults()
            .injected()
            .get(octo_sandbox::FaultKind::OctoInternalAfterProcessing),
        1
    );

    // Resent with the same id: OCTO's deduplication answers the same
    // payment, and no second one is made.
    let again = answer(&sb, &op).await;
    assert_eq!(again.octo_payment_uuid.as_str(), all[0].uuid);
    assert_eq!(sb.payments().len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn octo_internal_after_processing_on_a_refund_refunds_once() {
    let sb = sandbox().await;
    let uuid = common::paid(&sb, &payment("e4-rf", "90000")).await;
    sb.faults().add(fault(
        FaultAction::OctoInternalAfterProcessing,
        "/refund",
        1,
    ));
    let op = refund("e4-rf-0", &uuid, "30000");
    let failed = send(&sb, &op).await.unwrap_err();
    assert!(
        matches!(&failed, octo_proto::Error::Octo(e) if e.code == octo_proto::ErrorCode::Internal),
        "{failed:?}"
    );
    assert_eq!(
        sb.payment(uuid.as_str()).unwrap().refunded_sum,
        dec("30000"),
        "refunded although the answer was error 4"
    );
    assert_eq!(sb.refunds().len(), 1);
    answer(&sb, &op).await;
    assert_eq!(sb.refunds().len(), 1, "the same id refunds once");
    assert_eq!(
        sb.payment(uuid.as_str()).unwrap().refunded_sum,
        dec("30000")
    );
    sb.shutdown().await;
}
