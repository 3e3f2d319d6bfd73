//! The builder of both clients: the settings every backend takes, and the
//! backend's own options.

use std::time::Duration;

use octo_proto::{Config, RetryPolicy};

use crate::backend::Backend;
use crate::settings::Settings;

/// Builds a client over backend `B`. The transports name it for their
/// backend (`octo_reqwest::ClientBuilder`, ...).
#[must_use]
pub struct ClientBuilder<B: Backend> {
    settings: Settings,
    options: B::Options,
}

impl<B: Backend> std::fmt::Debug for ClientBuilder<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `Settings` prints no secret.
        f.debug_struct("ClientBuilder")
            .field("settings", &self.settings)
            .field("options", &self.options)
            .finish()
    }
}

impl<B: Backend> ClientBuilder<B> {
    /// `config` with the default timeouts, retry policy and size cap.
    pub fn new(config: Config) -> Self {
        Self {
            settings: Settings::new(config),
            options: B::Options::default(),
        }
    }

    /// How long establishing a connection may take. A backend given a
    /// ready-made HTTP client of its library uses that client's own setting.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take in all, body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// When to retry (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// One attempt per call, never a retry.
    pub fn no_retry(self) -> Self {
        self.retry_policy(RetryPolicy::none())
    }

    /// The largest response body accepted; a larger one fails with
    /// [`TransportErrorKind::BodyTooLarge`](octo_proto::TransportErrorKind::BodyTooLarge).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.settings.max_response_bytes = limit;
        self
    }

    /// The settings so far.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The backend's own options, to change; the transports wrap this in
    /// named methods (`reqwest_client`, `pool_idle_timeout`).
    pub fn options_mut(&mut self) -> &mut B::Options {
        &mut self.options
    }

    /// Builds the client (see [`Backend::Built`]).
    pub fn build(self) -> B::Built {
        B::build(self.settings, self.options)
    }
}
