//! A hyper service that receives OCTO's callbacks: payment notifications
//! on one path, tokenization callbacks on another. It checks the request
//! head before reading the body, caps the body, verifies and parses with
//! octo-proto, hands the typed callback to your handler, and writes the
//! reply your handler chose. Anything refused gets octo-proto's answer for
//! it (OCTO retries on 4xx and 5xx).
//!
//! The safe order inside the handler: confirm the status with OCTO
//! (`payment_status`) before shipping goods, store a token durably before
//! answering `stored`.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use octo_proto::callback::{
    CallbackLimits, Notification, NotificationReply, SignatureScheme, TokenizationCallback,
    TokenizationReply, VerifiedNotification, check_request_head,
};

/// The default path of payment notifications (`notify_url`).
pub const DEFAULT_NOTIFY_PATH: &str = "/octo/notify";

/// The default path of tokenization callbacks (`bind_notify_url`).
pub const DEFAULT_BIND_NOTIFY_PATH: &str = "/octo/bind_notify";

/// Your side of the callbacks.
pub trait CallbackHandler: Send + Sync + 'static {
    /// A notification whose signature checked out: a hint that the
    /// payment's status changed (its amounts are not signed). Check the
    /// status with OCTO, or hand it to the payment's machine, before
    /// acting; for a held payment (`awaits_decision`) the reply can then
    /// capture or cancel it.
    fn notification(
        &self,
        notification: VerifiedNotification,
    ) -> impl Future<Output = NotificationReply> + Send;

    /// A tokenization callback. Answer `stored` only once the token is
    /// stored durably: OCTO cancels the token after three failed tries.
    fn tokenization(
        &self,
        callback: TokenizationCallback,
    ) -> impl Future<Output = TokenizationReply> + Send;
}

/// The callback service; serve it with hyper (or wrap it in your router).
/// Cloning is cheap.
pub struct CallbackService<H> {
    handler: Arc<H>,
    scheme: Arc<SignatureScheme>,
    limits: CallbackLimits,
    notify_path: Arc<str>,
    bind_notify_path: Arc<str>,
}

impl<H> Clone for CallbackService<H> {
    fn clone(&self) -> Self {
        Self {
            handler: Arc::clone(&self.handler),
            scheme: Arc::clone(&self.scheme),
            limits: self.limits,
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
            notify_path: Arc::from(DEFAULT_NOTIFY_PATH),
            bind_notify_path: Arc::from(DEFAULT_BIND_NOTIFY_PATH),
        }
    }

    /// Serves payment notifications on `path`.
    #[must_use]
    pub fn with_notify_path(mut self, path: &str) -> Self {
        self.notify_path = Arc::from(path);
        self
    }

    /// Serves tokenization callbacks on `path`.
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

    /// Answers one request.
    pub async fn handle<B>(&self, request: http::Request<B>) -> http::Response<Full<Bytes>>
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let path = request.uri().path();
        let notification = path == &*self.notify_path;
        if !notification && path != &*self.bind_notify_path {
            let span = tracing::debug_span!("octo.callback", path = "unknown");
            let _entered = span.enter();
            tracing::debug!("no callback served on this path");
            return status_only(http::StatusCode::NOT_FOUND);
        }
        let kind = if notification {
            "notification"
        } else {
            "tokenization"
        };
        let span = tracing::info_span!("octo.callback", kind, http.status = tracing::field::Empty);
        let response = self.dispatch(request, notification).await;
        span.record("http.status", response.status().as_u16());
        response.map(|body| Full::new(Bytes::from(body)))
    }

    async fn dispatch<B>(
        &self,
        request: http::Request<B>,
        notification: bool,
    ) -> http::Response<Vec<u8>>
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        if let Err(refused) = check_request_head(&parts.method, &parts.headers, &self.limits) {
            return refused.reply();
        }
        let bytes = match Limited::new(body, self.limits.max_body_bytes())
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(error) if error.is::<http_body_util::LengthLimitError>() => {
                return status_vec(http::StatusCode::PAYLOAD_TOO_LARGE);
            }
            // The sender went away or broke the framing; OCTO will retry.
            Err(_) => return status_vec(http::StatusCode::BAD_REQUEST),
        };
        let request = http::Request::from_parts(parts, bytes);
        if notification {
            match Notification::parse_verified(&request, &self.scheme, &self.limits) {
                Ok(parsed) => self.handler.notification(parsed).await.to_response(),
                Err(refused) => refused.reply(),
            }
        } else {
            match TokenizationCallback::parse(&request, &self.limits) {
                Ok(parsed) => self.handler.tokenization(parsed).await.to_response(),
                Err(refused) => refused.reply(),
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

impl<H, B> hyper::service::Service<http::Request<B>> for CallbackService<H>
where
    H: CallbackHandler,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: http::Request<B>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move { Ok(service.handle(request).await) })
    }
}
