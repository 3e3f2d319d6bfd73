//! Refunds that are `new`, then `pending`, before `succeeded`; refund
//! limits per currency; fiscal receipts of payments sent without a basket.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{code, dec, init_time, send};
use octo_proto::op::{FiscalData, PaymentStatusCheck, PreparePayment, Refund};
use octo_proto::{Currency, PaymentUuid, RefundStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{ManualClock, RefundSettlement, Sandbox, SandboxConfig, SandboxHandle};

async fn paid(sb: &SandboxHandle, id: &str, total: &str, currency: Currency) -> PaymentUuid {
    let p = PreparePayment::new(
        id.parse().unwrap(),
        dec(total),
        currency,
        "d",
        "https://shop.example/r",
        init_time(),
    );
    let p = send(sb, &p).await.unwrap();
    sb.customer()
        .pay(
            p.octo_payment_uuid.as_str(),
            &test_card(CardBehaviour::Success),
        )
        .unwrap();
    p.octo_payment_uuid
}

fn refund(id: &str, uuid: &PaymentUuid, amount: &str) -> Refund {
    Refund::new(id.parse().unwrap(), uuid.clone(), dec(amount))
}

async fn refunded_sum(sb: &SandboxHandle, id: &str) -> rust_decimal::Decimal {
    send(sb, &PaymentStatusCheck::new(id.parse().unwrap()))
        .await
        .unwrap()
        .refunded_sum
        .unwrap()
}

#[tokio::test]
async fn a_refund_stays_pending_for_a_number_of_status_checks() {
    let sb = Sandbox::builder()
        .refund_settlement(RefundSettlement::AfterChecks(2))
        .start()
        .await
        .unwrap();
    let uuid = paid(&sb, "pend-1", "100000", Currency::Uzs).await;
    let created = send(&sb, &refund("rf-1", &uuid, "30000")).await.unwrap();
    assert_eq!(created.status, RefundStatus::New);
    // Check 1 (the payment's status check): still pending, not counted.
    assert_eq!(refunded_sum(&sb, "pend-1").await, dec("0"));
    // A pending refund still counts against what is left to refund.
    assert_eq!(code(send(&sb, &refund("rf-2", &uuid, "70000.01")).await), 3);
    // Check 2 (the same refund asked again): pending.
    let again = send(&sb, &refund("rf-1", &uuid, "30000")).await.unwrap();
    assert_eq!(again.status, RefundStatus::Pending);
    assert_eq!(again.refund_id, created.refund_id);
    // Check 3: settled.
    assert_eq!(refunded_sum(&sb, "pend-1").await, dec("30000"));
    let done = send(&sb, &refund("rf-1", &uuid, "30000")).await.unwrap();
    assert_eq!(done.status, RefundStatus::Succeeded);
    assert_eq!(refunded_sum(&sb, "pend-1").await, dec("30000"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_refund_stays_pending_for_a_duration() {
    let clock = ManualClock::starting_now();
    let sb = Sandbox::builder()
        .clock(clock.clone())
        .refund_settlement(RefundSettlement::After(time::Duration::minutes(5)))
        .start()
        .await
        .unwrap();
    let uuid = paid(&sb, "pend-2", "50000", Currency::Uzs).await;
    let created = send(&sb, &refund("rf-1", &uuid, "20000")).await.unwrap();
    assert_eq!(created.status, RefundStatus::New);
    clock.advance(time::Duration::minutes(4));
    let pending = send(&sb, &refund("rf-1", &uuid, "20000")).await.unwrap();
    assert_eq!(pending.status, RefundStatus::Pending);
    assert_eq!(refunded_sum(&sb, "pend-2").await, dec("0"));
    clock.advance(time::Duration::minutes(1));
    assert_eq!(refunded_sum(&sb, "pend-2").await, dec("20000"));
    let done = send(&sb, &refund("rf-1", &uuid, "20000")).await.unwrap();
    assert_eq!(done.status, RefundStatus::Succeeded);
    sb.shutdown().await;
}

#[tokio::test]
async fn by_default_a_refund_succeeds_at_once() {
    let sb = Sandbox::builder().start().await.unwrap();
    let uuid = paid(&sb, "now-1", "50000", Currency::Uzs).await;
    let r = send(&sb, &refund("rf-1", &uuid, "20000")).await.unwrap();
    assert_eq!(r.status, RefundStatus::Succeeded);
    assert_eq!(refunded_sum(&sb, "now-1").await, dec("20000"));
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

    let sb = Sandbox::builder().start().await.unwrap();
    let usd = paid(&sb, "lim-usd", "1000", Currency::Usd).await;
    assert_eq!(code(send(&sb, &refund("a", &usd, "0.99")).await), 3);
    assert_eq!(code(send(&sb, &refund("b", &usd, "793.66")).await), 3);
    send(&sb, &refund("c", &usd, "793.65")).await.unwrap();
    // RUB is among the current page's currencies.
    let rub = paid(&sb, "lim-rub", "5000", Currency::Rub).await;
    assert_eq!(code(send(&sb, &refund("d", &rub, "94.99")).await), 3);
    send(&sb, &refund("e", &rub, "95")).await.unwrap();
    sb.shutdown().await;
}

#[tokio::test]
async fn fiscal_data_works_for_a_payment_without_a_basket() {
    // Single-product shops send no basket; OCTO fiscalises the shop's
    // first active product (fiscalization page).
    let sb = Sandbox::builder().start().await.unwrap();
    let uuid = paid(&sb, "fis-none", "1000", Currency::Uzs).await;
    let receipt = send(&sb, &FiscalData::new(uuid)).await.unwrap();
    assert_eq!(receipt.message.as_deref(), Some("accepted"));
    assert!(receipt.receipt_id.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_pending_refund_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("octo-sandbox-pending-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pending.redb");
    let _ = std::fs::remove_file(&path);
    let start = || {
        Sandbox::builder()
            .data_file(&path)
            .refund_settlement(RefundSettlement::AfterChecks(1))
            .start()
    };
    let sb = start().await.unwrap();
    let uuid = paid(&sb, "keep-1", "100000", Currency::Uzs).await;
    let created = send(&sb, &refund("rf-1", &uuid, "40000")).await.unwrap();
    assert_eq!(created.status, RefundStatus::New);
    sb.shutdown().await;

    let sb = start().await.unwrap();
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

    let sb = start().await.unwrap();
    let done = send(&sb, &refund("rf-1", &uuid, "40000")).await.unwrap();
    assert_eq!(done.status, RefundStatus::Succeeded);
    assert_eq!(refunded_sum(&sb, "keep-1").await, dec("40000"));
    sb.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
