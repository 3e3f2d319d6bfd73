//! octo-hyper against hyper-util's pooled client used raw: the same
//! loopback server, the same response, keep-alive on both sides. Two
//! baselines:
//!
//! - raw: posts a body serialised once and does not parse the answer, the
//!   floor of any client;
//! - raw + serde: what a shop would write by hand with hyper-util and serde
//!   derive: a typed request serialised on every call, the answer read into
//!   derived structs (the envelope and the payment's fields, amounts as
//!   `Decimal`).
//!
//! The SDK side builds, sends and parses on every call.
//!
//! Each baseline alternates with octo in pairs within one run (see
//! `support/paired.rs` in octo-transport's benches for the modes):
//! `cargo bench -p octo-hyper --bench transport`. For callgrind,
//! `--count raw|octo N` as in the other transport benches, and
//! `--count serde N` for the raw + serde side.

// A benchmark aborts on the first failure, as a test would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../../octo-transport/benches/support/paired.rs"]
mod paired;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use octo_hyper::Client;
use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, Operation};
use octo_testkit::replay::{Canned, ReplayServer};
use paired::{Kind, Mode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tokio::runtime::Runtime;

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":1000.00,"refunded_sum":0}}"#;
const IN_FLIGHT: usize = 32;

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

/// The status check's body, as a shop would declare it.
#[derive(Serialize)]
struct StatusRequest<'a> {
    octo_shop_id: u64,
    octo_secret: &'a str,
    shop_transaction_id: &'a str,
}

/// OCTO's envelope, as a shop would declare it.
#[derive(Deserialize)]
#[allow(dead_code)] // read by serde; the bench only keeps the value
struct Envelope {
    error: i64,
    #[serde(rename = "errMessage")]
    err_message: Option<String>,
    data: Option<PaymentData>,
}

/// The payment's fields, as a shop would declare them.
#[derive(Deserialize)]
#[allow(dead_code, non_snake_case)] // OCTO's names; read by serde
struct PaymentData {
    shop_transaction_id: String,
    octo_payment_UUID: String,
    status: String,
    octo_pay_url: Option<String>,
    total_sum: Option<Decimal>,
    refunded_sum: Option<Decimal>,
    transfer_sum: Option<Decimal>,
    payed_time: Option<String>,
    processor_key: Option<String>,
    processing_reference: Option<String>,
    first6: Option<String>,
    last4: Option<String>,
    maskedPan: Option<String>,
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
    let body = serde_json::to_vec(&StatusRequest {
        octo_shop_id: by_hand.shop_id,
        octo_secret: &by_hand.secret,
        shop_transaction_id: "order-42",
    })
    .expect("serialise");
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
    let envelope: Envelope = serde_json::from_slice(&bytes).expect("envelope");
    assert_eq!(envelope.error, 0);
    envelope.data.expect("data")
}

/// `units` calls one after another.
fn one_at_a_time<F: Future>(runtime: &Runtime, units: u64, call: impl Fn() -> F) -> Duration {
    runtime.block_on(async {
        let started = Instant::now();
        for _ in 0..units {
            std::hint::black_box(call().await);
        }
        started.elapsed()
    })
}

/// `units` rounds of `IN_FLIGHT` calls spawned at once and all awaited.
fn in_flight<F>(runtime: &Runtime, units: u64, call: impl Fn() -> F) -> Duration
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime.block_on(async {
        let started = Instant::now();
        for _ in 0..units {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..IN_FLIGHT {
                set.spawn(call());
            }
            std::hint::black_box(set.join_all().await);
        }
        started.elapsed()
    })
}

fn main() {
    let mode = Mode::from_args_with(&["serde"]);
    let server = ReplayServer::always(Canned::json(200, PAID)).expect("server");
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(&server.url())
        .expect("url");
    let op = Arc::new(PaymentStatusCheck::new("order-42".parse().expect("id")));
    let template = Arc::new(op.build_request(&config).expect("request").map(Bytes::from));

    // One worker: the client's futures run on the thread that blocks on
    // them, the connections' tasks and the spawned calls on the worker.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let sdk = Client::builder(config).no_retry().build().expect("client");
    let raw: Raw =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();

    let by_hand = Arc::new(ByHand {
        uri: template.uri().clone(),
        shop_id: 123,
        secret: "537da54b-835a-4968-9864-c2ae02c5902e".to_owned(),
    });

    let raw_once = || raw_call(raw.clone(), Arc::clone(&template));
    let serde_once = || serde_call(raw.clone(), Arc::clone(&by_hand));
    let octo_once = || {
        let (sdk, op) = (sdk.clone(), Arc::clone(&op));
        async move { sdk.send(&*op).await.expect("octo send") }
    };
    let mut raw_latency = |units| one_at_a_time(&runtime, units, raw_once);
    let mut octo_latency = |units| one_at_a_time(&runtime, units, octo_once);
    let mut serde_latency = |units| one_at_a_time(&runtime, units, serde_once);

    if let Mode::CountOther { calls, .. } = mode {
        paired::count(&mut serde_latency, calls);
        return;
    }
    if let Mode::Count { octo, calls } = mode {
        if octo {
            paired::count(&mut octo_latency, calls);
        } else {
            paired::count(&mut raw_latency, calls);
        }
        return;
    }
    paired::compare(
        "hyper/latency",
        Kind::Latency,
        1,
        &mode,
        &mut raw_latency,
        &mut octo_latency,
    );
    paired::compare(
        "hyper/32_in_flight",
        Kind::Throughput,
        IN_FLIGHT as u64,
        &mode,
        &mut |units| in_flight(&runtime, units, raw_once),
        &mut |units| in_flight(&runtime, units, octo_once),
    );
    // The same two measures against the hand-written serde client.
    paired::compare(
        "hyper_serde/latency",
        Kind::Latency,
        1,
        &mode,
        &mut serde_latency,
        &mut octo_latency,
    );
    paired::compare(
        "hyper_serde/32_in_flight",
        Kind::Throughput,
        IN_FLIGHT as u64,
        &mode,
        &mut |units| in_flight(&runtime, units, serde_once),
        &mut |units| in_flight(&runtime, units, octo_once),
    );
    assert!(server.received() > 0, "the server saw no request");
}
