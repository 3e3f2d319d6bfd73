//! The client: one attempt is one reqwest exchange; octo-transport's loop
//! around it follows octo-proto's retry decision.

use std::sync::Arc;

use bytes::Bytes;
use octo_proto::machine::{Command, Reply};
use octo_proto::{Config, Error, Operation, TransportError};
use octo_transport::Settings;

use crate::builder::ClientBuilder;
use crate::error::{followed_redirect, too_large, transport_error};

/// An OCTO client over reqwest. Cloning it is cheap and shares the
/// connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
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

    pub(crate) fn from_parts(http: reqwest::Client, settings: Arc<Settings>) -> Self {
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

    /// One attempt: reqwest sends the request, and the body is read up to
    /// the size cap.
    async fn exchange(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let mut request = reqwest::Request::try_from(request).map_err(transport_error)?;
        *request.timeout_mut() = Some(self.settings.timeout);
        let asked = request.url().clone();
        let mut response = self.http.execute(request).await.map_err(transport_error)?;
        // A client supplied by the caller may follow redirects on its own;
        // an answer from another address is not OCTO's.
        if response.url() != &asked {
            return Err(followed_redirect(&response));
        }

        let limit = self.settings.max_response_bytes;
        let announced = response.content_length();
        if announced.is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
        let capacity = announced.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
        let mut body = Vec::with_capacity(capacity);
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        let mut out = http::Response::new(body);
        *out.status_mut() = response.status();
        *out.version_mut() = response.version();
        *out.headers_mut() = std::mem::take(response.headers_mut());
        Ok(out)
    }
}
