//! The backend: one attempt is one reqwest exchange; the client around it
//! (octo-transport's) follows octo-proto's retry decision.

use std::sync::Arc;

use bytes::Bytes;
use octo_proto::{TransportError, TransportErrorKind};
use octo_transport::{
    AsyncBackend, Backend, Exchanged, Settings, body_too_large, check_announced_length,
};

use crate::error::{followed_redirect, transport_error};
use crate::urls::Urls;

/// An OCTO client over reqwest. Cloning it is cheap and shares the
/// connection pool.
pub type Client = octo_transport::Client<ReqwestBackend>;

/// Builds a [`Client`]; [`ReqwestBuilderExt`] adds what only reqwest has.
pub type ClientBuilder = octo_transport::ClientBuilder<ReqwestBackend>;

/// Carries the exchanges of a [`Client`] on a `reqwest::Client`.
#[derive(Debug, Clone)]
pub struct ReqwestBackend {
    http: reqwest::Client,
    urls: Arc<Urls>,
}

/// What only this backend takes: a `reqwest::Client` you configured.
#[derive(Debug, Default)]
pub struct ReqwestOptions {
    http: Option<reqwest::Client>,
}

/// The builder methods only octo-reqwest has.
pub trait ReqwestBuilderExt {
    /// Uses a `reqwest::Client` you configured (proxies, your own TLS
    /// roots) instead of building one. Timeouts per attempt still apply;
    /// the builder's `connect_timeout` does not (the client's own does).
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
    #[must_use]
    fn reqwest_client(self, client: reqwest::Client) -> Self;
}

impl ReqwestBuilderExt for ClientBuilder {
    fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.options_mut().http = Some(client);
        self
    }
}

impl Backend for ReqwestBackend {
    type Options = ReqwestOptions;
    /// Fails only when TLS or reqwest cannot be set up.
    type Built = Result<Client, TransportError>;

    fn build(settings: Settings, options: ReqwestOptions) -> Self::Built {
        let http = match options.http {
            Some(http) => http,
            None => {
                let builder = reqwest::Client::builder()
                    .connect_timeout(settings.connect_timeout)
                    // OCTO never redirects; following would resend the body
                    // (secret, card data) to another address.
                    .redirect(reqwest::redirect::Policy::none())
                    .tls_backend_preconfigured(tls_config()?);
                // reqwest takes proxies from the environment on its own;
                // one asked for a loopback address would reach its own
                // machine, and get the secret in plain HTTP on the way.
                let builder = if settings.config.base_url_is_loopback() {
                    builder.no_proxy()
                } else {
                    builder
                };
                builder
                    .build()
                    .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?
            }
        };
        let urls = Arc::default();
        Ok(Client::from_parts(Self { http, urls }, settings))
    }
}

impl AsyncBackend for ReqwestBackend {
    /// reqwest sends the request, and the body is read up to the size cap.
    async fn exchange(
        &self,
        settings: &Settings,
        request: http::Request<Bytes>,
    ) -> Exchanged<Bytes> {
        // What `reqwest::Request::try_from` does, with the URL from
        // `Urls` (see there) instead of a full parse. octo-proto's requests
        // carry no extensions.
        let (parts, body) = request.into_parts();
        let url = self
            .urls
            .url(&parts.uri)
            .map_err(|e| TransportError::new(TransportErrorKind::InvalidRequest, e))?;
        let mut request = reqwest::Request::new(parts.method, url);
        *request.headers_mut() = parts.headers;
        *request.version_mut() = parts.version;
        *request.body_mut() = Some(body.into());
        *request.timeout_mut() = Some(settings.timeout);
        let asked = request.url().clone();
        let mut response = self.http.execute(request).await.map_err(transport_error)?;
        // A client supplied by the caller may follow redirects on its own;
        // an answer from another address is not OCTO's.
        if response.url() != &asked {
            return Err(followed_redirect(&response));
        }

        let limit = settings.max_response_bytes;
        let announced = response.content_length();
        check_announced_length(announced, limit)?;
        let capacity = announced.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
        let mut body = Vec::with_capacity(capacity);
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(body_too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        let mut out = http::Response::new(Bytes::from(body));
        *out.status_mut() = response.status();
        *out.version_mut() = response.version();
        *out.headers_mut() = std::mem::take(response.headers_mut());
        Ok(out)
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
