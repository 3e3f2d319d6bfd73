//! Bodies of announced length are read frame by frame without a general
//! collect (`HyperBackend::exchange`): a large answer that arrives in many
//! frames is read whole, and the size cap still holds to the byte.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use octo_hyper::Client;
use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, Error, TransportErrorKind};
use octo_testkit::replay::{Canned, ReplayServer};

fn client(url: &str, max_response_bytes: usize) -> Client {
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(url)
        .unwrap();
    Client::builder(config)
        .no_retry()
        .timeout(Duration::from_secs(5))
        .max_response_bytes(max_response_bytes)
        .build()
        .unwrap()
}

/// A paid answer padded to exactly `len` bytes, and its padding.
fn padded(len: usize) -> (String, String) {
    let head = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"succeeded","pad":""#;
    let tail = r#""}}"#;
    let pad = "p".repeat(len - head.len() - tail.len());
    (format!("{head}{pad}{tail}"), pad)
}

#[tokio::test]
async fn a_long_answer_in_many_frames_is_read_whole_up_to_the_cap() {
    let server = ReplayServer::start().unwrap();
    let op = PaymentStatusCheck::new("order-42".parse().unwrap());
    // Far more than one read of hyper's buffer: many frames.
    let len = 300_000;
    let (body, sent) = padded(len);
    assert_eq!(body.len(), len);
    for _ in 0..2 {
        server.push_reply(Canned::json(200, body.clone()));
    }
    let at_cap = client(&server.url(), len);
    let paid = at_cap.send(&op).await.unwrap();
    let pad = paid.extra.get("pad").and_then(|v| v.as_str()).unwrap();
    assert_eq!(pad, sent);
    // One byte less of room: refused before the body is read.
    let below = client(&server.url(), len - 1);
    match below.send(&op).await.unwrap_err() {
        Error::Transport(e) => assert_eq!(e.kind, TransportErrorKind::BodyTooLarge),
        other => panic!("{other:?}"),
    }
}
