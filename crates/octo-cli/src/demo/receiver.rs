//! The shop's side of OCTO's callbacks during the demo: a small loopback
//! HTTP server that verifies payment notifications and reads tokenization
//! callbacks with octo-proto, answers OCTO, and keeps what arrived for the
//! flows to wait on.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use octo_proto::callback::{
    CallbackLimits, Notification, NotificationReply, SignatureScheme, TokenizationCallback,
    TokenizationReply, check_request_head,
};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const NOTIFY_PATH: &str = "/octo/notify";
const BIND_NOTIFY_PATH: &str = "/octo/bind_notify";

/// One callback as the shop's server saw it.
#[derive(Debug, Clone)]
pub enum Arrival {
    /// A payment notification whose signature checked out.
    Notification(Box<Notification>),
    /// A tokenization callback.
    Tokenization(TokenizationCallback),
    /// A callback that was refused, with the reason.
    Refused(String),
}

#[derive(Default)]
struct Inbox {
    arrivals: Mutex<Vec<Arrival>>,
    changed: Condvar,
}

impl Inbox {
    fn push(&self, arrival: Arrival) {
        self.arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(arrival);
        self.changed.notify_all();
    }
}

struct Shared {
    inbox: Inbox,
    scheme: SignatureScheme,
    limits: CallbackLimits,
}

/// The running receiver; stops when dropped.
pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Receiver {
    /// Listens on a free loopback port and verifies notifications with
    /// `scheme`. Must run inside the runtime that will serve it.
    pub async fn start(scheme: SignatureScheme) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inbox: Inbox::default(),
            scheme,
            limits: CallbackLimits::default(),
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(Self { addr, shared, task })
    }

    /// The URL to give OCTO as `notify_url`.
    pub fn notify_url(&self) -> String {
        format!("http://{}{NOTIFY_PATH}", self.addr)
    }

    /// The URL to give OCTO as `bind_notify_url`.
    pub fn bind_notify_url(&self) -> String {
        format!("http://{}{BIND_NOTIFY_PATH}", self.addr)
    }

    /// Blocks until an arrival that `pick` accepts is there (looking at
    /// everything received so far, then at what comes), or `timeout`
    /// passes. Called from the demo's thread, never from the runtime.
    pub fn wait_for<T>(
        &self,
        timeout: Duration,
        pick: impl Fn(&Arrival) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let inbox = &self.shared.inbox;
        let mut arrivals = inbox
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(found) = arrivals.iter().find_map(&pick) {
                return Some(found);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            arrivals = inbox
                .changed
                .wait_timeout(arrivals, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Everything received so far.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.shared
            .inbox
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(handle(request, &shared).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(request: http::Request<Incoming>, shared: &Shared) -> http::Response<Full<Bytes>> {
    let reply = match receive(request, shared).await {
        Ok(reply) => reply,
        Err(reply) => reply,
    };
    reply.map(|body| Full::new(Bytes::from(body)))
}

/// Reads one callback the way a shop's server should: the head first, a
/// capped body, then octo-proto's parser; OCTO gets octo-proto's reply.
async fn receive(
    request: http::Request<Incoming>,
    shared: &Shared,
) -> Result<http::Response<Vec<u8>>, http::Response<Vec<u8>>> {
    let (parts, body) = request.into_parts();
    let refuse = |error: octo_proto::callback::CallbackError| {
        shared.inbox.push(Arrival::Refused(error.to_string()));
        error.reply()
    };
    check_request_head(&parts.method, &parts.headers, &shared.limits).map_err(refuse)?;
    let bytes = Limited::new(body, shared.limits.max_body_bytes())
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .map_err(|_| {
            shared
                .inbox
                .push(Arrival::Refused("body could not be read".into()));
            NotificationReply::reject(http::StatusCode::BAD_REQUEST, "body could not be read")
                .to_response()
        })?;
    let path = parts.uri.path().to_owned();
    let request = http::Request::from_parts(parts, bytes);
    if path == BIND_NOTIFY_PATH {
        let callback = TokenizationCallback::parse(&request, &shared.limits).map_err(refuse)?;
        shared.inbox.push(Arrival::Tokenization(callback));
        // The demo keeps the token in memory for the next flows; a shop
        // answers this only once the token is stored durably.
        return Ok(TokenizationReply::stored("token stored").to_response());
    }
    let notification =
        Notification::parse_verified(&request, &shared.scheme, &shared.limits).map_err(refuse)?;
    shared
        .inbox
        .push(Arrival::Notification(Box::new(notification)));
    // No decision in the reply: the demo captures or cancels held money
    // with set_accept, so that every step shows as a call.
    Ok(NotificationReply::acknowledge().to_response())
}
