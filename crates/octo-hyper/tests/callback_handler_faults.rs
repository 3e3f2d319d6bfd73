//! A shop handler that panics: OCTO must not get a 200 for a callback the
//! shop never handled (it sends it again only after a failure), and the
//! server goes on serving the next one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use common::{scheme, serve, signed_notification};
use http_body_util::{BodyExt, Full};
use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::callback::{
    NotificationReply, TokenizationCallback, TokenizationReply, VerifiedNotification,
};

/// Panics on its first notification, acknowledges the ones after.
#[derive(Clone, Default)]
struct PanicsOnce {
    calls: Arc<AtomicUsize>,
}

impl CallbackHandler for PanicsOnce {
    async fn notification(&self, _: VerifiedNotification) -> NotificationReply {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("the shop's database is gone");
        }
        NotificationReply::acknowledge()
    }

    async fn tokenization(&self, _: TokenizationCallback) -> TokenizationReply {
        TokenizationReply::not_stored("not in this test")
    }
}

/// The status OCTO would see for `request` on a fresh connection, or
/// `None` when the connection ends without an answer (5 s at most).
async fn status_of(request: http::Request<Vec<u8>>) -> Option<u16> {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build_http::<Full<Bytes>>();
    let sent = client.request(request.map(|body| Full::new(Bytes::from(body))));
    let response = tokio::time::timeout(Duration::from_secs(5), sent)
        .await
        .expect("an answer or a close within 5 s")
        .ok()?;
    let status = response.status().as_u16();
    response.into_body().collect().await.ok()?;
    Some(status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_panics_gets_octo_no_answer_and_the_next_callback_is_served() {
    let shop = PanicsOnce::default();
    let base = serve(CallbackService::new(shop.clone(), scheme())).await;
    let first = status_of(signed_notification(&base)).await;
    assert_eq!(
        first, None,
        "a callback whose handler panicked was answered"
    );
    let second = status_of(signed_notification(&base)).await;
    assert_eq!(second, Some(200));
    assert_eq!(shop.calls.load(Ordering::SeqCst), 2);
}
