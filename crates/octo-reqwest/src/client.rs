//! The client: one attempt is one reqwest exchange; the loop around it
//! follows octo-proto's retry decision.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use octo_proto::machine::{Command, Reply};
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
        self.with_retries(
            request,
            op.is_idempotent(),
            |exchanged| {
                exchanged
                    .map_err(Error::Transport)
                    .and_then(|r| op.parse_response(&r))
            },
            |result| result.as_ref().err(),
        )
        .await
    }

    /// Sends a state machine's command with the same timeouts and retries
    /// as [`send`](Self::send), and returns the reply to hand back.
    pub async fn send_command(&self, command: &Command) -> Reply {
        let span = trace::command_span(command);
        async {
            let request = match command.build_request(&self.settings.config) {
                Ok(request) => request,
                Err(error) => return command.fail(error),
            };
            self.with_retries(
                request,
                command.is_idempotent(),
                |exchanged| match exchanged {
                    Ok(response) => command.parse_response(&response),
                    Err(error) => command.fail(Error::Transport(error)),
                },
                Reply::error,
            )
            .await
        }
        .instrument(span)
        .await
    }

    /// The attempt loop: `read` turns one exchange into a result, `failed`
    /// finds the error in it, and octo-proto's policy decides what next.
    async fn with_retries<T>(
        &self,
        request: http::Request<Vec<u8>>,
        idempotent: bool,
        read: impl Fn(Result<http::Response<Vec<u8>>, TransportError>) -> T,
        failed: impl Fn(&T) -> Option<&Error>,
    ) -> T {
        let (parts, body) = request.into_parts();
        // Every attempt sends these very bytes, so the idempotency key
        // cannot drift between attempts.
        let body = Bytes::from(body);
        let mut attempt = 1;
        loop {
            let span = trace::attempt_span(attempt);
            let started = Instant::now();
            let exchanged = self
                .exchange(&parts, body.clone())
                .instrument(span.clone())
                .await;
            if let Ok(response) = &exchanged {
                span.record("http.status", response.status().as_u16());
            }
            let result = read(exchanged);
            span.record("elapsed_ms", trace::elapsed_ms(started));
            let Some(error) = failed(&result) else {
                return result;
            };
            match self.settings.retry.decide(idempotent, error, attempt) {
                RetryDecision::Stop => return result,
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
