//! A server that asks for a pause: a 429 or 503 answer carrying
//! `Retry-After`. An idempotent call waits that long before its next
//! attempt; a call that is not idempotent is still sent once; a wait
//! longer than the policy's bound returns the error at once.

use std::time::{Duration, Instant};

use octo_proto::op::{PaymentStatusCheck, SetAccept};
use octo_proto::{Config, Operation, RetryPolicy};
use octo_transport::ClientBuilder;

use crate::ExpectedRequest;
use crate::client::AnyClient;
use crate::replay::{Canned, Exchange, ReplayServer};

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":1000.00}}"#;
const BUSY: &str = "<html><body>Busy, come back later</body></html>";

fn config(url: &str) -> Config {
    Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(url)
        .unwrap()
}

/// Quick retries (5 ms, then 10 ms), so any pause near a second can only
/// come from `Retry-After`; jitter and the default bound (5 s) as shipped.
fn client<C: AnyClient>(url: &str) -> C {
    C::build(
        ClientBuilder::new(config(url))
            .retry_policy(RetryPolicy::new(
                3,
                Duration::from_millis(5),
                Duration::from_millis(20),
            ))
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(2)),
    )
}

/// An answer with `status` asking for a pause of `retry_after`.
fn busy(status: u16, retry_after: &str) -> Canned {
    Canned::Full {
        status,
        headers: vec![
            ("content-type".to_owned(), "text/html".to_owned()),
            ("retry-after".to_owned(), retry_after.to_owned()),
        ],
        body: BUSY.into(),
    }
}

/// `op` must arrive as its own request on every attempt, then gets `reply`.
fn exchange<O: Operation>(op: &O, url: &str, reply: Canned) -> Exchange {
    let request = op.build_request(&config(url)).unwrap();
    Exchange {
        expect: Some(ExpectedRequest::from_request(&request).unwrap()),
        reply,
    }
}

/// An idempotent call answered 503 with `Retry-After: 1`, then 200, waits
/// about a second before its second attempt and succeeds.
pub async fn an_idempotent_call_waits_as_long_as_retry_after_asks<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let op = PaymentStatusCheck::new("order-42".parse().unwrap());
    assert!(op.is_idempotent());
    server.push(exchange(&op, &server.url(), busy(503, "1")));
    server.push(exchange(&op, &server.url(), Canned::json(200, PAID)));
    let client = client::<C>(&server.url());
    let started = Instant::now();
    let payment = client.send(&op).await.unwrap();
    let elapsed = started.elapsed();
    assert!(payment.status.is_paid());
    assert_eq!(server.received(), 2);
    assert!(
        elapsed >= Duration::from_secs(1),
        "the second attempt came after {elapsed:?}, before Retry-After's second"
    );
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    server.finish().unwrap();
}

/// `op`, answered `status` with a `Retry-After` of `retry_after`, comes
/// back as that status within a second, after a single request.
async fn refused_at_once<C: AnyClient, O: Operation>(op: &O, status: u16, retry_after: &str) {
    let server = ReplayServer::start().unwrap();
    server.push(exchange(op, &server.url(), busy(status, retry_after)));
    let client = client::<C>(&server.url());
    let started = Instant::now();
    let Err(error) = client.send(op).await else {
        panic!("a {status} answer came back as a success");
    };
    let elapsed = started.elapsed();
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(status));
    assert_eq!(server.received(), 1);
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    server.finish().unwrap();
}

/// A capture (not idempotent) answered 503 with `Retry-After: 1` is sent
/// once: the 503 comes back at once, the pause asked for is not taken.
pub async fn a_call_that_is_not_idempotent_is_not_resent_for_retry_after<C: AnyClient>() {
    let op = SetAccept::capture("e3f40dc3-4955-412a-853a-2ddd28d3201f".parse().unwrap());
    assert!(!op.is_idempotent());
    refused_at_once::<C, _>(&op, 503, "1").await;
}

/// An idempotent call answered 429 with a `Retry-After` past the policy's
/// bound (120 s against 5 s) returns the 429 at once, after one request,
/// rather than sleeping or spending its attempts early.
pub async fn a_retry_after_past_the_bound_returns_the_error_at_once<C: AnyClient>() {
    let op = PaymentStatusCheck::new("order-42".parse().unwrap());
    refused_at_once::<C, _>(&op, 429, "120").await;
}
