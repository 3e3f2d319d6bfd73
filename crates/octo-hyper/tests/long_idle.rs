//! A pool idle timeout longer than the clock can count (`Duration::MAX`,
//! "keep connections for good") is a long wait: nothing panics. hyper-util's
//! pool adds it to the current instant in the task that evicts idle
//! connections, which panicked, once per client, as soon as a connection
//! went back to the pool.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use octo_hyper::{Client, HyperBuilderExt};
use octo_proto::Config;
use octo_proto::op::PaymentStatusCheck;
use octo_testkit::replay::{Canned, ReplayServer};

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"succeeded"}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_timeout_too_long_for_the_clock_does_not_panic() {
    let panics = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&panics);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));

    let server = ReplayServer::start().unwrap();
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(&server.url())
        .unwrap();
    let client = Client::builder(config)
        .no_retry()
        .timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::MAX)
        .build()
        .unwrap();
    let op = PaymentStatusCheck::new("order-42".parse().unwrap());
    for _ in 0..2 {
        server.push_reply(Canned::json(200, PAID));
        let paid = client.send(&op).await.unwrap();
        assert_eq!(paid.shop_transaction_id.as_str(), "order-42");
        // Time for the pool's idle task to start and look at its deadline.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.finish().unwrap();
    assert_eq!(panics.load(Ordering::SeqCst), 0, "something panicked");
}
