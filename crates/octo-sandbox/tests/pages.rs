//! The customer's pages, driven over HTTP like a browser would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{dec, get, init_time, post_form, send};
use octo_proto::op::PreparePayment;
use octo_proto::{Currency, PaymentStatus};
use octo_sandbox::Sandbox;

fn location(response: &http::Response<bytes::Bytes>) -> String {
    assert_eq!(response.status(), 303, "{:?}", response.body());
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn card_form_then_code_form_then_back_to_the_shop() {
    let sb = Sandbox::builder().start().await.unwrap();
    let p = PreparePayment::new(
        "page-1".parse().unwrap(),
        dec("77.70"),
        Currency::Uzs,
        "A <b>bold</b> yoghurt",
        "https://shop.example/orders/page-1",
        init_time(),
    );
    let p = send(&sb, &p).await.unwrap();
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

    let base = sb.base_url();
    let bad = post_form(
        &format!("{base}/pay/{uuid}/card"),
        "pan=4111111111111112&exp=12%2F30",
    )
    .await;
    assert_eq!(bad.status(), 200);
    assert!(String::from_utf8_lossy(bad.body()).contains("not a valid card number"));

    let next = post_form(
        &format!("{base}/pay/{uuid}/card"),
        "pan=8600+0000+0000+0007&exp=12%2F30&holder=A+N",
    )
    .await;
    assert_eq!(location(&next), format!("/pay/{uuid}/otp"));
    let otp = get(&format!("{base}/pay/{uuid}/otp")).await;
    let html = String::from_utf8(otp.body().to_vec()).unwrap();
    assert!(html.contains("id=\"otp-form\"") && html.contains("seconds-left"));

    let wrong = post_form(&format!("{base}/pay/{uuid}/otp"), "code=111111").await;
    assert!(String::from_utf8_lossy(wrong.body()).contains("2 attempts left"));
    let done = post_form(&format!("{base}/pay/{uuid}/otp"), "code=123456").await;
    assert_eq!(location(&done), "https://shop.example/orders/page-1");
    assert_eq!(sb.payment(&uuid).unwrap().status, PaymentStatus::Succeeded);

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
    let sb = Sandbox::builder().start().await.unwrap();
    let base = sb.base_url().to_owned();
    for (id, outcome, expected) in [
        ("3ds-1", "confirm", PaymentStatus::Succeeded),
        ("3ds-2", "fail", PaymentStatus::Canceled),
    ] {
        let p = PreparePayment::new(
            id.parse().unwrap(),
            dec("10"),
            Currency::Usd,
            "d",
            "https://shop.example/r",
            init_time(),
        );
        let uuid = send(&sb, &p)
            .await
            .unwrap()
            .octo_payment_uuid
            .as_str()
            .to_owned();
        let next = post_form(
            &format!("{base}/pay/{uuid}/card"),
            "pan=5555555555554444&exp=1230&cvc=123",
        )
        .await;
        assert_eq!(location(&next), format!("/pay/{uuid}/3ds"));
        let page = get(&format!("{base}/pay/{uuid}/3ds")).await;
        assert!(String::from_utf8_lossy(page.body()).contains("three-ds-form"));
        let done = post_form(
            &format!("{base}/pay/{uuid}/3ds"),
            &format!("outcome={outcome}"),
        )
        .await;
        assert_eq!(location(&done), "https://shop.example/r");
        assert_eq!(sb.payment(&uuid).unwrap().status, expected);
    }
    sb.shutdown().await;
}
