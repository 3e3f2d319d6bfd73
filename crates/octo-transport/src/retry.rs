//! The attempt loop around one exchange, blocking and async. The backend
//! supplies the exchange and the sleep; octo-proto's policy decides whether
//! another attempt follows.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use octo_proto::machine::{Command, Reply};
use octo_proto::{Error, Operation, RedirectError, RetryDecision, RetryPolicy, TransportError};
use tracing::Instrument;

use crate::settings::Settings;
use crate::trace;

type Exchanged<B> = Result<http::Response<B>, TransportError>;

/// Sends `op` with `settings`: builds its request, hands it to `exchange`
/// (again, when the retry policy allows, calling `sleep` in between) and
/// parses the answer. The whole call runs in an `octo.call` span, each
/// attempt in an `octo.attempt` span.
///
/// Every attempt gets the very same request, so the idempotency key cannot
/// drift between attempts.
pub(crate) fn send_blocking<O, B>(
    settings: &Settings,
    op: &O,
    exchange: impl FnMut(&http::Request<Vec<u8>>) -> Exchanged<B>,
    sleep: impl FnMut(Duration),
) -> Result<O::Output, Error>
where
    O: Operation,
    B: AsRef<[u8]>,
{
    let _call = trace::call_span(op).entered();
    let request = op.build_request(&settings.config)?;
    with_retries_blocking(
        &settings.retry,
        &request,
        op.is_idempotent(),
        exchange,
        |exchanged| {
            exchanged
                .map_err(exchange_failure)
                .and_then(|r| op.parse_response(&r))
        },
        |result| result.as_ref().err(),
        sleep,
    )
}

/// Sends a state machine's command like [`send_blocking`], and returns the
/// reply to hand back to the machine.
pub(crate) fn send_command_blocking<B>(
    settings: &Settings,
    command: &Command,
    exchange: impl FnMut(&http::Request<Vec<u8>>) -> Exchanged<B>,
    sleep: impl FnMut(Duration),
) -> Reply
where
    B: AsRef<[u8]>,
{
    let _call = trace::command_span(command).entered();
    let request = match command.build_request(&settings.config) {
        Ok(request) => request,
        Err(error) => return command.fail(error),
    };
    with_retries_blocking(
        &settings.retry,
        &request,
        command.is_idempotent(),
        exchange,
        |exchanged| match exchanged {
            Ok(response) => command.parse_response(&response),
            Err(error) => command.fail(exchange_failure(error)),
        },
        Reply::error,
        sleep,
    )
}

/// Sends `op` with `settings`, like [`send_blocking`] but awaiting each
/// exchange and each pause. `exchange` gets a fresh request per attempt
/// whose body shares the same bytes, so the idempotency key cannot drift.
pub(crate) async fn send_async<O, B, F, S>(
    settings: &Settings,
    op: &O,
    exchange: impl Fn(http::Request<Bytes>) -> F,
    sleep: impl Fn(Duration) -> S,
) -> Result<O::Output, Error>
where
    O: Operation,
    B: AsRef<[u8]>,
    F: Future<Output = Exchanged<B>>,
    S: Future<Output = ()>,
{
    let span = trace::call_span(op);
    async {
        let request = op.build_request(&settings.config)?;
        with_retries_async(
            &settings.retry,
            request,
            op.is_idempotent(),
            exchange,
            |exchanged| {
                exchanged
                    .map_err(exchange_failure)
                    .and_then(|r| op.parse_response(&r))
            },
            |result| result.as_ref().err(),
            sleep,
        )
        .await
    }
    .instrument(span)
    .await
}

/// Sends a state machine's command like [`send_async`], and returns the
/// reply to hand back to the machine.
pub(crate) async fn send_command_async<B, F, S>(
    settings: &Settings,
    command: &Command,
    exchange: impl Fn(http::Request<Bytes>) -> F,
    sleep: impl Fn(Duration) -> S,
) -> Reply
where
    B: AsRef<[u8]>,
    F: Future<Output = Exchanged<B>>,
    S: Future<Output = ()>,
{
    let span = trace::command_span(command);
    async {
        let request = match command.build_request(&settings.config) {
            Ok(request) => request,
            Err(error) => return command.fail(error),
        };
        with_retries_async(
            &settings.retry,
            request,
            command.is_idempotent(),
            exchange,
            |exchanged| match exchanged {
                Ok(response) => command.parse_response(&response),
                Err(error) => command.fail(exchange_failure(error)),
            },
            Reply::error,
            sleep,
        )
        .await
    }
    .instrument(span)
    .await
}

/// A failed exchange as the call's error. A backend that found its client
/// had followed a redirect reports it as a transport error whose source is
/// the [`RedirectError`]; it becomes [`Error::Redirect`], like a redirect
/// that came back unfollowed.
fn exchange_failure(error: TransportError) -> Error {
    match error.source {
        Some(source) if source.is::<RedirectError>() => match source.downcast::<RedirectError>() {
            Ok(redirect) => Error::Redirect(*redirect),
            Err(source) => Error::Transport(TransportError {
                kind: error.kind,
                source: Some(source),
            }),
        },
        source => Error::Transport(TransportError {
            kind: error.kind,
            source,
        }),
    }
}

/// The blocking attempt loop: `read` turns one exchange into a result,
/// `failed` finds the error in it, and the policy decides what next.
fn with_retries_blocking<B, T>(
    policy: &RetryPolicy,
    request: &http::Request<Vec<u8>>,
    idempotent: bool,
    mut exchange: impl FnMut(&http::Request<Vec<u8>>) -> Exchanged<B>,
    read: impl Fn(Exchanged<B>) -> T,
    failed: impl Fn(&T) -> Option<&Error>,
    mut sleep: impl FnMut(Duration),
) -> T {
    let mut attempt = 1;
    loop {
        let span = trace::attempt_span(attempt);
        let started = trace::start(&span);
        let exchanged = span.in_scope(|| exchange(request));
        if let Ok(response) = &exchanged {
            span.record("http.status", response.status().as_u16());
        }
        let result = read(exchanged);
        trace::record_elapsed(&span, started);
        let Some(error) = failed(&result) else {
            return result;
        };
        match policy.decide(idempotent, error, attempt) {
            RetryDecision::Stop => return result,
            RetryDecision::RetryAfter(delay) => {
                tracing::debug!(parent: &span, %error, ?delay, "retrying");
                sleep(delay);
                attempt += 1;
            }
        }
    }
}

/// The async attempt loop, as [`with_retries_blocking`].
async fn with_retries_async<B, T, F, S>(
    policy: &RetryPolicy,
    request: http::Request<Vec<u8>>,
    idempotent: bool,
    exchange: impl Fn(http::Request<Bytes>) -> F,
    read: impl Fn(Exchanged<B>) -> T,
    failed: impl Fn(&T) -> Option<&Error>,
    sleep: impl Fn(Duration) -> S,
) -> T
where
    F: Future<Output = Exchanged<B>>,
    S: Future<Output = ()>,
{
    let (mut parts, body) = request.into_parts();
    // One buffer for all attempts: each attempt's request shares it.
    let body = Bytes::from(body);
    let mut attempt = 1;
    loop {
        let span = trace::attempt_span(attempt);
        let started = trace::start(&span);
        // The policy allows no attempt after the last one, so the last one
        // (the only one, without retries) takes the head instead of a copy.
        let last = attempt >= policy.max_attempts();
        let mut outgoing = http::Request::new(body.clone());
        if last {
            *outgoing.method_mut() = std::mem::take(&mut parts.method);
            *outgoing.uri_mut() = std::mem::take(&mut parts.uri);
            *outgoing.headers_mut() = std::mem::take(&mut parts.headers);
        } else {
            *outgoing.method_mut() = parts.method.clone();
            *outgoing.uri_mut() = parts.uri.clone();
            *outgoing.headers_mut() = parts.headers.clone();
        }
        let exchanged = exchange(outgoing).instrument(span.clone()).await;
        if let Ok(response) = &exchanged {
            span.record("http.status", response.status().as_u16());
        }
        let result = read(exchanged);
        trace::record_elapsed(&span, started);
        let Some(error) = failed(&result) else {
            return result;
        };
        match policy.decide(idempotent, error, attempt) {
            RetryDecision::Stop => return result,
            // The head was given away: never resend an emptied request.
            RetryDecision::RetryAfter(_) if last => return result,
            RetryDecision::RetryAfter(delay) => {
                tracing::debug!(parent: &span, %error, ?delay, "retrying");
                sleep(delay).await;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::pin::pin;
    use std::sync::Mutex;
    use std::task::{Context, Poll, Waker};

    use octo_proto::op::PaymentStatusCheck;
    use octo_proto::{Config, TransportErrorKind};

    use super::*;

    /// The head and body of one attempt, as the backend saw them.
    type Seen = (http::Method, http::Uri, http::HeaderMap, Bytes);

    /// Polls a future whose exchanges and pauses are all ready at once.
    fn now<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("nothing here waits"),
        }
    }

    /// Sends a status check with `retry`, every attempt refused, and
    /// returns what each attempt carried.
    fn attempts_with(retry: RetryPolicy) -> Vec<Seen> {
        let mut settings = Settings::new(Config::new(123, "not-a-real-secret"));
        settings.retry = retry;
        let op = PaymentStatusCheck::new("order-42".parse().unwrap());
        let seen = Mutex::new(Vec::new());
        let result = now(send_async(
            &settings,
            &op,
            |request: http::Request<Bytes>| {
                let (parts, body) = request.into_parts();
                seen.lock()
                    .unwrap()
                    .push((parts.method, parts.uri, parts.headers, body));
                std::future::ready(Err::<http::Response<Bytes>, _>(TransportError::new(
                    TransportErrorKind::Connect,
                    "refused",
                )))
            },
            |_| std::future::ready(()),
        ));
        assert!(matches!(result, Err(Error::Transport(_))), "{result:?}");
        seen.into_inner().unwrap()
    }

    #[test]
    fn every_attempt_carries_the_whole_request_the_last_one_too() {
        let attempts = attempts_with(RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(1),
        ));
        assert_eq!(attempts.len(), 3);
        let (method, uri, headers, body) = attempts.first().unwrap();
        assert_eq!(method, http::Method::POST);
        assert_eq!(uri.path(), "/prepare_payment");
        assert!(headers.contains_key(http::header::CONTENT_TYPE));
        assert!(!body.is_empty());
        for later in attempts.get(1..).unwrap() {
            assert_eq!(later, attempts.first().unwrap());
        }
    }

    #[test]
    fn the_only_attempt_without_retries_carries_the_whole_request() {
        let attempts = attempts_with(RetryPolicy::none());
        let retried = attempts_with(RetryPolicy::new(
            2,
            Duration::from_millis(1),
            Duration::from_millis(1),
        ));
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts.first(), retried.first());
        assert_eq!(attempts.first().unwrap().0, http::Method::POST);
    }
}
