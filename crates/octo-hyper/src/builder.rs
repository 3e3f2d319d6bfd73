//! Client settings: timeouts, retries, the response size cap, TLS.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use octo_proto::{Config, RetryPolicy, TransportError, TransportErrorKind};

use crate::client::{Client, Settings};

/// How long establishing a connection may take, by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one attempt may take in all (connect, send, read the whole
/// body), by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest response body accepted, by default: OCTO's answers are a few
/// KiB, so anything near this is not OCTO.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Builds a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    config: Config,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    pool_idle_timeout: Duration,
}

impl ClientBuilder {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pool_idle_timeout: Duration::from_secs(90),
        }
    }

    /// How long establishing a connection may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take in all, body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// When to retry (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// One attempt per call, never a retry.
    pub fn no_retry(self) -> Self {
        self.retry_policy(RetryPolicy::none())
    }

    /// The largest response body accepted; a larger one fails with
    /// [`TransportErrorKind::BodyTooLarge`].
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Builds the client. Needs no runtime; calls do.
    pub fn build(self) -> Result<Client, TransportError> {
        let mut http = HttpConnector::new();
        // The TLS layer decides between http and https.
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let pooled = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(https);
        Ok(Client::from_parts(
            pooled,
            Arc::new(Settings {
                config: self.config,
                timeout: self.timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
            }),
        ))
    }
}
