//! The client: one attempt is one ureq exchange on the calling thread; the
//! loop around it (octo-transport's) follows octo-proto's retry decision.

use std::sync::Arc;

use octo_proto::machine::{Command, Reply};
use octo_proto::{Config, Error, Operation, TransportError};
use octo_transport::Settings;

use crate::builder::ClientBuilder;
use crate::error::transport_error;

/// A blocking OCTO client over ureq. Cloning it is cheap and shares the
/// connection pool.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    settings: Arc<Settings>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `Config`'s own Debug hides the secret.
        f.debug_struct("Client")
            .field("config", &self.settings.config)
            .field("retry", &self.settings.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with the default timeouts, retry policy and size cap.
    pub fn new(config: Config) -> Self {
        Self::builder(config).build()
    }

    /// Starts configuring a client.
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder::new(config)
    }

    pub(crate) fn from_parts(agent: ureq::Agent, settings: Arc<Settings>) -> Self {
        Self { agent, settings }
    }

    /// The shop's config in use.
    pub fn config(&self) -> &Config {
        &self.settings.config
    }

    /// Sends any operation: builds its request, sends it (again, when the
    /// retry policy allows, sleeping on this thread in between), and parses
    /// the answer.
    pub fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        octo_transport::send_blocking(
            &self.settings,
            op,
            |request| self.exchange(request),
            std::thread::sleep,
        )
    }

    /// Sends a state machine's command with the same timeouts and retries
    /// as [`send`](Self::send), and returns the reply to hand back.
    pub fn send_command(&self, command: &Command) -> Reply {
        octo_transport::send_command_blocking(
            &self.settings,
            command,
            |request| self.exchange(request),
            std::thread::sleep,
        )
    }

    /// One exchange. The request is borrowed, so every attempt sends the
    /// very same bytes and the idempotency key cannot drift.
    fn exchange(
        &self,
        request: &http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let mut outgoing = http::Request::new(request.body().as_slice());
        *outgoing.method_mut() = request.method().clone();
        *outgoing.uri_mut() = request.uri().clone();
        *outgoing.headers_mut() = request.headers().clone();
        let response = self.agent.run(outgoing).map_err(transport_error)?;
        let (parts, mut body) = response.into_parts();
        let limit = u64::try_from(self.settings.max_response_bytes).unwrap_or(u64::MAX);
        let bytes = body
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(transport_error)?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}
