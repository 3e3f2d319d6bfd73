//! Client settings: timeouts, retries, the response size cap, TLS.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use octo_proto::{Config, TransportError, TransportErrorKind};
use octo_transport::Settings;

use crate::client::Client;

pub use octo_transport::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};

/// Builds a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    settings: Settings,
    pool_idle_timeout: Duration,
}

impl ClientBuilder {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            settings: Settings::new(config),
            pool_idle_timeout: Duration::from_secs(90),
        }
    }

    octo_transport::builder_settings! {
        /// How long establishing a connection may take.
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
        http.set_connect_timeout(Some(self.settings.connect_timeout));
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
        Ok(Client::from_parts(pooled, Arc::new(self.settings)))
    }
}
