//! The callback service mounted in an axum `Router` (as a tower `Service`)
//! and served on loopback: a signed notification and a tokenization
//! callback reach the handler and its replies go back; the shop's other
//! routes stay the router's; the body timeout holds on the tower path too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use bytes::Bytes;

use common::{
    Shop, assert_408_in_time, forged_notification_is_refused, held_notification_is_captured,
    order_7, post, scheme, tokenization_callback_is_stored, trickle_notification,
};
use octo_hyper::CallbackService;
use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
use octo_proto::PaymentStatus;
use octo_proto::callback::Notification;

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

#[tokio::test]
async fn an_axum_router_serves_notifications_and_tokenization_callbacks() {
    let shop = Shop::default();
    let base = serve(app(shop.service())).await;

    held_notification_is_captured(&base).await;
    tokenization_callback_is_stored(&base).await;

    assert_eq!(shop.seen(), ["order-7 waiting_for_capture", "token bind-3"]);
}

#[tokio::test]
async fn a_forged_notification_through_axum_is_refused_and_other_routes_stay_the_routers() {
    let shop = Shop::default();
    let base = serve(app(shop.service())).await;
    forged_notification_is_refused(&base).await;

    let mut health = http::Request::new(Vec::new());
    *health.uri_mut() = format!("{base}/health").parse().unwrap();
    let (status, body) = post(health).await;
    assert_eq!((status, body.as_slice()), (200, b"ok".as_slice()));
    assert!(shop.seen().is_empty());
}

#[tokio::test]
async fn as_a_fallback_service_it_answers_unknown_paths_404() {
    let shop = Shop::default();
    let router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .fallback_service(shop.service());
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
    assert_eq!(shop.seen(), ["order-9 succeeded"]);
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
    let mut service = shop.impatient_service(200);
    let signed = order_7(PaymentStatus::Succeeded, &scheme());
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
    assert!(shop.seen().is_empty());
}

#[tokio::test]
async fn behind_axum_serve_a_trickled_body_gets_408_in_time() {
    let shop = Shop::default();
    let service = shop.impatient_service(300);
    let base = serve(app(service)).await;
    let slow = trickle_notification(&base).await;
    assert_408_in_time(&slow);
    assert!(shop.seen().is_empty());
}
