//! State kept in a data file survives a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{
    answer, assert_finished, checked, data_file, dec, pay, payment, prepared, refund, started,
};
use octo_proto::{PaymentMethod, PaymentStatus, TokenStatus};
use octo_sandbox::Sandbox;
use octo_sandbox::cards::CardBehaviour;
use octo_testkit::cards::binding;

#[tokio::test]
async fn payments_refunds_and_tokens_survive_a_restart() {
    let path = data_file("restart.redb");
    let sb = started(Sandbox::builder().data_file(&path)).await;
    let op = payment("keep-1", "30000.25");
    let uuid = prepared(&sb, &op).await;
    pay(&sb, uuid.as_str(), CardBehaviour::Success);
    let refund = refund("keep-r", &uuid, "13000");
    let first = answer(&sb, &refund).await;
    let pending = prepared(&sb, &payment("keep-2", "1")).await;
    let binding = binding("keep-b", "4111111111111111", PaymentMethod::BankCard, None);
    let binding = answer(&sb, &binding).await.octo_payment_uuid;
    sb.customer().confirm_3ds(binding.as_str()).unwrap();
    sb.shutdown().await;

    let sb = started(Sandbox::builder().data_file(&path)).await;
    assert_eq!(sb.payment_count(), 3);
    let status = checked(&sb, "keep-1").await;
    assert_eq!(status.status, PaymentStatus::Succeeded);
    assert_eq!(status.refunded_sum.unwrap(), dec("13000"));
    assert_eq!(status.total_sum.unwrap().to_string(), "30000.25");
    let again = answer(&sb, &refund).await;
    assert_eq!(
        again.refund_id, first.refund_id,
        "the refund is still known"
    );
    let again = prepared(&sb, &op).await;
    assert_eq!(again, uuid, "so is the payment's key");
    assert_eq!(
        sb.binding_token(binding.as_str()).unwrap().1,
        TokenStatus::Active
    );
    let step = pay(&sb, pending.as_str(), CardBehaviour::Success);
    assert_finished(&step, PaymentStatus::Succeeded);
    let fresh = prepared(&sb, &payment("keep-3", "1")).await;
    assert_ne!(fresh, uuid);
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}
