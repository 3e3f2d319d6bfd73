//! State kept in a data file survives a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{dec, init_time, send};
use octo_proto::op::{PaymentStatusCheck, PreparePayment, Refund};
use octo_proto::{Currency, PaymentStatus, TokenStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{Sandbox, Step};

fn data_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("octo-sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

#[tokio::test]
async fn payments_refunds_and_tokens_survive_a_restart() {
    let path = data_file("restart.redb");
    let sb = Sandbox::builder().data_file(&path).start().await.unwrap();
    let op = PreparePayment::new(
        "keep-1".parse().unwrap(),
        dec("30000.25"),
        Currency::Uzs,
        "d",
        "https://shop.example/r",
        init_time(),
    );
    let created = send(&sb, &op).await.unwrap();
    let uuid = created.octo_payment_uuid.clone();
    sb.customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::Success))
        .unwrap();
    let refund = Refund::new("keep-r".parse().unwrap(), uuid.clone(), dec("13000"));
    let first = send(&sb, &refund).await.unwrap();
    let pending = send(
        &sb,
        &PreparePayment::new(
            "keep-2".parse().unwrap(),
            dec("1"),
            Currency::Uzs,
            "d",
            "https://shop.example/r",
            init_time(),
        ),
    )
    .await
    .unwrap();
    let binding = send(
        &sb,
        &octo_proto::op::BindCard {
            shop_transaction_id: "keep-b".parse().unwrap(),
            pan: octo_proto::Pan::new("4111111111111111").unwrap(),
            exp: octo_proto::CardExpiry::parse_yymm("3012").unwrap(),
            phone: "998901234567".into(),
            card_holder_name: "A".into(),
            cvc2: None,
            method: octo_proto::PaymentMethod::BankCard,
            return_url: "https://shop.example/b".into(),
            notify_url: None,
            bind_notify_url: None,
        },
    )
    .await
    .unwrap();
    sb.customer()
        .confirm_3ds(binding.octo_payment_uuid.as_str())
        .unwrap();
    sb.shutdown().await;

    let sb = Sandbox::builder().data_file(&path).start().await.unwrap();
    assert_eq!(sb.payment_count(), 3);
    let status = send(&sb, &PaymentStatusCheck::new("keep-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Succeeded);
    assert_eq!(status.refunded_sum.unwrap(), dec("13000"));
    assert_eq!(status.total_sum.unwrap().to_string(), "30000.25");
    let again = send(&sb, &refund).await.unwrap();
    assert_eq!(
        again.refund_id, first.refund_id,
        "the refund is still known"
    );
    let again = send(&sb, &op).await.unwrap();
    assert_eq!(again.octo_payment_uuid, uuid, "so is the payment's key");
    assert_eq!(
        sb.binding_token(binding.octo_payment_uuid.as_str())
            .unwrap()
            .1,
        TokenStatus::Active
    );
    let step = sb
        .customer()
        .pay(
            pending.octo_payment_uuid.as_str(),
            &test_card(CardBehaviour::Success),
        )
        .unwrap();
    assert!(matches!(
        step,
        Step::Finished {
            status: PaymentStatus::Succeeded,
            ..
        }
    ));
    let fresh = send(
        &sb,
        &PreparePayment::new(
            "keep-3".parse().unwrap(),
            dec("1"),
            Currency::Uzs,
            "d",
            "https://shop.example/r",
            init_time(),
        ),
    )
    .await
    .unwrap();
    assert_ne!(fresh.octo_payment_uuid, uuid);
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}
