//! The client: one attempt is one reqwest exchange; the loop around it
//! follows octo-proto's retry decision.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use octo_proto::{Config, Error, Operation, RetryDecision, RetryPolicy, TransportError};
use tracing::Instrument;

use crate::builder::ClientBuilder;
use crate::error::{too_large, transport_error};
use crate::trace;

pub(crate) struct Settings {
    pub(crate) config: Config,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
}

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
        let span = trace::call_span(op);
        async {
            let request = op.build_request(&self.settings.config)?;
            self.send_request(op, request).await
        }
        .instrument(span)
        .await
    }

    async fn send_request<O: Operation>(
        &self,
        op: &O,
        request: http::Request<Vec<u8>>,
    ) -> Result<O::Output, Error> {
        let (parts, body) = request.into_parts();
        // Every attempt sends these very bytes, so the idempotency key
        // cannot drift between attempts.
        let body = Bytes::from(body);
        let idempotent = op.is_idempotent();
        let mut attempt = 1;
        loop {
            let span = trace::attempt_span(attempt);
            let started = Instant::now();
            let exchanged = self
                .exchange(&parts, body.clone())
                .instrument(span.clone())
                .await;
            let result = match exchanged {
                Ok(response) => {
                    span.record("http.status", response.status().as_u16());
                    op.parse_response(&response)
                }
                Err(e) => Err(Error::Transport(e)),
            };
            span.record("elapsed_ms", trace::elapsed_ms(started));
            let error = match result {
                Ok(output) => return Ok(output),
                Err(error) => error,
            };
            match self.settings.retry.decide(idempotent, &error, attempt) {
                RetryDecision::Stop => return Err(error),
                RetryDecision::RetryAfter(delay) => {
                    tracing::debug!(parent: &span, %error, ?delay, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn exchange(
        &self,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let mut request = http::Request::new(body);
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = parts.uri.clone();
        *request.headers_mut() = parts.headers.clone();
        let mut request = reqwest::Request::try_from(request).map_err(transport_error)?;
        *request.timeout_mut() = Some(self.settings.timeout);
        let mut response = self.http.execute(request).await.map_err(transport_error)?;

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
