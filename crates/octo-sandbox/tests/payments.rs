//! prepare_payment, the status check, set_accept: OCTO's rules and errors,
//! paid through the customer's steps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{code, dec, init_time, post_raw, send, with_auth};
use octo_proto::op::{BasketItem, PaymentStatusCheck, PreparePayment, SetAccept};
use octo_proto::{Currency, PaymentStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{FiscalObject, ManualClock, Sandbox, Step};
use serde_json::json;

fn payment(id: &str, total: &str) -> PreparePayment {
    PreparePayment::new(
        id.parse().unwrap(),
        dec(total),
        Currency::Uzs,
        "Two yoghurts",
        "https://shop.example/orders/1",
        init_time(),
    )
}

#[tokio::test]
async fn prepare_answers_both_envelopes_and_repeats_are_the_same_payment() {
    let sb = Sandbox::builder().start().await.unwrap();
    let first = send(&sb, &payment("order-1", "1000.50")).await.unwrap();
    assert_eq!(first.status, PaymentStatus::Created);
    assert_eq!(first.total_sum.unwrap().to_string(), "1000.50");
    let url = first.octo_pay_url.clone().unwrap();
    assert!(url.starts_with(&format!("{}/pay/", sb.base_url())), "{url}");

    let again = send(&sb, &payment("order-1", "999")).await.unwrap();
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

    let checked = send(&sb, &PaymentStatusCheck::new("order-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.octo_payment_uuid, first.octo_payment_uuid);
    assert_eq!(
        code(send(&sb, &PaymentStatusCheck::new("nope".parse().unwrap())).await),
        1
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn prepare_enforces_auth_basket_currency_shop_status_and_fiscal_objects() {
    let registered = FiscalObject {
        spic: "00305001001000000".into(),
        package_code: "1425207".into(),
        nds: 1,
        inn: Some("123456".into()),
        pinfl: None,
    };
    let sb = Sandbox::builder()
        .fiscal_object(registered)
        .configure(|c| c.shops[0].real_payments = false)
        .start()
        .await
        .unwrap();

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

    let mut item = BasketItem::new("Fish", 1, dec("100.0"));
    item.spic = Some("00305001001000000".into());
    item.package_code = Some("1425207".into());
    item.nds = Some(1);
    item.inn = Some("999999".into());
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
    let ok = send(&sb, &payment("f", "100.0").with_basket(vec![item]))
        .await
        .unwrap();
    assert_eq!(ok.status, PaymentStatus::Created);
    assert_eq!(sb.payment_count(), 1, "refused payments are not stored");
    sb.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_error_1_with_the_field_named() {
    let sb = Sandbox::builder().start().await.unwrap();
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
    let sb = Sandbox::builder().start().await.unwrap();
    for (i, behaviour) in [
        CardBehaviour::Success,
        CardBehaviour::SmsCode,
        CardBehaviour::ThreeDSecure,
    ]
    .into_iter()
    .enumerate()
    {
        let p = send(&sb, &payment(&format!("one-{i}"), "5000"))
            .await
            .unwrap();
        let uuid = p.octo_payment_uuid.as_str();
        let step = sb.customer().pay(uuid, &test_card(behaviour)).unwrap();
        assert!(
            matches!(
                step,
                Step::Finished {
                    status: PaymentStatus::Succeeded,
                    ..
                }
            ),
            "{step:?}"
        );
        let after = send(
            &sb,
            &PaymentStatusCheck::new(format!("one-{i}").parse().unwrap()),
        )
        .await
        .unwrap();
        assert_eq!(after.status, PaymentStatus::Succeeded);
        assert_eq!(after.transfer_sum.unwrap(), dec("4900.00"));
        assert!(after.payed_time.is_some());
        assert!(after.card.is_some());
    }
    for (i, behaviour) in [CardBehaviour::Decline, CardBehaviour::InsufficientFunds]
        .into_iter()
        .enumerate()
    {
        let p = send(&sb, &payment(&format!("declined-{i}"), "5000"))
            .await
            .unwrap();
        let step = sb
            .customer()
            .pay(p.octo_payment_uuid.as_str(), &test_card(behaviour))
            .unwrap();
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
    let sb = Sandbox::builder().start().await.unwrap();
    let held = send(&sb, &payment("two-1", "1000").two_stage())
        .await
        .unwrap();
    let uuid = held.octo_payment_uuid.clone();
    assert_eq!(
        code(send(&sb, &SetAccept::capture(uuid.clone())).await),
        1,
        "not held yet"
    );
    sb.customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::Success))
        .unwrap();
    assert_eq!(
        sb.payment(uuid.as_str()).unwrap().status,
        PaymentStatus::WaitingForCapture
    );
    assert_eq!(
        code(
            send(
                &sb,
                &SetAccept::capture_partial(uuid.clone(), dec("1000.01"))
            )
            .await
        ),
        3
    );
    let captured = send(
        &sb,
        &SetAccept::capture_partial(uuid.clone(), dec("600.00")),
    )
    .await
    .unwrap();
    assert_eq!(captured.status, PaymentStatus::Succeeded);
    assert_eq!(captured.total_sum.unwrap().to_string(), "600.00");
    // A retried capture answers the same, a contrary decision is refused.
    assert_eq!(
        send(&sb, &SetAccept::capture(uuid.clone()))
            .await
            .unwrap()
            .status,
        PaymentStatus::Succeeded
    );
    assert_eq!(code(send(&sb, &SetAccept::cancel(uuid.clone())).await), 1);

    let other = send(&sb, &payment("two-2", "1000").two_stage())
        .await
        .unwrap();
    sb.customer()
        .pay(
            other.octo_payment_uuid.as_str(),
            &test_card(CardBehaviour::SmsCode),
        )
        .unwrap();
    let canceled = send(&sb, &SetAccept::cancel(other.octo_payment_uuid.clone()))
        .await
        .unwrap();
    assert_eq!(canceled.status, PaymentStatus::Canceled);
    sb.shutdown().await;
}

#[tokio::test]
async fn ttl_and_hold_expire_by_the_clock() {
    let clock = ManualClock::starting_now();
    let sb = Sandbox::builder()
        .clock(clock.clone())
        .configure(|c| c.hold_duration = time::Duration::minutes(30))
        .start()
        .await
        .unwrap();
    let mut short = payment("ttl-1", "100");
    short.ttl = Some(5);
    let p = send(&sb, &short).await.unwrap();
    let held = send(&sb, &payment("hold-1", "100").two_stage())
        .await
        .unwrap();
    sb.customer()
        .pay(
            held.octo_payment_uuid.as_str(),
            &test_card(CardBehaviour::Success),
        )
        .unwrap();

    clock.advance(time::Duration::minutes(4));
    assert_eq!(sb.expire_due(), 0);
    assert_eq!(
        sb.payment(p.octo_payment_uuid.as_str()).unwrap().status,
        PaymentStatus::Created
    );
    clock.advance(time::Duration::minutes(2));
    // Read through the API: expiry applies even before the sweep.
    let checked = send(&sb, &PaymentStatusCheck::new("ttl-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Canceled);
    let late = sb
        .customer()
        .pay(
            p.octo_payment_uuid.as_str(),
            &test_card(CardBehaviour::Success),
        )
        .unwrap();
    assert!(matches!(
        late,
        Step::Finished {
            status: PaymentStatus::Canceled,
            ..
        }
    ));

    assert_eq!(
        sb.payment(held.octo_payment_uuid.as_str()).unwrap().status,
        PaymentStatus::WaitingForCapture
    );
    clock.advance(time::Duration::minutes(30));
    assert_eq!(sb.expire_due(), 1);
    assert_eq!(
        sb.payment(held.octo_payment_uuid.as_str()).unwrap().status,
        PaymentStatus::Canceled
    );
    assert_eq!(
        code(send(&sb, &SetAccept::capture(held.octo_payment_uuid.clone())).await),
        1
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn three_wrong_codes_cancel_and_seconds_left_counts_down() {
    let clock = ManualClock::starting_now();
    let sb = Sandbox::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let p = send(&sb, &payment("otp-1", "100")).await.unwrap();
    let uuid = p.octo_payment_uuid.as_str();
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
    assert!(
        matches!(
            third,
            Step::Finished {
                status: PaymentStatus::Canceled,
                ..
            }
        ),
        "{third:?}"
    );
    // The right code is too late now.
    let after = sb.customer().enter_code(uuid, sb.otp_code()).unwrap();
    assert!(matches!(
        after,
        Step::Finished {
            status: PaymentStatus::Canceled,
            ..
        }
    ));

    let q = send(&sb, &payment("otp-2", "100")).await.unwrap();
    let quuid = q.octo_payment_uuid.as_str();
    sb.customer().enter_card(quuid, card.pan, "12/30").unwrap();
    clock.advance(time::Duration::seconds(301));
    assert!(matches!(
        sb.customer().enter_code(quuid, sb.otp_code()).unwrap(),
        Step::Retry { .. }
    ));
    sb.shutdown().await;
}
