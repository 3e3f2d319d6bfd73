//! The tracing spans of a call. Only names, ids chosen by the shop, attempt
//! numbers, statuses and times go in: never bodies, secrets or card data.

use octo_proto::Operation;
use octo_proto::machine::Command;
use octo_proto::op::Endpoint;
use tracing::field::Empty;

/// The span of one call, across its attempts.
pub(crate) fn call_span<O: Operation>(op: &O) -> tracing::Span {
    span(op.endpoint(), op.idempotency_key())
}

/// The span of one state-machine command, across its attempts.
pub(crate) fn command_span(command: &Command) -> tracing::Span {
    span(command.endpoint(), command.idempotency_key())
}

fn span(endpoint: Endpoint, key: Option<&str>) -> tracing::Span {
    // A refund's key is the shop's refund id, not a transaction id.
    let (transaction, refund) = if endpoint == Endpoint::Refund {
        (None, key)
    } else {
        (key, None)
    };
    tracing::info_span!(
        "octo.call",
        operation = endpoint.name(),
        shop_transaction_id = transaction,
        shop_refund_id = refund,
    )
}

/// The span of one attempt; status and time are recorded when known.
pub(crate) fn attempt_span(attempt: u32) -> tracing::Span {
    tracing::debug_span!(
        "octo.attempt",
        attempt,
        http.status = Empty,
        elapsed_ms = Empty
    )
}

/// When an attempt started, if its span is recorded at all: without a
/// subscriber that wants the span, the clock is not read.
pub(crate) fn start(span: &tracing::Span) -> Option<std::time::Instant> {
    (!span.is_disabled()).then(std::time::Instant::now)
}

/// Records `elapsed_ms` on an attempt's span begun at `started` (see
/// [`start`]).
pub(crate) fn record_elapsed(span: &tracing::Span, started: Option<std::time::Instant>) {
    if let Some(started) = started {
        span.record("elapsed_ms", elapsed_ms(started));
    }
}

/// Milliseconds since `started`, saturating.
pub(crate) fn elapsed_ms(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
