//! The customer's pages, driven over HTTP like a browser would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{answer, get, payment, payment_in, post_form, prepared, sandbox};
use octo_proto::{Currency, PaymentStatus};
use octo_sandbox::SandboxHandle;

fn location(response: &http::Response<bytes::Bytes>) -> String {
    assert_eq!(response.status(), 303, "{:?}", response.body());
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Posts `form` to the page `step` (`card`, `otp`, `3ds`) of `uuid`.
async fn submit(
    sb: &SandboxHandle,
    uuid: &str,
    step: &str,
    form: &str,
) -> http::Response<bytes::Bytes> {
    post_form(&format!("{}/pay/{uuid}/{step}", sb.base_url()), form).await
}

/// The text of the page `step` of `uuid`.
async fn page_text(sb: &SandboxHandle, uuid: &str, step: &str) -> String {
    let page = get(&format!("{}/pay/{uuid}/{step}", sb.base_url())).await;
    String::from_utf8(page.body().to_vec()).unwrap()
}

#[tokio::test]
async fn card_form_then_code_form_then_back_to_the_shop() {
    let sb = sandbox().await;
    let mut p = payment("page-1", "77.70");
    p.description = "A <b>bold</b> yoghurt".into();
    p.return_url = "https://shop.example/orders/page-1".into();
    let p = answer(&sb, &p).await;
    let pay_url = p.octo_pay_url.unwrap();
    let uuid = p.octo_payment_uuid.as_str().to_owned();

    let page = get(&pay_url).await;
    assert_eq!(page.status(), 200);
    let html = String::from_utf8(page.body().to_vec()).unwrap();
    assert!(html.contains("id=\"card-form\"") && html.contains("77.70 UZS"));
    assert!(
        html.contains("A &lt;b&gt;bold&lt;/b&gt; yoghurt"),
        "escaped"
    );

    let bad = submit(&sb, &uuid, "card", "pan=4111111111111112&exp=12%2F30").await;
    assert_eq!(bad.status(), 200);
    assert!(String::from_utf8_lossy(bad.body()).contains("not a valid card number"));

    let next = submit(
        &sb,
        &uuid,
        "card",
        "pan=8600+0000+0000+0007&exp=12%2F30&holder=A+N",
    )
    .await;
    assert_eq!(location(&next), format!("/pay/{uuid}/otp"));
    let html = page_text(&sb, &uuid, "otp").await;
    assert!(html.contains("id=\"otp-form\"") && html.contains("seconds-left"));

    let wrong = submit(&sb, &uuid, "otp", "code=111111").await;
    assert!(String::from_utf8_lossy(wrong.body()).contains("2 attempts left"));
    let done = submit(&sb, &uuid, "otp", "code=123456").await;
    assert_eq!(location(&done), "https://shop.example/orders/page-1");
    assert_eq!(sb.payment(&uuid).unwrap().status, PaymentStatus::Succeeded);

    let base = sb.base_url();
    let status = get(&format!("{base}/status/{uuid}")).await;
    assert!(String::from_utf8_lossy(status.body()).contains("succeeded"));
    assert_eq!(get(&format!("{base}/pay/unknown")).await.status(), 404);
    assert!(
        String::from_utf8_lossy(get(&format!("{base}/")).await.body()).contains("4111111111111111")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn three_d_secure_page_confirms_or_fails() {
    let sb = sandbox().await;
    for (id, outcome, expected) in [
        ("3ds-1", "confirm", PaymentStatus::Succeeded),
        ("3ds-2", "fail", PaymentStatus::Canceled),
    ] {
        let uuid = prepared(&sb, &payment_in(id, "10", Currency::Usd)).await;
        let uuid = uuid.as_str();
        let next = submit(&sb, uuid, "card", "pan=5555555555554444&exp=1230&cvc=123").await;
        assert_eq!(location(&next), format!("/pay/{uuid}/3ds"));
        assert!(page_text(&sb, uuid, "3ds").await.contains("three-ds-form"));
        let done = submit(&sb, uuid, "3ds", &format!("outcome={outcome}")).await;
        assert_eq!(location(&done), "https://shop.example/r");
        assert_eq!(sb.payment(uuid).unwrap().status, expected, "{id}");
    }
    sb.shutdown().await;
}
