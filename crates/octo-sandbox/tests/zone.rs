//! Wall-clock times on the wire are in the sandbox's zone, Tashkent
//! (UTC+05:00) unless configured: `payed_time`, `refund_time` and the
//! receipt's `dateTime` are written in it, `init_time` is read in it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Receiver, code, dec, send};
use octo_proto::Currency;
use octo_proto::op::{FiscalData, PaymentStatusCheck, PreparePayment, Refund};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{DEFAULT_ZONE, ManualClock, Sandbox, SandboxBuilder, SandboxHandle};
use time::macros::datetime;
use time::{PrimitiveDateTime, UtcOffset};

/// 04:17 UTC is 09:17 in Tashkent.
fn clock() -> ManualClock {
    ManualClock::new(datetime!(2024-05-02 04:17:00 UTC))
}

async fn prepare(sb: &SandboxHandle, id: &str, init_time: PrimitiveDateTime) {
    let p = PreparePayment::new(
        id.parse().unwrap(),
        dec("1000"),
        Currency::Uzs,
        "d",
        "https://shop.example/r",
        init_time,
    );
    send(sb, &p).await.unwrap();
}

async fn times(builder: SandboxBuilder) -> (String, String, String, String) {
    let receiver = Receiver::start().await;
    let sb = builder.clock(clock()).start().await.unwrap();
    let mut p = PreparePayment::new(
        "z-1".parse().unwrap(),
        dec("50000"),
        Currency::Uzs,
        "d",
        "https://shop.example/r",
        datetime!(2024-05-02 09:17:00),
    );
    p.notify_url = Some(receiver.url("/notify"));
    let uuid = send(&sb, &p).await.unwrap().octo_payment_uuid;
    sb.customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::Success))
        .unwrap();
    let notified = receiver.next().await.json["payed_time"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = send(&sb, &PaymentStatusCheck::new("z-1".parse().unwrap()))
        .await
        .unwrap()
        .payed_time
        .unwrap();
    let refund = Refund::new("rf-1".parse().unwrap(), uuid.clone(), dec("20000"));
    let refund_time = send(&sb, &refund).await.unwrap().refund_time.unwrap();
    let receipt = send(&sb, &FiscalData::new(uuid)).await.unwrap();
    sb.shutdown().await;
    let fmt = |t: PrimitiveDateTime| octo_proto::datetime::format_octo(t);
    (
        notified,
        fmt(status),
        fmt(refund_time),
        fmt(receipt.date_time.unwrap()),
    )
}

#[tokio::test]
async fn times_are_written_in_tashkent_by_default() {
    assert_eq!(DEFAULT_ZONE, UtcOffset::from_hms(5, 0, 0).unwrap());
    let (notified, status, refund, receipt) = times(Sandbox::builder()).await;
    assert_eq!(
        notified, "2024-05-02 09:17:00",
        "payed_time in the notification"
    );
    assert_eq!(
        status, "2024-05-02 09:17:00",
        "payed_time in the status check"
    );
    assert_eq!(refund, "2024-05-02 09:17:00", "refund_time");
    assert_eq!(receipt, "2024-05-02 09:17:00", "the receipt's dateTime");
}

#[tokio::test]
async fn the_zone_is_configurable() {
    let (notified, status, refund, receipt) = times(Sandbox::builder().zone(UtcOffset::UTC)).await;
    assert_eq!(notified, "2024-05-02 04:17:00");
    assert_eq!(status, "2024-05-02 04:17:00");
    assert_eq!(refund, "2024-05-02 04:17:00");
    assert_eq!(receipt, "2024-05-02 04:17:00");
}

#[tokio::test]
async fn a_strict_sandbox_reads_init_time_in_its_zone() {
    let sb = Sandbox::builder()
        .clock(clock())
        .strict(true)
        .start()
        .await
        .unwrap();
    // Tashkent's wall clock: accepted.
    prepare(&sb, "ok-1", datetime!(2024-05-02 09:20:00)).await;
    // The same instant written as UTC wall time is five hours off.
    let utc_wall = PreparePayment::new(
        "off-1".parse().unwrap(),
        dec("1000"),
        Currency::Uzs,
        "d",
        "https://shop.example/r",
        datetime!(2024-05-02 04:17:00),
    );
    assert_eq!(code(send(&sb, &utc_wall).await), 1);
    sb.shutdown().await;

    // Not strict: init_time is only checked for its format.
    let sb = Sandbox::builder().clock(clock()).start().await.unwrap();
    send(&sb, &utc_wall).await.unwrap();
    sb.shutdown().await;
}
