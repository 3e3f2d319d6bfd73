//! The network around a call, as each transport must handle it:
//!
//! - an `https` base URL is spoken to over TLS and the server's
//!   certificate is checked: a loopback server whose certificate no
//!   trusted root signed gets a failed handshake, never a request, and the
//!   call fails as a connect error (nothing was sent, so resending is safe);
//! - a connection given up on (the attempt timed out while the server was
//!   still working) is never used again: the late answer that arrives on it
//!   must not be read as the answer to the next call;
//! - a proxy named in the environment (`HTTP_PROXY`, `HTTPS_PROXY`,
//!   `ALL_PROXY`) is never used for a loopback base URL. reqwest and ureq
//!   read those variables on their own; a proxy asked for
//!   `http://127.0.0.1:…` would get the request, the shop's secret in it,
//!   over plain HTTP, and would reach its own loopback, not the shop's
//!   server. octo-hyper's client reads no proxy variables, so it passes as
//!   it is; the scenario keeps it that way.
//!
//! Setting variables in the test process is not possible without `unsafe`,
//! so the proxy scenario runs its other half,
//! [`child_calls_the_loopback_server`], in a copy of the transport's
//! `suite` test binary started with the variables set.

use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, Error, PaymentStatus, TransportErrorKind};
use octo_transport::ClientBuilder;

use super::network_servers::{late_first_answer, untrusted_server};
use crate::client::AnyClient;
use crate::replay::{Canned, ReplayServer};

const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"succeeded"}}"#;

/// The name [`transport_suite!`](crate::transport_suite) gives
/// [`child_calls_the_loopback_server`] in a transport's `suite` binary.
const CHILD: &str = "network::child_calls_the_loopback_server";

fn config(url: &str) -> Config {
    Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(url)
        .unwrap()
}

/// A client for `url` that sends once and gives a call `timeout`.
fn client<C: AnyClient>(url: &str, timeout: Duration) -> C {
    C::build(ClientBuilder::new(config(url)).no_retry().timeout(timeout))
}

fn status_check() -> PaymentStatusCheck {
    PaymentStatusCheck::new("order-42".parse().unwrap())
}

/// A server whose certificate no root trusts gets no request, and the call
/// fails as a connect error for that certificate.
pub async fn an_untrusted_certificate_gets_no_request<C: AnyClient>() {
    let (url, server) = untrusted_server();
    let result = client::<C>(&url, Duration::from_secs(5))
        .send(&status_check())
        .await;
    let handshake = server.join().unwrap();
    assert!(handshake.is_err(), "a request came through: {handshake:?}");
    match result {
        Err(Error::Transport(e)) => {
            let chain = format!("{e:?}");
            // Refused for the certificate, not for some other fault.
            assert!(chain.contains("UnknownIssuer"), "{chain}");
            assert_eq!(e.kind, TransportErrorKind::Connect, "{chain}");
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}

/// The late answer to an attempt that timed out is not taken for the
/// answer to the next call.
pub async fn a_late_answer_to_a_timed_out_attempt_is_not_taken_for_the_next<C: AnyClient>() {
    // The first answer comes 1.5 s late, after the 1 s deadline and within
    // the next call's: a reused connection would hand it to that call.
    let url = late_first_answer(Duration::from_millis(1500));
    let client = client::<C>(&url, Duration::from_secs(1));
    let op = status_check();
    let first = client.send(&op).await;
    assert!(first.is_err(), "{first:?}");
    let second = client.send(&op).await.unwrap();
    assert_eq!(second.status, PaymentStatus::Succeeded);
}

/// Calls a loopback server by address and by `localhost`: both calls must
/// reach it. The proxy scenario runs it with a proxy in the environment;
/// the suite runs it without one too.
pub async fn child_calls_the_loopback_server<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let op = status_check();
    let port = server.addr().port();
    for url in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        let client = client::<C>(&url, Duration::from_secs(3));
        server.push_reply(Canned::json(200, PAID));
        let paid = client.send(&op).await;
        assert!(paid.is_ok(), "{url}: {paid:?}");
    }
    assert_eq!(server.received(), 2);
    server.finish().unwrap();
}

/// A proxy in the environment is not used for a loopback base URL: the
/// test binary runs [`child_calls_the_loopback_server`] again with proxy
/// variables naming a trap.
pub async fn a_proxy_in_the_environment_is_not_used_for_a_loopback_base_url<C: AnyClient>() {
    // A "proxy" that accepts connections and never answers: a request sent
    // to it fails the child's call, and the connection shows here.
    let trap = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", trap.local_addr().unwrap());
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", CHILD, "--test-threads=1"])
        .env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env("HTTPS_PROXY", &proxy)
        .env("ALL_PROXY", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    // The child's calls time out on their own within seconds; the bound
    // here only keeps a stuck child from holding the suite.
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || child.output()),
    )
    .await
    .expect("the child test ends within a minute")
    .unwrap()
    .unwrap();
    trap.set_nonblocking(true).unwrap();
    let reached = trap.accept().is_ok();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the call failed with a proxy in the environment:\n{stdout}"
    );
    assert!(!reached, "the proxy was asked for a loopback address");
    // The child did run the call (a filter matching nothing passes too).
    assert!(stdout.contains("1 passed"), "{stdout}");
}
