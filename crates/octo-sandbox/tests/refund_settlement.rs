//! Refunds that are `new`, then `pending`, before `succeeded` (or
//! `canceled`, when the sandbox is told they fail); refund
//! limits per currency; fiscal receipts of payments sent without a basket.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{
    answer, checked, clocked, code, data_file, dec, paid, payment, payment_in, refund, sandbox,
    send, started,
};
use octo_proto::op::FiscalData;
use octo_proto::{Currency, PaymentUuid, RefundStatus};
use octo_sandbox::{DuplicateRefund, RefundSettlement, Sandbox, SandboxConfig, SandboxHandle};

async fn refunded_sum(sb: &SandboxHandle, id: &str) -> rust_decimal::Decimal {
    checked(sb, id).await.refunded_sum.unwrap()
}

/// Asked again, the refund `rf-1` of `amount` of `uuid` has succeeded, and
/// the status check of the payment `id` counts it.
async fn assert_settled(sb: &SandboxHandle, id: &str, uuid: &PaymentUuid, amount: &str) {
    let done = answer(sb, &refund("rf-1", uuid, amount)).await;
    assert_eq!(done.status, RefundStatus::Succeeded, "{id}");
    assert_eq!(refunded_sum(sb, id).await, dec(amount), "{id}");
}

#[tokio::test]
async fn a_refund_stays_pending_for_a_number_of_status_checks() {
    let sb = started(Sandbox::builder().refund_settlement(RefundSettlement::AfterChecks(2))).await;
    let uuid = paid(&sb, &payment("pend-1", "100000")).await;
    let created = answer(&sb, &refund("rf-1", &uuid, "30000")).await;
    assert_eq!(created.status, RefundStatus::New);
    // Check 1 (the payment's status check): still pending, not counted.
    assert_eq!(refunded_sum(&sb, "pend-1").await, dec("0"));
    // A pending refund still counts against what is left to refund.
    assert_eq!(code(send(&sb, &refund("rf-2", &uuid, "70000.01")).await), 3);
    // Check 2 (the same refund asked again): pending.
    let again = answer(&sb, &refund("rf-1", &uuid, "30000")).await;
    assert_eq!(again.status, RefundStatus::Pending);
    assert_eq!(again.refund_id, created.refund_id);
    // Check 3: settled.
    assert_eq!(refunded_sum(&sb, "pend-1").await, dec("30000"));
    assert_settled(&sb, "pend-1", &uuid, "30000").await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_refund_can_stay_pending_and_then_be_canceled() {
    let fails = RefundSettlement::FailsAfterChecks(1);
    let sb = started(Sandbox::builder().refund_settlement(fails)).await;
    let uuid = paid(&sb, &payment("fail-1", "100000")).await;
    let created = answer(&sb, &refund("rf-1", &uuid, "100000")).await;
    assert_eq!(created.status, RefundStatus::New);
    // While it is open its amount is reserved.
    assert_eq!(code(send(&sb, &refund("rf-2", &uuid, "12600")).await), 3);
    // Check 1 (the same refund asked again): pending.
    let pending = answer(&sb, &refund("rf-1", &uuid, "100000")).await;
    assert_eq!(pending.status, RefundStatus::Pending);
    // Check 2: canceled, and it stays so; nothing was refunded.
    let canceled = answer(&sb, &refund("rf-1", &uuid, "100000")).await;
    assert_eq!(canceled.status, RefundStatus::Canceled);
    assert_eq!(canceled.refund_id, created.refund_id);
    let again = answer(&sb, &refund("rf-1", &uuid, "100000")).await;
    assert_eq!(again.status, RefundStatus::Canceled);
    assert_eq!(refunded_sum(&sb, "fail-1").await, dec("0"));
    let ledger = sb.refunds();
    assert_eq!(ledger.len(), 1);
    assert!(ledger[0].canceled && !ledger[0].settled, "{ledger:?}");
    // The amount is free again, under another id (which fails the same
    // way under this settlement, but is taken).
    let other = answer(&sb, &refund("rf-3", &uuid, "100000")).await;
    assert_eq!(other.status, RefundStatus::New);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_failing_refund_is_canceled_by_the_payments_status_checks_too() {
    let fails = RefundSettlement::FailsAfterChecks(0);
    let sb = started(Sandbox::builder().refund_settlement(fails)).await;
    let uuid = paid(&sb, &payment("fail-2", "50000")).await;
    let created = answer(&sb, &refund("rf-1", &uuid, "20000")).await;
    assert_eq!(created.status, RefundStatus::New);
    // The payment's status check is the refund's check 1: canceled.
    assert_eq!(refunded_sum(&sb, "fail-2").await, dec("0"));
    let asked = answer(&sb, &refund("rf-1", &uuid, "20000")).await;
    assert_eq!(asked.status, RefundStatus::Canceled);
    assert_eq!(refunded_sum(&sb, "fail-2").await, dec("0"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_refund_stays_pending_for_a_duration() {
    let after = RefundSettlement::After(time::Duration::minutes(5));
    let (clock, sb) = clocked(|b| b.refund_settlement(after)).await;
    let uuid = paid(&sb, &payment("pend-2", "50000")).await;
    let created = answer(&sb, &refund("rf-1", &uuid, "20000")).await;
    assert_eq!(created.status, RefundStatus::New);
    clock.advance(time::Duration::minutes(4));
    let pending = answer(&sb, &refund("rf-1", &uuid, "20000")).await;
    assert_eq!(pending.status, RefundStatus::Pending);
    assert_eq!(refunded_sum(&sb, "pend-2").await, dec("0"));
    clock.advance(time::Duration::minutes(1));
    assert_eq!(refunded_sum(&sb, "pend-2").await, dec("20000"));
    let done = answer(&sb, &refund("rf-1", &uuid, "20000")).await;
    assert_eq!(done.status, RefundStatus::Succeeded);
    sb.shutdown().await;
}

#[tokio::test]
async fn by_default_a_refund_succeeds_at_once() {
    let sb = sandbox().await;
    let uuid = paid(&sb, &payment("now-1", "50000")).await;
    assert_settled(&sb, "now-1", &uuid, "20000").await;
    sb.shutdown().await;
}

#[tokio::test]
async fn refund_limits_are_written_per_currency() {
    let config = SandboxConfig::default();
    let uzs = config.refund_limit(&Currency::Uzs).unwrap();
    assert_eq!((uzs.min, uzs.max), (dec("12600"), dec("10000000")));
    let usd = config.refund_limit(&Currency::Usd).unwrap();
    assert_eq!((usd.min, usd.max), (dec("1"), dec("793.65")));
    let rub = config.refund_limit(&Currency::Rub).unwrap();
    assert_eq!(rub.min, dec("95"));

    let sb = sandbox().await;
    let usd = paid(&sb, &payment_in("lim-usd", "1000", Currency::Usd)).await;
    assert_eq!(code(send(&sb, &refund("a", &usd, "0.99")).await), 3);
    assert_eq!(code(send(&sb, &refund("b", &usd, "793.66")).await), 3);
    answer(&sb, &refund("c", &usd, "793.65")).await;
    // RUB is among the current page's currencies.
    let rub = paid(&sb, &payment_in("lim-rub", "5000", Currency::Rub)).await;
    assert_eq!(code(send(&sb, &refund("d", &rub, "94.99")).await), 3);
    answer(&sb, &refund("e", &rub, "95")).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn fiscal_data_works_for_a_payment_without_a_basket() {
    // Single-product shops send no basket; OCTO fiscalises the shop's
    // first active product (fiscalization page).
    let sb = sandbox().await;
    let uuid = paid(&sb, &payment("fis-none", "1000")).await;
    let receipt = answer(&sb, &FiscalData::new(uuid)).await;
    assert_eq!(receipt.message.as_deref(), Some("accepted"));
    assert!(receipt.receipt_id.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_pending_refund_survives_a_restart() {
    let path = data_file("pending.redb");
    let start = || {
        started(
            Sandbox::builder()
                .data_file(&path)
                .refund_settlement(RefundSettlement::AfterChecks(1)),
        )
    };
    let sb = start().await;
    let uuid = paid(&sb, &payment("keep-1", "100000")).await;
    let created = answer(&sb, &refund("rf-1", &uuid, "40000")).await;
    assert_eq!(created.status, RefundStatus::New);
    sb.shutdown().await;

    let sb = start().await;
    // Still counted against the remainder after the restart.
    assert_eq!(code(send(&sb, &refund("rf-2", &uuid, "60000.01")).await), 3);
    assert_eq!(
        refunded_sum(&sb, "keep-1").await,
        dec("0"),
        "check 1: pending"
    );
    assert_eq!(
        refunded_sum(&sb, "keep-1").await,
        dec("40000"),
        "check 2: done"
    );
    sb.shutdown().await;

    let sb = start().await;
    let done = answer(&sb, &refund("rf-1", &uuid, "40000")).await;
    assert_eq!(done.status, RefundStatus::Succeeded);
    assert_eq!(refunded_sum(&sb, "keep-1").await, dec("40000"));
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_failing_refund_still_fails_after_a_restart() {
    let path = data_file("failing.redb");
    let start = || {
        started(
            Sandbox::builder()
                .data_file(&path)
                .refund_settlement(RefundSettlement::FailsAfterChecks(0)),
        )
    };
    let sb = start().await;
    let uuid = paid(&sb, &payment("fail-keep", "100000")).await;
    let created = answer(&sb, &refund("rf-1", &uuid, "40000")).await;
    assert_eq!(created.status, RefundStatus::New);
    sb.shutdown().await;

    // Started again with refunds that succeed: the refund made to fail
    // keeps its fate.
    let sb = started(
        Sandbox::builder()
            .data_file(&path)
            .refund_settlement(RefundSettlement::AfterChecks(0)),
    )
    .await;
    let asked = answer(&sb, &refund("rf-1", &uuid, "40000")).await;
    assert_eq!(asked.status, RefundStatus::Canceled);
    assert_eq!(refunded_sum(&sb, "fail-keep").await, dec("0"));
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_duplicate_refund_id_is_answered_or_refused_as_configured() {
    for (setting, refused) in [
        (DuplicateRefund::Answered, false),
        (DuplicateRefund::Refused, true),
    ] {
        let sb = started(Sandbox::builder().duplicate_refund(setting)).await;
        let uuid = paid(&sb, &payment("dup-1", "100000")).await;
        let first = answer(&sb, &refund("rf-1", &uuid, "30000")).await;
        assert_eq!(first.status, RefundStatus::Succeeded);
        let again = send(&sb, &refund("rf-1", &uuid, "30000")).await;
        if refused {
            assert_eq!(code(again), 1, "{setting:?}");
        } else {
            assert_eq!(again.unwrap().refund_id, first.refund_id, "{setting:?}");
        }
        // Refunded once either way.
        assert_eq!(
            refunded_sum(&sb, "dup-1").await,
            dec("30000"),
            "{setting:?}"
        );
        sb.shutdown().await;
    }
}
