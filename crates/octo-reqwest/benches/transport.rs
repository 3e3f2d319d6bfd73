//! octo-reqwest against reqwest used raw: the same loopback server, the
//! same response, keep-alive on both sides. The raw side posts a body
//! serialised once; the SDK side builds, sends and parses on every call,
//! which is the overhead being measured.
//!
//! The two sides alternate in pairs within one run (see
//! `support/paired.rs` in octo-transport's benches for the modes):
//! `cargo bench -p octo-reqwest --bench transport`.

// A benchmark aborts on the first failure, as a test would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

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

fn main() {
    let mode = Mode::from_args();
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
    let octo_once = || {
        let (sdk, op) = (sdk.clone(), Arc::clone(op));
        async move { sdk.send(&*op).await.expect("octo send") }
    };

    if tokio_drivers::count_raw_or_octo(&mode, &runtime, raw_once, octo_once) {
        return;
    }
    tokio_drivers::compare_latency_and_in_flight("reqwest", &mode, &runtime, raw_once, octo_once);
    loopback.check();
}
