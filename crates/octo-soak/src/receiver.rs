//! The shop's callback endpoint on loopback: notifications are verified,
//! then only trigger a status check whose answer the shop records;
//! tokenization callbacks leave an unconfirmed token.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use octo_proto::callback::{
    CallbackLimits, Notification, NotificationReply, SignatureScheme, TokenizationCallback,
    TokenizationReply,
};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::shop::Shop;

/// Where notifications go.
pub const NOTIFY_PATH: &str = "/octo/notify";
/// Where tokenization callbacks go.
pub const BIND_PATH: &str = "/octo/bind";

/// How long reading a callback's body may take.
const READ_LIMIT: Duration = Duration::from_secs(5);

/// A running endpoint; dropping the stop sender ends it.
#[derive(Debug)]
pub struct Receiver {
    /// Its address (127.0.0.1).
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
}

impl Receiver {
    /// Starts serving on a free loopback port.
    pub async fn start(shop: Arc<Shop>, scheme: SignatureScheme) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let scheme = Arc::new(scheme);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    a = listener.accept() => a,
                    _ = stopped.changed() => return,
                };
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let (shop, scheme) = (Arc::clone(&shop), Arc::clone(&scheme));
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let (shop, scheme) = (Arc::clone(&shop), Arc::clone(&scheme));
                        async move { Ok::<_, Infallible>(handle(&shop, &scheme, request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { addr, stop })
    }

    /// The `notify_url` to give OCTO.
    pub fn notify_url(&self) -> String {
        format!("http://{}{NOTIFY_PATH}", self.addr)
    }

    /// The `bind_notify_url` to give OCTO.
    pub fn bind_url(&self) -> String {
        format!("http://{}{BIND_PATH}", self.addr)
    }

    /// Stops accepting.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

fn to_hyper(response: http::Response<Vec<u8>>) -> http::Response<Full<Bytes>> {
    response.map(|b| Full::new(Bytes::from(b)))
}

async fn handle(
    shop: &Shop,
    scheme: &SignatureScheme,
    request: http::Request<Incoming>,
) -> http::Response<Full<Bytes>> {
    let limits = CallbackLimits::default();
    let (parts, body) = request.into_parts();
    let read = Limited::new(body, limits.max_body_bytes()).collect();
    let bytes = match tokio::time::timeout(READ_LIMIT, read).await {
        Ok(Ok(c)) => c.to_bytes().to_vec(),
        _ => {
            return to_hyper(
                NotificationReply::reject(StatusCode::BAD_REQUEST, "body not read").to_response(),
            );
        }
    };
    let request = http::Request::from_parts(parts, bytes);
    match request.uri().path() {
        NOTIFY_PATH => to_hyper(
            notification(shop, scheme, &limits, &request)
                .await
                .to_response(),
        ),
        BIND_PATH => to_hyper(tokenization(shop, &limits, &request)),
        _ => to_hyper(
            NotificationReply::reject(StatusCode::NOT_FOUND, "no such callback").to_response(),
        ),
    }
}

/// Verify, ask OCTO, record OCTO's answer, then reply. A held payment is
/// acknowledged without a decision: the shop decides with `set_accept`.
async fn notification(
    shop: &Shop,
    scheme: &SignatureScheme,
    limits: &CallbackLimits,
    request: &http::Request<Vec<u8>>,
) -> NotificationReply {
    let verified = match Notification::parse_verified(request, scheme, limits) {
        Ok(n) => n,
        Err(refused) => {
            shop.activity
                .refused_notifications
                .fetch_add(1, Ordering::Relaxed);
            return NotificationReply::reject(refused.status(), refused.to_string());
        }
    };
    shop.activity.notifications.fetch_add(1, Ordering::Relaxed);
    let id = verified.shop_transaction_id.clone();
    let Some(order) = shop.order(id.as_str()) else {
        // Not one of ours (or not yet recorded): OCTO will send it again.
        return NotificationReply::acknowledge();
    };
    if order
        .uuid
        .as_ref()
        .is_some_and(|u| u != &verified.octo_payment_uuid)
    {
        return NotificationReply::reject(StatusCode::CONFLICT, "payment id mismatch");
    }
    let Some(checker) = shop.checker() else {
        return NotificationReply::reject(StatusCode::SERVICE_UNAVAILABLE, "no client");
    };
    match shop.check(checker, &id, 3).await {
        Ok(p) if p.octo_payment_uuid == verified.octo_payment_uuid => {
            shop.learn_payment(id.as_str(), &p);
            NotificationReply::acknowledge()
        }
        Ok(_) => NotificationReply::reject(StatusCode::CONFLICT, "payment id mismatch"),
        Err(_) => NotificationReply::reject(StatusCode::SERVICE_UNAVAILABLE, "status check failed"),
    }
}

fn tokenization(
    shop: &Shop,
    limits: &CallbackLimits,
    request: &http::Request<Vec<u8>>,
) -> http::Response<Vec<u8>> {
    let callback = match TokenizationCallback::parse(request, limits) {
        Ok(c) => c,
        Err(refused) => return refused.reply(),
    };
    shop.activity.tokenizations.fetch_add(1, Ordering::Relaxed);
    if let Some(token) = callback.token() {
        shop.keep_token(callback.shop_transaction_id.as_str(), token.clone());
    }
    TokenizationReply::stored("token kept").to_response()
}
