//! Shared test support: a loopback HTTP client that sends octo-proto's
//! operations, raw requests, and a callback receiver; the payments, refunds
//! and bindings the tests start from. (Each test file allows unwrap and
//! panics at its root; not every file uses every helper.)
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use octo_proto::op::{
    BindCard, CheckSmsKey, Payment, PaymentStatusCheck, PreparePayment, Refund, SmsCode,
    Verification, VerificationInfo,
};
use octo_proto::{Operation, PaymentStatus, PaymentUuid};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{ManualClock, Sandbox, SandboxBuilder, SandboxHandle, Step};
use serde_json::Value;
use tokio::sync::mpsc;

/// Every exchange in these tests is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(10);

pub fn client() -> Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Sends a request; the status, headers and body.
pub async fn exchange(request: http::Request<Vec<u8>>) -> http::Response<Bytes> {
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
    let response = tokio::time::timeout(LIMIT, client().request(request))
        .await
        .expect("timed out")
        .expect("request failed");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    http::Response::from_parts(parts, bytes)
}

/// Sends an octo-proto operation to the sandbox and parses the answer.
pub async fn send<O: Operation>(
    sandbox: &SandboxHandle,
    op: &O,
) -> Result<O::Output, octo_proto::Error> {
    let request = op.build_request(&sandbox.client_config()).expect("build");
    let response = exchange(request).await;
    op.parse_response(&response)
}

/// The OCTO error code of a failed call.
#[allow(unused_imports)]
pub use octo_testkit::octo_code as code;

/// POSTs raw bytes to a path; status and JSON (or Null).
pub async fn post_raw(
    sandbox: &SandboxHandle,
    path: &str,
    body: &[u8],
) -> (http::StatusCode, Value) {
    let request = http::Request::post(format!("{}{path}", sandbox.base_url()))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .unwrap();
    let response = exchange(request).await;
    let value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status(), value)
}

/// The shop's credentials merged into `fields`, as JSON bytes.
pub fn with_auth(sandbox: &SandboxHandle, mut fields: Value) -> Vec<u8> {
    fields["octo_shop_id"] = sandbox.shop_id().get().into();
    fields["octo_secret"] = sandbox.shop_secret().expose_secret().into();
    serde_json::to_vec(&fields).unwrap()
}

/// Posts a form like the payment pages do.
pub async fn post_form(url: &str, form: &str) -> http::Response<Bytes> {
    let request = http::Request::post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.as_bytes().to_vec())
        .unwrap();
    exchange(request).await
}

pub async fn get(url: &str) -> http::Response<Bytes> {
    exchange(http::Request::get(url).body(Vec::new()).unwrap()).await
}

/// A callback the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub request: http::Request<Vec<u8>>,
    pub json: Value,
}

/// How the receiver answers: a queue of (status, body) answers used in
/// order, then the default.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    pub got: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Received>>>,
    answers: Arc<Mutex<VecDeque<(u16, String)>>>,
    default_answer: Arc<Mutex<(u16, String)>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let answers: Arc<Mutex<VecDeque<(u16, String)>>> = Arc::default();
        let default_answer = Arc::new(Mutex::new((200, r#"{"status":"success"}"#.to_owned())));
        let (a, d) = (answers.clone(), default_answer.clone());
        let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
            let (tx, a, d) = (tx.clone(), a.clone(), d.clone());
            async move {
                let (parts, body) = req.into_parts();
                let bytes = body
                    .collect()
                    .await
                    .map(|c| c.to_bytes())
                    .unwrap_or_default();
                let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let path = parts.uri.path().to_owned();
                let request = http::Request::from_parts(parts, bytes.to_vec());
                let _ = tx.send(Received {
                    path,
                    request,
                    json,
                });
                let (status, body) = a
                    .lock()
                    .unwrap()
                    .pop_front()
                    .unwrap_or_else(|| d.lock().unwrap().clone());
                let mut response = http::Response::new(Full::new(Bytes::from(body)));
                *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                Ok::<_, std::convert::Infallible>(response)
            }
        });
        let addr = octo_testkit::loopback::serve(service).await.unwrap();
        Self {
            addr,
            got: Arc::new(tokio::sync::Mutex::new(rx)),
            answers,
            default_answer,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answers the next callbacks with these, in order.
    pub fn answer_next(&self, status: u16, body: &str) {
        self.answers
            .lock()
            .unwrap()
            .push_back((status, body.to_owned()));
    }

    /// Answers every callback with this once the queue is empty.
    pub fn answer_always(&self, status: u16, body: &str) {
        *self.default_answer.lock().unwrap() = (status, body.to_owned());
    }

    /// The next callback, within the limit.
    pub async fn next(&self) -> Received {
        tokio::time::timeout(LIMIT, self.got.lock().await.recv())
            .await
            .expect("no callback arrived in time")
            .expect("receiver closed")
    }

    /// Whether no other callback arrives within `wait`.
    pub async fn silent_for(&self, wait: Duration) -> bool {
        self.next_within(wait).await.is_none()
    }

    /// Whether another callback arrives within `wait`.
    pub async fn next_within(&self, wait: Duration) -> Option<Received> {
        tokio::time::timeout(wait, self.got.lock().await.recv())
            .await
            .ok()
            .flatten()
    }
}

pub fn dec(text: &str) -> rust_decimal::Decimal {
    text.parse().unwrap()
}

/// The sandbox `builder` sets up, started.
pub async fn started(builder: SandboxBuilder) -> SandboxHandle {
    builder.start().await.expect("the sandbox starts")
}

/// A sandbox with the default set-up.
pub async fn sandbox() -> SandboxHandle {
    started(Sandbox::builder()).await
}

/// A fresh data file `name` in this test run's own directory.
pub fn data_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("octo-sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// A one-stage payment of `total` (in `currency`, or UZS), and the
/// `init_time` it carries. (Not every test uses each.)
#[allow(unused_imports)]
pub use octo_testkit::payments::{init_time, payment, payment_in};

/// A payment of `total` UZS that notifies `receiver` at `/notify`.
pub fn notifying(id: &str, total: &str, receiver: &Receiver) -> PreparePayment {
    let mut p = payment(id, total);
    p.notify_url = Some(receiver.url("/notify"));
    p
}

/// Sends `op`, which must succeed: the sandbox's answer.
pub async fn answer<O: Operation>(sandbox: &SandboxHandle, op: &O) -> O::Output {
    send(sandbox, op).await.expect("the sandbox accepts it")
}

/// Sends `prepare`: the payment's uuid.
pub async fn prepared(sandbox: &SandboxHandle, prepare: &PreparePayment) -> PaymentUuid {
    answer(sandbox, prepare).await.octo_payment_uuid
}

/// The customer pays `uuid` with the test card that behaves as
/// `behaviour`: where the payment page lands.
pub fn pay(sandbox: &SandboxHandle, uuid: &str, behaviour: CardBehaviour) -> Step {
    sandbox
        .customer()
        .pay(uuid, &test_card(behaviour))
        .expect("the payment page answers")
}

/// Sends `prepare` and pays it with a card that pays at once: its uuid.
pub async fn paid(sandbox: &SandboxHandle, prepare: &PreparePayment) -> PaymentUuid {
    let uuid = prepared(sandbox, prepare).await;
    pay(sandbox, uuid.as_str(), CardBehaviour::Success);
    uuid
}

/// A refund of `amount` of the payment `uuid`.
pub fn refund(id: &str, uuid: &PaymentUuid, amount: &str) -> Refund {
    Refund::new(id.parse().unwrap(), uuid.clone(), dec(amount))
}

/// The status check of `shop_transaction_id`, which must answer.
pub async fn checked(sandbox: &SandboxHandle, shop_transaction_id: &str) -> Payment {
    let check = PaymentStatusCheck::new(shop_transaction_id.parse().unwrap());
    answer(sandbox, &check).await
}

/// A sandbox started by `change` from the default set-up with a manual
/// clock, and that clock.
pub async fn clocked(
    change: impl FnOnce(SandboxBuilder) -> SandboxBuilder,
) -> (ManualClock, SandboxHandle) {
    let clock = ManualClock::starting_now();
    let sandbox = started(change(Sandbox::builder().clock(clock.clone()))).await;
    (clock, sandbox)
}

/// Sends the binding `bind`: its uuid and its verification.
pub async fn binding_started(
    sandbox: &SandboxHandle,
    bind: &BindCard,
) -> (PaymentUuid, Verification) {
    let uuid = answer(sandbox, bind).await.octo_payment_uuid;
    let info = verification(sandbox, &uuid).await;
    (uuid, info)
}

/// The verification of the binding `uuid`.
pub async fn verification(sandbox: &SandboxHandle, uuid: &PaymentUuid) -> Verification {
    answer(sandbox, &VerificationInfo::new(uuid.clone())).await
}

/// A `check_sms_key` of the binding `uuid` with `sms`.
pub fn check_sms(uuid: &PaymentUuid, info: &Verification, sms: &str) -> CheckSmsKey {
    CheckSmsKey {
        octo_payment_uuid: uuid.clone(),
        verify_id: info.verify_id,
        sms_key: SmsCode::new(sms).unwrap(),
    }
}

/// The status a page step finished the payment with, if it did.
pub fn finished(step: &Step) -> Option<PaymentStatus> {
    match step {
        Step::Finished { status, .. } => Some(status.clone()),
        _ => None,
    }
}

/// A page step that finished the payment with `status`.
#[track_caller]
pub fn assert_finished(step: &Step, status: PaymentStatus) {
    assert_eq!(finished(step), Some(status), "{step:?}");
}
