//! octo-reqwest against reqwest used raw: the same loopback server, the
//! same response, keep-alive on both sides. Two baselines:
//!
//! - raw: posts a body serialised once and does not parse the answer;
//! - raw + serde + deadline (`reqwest_same_job`): the client a shop would
//!   write by hand, doing the SDK's job: the typed request serialised on
//!   every call, the answer read into serde-derived structs, and reqwest's
//!   per-request timeout, as octo-reqwest sets it.
//!
//! The SDK side builds, sends and parses on every call. Each baseline
//! alternates with octo in pairs within one run (see `support/paired.rs`
//! in octo-transport's benches for the modes):
//! `cargo bench -p octo-reqwest --bench transport`; `--count raw|octo N`
//! or `--count same_job N` for callgrind.

// A benchmark aborts on the first failure, as a test would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../../octo-transport/benches/support/by_hand.rs"]
mod by_hand;
#[path = "../../octo-transport/benches/support/loopback.rs"]
mod loopback;
#[path = "../../octo-transport/benches/support/paired.rs"]
mod paired;
#[path = "../../octo-transport/benches/support/tokio_drivers.rs"]
mod tokio_drivers;

use std::sync::Arc;

use loopback::Loopback;
use octo_reqwest::Client;
use paired::Mode;

async fn raw_call(raw: reqwest::Client, url: Arc<str>, body: bytes::Bytes) -> bytes::Bytes {
    let response = raw
        .post(&*url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body)
        .send()
        .await
        .expect("raw send");
    response.bytes().await.expect("raw body")
}

/// One status check by hand: the typed request serialised, posted with
/// reqwest's per-request timeout, the answer read into derived structs.
async fn same_job_call(raw: reqwest::Client, url: Arc<str>) -> by_hand::PaymentData {
    let response = raw
        .post(&*url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .timeout(octo_reqwest::DEFAULT_TIMEOUT)
        .body(by_hand::status_body(loopback::SHOP_ID, loopback::SECRET))
        .send()
        .await
        .expect("same-job send");
    let bytes = response.bytes().await.expect("same-job body");
    by_hand::read_payment(&bytes)
}

fn main() {
    let mode = Mode::from_args_with(&["same_job"]);
    let loopback = Loopback::start();
    let url: Arc<str> = loopback.url().into();
    let (body, op) = (loopback.body(), &loopback.op);

    let runtime = tokio_drivers::runtime();
    let sdk = Client::builder(loopback.config.clone())
        .no_retry()
        .build()
        .expect("client");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let raw = reqwest::Client::builder().build().expect("raw client");

    let raw_once = || raw_call(raw.clone(), Arc::clone(&url), body.clone());
    let same_job_once = || same_job_call(raw.clone(), Arc::clone(&url));
    let octo_once = || {
        let (sdk, op) = (sdk.clone(), Arc::clone(op));
        async move { sdk.send(&*op).await.expect("octo send") }
    };

    if let Mode::CountOther { calls, .. } = mode {
        paired::count(
            &mut |units| tokio_drivers::one_at_a_time(&runtime, units, same_job_once),
            calls,
        );
        return;
    }
    if tokio_drivers::count_raw_or_octo(&mode, &runtime, raw_once, octo_once) {
        return;
    }
    tokio_drivers::compare_latency_and_in_flight("reqwest", &mode, &runtime, raw_once, octo_once);
    tokio_drivers::compare_latency_and_in_flight(
        "reqwest_same_job",
        &mode,
        &runtime,
        same_job_once,
        octo_once,
    );
    loopback.check();
}
