//! Deadline arithmetic that cannot overflow.
//!
//! Machines add durations that come from input (a payment's `ttl` of up to
//! `u32::MAX` minutes, a code's `secondsLeft`, the caller's
//! [`PaymentParams`](super::PaymentParams) and
//! [`BindingParams`](super::BindingParams)) to a `now` the caller chooses.
//! `time` panics when a sum leaves its range (years -9999 to 9999), so every
//! such sum goes through [`after`].

use time::{Duration, OffsetDateTime};

/// `now` plus `wait`, clamped: a negative `wait` counts as zero (a deadline
/// is never before `now`), and a sum past the end of `time`'s range is the
/// last instant it can represent (a deadline that will never come, which is
/// what a `ttl` of thousands of years means).
pub(crate) fn after(now: OffsetDateTime, wait: Duration) -> OffsetDateTime {
    now.saturating_add(wait.max(Duration::ZERO))
}

/// The shortest wait between two checks of the same thing: a configured
/// interval of zero (or less) would make a driver that sleeps until the
/// deadline ask OCTO again at once, in a loop.
pub(crate) const SHORTEST_RECHECK: Duration = Duration::seconds(1);

/// `now` plus a recheck `interval` of at least [`SHORTEST_RECHECK`].
pub(crate) fn recheck_after(now: OffsetDateTime, interval: Duration) -> OffsetDateTime {
    after(now, interval.max(SHORTEST_RECHECK))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sums_are_clamped() {
        let now = datetime!(2024-05-02 09:00 UTC);
        assert_eq!(
            after(now, Duration::minutes(5)),
            datetime!(2024-05-02 09:05 UTC)
        );
        assert_eq!(after(now, Duration::minutes(-5)), now);
        let far = after(now, Duration::minutes(i64::from(u32::MAX)));
        assert!(far > now && far.year() == 9999, "{far}");
        assert!(after(now, Duration::MAX) >= far);
        assert_eq!(
            recheck_after(now, Duration::ZERO),
            after(now, SHORTEST_RECHECK)
        );
        assert_eq!(
            recheck_after(now, Duration::seconds(-9)),
            after(now, SHORTEST_RECHECK)
        );
        assert_eq!(
            recheck_after(now, Duration::minutes(1)),
            after(now, Duration::minutes(1))
        );
    }
}
