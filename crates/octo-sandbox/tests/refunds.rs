//! refund: only paid payments, never more than the total, within limits,
//! once per shop_refund_id; fiscal receipts of paid fiscal payments.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{code, dec, init_time, send};
use octo_proto::op::{BasketItem, FiscalData, PaymentStatusCheck, PreparePayment, Refund};
use octo_proto::{Currency, PaymentStatus, RefundStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{FiscalObject, Sandbox, SandboxHandle};

async fn paid(
    sb: &SandboxHandle,
    id: &str,
    total: &str,
    currency: Currency,
) -> octo_proto::PaymentUuid {
    let mut p = PreparePayment::new(
        id.parse().unwrap(),
        dec(total),
        currency,
        "d",
        "https://shop.example/r",
        init_time(),
    );
    p.user_data = Some(octo_proto::op::UserData {
        user_id: "u1".into(),
        phone: "998901234567".into(),
        email: String::new(),
    });
    let p = send(sb, &p).await.unwrap();
    sb.customer()
        .pay(
            p.octo_payment_uuid.as_str(),
            &test_card(CardBehaviour::Success),
        )
        .unwrap();
    p.octo_payment_uuid
}

fn refund(id: &str, uuid: &octo_proto::PaymentUuid, amount: &str) -> Refund {
    Refund::new(id.parse().unwrap(), uuid.clone(), dec(amount))
}

#[tokio::test]
async fn partial_then_full_refunds_up_to_the_total_once_per_id() {
    let sb = Sandbox::builder().start().await.unwrap();
    let uuid = paid(&sb, "r-1", "100000.00", Currency::Uzs).await;
    let first = send(&sb, &refund("rf-1", &uuid, "30000.50")).await.unwrap();
    assert_eq!(first.status, RefundStatus::Succeeded);
    assert!(first.refund_id.is_some() && first.refund_time.is_some());
    let repeat = send(&sb, &refund("rf-1", &uuid, "30000.50")).await.unwrap();
    assert_eq!(
        repeat.refund_id, first.refund_id,
        "a repeat is the same refund"
    );
    assert_eq!(
        code(send(&sb, &refund("rf-1", &uuid, "1.00")).await),
        1,
        "same id, other refund"
    );

    assert_eq!(
        code(send(&sb, &refund("rf-2", &uuid, "70000.00")).await),
        3,
        "more than what is left"
    );
    send(&sb, &refund("rf-3", &uuid, "69999.50")).await.unwrap();
    let status = send(&sb, &PaymentStatusCheck::new("r-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(status.refunded_sum.unwrap(), dec("100000.00"));
    assert_eq!(status.status, PaymentStatus::Succeeded);
    assert_eq!(
        code(send(&sb, &refund("rf-4", &uuid, "12600")).await),
        3,
        "nothing left"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn refunds_need_a_paid_payment_and_respect_the_limits() {
    let sb = Sandbox::builder().start().await.unwrap();
    let unpaid = send(
        &sb,
        &PreparePayment::new(
            "r-2".parse().unwrap(),
            dec("50000"),
            Currency::Uzs,
            "d",
            "https://shop.example/r",
            init_time(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        code(send(&sb, &refund("a", &unpaid.octo_payment_uuid, "20000")).await),
        1
    );
    assert_eq!(
        code(send(&sb, &refund("b", &"no-such".parse().unwrap(), "20000")).await),
        1
    );

    let uzs = paid(&sb, "r-3", "20000000", Currency::Uzs).await;
    assert_eq!(
        code(send(&sb, &refund("c", &uzs, "12599")).await),
        3,
        "under 1 USD"
    );
    assert_eq!(
        code(send(&sb, &refund("d", &uzs, "10000000.01")).await),
        3,
        "over 10,000,000 UZS"
    );
    send(&sb, &refund("e", &uzs, "10000000")).await.unwrap();

    let usd = paid(&sb, "r-4", "10", Currency::Usd).await;
    assert_eq!(code(send(&sb, &refund("f", &usd, "0.99")).await), 3);
    send(&sb, &refund("g", &usd, "1")).await.unwrap();
    sb.shutdown().await;
}

#[tokio::test]
async fn fiscal_receipts_only_for_paid_payments() {
    let sb = Sandbox::builder()
        .fiscal_object(FiscalObject {
            spic: "00305001001000000".into(),
            package_code: "1425207".into(),
            nds: 1,
            inn: None,
            pinfl: Some("123451246".into()),
        })
        .start()
        .await
        .unwrap();
    let mut item = BasketItem::new("Fish", 2, dec("50.00"));
    item.spic = Some("00305001001000000".into());
    item.package_code = Some("1425207".into());
    item.nds = Some(1);
    item.pinfl = Some("123451246".into());
    let mut p = PreparePayment::new(
        "fis-1".parse().unwrap(),
        dec("100.00"),
        Currency::Uzs,
        "fish",
        "https://shop.example/r",
        init_time(),
    )
    .with_basket(vec![item]);
    p.user_data = Some(octo_proto::op::UserData {
        user_id: "u".into(),
        phone: "998781290011".into(),
        email: String::new(),
    });
    let created = send(&sb, &p).await.unwrap();
    let uuid = created.octo_payment_uuid.clone();
    assert_eq!(
        code(send(&sb, &FiscalData::new(uuid.clone())).await),
        1,
        "not paid yet"
    );
    sb.customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::Success))
        .unwrap();
    let receipt = send(&sb, &FiscalData::new(uuid.clone())).await.unwrap();
    assert_eq!(receipt.phone.as_deref(), Some("998781290011"));
    assert_eq!(receipt.message.as_deref(), Some("accepted"));
    assert!(receipt.date_time.is_some());
    assert!(
        receipt
            .qr_code_url
            .unwrap()
            .contains(receipt.receipt_id.as_deref().unwrap())
    );
    let again = send(&sb, &FiscalData::new(uuid)).await.unwrap();
    assert_eq!(again.receipt_id, receipt.receipt_id);

    // Without a basket the shop's registered product is fiscalised.
    let plain = paid(&sb, "fis-2", "100", Currency::Uzs).await;
    let receipt = send(&sb, &FiscalData::new(plain)).await.unwrap();
    assert_eq!(receipt.message.as_deref(), Some("accepted"));
    sb.shutdown().await;
}
