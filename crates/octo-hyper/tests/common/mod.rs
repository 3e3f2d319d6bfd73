//! What the callback tests share: a shop that records what reached it, the
//! notification key, a client, and a client that trickles a body.

// Each test file uses part of this.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use octo_hyper::CallbackHandler;
use octo_hyper::callback::DEFAULT_NOTIFY_PATH;
use octo_proto::callback::{
    Notification, NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
    VerifiedNotification,
};
use octo_proto::{NotificationKey, PaymentStatus};
use octo_testkit::slow_client::{self, Trickled};

/// Records every notification (`order status`) and tokenization callback
/// (`token order`) that reached it; captures a held payment.
#[derive(Clone, Default)]
pub struct Shop {
    pub seen: Arc<Mutex<Vec<String>>>,
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

/// A `succeeded` notification for `order-7`, signed with [`scheme`], posted
/// to the notify path of `base` (`http://host:port`).
pub fn signed_notification(base: &str) -> http::Request<Vec<u8>> {
    Notification::new(
        "order-7".parse().unwrap(),
        "f1e2d3c4".parse().unwrap(),
        PaymentStatus::Succeeded,
    )
    .sign(&scheme(), "salt")
    .to_request(format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap())
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
