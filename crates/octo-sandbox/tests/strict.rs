//! The sandbox accepts what OCTO's pages accept; the rules the pages do
//! not state are enforced only by a strict sandbox (docs/sandbox-rules.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{pay, post_raw, sandbox, started, with_auth};
use octo_sandbox::cards::CardBehaviour;
use octo_sandbox::{Sandbox, SandboxHandle};

/// A sandbox, strict or not.
async fn strict_sandbox(strict: bool) -> SandboxHandle {
    started(Sandbox::builder().strict(strict)).await
}
use serde_json::{Value, json};

/// A full prepare_payment body, as the current page's example.
fn payment(id: &str) -> Value {
    json!({
        "shop_transaction_id": id,
        "auto_capture": true,
        "test": true,
        "init_time": now_in_tashkent(),
        "total_sum": 40,
        "currency": "UZS",
        "description": "TEST_PAYMENT",
        "basket": [
            {"position_desc": "Yogurt", "count": 2, "price": 10},
            {"position_desc": "Banana yogurt", "count": 1, "price": 20}
        ],
        "return_url": "https://shop.example/r",
        "notify_url": "https://shop.example/n",
        "language": "uz",
        "ttl": 15
    })
}

/// Each change of `payment` that the pages do not forbid.
fn unstated(id: &str) -> Vec<(&'static str, Value)> {
    let mut cases = Vec::new();
    let mut case = |name: &'static str, change: &dyn Fn(&mut Value)| {
        let mut body = payment(&format!("{id}-{name}"));
        change(&mut body);
        cases.push((name, body));
    };
    case("empty description", &|b| b["description"] = json!(""));
    case("ttl of 0", &|b| b["ttl"] = json!(0));
    case("ttl of 100000 minutes", &|b| b["ttl"] = json!(100_000));
    case("no language", &|b| {
        b.as_object_mut().unwrap().remove("language");
    });
    case("no auto_capture", &|b| {
        b.as_object_mut().unwrap().remove("auto_capture");
    });
    case("no test", &|b| {
        b.as_object_mut().unwrap().remove("test");
    });
    case("a basket line of count 0", &|b| {
        b["basket"] = json!([
            {"position_desc": "Free sample", "count": 0, "price": 10},
            {"position_desc": "Yogurt", "count": 2, "price": 20}
        ]);
    });
    case("a notify_url that is not a web URL", &|b| {
        b["notify_url"] = json!("shop-callbacks");
    });
    case("a return_url of an app", &|b| {
        b["return_url"] = json!("shopapp://orders/1");
    });
    case("user_data with a phone only", &|b| {
        b["user_data"] = json!({"user_id": "u1", "phone": "998901234567"});
    });
    case("a total_sum of 0 without a basket", &|b| {
        b["total_sum"] = json!(0);
        b.as_object_mut().unwrap().remove("basket");
    });
    cases
}

async fn prepare(sb: &SandboxHandle, body: &Value) -> Value {
    post_raw(sb, "/prepare_payment", &with_auth(sb, body.clone()))
        .await
        .1
}

#[tokio::test]
async fn what_the_pages_do_not_forbid_is_accepted_by_default() {
    let sb = sandbox().await;
    for (name, body) in unstated("lenient") {
        let answer = prepare(&sb, &body).await;
        assert_eq!(answer["error"], 0, "{name}: {answer}");
        assert_eq!(answer["data"]["status"], "created", "{name}: {answer}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_strict_sandbox_refuses_each_unstated_rule() {
    let sb = strict_sandbox(true).await;
    for (name, body) in unstated("strict") {
        let answer = prepare(&sb, &body).await;
        assert_eq!(answer["error"], 1, "{name}: {answer}");
        assert!(
            answer["errMessage"].as_str().unwrap().contains("strict"),
            "{name}: the message says why: {answer}"
        );
    }
    // The page's own example passes the strict sandbox too (its init_time
    // is checked against the clock, so it is today's here).
    let mut example = payment("strict-example");
    example["init_time"] = json!(now_in_tashkent());
    let answer = prepare(&sb, &example).await;
    assert_eq!(answer["error"], 0, "{answer}");
    sb.shutdown().await;
}

#[tokio::test]
async fn what_the_pages_state_is_refused_in_both_modes() {
    for strict in [false, true] {
        let sb = strict_sandbox(strict).await;
        let mut no_description = payment(&format!("stated-{strict}-1"));
        no_description
            .as_object_mut()
            .unwrap()
            .remove("description");
        assert_eq!(prepare(&sb, &no_description).await["error"], 1);
        let mut relative = payment(&format!("stated-{strict}-2"));
        relative["return_url"] = json!("/orders/1");
        assert_eq!(prepare(&sb, &relative).await["error"], 1);
        let mut mismatch = payment(&format!("stated-{strict}-3"));
        mismatch["total_sum"] = json!(41);
        assert_eq!(prepare(&sb, &mismatch).await["error"], 3);
        let mut no_user_id = payment(&format!("stated-{strict}-4"));
        no_user_id["user_data"] = json!({"phone": "998901234567", "email": ""});
        assert_eq!(prepare(&sb, &no_user_id).await["error"], 1);
        sb.shutdown().await;
    }
}

/// OCTO's cancellation page (help.octo.uz/en/cancel.html) prints a cancel
/// with `final_amount` ("if a partial cancellation is required"), so no
/// mode refuses one; the sandbox releases the whole hold either way.
#[tokio::test]
async fn set_accept_final_amount_on_a_cancel_is_taken_as_the_page_prints_it() {
    for (strict, expected) in [(false, 0), (true, 0)] {
        let sb = strict_sandbox(strict).await;
        let mut body = payment(&format!("hold-{strict}"));
        body["auto_capture"] = json!(false);
        let uuid = prepare(&sb, &body).await["data"]["octo_payment_UUID"]
            .as_str()
            .unwrap()
            .to_owned();
        pay(&sb, &uuid, CardBehaviour::Success);
        let cancel = json!({
            "octo_payment_UUID": uuid,
            "accept_status": "cancel",
            "final_amount": 10
        });
        let answer = post_raw(&sb, "/set_accept", &with_auth(&sb, cancel))
            .await
            .1;
        assert_eq!(answer["error"], expected, "strict {strict}: {answer}");
        assert_eq!(answer["status"], "canceled", "strict {strict}: {answer}");
        sb.shutdown().await;
    }
}

#[tokio::test]
async fn pay_with_a_token_needs_a_method_as_its_page_says() {
    let sb = sandbox().await;
    let uuid = prepare(&sb, &payment("tok-1")).await["data"]["octo_payment_UUID"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = post_raw(
        &sb,
        &format!("/pay/{uuid}"),
        br#"{"card_token":"no-such-token"}"#,
    )
    .await
    .1;
    assert_eq!(answer["error"], 1, "{answer}");
    assert!(
        answer["errMessage"].as_str().unwrap().contains("method"),
        "{answer}"
    );
    sb.shutdown().await;
}

fn now_in_tashkent() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(octo_sandbox::DEFAULT_ZONE);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

#[tokio::test]
async fn the_sdks_own_requests_pass_a_strict_sandbox() {
    use common::{answer, dec, paid, refund};
    use octo_proto::op::{BasketItem, PaymentStatusCheck, PreparePayment, SetAccept, UserData};

    let sb = strict_sandbox(true).await;
    let init = time::PrimitiveDateTime::parse(
        &now_in_tashkent(),
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .unwrap();
    let mut p = PreparePayment::new(
        "sdk-1".parse().unwrap(),
        dec("30000"),
        octo_proto::Currency::Uzs,
        "Tea",
        "https://shop.example/r",
        init,
    )
    .with_basket(vec![BasketItem::new("Tea", 2, dec("15000"))])
    .two_stage();
    p.user_data = Some(UserData {
        user_id: "u1".into(),
        phone: "998901234567".into(),
        email: "u1@shop.example".into(),
    });
    let uuid = paid(&sb, &p).await;
    answer(&sb, &SetAccept::capture(uuid.clone())).await;
    answer(&sb, &PaymentStatusCheck::new("sdk-1".parse().unwrap())).await;
    answer(&sb, &refund("sdk-rf-1", &uuid, "15000")).await;
    sb.shutdown().await;
}
