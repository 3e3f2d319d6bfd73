//! A loopback HTTP server that plays recorded exchanges back to a real
//! client, and checks what the client sends.
//!
//! The server holds a queue of [`Exchange`]s. Each request it receives is
//! checked against the next one's [`ExpectedRequest`] (method, path, content
//! type, JSON body as a value with no field written twice, no secret in a
//! header) and answered with its [`Canned`]. A request
//! that does not match, or arrives when nothing is queued, is answered with
//! status 599 and recorded; [`ReplayServer::finish`] then reports it, along
//! with any exchange that was never asked for, so a test fails loudly
//! instead of passing on a lucky outcome.
//!
//! The server runs on its own thread with its own single-threaded tokio
//! runtime, so blocking clients and clients on any runtime can use it.

mod body;
mod redirect;

pub use redirect::{RedirectTrap, TRAP_SECRET};

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::fixture::{ExpectedRequest, Fixture, RecordedResponse};
use body::ReplyBody;

/// The status the server answers an unexpected request with. It is not a
/// status OCTO uses, so no client can mistake it for a real answer.
pub const UNEXPECTED_STATUS: u16 = 599;

/// A canned response: what the server sends back.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Canned {
    /// A complete response with a `content-length`.
    Full {
        /// The HTTP status.
        status: u16,
        /// Headers, in order.
        headers: Vec<(String, String)>,
        /// The body.
        body: Bytes,
    },
    /// A response sent with chunked transfer encoding, one chunk per part.
    Chunked {
        /// The HTTP status.
        status: u16,
        /// Headers, in order.
        headers: Vec<(String, String)>,
        /// The chunks.
        chunks: Vec<Bytes>,
    },
    /// A response that announces `body.len()` bytes, sends the first `sent`
    /// of them, and closes the connection.
    Truncated {
        /// The HTTP status.
        status: u16,
        /// The body the response claims to have.
        body: Bytes,
        /// How many of its bytes are actually sent.
        sent: usize,
    },
    /// Another reply, sent only after a delay.
    Delayed {
        /// How long to wait before answering.
        delay: Duration,
        /// The reply sent after the wait.
        reply: Box<Canned>,
    },
}

impl Canned {
    /// The recorded response of a fixture, byte for byte.
    pub fn recorded(response: &RecordedResponse) -> Self {
        Self::Full {
            status: response.status,
            headers: response
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            body: Bytes::from(response.body_bytes()),
        }
    }

    /// A JSON body with the given status.
    pub fn json(status: u16, body: impl Into<Bytes>) -> Self {
        Self::Full {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: body.into(),
        }
    }

    /// This reply, sent after `delay`.
    pub fn delayed(self, delay: Duration) -> Self {
        Self::Delayed {
            delay,
            reply: Box::new(self),
        }
    }
}

/// One expected request and the reply to it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// What the request must look like; `None` accepts any request.
    pub expect: Option<ExpectedRequest>,
    /// What to send back.
    pub reply: Canned,
}

impl Exchange {
    /// The fixture's exchange, when it has one (fixtures of refused input
    /// have none: nothing may be sent).
    pub fn from_fixture(fixture: &Fixture) -> Option<Self> {
        match (&fixture.request, &fixture.response) {
            (Some(request), Some(response)) => Some(Self {
                expect: Some(request.clone()),
                reply: Canned::recorded(response),
            }),
            _ => None,
        }
    }
}

#[derive(Default)]
struct State {
    queue: VecDeque<Exchange>,
    fallback: Option<Canned>,
    problems: Vec<String>,
    received: usize,
    connections: usize,
}

/// The replay server. Dropping it stops the server.
pub struct ReplayServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ReplayServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ReplayServer {
    /// Starts a server on `127.0.0.1` with an empty queue.
    pub fn start() -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let state = Arc::new(Mutex::new(State::default()));
        let (shutdown, stopped) = oneshot::channel();
        let shared = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("octo-replay".to_owned())
            .spawn(move || runtime.block_on(serve(listener, shared, stopped)))?;
        Ok(Self {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// A server that answers every request with `reply` and checks nothing:
    /// for benchmarks.
    pub fn always(reply: Canned) -> std::io::Result<Self> {
        let server = Self::start()?;
        server.lock().fallback = Some(reply);
        Ok(server)
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:{port}`, for `Config::with_base_url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues an exchange.
    pub fn push(&self, exchange: Exchange) {
        self.lock().queue.push_back(exchange);
    }

    /// Queues a reply to any request.
    pub fn push_reply(&self, reply: Canned) {
        self.push(Exchange {
            expect: None,
            reply,
        });
    }

    /// Queues the fixture's exchange, if it has one.
    pub fn push_fixture(&self, fixture: &Fixture) {
        if let Some(exchange) = Exchange::from_fixture(fixture) {
            self.push(exchange);
        }
    }

    /// How many requests have arrived so far.
    pub fn received(&self) -> usize {
        self.lock().received
    }

    /// How many connections were accepted so far, whether or not a request
    /// came on them.
    pub fn connections(&self) -> usize {
        self.lock().connections
    }

    /// Everything that went wrong since the last call, and the exchanges
    /// that were queued but never requested (they are dropped). `Ok` only
    /// when every request matched and every exchange was used.
    pub fn finish(&self) -> Result<(), String> {
        let mut state = self.lock();
        let mut problems = std::mem::take(&mut state.problems);
        let unused = state.queue.len();
        state.queue.clear();
        if unused > 0 {
            problems.push(format!("{unused} queued exchange(s) never requested"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A poisoned lock only means another test thread panicked; the state is
/// still worth reporting.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<Mutex<State>>,
    mut stopped: oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => {
            lock(&state)
                .problems
                .push(format!("replay server cannot listen: {e}"));
            return;
        }
    };
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                lock(&state).connections += 1;
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(request, Arc::clone(&state)));
                    // A client that hangs up mid-exchange is one of the
                    // cases under test, not a server failure.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

async fn answer(
    request: http::Request<Incoming>,
    state: Arc<Mutex<State>>,
) -> Result<http::Response<ReplyBody>, Infallible> {
    let (parts, incoming) = request.into_parts();
    let body = match incoming.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            lock(&state)
                .problems
                .push(format!("reading the request body failed: {e}"));
            return Ok(unexpected("unreadable request body".to_owned()));
        }
    };
    let reply = {
        let mut state = lock(&state);
        state.received += 1;
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        match state.queue.pop_front() {
            Some(exchange) => {
                let checked = exchange.expect.as_ref().map_or(Ok(()), |expected| {
                    expected.check_parts(parts.method.as_str(), path, &parts.headers, &body)
                });
                match checked {
                    Ok(()) => exchange.reply,
                    Err(diff) => {
                        let problem = format!("request #{} differs: {diff}", state.received);
                        state.problems.push(problem.clone());
                        return Ok(unexpected(problem));
                    }
                }
            }
            None => match &state.fallback {
                Some(reply) => reply.clone(),
                None => {
                    let problem = format!(
                        "unexpected request #{}: {} {path}",
                        state.received, parts.method
                    );
                    state.problems.push(problem.clone());
                    return Ok(unexpected(problem));
                }
            },
        }
    };
    Ok(respond(reply).await)
}

fn unexpected(problem: String) -> http::Response<ReplyBody> {
    build(
        UNEXPECTED_STATUS,
        &[("content-type".to_owned(), "text/plain".to_owned())],
        ReplyBody::full(Bytes::from(problem)),
        None,
    )
}

async fn respond(mut reply: Canned) -> http::Response<ReplyBody> {
    while let Canned::Delayed {
        delay,
        reply: inner,
    } = reply
    {
        tokio::time::sleep(delay).await;
        reply = *inner;
    }
    match reply {
        Canned::Full {
            status,
            headers,
            body,
        } => build(status, &headers, ReplyBody::full(body), None),
        Canned::Chunked {
            status,
            headers,
            chunks,
        } => build(status, &headers, ReplyBody::chunked(chunks), None),
        Canned::Truncated { status, body, sent } => {
            let announced = body.len();
            let prefix = body.slice(..sent.min(announced));
            build(status, &[], ReplyBody::aborted(prefix), Some(announced))
        }
        // Unwrapped by the loop above.
        Canned::Delayed { .. } => unexpected("nested delay".to_owned()),
    }
}

fn build(
    status: u16,
    headers: &[(String, String)],
    body: ReplyBody,
    content_length: Option<usize>,
) -> http::Response<ReplyBody> {
    let mut response = http::Response::new(body);
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let map = response.headers_mut();
    for (name, value) in headers {
        // hyper frames the body itself; a recorded length or encoding would
        // contradict it.
        let framing = name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding");
        if framing {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    if let Some(length) = content_length {
        map.insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from(length),
        );
    }
    response
}
