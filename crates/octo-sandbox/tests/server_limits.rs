//! The sandbox's server bounds what one client can hold: a body or a head
//! trickled slower than its timeout is refused in time while other
//! connections are served, and connections beyond the limit wait.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use octo_proto::Operation;
use octo_proto::op::PaymentStatusCheck;
use octo_sandbox::{Sandbox, SandboxHandle};
use octo_testkit::slow_client;
use tokio::net::TcpStream;

async fn sandbox(header: Duration, body: Duration, connections: usize) -> SandboxHandle {
    Sandbox::builder()
        .configure(|c| {
            c.header_read_timeout = header;
            c.body_read_timeout = body;
            c.max_connections = connections;
        })
        .start()
        .await
        .unwrap()
}

/// A whole request on its own connection, answered as OCTO would.
async fn served(sb: &SandboxHandle) -> bool {
    let op = PaymentStatusCheck::new("order-unknown".parse().unwrap());
    matches!(
        common::send(sb, &op).await,
        Ok(_) | Err(octo_proto::Error::Octo(_))
    )
}

/// `head` at once, then `body` one byte every `every`: the answer's first
/// line (`None` on a bare close) and how long it took.
async fn trickle(
    sb: &SandboxHandle,
    head: Vec<u8>,
    body: Vec<u8>,
    every: Duration,
) -> (Option<String>, Duration) {
    let addr = sb.addr().to_string();
    let seen = slow_client::trickle(&addr, head, body, every, common::LIMIT)
        .await
        .unwrap();
    assert!(seen.in_time, "neither answered nor closed in time");
    (seen.status_line, seen.elapsed)
}

/// A whole `prepare_payment` request for the sandbox: its head and body.
/// Processed, it would create a payment.
fn prepare(sb: &SandboxHandle) -> (Vec<u8>, Vec<u8>) {
    let op = common::payment("order-slow", "1000");
    let request = op.build_request(&sb.client_config()).unwrap();
    let head = slow_client::request_head(&request, &sb.addr().to_string());
    (head, request.body().clone())
}

#[tokio::test]
async fn a_trickled_body_is_refused_in_time_while_others_are_served() {
    let sb = sandbox(Duration::from_secs(5), Duration::from_millis(300), 64).await;
    let (head, body) = prepare(&sb);
    let slow = trickle(&sb, head, body, Duration::from_millis(100));
    let (slow, fast) = tokio::join!(slow, async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        served(&sb).await
    });
    assert!(fast, "a whole request on another connection is served");
    let (line, elapsed) = slow;
    let line = line.expect("an answer before the close");
    assert!(line.starts_with("HTTP/1.1 408"), "{line}");
    assert!(
        elapsed < Duration::from_secs(2),
        "refused only after {elapsed:?}"
    );
    assert!(served(&sb).await, "still serving afterwards");
    assert_eq!(sb.payment_count(), 0, "the trickled request was processed");
}

#[tokio::test]
async fn a_trickled_head_is_dropped_in_time() {
    let sb = sandbox(Duration::from_millis(300), Duration::from_secs(5), 64).await;
    let head = format!(
        "POST /prepare_payment HTTP/1.1\r\nhost: {}\r\nx-padding: {}\r\n",
        sb.addr(),
        "a".repeat(60)
    );
    let (slow, fast) = tokio::join!(
        trickle(
            &sb,
            Vec::new(),
            head.into_bytes(),
            Duration::from_millis(50)
        ),
        async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            served(&sb).await
        }
    );
    assert!(fast, "a whole request on another connection is served");
    let (line, elapsed) = slow;
    if let Some(line) = line {
        assert!(line.starts_with("HTTP/1.1 408"), "{line}");
    }
    assert!(
        elapsed < Duration::from_secs(2),
        "dropped only after {elapsed:?}"
    );
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let sb = sandbox(Duration::from_secs(5), Duration::from_secs(5), 1).await;
    // One idle connection holds the only slot.
    let holder = TcpStream::connect(sb.addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let waiting = tokio::time::timeout(Duration::from_millis(400), served(&sb)).await;
    assert!(waiting.is_err(), "served beyond the connection limit");
    drop(holder);
    let after = tokio::time::timeout(common::LIMIT, served(&sb)).await;
    assert_eq!(after, Ok(true), "served once the slot is free");
}

#[tokio::test]
async fn waits_longer_than_the_clock_can_count_are_long_waits_not_panics() {
    // `Duration::MAX` says "as long as it takes"; added to the current
    // instant it overflows, and hyper's connection task panicked on it,
    // closing every connection without an answer.
    let sb = sandbox(Duration::MAX, Duration::MAX, 4).await;
    for _ in 0..2 {
        assert!(served(&sb).await, "a request went unanswered");
    }
    sb.shutdown().await;
}
