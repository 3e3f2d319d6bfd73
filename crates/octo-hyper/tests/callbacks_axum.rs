//! The callback service mounted in an axum `Router` (as a tower `Service`)
//! and served on loopback: a signed notification and a tokenization
//! callback reach the handler and its replies go back; the shop's other
//! routes stay the router's; the body timeout holds on the tower path too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};

use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::callback::{
    CallbackPan, Notification, NotificationReply, SignatureScheme, TokenizationCallback,
    TokenizationReply, VerifiedNotification,
};
use octo_proto::{CardExpiry, CardToken, NotificationKey, PaymentStatus, TokenStatus};

#[derive(Clone, Default)]
struct Shop {
    seen: Arc<Mutex<Vec<String>>>,
}

impl CallbackHandler for Shop {
    async fn notification(&self, notification: VerifiedNotification) -> NotificationReply {
        self.seen.lock().unwrap().push(format!(
            "{} {}",
            notification.shop_transaction_id, notification.status
        ));
        if notification.awaits_decision() {
            NotificationReply::capture()
        } else {
            NotificationReply::acknowledge()
        }
    }

    async fn tokenization(&self, callback: TokenizationCallback) -> TokenizationReply {
        self.seen
            .lock()
            .unwrap()
            .push(format!("token {}", callback.shop_transaction_id));
        TokenizationReply::stored("saved")
    }
}

fn scheme() -> SignatureScheme {
    SignatureScheme::UniqueKey(NotificationKey::new("key-from-octo"))
}

/// The shop's application: a page of its own and the two callback paths.
fn app(service: CallbackService<Shop>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route_service(DEFAULT_NOTIFY_PATH, service.clone())
        .route_service(DEFAULT_BIND_NOTIFY_PATH, service)
}

/// Serves `router` with `axum::serve` on loopback; the base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

async fn post(request: http::Request<Vec<u8>>) -> (u16, Vec<u8>) {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let response = tokio::time::timeout(
        Duration::from_secs(10),
        client.request(request.map(|body| Full::new(Bytes::from(body)))),
    )
    .await
    .expect("an answer within 10 s")
    .unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

#[tokio::test]
async fn an_axum_router_serves_notifications_and_tokenization_callbacks() {
    let shop = Shop::default();
    let base = serve(app(CallbackService::new(shop.clone(), scheme()))).await;

    let held = Notification::new(
        "order-7".parse().unwrap(),
        "f1e2d3c4".parse().unwrap(),
        PaymentStatus::WaitingForCapture,
    )
    .sign(&scheme(), "salt");
    let uri = format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap();
    let (status, body) = post(held.to_request(uri)).await;
    assert_eq!(status, 200);
    assert_eq!(body, br#"{"accept_status":"capture"}"#);

    let mut callback = TokenizationCallback::new(
        "bind-3".parse().unwrap(),
        CardToken::new("tok_9f8e7d"),
        TokenStatus::Active,
    );
    callback.pan = CallbackPan::new("8600490000000012");
    callback.exp = Some(CardExpiry::parse_yymm("2712").unwrap());
    let uri = format!("{base}{DEFAULT_BIND_NOTIFY_PATH}").parse().unwrap();
    let (status, body) = post(callback.to_request(uri)).await;
    assert_eq!(status, 200);
    let reply: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(reply["status"], "success");

    assert_eq!(
        *shop.seen.lock().unwrap(),
        ["order-7 waiting_for_capture", "token bind-3"]
    );
}

#[tokio::test]
async fn a_forged_notification_through_axum_is_refused_and_other_routes_stay_the_routers() {
    let shop = Shop::default();
    let base = serve(app(CallbackService::new(shop.clone(), scheme()))).await;
    let forged = Notification::new(
        "order-7".parse().unwrap(),
        "f1e2d3c4".parse().unwrap(),
        PaymentStatus::Succeeded,
    )
    .sign(
        &SignatureScheme::UniqueKey(NotificationKey::new("not-the-key")),
        "salt",
    );
    let uri = format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap();
    let (status, _) = post(forged.to_request(uri)).await;
    assert!((400..500).contains(&status), "status {status}");

    let mut health = http::Request::new(Vec::new());
    *health.uri_mut() = format!("{base}/health").parse().unwrap();
    let (status, body) = post(health).await;
    assert_eq!((status, body.as_slice()), (200, b"ok".as_slice()));
    assert!(shop.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn as_a_fallback_service_it_answers_unknown_paths_404() {
    let shop = Shop::default();
    let router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .fallback_service(CallbackService::new(shop.clone(), scheme()));
    let base = serve(router).await;
    let signed = Notification::new(
        "order-9".parse().unwrap(),
        "a1b2c3".parse().unwrap(),
        PaymentStatus::Succeeded,
    )
    .sign(&scheme(), "salt");
    let uri = format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap();
    let (status, _) = post(signed.to_request(uri)).await;
    assert_eq!(status, 200);
    let uri = format!("{base}/elsewhere").parse().unwrap();
    let (status, _) = post(signed.to_request(uri)).await;
    assert_eq!(status, 404);
    assert_eq!(*shop.seen.lock().unwrap(), ["order-9 succeeded"]);
}

/// A request body whose frames never come.
struct Stalled;

impl http_body::Body for Stalled {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }
}

#[tokio::test]
async fn through_the_tower_service_a_body_that_never_comes_gets_408_in_time() {
    let shop = Shop::default();
    let mut service =
        CallbackService::new(shop.clone(), scheme()).with_body_timeout(Duration::from_millis(200));
    let signed = Notification::new(
        "order-7".parse().unwrap(),
        "f1e2d3c4".parse().unwrap(),
        PaymentStatus::Succeeded,
    )
    .sign(&scheme(), "salt");
    let (parts, _) = signed
        .to_request(DEFAULT_NOTIFY_PATH.parse().unwrap())
        .into_parts();
    let request = http::Request::from_parts(parts, Stalled);
    let started = std::time::Instant::now();
    std::future::poll_fn(|cx| {
        tower_service::Service::<http::Request<Stalled>>::poll_ready(&mut service, cx)
    })
    .await
    .unwrap();
    let response = tokio::time::timeout(
        Duration::from_secs(5),
        tower_service::Service::call(&mut service, request),
    )
    .await
    .expect("an answer within 5 s")
    .unwrap();
    assert_eq!(response.status(), http::StatusCode::REQUEST_TIMEOUT);
    assert_eq!(
        response.headers().get(http::header::CONNECTION).unwrap(),
        "close"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(shop.seen.lock().unwrap().is_empty());
}

/// Sends `head` at once, then `body` one byte every `every` on a plain
/// socket; the first line of the answer (`None` if the server only
/// closed) and how long it took. Gives up after 10 s.
async fn trickle(
    addr: String,
    head: String,
    body: Vec<u8>,
    every: Duration,
) -> (Option<String>, Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let started = std::time::Instant::now();
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    write.write_all(head.as_bytes()).await.unwrap();
    let writer = tokio::spawn(async move {
        for byte in body {
            tokio::time::sleep(every).await;
            if write.write_all(&[byte]).await.is_err() {
                break;
            }
        }
        // Keep the write half open: closing it would end the body.
        tokio::time::sleep(Duration::from_secs(10)).await;
    });
    let mut seen = Vec::new();
    let mut chunk = [0u8; 512];
    let answer = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match read.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    seen.extend_from_slice(chunk.get(..n).unwrap_or_default());
                    if seen.windows(2).any(|w| w == b"\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    writer.abort();
    assert!(answer.is_ok(), "no answer and no close within 10 s");
    let text = String::from_utf8_lossy(&seen);
    let line = text
        .lines()
        .next()
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    (line, started.elapsed())
}

#[tokio::test]
async fn behind_axum_serve_a_trickled_body_gets_408_in_time() {
    let shop = Shop::default();
    let service =
        CallbackService::new(shop.clone(), scheme()).with_body_timeout(Duration::from_millis(300));
    let base = serve(app(service)).await;
    let addr = base.trim_start_matches("http://").to_owned();
    let signed = Notification::new(
        "order-7".parse().unwrap(),
        "f1e2d3c4".parse().unwrap(),
        PaymentStatus::Succeeded,
    )
    .sign(&scheme(), "salt");
    let request = signed.to_request(format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap());
    let mut head = format!("POST {DEFAULT_NOTIFY_PATH} HTTP/1.1\r\nhost: {addr}\r\n");
    for (name, value) in request.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", request.body().len()));
    assert!(request.body().len() > 20, "a body long enough to trickle");
    let (line, elapsed) = trickle(
        addr,
        head,
        request.body().clone(),
        Duration::from_millis(100),
    )
    .await;
    let line = line.expect("an answer before the close");
    assert!(line.starts_with("HTTP/1.1 408"), "{line}");
    assert!(
        elapsed < Duration::from_secs(2),
        "refused only after {elapsed:?}"
    );
    assert!(shop.seen.lock().unwrap().is_empty());
}
