//! The client's own work per call, with no network: the async and the
//! blocking client over a backend that answers at once with a canned
//! response, next to the same build + parse done by hand (`direct`). The
//! difference between a client and `direct` is what the client adds around
//! octo-proto (the call and attempt spans, the retry loop, moving the body
//! into shared bytes).
//!
//! - `cargo bench -p octo-transport --bench per_call`: time per call of
//!   each (200,000 calls each, one run; wall-clock, so only a rough guide).
//! - `... -- --count client|blocking|direct N`: `N` calls of one of them
//!   and nothing else, for `valgrind --tool=callgrind`; two runs with
//!   different `N` give the instructions of one call (see
//!   docs/performance.md).
//! - no argument (`cargo test --all-targets`): a few calls of each, checked.

// A benchmark aborts on the first failure, as a test would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::Bytes;
use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, Operation, TransportError};
use octo_transport::{
    AsyncBackend, Backend, BlockingBackend, BlockingClient, Client, Exchanged, Settings,
};

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":1000.00,"refunded_sum":0}}"#;

/// The answer a backend would hand over: status, one header, the body.
fn answer<B>(body: B) -> http::Response<B> {
    let mut response = http::Response::new(body);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// A backend whose every exchange is answered at once with [`PAID`].
#[derive(Debug, Clone)]
struct Canned;

impl Backend for Canned {
    type Options = ();
    type Built = (Client<Canned>, BlockingClient<Canned>);

    fn build(settings: Settings, (): ()) -> Self::Built {
        (
            Client::from_parts(Canned, settings.clone()),
            BlockingClient::from_parts(Canned, settings),
        )
    }
}

impl AsyncBackend for Canned {
    fn exchange(
        &self,
        _settings: &Settings,
        request: http::Request<Bytes>,
    ) -> impl Future<Output = Exchanged<Bytes>> + Send {
        black_box(request);
        std::future::ready(Ok::<_, TransportError>(answer(Bytes::from_static(
            PAID.as_bytes(),
        ))))
    }
}

impl BlockingBackend for Canned {
    fn exchange(
        &self,
        _settings: &Settings,
        request: &http::Request<Vec<u8>>,
    ) -> Exchanged<Vec<u8>> {
        black_box(request);
        Ok(answer(PAID.as_bytes().to_vec()))
    }
}

/// Polls a future that is ready at once (the canned backend never waits).
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the canned backend never waits"),
    }
}

fn main() {
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e");
    let op = PaymentStatusCheck::new("order-42".parse().expect("id"));
    let (client, blocking) = Client::<Canned>::builder(config.clone()).no_retry().build();

    let mut client_call = || {
        let paid = now(client.send(black_box(&op))).expect("client");
        black_box(paid);
    };
    let mut blocking_call = || {
        let paid = blocking.send(black_box(&op)).expect("blocking");
        black_box(paid);
    };
    let mut direct_call = || {
        let request = black_box(&op).build_request(&config).expect("build");
        black_box(request);
        let paid = op
            .parse_response(&answer(Bytes::from_static(PAID.as_bytes())))
            .expect("parse");
        black_box(paid);
    };

    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--count") {
        let calls: u64 = match args.get(at + 2).map(|n| n.parse()) {
            Some(Ok(n)) => n,
            _ => usage(),
        };
        let call: &mut dyn FnMut() = match args.get(at + 1).map(String::as_str) {
            Some("client") => &mut client_call,
            Some("blocking") => &mut blocking_call,
            Some("direct") => &mut direct_call,
            _ => usage(),
        };
        for _ in 0..calls {
            call();
        }
        println!("counted {calls} calls");
        return;
    }
    let calls = if args.iter().any(|a| a == "--bench") {
        200_000
    } else {
        3
    };
    for (name, call) in [
        ("per_call/client", &mut client_call as &mut dyn FnMut()),
        ("per_call/blocking", &mut blocking_call),
        ("per_call/direct", &mut direct_call),
    ] {
        call();
        let started = Instant::now();
        for _ in 0..calls {
            call();
        }
        let per_call = started.elapsed().as_secs_f64() / calls as f64;
        println!("{name}: {:.2} µs/call ({calls} calls)", per_call * 1e6);
    }
}

fn usage() -> ! {
    eprintln!("usage: per_call [--bench | --count client|blocking|direct CALLS]");
    std::process::exit(2)
}
