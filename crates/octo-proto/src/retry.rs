//! When to send a request again: a pure decision, so every transport
//! retries the same way and tests need no clock.
//!
//! Only idempotent operations are resent after an unknown outcome (see
//! [`Endpoint::is_idempotent`](crate::Endpoint::is_idempotent)); a
//! connection that was never made is always safe to retry. The transport
//! sends the very same request on every attempt, so the idempotency key
//! (`shop_transaction_id`, `shop_refund_id`) is the same too.

use std::time::Duration;

use crate::error::Error;

/// How many attempts, and how long to wait between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum RetryDecision {
    /// Give up and return the error.
    Stop,
    /// Send the same request again after this delay.
    RetryAfter(Duration),
}

impl Default for RetryPolicy {
    /// Three attempts, 200 ms then 400 ms apart, never more than 5 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// `max_attempts` attempts in all (at least one), with exponential
    /// backoff from `base_delay`, capped at `max_delay`.
    pub fn new(max_attempts: u32, base_delay: Duration, max_delay: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base_delay,
            max_delay,
        }
    }

    /// Attempts allowed in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Decides after attempt number `attempt` (1 for the first) failed with
    /// `error`, for an operation that is `idempotent` or not.
    pub fn decide(&self, idempotent: bool, error: &Error, attempt: u32) -> RetryDecision {
        if attempt >= self.max_attempts || !error.is_resend_safe(idempotent) {
            return RetryDecision::Stop;
        }
        RetryDecision::RetryAfter(self.delay_after(attempt))
    }

    /// The wait after attempt number `attempt`.
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{InputError, InputProblem, TransportError, TransportErrorKind};

    #[test]
    fn decisions() {
        let policy = RetryPolicy::default();
        let timeout = Error::Transport(TransportError::bare(TransportErrorKind::Timeout));
        let refused = Error::Transport(TransportError::bare(TransportErrorKind::Connect));
        let input = Error::Input(InputError::new("x", InputProblem::Empty));
        assert_eq!(
            policy.decide(true, &timeout, 1),
            RetryDecision::RetryAfter(Duration::from_millis(200))
        );
        assert_eq!(
            policy.decide(true, &timeout, 2),
            RetryDecision::RetryAfter(Duration::from_millis(400))
        );
        assert_eq!(policy.decide(true, &timeout, 3), RetryDecision::Stop);
        assert_eq!(policy.decide(false, &timeout, 1), RetryDecision::Stop);
        assert!(matches!(
            policy.decide(false, &refused, 1),
            RetryDecision::RetryAfter(_)
        ));
        assert_eq!(policy.decide(true, &input, 1), RetryDecision::Stop);
        assert_eq!(
            RetryPolicy::none().decide(true, &refused, 1),
            RetryDecision::Stop
        );
        let capped = RetryPolicy::new(40, Duration::from_secs(1), Duration::from_secs(3));
        assert_eq!(capped.delay_after(35), Duration::from_secs(3));
    }
}
