//! Client settings: timeouts, retries, the response size cap, TLS.

use std::sync::Arc;

use octo_proto::{Config, TransportError, TransportErrorKind};
use octo_transport::Settings;

use crate::client::Client;

pub use octo_transport::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};

/// Builds a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    settings: Settings,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            settings: Settings::new(config),
            http: None,
        }
    }

    octo_transport::builder_settings! {
        /// How long establishing a connection may take. Ignored with
        /// [`reqwest_client`](Self::reqwest_client), whose own setting applies.
    }

    /// Uses a `reqwest::Client` you configured (proxies, your own TLS
    /// roots) instead of building one. Timeouts per attempt still apply.
    ///
    /// **The client must not follow redirects**: build it with
    /// `.redirect(reqwest::redirect::Policy::none())`. reqwest's default
    /// policy follows up to ten, and a 307 or 308 sends the whole request
    /// (the shop's secret, card numbers, tokens) again to wherever the
    /// `Location` points. A redirect that comes back unfollowed is refused
    /// with [`Error::Redirect`](octo_proto::Error::Redirect). This client
    /// cannot see a supplied client's policy; it checks afterwards that
    /// the answer came from the address it asked, and when it did not, the
    /// answer is not used and the call fails with the same error marked
    /// `followed` — but by then the request has already gone there.
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
                .connect_timeout(self.settings.connect_timeout)
                // OCTO never redirects; following would resend the body
                // (secret, card data) to another address.
                .redirect(reqwest::redirect::Policy::none())
                .tls_backend_preconfigured(tls_config()?)
                .build()
                .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?,
        };
        Ok(Client::from_parts(http, Arc::new(self.settings)))
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
