//! Error codes come from the sandbox's own table, built from OCTO's pages
//! endpoint by endpoint (a code means different things on different ones).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{post_raw, sandbox};
use serde_json::json;

#[tokio::test]
async fn a_wrong_secret_is_answered_as_each_page_shows() {
    let sb = sandbox().await;
    let wrong = |mut body: serde_json::Value| {
        body["octo_shop_id"] = sb.shop_id().get().into();
        body["octo_secret"] = "not-the-secret".into();
        serde_json::to_vec(&body).unwrap()
    };
    let pages = [
        // prepare_payment's page: error 2, "Wrong secret".
        (
            "/prepare_payment",
            json!({"shop_transaction_id": "x"}),
            2,
            None,
        ),
        // The fiscalization page's example: error 1, "wrong secret".
        (
            "/fiscal-data",
            json!({"payment_uuid": "1145df74-bb95-47cf-a616-8d6dcee2e222"}),
            1,
            Some("wrong secret"),
        ),
    ];
    for (path, body, error, message) in pages {
        let (_, answer) = post_raw(&sb, path, &wrong(body)).await;
        assert_eq!(answer["error"], error, "{path}: {answer}");
        if let Some(message) = message {
            assert_eq!(answer["errMessage"], message, "{path}: {answer}");
        }
    }
    sb.shutdown().await;
}
