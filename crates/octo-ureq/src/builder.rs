//! Client settings: timeouts, retries, the response size cap.

use std::sync::Arc;

use octo_proto::Config;
use octo_transport::Settings;

use crate::client::Client;

pub use octo_transport::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};

/// Builds a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    settings: Settings,
}

impl ClientBuilder {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            settings: Settings::new(config),
        }
    }

    octo_transport::builder_settings! {
        /// How long establishing a connection may take.
    }

    /// Builds the client. ureq's agent keeps idle connections for reuse;
    /// TLS is rustls with ring and the Mozilla roots.
    pub fn build(self) -> Client {
        let agent_config = ureq::Agent::config_builder()
            .timeout_connect(Some(self.settings.connect_timeout))
            .timeout_global(Some(self.settings.timeout))
            // OCTO's errors come with 4xx/5xx bodies that octo-proto reads;
            // they must reach it as responses, not as ureq errors.
            .http_status_as_error(false)
            // A redirect is not part of OCTO's API; following one would
            // resend a body holding the shop's secret somewhere else.
            .max_redirects(0)
            .build();
        Client::from_parts(
            ureq::Agent::new_with_config(agent_config),
            Arc::new(self.settings),
        )
    }
}
