//! octo-hyper against hyper-util's pooled client used raw: the same
//! loopback server, the same response, keep-alive on both sides. Two
//! baselines:
//!
//! - raw: posts a body serialised once and does not parse the answer, the
//!   floor of any client;
//! - raw + serde: what a shop would write by hand with hyper-util and serde
//!   derive: a typed request serialised on every call, the answer read into
//!   derived structs (the envelope and the payment's fields, amounts as
//!   `Decimal`);
//! - raw + serde + deadline: the same, each call inside
//!   `tokio::time::timeout` as octo-hyper's attempts are: the hand-written
//!   client that does the SDK's job (less the size cap and the fields it
//!   keeps).
//!
//! The SDK side builds, sends and parses on every call.
//!
//! Each baseline alternates with octo in pairs within one run (see
//! `support/paired.rs` in octo-transport's benches for the modes):
//! `cargo bench -p octo-hyper --bench transport`. For callgrind,
//! `--count raw|octo N` as in the other transport benches, and
//! `--count serde N` for the raw + serde side, `--count same_job N` for
//! the one with a deadline.

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

use by_hand::PaymentData;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use loopback::Loopback;
use octo_hyper::Client;
use paired::Mode;

type Raw = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

async fn raw_call(raw: Raw, template: Arc<http::Request<Bytes>>) -> Bytes {
    let mut request = http::Request::new(Full::new(template.body().clone()));
    *request.method_mut() = template.method().clone();
    *request.uri_mut() = template.uri().clone();
    *request.headers_mut() = template.headers().clone();
    let response = raw.request(request).await.expect("raw send");
    response
        .into_body()
        .collect()
        .await
        .expect("raw body")
        .to_bytes()
}

/// What a shop's hand-written client needs to send the status check.
struct ByHand {
    uri: http::Uri,
    shop_id: u64,
    secret: String,
}

/// One status check by hand: serialise the typed request, post it, read
/// the whole answer and deserialise it into the derived structs.
async fn serde_call(raw: Raw, by_hand: Arc<ByHand>) -> PaymentData {
    let body = by_hand::status_body(by_hand.shop_id, &by_hand.secret);
    let request = http::Request::post(by_hand.uri.clone())
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let response = raw.request(request).await.expect("serde send");
    assert!(response.status().is_success());
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("serde body")
        .to_bytes();
    by_hand::read_payment(&bytes)
}

fn main() {
    let mode = Mode::from_args_with(&["serde", "same_job"]);
    let loopback = Loopback::start();
    let (template, op) = (&loopback.template, &loopback.op);

    let runtime = tokio_drivers::runtime();
    let sdk = Client::builder(loopback.config.clone())
        .no_retry()
        .build()
        .expect("client");
    let raw: Raw =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();

    let by_hand = Arc::new(ByHand {
        uri: template.uri().clone(),
        shop_id: loopback::SHOP_ID,
        secret: loopback::SECRET.to_owned(),
    });

    let raw_once = || raw_call(raw.clone(), Arc::clone(template));
    let serde_once = || serde_call(raw.clone(), Arc::clone(&by_hand));
    let same_job_once = || {
        let call = serde_call(raw.clone(), Arc::clone(&by_hand));
        async move {
            tokio::time::timeout(octo_hyper::DEFAULT_TIMEOUT, call)
                .await
                .expect("within the deadline")
        }
    };
    let octo_once = || {
        let (sdk, op) = (sdk.clone(), Arc::clone(op));
        async move { sdk.send(&*op).await.expect("octo send") }
    };

    match mode {
        Mode::CountOther {
            side: "same_job",
            calls,
        } => {
            paired::count(
                &mut |units| tokio_drivers::one_at_a_time(&runtime, units, same_job_once),
                calls,
            );
            return;
        }
        Mode::CountOther { calls, .. } => {
            paired::count(
                &mut |units| tokio_drivers::one_at_a_time(&runtime, units, serde_once),
                calls,
            );
            return;
        }
        _ => {}
    }
    if tokio_drivers::count_raw_or_octo(&mode, &runtime, raw_once, octo_once) {
        return;
    }
    tokio_drivers::compare_latency_and_in_flight("hyper", &mode, &runtime, raw_once, octo_once);
    // The same two measures against the hand-written serde client.
    tokio_drivers::compare_latency_and_in_flight(
        "hyper_serde",
        &mode,
        &runtime,
        serde_once,
        octo_once,
    );
    // And against the hand-written client with a deadline.
    tokio_drivers::compare_latency_and_in_flight(
        "hyper_same_job",
        &mode,
        &runtime,
        same_job_once,
        octo_once,
    );
    loopback.check();
}
