//! What fixtures cannot express: refused connections, a server that hangs
//! up or stalls, 503 then success, chunked and oversized bodies, redirects.

use std::time::Duration;

use octo_proto::op::{PaymentStatusCheck, SetAccept, VerificationInfo};
use octo_proto::{Config, Endpoint, Error, Operation, RetryPolicy, TransportErrorKind};
use octo_transport::ClientBuilder;

use crate::ExpectedRequest;
use crate::client::AnyClient;
use crate::replay::{Canned, Exchange, RedirectTrap, ReplayServer};

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":1000.00}}"#;
const UNAVAILABLE: &str = "<html><body>503 Service Unavailable</body></html>";

fn status_check() -> PaymentStatusCheck {
    PaymentStatusCheck::new("order-42".parse().unwrap())
}

fn capture() -> SetAccept {
    SetAccept::capture("e3f40dc3-4955-412a-853a-2ddd28d3201f".parse().unwrap())
}

fn config(url: &str) -> Config {
    Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(url)
        .unwrap()
}

fn client<C: AnyClient>(url: &str, retry: RetryPolicy) -> C {
    C::build(
        ClientBuilder::new(config(url))
            .retry_policy(retry)
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_millis(500)),
    )
}

/// The request `op` must arrive as, on every attempt.
fn exchange<O: Operation>(op: &O, url: &str, reply: Canned) -> Exchange {
    let request = op.build_request(&config(url)).unwrap();
    Exchange {
        expect: Some(ExpectedRequest::from_request(&request).unwrap()),
        reply,
    }
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::new(3, Duration::from_millis(5), Duration::from_millis(20))
}

fn transport_kind(error: Error) -> TransportErrorKind {
    match error {
        Error::Transport(e) => {
            assert!(e.source.is_some(), "the backend's error is kept");
            e.kind
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Connection refused is a connect error.
pub async fn connection_refused_is_a_connect_error<C: AnyClient>() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let error = client::<C>(&url, RetryPolicy::none())
        .send(&status_check())
        .await
        .unwrap_err();
    assert_eq!(transport_kind(error), TransportErrorKind::Connect);
}

/// Sends a status check, without retries, to a server that answers it with
/// `reply`; the kind of the transport error it must fail with.
async fn failure_kind<C: AnyClient>(reply: Canned) -> TransportErrorKind {
    let server = ReplayServer::start().unwrap();
    let op = status_check();
    server.push(exchange(&op, &server.url(), reply));
    let error = client::<C>(&server.url(), RetryPolicy::none())
        .send(&op)
        .await
        .unwrap_err();
    server.finish().unwrap();
    transport_kind(error)
}

/// Server closing mid response is an io error.
pub async fn server_closing_mid_response_is_an_io_error<C: AnyClient>() {
    let cut = Canned::Truncated {
        status: 200,
        body: PAID.into(),
        sent: 20,
    };
    assert_eq!(failure_kind::<C>(cut).await, TransportErrorKind::Io);
}

/// A server slower than the timeout is a timeout.
pub async fn a_server_slower_than_the_timeout_is_a_timeout<C: AnyClient>() {
    let slow = Canned::json(200, PAID).delayed(Duration::from_secs(3));
    assert_eq!(failure_kind::<C>(slow).await, TransportErrorKind::Timeout);
}

/// A timeout longer than the clock can count (`Duration::MAX`, "as long as
/// it takes") is a very long wait: the call goes through, the client does
/// not panic adding it to the current instant.
pub async fn timeouts_too_long_for_the_clock_are_waits_not_panics<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let op = status_check();
    for (connect, whole) in [
        (Duration::MAX, Duration::from_secs(5)),
        (Duration::from_secs(5), Duration::MAX),
    ] {
        server.push(exchange(&op, &server.url(), Canned::json(200, PAID)));
        let client = C::build(
            ClientBuilder::new(config(&server.url()))
                .no_retry()
                .connect_timeout(connect)
                .timeout(whole),
        );
        let payment = client.send(&op).await.unwrap();
        assert!(payment.status.is_paid());
    }
    server.finish().unwrap();
}

/// Idempotent operations are retried after 503 with the same request.
pub async fn idempotent_operations_are_retried_after_503_with_the_same_request<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let op = status_check();
    assert!(op.is_idempotent());
    // Both exchanges expect the same body, so a drifting idempotency key
    // would be reported by the server.
    server.push(exchange(&op, &server.url(), Canned::json(503, UNAVAILABLE)));
    server.push(exchange(&op, &server.url(), Canned::json(200, PAID)));
    let payment = client::<C>(&server.url(), quick_retries())
        .send(&op)
        .await
        .unwrap();
    assert!(payment.status.is_paid());
    assert_eq!(server.received(), 2);
    server.finish().unwrap();
}

/// Sends `op` with `retry` to a server that answers 503 once: the 503
/// comes back, and the server saw one request (a second attempt would be
/// recorded as unexpected).
async fn a_503_is_sent_once<C: AnyClient, O>(op: &O, retry: RetryPolicy)
where
    O: Operation,
    O::Output: std::fmt::Debug,
{
    let server = ReplayServer::start().unwrap();
    server.push(exchange(op, &server.url(), Canned::json(503, UNAVAILABLE)));
    let error = client::<C>(&server.url(), retry)
        .send(op)
        .await
        .unwrap_err();
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.received(), 1);
    server.finish().unwrap();
}

/// Non idempotent operations are not retried after 503.
pub async fn non_idempotent_operations_are_not_retried_after_503<C: AnyClient>() {
    let op = capture();
    assert!(!op.is_idempotent());
    a_503_is_sent_once::<C, _>(&op, quick_retries()).await;
}

/// A read the shop holds back from resending
/// ([`RetryPolicy::without_resending`]) is sent once after a 503, as an
/// unsafe call is, while the policy still resends every other read.
pub async fn an_endpoint_held_back_is_not_resent_after_503<C: AnyClient>() {
    let op = VerificationInfo::new("e3f40dc3-4955-412a-853a-2ddd28d3201f".parse().unwrap());
    assert!(op.is_idempotent());
    let policy = quick_retries().without_resending(Endpoint::VerificationInfo);
    assert!(policy.resends_after_unknown(Endpoint::PaymentStatus));
    a_503_is_sent_once::<C, _>(&op, policy).await;
}

/// Turning retries off sends once.
pub async fn turning_retries_off_sends_once<C: AnyClient>() {
    a_503_is_sent_once::<C, _>(&status_check(), RetryPolicy::none()).await;
}

/// A `User-Agent` set on the config goes out once, on every attempt, in
/// place of the SDK's default and of the HTTP library's own.
pub async fn a_configured_user_agent_is_sent_on_every_attempt<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let op = status_check();
    let shop = config(&server.url())
        .with_user_agent("my-shop/2.1 octo-rs")
        .unwrap();
    let expect = ExpectedRequest::from_request(&op.build_request(&shop).unwrap()).unwrap();
    assert_eq!(expect.user_agent, "my-shop/2.1 octo-rs");
    for reply in [Canned::json(503, UNAVAILABLE), Canned::json(200, PAID)] {
        server.push(Exchange {
            expect: Some(expect.clone()),
            reply,
        });
    }
    let client = C::build(
        ClientBuilder::new(shop)
            .retry_policy(quick_retries())
            .timeout(Duration::from_secs(2)),
    );
    client.send(&op).await.unwrap();
    assert_eq!(server.received(), 2);
    server.finish().unwrap();
}

/// A chunked response is read whole.
pub async fn a_chunked_response_is_read_whole<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let op = status_check();
    let (head, tail) = PAID.split_at(40);
    let (middle, end) = tail.split_at(30);
    let chunked = Canned::Chunked {
        status: 200,
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        chunks: vec![
            head.to_owned().into(),
            middle.to_owned().into(),
            end.to_owned().into(),
        ],
    };
    server.push(exchange(&op, &server.url(), chunked));
    let payment = client::<C>(&server.url(), RetryPolicy::none())
        .send(&op)
        .await
        .unwrap();
    let whole = op
        .parse_response(&http::Response::new(PAID.as_bytes()))
        .unwrap();
    assert_eq!(payment, whole);
    server.finish().unwrap();
}

/// Oversized responses are refused.
pub async fn oversized_responses_are_refused<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let op = status_check();
    let big = format!("{{\"error\":0,\"pad\":\"{}\"}}", "x".repeat(4096));
    let chunked = Canned::Chunked {
        status: 200,
        headers: Vec::new(),
        chunks: big
            .as_bytes()
            .chunks(1000)
            .map(|c| c.to_vec().into())
            .collect(),
    };
    server.push(exchange(&op, &server.url(), Canned::json(200, big.clone())));
    server.push(exchange(&op, &server.url(), chunked));
    let small = C::build(
        ClientBuilder::new(config(&server.url()))
            .no_retry()
            .max_response_bytes(1024),
    );
    for framing in ["content-length", "chunked"] {
        let error = small.send(&op).await.unwrap_err();
        assert_eq!(
            transport_kind(error),
            TransportErrorKind::BodyTooLarge,
            "{framing}"
        );
    }
    server.finish().unwrap();
}

/// An answer far longer than one read of the transport's buffer, announced
/// with its length, is read whole when it is exactly at the size cap, and
/// refused when the cap is one byte less.
pub async fn a_long_answer_is_read_whole_at_the_cap_and_refused_one_byte_over<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let op = status_check();
    let head = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"succeeded","pad":""#;
    let tail = r#""}}"#;
    let len = 300_000;
    let sent = "p".repeat(len - head.len() - tail.len());
    let body = format!("{head}{sent}{tail}");
    assert_eq!(body.len(), len);
    for _ in 0..2 {
        server.push(exchange(
            &op,
            &server.url(),
            Canned::json(200, body.clone()),
        ));
    }
    let capped = |cap: usize| {
        C::build(
            ClientBuilder::new(config(&server.url()))
                .no_retry()
                .timeout(Duration::from_secs(5))
                .max_response_bytes(cap),
        )
    };
    let paid = capped(len).send(&op).await.unwrap();
    let pad = paid.extra.get("pad").and_then(|v| v.as_str());
    assert_eq!(pad, Some(sent.as_str()));
    let error = capped(len - 1).send(&op).await.unwrap_err();
    assert_eq!(transport_kind(error), TransportErrorKind::BodyTooLarge);
}

/// A redirect (301, 302, 303, 307, 308) is refused and never followed, even
/// with retries on: a redirect taken for a passing failure would show up as
/// a second request to the trap.
pub async fn redirects_are_refused_and_never_followed<C: AnyClient>() {
    for status in [301, 302, 303, 307, 308] {
        let trap = RedirectTrap::start(status).unwrap();
        let retry = RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(5));
        let client = C::build(
            ClientBuilder::new(trap.config())
                .retry_policy(retry)
                .timeout(Duration::from_secs(5)),
        );
        let result = client.send(&trap.operation()).await;
        if let Err(problems) = trap.check(&result) {
            panic!("HTTP {status}: {problems}");
        }
    }
}

/// A server that answers promptly but sends the body one byte at a time,
/// each byte well within any per-read timeout: the attempt's deadline
/// covers the whole body, so the call fails as a timeout near the deadline
/// instead of taking as long as the trickle does.
pub async fn a_body_that_trickles_past_the_deadline_is_a_timeout<C: AnyClient>() {
    use std::io::{Read, Write};
    use std::time::Instant;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // 250 bytes at 20 ms each: five seconds of trickle, ten times the
    // client's deadline of 500 ms.
    let body = format!("{{\"error\":0,\"pad\":\"{}\"}}", "x".repeat(230));
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        // The request: read until a pause (it is a few hundred bytes).
        let mut request = [0u8; 4096];
        let mut read = 0;
        while read < request.len() {
            match stream.read(request.get_mut(read..).unwrap()) {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        for byte in body.as_bytes() {
            std::thread::sleep(Duration::from_millis(20));
            // The client hung up: the trickle ends.
            if stream.write_all(std::slice::from_ref(byte)).is_err() || stream.flush().is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    let result = client::<C>(&url, RetryPolicy::none())
        .send(&status_check())
        .await;
    let took = started.elapsed();
    let error = match result {
        Ok(answer) => panic!("a body slower than the deadline was read whole: {answer:?}"),
        Err(error) => error,
    };
    assert_eq!(transport_kind(error), TransportErrorKind::Timeout);
    assert!(
        took < Duration::from_secs(3),
        "the deadline of 500 ms did not cover the body: {took:?}"
    );
    server.join().unwrap();
}
