//! octo-hyper against hyper-util's pooled client used raw: the same
//! loopback server, the same response, keep-alive on both sides. The raw
//! side posts a body serialised once; the SDK side builds, sends and parses
//! on every call, which is the overhead being measured.

// A benchmark aborts on the first failure, as a test would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::{BodyExt, Full};
use octo_hyper::Client;
use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, Operation};
use octo_testkit::replay::{ReplayServer, Reply};

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

fn benches(c: &mut Criterion) {
    let server = ReplayServer::always(Reply::json(200, PAID)).expect("server");
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(&server.url())
        .expect("url");
    let op = Arc::new(PaymentStatusCheck::new("order-42".parse().expect("id")));
    let template = Arc::new(op.build_request(&config).expect("request").map(Bytes::from));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let sdk = Client::builder(config).no_retry().build().expect("client");
    let raw: Raw =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();

    let mut latency = c.benchmark_group("hyper/latency");
    latency.bench_function("raw", |b| {
        b.to_async(&runtime)
            .iter(|| raw_call(raw.clone(), Arc::clone(&template)))
    });
    latency.bench_function("octo", |b| {
        b.to_async(&runtime)
            .iter(|| async { sdk.send(&*op).await.expect("octo send") })
    });
    latency.finish();

    let mut throughput = c.benchmark_group("hyper/32_in_flight");
    throughput.throughput(Throughput::Elements(IN_FLIGHT as u64));
    throughput.bench_function("raw", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..IN_FLIGHT {
                set.spawn(raw_call(raw.clone(), Arc::clone(&template)));
            }
            set.join_all().await
        })
    });
    throughput.bench_function("octo", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..IN_FLIGHT {
                let (sdk, op) = (sdk.clone(), Arc::clone(&op));
                set.spawn(async move { sdk.send(&*op).await.expect("octo send") });
            }
            set.join_all().await
        })
    });
    throughput.finish();
}

criterion_group! {
    name = transport;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(transport);
