//! Client settings: timeouts, retries, the response size cap.

use std::sync::Arc;
use std::time::Duration;

use octo_proto::{Config, RetryPolicy};

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
}

impl ClientBuilder {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
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
    /// [`TransportErrorKind::BodyTooLarge`](octo_proto::TransportErrorKind::BodyTooLarge).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Builds the client. ureq's agent keeps idle connections for reuse;
    /// TLS is rustls with ring and the Mozilla roots.
    pub fn build(self) -> Client {
        let agent_config = ureq::Agent::config_builder()
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            // OCTO's errors come with 4xx/5xx bodies that octo-proto reads;
            // they must reach it as responses, not as ureq errors.
            .http_status_as_error(false)
            // A redirect is not part of OCTO's API; following one would
            // resend a body holding the shop's secret somewhere else.
            .max_redirects(0)
            .build();
        Client::from_parts(
            ureq::Agent::new_with_config(agent_config),
            Arc::new(Settings {
                config: self.config,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
            }),
        )
    }
}
