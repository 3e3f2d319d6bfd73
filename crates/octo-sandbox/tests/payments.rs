//! prepare_payment, the status check, set_accept: OCTO's rules and errors,
//! paid through the customer's steps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{
    answer, assert_finished, checked, clocked, code, dec, finished, pay, payment, post_raw,
    prepared, sandbox, send, started, with_auth,
};
use octo_proto::op::{PaymentStatusCheck, SetAccept};
use octo_proto::{Currency, PaymentStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{FiscalObject, Sandbox, Step};
use serde_json::json;

#[tokio::test]
async fn prepare_answers_both_envelopes_and_repeats_are_the_same_payment() {
    let sb = sandbox().await;
    let first = answer(&sb, &payment("order-1", "1000.50")).await;
    assert_eq!(first.status, PaymentStatus::Created);
    assert_eq!(first.total_sum.unwrap().to_string(), "1000.50");
    let url = first.octo_pay_url.clone().unwrap();
    assert!(url.starts_with(&format!("{}/pay/", sb.base_url())), "{url}");

    let again = answer(&sb, &payment("order-1", "999")).await;
    assert_eq!(again.octo_payment_uuid, first.octo_payment_uuid);
    assert_eq!(sb.payment_count(), 1);

    let (status, raw) = post_raw(
        &sb,
        "/prepare_payment",
        &with_auth(&sb, json!({"shop_transaction_id": "order-1"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(raw["error"], 0);
    assert_eq!(raw["data"]["status"], "created");
    assert_eq!(raw["status"], "created", "legacy top-level fields too");
    assert_eq!(raw["total_sum"].to_string(), "1000.50", "exact digits");

    let checked = checked(&sb, "order-1").await;
    assert_eq!(checked.octo_payment_uuid, first.octo_payment_uuid);
    assert_eq!(
        code(send(&sb, &PaymentStatusCheck::new("nope".parse().unwrap())).await),
        1
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn prepare_enforces_auth_basket_currency_shop_status_and_fiscal_objects() {
    let registered = FiscalObject::of_legal_entity("00305001001000000", "1425207", 1, "123456");
    let sb = started(
        Sandbox::builder()
            .fiscal_object(registered)
            .configure(|c| c.shops[0].real_payments = false),
    )
    .await;

    let wrong = sb.client_config();
    let wrong = octo_proto::Config::new(wrong.shop_id(), "not-the-secret")
        .with_base_url(sb.base_url())
        .unwrap();
    let req = octo_proto::Operation::build_request(&payment("a", "10"), &wrong).unwrap();
    let resp = common::exchange(req).await;
    assert_eq!(
        code(octo_proto::Operation::parse_response(
            &payment("a", "10"),
            &resp
        )),
        2
    );

    // The SDK refuses a mismatched basket itself, so send it raw.
    let body = with_auth(
        &sb,
        json!({
            "shop_transaction_id": "b", "auto_capture": true, "test": true,
            "init_time": "2024-05-02 09:17:00", "total_sum": 100, "currency": "UZS",
            "description": "d", "return_url": "https://shop.example/r", "language": "en",
            "basket": [{"position_desc": "x", "count": 2, "price": 40}]
        }),
    );
    let (_, raw) = post_raw(&sb, "/prepare_payment", &body).await;
    assert_eq!(raw["error"], 3, "{raw}");
    assert!(raw["errMessage"].as_str().unwrap().contains("80"));

    let mut eur = payment("c", "10");
    eur.currency = Currency::Eur;
    assert_eq!(code(send(&sb, &eur).await), 6);

    let mut real = payment("d", "10");
    real.test = Some(false);
    assert_eq!(code(send(&sb, &real).await), 5);

    // The registered product, from a seller not registered.
    let mut item = FiscalObject::of_legal_entity("00305001001000000", "1425207", 1, "999999")
        .basket_item("Fish", 1, dec("100.0"));
    let unregistered = payment("e", "100.0").with_basket(vec![item.clone()]);
    let err = send(&sb, &unregistered).await.unwrap_err();
    match &err {
        octo_proto::Error::Octo(e) => {
            assert_eq!(e.code.as_i64(), 403);
            assert!(e.message.as_deref().unwrap().contains("999999"));
        }
        other => panic!("{other:?}"),
    }
    item.inn = Some("123456".into());
    let ok = answer(&sb, &payment("f", "100.0").with_basket(vec![item])).await;
    assert_eq!(ok.status, PaymentStatus::Created);
    assert_eq!(sb.payment_count(), 1, "refused payments are not stored");
    sb.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_error_1_with_the_field_named() {
    let sb = sandbox().await;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "empty"),
        (b"{not json".to_vec(), "not valid JSON"),
        (b"[1,2]".to_vec(), "JSON object"),
        (with_auth(&sb, json!({})), "shop_transaction_id is required"),
        (
            with_auth(
                &sb,
                json!({"shop_transaction_id": "x", "total_sum": "lots"}),
            ),
            "total_sum must be a decimal",
        ),
        (
            with_auth(
                &sb,
                json!({"shop_transaction_id": "x", "total_sum": 5, "init_time": "yesterday"}),
            ),
            "init_time",
        ),
        (
            with_auth(
                &sb,
                json!({"shop_transaction_id": "x", "total_sum": 5, "init_time": "2024-05-02 09:17:00",
                "description": "d", "return_url": "/relative"}),
            ),
            "return_url",
        ),
        (
            json!({"octo_shop_id": "abc"}).to_string().into_bytes(),
            "octo_shop_id",
        ),
    ];
    for (body, expected) in cases {
        let (status, raw) = post_raw(&sb, "/prepare_payment", &body).await;
        assert_eq!(status, 200);
        assert_eq!(raw["error"], 1, "{raw}");
        let message = raw["errMessage"].as_str().unwrap();
        assert!(message.contains(expected), "{message} lacks {expected}");
        assert_eq!(raw["errorMessage"], raw["errMessage"]);
    }
    let (status, raw) = post_raw(&sb, "/no_such_thing", b"{}").await;
    assert_eq!((status.as_u16(), raw["error"].as_i64()), (404, Some(1)));
    let big = vec![b' '; 200_000];
    let (status, raw) = post_raw(&sb, "/prepare_payment", &big).await;
    assert_eq!((status.as_u16(), raw["error"].as_i64()), (413, Some(1)));
    // Still serving.
    assert!(send(&sb, &payment("after", "1")).await.is_ok());
    sb.shutdown().await;
}

#[tokio::test]
async fn one_stage_payment_succeeds_with_each_paying_card() {
    let sb = sandbox().await;
    for (i, behaviour) in [
        CardBehaviour::Success,
        CardBehaviour::SmsCode,
        CardBehaviour::ThreeDSecure,
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("one-{i}");
        let uuid = prepared(&sb, &payment(&id, "5000")).await;
        let step = pay(&sb, uuid.as_str(), behaviour);
        let paid = Some(PaymentStatus::Succeeded);
        assert_eq!(finished(&step), paid, "{behaviour:?}: {step:?}");
        let after = checked(&sb, &id).await;
        assert_eq!(after.status, PaymentStatus::Succeeded);
        assert_eq!(after.transfer_sum.unwrap(), dec("4900.00"));
        assert!(after.payed_time.is_some());
        assert!(after.card.is_some());
    }
    for (i, behaviour) in [CardBehaviour::Decline, CardBehaviour::InsufficientFunds]
        .into_iter()
        .enumerate()
    {
        let uuid = prepared(&sb, &payment(&format!("declined-{i}"), "5000")).await;
        let step = pay(&sb, uuid.as_str(), behaviour);
        match step {
            Step::Finished {
                status, message, ..
            } => {
                assert_eq!(status, PaymentStatus::Canceled);
                assert!(message.is_some());
            }
            other => panic!("{other:?}"),
        }
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn two_stage_partial_capture_and_cancel() {
    let sb = sandbox().await;
    let uuid = prepared(&sb, &payment("two-1", "1000").two_stage()).await;
    assert_eq!(
        code(send(&sb, &SetAccept::capture(uuid.clone())).await),
        1,
        "not held yet"
    );
    pay(&sb, uuid.as_str(), CardBehaviour::Success);
    assert_eq!(
        sb.payment(uuid.as_str()).unwrap().status,
        PaymentStatus::WaitingForCapture
    );
    let capture = |amount: &str| SetAccept::capture_partial(uuid.clone(), dec(amount));
    assert_eq!(code(send(&sb, &capture("1000.01")).await), 3);
    let captured = answer(&sb, &capture("600.00")).await;
    assert_eq!(captured.status, PaymentStatus::Succeeded);
    assert_eq!(captured.total_sum.unwrap().to_string(), "600.00");
    // A retried capture answers the same, a contrary decision is refused.
    let retried = answer(&sb, &SetAccept::capture(uuid.clone())).await;
    assert_eq!(retried.status, PaymentStatus::Succeeded);
    assert_eq!(code(send(&sb, &SetAccept::cancel(uuid.clone())).await), 1);

    let other = prepared(&sb, &payment("two-2", "1000").two_stage()).await;
    pay(&sb, other.as_str(), CardBehaviour::SmsCode);
    let canceled = answer(&sb, &SetAccept::cancel(other)).await;
    assert_eq!(canceled.status, PaymentStatus::Canceled);
    sb.shutdown().await;
}

#[tokio::test]
async fn ttl_and_hold_expire_by_the_clock() {
    let (clock, sb) =
        clocked(|b| b.configure(|c| c.hold_duration = time::Duration::minutes(30))).await;
    let mut short = payment("ttl-1", "100");
    short.ttl = Some(5);
    let p = prepared(&sb, &short).await;
    let held = prepared(&sb, &payment("hold-1", "100").two_stage()).await;
    pay(&sb, held.as_str(), CardBehaviour::Success);

    clock.advance(time::Duration::minutes(4));
    assert_eq!(sb.expire_due(), 0);
    assert_eq!(
        sb.payment(p.as_str()).unwrap().status,
        PaymentStatus::Created
    );
    clock.advance(time::Duration::minutes(2));
    // Read through the API: expiry applies even before the sweep.
    assert_eq!(checked(&sb, "ttl-1").await.status, PaymentStatus::Canceled);
    let late = pay(&sb, p.as_str(), CardBehaviour::Success);
    assert_finished(&late, PaymentStatus::Canceled);

    assert_eq!(
        sb.payment(held.as_str()).unwrap().status,
        PaymentStatus::WaitingForCapture
    );
    clock.advance(time::Duration::minutes(30));
    assert_eq!(sb.expire_due(), 1);
    assert_eq!(
        sb.payment(held.as_str()).unwrap().status,
        PaymentStatus::Canceled
    );
    assert_eq!(code(send(&sb, &SetAccept::capture(held)).await), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn three_wrong_codes_cancel_and_seconds_left_counts_down() {
    let (clock, sb) = clocked(|b| b).await;
    let p = prepared(&sb, &payment("otp-1", "100")).await;
    let uuid = p.as_str();
    let card = test_card(CardBehaviour::SmsCode);
    let step = sb.customer().enter_card(uuid, card.pan, "12/30").unwrap();
    assert!(
        matches!(
            step,
            Step::CodeRequired {
                seconds_left: 300,
                ..
            }
        ),
        "{step:?}"
    );
    assert_eq!(
        sb.payment(uuid).unwrap().status,
        PaymentStatus::WaitUserAction
    );
    clock.advance(time::Duration::seconds(79));
    assert!(matches!(
        sb.customer().step(uuid).unwrap(),
        Step::CodeRequired {
            seconds_left: 221,
            ..
        }
    ));
    for left in [2, 1] {
        match sb.customer().enter_code(uuid, "000000").unwrap() {
            Step::Retry { message } => assert!(message.contains(&left.to_string()), "{message}"),
            other => panic!("{other:?}"),
        }
    }
    let third = sb.customer().enter_code(uuid, "000000").unwrap();
    assert_finished(&third, PaymentStatus::Canceled);
    // The right code is too late now.
    let after = sb.customer().enter_code(uuid, sb.otp_code()).unwrap();
    assert_finished(&after, PaymentStatus::Canceled);

    let q = prepared(&sb, &payment("otp-2", "100")).await;
    let quuid = q.as_str();
    sb.customer().enter_card(quuid, card.pan, "12/30").unwrap();
    clock.advance(time::Duration::seconds(301));
    assert!(matches!(
        sb.customer().enter_code(quuid, sb.otp_code()).unwrap(),
        Step::Retry { .. }
    ));
    sb.shutdown().await;
}
