//! Client settings: timeouts, retries, the response size cap, TLS.

use std::sync::Arc;
use std::time::Duration;

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
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            http: None,
        }
    }

    /// How long establishing a connection may take. Ignored with
    /// [`reqwest_client`](Self::reqwest_client), whose own setting applies.
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

    /// Uses a `reqwest::Client` you configured (proxies, your own TLS
    /// roots) instead of building one. Timeouts per attempt still apply.
    ///
    /// This crate turns reqwest's default crypto provider off, so give the
    /// builder a TLS configuration (`tls_backend_preconfigured` with a
    /// rustls config on ring) or install ring as the process default first;
    /// otherwise reqwest refuses to build.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client; fails only when TLS or reqwest cannot be set up.
    pub fn build(self) -> Result<Client, TransportError> {
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .tls_backend_preconfigured(tls_config()?)
                .build()
                .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?,
        };
        Ok(Client::from_parts(
            http,
            Arc::new(Settings {
                config: self.config,
                timeout: self.timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
            }),
        ))
    }
}

/// rustls with ring and the Mozilla roots: the same stack as octo-ureq and
/// octo-hyper, so the workspace builds one crypto provider.
fn tls_config() -> Result<rustls::ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
