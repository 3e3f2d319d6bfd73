//! What the callback tests share: a shop that records what reached it, the
//! notification key, a client, and a client that trickles a body.

// Each test file uses part of this.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::callback::{
    CallbackPan, Notification, NotificationReply, SignatureScheme, TokenizationCallback,
    TokenizationReply, VerifiedNotification,
};
use octo_proto::{CardExpiry, CardToken, NotificationKey, PaymentStatus, TokenStatus};
use octo_testkit::slow_client::{self, Trickled};

/// Records every notification (`order status`) and tokenization callback
/// (`token order`) that reached it; captures a held payment.
#[derive(Clone, Default)]
pub struct Shop {
    log: Arc<Mutex<Vec<String>>>,
}

impl Shop {
    /// What reached the handler so far, in order.
    pub fn seen(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The callback service for this shop, with the test key.
    pub fn service(&self) -> CallbackService<Shop> {
        CallbackService::new(self.clone(), scheme())
    }

    /// [`service`](Self::service), waiting at most `ms` milliseconds for
    /// a request's body.
    pub fn impatient_service(&self, ms: u64) -> CallbackService<Shop> {
        self.service().with_body_timeout(Duration::from_millis(ms))
    }
}

impl CallbackHandler for Shop {
    async fn notification(&self, notification: VerifiedNotification) -> NotificationReply {
        self.log.lock().unwrap().push(format!(
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
        self.log
            .lock()
            .unwrap()
            .push(format!("token {}", callback.shop_transaction_id));
        TokenizationReply::stored("saved")
    }
}

/// Serves `service` with hyper on loopback, one task per connection; the
/// base URL (`http://127.0.0.1:port`).
pub async fn serve<H: CallbackHandler>(service: CallbackService<H>) -> String {
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

pub fn scheme() -> SignatureScheme {
    SignatureScheme::UniqueKey(NotificationKey::new("key-from-octo"))
}

/// Sends `request` and gives the status and body of the answer (10 s at most).
pub async fn post(request: http::Request<Vec<u8>>) -> (u16, Vec<u8>) {
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

/// A notification for payment `f1e2d3c4` of `order-7` in `status`,
/// signed with `scheme`.
pub fn order_7(status: PaymentStatus, scheme: &SignatureScheme) -> Notification {
    Notification::new(
        "order-7".parse().unwrap(),
        "f1e2d3c4".parse().unwrap(),
        status,
    )
    .sign(scheme, "salt")
}

/// `notification` posted to the notify path of `base` (`http://host:port`).
pub fn to_notify_path(notification: &Notification, base: &str) -> http::Request<Vec<u8>> {
    notification.to_request(format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap())
}

/// A `succeeded` notification for `order-7`, signed with [`scheme`], posted
/// to the notify path of `base` (`http://host:port`).
pub fn signed_notification(base: &str) -> http::Request<Vec<u8>> {
    to_notify_path(&order_7(PaymentStatus::Succeeded, &scheme()), base)
}

/// Posts a held (`waiting_for_capture`) notification for `order-7` to
/// `base` and checks the shop's capture comes back.
pub async fn held_notification_is_captured(base: &str) {
    let held = order_7(PaymentStatus::WaitingForCapture, &scheme());
    let (status, body) = post(to_notify_path(&held, base)).await;
    assert_eq!(status, 200);
    assert_eq!(body, br#"{"accept_status":"capture"}"#);
}

/// Posts a notification signed with another key to `base` and checks it is
/// refused with a 4xx.
pub async fn forged_notification_is_refused(base: &str) {
    let other = SignatureScheme::UniqueKey(NotificationKey::new("not-the-key"));
    let forged = order_7(PaymentStatus::Succeeded, &other);
    let (status, _) = post(to_notify_path(&forged, base)).await;
    assert!((400..500).contains(&status), "status {status}");
}

/// OCTO's tokenization callback for binding `bind-3`: active, with token
/// `tok_9f8e7d`, card number and expiry.
pub fn bind_3_active() -> TokenizationCallback {
    let mut callback = TokenizationCallback::new(
        "bind-3".parse().unwrap(),
        CardToken::new("tok_9f8e7d"),
        TokenStatus::Active,
    );
    callback.pan = CallbackPan::new("8600490000000012");
    callback.exp = Some(CardExpiry::parse_yymm("2712").unwrap());
    callback
}

/// Posts an active tokenization callback for `bind-3` to the bind-notify
/// path of `base` and checks the shop's acknowledgement comes back.
pub async fn tokenization_callback_is_stored(base: &str) {
    let callback = bind_3_active();
    let uri = format!("{base}{DEFAULT_BIND_NOTIFY_PATH}").parse().unwrap();
    let (status, body) = post(callback.to_request(uri)).await;
    assert_eq!(status, 200);
    let reply: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(reply["status"], "success");
}

/// [`signed_notification`] sent to `base` with its body one byte every
/// 100 ms; what the client saw (it must be an answer or a close in 10 s).
pub async fn trickle_notification(base: &str) -> Trickled {
    let addr = base.trim_start_matches("http://");
    let request = signed_notification(base);
    assert!(request.body().len() > 20, "a body long enough to trickle");
    let seen = slow_client::trickle(
        addr,
        slow_client::request_head(&request, addr),
        request.body().clone(),
        Duration::from_millis(100),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert!(seen.in_time, "no answer and no close within 10 s");
    seen
}

/// Checks that a trickled body got 408 within 2 s.
pub fn assert_408_in_time(slow: &Trickled) {
    let line = slow
        .status_line
        .as_deref()
        .expect("an answer before the close");
    assert!(line.starts_with("HTTP/1.1 408"), "{line}");
    assert!(
        slow.elapsed < Duration::from_secs(2),
        "refused only after {:?}",
        slow.elapsed
    );
}
