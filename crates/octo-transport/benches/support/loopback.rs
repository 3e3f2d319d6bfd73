//! What the three transport benches (octo-hyper, octo-reqwest, octo-ureq)
//! set up alike, included with `#[path]`: the loopback server with its one
//! canned answer, the shop's config pointing at it, the status check both
//! sides send, and the raw side's request built once from it.

#![allow(dead_code)]

use std::sync::Arc;

use bytes::Bytes;
use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, Operation};
use octo_testkit::replay::{Canned, ReplayServer};

/// The answer to every call: a paid status check.
pub const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":1000.00,"refunded_sum":0}}"#;

/// The shop id the benches send.
pub const SHOP_ID: u64 = 123;

/// The secret the benches send (not a real one).
pub const SECRET: &str = "537da54b-835a-4968-9864-c2ae02c5902e";

/// The server, the config and the request of one bench.
pub struct Loopback {
    /// Answers every request with [`PAID`] and checks nothing.
    pub server: ReplayServer,
    /// The shop's config, pointing at `server`.
    pub config: Config,
    /// The status check the SDK side sends on every call.
    pub op: Arc<PaymentStatusCheck>,
    /// The raw side's request: the SDK's own request for `op`, built once,
    /// whose head and body the raw side sends on every call.
    pub template: Arc<http::Request<Bytes>>,
}

impl Loopback {
    /// Starts the server and builds the config, the op and the template.
    pub fn start() -> Loopback {
        let server = ReplayServer::always(Canned::json(200, PAID)).expect("server");
        let config = Config::new(SHOP_ID, SECRET)
            .with_base_url(&server.url())
            .expect("url");
        let op = Arc::new(PaymentStatusCheck::new("order-42".parse().expect("id")));
        let template = op.build_request(&config).expect("request").map(Bytes::from);
        Loopback {
            server,
            config,
            op,
            template: Arc::new(template),
        }
    }

    /// The template's URL, as text.
    pub fn url(&self) -> String {
        self.template.uri().to_string()
    }

    /// The template's body (the bytes are shared, not copied).
    pub fn body(&self) -> Bytes {
        self.template.body().clone()
    }

    /// Checks the calls reached the server.
    pub fn check(&self) {
        assert!(self.server.received() > 0, "the server saw no request");
    }
}
