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
