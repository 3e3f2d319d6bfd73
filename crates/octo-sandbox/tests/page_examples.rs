//! OCTO's pages' own example requests, sent to the sandbox as raw JSON
//! (not built by octo-proto), and the shape of what it answers compared
//! with the pages' example answers. Only the shop's id and secret are
//! swapped for the sandbox's; where a page's example cannot succeed as
//! written (its basket does not add up), the test says which code the
//! pages give for that.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{post_raw, sandbox, with_auth};
use octo_sandbox::SandboxHandle;
use serde_json::{Value, json};

/// The keys of a JSON object, sorted.
fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// The `octo_payment_UUID` of an answer's `data`.
fn payment_uuid(answer: &Value) -> String {
    answer["data"]["octo_payment_UUID"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The text fields of the payment in the pages' success answers to
/// prepare_payment and bind_card.
const PAYMENT_TEXTS: [&str; 4] = [
    "shop_transaction_id",
    "octo_payment_UUID",
    "status",
    "octo_pay_url",
];

/// Asserts `answer` is a success whose `data` is a payment as the pages'
/// success examples write one: the [`PAYMENT_TEXTS`] as strings, the total
/// and the refunded sum as numbers. Its `data`.
#[track_caller]
fn assert_payment_data(answer: &Value) -> &Value {
    assert_eq!(answer["error"], 0, "{answer}");
    let data = &answer["data"];
    for field in PAYMENT_TEXTS {
        assert!(data[field].is_string(), "data.{field} in {answer}");
    }
    assert!(data["total_sum"].is_number(), "{answer}");
    assert!(data["refunded_sum"].is_number(), "{answer}");
    data
}

/// `card-tokenization.txt`, the `bind_card` request example, with the
/// page's Humo card number.
fn page_bind_card(sb: &SandboxHandle, id: &str) -> Vec<u8> {
    with_auth(
        sb,
        json!({
            "octo_shop_id": 10000,
            "octo_secret": "merchant_secret",
            "shop_transaction_id": id,
            "pan": "9860240101226506",
            "exp": "2805",
            "phone": "998901234567",
            "cardHolderName": "Card Holder Name",
            "cvc2": "",
            "method": "humo",
            "return_url": "https://notify-url.uz",
            "notify_url": "https://notify-url.uz",
            "bind_notify_url": "https://notify-url.uz"
        }),
    )
}

#[tokio::test]
async fn the_one_stage_pages_example_is_refused_only_for_its_basket() {
    let sb = sandbox().await;
    // one-stage-payment.txt, "Example request", as written but for the
    // shop: its basket (2 × 10.0 + 20.0) is not its total_sum (1000.0).
    let mut page = json!({
        "shop_transaction_id": "0000_0000_0000_0000_0010",
        "auto_capture": true,
        "test": true,
        "init_time": "2024-05-02 09:17:00",
        "user_data": {
            "user_id": "Johnny Depp",
            "phone": "998901234567",
            "email": "octo@mail.com"
        },
        "total_sum": 1000.0,
        "currency": "UZS",
        "description": "TEST_PAYMENT",
        "basket": [
            {"position_desc": "Йогурт MANON клубничный", "count": 2, "price": 10.0},
            {"position_desc": "Йогурт MANON банановый", "count": 1, "price": 20.0}
        ],
        "payment_methods": [{"method": "bank_card"}, {"method": "uzcard"}, {"method": "humo"}],
        "tsp_id": 18,
        "return_url": "https://octo.uz",
        "notify_url": "https://notify-url.uz",
        "language": "uz",
        "ttl": 15
    });
    let (_, refused) = post_raw(&sb, "/prepare_payment", &with_auth(&sb, page.clone())).await;
    assert_eq!(refused["error"], 3, "{refused}");

    // The same request with a total the basket adds up to is a payment,
    // answered with the fields of the page's success example.
    page["total_sum"] = json!(40.0);
    let (_, ok) = post_raw(&sb, "/prepare_payment", &with_auth(&sb, page)).await;
    let data = assert_payment_data(&ok);
    for field in PAYMENT_TEXTS {
        assert_eq!(ok[field], data[field], "{field} at the top level too");
    }
    assert_eq!(data["status"], "created");
}

#[tokio::test]
async fn the_bind_card_pages_example_is_accepted_and_answered_in_its_shape() {
    let sb = sandbox().await;
    let (_, ok) = post_raw(&sb, "/bind_card", &page_bind_card(&sb, "page-bind")).await;
    assert_payment_data(&ok);
    // The page's answer is `{"error": 0, "data": {…}}`: nothing at the top
    // level, so a client reading the legacy shape alone fails here too.
    for field in PAYMENT_TEXTS {
        assert!(ok.get(field).is_none(), "{field} at the top level: {ok}");
    }
    // The binding's card number never comes back.
    assert!(!ok.to_string().contains("9860240101226506"));
}

#[tokio::test]
async fn verification_info_takes_only_the_uuid_as_the_page_says() {
    let sb = sandbox().await;
    let (_, bound) = post_raw(&sb, "/bind_card", &page_bind_card(&sb, "page-verify")).await;
    let uuid = payment_uuid(&bound);
    // card-tokenization.txt: "Only the octo_payment_UUID is sent", to the
    // page's URL with its trailing slash.
    let body = json!({ "octo_payment_UUID": uuid }).to_string();
    let (_, info) = post_raw(&sb, "/verificationInfo/", body.as_bytes()).await;
    assert_eq!(info["error"], 0, "{info}");
    assert!(info["data"]["verifyId"].is_u64(), "{info}");
    assert!(info["data"]["phone"].is_string(), "{info}");
    assert!(info["data"]["secondsLeft"].is_u64(), "{info}");
}

#[tokio::test]
async fn block_card_token_answers_as_its_pages_example() {
    let sb = sandbox().await;
    let (_, bound) = post_raw(&sb, "/bind_card", &page_bind_card(&sb, "page-block")).await;
    let uuid = payment_uuid(&bound);
    let step = sb.customer().enter_code(&uuid, sb.otp_code()).unwrap();
    assert!(common::finished(&step).is_some(), "{step:?}");
    let (token, _) = sb.binding_token(&uuid).unwrap();

    // card-tokenization.txt, block_card_token's request example.
    let body = with_auth(
        &sb,
        json!({
            "octo_shop_id": 242,
            "octo_secret": "1d45df74-bb95-47cf-a616-8d6dcee2e10d",
            "card_token": token.expose_secret()
        }),
    );
    let (_, answer) = post_raw(&sb, "/block_card_token", &body).await;
    // The page's answer: `{"error": 0, "errMessage": null, "status":
    // "blocked"}`: the status at the top level, no `data`. A client that
    // reads the status only from `data` must fail here as against OCTO.
    assert_eq!(keys(&answer), ["errMessage", "error", "status"], "{answer}");
    assert_eq!(answer["error"], 0);
    assert_eq!(answer["errMessage"], Value::Null);
    assert_eq!(answer["status"], "blocked");

    // Its error codes: 6 for a token no longer active.
    let (_, again) = post_raw(&sb, "/block_card_token", &body).await;
    assert_eq!(again["error"], 6, "{again}");
}

#[tokio::test]
async fn set_accept_answers_in_the_legacy_shape_the_api_notes_saw() {
    let sb = sandbox().await;
    let uuid = common::prepared(&sb, &common::payment("page-hold", "1000").two_stage()).await;
    common::pay(
        &sb,
        uuid.as_str(),
        octo_sandbox::cards::CardBehaviour::Success,
    );
    // API notes, set_accept: the request's four fields; the answer seen is
    // the legacy one, `error`, `status`, `shop_transaction_id`,
    // `octo_payment_UUID`, `octo_pay_url` at the top level, no `data`. A
    // client reading only `data` must fail here as against OCTO.
    let body = with_auth(
        &sb,
        json!({ "octo_payment_UUID": uuid.as_str(), "accept_status": "capture" }),
    );
    let (_, answer) = post_raw(&sb, "/set_accept", &body).await;
    assert_eq!(answer["error"], 0, "{answer}");
    assert!(answer.get("data").is_none(), "{answer}");
    assert_eq!(answer["status"], "succeeded", "{answer}");
    assert_eq!(answer["octo_payment_UUID"], uuid.as_str(), "{answer}");
    assert_eq!(answer["shop_transaction_id"], "page-hold", "{answer}");
    assert!(answer["octo_pay_url"].is_string(), "{answer}");
}

#[tokio::test]
async fn a_payment_without_language_gets_the_legacy_pages_default_english() {
    let sb = sandbox().await;
    // basket-and-payment-creation-legacy.txt: `language` is optional, "by
    // default is browser language or En". The sandbox has no browser.
    let body = with_auth(
        &sb,
        json!({
            "shop_transaction_id": "page-no-language",
            "init_time": "2018-03-30 11:22:33",
            "total_sum": 103.33,
            "currency": "USD",
            "description": "Payment name",
            "return_url": "https://shop.example/return?order=1",
            "test": true
        }),
    );
    let (_, ok) = post_raw(&sb, "/prepare_payment", &body).await;
    assert_eq!(ok["error"], 0, "{ok}");
    let url = ok["data"]["octo_pay_url"].as_str().unwrap();
    assert!(url.ends_with("?language=en"), "{url}");
}

/// A binding of the page's card, confirmed with the page's
/// `check_sms_key` request (ids as the strings its template sends): the
/// token.
async fn page_binding(sb: &SandboxHandle, id: &str) -> (String, Value) {
    let (_, bound) = post_raw(sb, "/bind_card", &page_bind_card(sb, id)).await;
    let uuid = payment_uuid(&bound);
    let info_body = json!({ "octo_payment_UUID": uuid }).to_string();
    let (_, info) = post_raw(sb, "/verificationInfo/", info_body.as_bytes()).await;
    let verify_id = info["data"]["verifyId"].as_u64().unwrap();
    // card-tokenization.txt, /bind_card/check_sms_key's request example:
    // `octo_shop_id` and `verifyId` in quotes.
    let check = json!({
        "octo_shop_id": sb.shop_id().get().to_string(),
        "octo_secret": sb.shop_secret().expose_secret(),
        "smsKey": sb.otp_code(),
        "paymentUUID": uuid,
        "verifyId": verify_id.to_string()
    })
    .to_string();
    let (_, checked) = post_raw(sb, "/bind_card/check_sms_key", check.as_bytes()).await;
    (uuid, checked)
}

#[tokio::test]
async fn check_sms_key_takes_the_pages_example_and_answers_in_its_shape() {
    let sb = sandbox().await;
    let (uuid, checked) = page_binding(&sb, "page-sms").await;
    assert_eq!(checked["error"], 0, "{checked}");
    let data = &checked["data"];
    assert_eq!(data["status"], "succeeded", "{checked}");
    assert_eq!(data["octo_payment_UUID"], uuid.as_str());
    assert!(data["octo_pay_url"].as_str().unwrap().contains("/status/"));
    assert!(data["total_sum"].is_number(), "{checked}");
    assert!(data["payed_time"].is_string(), "{checked}");
    assert_eq!(data["first6"], "986024", "{checked}");
    assert_eq!(data["last4"], "6506", "{checked}");
}

#[tokio::test]
async fn the_token_payment_pages_example_is_accepted() {
    let sb = sandbox().await;
    let (uuid, _) = page_binding(&sb, "page-token").await;
    let (token, _) = sb.binding_token(&uuid).unwrap();
    let order = with_auth(
        &sb,
        json!({
            "shop_transaction_id": "page-token-order",
            "auto_capture": true,
            "test": true,
            "init_time": "2024-05-02 09:17:00",
            "user_data": {"user_id": "Elbek", "phone": "998901234567", "email": "client@mail.com"},
            "total_sum": 1000.0,
            "currency": "UZS",
            "description": "TEST_PAYMENT",
            "return_url": "https://octo.uz/?order=1",
            "language": "uz"
        }),
    );
    let (_, prepared) = post_raw(&sb, "/prepare_payment", &order).await;
    let order_uuid = payment_uuid(&prepared);
    // pay-with-card-token.ru.txt, the request example.
    let pay = json!({
        "card_token": token.expose_secret(),
        "method": "uzcard",
        "email": "client@mail.com"
    })
    .to_string();
    let (_, paid) = post_raw(&sb, &format!("/pay/{order_uuid}"), pay.as_bytes()).await;
    assert_eq!(paid["error"], 0, "{paid}");
    let data = &paid["data"];
    assert_eq!(data["uuid"], order_uuid.as_str(), "{paid}");
    assert_eq!(data["merchantTransId"], "page-token-order");
    assert!(data["id"].is_u64(), "{paid}");
    assert!(data["totalSum"].is_number(), "{paid}");
    assert!(data["createTime"].is_i64(), "{paid}");
    assert!(data["details"]["transType"].is_string(), "{paid}");
    // Not in the legacy shape: camelCase in `data` only.
    assert!(paid.get("uuid").is_none(), "{paid}");
}

#[tokio::test]
async fn fiscal_data_takes_the_pages_example() {
    let sb = sandbox().await;
    let uuid = common::paid(&sb, &common::payment("page-fiscal", "1000")).await;
    // fiscalization.txt, /fiscal-data's request example.
    let body = with_auth(
        &sb,
        json!({
            "octo_shop_id": 10000,
            "octo_secret": "2d45df74-bb95-47cf-a616-8d6dcee2e10d",
            "payment_uuid": uuid.as_str()
        }),
    );
    let (_, receipt) = post_raw(&sb, "/fiscal-data", &body).await;
    assert_eq!(receipt["error"], 0, "{receipt}");
    let data = &receipt["data"];
    for field in [
        "phone",
        "message",
        "terminalID",
        "dateTime",
        "fiscalSign",
        "qrCodeURL",
    ] {
        assert!(data[field].is_string(), "data.{field} in {receipt}");
    }
    assert!(
        data["code"].is_i64() && data["receiptId"].is_u64(),
        "{receipt}"
    );
    assert_eq!(
        data["dateTime"].as_str().unwrap().len(),
        14,
        "YYYYMMDDHHMMSS"
    );

    // Its unsuccessful example: a wrong secret is error 1.
    let wrong = json!({
        "octo_shop_id": sb.shop_id().get(),
        "octo_secret": "2d45df74-bb95-47cf-a616-8d6dcee2e10d",
        "payment_uuid": uuid.as_str()
    })
    .to_string();
    let (_, refused) = post_raw(&sb, "/fiscal-data", wrong.as_bytes()).await;
    assert_eq!(refused["error"], 1, "{refused}");
}

#[tokio::test]
async fn a_method_the_pages_do_not_allow_is_refused() {
    let sb = sandbox().await;
    // card-tokenization.txt (bind_card) and pay-with-card-token.ru.txt
    // both give `method` three allowed values: bank_card, uzcard, humo.
    let mut bind: Value = serde_json::from_slice(&page_bind_card(&sb, "page-method")).unwrap();
    bind["method"] = json!("visa");
    let (_, refused) = post_raw(&sb, "/bind_card", &serde_json::to_vec(&bind).unwrap()).await;
    assert_eq!(refused["error"], 1, "{refused}");
    assert!(
        refused["errMessage"].as_str().unwrap().contains("method"),
        "{refused}"
    );

    let (uuid, _) = page_binding(&sb, "page-method-ok").await;
    let (token, _) = sb.binding_token(&uuid).unwrap();
    let order = common::prepared(&sb, &common::payment("page-method-order", "1000")).await;
    for (method, code) in [("card", 1), ("uzcard", 0)] {
        let pay = json!({
            "card_token": token.expose_secret(),
            "method": method,
            "email": "client@mail.com"
        })
        .to_string();
        let (_, answer) = post_raw(&sb, &format!("/pay/{}", order.as_str()), pay.as_bytes()).await;
        assert_eq!(answer["error"], code, "{method}: {answer}");
    }
}
