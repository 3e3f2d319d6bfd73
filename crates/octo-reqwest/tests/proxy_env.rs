//! A proxy named in the environment (`HTTP_PROXY`, `HTTPS_PROXY`,
//! `ALL_PROXY`) is never used for a loopback base URL. reqwest reads those
//! variables on its own; a proxy asked for `http://127.0.0.1:…` would get
//! the request, the shop's secret in it, over plain HTTP, and would reach
//! its own loopback, not the shop's server.
//!
//! Setting variables in this process is not possible without `unsafe`, so
//! the test runs its other half (`child_calls_the_loopback_server`) in a
//! copy of this test binary started with the variables set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use octo_proto::Config;
use octo_proto::op::PaymentStatusCheck;
use octo_reqwest::Client;
use octo_testkit::replay::{Canned, ReplayServer};

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"succeeded"}}"#;

/// Calls a loopback server by address and by `localhost`: both calls must
/// reach it. Run on its own too, without a proxy in the environment.
#[tokio::test]
async fn child_calls_the_loopback_server() {
    let server = ReplayServer::start().unwrap();
    let op = PaymentStatusCheck::new("order-42".parse().unwrap());
    let port = server.addr().port();
    for url in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
            .with_base_url(&url)
            .unwrap();
        let client = Client::builder(config)
            .no_retry()
            .timeout(Duration::from_secs(3))
            .build()
            .unwrap();
        server.push_reply(Canned::json(200, PAID));
        let paid = client.send(&op).await;
        assert!(paid.is_ok(), "{url}: {paid:?}");
    }
    assert_eq!(server.received(), 2);
    server.finish().unwrap();
}

#[test]
fn a_proxy_in_the_environment_is_not_used_for_a_loopback_base_url() {
    // A "proxy" that accepts connections and never answers: a request sent
    // to it fails the child's call, and the connection shows here.
    let trap = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", trap.local_addr().unwrap());
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_calls_the_loopback_server",
            "--test-threads=1",
        ])
        .env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env("HTTPS_PROXY", &proxy)
        .env("ALL_PROXY", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    trap.set_nonblocking(true).unwrap();
    let reached = trap.accept().is_ok();
    assert!(
        output.status.success(),
        "the call failed with a proxy in the environment:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(!reached, "the proxy was asked for a loopback address");
    // The child did run the call (a filter matching nothing passes too).
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
