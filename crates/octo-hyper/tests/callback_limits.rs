//! The callback service's body cap: a body over the limit, announced or
//! not, is answered 413 and never reaches the shop's handler.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bytes::Bytes;
use common::{Shop, signed_notification};
use http_body_util::Full;
use octo_proto::callback::CallbackLimits;

/// A signed notification, its body padded past `limit` bytes with spaces
/// after the JSON (still one JSON object): with or without its length in a
/// `Content-Length` header.
fn padded(limit: usize, announced: bool) -> http::Request<Full<Bytes>> {
    let request = signed_notification("http://127.0.0.1:9");
    let (mut parts, mut body) = request.into_parts();
    body.resize(limit + 1, b' ');
    parts.headers.remove(http::header::CONTENT_LENGTH);
    if announced {
        parts.headers.insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from(body.len()),
        );
    }
    http::Request::from_parts(parts, Full::new(Bytes::from(body)))
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_announced_or_not() {
    let shop = Shop::default();
    let limit = 512;
    let service = shop
        .service()
        .with_limits(CallbackLimits::new().with_max_body_bytes(limit));
    for announced in [true, false] {
        let answer = service.handle(padded(limit, announced)).await;
        assert_eq!(answer.status(), 413, "announced: {announced}");
    }
    assert!(shop.seen().is_empty(), "{:?}", shop.seen());
    // The same notification within the limit is handled.
    let within = service.handle(padded(limit - 1, false)).await;
    assert_eq!(within.status(), 200);
    assert_eq!(shop.seen(), ["order-7 succeeded"]);
}
