//! The callback service on a loopback socket: signed notifications reach
//! the handler and its reply goes back; forged ones never reach it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};

use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::callback::CallbackPan;
use octo_proto::callback::{
    Notification, NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
    VerifiedNotification,
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

/// Serves `service` on loopback; the base URL.
async fn serve(service: CallbackService<Shop>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = service.clone();
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

async fn post(request: http::Request<Vec<u8>>) -> (u16, Vec<u8>) {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let response = client
        .request(request.map(|body| Full::new(Bytes::from(body))))
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

fn empty(method: http::Method, uri: String) -> http::Request<Vec<u8>> {
    let mut request = http::Request::new(Vec::new());
    *request.method_mut() = method;
    *request.uri_mut() = uri.parse().unwrap();
    request
}

#[tokio::test]
async fn a_signed_notification_reaches_the_handler_and_its_reply_goes_back() {
    let shop = Shop::default();
    let base = serve(CallbackService::new(shop.clone(), scheme())).await;
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
    assert_eq!(*shop.seen.lock().unwrap(), ["order-7 waiting_for_capture"]);
}

#[tokio::test]
async fn a_forged_notification_is_refused_before_the_handler() {
    let shop = Shop::default();
    let base = serve(CallbackService::new(shop.clone(), scheme())).await;
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
    assert!(shop.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_tokenization_callback_is_stored_and_acknowledged() {
    let shop = Shop::default();
    let base = serve(CallbackService::new(shop.clone(), scheme())).await;
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
    assert_eq!(*shop.seen.lock().unwrap(), ["token bind-3"]);
}

#[tokio::test]
async fn other_paths_and_methods_are_refused() {
    let shop = Shop::default();
    let base = serve(CallbackService::new(shop.clone(), scheme())).await;
    let (missing, _) = post(empty(http::Method::POST, format!("{base}/elsewhere"))).await;
    assert_eq!(missing, 404);
    let (get, _) = post(empty(
        http::Method::GET,
        format!("{base}{DEFAULT_NOTIFY_PATH}"),
    ))
    .await;
    assert_eq!(get, 405);
    assert!(shop.seen.lock().unwrap().is_empty());
}

/// What a client that sends the head at once and then one body byte every
/// `every` saw: the status line of the answer (`None` when the server just
/// closed), and how long it took. Gives up after 10 s.
async fn trickle(
    addr: String,
    head: String,
    body: Vec<u8>,
    every: std::time::Duration,
) -> (Option<String>, std::time::Duration) {
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
        // Keep the write half open: a closed one would end the body.
        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    });
    let mut seen = Vec::new();
    let mut chunk = [0u8; 512];
    let answer = tokio::time::timeout(std::time::Duration::from_secs(10), async {
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
async fn a_trickled_body_gets_408_in_time_while_others_are_served() {
    use std::time::Duration;
    let shop = Shop::default();
    let service =
        CallbackService::new(shop.clone(), scheme()).with_body_timeout(Duration::from_millis(300));
    let base = serve(service).await;
    let addr = base.trim_start_matches("http://").to_owned();
    let notification = Notification::new(
        "order-7".parse().unwrap(),
        "f1e2d3c4".parse().unwrap(),
        PaymentStatus::Succeeded,
    )
    .sign(&scheme(), "salt");
    let request = notification.to_request(format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap());
    let mut head = format!("POST {DEFAULT_NOTIFY_PATH} HTTP/1.1\r\nhost: {addr}\r\n");
    for (name, value) in request.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", request.body().len()));
    assert!(request.body().len() > 20, "a body long enough to trickle");

    let slow = tokio::spawn(trickle(
        addr.clone(),
        head,
        request.body().clone(),
        Duration::from_millis(100),
    ));
    // Meanwhile, on another connection, a whole notification is served.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (status, _) =
        post(notification.to_request(format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap()))
            .await;
    assert_eq!(status, 200);
    let (line, elapsed) = slow.await.unwrap();
    let line = line.expect("an answer before the close");
    assert!(line.starts_with("HTTP/1.1 408"), "{line}");
    assert!(
        elapsed < Duration::from_secs(2),
        "refused only after {elapsed:?}"
    );
    // Only the whole notification reached the handler.
    assert_eq!(*shop.seen.lock().unwrap(), ["order-7 succeeded"]);
}
