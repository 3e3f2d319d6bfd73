//! The hyper server: the accept loop, one request's way through faults and
//! routes, and graceful shutdown.
//!
//! Every wait a client can cause is bounded by the config: the head must
//! arrive within `header_read_timeout`, the body within
//! `body_read_timeout` (else 408 and the connection closes), and at most
//! `max_connections` connections are served at once (the rest wait in the
//! listen queue).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::engine::Engine;
use crate::faults::FaultAction;
use crate::routes;
use crate::wire::{self, Reject, Reply};

/// How long shutdown waits for open connections.
const DRAIN: Duration = Duration::from_secs(5);

/// The longest wait handed to hyper's timer: a century.
const LONGEST_WAIT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// Returned by the service to make hyper close the connection without an
/// answer (the drop fault).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a sandbox fault")
    }
}

impl std::error::Error for Dropped {}

fn respond(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let (parts, body) = wire::response(status, content_type, body).into_parts();
    Response::from_parts(parts, Full::new(Bytes::from(body)))
}

fn render(reply: Reply) -> Response<Full<Bytes>> {
    let (parts, body) = reply.into_response().into_parts();
    Response::from_parts(parts, Full::new(Bytes::from(body)))
}

/// The body OCTO's servers send when they fail.
fn problem_500() -> Response<Full<Bytes>> {
    let body = br#"{"title":"Internal Server Error","status":500,"detail":"injected by an octo-sandbox fault"}"#;
    respond(
        StatusCode::INTERNAL_SERVER_ERROR,
        "application/problem+json",
        body.to_vec(),
    )
}

/// OCTO's error 4 ("internal error"), written as every refusal is: the
/// error envelope under HTTP 200.
fn octo_internal() -> Response<Full<Bytes>> {
    let refusal: Result<wire::Payload, Reject> = Err(Reject::internal(
        "internal error: injected by an octo-sandbox fault",
    ));
    render(Reply::from(refusal))
}

async fn serve(
    engine: Arc<Engine>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let fault = engine.faults.take(path);
    match fault {
        Some(FaultAction::Delay(d)) => tokio::time::sleep(d).await,
        Some(FaultAction::Status500) => return Ok(problem_500()),
        Some(FaultAction::Status502) => return Ok(crate::faults::bad_gateway()),
        Some(FaultAction::OctoInternal) => return Ok(octo_internal()),
        _ => {}
    }
    let read = Limited::new(body, engine.config.max_body_bytes).collect();
    let bytes = match tokio::time::timeout(engine.config.body_read_timeout, read).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Err(_) => return Ok(body_too_slow(engine.config.body_read_timeout)),
        Ok(Err(_)) => {
            let reject = Reject::format(format!(
                "the request body could not be read or is over {} bytes",
                engine.config.max_body_bytes
            ));
            return Ok(render(Reply::Json(
                StatusCode::PAYLOAD_TOO_LARGE,
                wire::error(&reject),
            )));
        }
    };
    // The routes do not panic (checked arithmetic, no indexing on request
    // data, amounts bounded on reading); should one ever do so, the client
    // still gets an answer, error 4, and the store's lock, recovered from
    // poisoning by every taker, keeps serving the other requests.
    let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        routes::route(&engine, &parts.method, path, &bytes)
    }))
    .unwrap_or_else(|_| {
        Reply::Json(
            StatusCode::INTERNAL_SERVER_ERROR,
            wire::error(&Reject::internal(
                "the sandbox failed on this request: please report it",
            )),
        )
    });
    match fault {
        Some(FaultAction::DropAfterProcessing) => Err(Dropped),
        Some(FaultAction::Status500AfterProcessing) => Ok(problem_500()),
        Some(FaultAction::OctoInternalAfterProcessing) => Ok(octo_internal()),
        Some(FaultAction::SlowAnswer(d)) => {
            tokio::time::sleep(d).await;
            Ok(render(reply))
        }
        Some(FaultAction::ResetMidBody) => Ok(crate::faults::mark_cut(render(reply))),
        _ => Ok(render(reply)),
    }
}

/// The answer to a body that did not arrive in time; the connection is
/// closed after it.
fn body_too_slow(limit: Duration) -> Response<Full<Bytes>> {
    let reject = Reject::format(format!(
        "the request body did not arrive within {} ms",
        limit.as_millis()
    ));
    let mut response = render(Reply::Json(
        StatusCode::REQUEST_TIMEOUT,
        wire::error(&reject),
    ));
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// Accepts connections until `shutdown` flips, then drains them. A
/// connection is accepted only with a free slot of `max_connections`.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    engine: Arc<Engine>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(engine.config.max_connections.max(1)));
    // hyper adds this to the current instant for every head it reads,
    // which panics past what the clock can count: a wait such as
    // `Duration::MAX` ("as long as it takes") becomes a century.
    let header_timeout = engine.config.header_read_timeout.min(LONGEST_WAIT);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or a reset before accept:
                    // breathe, then keep serving.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let engine = Arc::clone(&engine);
                let service = service_fn(move |req| {
                    crate::faults::cut_if_marked(serve(Arc::clone(&engine), req))
                });
                let connection = http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                let watched = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = watched.await;
                    // The slot is free once the connection is over.
                    drop(slot);
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
}

/// Expires due payments every `interval` until `shutdown` flips.
pub(crate) async fn sweeper(
    engine: Arc<Engine>,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {
                let _ = engine.sweep();
            }
            _ = shutdown.changed() => break,
        }
    }
}

/// Binds the listener (a separate step so that the address is known
/// before the engine is built).
pub(crate) async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
