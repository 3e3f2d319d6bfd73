//! refund: only paid payments, never more than the total, within limits,
//! once per shop_refund_id; fiscal receipts of paid fiscal payments.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{
    answer, checked, code, dec, paid, payment, payment_in, prepared, refund, sandbox, send, started,
};
use octo_proto::op::{FiscalData, PreparePayment, UserData};
use octo_proto::{Currency, PaymentStatus, PaymentUuid, RefundStatus};
use octo_sandbox::cards::CardBehaviour;
use octo_sandbox::{FiscalObject, Sandbox, SandboxHandle};

/// The OCTO error code of refunding `amount` of `uuid` as `id`.
async fn refund_code(sb: &SandboxHandle, id: &str, uuid: &PaymentUuid, amount: &str) -> i64 {
    code(send(sb, &refund(id, uuid, amount)).await)
}

/// `prepare` with the buyer's phone, for a receipt.
fn with_buyer(mut prepare: PreparePayment, user_id: &str, phone: &str) -> PreparePayment {
    prepare.user_data = Some(UserData {
        user_id: user_id.into(),
        phone: phone.into(),
        email: String::new(),
    });
    prepare
}

/// A payment of `total` in `currency` with the buyer's phone, paid.
async fn paid_in(sb: &SandboxHandle, id: &str, total: &str, currency: Currency) -> PaymentUuid {
    let prepare = with_buyer(payment_in(id, total, currency), "u1", "998901234567");
    paid(sb, &prepare).await
}

#[tokio::test]
async fn partial_then_full_refunds_up_to_the_total_once_per_id() {
    let sb = sandbox().await;
    let uuid = paid_in(&sb, "r-1", "100000.00", Currency::Uzs).await;
    let first = answer(&sb, &refund("rf-1", &uuid, "30000.50")).await;
    assert_eq!(first.status, RefundStatus::Succeeded);
    assert!(first.refund_id.is_some() && first.refund_time.is_some());
    let repeat = answer(&sb, &refund("rf-1", &uuid, "30000.50")).await;
    assert_eq!(
        repeat.refund_id, first.refund_id,
        "a repeat is the same refund"
    );
    assert_eq!(
        refund_code(&sb, "rf-1", &uuid, "1.00").await,
        1,
        "same id, other refund"
    );

    assert_eq!(
        refund_code(&sb, "rf-2", &uuid, "70000.00").await,
        3,
        "more than what is left"
    );
    answer(&sb, &refund("rf-3", &uuid, "69999.50")).await;
    let status = checked(&sb, "r-1").await;
    assert_eq!(status.refunded_sum.unwrap(), dec("100000.00"));
    assert_eq!(status.status, PaymentStatus::Succeeded);
    assert_eq!(
        refund_code(&sb, "rf-4", &uuid, "12600").await,
        3,
        "nothing left"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn refunds_need_a_paid_payment_and_respect_the_limits() {
    let sb = sandbox().await;
    let unpaid = prepared(&sb, &payment("r-2", "50000")).await;
    assert_eq!(refund_code(&sb, "a", &unpaid, "20000").await, 1);
    assert_eq!(
        refund_code(&sb, "b", &"no-such".parse().unwrap(), "20000").await,
        1
    );

    let uzs = paid_in(&sb, "r-3", "20000000", Currency::Uzs).await;
    assert_eq!(refund_code(&sb, "c", &uzs, "12599").await, 3, "under 1 USD");
    assert_eq!(
        refund_code(&sb, "d", &uzs, "10000000.01").await,
        3,
        "over 10,000,000 UZS"
    );
    answer(&sb, &refund("e", &uzs, "10000000")).await;

    let usd = paid_in(&sb, "r-4", "10", Currency::Usd).await;
    assert_eq!(refund_code(&sb, "f", &usd, "0.99").await, 3);
    answer(&sb, &refund("g", &usd, "1")).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn fiscal_receipts_only_for_paid_payments() {
    let object = FiscalObject::of_entrepreneur("00305001001000000", "1425207", 1, "123451246");
    let item = object.basket_item("Fish", 2, dec("50.00"));
    let sb = started(Sandbox::builder().fiscal_object(object)).await;
    let mut fish = payment("fis-1", "100.00").with_basket(vec![item]);
    fish.description = "fish".into();
    let p = with_buyer(fish, "u", "998781290011");
    let uuid = prepared(&sb, &p).await;
    assert_eq!(
        code(send(&sb, &FiscalData::new(uuid.clone())).await),
        1,
        "not paid yet"
    );
    common::pay(&sb, uuid.as_str(), CardBehaviour::Success);
    let receipt = answer(&sb, &FiscalData::new(uuid.clone())).await;
    assert_eq!(receipt.phone.as_deref(), Some("998781290011"));
    assert_eq!(receipt.message.as_deref(), Some("accepted"));
    assert!(receipt.date_time.is_some());
    assert!(
        receipt
            .qr_code_url
            .unwrap()
            .contains(receipt.receipt_id.as_deref().unwrap())
    );
    let again = answer(&sb, &FiscalData::new(uuid)).await;
    assert_eq!(again.receipt_id, receipt.receipt_id);

    // Without a basket the shop's registered product is fiscalised.
    let plain = paid_in(&sb, "fis-2", "100", Currency::Uzs).await;
    let receipt = answer(&sb, &FiscalData::new(plain)).await;
    assert_eq!(receipt.message.as_deref(), Some("accepted"));
    sb.shutdown().await;
}
