//! octo-ureq against ureq used raw: the same loopback server, the same
//! response, keep-alive on both sides. The raw side posts a body serialised
//! once; the SDK side builds, sends and parses on every call, which is the
//! overhead being measured.
//!
//! The two sides alternate in pairs within one run (see
//! `support/paired.rs` in octo-transport's benches for the modes):
//! `cargo bench -p octo-ureq --bench transport`.

// A benchmark aborts on the first failure, as a test would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../../octo-transport/benches/support/paired.rs"]
mod paired;

use std::time::{Duration, Instant};

use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, Operation};
use octo_testkit::replay::{Canned, ReplayServer};
use octo_ureq::Client;
use paired::{Kind, Mode};

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":1000.00,"refunded_sum":0}}"#;

/// `units` calls one after another.
fn one_at_a_time<T>(units: u64, mut call: impl FnMut() -> T) -> Duration {
    let started = Instant::now();
    for _ in 0..units {
        std::hint::black_box(call());
    }
    started.elapsed()
}

fn main() {
    let mode = Mode::from_args();
    let server = ReplayServer::always(Canned::json(200, PAID)).expect("server");
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(&server.url())
        .expect("url");
    let op = PaymentStatusCheck::new("order-42".parse().expect("id"));
    let request = op.build_request(&config).expect("request");
    let url = request.uri().to_string();
    let body = request.body().clone();

    let sdk = Client::builder(config).no_retry().build();
    // The raw agent is configured exactly as octo-ureq configures its own
    // (its backend's `build`): the same timeouts, statuses as responses,
    // no redirects. ureq's timeouts cost time of their own, so an agent
    // without them would make the SDK look slower than it is.
    let raw = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .timeout_connect(Some(octo_ureq::DEFAULT_CONNECT_TIMEOUT))
            .timeout_global(Some(octo_ureq::DEFAULT_TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .build(),
    );

    let raw_once = || {
        let response = raw
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .send(&body[..])
            .expect("raw send");
        response.into_body().read_to_vec().expect("raw body")
    };
    let octo_once = || sdk.send(&op).expect("octo send");
    let mut raw_latency = |units| one_at_a_time(units, raw_once);
    let mut octo_latency = |units| one_at_a_time(units, octo_once);

    match mode {
        Mode::Count { octo: true, calls } => paired::count(&mut octo_latency, calls),
        Mode::Count { octo: false, calls } => paired::count(&mut raw_latency, calls),
        _ => paired::compare(
            "ureq/latency",
            Kind::Latency,
            1,
            &mode,
            &mut raw_latency,
            &mut octo_latency,
        ),
    }
    assert!(server.received() > 0, "the server saw no request");
}
