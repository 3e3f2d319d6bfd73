//! The client: one attempt is one exchange on a pooled hyper connection;
//! the loop around it follows octo-proto's retry decision.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use octo_proto::machine::{Command, Reply};
use octo_proto::{Config, Error, Operation, RetryDecision, RetryPolicy, TransportError};
use tracing::Instrument;

use crate::builder::ClientBuilder;
use crate::error::{body_error, request_error, timed_out, too_large};
use crate::trace;

type Pooled = hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

pub(crate) struct Settings {
    pub(crate) config: Config,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
}

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
        read: impl Fn(Result<http::Response<Bytes>, TransportError>) -> T,
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
    ) -> Result<http::Response<Bytes>, TransportError> {
        let mut request = http::Request::new(Full::new(body));
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = parts.uri.clone();
        *request.headers_mut() = parts.headers.clone();
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
