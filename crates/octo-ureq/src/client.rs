//! The client: one attempt is one ureq exchange on the calling thread; the
//! loop around it follows octo-proto's retry decision.

use std::sync::Arc;
use std::time::Instant;

use octo_proto::machine::{Command, Reply};
use octo_proto::{Config, Error, Operation, RetryDecision, RetryPolicy, TransportError};

use crate::builder::ClientBuilder;
use crate::error::transport_error;
use crate::trace;

pub(crate) struct Settings {
    pub(crate) config: Config,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
}

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
        let _call = trace::call_span(op).entered();
        let request = op.build_request(&self.settings.config)?;
        self.with_retries(
            &request,
            op.is_idempotent(),
            |exchanged| {
                exchanged
                    .map_err(Error::Transport)
                    .and_then(|r| op.parse_response(&r))
            },
            |result| result.as_ref().err(),
        )
    }

    /// Sends a state machine's command with the same timeouts and retries
    /// as [`send`](Self::send), and returns the reply to hand back.
    pub fn send_command(&self, command: &Command) -> Reply {
        let _call = trace::command_span(command).entered();
        let request = match command.build_request(&self.settings.config) {
            Ok(request) => request,
            Err(error) => return command.fail(error),
        };
        self.with_retries(
            &request,
            command.is_idempotent(),
            |exchanged| match exchanged {
                Ok(response) => command.parse_response(&response),
                Err(error) => command.fail(Error::Transport(error)),
            },
            Reply::error,
        )
    }

    /// The attempt loop: `read` turns one exchange into a result, `failed`
    /// finds the error in it, and octo-proto's policy decides what next.
    fn with_retries<T>(
        &self,
        request: &http::Request<Vec<u8>>,
        idempotent: bool,
        read: impl Fn(Result<http::Response<Vec<u8>>, TransportError>) -> T,
        failed: impl Fn(&T) -> Option<&Error>,
    ) -> T {
        let mut attempt = 1;
        loop {
            let span = trace::attempt_span(attempt);
            let started = Instant::now();
            let exchanged = span.in_scope(|| self.exchange(request));
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
                    std::thread::sleep(delay);
                    attempt += 1;
                }
            }
        }
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
