//! The callback service on a loopback socket: signed notifications reach
//! the handler and its reply goes back; forged ones never reach it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{
    Shop, assert_408_in_time, forged_notification_is_refused, held_notification_is_captured, post,
    serve, tokenization_callback_is_stored, trickle_notification,
};
use octo_hyper::callback::DEFAULT_NOTIFY_PATH;

/// A shop whose callback service is served on loopback, and its base URL.
async fn served() -> (Shop, String) {
    let shop = Shop::default();
    let base = serve(shop.service()).await;
    (shop, base)
}

/// What reached a fresh shop's handler while `scenario` ran against its
/// base URL.
async fn seen_after(scenario: impl AsyncFnOnce(&str)) -> Vec<String> {
    let (shop, base) = served().await;
    scenario(&base).await;
    shop.seen()
}

fn empty(method: http::Method, uri: String) -> http::Request<Vec<u8>> {
    let mut request = http::Request::new(Vec::new());
    *request.method_mut() = method;
    *request.uri_mut() = uri.parse().unwrap();
    request
}

#[tokio::test]
async fn a_signed_notification_reaches_the_handler_and_its_reply_goes_back() {
    assert_eq!(
        seen_after(held_notification_is_captured).await,
        ["order-7 waiting_for_capture"]
    );
}

#[tokio::test]
async fn a_forged_notification_is_refused_before_the_handler() {
    assert!(seen_after(forged_notification_is_refused).await.is_empty());
}

#[tokio::test]
async fn a_tokenization_callback_is_stored_and_acknowledged() {
    assert_eq!(
        seen_after(tokenization_callback_is_stored).await,
        ["token bind-3"]
    );
}

#[tokio::test]
async fn other_paths_and_methods_are_refused() {
    let (shop, base) = served().await;
    let (missing, _) = post(empty(http::Method::POST, format!("{base}/elsewhere"))).await;
    assert_eq!(missing, 404);
    let (get, _) = post(empty(
        http::Method::GET,
        format!("{base}{DEFAULT_NOTIFY_PATH}"),
    ))
    .await;
    assert_eq!(get, 405);
    assert!(shop.seen().is_empty());
}

#[tokio::test]
async fn a_trickled_body_gets_408_in_time_while_others_are_served() {
    let shop = Shop::default();
    let service = shop.impatient_service(300);
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
    assert_408_in_time(&slow);
    // Only the whole notification reached the handler.
    assert_eq!(shop.seen(), ["order-7 succeeded"]);
}

/// A shop may give OCTO one URL for both callbacks (`notify_url` and
/// `bind_notify_url`). Served on one path, each callback must still reach
/// its own handler: a tokenization callback checked as a notification was
/// refused (it carries no signature), and after three refusals OCTO cancels
/// the token.
#[tokio::test]
async fn one_path_for_both_callbacks_serves_each_as_what_it_is() {
    let shop = Shop::default();
    let service = shop
        .service()
        .with_notify_path("/octo/callback")
        .with_bind_notify_path("/octo/callback");
    let base = serve(service).await;
    let callback = common::bind_3_active();
    let uri = format!("{base}/octo/callback").parse().unwrap();
    let (stored, _) = post(callback.to_request(uri)).await;
    assert_eq!(stored, 200, "the tokenization callback was refused");
    let notification = common::order_7(octo_proto::PaymentStatus::Succeeded, &common::scheme());
    let uri = format!("{base}/octo/callback").parse().unwrap();
    let (acknowledged, _) = post(notification.to_request(uri)).await;
    assert_eq!(acknowledged, 200, "the notification was refused");
    // A body that is neither is still checked as a notification: unsigned,
    // it never reaches the handler.
    let mut forged = http::Request::new(br#"{"shop_transaction_id":"order-7"}"#.to_vec());
    *forged.method_mut() = http::Method::POST;
    *forged.uri_mut() = format!("{base}/octo/callback").parse().unwrap();
    forged.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    let (refused, _) = post(forged).await;
    assert!((400..500).contains(&refused), "status {refused}");
    assert_eq!(shop.seen(), ["token bind-3", "order-7 succeeded"]);
}

/// A shop that set OCTO's `notify_url` to its bind-notify path (or the
/// other way round) still gets each callback as what it is: a notification
/// on the bind-notify path was read as a tokenization callback with an
/// unknown status and no token, acknowledged with 200, and lost without a
/// sign.
#[tokio::test]
async fn a_callback_on_the_other_callbacks_path_is_served_as_what_it_is() {
    let (shop, base) = served().await;
    let notification = common::order_7(octo_proto::PaymentStatus::Succeeded, &common::scheme());
    let uri = format!("{base}{}", octo_hyper::callback::DEFAULT_BIND_NOTIFY_PATH)
        .parse()
        .unwrap();
    let (status, _) = post(notification.to_request(uri)).await;
    assert_eq!(status, 200);
    let callback = common::bind_3_active();
    let uri = format!("{base}{DEFAULT_NOTIFY_PATH}").parse().unwrap();
    let (status, _) = post(callback.to_request(uri)).await;
    assert_eq!(status, 200);
    assert_eq!(shop.seen(), ["order-7 succeeded", "token bind-3"]);
}
