//! What a transport supplies: a backend that carries one exchange. The
//! client around it ([`Client`](crate::Client) or
//! [`BlockingClient`](crate::BlockingClient)) does everything else.

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use octo_proto::TransportError;

use crate::settings::Settings;

/// What every backend has, async or blocking: the settings only it takes,
/// and how a client is made from the settings.
pub trait Backend: Sized {
    /// Settings only this backend has (a client you supplied, a pool's idle
    /// timeout); `()` when there are none.
    type Options: Default + Debug;

    /// What [`ClientBuilder::build`](crate::ClientBuilder::build) returns:
    /// the client, or a `Result` with it when setting the backend up can
    /// fail (TLS, a runtime-bound pool).
    type Built;

    /// Sets the backend up for `settings` and wraps it in its client with
    /// [`Client::from_parts`](crate::Client::from_parts) or
    /// [`BlockingClient::from_parts`](crate::BlockingClient::from_parts).
    fn build(settings: Settings, options: Self::Options) -> Self::Built;
}

/// One exchange's result: the status, headers and whole body, or why there
/// is none.
pub type Exchanged<B> = Result<http::Response<B>, TransportError>;

/// An async backend. Its futures are `Send`, so calls can be spawned on a
/// multi-threaded runtime.
pub trait AsyncBackend: Backend + Send + Sync {
    /// One attempt: sends `request` and reads the answer's body, within
    /// `settings.timeout` for the whole attempt and refusing a body larger
    /// than `settings.max_response_bytes` with
    /// [`TransportErrorKind::BodyTooLarge`](octo_proto::TransportErrorKind::BodyTooLarge).
    /// A redirect the backend followed on its own is reported as a
    /// transport error whose source is a
    /// [`RedirectError`](octo_proto::RedirectError).
    fn exchange(
        &self,
        settings: &Settings,
        request: http::Request<Bytes>,
    ) -> impl Future<Output = Exchanged<Bytes>> + Send;

    /// The pause between attempts. The default is tokio's timer.
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

/// A blocking backend: every exchange runs on the calling thread.
pub trait BlockingBackend: Backend {
    /// One attempt, as [`AsyncBackend::exchange`]. The request is borrowed,
    /// so every attempt sends the very same bytes.
    fn exchange(&self, settings: &Settings, request: &http::Request<Vec<u8>>)
    -> Exchanged<Vec<u8>>;

    /// The pause between attempts. The default sleeps this thread.
    fn sleep(duration: Duration) {
        std::thread::sleep(duration);
    }
}
