//! The callback service on a loopback socket: signed notifications reach
//! the handler and its reply goes back; forged ones never reach it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Shop, post, scheme, trickle_notification};
use octo_hyper::CallbackService;
use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
use octo_proto::callback::{CallbackPan, Notification, SignatureScheme, TokenizationCallback};
use octo_proto::{CardExpiry, CardToken, NotificationKey, PaymentStatus, TokenStatus};

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

#[tokio::test]
async fn a_trickled_body_gets_408_in_time_while_others_are_served() {
    let shop = Shop::default();
    let service =
        CallbackService::new(shop.clone(), scheme()).with_body_timeout(Duration::from_millis(300));
    let base = serve(service).await;
    let slow = tokio::spawn({
        let base = base.clone();
        async move { trickle_notification(&base).await }
    });
    // Meanwhile, on another connection, a whole notification is served.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (status, _) = post(common::signed_notification(&base)).await;
    assert_eq!(status, 200);
    let slow = slow.await.unwrap();
    let line = slow.status_line.expect("an answer before the close");
    assert!(line.starts_with("HTTP/1.1 408"), "{line}");
    assert!(
        slow.elapsed < Duration::from_secs(2),
        "refused only after {:?}",
        slow.elapsed
    );
    // Only the whole notification reached the handler.
    assert_eq!(*shop.seen.lock().unwrap(), ["order-7 succeeded"]);
}
