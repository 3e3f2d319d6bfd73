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

use common::{dec, pay, payment, refund, sandbox, send, started};
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
