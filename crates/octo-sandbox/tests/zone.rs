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

use common::{Receiver, answer, checked, code, notifying, paid, payment, refund, send, started};
use octo_proto::op::FiscalData;
use octo_sandbox::{DEFAULT_ZONE, ManualClock, Sandbox, SandboxBuilder};
use time::macros::datetime;
use time::{PrimitiveDateTime, UtcOffset};

/// 04:17 UTC is 09:17 in Tashkent.
fn clock() -> ManualClock {
    ManualClock::new(datetime!(2024-05-02 04:17:00 UTC))
}

/// A payment of 1000 UZS whose `init_time` is `init_time`.
fn initiated(id: &str, init_time: PrimitiveDateTime) -> octo_proto::op::PreparePayment {
    let mut p = payment(id, "1000");
    p.init_time = init_time.into();
    p
}

async fn times(builder: SandboxBuilder) -> (String, String, String, String) {
    let receiver = Receiver::start().await;
    let sb = started(builder.clock(clock())).await;
    let uuid = paid(&sb, &notifying("z-1", "50000", &receiver)).await;
    let notified = receiver.next().await.json["payed_time"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = checked(&sb, "z-1").await.payed_time.unwrap();
    let refund_time = answer(&sb, &refund("rf-1", &uuid, "20000"))
        .await
        .refund_time
        .unwrap();
    let receipt = answer(&sb, &FiscalData::new(uuid)).await;
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
    let sb = started(Sandbox::builder().clock(clock()).strict(true)).await;
    // Tashkent's wall clock: accepted.
    answer(&sb, &initiated("ok-1", datetime!(2024-05-02 09:20:00))).await;
    // The same instant written as UTC wall time is five hours off.
    let utc_wall = initiated("off-1", datetime!(2024-05-02 04:17:00));
    assert_eq!(code(send(&sb, &utc_wall).await), 1);
    sb.shutdown().await;

    // Not strict: init_time is only checked for its format.
    let sb = started(Sandbox::builder().clock(clock())).await;
    answer(&sb, &utc_wall).await;
    sb.shutdown().await;
}
