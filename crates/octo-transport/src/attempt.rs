//! What happens around one call's attempts that needs no I/O: what is being
//! sent ([`Call`]), and the attempt state ([`Attempts`]) that opens each
//! attempt's span, reads its answer and decides whether another attempt
//! follows. The blocking and async loops in [`retry`](crate::retry) only
//! exchange and sleep around it.

use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant, SystemTime};

use octo_proto::machine::{Command, Reply};
use octo_proto::{
    Config, Error, Operation, RedirectError, Resend, RetryDecision, RetryPolicy, TransportError,
    parse_retry_after,
};

use crate::backend::Exchanged;
use crate::trace;

/// What one call sends and how its answer reads: an operation (answering
/// with its output or an error) or a state machine's command (answering
/// with the reply to hand back).
pub(crate) trait Call {
    /// What the call returns.
    type Answer;

    /// The span of the whole call, across its attempts.
    fn span(&self) -> tracing::Span;

    /// Whether a request whose outcome is unknown may be sent again under
    /// `policy`: the call is idempotent, and the policy does not hold its
    /// endpoint back ([`RetryPolicy::without_resending`]).
    fn resends(&self, policy: &RetryPolicy) -> bool;

    /// The request every attempt sends.
    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error>;

    /// Whether the call may change something at OCTO (it does not only
    /// read), so that an earlier attempt may have acted.
    fn acts(&self) -> bool;

    /// The answer of a call that failed with `error`.
    fn fail(&self, error: Error) -> Self::Answer;

    /// One exchange's result as the call's answer.
    fn read<B: AsRef<[u8]>>(&self, exchanged: Exchanged<B>) -> Self::Answer;

    /// The error in an answer, if it is one.
    fn error(answer: &Self::Answer) -> Option<&Error>;

    /// The same answer, its error (if it is one) passed through `f`.
    fn map_error(answer: Self::Answer, f: impl FnOnce(Error) -> Error) -> Self::Answer;
}

/// An operation as a [`Call`].
pub(crate) struct Op<'a, O>(pub(crate) &'a O);

impl<O: Operation> Call for Op<'_, O> {
    type Answer = Result<O::Output, Error>;

    fn span(&self) -> tracing::Span {
        trace::call_span(self.0)
    }

    fn resends(&self, policy: &RetryPolicy) -> bool {
        self.0.is_idempotent() && policy.resends_after_unknown(O::ENDPOINT)
    }

    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        self.0.build_request(config)
    }

    fn acts(&self) -> bool {
        !O::ENDPOINT.is_read_only()
    }

    fn fail(&self, error: Error) -> Self::Answer {
        Err(error)
    }

    #[inline]
    fn read<B: AsRef<[u8]>>(&self, exchanged: Exchanged<B>) -> Self::Answer {
        match exchanged {
            Ok(response) => self.0.parse_response(&response),
            Err(error) => self.fail(exchange_failure(error)),
        }
    }

    fn error(answer: &Self::Answer) -> Option<&Error> {
        answer.as_ref().err()
    }

    fn map_error(answer: Self::Answer, f: impl FnOnce(Error) -> Error) -> Self::Answer {
        answer.map_err(f)
    }
}

impl Call for &Command {
    type Answer = Reply;

    fn span(&self) -> tracing::Span {
        trace::command_span(self)
    }

    fn resends(&self, policy: &RetryPolicy) -> bool {
        self.is_idempotent() && policy.resends_after_unknown(self.endpoint())
    }

    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        self.build_request(config)
    }

    fn acts(&self) -> bool {
        !self.endpoint().is_read_only()
    }

    fn fail(&self, error: Error) -> Reply {
        Command::fail(self, error)
    }

    fn read<B: AsRef<[u8]>>(&self, exchanged: Exchanged<B>) -> Reply {
        match exchanged {
            Ok(response) => self.parse_response(&response),
            Err(error) => Call::fail(self, exchange_failure(error)),
        }
    }

    fn error(answer: &Reply) -> Option<&Error> {
        answer.error()
    }

    fn map_error(answer: Reply, f: impl FnOnce(Error) -> Error) -> Reply {
        answer.map_err(f)
    }
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

/// The attempts of one call, without the I/O: the loop calls
/// [`begin`](Self::begin), exchanges within the attempt's span, has the
/// result [`read`](Self::read) into the answer, and asks
/// [`retry_after`](Self::retry_after) whether to stop with it or to sleep
/// and go again.
pub(crate) struct Attempts<'p> {
    policy: &'p RetryPolicy,
    idempotent: bool,
    /// The number of the attempt under way (1 for the first).
    number: u32,
    /// The wait the last answer's `Retry-After` asked for, read only from
    /// a 429 or 503 answer.
    server_wait: Option<Duration>,
    /// The call's jitter seed, drawn at its first failure.
    seed: Option<u64>,
    /// Whether an attempt before the one under way may have reached OCTO
    /// (its outcome was unknown), so that a refusal of a later one proves
    /// nothing about it.
    resent_after_unknown: bool,
}

/// A fresh jitter seed for one call: std's per-instance random hash keys,
/// so calls failing together draw different pauses without a random
/// number crate. Drawn only once a call has failed.
fn call_seed() -> u64 {
    RandomState::new().hash_one(0u8)
}

/// The wait `response`'s `Retry-After` asks for, if it is a 429 or 503
/// answer that carries a readable one. Any other status costs one
/// comparison.
#[inline]
fn server_wait<B>(response: &http::Response<B>) -> Option<Duration> {
    let status = response.status();
    if status != http::StatusCode::SERVICE_UNAVAILABLE
        && status != http::StatusCode::TOO_MANY_REQUESTS
    {
        return None;
    }
    let value = response.headers().get(http::header::RETRY_AFTER)?;
    parse_retry_after(value.as_bytes(), SystemTime::now())
}

/// One attempt under way: its span and, when the span is recorded, when it
/// started.
pub(crate) struct Attempt {
    pub(crate) span: tracing::Span,
    started: Option<Instant>,
}

impl<'p> Attempts<'p> {
    /// The attempts of a call that is `idempotent` or not, under `policy`.
    pub(crate) fn new(policy: &'p RetryPolicy, idempotent: bool) -> Self {
        Self {
            policy,
            idempotent,
            number: 1,
            server_wait: None,
            seed: None,
            resent_after_unknown: false,
        }
    }

    /// Whether the attempt under way is the last the policy allows: its
    /// request need not be kept for another.
    pub(crate) fn is_last(&self) -> bool {
        self.number >= self.policy.max_attempts()
    }

    /// Opens the span of the attempt under way and starts its clock.
    pub(crate) fn begin(&self) -> Attempt {
        let span = trace::attempt_span(self.number);
        let started = trace::start(&span);
        Attempt { span, started }
    }

    /// Reads what the exchange of `attempt` gave as the call's answer,
    /// recording the status and the time on the attempt's span, and
    /// keeping the wait a 429 or 503 answer's `Retry-After` asks for.
    // Inlined so that the answer, which can be large, is built where the
    // loop returns it rather than copied there.
    #[inline(always)]
    pub(crate) fn read<C: Call, B: AsRef<[u8]>>(
        &mut self,
        attempt: &Attempt,
        call: &C,
        exchanged: Exchanged<B>,
    ) -> C::Answer {
        self.server_wait = None;
        if let Ok(response) = &exchanged {
            attempt
                .span
                .record("http.status", response.status().as_u16());
            self.server_wait = server_wait(response);
        }
        let answer = call.read(exchanged);
        trace::record_elapsed(&attempt.span, attempt.started);
        answer
    }

    /// What follows `answer`, the answer of `attempt`: `None` when the call
    /// is over with it, or the pause before the next attempt, as the policy
    /// decides (with the call's jitter seed and the answer's
    /// `Retry-After`). None follows the last attempt, whose request may
    /// have been given away.
    pub(crate) fn retry_after<C: Call>(
        &mut self,
        attempt: &Attempt,
        answer: &C::Answer,
    ) -> Option<Duration> {
        let error = C::error(answer)?;
        let seed = *self.seed.get_or_insert_with(call_seed);
        let decision =
            self.policy
                .decide_with(self.idempotent, error, self.number, seed, self.server_wait);
        match decision {
            RetryDecision::Stop => None,
            RetryDecision::RetryAfter(_) if self.is_last() => None,
            RetryDecision::RetryAfter(delay) => {
                tracing::debug!(parent: &attempt.span, %error, ?delay, "retrying");
                self.resent_after_unknown |= error.resend() != Resend::Safe;
                self.number += 1;
                Some(delay)
            }
        }
    }

    /// The call's answer once the attempts stop with `answer`: a refusal
    /// of a resend sent after an unknown outcome becomes
    /// [`Error::RefusedAfterResend`], since an earlier attempt may have
    /// landed (a call that only reads changed nothing either way).
    #[inline(always)]
    pub(crate) fn finish<C: Call>(&self, call: &C, answer: C::Answer) -> C::Answer {
        if self.resent_after_unknown
            && C::error(&answer).is_some_and(Error::is_refusal)
            && call.acts()
        {
            C::map_error(answer, |last| Error::RefusedAfterResend(Box::new(last)))
        } else {
            answer
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use octo_proto::TransportErrorKind;
    use octo_proto::op::PaymentStatusCheck;

    use super::*;

    /// Runs attempts of a status check under `policy` whose every exchange
    /// gives `exchanged()`, until they stop; returns the pauses asked for
    /// and the last answer.
    fn run(
        policy: &RetryPolicy,
        idempotent: bool,
        exchanged: impl Fn() -> Exchanged<Vec<u8>>,
    ) -> (
        Vec<Duration>,
        Result<<PaymentStatusCheck as Operation>::Output, Error>,
    ) {
        let op = PaymentStatusCheck::new("order-42".parse().unwrap());
        let call = Op(&op);
        let mut attempts = Attempts::new(policy, idempotent);
        let mut pauses = Vec::new();
        // Bounded: no policy here allows more than a few attempts.
        for _ in 0..10 {
            let attempt = attempts.begin();
            let answer = attempts.read(&attempt, &call, exchanged());
            match attempts.retry_after::<Op<'_, PaymentStatusCheck>>(&attempt, &answer) {
                None => return (pauses, answer),
                Some(delay) => pauses.push(delay),
            }
        }
        panic!("the attempts never stopped");
    }

    fn refused() -> Exchanged<Vec<u8>> {
        Err(TransportError::new(
            TransportErrorKind::Timeout,
            "no answer",
        ))
    }

    fn exact() -> RetryPolicy {
        RetryPolicy::new(3, Duration::from_millis(10), Duration::from_millis(15)).with_jitter(false)
    }

    #[test]
    fn a_resend_safe_failure_is_retried_until_the_last_attempt() {
        let policy = exact();
        let (pauses, answer) = run(&policy, true, refused);
        assert_eq!(
            pauses,
            [Duration::from_millis(10), Duration::from_millis(15)]
        );
        assert!(matches!(answer, Err(Error::Transport(_))), "{answer:?}");
    }

    #[test]
    fn an_unknown_outcome_of_a_call_that_is_not_idempotent_is_not_retried() {
        let policy = exact();
        let (pauses, answer) = run(&policy, false, refused);
        assert!(pauses.is_empty());
        assert!(matches!(answer, Err(Error::Transport(_))), "{answer:?}");
    }

    #[test]
    fn an_answer_ends_the_call_at_once() {
        let policy = exact();
        let paid = br#"{"error":0,"data":{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":1000.00,"refunded_sum":0}}"#;
        let (pauses, answer) = run(&policy, true, || {
            let mut response = http::Response::new(paid.to_vec());
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            Ok(response)
        });
        assert!(pauses.is_empty());
        assert!(answer.is_ok(), "{answer:?}");
    }

    #[test]
    fn the_last_attempt_is_known_before_it_is_sent() {
        let policy = RetryPolicy::new(2, Duration::from_millis(1), Duration::from_millis(1));
        let mut attempts = Attempts::new(&policy, true);
        assert!(!attempts.is_last());
        let op = PaymentStatusCheck::new("order-42".parse().unwrap());
        let attempt = attempts.begin();
        let answer = attempts.read(&attempt, &Op(&op), refused());
        assert!(
            attempts
                .retry_after::<Op<'_, PaymentStatusCheck>>(&attempt, &answer)
                .is_some()
        );
        assert!(attempts.is_last());
        assert!(Attempts::new(&RetryPolicy::none(), true).is_last());
    }

    /// A 503 answer carrying `retry_after` as its `Retry-After`.
    fn busy(status: u16, retry_after: &'static str) -> impl Fn() -> Exchanged<Vec<u8>> {
        move || {
            Ok(http::Response::builder()
                .status(status)
                .header(http::header::CONTENT_TYPE, "text/html")
                .header(http::header::RETRY_AFTER, retry_after)
                .body(b"<html>busy</html>".to_vec())
                .unwrap())
        }
    }

    #[test]
    fn jittered_pauses_stay_within_the_backoff_and_differ_between_calls() {
        let policy = RetryPolicy::new(3, Duration::from_millis(100), Duration::from_secs(1));
        let mut firsts = std::collections::BTreeSet::new();
        for _ in 0..20 {
            let (pauses, _) = run(&policy, true, refused);
            assert_eq!(pauses.len(), 2);
            for (n, pause) in (1..).zip(&pauses) {
                let ceiling = policy.delay_after(n);
                assert!(*pause >= ceiling / 2 && *pause <= ceiling, "{pauses:?}");
            }
            firsts.insert(pauses[0]);
        }
        // Twenty calls failing together do not all pause alike.
        assert!(firsts.len() > 10, "{firsts:?}");
    }

    #[test]
    fn retry_after_on_a_503_is_the_pause_of_an_idempotent_call() {
        let (pauses, answer) = run(&exact(), true, busy(503, "1"));
        assert_eq!(pauses, [Duration::from_secs(1), Duration::from_secs(1)]);
        assert_eq!(
            answer.unwrap_err().http_status().map(|s| s.as_u16()),
            Some(503)
        );
        let (pauses, _) = run(&exact(), true, busy(429, "2"));
        assert_eq!(pauses, [Duration::from_secs(2), Duration::from_secs(2)]);
    }

    #[test]
    fn retry_after_as_a_date_is_the_pause() {
        let policy = exact().with_max_retry_after(Duration::from_secs(3600));
        let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(600);
        let header: &'static str = Box::leak(
            soon.format(&time::format_description::well_known::Rfc2822)
                .unwrap()
                .replace("+0000", "GMT")
                .into_boxed_str(),
        );
        let (pauses, _) = run(&policy, true, busy(503, header));
        assert_eq!(pauses.len(), 2);
        for pause in pauses {
            assert!(
                pause > Duration::from_secs(590) && pause <= Duration::from_secs(600),
                "{pause:?}"
            );
        }
    }

    #[test]
    fn retry_after_longer_than_the_bound_ends_the_call() {
        let (pauses, answer) = run(&exact(), true, busy(503, "120"));
        assert!(pauses.is_empty(), "{pauses:?}");
        assert_eq!(
            answer.unwrap_err().http_status().map(|s| s.as_u16()),
            Some(503)
        );
    }

    #[test]
    fn retry_after_does_not_make_a_call_that_is_not_idempotent_resendable() {
        let (pauses, _) = run(&exact(), false, busy(503, "1"));
        assert!(pauses.is_empty(), "{pauses:?}");
    }

    #[test]
    fn retry_after_under_another_status_is_not_read() {
        // 502 carries no Retry-After meaning here: the plain backoff.
        let (pauses, _) = run(&exact(), true, busy(502, "120"));
        assert_eq!(
            pauses,
            [Duration::from_millis(10), Duration::from_millis(15)]
        );
    }
}
