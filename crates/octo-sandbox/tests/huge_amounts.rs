//! Amounts too large to compute with: the sandbox refuses them with the
//! data-format code and keeps answering, before and after a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{data_file, pay, sandbox, started};
use http_body_util::{BodyExt, Full};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{Sandbox, SandboxHandle};
use serde_json::{Value, json};

/// Sends a request and gives the answer, or `None` when the connection
/// ended without one (which is what a panicking handler looks like).
async fn try_exchange(request: http::Request<Vec<u8>>) -> Option<(http::StatusCode, Bytes)> {
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
    let response = tokio::time::timeout(Duration::from_secs(10), common::client().request(request))
        .await
        .ok()?
        .ok()?;
    let status = response.status();
    let bytes = response.into_body().collect().await.ok()?.to_bytes();
    Some((status, bytes))
}

/// POSTs JSON to the sandbox; the JSON answer, or `None` without one.
async fn post_json(sb: &SandboxHandle, path: &str, body: &[u8]) -> Option<Value> {
    let request = http::Request::post(format!("{}{path}", sb.base_url()))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .unwrap();
    let (_, bytes) = try_exchange(request).await?;
    serde_json::from_slice(&bytes).ok()
}

/// A `prepare_payment` whose total (written as JSON number text) is far
/// past what any currency needs and near the limit of a `Decimal`.
fn huge_payment(sb: &SandboxHandle, tx: &str, total: &str) -> Vec<u8> {
    let mut body = common::with_auth(
        sb,
        json!({
            "shop_transaction_id": tx,
            "auto_capture": true,
            "test": true,
            "init_time": "2024-05-02 09:17:00",
            "description": "huge",
            "return_url": "https://shop.example/r",
            "currency": "UZS",
            "total_sum": "TOTAL"
        }),
    );
    let text = String::from_utf8(body.clone()).unwrap();
    body = text.replace("\"TOTAL\"", total).into_bytes();
    body
}

/// Sends [`huge_payment`]: the JSON answer, or `None` without one.
async fn prepare_huge(sb: &SandboxHandle, tx: &str, total: &str) -> Option<Value> {
    post_json(sb, "/prepare_payment", &huge_payment(sb, tx, total)).await
}

fn status_check(sb: &SandboxHandle, tx: &str) -> Vec<u8> {
    common::with_auth(sb, json!({ "shop_transaction_id": tx }))
}

#[tokio::test]
async fn a_total_too_large_to_compute_with_is_refused_and_status_checks_keep_answering() {
    let path = data_file("huge.redb");
    let sb = started(Sandbox::builder().data_file(&path)).await;
    let created = prepare_huge(&sb, "huge-1", "50000000000000000000000000000")
        .await
        .expect("prepare_payment got no answer");
    // Whatever the sandbox made of it, the customer tries to pay (a page
    // form, as a browser posts it), and the shop checks the status.
    if let Some(uuid) = created["data"]["octo_payment_UUID"].as_str() {
        let card = test_card(CardBehaviour::Success);
        let form = format!(
            "pan={}&exp={}%2F{}",
            card.pan,
            &card.exp[2..4],
            &card.exp[..2]
        );
        let request = http::Request::post(format!("{}/pay/{uuid}/card", sb.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.into_bytes())
            .unwrap();
        let _ = try_exchange(request).await;
    }
    for _ in 0..2 {
        let answer = post_json(&sb, "/prepare_payment", &status_check(&sb, "huge-1"))
            .await
            .expect("a status check got no answer");
        assert!(answer["error"].is_i64(), "{answer}");
    }
    sb.shutdown().await;

    // The same data file, a new sandbox: the status check still answers.
    let sb = started(Sandbox::builder().data_file(&path)).await;
    let answer = post_json(&sb, "/prepare_payment", &status_check(&sb, "huge-1"))
        .await
        .expect("a status check after the restart got no answer");
    assert!(answer["error"].is_i64(), "{answer}");
    sb.shutdown().await;

    // And the amount itself was refused as malformed data.
    assert_eq!(created["error"], 1, "{created}");
    let message = created["errMessage"].as_str().unwrap_or_default();
    assert!(message.contains("total_sum"), "{created}");
}

#[tokio::test]
async fn every_amount_field_refuses_what_it_cannot_compute_with() {
    let sb = sandbox().await;
    let negative = prepare_huge(&sb, "huge-neg", "-79228162514264337593543950335")
        .await
        .expect("no answer");
    assert_eq!(negative["error"], 1, "{negative}");
    // A basket whose lines overflow when multiplied out: malformed data,
    // not a basket mismatch.
    let basket = common::with_auth(
        &sb,
        json!({
            "shop_transaction_id": "huge-basket",
            "test": true,
            "init_time": "2024-05-02 09:17:00",
            "description": "huge",
            "return_url": "https://shop.example/r",
            "currency": "UZS",
            "total_sum": 1,
            "basket": [{"position_desc": "x", "count": 4_000_000_000u64, "price": "99999999999999999999"}]
        }),
    );
    let answer = post_json(&sb, "/prepare_payment", &basket)
        .await
        .expect("no answer");
    assert_eq!(answer["error"], 1, "{answer}");
    for (path, field) in [("/refund", "amount"), ("/set_accept", "final_amount")] {
        let body = common::with_auth(
            &sb,
            json!({
                "shop_refund_id": "r",
                "octo_payment_UUID": "0f3c2a9e-5b7d-4c1e-9a8f-2d6b4e1c7a90",
                "accept_status": "capture",
                field: "79228162514264337593543950335"
            }),
        );
        let answer = post_json(&sb, path, &body).await.expect("no answer");
        assert_eq!(answer["error"], 1, "{path}: {answer}");
        assert!(
            answer["errMessage"]
                .as_str()
                .unwrap_or_default()
                .contains(field),
            "{path}: {answer}"
        );
    }
    // The largest amount accepted is paid, checked and refunded exactly.
    let largest = "99999999999999999999.99";
    let created = prepare_huge(&sb, "largest", largest)
        .await
        .expect("no answer");
    assert_eq!(created["error"], 0, "{created}");
    let uuid = created["data"]["octo_payment_UUID"].as_str().unwrap();
    pay(&sb, uuid, CardBehaviour::Success);
    let checked = post_json(&sb, "/prepare_payment", &status_check(&sb, "largest"))
        .await
        .expect("no answer");
    assert_eq!(checked["data"]["status"], "succeeded", "{checked}");
    assert_eq!(
        checked["data"]["total_sum"].to_string(),
        largest,
        "{checked}"
    );
    assert!(checked["data"]["transfer_sum"].is_number(), "{checked}");
    sb.shutdown().await;
}
