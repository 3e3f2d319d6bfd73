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

    /// The request every attempt sends, or the answer saying why there is
    /// none.
    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Self::Answer>;

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

    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Self::Answer> {
        self.0.build_request(config).map_err(Err)
    }

    fn read<B: AsRef<[u8]>>(&self, exchanged: Exchanged<B>) -> Self::Answer {
        exchanged
            .map_err(exchange_failure)
            .and_then(|response| self.0.parse_response(&response))
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

    fn request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Reply> {
        self.build_request(config).map_err(|error| self.fail(error))
    }

    fn read<B: AsRef<[u8]>>(&self, exchanged: Exchanged<B>) -> Reply {
        match exchanged {
            Ok(response) => self.parse_response(&response),
            Err(error) => self.fail(exchange_failure(error)),
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
/// [`begin`](Self::begin), exchanges within the attempt's span, and hands
/// the result to [`end`](Self::end), which says whether to stop or to sleep
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

/// What follows an attempt.
pub(crate) enum Next<T> {
    /// The call is over with this answer.
    Done(T),
    /// Sleep this long, then begin the next attempt.
    RetryAfter(Duration),
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

    /// Ends `attempt` with what its exchange gave: records the status and
    /// the time on its span, reads the answer with `call`, and asks the
    /// policy whether another attempt follows. None follows the last one,
    /// whose request may have been given away.
    pub(crate) fn end<C: Call, B: AsRef<[u8]>>(
        &mut self,
        attempt: Attempt,
        call: &C,
        exchanged: Exchanged<B>,
    ) -> Next<C::Answer> {
        let Attempt { span, started } = attempt;
        if let Ok(response) = &exchanged {
            span.record("http.status", response.status().as_u16());
        }
        let answer = call.read(exchanged);
        trace::record_elapsed(&span, started);
        let Some(error) = C::error(&answer) else {
            return Next::Done(answer);
        };
        match self.policy.decide(self.idempotent, error, self.number) {
            RetryDecision::Stop => Next::Done(answer),
            RetryDecision::RetryAfter(_) if self.is_last() => Next::Done(answer),
            RetryDecision::RetryAfter(delay) => {
                tracing::debug!(parent: &span, %error, ?delay, "retrying");
                self.number += 1;
                Next::RetryAfter(delay)
            }
        }
    }
}
