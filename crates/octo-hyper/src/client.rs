//! The client: one attempt is one exchange on a pooled hyper connection;
//! octo-transport's loop around it follows octo-proto's retry decision.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use octo_proto::machine::{Command, Reply};
use octo_proto::{Config, Error, Operation, TransportError};
use octo_transport::Settings;

use crate::builder::ClientBuilder;
use crate::error::{body_error, request_error, timed_out, too_large};

type Pooled = hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// An OCTO client over hyper's pooled client. Cloning it is cheap and
/// shares the pool.
#[derive(Clone)]
pub struct Client {
    http: Pooled,
    settings: Arc<Settings>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `Config`'s own Debug hides the secret.
        f.debug_struct("Client")
            .field("config", &self.settings.config)
            .field("timeout", &self.settings.timeout)
            .field("retry", &self.settings.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with the default timeouts, retry policy and size cap.
    pub fn new(config: Config) -> Result<Self, TransportError> {
        Self::builder(config).build()
    }

    /// Starts configuring a client.
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder::new(config)
    }

    pub(crate) fn from_parts(http: Pooled, settings: Arc<Settings>) -> Self {
        Self { http, settings }
    }

    /// The shop's config in use.
    pub fn config(&self) -> &Config {
        &self.settings.config
    }

    /// Sends any operation: builds its request, sends it (again, when the
    /// retry policy allows), and parses the answer.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        octo_transport::send_async(
            &self.settings,
            op,
            |request| self.exchange(request),
            tokio::time::sleep,
        )
        .await
    }

    /// Sends a state machine's command with the same timeouts and retries
    /// as [`send`](Self::send), and returns the reply to hand back.
    pub async fn send_command(&self, command: &Command) -> Reply {
        octo_transport::send_command_async(
            &self.settings,
            command,
            |request| self.exchange(request),
            tokio::time::sleep,
        )
        .await
    }

    /// One attempt on a pooled connection, the body read up to the size
    /// cap, all within the whole-attempt timeout.
    async fn exchange(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let request = request.map(Full::new);
        let limit = self.settings.max_response_bytes;
        let whole = async {
            let response = self.http.request(request).await.map_err(request_error)?;
            let (parts, incoming) = response.into_parts();
            let announced = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if announced.is_some_and(|n| n > limit as u64) {
                return Err(too_large(limit));
            }
            let collected = Limited::new(incoming, limit)
                .collect()
                .await
                .map_err(body_error)?;
            Ok(http::Response::from_parts(parts, collected.to_bytes()))
        };
        tokio::time::timeout(self.settings.timeout, whole)
            .await
            .map_err(timed_out)?
    }
}
