//! The attempt loops around one exchange, blocking and async: thin shells
//! that exchange and sleep around the I/O-free [`Attempts`], which decides.
//! The backend supplies the exchange and the sleep; octo-proto's policy
//! decides whether another attempt follows.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument;

use crate::attempt::{Attempts, Call};
use crate::backend::Exchanged;
use crate::settings::Settings;

/// Sends `call` with `settings`: builds its request, hands it to `exchange`
/// (again, when the retry policy allows, calling `sleep` in between) and
/// reads the answer. The whole call runs in an `octo.call` span, each
/// attempt in an `octo.attempt` span.
///
/// Every attempt gets the very same request, so the idempotency key cannot
/// drift between attempts.
pub(crate) fn send_blocking<C: Call, B: AsRef<[u8]>>(
    settings: &Settings,
    call: C,
    mut exchange: impl FnMut(&http::Request<Vec<u8>>) -> Exchanged<B>,
    mut sleep: impl FnMut(Duration),
) -> C::Answer {
    let _call = call.span().entered();
    let request = match call.request(&settings.config) {
        Ok(request) => request,
        Err(error) => return call.fail(error),
    };
    let mut attempts = Attempts::new(&settings.retry, call.resends(&settings.retry));
    loop {
        let attempt = attempts.begin();
        let exchanged = attempt.span.in_scope(|| exchange(&request));
        let answer = attempts.read(&attempt, &call, exchanged);
        match attempts.retry_after::<C>(&attempt, &answer) {
            None => return attempts.finish(&call, answer),
            Some(delay) => sleep(delay),
        }
    }
}

/// Sends `call` with `settings`, like [`send_blocking`] but awaiting each
/// exchange and each pause. `exchange` gets a fresh request per attempt
/// whose body shares the same bytes, so the idempotency key cannot drift.
pub(crate) async fn send_async<C, B, F, S>(
    settings: &Settings,
    call: C,
    exchange: impl Fn(http::Request<Bytes>) -> F,
    sleep: impl Fn(Duration) -> S,
) -> C::Answer
where
    C: Call,
    B: AsRef<[u8]>,
    F: Future<Output = Exchanged<B>>,
    S: Future<Output = ()>,
{
    let span = call.span();
    async {
        let request = match call.request(&settings.config) {
            Ok(request) => request,
            Err(error) => return call.fail(error),
        };
        let (mut head, body) = request.into_parts();
        // One buffer for all attempts: each attempt's request shares it.
        let body = Bytes::from(body);
        let mut attempts = Attempts::new(&settings.retry, call.resends(&settings.retry));
        loop {
            let attempt = attempts.begin();
            let outgoing = outgoing(&mut head, &body, attempts.is_last());
            let exchanged = exchange(outgoing).instrument(attempt.span.clone()).await;
            let answer = attempts.read(&attempt, &call, exchanged);
            match attempts.retry_after::<C>(&attempt, &answer) {
                None => return attempts.finish(&call, answer),
                Some(delay) => sleep(delay).await,
            }
        }
    }
    .instrument(span)
    .await
}

/// One attempt's request: the head copied, or taken when this is the last
/// attempt (the only one, without retries; [`Attempts`] never goes on after
/// it), and the body's shared bytes.
fn outgoing(head: &mut http::request::Parts, body: &Bytes, last: bool) -> http::Request<Bytes> {
    let mut outgoing = http::Request::new(body.clone());
    if last {
        *outgoing.method_mut() = std::mem::take(&mut head.method);
        *outgoing.uri_mut() = std::mem::take(&mut head.uri);
        *outgoing.headers_mut() = std::mem::take(&mut head.headers);
    } else {
        *outgoing.method_mut() = head.method.clone();
        *outgoing.uri_mut() = head.uri.clone();
        *outgoing.headers_mut() = head.headers.clone();
    }
    outgoing
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::pin::pin;
    use std::sync::Mutex;
    use std::task::{Context, Poll, Waker};

    use octo_proto::op::PaymentStatusCheck;
    use octo_proto::{Config, Error, Operation, RetryPolicy, TransportError, TransportErrorKind};

    use crate::attempt::Op;

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
            Op(&op),
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

    /// One scripted exchange.
    type Exchange = fn() -> Exchanged<Vec<u8>>;

    /// Sends `op` under a policy of three attempts whose exchanges give,
    /// in turn, what `script` says (the last entry again once it runs out);
    /// returns how many attempts went out and the answer.
    fn scripted<O: Operation>(op: &O, script: &[Exchange]) -> (usize, Result<O::Output, Error>) {
        let mut settings = Settings::new(Config::new(123, "not-a-real-secret"));
        settings.retry = RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(1));
        let mut sent = 0;
        let answer = send_blocking(
            &settings,
            Op(op),
            |_| {
                sent += 1;
                let step = script.get(sent - 1).or(script.last()).unwrap();
                step()
            },
            |_| {},
        );
        (sent, answer)
    }

    /// [`scripted`] with a refund.
    fn refund_through(script: &[Exchange]) -> (usize, Result<octo_proto::op::RefundResult, Error>) {
        let op = octo_proto::op::Refund::new(
            "rf-1".parse().unwrap(),
            "u-1".parse().unwrap(),
            octo_proto::Decimal::new(5_000, 0),
        );
        scripted(&op, script)
    }

    fn timed_out() -> Exchanged<Vec<u8>> {
        Err(TransportError::new(
            TransportErrorKind::Timeout,
            "no answer",
        ))
    }

    fn not_connected() -> Exchanged<Vec<u8>> {
        Err(TransportError::new(TransportErrorKind::Connect, "refused"))
    }

    /// OCTO's error 3 on `refund`: an invalid amount.
    fn bad_amount() -> Exchanged<Vec<u8>> {
        Ok(http::Response::new(
            br#"{"error":3,"errMessage":"Invalid refund amount","data":null}"#.to_vec(),
        ))
    }

    #[test]
    fn a_refusal_of_a_resend_after_an_unknown_outcome_is_not_a_refusal() {
        // The first refund may have landed: OCTO refusing the resend (the
        // amount is no longer available, or the id is a duplicate) proves
        // nothing about it.
        let (sent, answer) = refund_through(&[timed_out, bad_amount]);
        assert_eq!(sent, 2);
        let error = answer.unwrap_err();
        assert!(!error.is_refusal(), "{error}");
        assert!(matches!(error, Error::RefusedAfterResend(_)), "{error:?}");
        assert_eq!(error.code().map(|c| c.as_i64()), Some(3));
        assert_eq!(error.http_status(), Some(http::StatusCode::OK));
        assert!(error.to_string().contains("OCTO error 3"), "{error}");
        // The same refusal is one when nothing went out before it, or at
        // the first attempt.
        let refusals: [&[Exchange]; 2] = [&[not_connected, bad_amount], &[bad_amount]];
        for script in refusals {
            let (_, answer) = refund_through(script);
            let error = answer.unwrap_err();
            assert!(error.is_refusal(), "{error}");
            assert!(matches!(error, Error::Octo(_)), "{error:?}");
        }
    }

    #[test]
    fn any_unknown_outcome_before_the_refusal_counts_not_only_the_first() {
        fn busy() -> Exchanged<Vec<u8>> {
            let mut answer = http::Response::new(b"busy".to_vec());
            *answer.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
            answer.headers_mut().insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static("0"),
            );
            Ok(answer)
        }
        // Nothing left at first, then an attempt with no answer, then the
        // refusal; and a 503 (which a proxy may send after OCTO acted).
        let scripts: [&[Exchange]; 2] =
            [&[not_connected, timed_out, bad_amount], &[busy, bad_amount]];
        for script in scripts {
            let (sent, answer) = refund_through(script);
            assert_eq!(sent, script.len());
            let error = answer.unwrap_err();
            assert!(matches!(error, Error::RefusedAfterResend(_)), "{error:?}");
        }
    }

    #[test]
    fn a_status_check_refused_after_a_timeout_stays_a_refusal() {
        // A read changes nothing: its refusal (a wrong secret, say) is
        // final whatever came before it.
        fn wrong_secret() -> Exchanged<Vec<u8>> {
            Ok(http::Response::new(
                br#"{"error":2,"errMessage":"Wrong secret","data":null}"#.to_vec(),
            ))
        }
        let op = PaymentStatusCheck::new("order-42".parse().unwrap());
        let (sent, answer) = scripted(&op, &[timed_out, wrong_secret]);
        assert_eq!(sent, 2);
        let error = answer.unwrap_err();
        assert!(error.is_refusal(), "{error}");
        assert!(matches!(error, Error::Octo(_)), "{error:?}");
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
