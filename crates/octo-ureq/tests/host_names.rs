//! A base URL with a host name: the client looks the name up (through its
//! address book, `src/addresses.rs`) and every call reaches the server,
//! with the addresses kept or, with a zero time to live, looked up on each
//! call.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use octo_proto::Config;
use octo_proto::op::PaymentStatusCheck;
use octo_testkit::replay::{Canned, ReplayServer};
use octo_ureq::{Client, UreqBuilderExt};

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"succeeded"}}"#;

fn client(url: &str, ttl: Duration) -> Client {
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(url)
        .unwrap();
    Client::builder(config)
        .no_retry()
        .timeout(Duration::from_secs(5))
        .address_ttl(ttl)
        .build()
}

#[test]
fn calls_to_a_host_name_reach_the_server_whatever_the_time_to_live() {
    let server = ReplayServer::start().unwrap();
    let url = format!("http://localhost:{}", server.addr().port());
    let op = PaymentStatusCheck::new("order-42".parse().unwrap());
    for ttl in [Duration::from_secs(60), Duration::ZERO] {
        let client = client(&url, ttl);
        for _ in 0..3 {
            server.push_reply(Canned::json(200, PAID));
            let paid = client.send(&op).unwrap();
            assert_eq!(paid.shop_transaction_id.as_str(), "order-42");
        }
    }
    assert_eq!(server.received(), 6);
    server.finish().unwrap();
}
