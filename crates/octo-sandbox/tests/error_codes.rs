//! Error codes come from the sandbox's own table, built from OCTO's pages
//! endpoint by endpoint (a code means different things on different ones).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::post_raw;
use octo_sandbox::Sandbox;
use serde_json::json;

#[tokio::test]
async fn a_wrong_secret_is_answered_as_each_page_shows() {
    let sb = Sandbox::builder().start().await.unwrap();
    let wrong = |mut body: serde_json::Value| {
        body["octo_shop_id"] = sb.shop_id().get().into();
        body["octo_secret"] = "not-the-secret".into();
        serde_json::to_vec(&body).unwrap()
    };
    // prepare_payment's page: error 2, "Wrong secret".
    let (_, answer) = post_raw(
        &sb,
        "/prepare_payment",
        &wrong(json!({"shop_transaction_id": "x"})),
    )
    .await;
    assert_eq!(answer["error"], 2, "{answer}");
    // The fiscalization page's example: error 1, "wrong secret".
    let (_, answer) = post_raw(
        &sb,
        "/fiscal-data",
        &wrong(json!({"payment_uuid": "1145df74-bb95-47cf-a616-8d6dcee2e222"})),
    )
    .await;
    assert_eq!(answer["error"], 1, "{answer}");
    assert_eq!(answer["errMessage"], "wrong secret", "{answer}");
    sb.shutdown().await;
}
