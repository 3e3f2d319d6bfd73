//! The backend: one attempt is one exchange on a pooled hyper connection;
//! the client around it (octo-transport's) follows octo-proto's retry
//! decision.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use octo_proto::{TransportError, TransportErrorKind};
use octo_transport::{
    AsyncBackend, Backend, Exchanged, Settings, body_too_large, check_announced_length,
};

use crate::error::{body_error, request_error, timed_out};

type Pooled = hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// An OCTO client over hyper's pooled client. Cloning it is cheap and
/// shares the pool.
pub type Client = octo_transport::Client<HyperBackend>;

/// Builds a [`Client`]; [`HyperBuilderExt`] adds what only hyper has.
pub type ClientBuilder = octo_transport::ClientBuilder<HyperBackend>;

/// Carries the exchanges of a [`Client`] on hyper-util's pooled client.
#[derive(Debug, Clone)]
pub struct HyperBackend {
    http: Pooled,
}

/// The longest wait handed to hyper-util's timer: a century. Its pool adds
/// the idle timeout to the current instant, which panics past what the
/// clock can count (`Duration::MAX`, "keep connections for good").
const LONGEST_WAIT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// What only this backend takes.
#[derive(Debug)]
pub struct HyperOptions {
    pool_idle_timeout: Duration,
}

impl Default for HyperOptions {
    fn default() -> Self {
        Self {
            pool_idle_timeout: Duration::from_secs(90),
        }
    }
}

/// The builder methods only octo-hyper has.
pub trait HyperBuilderExt {
    /// How long an idle pooled connection is kept (default 90 s).
    #[must_use]
    fn pool_idle_timeout(self, timeout: Duration) -> Self;
}

impl HyperBuilderExt for ClientBuilder {
    fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.options_mut().pool_idle_timeout = timeout;
        self
    }
}

impl Backend for HyperBackend {
    type Options = HyperOptions;
    /// Needs no runtime (calls do); fails only when TLS cannot be set up.
    type Built = Result<Client, TransportError>;

    fn build(settings: Settings, options: HyperOptions) -> Self::Built {
        let mut http = HttpConnector::new();
        // The TLS layer decides between http and https.
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.connect_timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let pooled = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(options.pool_idle_timeout.min(LONGEST_WAIT))
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(https);
        Ok(Client::from_parts(Self { http: pooled }, settings))
    }
}

impl AsyncBackend for HyperBackend {
    /// One attempt on a pooled connection, the body read up to the size
    /// cap, all within the whole-attempt timeout.
    async fn exchange(
        &self,
        settings: &Settings,
        request: http::Request<Bytes>,
    ) -> Exchanged<Bytes> {
        let request = request.map(Full::new);
        let limit = settings.max_response_bytes;
        let whole = async {
            let response = self.http.request(request).await.map_err(request_error)?;
            let (parts, incoming) = response.into_parts();
            // The length hyper's decoder read from `Content-Length` (none
            // for a chunked body, or one that runs to the connection's end).
            let announced = http_body::Body::size_hint(&incoming).exact();
            check_announced_length(announced, limit)?;
            let body = match announced {
                // A body of announced length within the cap: its frames are
                // read as they come (still counted against the cap), and one
                // frame, the usual answer, is kept as it is, without the
                // list and the copy of a general collect.
                Some(_) => {
                    let mut incoming = incoming;
                    let mut first = Bytes::new();
                    let mut joined: Option<Vec<u8>> = None;
                    let mut received = 0usize;
                    while let Some(frame) = incoming.frame().await {
                        let frame = frame.map_err(|e| body_error(Box::new(e)))?;
                        let Ok(data) = frame.into_data() else {
                            continue;
                        };
                        received = received.saturating_add(data.len());
                        if received > limit {
                            return Err(body_too_large(limit));
                        }
                        match &mut joined {
                            Some(joined) => joined.extend_from_slice(&data),
                            None if first.is_empty() => first = data,
                            None => {
                                let mut both = Vec::with_capacity(first.len() + data.len());
                                both.extend_from_slice(&first);
                                both.extend_from_slice(&data);
                                joined = Some(both);
                            }
                        }
                    }
                    joined.map_or(first, Bytes::from)
                }
                None => Limited::new(incoming, limit)
                    .collect()
                    .await
                    .map_err(body_error)?
                    .to_bytes(),
            };
            Ok(http::Response::from_parts(parts, body))
        };
        tokio::time::timeout(settings.timeout, whole)
            .await
            .map_err(timed_out)?
    }
}
