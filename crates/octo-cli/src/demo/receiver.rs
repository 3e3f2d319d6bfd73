//! The shop's side of OCTO's callbacks during the demo: a loopback HTTP
//! server running octo-hyper's `CallbackService` (which verifies payment
//! notifications and reads tokenization callbacks with octo-proto), keeping
//! what arrived for the scenarios to wait on.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use octo_proto::callback::{
    NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
    VerifiedNotification,
};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
use octo_hyper::{CallbackHandler, CallbackService};

/// One callback as the shop's server saw it.
#[derive(Debug, Clone)]
pub enum Arrival {
    /// A payment notification whose signature checked out: a hint that the
    /// payment's status changed, which the scenarios confirm with OCTO.
    Notification(Box<VerifiedNotification>),
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

/// The running receiver; stops when dropped.
pub struct Receiver {
    addr: SocketAddr,
    inbox: Arc<Inbox>,
    task: JoinHandle<()>,
}

impl Receiver {
    /// Listens on a free loopback port and verifies notifications with
    /// `scheme`. Must run inside the runtime that will serve it.
    pub async fn start(scheme: SignatureScheme) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let inbox = Arc::new(Inbox::default());
        let service = CallbackService::new(
            DemoShop {
                inbox: Arc::clone(&inbox),
            },
            scheme,
        );
        let task = tokio::spawn(accept_loop(listener, service, Arc::clone(&inbox)));
        Ok(Self { addr, inbox, task })
    }

    /// The URL to give OCTO as `notify_url`.
    pub fn notify_url(&self) -> String {
        format!("http://{}{DEFAULT_NOTIFY_PATH}", self.addr)
    }

    /// The URL to give OCTO as `bind_notify_url`.
    pub fn bind_notify_url(&self) -> String {
        format!("http://{}{DEFAULT_BIND_NOTIFY_PATH}", self.addr)
    }

    /// Blocks until an arrival at `from` or later that `pick` accepts is
    /// there (looking at what was received so far, then at what comes), or
    /// `timeout` passes; the arrival's index and what `pick` made of it.
    /// Called from the demo's thread, never from the runtime.
    pub fn wait_from<T>(
        &self,
        from: usize,
        timeout: Duration,
        pick: impl Fn(&Arrival) -> Option<T>,
    ) -> Option<(usize, T)> {
        let deadline = Instant::now() + timeout;
        let inbox = &self.inbox;
        let mut arrivals = inbox
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            let found = arrivals
                .iter()
                .enumerate()
                .skip(from)
                .find_map(|(index, arrival)| pick(arrival).map(|found| (index, found)));
            if found.is_some() {
                return found;
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
        self.inbox
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

/// The demo shop's side of the callbacks: keep what arrived, answer as a
/// shop does.
struct DemoShop {
    inbox: Arc<Inbox>,
}

impl CallbackHandler for DemoShop {
    async fn notification(&self, notification: VerifiedNotification) -> NotificationReply {
        self.inbox
            .push(Arrival::Notification(Box::new(notification)));
        // No decision in the reply: a notification is only a hint, so the
        // demo asks OCTO for the status first and then captures or cancels
        // with set_accept, so that every step shows as a call.
        NotificationReply::acknowledge()
    }

    async fn tokenization(&self, callback: TokenizationCallback) -> TokenizationReply {
        self.inbox.push(Arrival::Tokenization(callback));
        // The demo keeps the token in memory for the next scenarios; a shop
        // answers this only once the token is stored durably.
        TokenizationReply::stored("token stored")
    }
}

async fn accept_loop(listener: TcpListener, service: CallbackService<DemoShop>, inbox: Arc<Inbox>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: wait a little rather than spin.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let service = service.clone();
        let inbox = Arc::clone(&inbox);
        tokio::spawn(async move {
            let serve = service_fn(move |request: http::Request<Incoming>| {
                let service = service.clone();
                let inbox = Arc::clone(&inbox);
                async move {
                    let what = request.uri().path().to_owned();
                    let response = service.handle(request).await;
                    // octo-hyper answers a refused callback itself (bad
                    // signature, not JSON…); the demo counts those.
                    if !response.status().is_success() {
                        inbox.push(Arrival::Refused(format!(
                            "{what} answered {}",
                            response.status()
                        )));
                    }
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), serve)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use octo_proto::callback::Notification;
    use octo_proto::{NotificationKey, PaymentStatus};
    use std::io::{Read, Write};

    /// Posts `body` to `path` over a plain socket; the status line.
    fn post(addr: SocketAddr, path: &str, body: &str) -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.lines().next().unwrap_or_default().to_owned()
    }

    #[test]
    fn keeps_genuine_notifications_and_counts_forged_ones() {
        let runtime = crate::backend::runtime().unwrap();
        let key = SignatureScheme::UniqueKey(NotificationKey::new("demo-key"));
        let receiver = runtime.block_on(Receiver::start(key.clone())).unwrap();
        let genuine = Notification::new(
            "o-1".parse().unwrap(),
            "u-1".parse().unwrap(),
            PaymentStatus::Succeeded,
        )
        .sign(&key, "salt");
        let body = serde_json::Value::Object(genuine.to_json()).to_string();
        assert!(post(receiver.addr, DEFAULT_NOTIFY_PATH, &body).contains("200"));
        let forged = body.replace("succeeded", "canceled");
        assert!(post(receiver.addr, DEFAULT_NOTIFY_PATH, &forged).contains("401"));
        let found = receiver.wait_from(0, Duration::from_secs(5), |a| match a {
            Arrival::Notification(n) => Some(n.status.clone()),
            _ => None,
        });
        assert_eq!(found, Some((0, PaymentStatus::Succeeded)));
        // Nothing verified after the first arrival.
        let later = receiver.wait_from(1, Duration::from_millis(50), |a| match a {
            Arrival::Notification(n) => Some(n.status.clone()),
            _ => None,
        });
        assert_eq!(later, None);
        let arrivals = receiver.arrivals();
        assert_eq!(arrivals.len(), 2, "{arrivals:?}");
        assert!(matches!(arrivals.get(1), Some(Arrival::Refused(_))));
    }
}
