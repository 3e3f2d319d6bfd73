//! A hyper service that receives OCTO's callbacks: payment notifications
//! on one path, tokenization callbacks on another. It checks the request
//! head before reading the body, caps the body, verifies and parses with
//! octo-proto, hands the typed callback to your handler, and writes the
//! reply your handler chose. Anything refused gets octo-proto's answer for
//! it (OCTO retries on 4xx and 5xx).
//!
//! The safe order inside the handler: confirm the status with OCTO
//! (`payment_status`) and record its answer before acknowledging a
//! notification (OCTO sends it again until it is acknowledged); take a
//! tokenization callback only for a card binding you started, and store its
//! token durably, marked unconfirmed, before answering `stored`.
//!
//! # Facing the internet
//!
//! The service is what a shop exposes publicly, so it bounds what one
//! sender can hold: the body must arrive within
//! [`with_body_timeout`](CallbackService::with_body_timeout) (default
//! [`DEFAULT_BODY_TIMEOUT`]) or the request is answered `408` and the
//! connection closed, whatever the handler would have done; the body is
//! capped by [`CallbackLimits`]. The rest belongs to the server you run it
//! in, and you should set both:
//!
//! - a header read timeout: hyper's
//!   `http1::Builder::header_read_timeout` (with a `timer`), so that a
//!   client trickling the request head is dropped;
//! - a connection limit: take a permit of a `tokio::sync::Semaphore`
//!   before each `accept`, and release it when the connection ends.
//!
//! The example `callback_server` in this crate does all three:
//!
//! ```sh
//! OCTO_NOTIFY_KEY=… cargo run -p octo-hyper --example callback_server
//! ```
//!
//! # In a tower or axum router
//!
//! The service is also a [`tower_service::Service`] for requests with any
//! body, so a router built on tower mounts it as it is, next to the shop's
//! other routes; the body timeout and the size cap hold there too.
//!
//! ```no_run
//! use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
//! use octo_hyper::{CallbackHandler, CallbackService};
//! use octo_proto::NotificationKey;
//! use octo_proto::callback::{
//!     NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
//!     VerifiedNotification,
//! };
//!
//! struct Shop;
//!
//! impl CallbackHandler for Shop {
//!     async fn notification(&self, notification: VerifiedNotification) -> NotificationReply {
//!         // A hint: ask OCTO, record its answer, and only then acknowledge.
//!         match check_status_and_record(&notification).await {
//!             Ok(()) => NotificationReply::acknowledge(),
//!             // OCTO sends the notification again later.
//!             Err(reason) => {
//!                 NotificationReply::reject(http::StatusCode::SERVICE_UNAVAILABLE, reason)
//!             }
//!         }
//!     }
//!     async fn tokenization(&self, callback: TokenizationCallback) -> TokenizationReply {
//!         // Unsigned: it must name a binding this shop started, and its token
//!         // is stored durably as unconfirmed before `stored` is answered.
//!         match store_unconfirmed_token_of_started_binding(&callback).await {
//!             Ok(()) => TokenizationReply::stored("stored, unconfirmed"),
//!             Err(reason) => TokenizationReply::not_stored(reason),
//!         }
//!     }
//! }
//!
//! /// Your code: a `PaymentStatusCheck` for the notification's
//! /// `shop_transaction_id` (or the payment's state machine), then OCTO's
//! /// answer written to your database.
//! async fn check_status_and_record(_: &VerifiedNotification) -> Result<(), String> {
//!     todo!()
//! }
//!
//! /// Your code: `Err` unless `shop_transaction_id` names a card binding
//! /// you started; otherwise the token written to your database marked
//! /// unconfirmed, to be used once the binding's `BindingMachine` reports
//! /// `Done(BoundCard)` (`docs/flows/card-binding.md`).
//! async fn store_unconfirmed_token_of_started_binding(
//!     _: &TokenizationCallback,
//! ) -> Result<(), String> {
//!     todo!()
//! }
//!
//! # async fn serve() -> std::io::Result<()> {
//! let scheme = SignatureScheme::UniqueKey(NotificationKey::new("key-from-octo"));
//! let callbacks = CallbackService::new(Shop, scheme);
//! let app = axum::Router::new()
//!     .route_service(DEFAULT_NOTIFY_PATH, callbacks.clone())
//!     .route_service(DEFAULT_BIND_NOTIFY_PATH, callbacks);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8443").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! The service matches the request's whole path against its own paths, so
//! mount it with `route_service` (or as a fallback), not under
//! `nest_service`, which strips the prefix. The example `axum_callbacks`
//! serves it that way:
//!
//! ```sh
//! OCTO_NOTIFY_KEY=… cargo run -p octo-hyper --example axum_callbacks
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use octo_proto::callback::{
    CallbackKind, CallbackLimits, Notification, NotificationReply, SignatureScheme,
    TokenizationCallback, TokenizationReply, VerifiedNotification, check_request_head,
};
use tracing::Instrument;

/// The default path of payment notifications (`notify_url`).
pub const DEFAULT_NOTIFY_PATH: &str = "/octo/notify";

/// The default path of tokenization callbacks (`bind_notify_url`).
pub const DEFAULT_BIND_NOTIFY_PATH: &str = "/octo/bind_notify";

/// How long the body of one callback may take to arrive, by default.
/// OCTO's callbacks are a few hundred bytes, sent at once.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Your side of the callbacks.
///
/// What OCTO sees of your handler is the reply: 200 only for what it
/// returns as handled. Two more cases end without one, and OCTO sends the
/// callback again:
///
/// - **The sender goes away.** When the connection closes before the
///   handler finishes (OCTO stopped waiting), the server drops the
///   handler's future at the `.await` it had reached; what comes after
///   never runs. Write the handler so that stopping at any `.await` and
///   running again for the same callback is harmless (keyed on
///   `shop_transaction_id` or the token, say), or hand the work that must
///   finish to a task of your own (`tokio::spawn`) and await it there.
/// - **The handler panics.** The connection is closed without an answer;
///   other connections are served as before.
pub trait CallbackHandler: Send + Sync + 'static {
    /// A notification whose signature checked out: a hint that the
    /// payment's status changed (its amounts are not signed). Check the
    /// status with OCTO, or hand it to the payment's machine, before
    /// acting, and acknowledge only once OCTO's answer is recorded (OCTO
    /// sends the notification again until then); for a held payment
    /// (`awaits_decision`) the reply can then capture or cancel it.
    fn notification(
        &self,
        notification: VerifiedNotification,
    ) -> impl Future<Output = NotificationReply> + Send;

    /// A tokenization callback. It is unsigned: answer `stored` only for a
    /// card binding you started, once its token is stored durably and
    /// marked unconfirmed (usable when the binding's `BindingMachine`
    /// reports `Done(BoundCard)`). OCTO cancels the token after three
    /// failed tries.
    fn tokenization(
        &self,
        callback: TokenizationCallback,
    ) -> impl Future<Output = TokenizationReply> + Send;
}

/// The callback service; serve it with hyper, or mount it in a tower or
/// axum router (it is a `tower_service::Service` too). Cloning is cheap.
pub struct CallbackService<H> {
    handler: Arc<H>,
    scheme: Arc<SignatureScheme>,
    limits: CallbackLimits,
    body_timeout: Duration,
    notify_path: Arc<str>,
    bind_notify_path: Arc<str>,
}

impl<H> Clone for CallbackService<H> {
    fn clone(&self) -> Self {
        Self {
            handler: Arc::clone(&self.handler),
            scheme: Arc::clone(&self.scheme),
            limits: self.limits,
            body_timeout: self.body_timeout,
            notify_path: Arc::clone(&self.notify_path),
            bind_notify_path: Arc::clone(&self.bind_notify_path),
        }
    }
}

impl<H> std::fmt::Debug for CallbackService<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackService")
            .field("notify_path", &self.notify_path)
            .field("bind_notify_path", &self.bind_notify_path)
            .field("limits", &self.limits)
            .field("body_timeout", &self.body_timeout)
            .finish_non_exhaustive()
    }
}

impl<H: CallbackHandler> CallbackService<H> {
    /// A service verifying notifications with `scheme`, on the default
    /// paths, with the default limits.
    pub fn new(handler: H, scheme: SignatureScheme) -> Self {
        Self {
            handler: Arc::new(handler),
            scheme: Arc::new(scheme),
            limits: CallbackLimits::default(),
            body_timeout: DEFAULT_BODY_TIMEOUT,
            notify_path: Arc::from(DEFAULT_NOTIFY_PATH),
            bind_notify_path: Arc::from(DEFAULT_BIND_NOTIFY_PATH),
        }
    }

    /// Serves payment notifications on `path`. It may be the same path as
    /// [`with_bind_notify_path`](Self::with_bind_notify_path)'s (one URL
    /// given to OCTO for both). On either path each request is told by its
    /// body ([`CallbackKind::of_body`]), so a callback sent to the other
    /// one's path is still served as what it is.
    #[must_use]
    pub fn with_notify_path(mut self, path: &str) -> Self {
        self.notify_path = Arc::from(path);
        self
    }

    /// Serves tokenization callbacks on `path` (it may be the notify path:
    /// see [`with_notify_path`](Self::with_notify_path)).
    #[must_use]
    pub fn with_bind_notify_path(mut self, path: &str) -> Self {
        self.bind_notify_path = Arc::from(path);
        self
    }

    /// The body size limit and other checks.
    #[must_use]
    pub fn with_limits(mut self, limits: CallbackLimits) -> Self {
        self.limits = limits;
        self
    }

    /// How long a request's body may take to arrive once its head is in
    /// (default [`DEFAULT_BODY_TIMEOUT`]). A sender that trickles the body
    /// slower gets `408 Request Timeout` and the connection is closed; the
    /// handler never sees the request.
    #[must_use]
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Answers one request.
    pub async fn handle<B>(&self, request: http::Request<B>) -> http::Response<Full<Bytes>>
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let path = request.uri().path();
        if path != &*self.notify_path && path != &*self.bind_notify_path {
            let span = tracing::debug_span!("octo.callback", path = "unknown");
            let _entered = span.enter();
            tracing::debug!("no callback served on this path");
            return status_only(http::StatusCode::NOT_FOUND);
        }
        let span = tracing::info_span!(
            "octo.callback",
            kind = tracing::field::Empty,
            signed_with = tracing::field::Empty,
            http.status = tracing::field::Empty
        );
        // Entered whenever the answer is worked on: the service's lines and
        // the shop's handler's carry the span.
        let response = self.dispatch(request).instrument(span.clone()).await;
        span.record("http.status", response.status().as_u16());
        response.map(|body| Full::new(Bytes::from(body)))
    }

    async fn dispatch<B>(&self, request: http::Request<B>) -> http::Response<Vec<u8>>
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        if let Err(refused) = check_request_head(&parts.method, &parts.headers, &self.limits) {
            return refused.reply();
        }
        let read = Limited::new(body, self.limits.max_body_bytes()).collect();
        let bytes = match tokio::time::timeout(self.body_timeout, read).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
                return status_vec(http::StatusCode::PAYLOAD_TOO_LARGE);
            }
            // The sender went away or broke the framing; OCTO will retry.
            Ok(Err(_)) => return status_vec(http::StatusCode::BAD_REQUEST),
            // Too slow: answer and end the connection, whose rest of the
            // body is not worth waiting for.
            Err(_) => {
                tracing::debug!("request body not in within the timeout");
                let mut response = status_vec(http::StatusCode::REQUEST_TIMEOUT);
                response.headers_mut().insert(
                    http::header::CONNECTION,
                    http::HeaderValue::from_static("close"),
                );
                return response;
            }
        };
        // Told by the body on either path: a shop that gave OCTO one URL
        // for both, or one path for the other, still gets each callback as
        // what it is (a notification read as a tokenization callback would
        // be acknowledged and lost; the other way round, refused until OCTO
        // cancels the token).
        let kind = CallbackKind::of_body(&bytes);
        tracing::Span::current().record(
            "kind",
            match kind {
                CallbackKind::Notification => "notification",
                CallbackKind::Tokenization => "tokenization",
            },
        );
        let request = http::Request::from_parts(parts, bytes);
        match kind {
            CallbackKind::Notification => {
                match Notification::parse_verified(&request, &self.scheme, &self.limits) {
                    Ok(parsed) => {
                        // The formula that matched: under `SignatureScheme::Either`,
                        // the one the shop can narrow to.
                        tracing::Span::current()
                            .record("signed_with", parsed.signed_with().to_string());
                        self.handler.notification(parsed).await.to_response()
                    }
                    Err(refused) => refused.reply(),
                }
            }
            CallbackKind::Tokenization => {
                match TokenizationCallback::parse(&request, &self.limits) {
                    Ok(parsed) => self.handler.tokenization(parsed).await.to_response(),
                    Err(refused) => refused.reply(),
                }
            }
        }
    }
}

fn status_vec(status: http::StatusCode) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(Vec::new());
    *response.status_mut() = status;
    response
}

fn status_only(status: http::StatusCode) -> http::Response<Full<Bytes>> {
    status_vec(status).map(|body| Full::new(Bytes::from(body)))
}

/// A request body [`CallbackService`] serves as a hyper or tower service:
/// any [`http_body::Body`] that may move to another task, such as hyper's
/// `Incoming`, axum's `Body` or `Full<Bytes>`. Every such body has it.
pub trait CallbackBody:
    http_body::Body<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>> + Send + 'static
{
}

impl<B> CallbackBody for B where
    B: http_body::Body<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>>
        + Send
        + 'static
{
}

/// The answer to one request, made on a clone of the service.
type Answer = Pin<Box<dyn Future<Output = Result<http::Response<Full<Bytes>>, Infallible>> + Send>>;

impl<H: CallbackHandler> CallbackService<H> {
    fn answer<B: CallbackBody>(&self, request: http::Request<B>) -> Answer {
        let service = self.clone();
        Box::pin(async move { Ok(service.handle(request).await) })
    }
}

impl<H: CallbackHandler, B: CallbackBody> hyper::service::Service<http::Request<B>>
    for CallbackService<H>
{
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, request: http::Request<B>) -> Answer {
        self.answer(request)
    }
}

/// The same service for tower (and so for axum's `Router::route_service`
/// and `fallback_service`). It is always ready: every request gets its own
/// clone, bounded by the body timeout and the size cap.
impl<H: CallbackHandler, B: CallbackBody> tower_service::Service<http::Request<B>>
    for CallbackService<H>
{
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Answer {
        self.answer(request)
    }
}
