//! The backend: one attempt is one ureq exchange on the calling thread;
//! the client around it (octo-transport's) follows octo-proto's retry
//! decision.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use octo_proto::TransportErrorKind;
use octo_transport::{Backend, BlockingBackend, Exchanged, Settings};
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::DefaultConnector;

use crate::addresses::{AddressBook, DEFAULT_ADDRESS_TTL, Shared};
use crate::error::transport_error;

/// A blocking OCTO client over ureq. Cloning it is cheap and shares the
/// connection pool.
pub type Client = octo_transport::BlockingClient<UreqBackend>;

/// Builds a [`Client`].
pub type ClientBuilder = octo_transport::ClientBuilder<UreqBackend>;

/// Carries the exchanges of a [`Client`] on a `ureq::Agent`.
#[derive(Debug, Clone)]
pub struct UreqBackend {
    agent: ureq::Agent,
    addresses: Arc<AddressBook>,
}

/// What only this backend takes.
#[derive(Debug)]
pub struct UreqOptions {
    address_ttl: Duration,
}

impl Default for UreqOptions {
    fn default() -> Self {
        Self {
            address_ttl: DEFAULT_ADDRESS_TTL,
        }
    }
}

/// The builder methods only octo-ureq has.
pub trait UreqBuilderExt {
    /// How long the addresses of OCTO's host name are used before it is
    /// looked up again (default 60 s; zero looks it up on every call, as
    /// ureq alone does). A host whose connection fails is looked up again
    /// on the next attempt whatever this says; an IP address in the base
    /// URL is never looked up.
    #[must_use]
    fn address_ttl(self, ttl: Duration) -> Self;
}

impl UreqBuilderExt for ClientBuilder {
    fn address_ttl(mut self, ttl: Duration) -> Self {
        self.options_mut().address_ttl = ttl;
        self
    }
}

impl Backend for UreqBackend {
    type Options = UreqOptions;
    /// Setting ureq up cannot fail, so the client itself.
    type Built = Client;

    /// ureq's agent keeps idle connections for reuse; TLS is rustls with
    /// ring and the Mozilla roots; host names are looked up through an
    /// address book that keeps their addresses (see
    /// [`UreqBuilderExt::address_ttl`]).
    fn build(settings: Settings, options: UreqOptions) -> Client {
        let agent_config = ureq::Agent::config_builder();
        // ureq takes a proxy from the environment on its own; one asked
        // for a loopback address would reach its own machine, and get the
        // secret in plain HTTP on the way.
        let agent_config = if settings.config.base_url_is_loopback() {
            agent_config.proxy(None)
        } else {
            agent_config
        };
        let agent_config = agent_config
            .timeout_connect(Some(countable(settings.connect_timeout)))
            .timeout_global(Some(countable(settings.timeout)))
            // OCTO's errors come with 4xx/5xx bodies that octo-proto reads;
            // they must reach it as responses, not as ureq errors.
            .http_status_as_error(false)
            // A redirect is not part of OCTO's API; following one would
            // resend a body holding the shop's secret somewhere else.
            .max_redirects(0)
            .build();
        let addresses = Arc::new(AddressBook::new(
            DefaultResolver::default(),
            options.address_ttl,
        ));
        let agent = ureq::Agent::with_parts(
            agent_config,
            DefaultConnector::default(),
            Shared(addresses.clone()),
        );
        Client::from_parts(Self { agent, addresses }, settings)
    }
}

/// The longest wait handed to ureq: a century.
const LONGEST_WAIT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// `wait`, cut to [`LONGEST_WAIT`]. ureq adds each timeout to the current
/// instant, which panics past what the clock can count, so a timeout such
/// as `Duration::MAX` ("as long as it takes") becomes a century instead.
fn countable(wait: Duration) -> Duration {
    wait.min(LONGEST_WAIT)
}

impl BlockingBackend for UreqBackend {
    /// One exchange, the body read up to the size cap.
    fn exchange(
        &self,
        settings: &Settings,
        request: &http::Request<Vec<u8>>,
    ) -> Exchanged<Vec<u8>> {
        let mut outgoing = http::Request::new(request.body().as_slice());
        *outgoing.method_mut() = request.method().clone();
        *outgoing.uri_mut() = request.uri().clone();
        *outgoing.headers_mut() = request.headers().clone();
        let response = self.agent.run(outgoing).map_err(|e| {
            let e = transport_error(e);
            if e.kind == TransportErrorKind::Connect {
                // The host may have moved: look it up again next time.
                self.addresses.forget(request.uri());
            }
            e
        })?;
        let (parts, mut body) = response.into_parts();
        let cap = settings.max_response_bytes;
        // A body that announces its length (within the cap) is read into a
        // buffer of that size: one allocation, where reading into an empty
        // one regrows it several times on the way.
        let announced = body
            .content_length()
            .and_then(|n| usize::try_from(n).ok())
            .map_or(0, |n| n.min(cap));
        let mut bytes = Vec::with_capacity(announced);
        let limit = u64::try_from(cap).unwrap_or(u64::MAX);
        body.with_config()
            .limit(limit)
            .reader()
            .read_to_end(&mut bytes)
            // ureq wraps its own errors (the cap among them) in the reader's
            // `io::Error`; `From` takes them back out.
            .map_err(|e| transport_error(ureq::Error::from(e)))?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}
