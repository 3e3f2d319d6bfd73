//! Shared test support: a loopback HTTP client that sends octo-proto's
//! operations, raw requests, and a callback receiver.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use octo_proto::Operation;
use octo_sandbox::SandboxHandle;
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
pub fn code<T: std::fmt::Debug>(result: Result<T, octo_proto::Error>) -> i64 {
    match result {
        Err(octo_proto::Error::Octo(e)) => e.code.as_i64(),
        other => panic!("expected an OCTO error, got {other:?}"),
    }
}

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
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let answers: Arc<Mutex<VecDeque<(u16, String)>>> = Arc::default();
        let default_answer = Arc::new(Mutex::new((200, r#"{"status":"success"}"#.to_owned())));
        let (a, d) = (answers.clone(), default_answer.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (tx, a, d) = (tx.clone(), a.clone(), d.clone());
                tokio::spawn(async move {
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
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
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

    /// Whether another callback arrives within `wait`.
    pub async fn next_within(&self, wait: Duration) -> Option<Received> {
        tokio::time::timeout(wait, self.got.lock().await.recv())
            .await
            .ok()
            .flatten()
    }
}

pub fn init_time() -> time::PrimitiveDateTime {
    time::macros::datetime!(2024-05-02 09:17:00)
}

pub fn dec(text: &str) -> rust_decimal::Decimal {
    text.parse().unwrap()
}
