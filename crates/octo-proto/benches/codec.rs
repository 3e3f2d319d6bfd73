//! octo-proto's codec against the floor of any JSON SDK: a `prepare_payment`
//! with a 10-item basket, built into a request and its answer parsed,
//! next to plain serde-derive structs doing the same serialise and
//! deserialise round trip with the same exact decimals.

// A benchmark aborts on the first failure, as a test would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use octo_proto::op::BasketItem;
use octo_proto::{Config, Operation};
use octo_testkit::payments::payment;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

const CREATED: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-1001","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"created","octo_pay_url":"https://pay2.octo.uz/pay/e3f40dc3-4955-412a-853a-2ddd28d3201f?language=uz","refunded_sum":0,"total_sum":550.00},"apiMessageForDevelopers":""}"#;

#[derive(Serialize)]
struct FloorItem<'a> {
    position_desc: &'a str,
    count: u32,
    price: Decimal,
}

#[derive(Serialize)]
struct FloorMethod<'a> {
    method: &'a str,
}

#[derive(Serialize)]
struct FloorRequest<'a> {
    octo_shop_id: u64,
    octo_secret: &'a str,
    shop_transaction_id: &'a str,
    auto_capture: bool,
    test: bool,
    init_time: &'a str,
    total_sum: Decimal,
    currency: &'a str,
    description: &'a str,
    basket: Vec<FloorItem<'a>>,
    payment_methods: Vec<FloorMethod<'a>>,
    return_url: &'a str,
    language: &'a str,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorData {
    shop_transaction_id: String,
    #[serde(rename = "octo_payment_UUID")]
    octo_payment_uuid: String,
    status: String,
    octo_pay_url: Option<String>,
    refunded_sum: Option<Decimal>,
    total_sum: Option<Decimal>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorEnvelope {
    error: i64,
    data: FloorData,
}

fn names() -> Vec<String> {
    (1..=10).map(|i| format!("Item number {i}")).collect()
}

fn benches(c: &mut Criterion) {
    let names = names();
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e");
    let basket: Vec<BasketItem> = names
        .iter()
        .map(|name| BasketItem::new(name.as_str(), 1, Decimal::new(5_500, 2)))
        .collect();
    let op = payment("order-1001", "550.00").with_basket(basket);
    let response = http::Response::new(CREATED.as_bytes());
    // Both sides must succeed before either is timed.
    op.parse_response(&response).unwrap();
    op.build_request(&config).unwrap();

    let mut group = c.benchmark_group("prepare_payment_10_items");
    group.bench_function("serde_floor", |b| {
        b.iter(|| {
            let request = FloorRequest {
                octo_shop_id: 123,
                octo_secret: "537da54b-835a-4968-9864-c2ae02c5902e",
                shop_transaction_id: "order-1001",
                auto_capture: true,
                test: false,
                init_time: "2024-05-02 09:17:00",
                total_sum: Decimal::new(55_000, 2),
                currency: "UZS",
                description: "d",
                basket: names
                    .iter()
                    .map(|name| FloorItem {
                        position_desc: name,
                        count: 1,
                        price: Decimal::new(5_500, 2),
                    })
                    .collect(),
                payment_methods: Vec::new(),
                return_url: "https://shop.example/r",
                language: "uz",
            };
            let bytes = serde_json::to_vec(black_box(&request)).unwrap();
            let parsed: FloorEnvelope =
                serde_json::from_slice(black_box(CREATED.as_bytes())).unwrap();
            (bytes, parsed)
        })
    });
    group.bench_function("octo_proto", |b| {
        b.iter(|| {
            let request = black_box(&op).build_request(&config).unwrap();
            let payment = op.parse_response(black_box(&response)).unwrap();
            (request, payment)
        })
    });
    group.finish();

    // The two halves apart, to see where the time goes.
    let mut halves = c.benchmark_group("prepare_payment_halves");
    halves.bench_function("octo_proto_build", |b| {
        b.iter(|| black_box(&op).build_request(&config).unwrap())
    });
    halves.bench_function("octo_proto_parse", |b| {
        b.iter(|| op.parse_response(black_box(&response)).unwrap())
    });
    halves.bench_function("serde_floor_parse", |b| {
        b.iter(|| serde_json::from_slice::<FloorEnvelope>(black_box(CREATED.as_bytes())).unwrap())
    });
    halves.finish();
}

criterion_group! {
    name = codec;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(codec);
