//! What happens around one call's attempts that needs no I/O: what is being
//! sent ([`Call`]), and the attempt state ([`Attempts`]) that opens each
//! attempt's span, reads its answer and decides whether another attempt
//! follows. The blocking and async loops in [`retry`](crate::retry) only
//! exchange and sleep around it.

use std::time::{Duration, Instant};

use octo_proto::machine::{Command, Reply};
use octo_proto::{
    Config, Error, Operation, RedirectError, RetryDecision, RetryPolicy, TransportError,
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

    /// Whether resending after an unknown outcome is safe.
    fn idempotent(&self) -> bool;

    /// The request every attempt sends.
    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error>;

    /// The answer of a call that failed with `error`.
    fn fail(&self, error: Error) -> Self::Answer;

    /// One exchange's result as the call's answer.
    fn read<B: AsRef<[u8]>>(&self, exchanged: Exchanged<B>) -> Self::Answer;

    /// The error in an answer, if it is one.
    fn error(answer: &Self::Answer) -> Option<&Error>;
}

/// An operation as a [`Call`].
pub(crate) struct Op<'a, O>(pub(crate) &'a O);

impl<O: Operation> Call for Op<'_, O> {
    type Answer = Result<O::Output, Error>;

    fn span(&self) -> tracing::Span {
        trace::call_span(self.0)
    }

    fn idempotent(&self) -> bool {
        self.0.is_idempotent()
    }

    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        self.0.build_request(config)
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
}

impl Call for &Command {
    type Answer = Reply;

    fn span(&self) -> tracing::Span {
        trace::command_span(self)
    }

    fn idempotent(&self) -> bool {
        self.is_idempotent()
    }

    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        self.build_request(config)
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
    /// recording the status and the time on the attempt's span.
    // Inlined so that the answer, which can be large, is built where the
    // loop returns it rather than copied there.
    #[inline(always)]
    pub(crate) fn read<C: Call, B: AsRef<[u8]>>(
        &self,
        attempt: &Attempt,
        call: &C,
        exchanged: Exchanged<B>,
    ) -> C::Answer {
        if let Ok(response) = &exchanged {
            attempt
                .span
                .record("http.status", response.status().as_u16());
        }
        let answer = call.read(exchanged);
        trace::record_elapsed(&attempt.span, attempt.started);
        answer
    }

    /// What follows `answer`, the answer of `attempt`: `None` when the call
    /// is over with it, or the pause before the next attempt, as the policy
    /// decides. None follows the last attempt, whose request may have been
    /// given away.
    pub(crate) fn retry_after<C: Call>(
        &mut self,
        attempt: &Attempt,
        answer: &C::Answer,
    ) -> Option<Duration> {
        let error = C::error(answer)?;
        match self.policy.decide(self.idempotent, error, self.number) {
            RetryDecision::Stop => None,
            RetryDecision::RetryAfter(_) if self.is_last() => None,
            RetryDecision::RetryAfter(delay) => {
                tracing::debug!(parent: &attempt.span, %error, ?delay, "retrying");
                self.number += 1;
                Some(delay)
            }
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

    #[test]
    fn a_resend_safe_failure_is_retried_until_the_last_attempt() {
        let policy = RetryPolicy::new(3, Duration::from_millis(10), Duration::from_millis(15));
        let (pauses, answer) = run(&policy, true, refused);
        assert_eq!(
            pauses,
            [Duration::from_millis(10), Duration::from_millis(15)]
        );
        assert!(matches!(answer, Err(Error::Transport(_))), "{answer:?}");
    }

    #[test]
    fn an_unknown_outcome_of_a_call_that_is_not_idempotent_is_not_retried() {
        let policy = RetryPolicy::new(3, Duration::from_millis(10), Duration::from_millis(15));
        let (pauses, answer) = run(&policy, false, refused);
        assert!(pauses.is_empty());
        assert!(matches!(answer, Err(Error::Transport(_))), "{answer:?}");
    }

    #[test]
    fn an_answer_ends_the_call_at_once() {
        let policy = RetryPolicy::new(3, Duration::from_millis(10), Duration::from_millis(15));
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
}
