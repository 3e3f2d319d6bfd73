//! When to send a request again: a pure decision, so every transport
//! retries the same way and tests need no clock.
//!
//! Only idempotent operations are resent after an unknown outcome (see
//! [`Endpoint::is_idempotent`](crate::Endpoint::is_idempotent)); a
//! connection that was never made is always safe to retry. The transport
//! sends the very same request on every attempt, so the idempotency key
//! (`shop_transaction_id`, `shop_refund_id`) is the same too.
//!
//! Two things shape the pause beyond the exponential backoff:
//!
//! - **Jitter** (on by default): the pause after attempt `n` is drawn from
//!   `[d/2, d]`, where `d` is the plain backoff, from a `seed` the
//!   transport gives per call. The draw is a pure function of the seed and
//!   the attempt number, so the same seed always gives the same pauses;
//!   calls with different seeds spread out instead of retrying in step.
//! - **`Retry-After`** on a 429 or 503 answer: the server's wait is
//!   honoured (never shortened) when it is at most
//!   [`max_retry_after`](RetryPolicy::max_retry_after); a longer one ends
//!   the retries and the error is returned. It never makes an unsafe
//!   resend safe. See [`parse_retry_after`].

use std::time::{Duration, SystemTime};

use http::StatusCode;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

use crate::endpoint::Endpoint;
use crate::error::Error;

/// How many attempts, and how long to wait between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: bool,
    max_retry_after: Duration,
    /// Endpoints never resent after an unknown outcome, though they count
    /// as idempotent: one bit per [`Endpoint`].
    held_back: u32,
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

/// The longest `Retry-After` honoured by default: a server asking for a
/// longer wait ends the retries (a payment call does not sleep minutes).
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(5);

impl Default for RetryPolicy {
    /// Three attempts, about 200 ms then 400 ms apart (with jitter: between
    /// half of that and that), never more than 5 s; a `Retry-After` of up
    /// to 5 s honoured.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            jitter: true,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            held_back: 0,
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
    /// backoff from `base_delay`, capped at `max_delay`; jitter on and
    /// `Retry-After` honoured up to [`DEFAULT_MAX_RETRY_AFTER`], as by
    /// default.
    pub fn new(max_attempts: u32, base_delay: Duration, max_delay: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base_delay,
            max_delay,
            ..Self::default()
        }
    }

    /// This policy with jitter on or off. Off, every pause is exactly
    /// [`delay_after`](Self::delay_after).
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// This policy honouring a `Retry-After` of at most `max`; a longer one
    /// stops the retries. `Duration::ZERO` stops at any `Retry-After` other
    /// than zero.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// This policy never resending a request to `endpoint` whose outcome is
    /// unknown (a timeout, a cut connection, a 5xx), though the endpoint
    /// counts as idempotent; a connection that was never made is still
    /// retried. For an endpoint whose pages leave open whether a repeat has
    /// an effect: `verificationInfo` may be what sends the customer's SMS
    /// code, so resending it may send a second code (see
    /// `docs/protocol-notes.md`). A request not resent fails with the error,
    /// and a machine settles it as it settles any failed request.
    ///
    /// A non-idempotent endpoint is never resent whatever this says.
    pub fn without_resending(mut self, endpoint: Endpoint) -> Self {
        self.held_back |= bit(endpoint);
        self
    }

    /// Whether a request to `endpoint` whose outcome is unknown may be sent
    /// again: the endpoint is idempotent
    /// ([`Endpoint::is_idempotent`]) and not held back with
    /// [`without_resending`](Self::without_resending).
    pub fn resends_after_unknown(&self, endpoint: Endpoint) -> bool {
        endpoint.is_idempotent() && self.held_back & bit(endpoint) == 0
    }

    /// Attempts allowed in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether pauses are jittered.
    pub fn jitter(&self) -> bool {
        self.jitter
    }

    /// The longest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// Decides after attempt number `attempt` (1 for the first) failed with
    /// `error`, for an operation that is `idempotent` or not: like
    /// [`decide_with`](Self::decide_with) with seed 0 and no `Retry-After`.
    pub fn decide(&self, idempotent: bool, error: &Error, attempt: u32) -> RetryDecision {
        self.decide_with(idempotent, error, attempt, 0, None)
    }

    /// Decides after attempt number `attempt` (1 for the first) failed with
    /// `error`, for an operation that is `idempotent` or not. `seed` draws
    /// the jitter (the same for all attempts of one call, different between
    /// calls); `retry_after` is the wait the answer's `Retry-After` asked
    /// for, if any (see [`parse_retry_after`]).
    ///
    /// An error that is not safe to resend stops, whatever `retry_after`
    /// says. `retry_after` counts only with a 429 or 503 status: longer
    /// than [`max_retry_after`](Self::max_retry_after) it stops, otherwise
    /// the pause is the longer of it and the backoff.
    pub fn decide_with(
        &self,
        idempotent: bool,
        error: &Error,
        attempt: u32,
        seed: u64,
        retry_after: Option<Duration>,
    ) -> RetryDecision {
        if attempt >= self.max_attempts || !error.is_resend_safe(idempotent) {
            return RetryDecision::Stop;
        }
        let backoff = self.pause_after(attempt, seed);
        let asked = retry_after.filter(|_| {
            matches!(
                error.http_status(),
                Some(StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE)
            )
        });
        match asked {
            Some(wait) if wait > self.max_retry_after => RetryDecision::Stop,
            Some(wait) => RetryDecision::RetryAfter(wait.max(backoff)),
            None => RetryDecision::RetryAfter(backoff),
        }
    }

    /// The plain wait after attempt number `attempt`: `base_delay` doubled
    /// per attempt, capped at `max_delay`. With jitter this is the longest
    /// pause.
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The pause after attempt number `attempt` of the call drawing jitter
    /// from `seed`: [`delay_after`](Self::delay_after) without jitter,
    /// otherwise a value in `[d/2, d]` for `d = delay_after(attempt)`,
    /// the same for the same seed and attempt.
    pub fn pause_after(&self, attempt: u32, seed: u64) -> Duration {
        let ceiling = self.delay_after(attempt);
        if !self.jitter {
            return ceiling;
        }
        // In nanoseconds; a ceiling past u64 (584 years) is not jittered.
        let Ok(nanos) = u64::try_from(ceiling.as_nanos()) else {
            return ceiling;
        };
        let floor = nanos / 2;
        let span = nanos - floor;
        let draw = match span.checked_add(1) {
            Some(width) => mix(seed, attempt) % width,
            None => mix(seed, attempt),
        };
        Duration::from_nanos(floor + draw)
    }
}

/// A well-spread 64-bit value from `seed` and `attempt` (splitmix64's
/// finaliser over both).
fn mix(seed: u64, attempt: u32) -> u64 {
    let mut z = seed
        .wrapping_add(u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The wait a `Retry-After` header value asks for, read at `now`: either
/// whole seconds (`120`) or an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`;
/// a date already past is no wait). `None` for anything else (the obsolete
/// RFC 850 and asctime date forms included): the policy's own backoff
/// applies then. Seconds too many to count are [`Duration::MAX`].
pub fn parse_retry_after(value: &[u8], now: SystemTime) -> Option<Duration> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match text.parse::<u64>() {
            Ok(seconds) => Duration::from_secs(seconds),
            Err(_) => Duration::MAX,
        });
    }
    let at = OffsetDateTime::parse(text, &Rfc2822).ok()?;
    let now = OffsetDateTime::from(now);
    let wait = at - now;
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}
// Every endpoint has its bit.
const _: () = assert!(Endpoint::ALL.len() <= 32);

/// The bit of `endpoint` in [`RetryPolicy`]'s held-back set.
fn bit(endpoint: Endpoint) -> u32 {
    1 << (endpoint as u32)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::error::{InputError, InputProblem, TransportError, TransportErrorKind};
    use crate::op::{PaymentStatusCheck, SetAccept};
    use crate::{Config, Operation};

    #[test]
    fn an_endpoint_held_back_is_not_resent_and_the_others_are_as_before() {
        let default = RetryPolicy::default();
        let held = default.without_resending(Endpoint::VerificationInfo);
        for endpoint in Endpoint::ALL {
            assert_eq!(
                default.resends_after_unknown(endpoint),
                endpoint.is_idempotent(),
                "{endpoint}"
            );
            let expected = endpoint.is_idempotent() && endpoint != Endpoint::VerificationInfo;
            assert_eq!(held.resends_after_unknown(endpoint), expected, "{endpoint}");
        }
        // Holding back what is never resent changes nothing.
        assert!(
            !default
                .without_resending(Endpoint::SetAccept)
                .resends_after_unknown(Endpoint::SetAccept)
        );
        assert_ne!(default, held);
    }

    #[test]
    fn decisions() {
        let policy = RetryPolicy::default().with_jitter(false);
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

    #[test]
    fn jitter_is_on_by_default_and_off_gives_the_plain_backoff() {
        assert!(RetryPolicy::default().jitter());
        assert!(RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(2)).jitter());
        let plain = RetryPolicy::default().with_jitter(false);
        for seed in [0, 1, u64::MAX, 0xDEAD_BEEF] {
            for attempt in 1..=6 {
                assert_eq!(plain.pause_after(attempt, seed), plain.delay_after(attempt));
            }
        }
    }

    #[test]
    fn jittered_pauses_stay_between_half_the_backoff_and_the_backoff() {
        let policy = RetryPolicy::new(8, Duration::from_millis(200), Duration::from_secs(5));
        for seed in 0..2_000u64 {
            let seed = seed.wrapping_mul(0x0123_4567_89AB_CDEF);
            for attempt in 1..8 {
                let ceiling = policy.delay_after(attempt);
                let pause = policy.pause_after(attempt, seed);
                assert!(pause >= ceiling / 2, "{pause:?} < half of {ceiling:?}");
                assert!(pause <= ceiling, "{pause:?} > {ceiling:?}");
                assert!(pause >= Duration::from_millis(100));
                assert!(pause <= Duration::from_secs(5));
            }
        }
    }

    #[test]
    fn jitter_is_a_function_of_seed_and_attempt() {
        let policy = RetryPolicy::default();
        for seed in [0, 7, u64::MAX] {
            for attempt in 1..4 {
                assert_eq!(
                    policy.pause_after(attempt, seed),
                    policy.pause_after(attempt, seed)
                );
            }
        }
        let timeout = Error::Transport(TransportError::bare(TransportErrorKind::Timeout));
        assert_eq!(
            policy.decide_with(true, &timeout, 1, 42, None),
            RetryDecision::RetryAfter(policy.pause_after(1, 42))
        );
        assert_eq!(
            policy.decide(true, &timeout, 1),
            RetryDecision::RetryAfter(policy.pause_after(1, 0))
        );
    }

    #[test]
    fn jitter_spreads_calls_across_the_whole_range() {
        // 1000 calls failing together: their first pauses should cover the
        // range [100 ms, 200 ms] evenly, not bunch up.
        let policy = RetryPolicy::default();
        let mut buckets = [0u32; 10];
        let mut distinct = std::collections::BTreeSet::new();
        for seed in 0..1_000u64 {
            let pause = policy.pause_after(1, seed);
            distinct.insert(pause);
            let offset = pause.as_micros() - 100_000;
            let bucket = usize::try_from(offset / 10_001).unwrap();
            *buckets.get_mut(bucket).unwrap() += 1;
        }
        assert!(distinct.len() > 990, "{} distinct pauses", distinct.len());
        for count in buckets {
            // 100 expected per bucket.
            assert!((60..=140).contains(&count), "{buckets:?}");
        }
        // Consecutive seeds do not move in step from one attempt to the next.
        let same_order = (0..1_000u64)
            .filter(|&seed| {
                (policy.pause_after(1, seed) < policy.pause_after(1, seed + 1))
                    == (policy.pause_after(2, seed) < policy.pause_after(2, seed + 1))
            })
            .count();
        assert!((350..=650).contains(&same_order), "{same_order}");
    }

    #[test]
    fn jitter_of_tiny_and_huge_delays_is_bounded() {
        let zero = RetryPolicy::new(3, Duration::ZERO, Duration::ZERO);
        assert_eq!(zero.pause_after(1, 99), Duration::ZERO);
        let one = RetryPolicy::new(3, Duration::from_nanos(1), Duration::from_nanos(1));
        assert!(one.pause_after(1, 99) <= Duration::from_nanos(1));
        let huge = RetryPolicy::new(3, Duration::MAX, Duration::MAX);
        assert_eq!(huge.pause_after(2, 99), Duration::MAX);
        let wide = RetryPolicy::new(3, Duration::from_nanos(u64::MAX), Duration::MAX);
        let pause = wide.pause_after(1, 5);
        assert!(pause >= Duration::from_nanos(u64::MAX / 2));
    }

    fn answered(status: u16) -> Error {
        let config = Config::new(1, "not-a-real-secret");
        let op = PaymentStatusCheck::new("order-1".parse().unwrap());
        assert!(op.build_request(&config).is_ok());
        let response = http::Response::builder()
            .status(status)
            .header(http::header::CONTENT_TYPE, "text/html")
            .body(b"<html>busy</html>".to_vec())
            .unwrap();
        op.parse_response(&response).unwrap_err()
    }

    #[test]
    fn retry_after_within_the_bound_is_the_pause() {
        let policy = RetryPolicy::default();
        for status in [429, 503] {
            let error = answered(status);
            assert_eq!(error.http_status().map(|s| s.as_u16()), Some(status));
            assert_eq!(
                policy.decide_with(true, &error, 1, 3, Some(Duration::from_secs(2))),
                RetryDecision::RetryAfter(Duration::from_secs(2)),
                "{status}"
            );
            // Never shorter than the policy's own backoff.
            assert_eq!(
                policy.decide_with(true, &error, 1, 3, Some(Duration::ZERO)),
                RetryDecision::RetryAfter(policy.pause_after(1, 3))
            );
            assert_eq!(
                policy.decide_with(true, &error, 1, 3, Some(DEFAULT_MAX_RETRY_AFTER)),
                RetryDecision::RetryAfter(DEFAULT_MAX_RETRY_AFTER)
            );
        }
    }

    #[test]
    fn retry_after_past_the_bound_stops() {
        let error = answered(503);
        let policy = RetryPolicy::default();
        let just_over = DEFAULT_MAX_RETRY_AFTER + Duration::from_millis(1);
        assert_eq!(
            policy.decide_with(true, &error, 1, 3, Some(just_over)),
            RetryDecision::Stop
        );
        assert_eq!(
            policy.decide_with(true, &error, 1, 3, Some(Duration::MAX)),
            RetryDecision::Stop
        );
        let patient = policy.with_max_retry_after(Duration::from_secs(60));
        assert_eq!(patient.max_retry_after(), Duration::from_secs(60));
        assert_eq!(
            patient.decide_with(true, &error, 1, 3, Some(Duration::from_secs(30))),
            RetryDecision::RetryAfter(Duration::from_secs(30))
        );
    }

    #[test]
    fn retry_after_never_makes_an_unsafe_resend_safe() {
        let policy = RetryPolicy::default();
        let error = answered(503);
        let capture = SetAccept::capture("e3f40dc3-4955-412a-853a-2ddd28d3201f".parse().unwrap());
        assert!(!capture.is_idempotent());
        assert_eq!(
            policy.decide_with(false, &error, 1, 3, Some(Duration::from_secs(1))),
            RetryDecision::Stop
        );
        // Nor adds an attempt past the last.
        assert_eq!(
            policy.decide_with(true, &error, 3, 3, Some(Duration::from_secs(1))),
            RetryDecision::Stop
        );
    }

    #[test]
    fn retry_after_counts_only_under_429_and_503() {
        let policy = RetryPolicy::default();
        let timeout = Error::Transport(TransportError::bare(TransportErrorKind::Timeout));
        assert_eq!(
            policy.decide_with(true, &timeout, 1, 3, Some(Duration::from_secs(600))),
            RetryDecision::RetryAfter(policy.pause_after(1, 3))
        );
        let bad_gateway = answered(502);
        assert_eq!(
            policy.decide_with(true, &bad_gateway, 1, 3, Some(Duration::from_secs(600))),
            RetryDecision::RetryAfter(policy.pause_after(1, 3))
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // 06 Nov 1994 08:49:37 UTC
        assert_eq!(parse_retry_after(b"1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(b" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(b"0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after(b"99999999999999999999999", now),
            Some(Duration::MAX)
        );
        assert_eq!(
            parse_retry_after(b"Sun, 06 Nov 1994 08:49:40 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after(b"Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        for junk in [
            &b""[..],
            b"-1",
            b"1.5",
            b"soon",
            b"\xff\xfe",
            b"Sunday, 06-Nov-94 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
    }
}
