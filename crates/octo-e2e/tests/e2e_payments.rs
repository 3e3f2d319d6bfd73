//! End to end, through each transport (octo-reqwest, octo-ureq,
//! octo-hyper): payments against the sandbox, with the shop's callback
//! endpoint served by octo-hyper's `CallbackService` on loopback. Each flow
//! is written once and run three times (`one_stage::reqwest`, ...).
//!
//! Every flow checks the client's view (statuses, exact amounts), the
//! notifications the receiver verified, and the sandbox's own record.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use octo_proto::op::{BasketItem, FiscalData, PaymentStatusCheck, Refund, SetAccept, UserData};
use octo_proto::{PaymentStatus, RefundStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{FiscalObject, ManualClock, Step};
use octo_testkit::AnyClient;
use support::{Decision, Env, assert_amount, code, dec};

each_transport!(
    one_stage,
    two_stage_capture,
    partial_capture,
    cancel,
    refunds_partial_then_full,
    fiscal_data,
    ttl_expiry,
    three_wrong_codes,
);

/// Paid with each card that pays (no challenge, SMS code, 3-D Secure).
async fn one_stage<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let cards = [
        (CardBehaviour::Success, vec![PaymentStatus::Succeeded]),
        (
            CardBehaviour::SmsCode,
            vec![PaymentStatus::WaitUserAction, PaymentStatus::Succeeded],
        ),
        (
            CardBehaviour::ThreeDSecure,
            vec![PaymentStatus::WaitUserAction, PaymentStatus::Succeeded],
        ),
    ];
    for (i, (behaviour, expected)) in cards.into_iter().enumerate() {
        let id = format!("one-{i}");
        let created = env.client.send(&env.payment(&id, "1000.50")).await.unwrap();
        assert_eq!(created.status, PaymentStatus::Created);
        assert_eq!(created.shop_transaction_id.as_str(), id);
        assert_amount(created.total_sum, "1000.50");
        let url = created.octo_pay_url.clone().unwrap();
        assert!(
            url.starts_with(&format!("{}/pay/", env.sb.base_url())),
            "{url}"
        );
        let uuid = created.octo_payment_uuid.as_str().to_owned();

        // A repeated prepare is the same payment.
        let again = env.client.send(&env.payment(&id, "1000.50")).await.unwrap();
        assert_eq!(again.octo_payment_uuid, created.octo_payment_uuid);
        assert_eq!(env.sb.payment_count(), i + 1);

        let step = env.sb.customer().pay(&uuid, &test_card(behaviour)).unwrap();
        assert!(
            matches!(
                step,
                Step::Finished {
                    status: PaymentStatus::Succeeded,
                    ..
                }
            ),
            "{behaviour:?}: {step:?}"
        );
        let notes = env
            .callbacks
            .notifications_until(&uuid, PaymentStatus::Succeeded)
            .await;
        let statuses: Vec<_> = notes.iter().map(|n| n.status.clone()).collect();
        assert_eq!(statuses, expected, "{behaviour:?}");
        let last = notes.last().unwrap();
        assert_eq!(last.shop_transaction_id.as_str(), id);
        assert_amount(last.total_sum, "1000.50");
        assert!(last.masked_pan.is_some());

        let checked = env
            .client
            .send(&PaymentStatusCheck::new(id.parse().unwrap()))
            .await
            .unwrap();
        assert_eq!(checked.status, PaymentStatus::Succeeded);
        assert_amount(checked.total_sum, "1000.50");
        // OCTO's 2 % fee, kept exact.
        assert_eq!(checked.transfer_sum, Some(dec("980.49")));
        assert_eq!(checked.transfer_sum, last.transfer_sum);

        let held = env.sb.payment(&uuid).unwrap();
        assert_eq!(held.status, PaymentStatus::Succeeded);
        assert_eq!(held.total_sum.to_string(), "1000.50");
        assert_eq!(held.refunded_sum, dec("0"));
    }
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

/// Held, then captured in full: once with `set_accept`, once by answering
/// the notification with `{"accept_status":"capture"}`.
async fn two_stage_capture<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let created = env
        .client
        .send(&env.payment("two-1", "1000.00").two_stage())
        .await
        .unwrap();
    let uuid = created.octo_payment_uuid.clone();
    assert_eq!(
        code(env.client.send(&SetAccept::capture(uuid.clone())).await),
        1,
        "nothing is held yet"
    );
    env.sb
        .customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::Success))
        .unwrap();
    let held = env.callbacks.next_notification().await;
    assert_eq!(held.status, PaymentStatus::WaitingForCapture);
    assert!(held.awaits_decision());
    assert_amount(held.total_sum, "1000.00");
    assert_eq!(
        env.sb.payment(uuid.as_str()).unwrap().status,
        PaymentStatus::WaitingForCapture
    );

    let captured = env
        .client
        .send(&SetAccept::capture(uuid.clone()))
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Succeeded);
    let notes = env
        .callbacks
        .notifications_until(uuid.as_str(), PaymentStatus::Succeeded)
        .await;
    assert_amount(notes.last().unwrap().total_sum, "1000.00");
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("two-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Succeeded);
    assert_amount(checked.total_sum, "1000.00");
    let record = env.sb.payment(uuid.as_str()).unwrap();
    assert_eq!(
        (record.status, record.total_sum),
        (PaymentStatus::Succeeded, dec("1000.00"))
    );

    // Decided by the reply to the notification.
    env.callbacks.decide(Decision::Capture);
    let created = env
        .client
        .send(&env.payment("two-2", "2500.75").two_stage())
        .await
        .unwrap();
    let uuid = created.octo_payment_uuid.as_str().to_owned();
    env.sb
        .customer()
        .pay(&uuid, &test_card(CardBehaviour::SmsCode))
        .unwrap();
    let notes = env
        .callbacks
        .notifications_until(&uuid, PaymentStatus::Succeeded)
        .await;
    assert!(
        notes
            .iter()
            .any(|n| n.status == PaymentStatus::WaitingForCapture)
    );
    assert_amount(notes.last().unwrap().total_sum, "2500.75");
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("two-2".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Succeeded);
    assert_eq!(
        env.sb.payment(&uuid).unwrap().status,
        PaymentStatus::Succeeded
    );
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

/// Capturing less than the hold: the captured amount becomes the total.
async fn partial_capture<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let created = env
        .client
        .send(&env.payment("part-1", "1000.00").two_stage())
        .await
        .unwrap();
    let uuid = created.octo_payment_uuid.clone();
    env.sb
        .customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::ThreeDSecure))
        .unwrap();
    env.callbacks
        .notifications_until(uuid.as_str(), PaymentStatus::WaitingForCapture)
        .await;
    assert_eq!(
        code(
            env.client
                .send(&SetAccept::capture_partial(uuid.clone(), dec("1000.01")))
                .await
        ),
        3,
        "more than held"
    );
    let captured = env
        .client
        .send(&SetAccept::capture_partial(uuid.clone(), dec("600.40")))
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Succeeded);
    assert_amount(captured.total_sum, "600.40");
    let notes = env
        .callbacks
        .notifications_until(uuid.as_str(), PaymentStatus::Succeeded)
        .await;
    assert_amount(notes.last().unwrap().total_sum, "600.40");
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("part-1".parse().unwrap()))
        .await
        .unwrap();
    assert_amount(checked.total_sum, "600.40");
    assert_eq!(
        env.sb.payment(uuid.as_str()).unwrap().total_sum,
        dec("600.40")
    );
    // A refund can take no more than what was captured.
    assert_eq!(
        code(
            env.client
                .send(&Refund::new(
                    "rf-p".parse().unwrap(),
                    uuid.clone(),
                    dec("600.41")
                ))
                .await
        ),
        3
    );
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

/// A hold cancelled with `set_accept`, and another by the notification's
/// reply.
async fn cancel<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let created = env
        .client
        .send(&env.payment("can-1", "700").two_stage())
        .await
        .unwrap();
    let uuid = created.octo_payment_uuid.clone();
    env.sb
        .customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::Success))
        .unwrap();
    env.callbacks
        .notifications_until(uuid.as_str(), PaymentStatus::WaitingForCapture)
        .await;
    let canceled = env
        .client
        .send(&SetAccept::cancel(uuid.clone()))
        .await
        .unwrap();
    assert_eq!(canceled.status, PaymentStatus::Canceled);
    env.callbacks
        .notifications_until(uuid.as_str(), PaymentStatus::Canceled)
        .await;
    assert_eq!(
        code(env.client.send(&SetAccept::capture(uuid.clone())).await),
        1,
        "a cancelled hold cannot be captured"
    );
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("can-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Canceled);
    assert_eq!(
        env.sb.payment(uuid.as_str()).unwrap().status,
        PaymentStatus::Canceled
    );

    env.callbacks.decide(Decision::Cancel);
    let created = env
        .client
        .send(&env.payment("can-2", "700").two_stage())
        .await
        .unwrap();
    let uuid = created.octo_payment_uuid.as_str().to_owned();
    env.sb
        .customer()
        .pay(&uuid, &test_card(CardBehaviour::Success))
        .unwrap();
    env.callbacks
        .notifications_until(&uuid, PaymentStatus::Canceled)
        .await;
    assert_eq!(
        env.sb.payment(&uuid).unwrap().status,
        PaymentStatus::Canceled
    );
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("can-2".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Canceled);
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

/// A partial refund, its idempotent repeat, a refund over what is left,
/// then the rest.
async fn refunds_partial_then_full<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let created = env
        .client
        .send(&env.payment("ref-1", "100000.00"))
        .await
        .unwrap();
    let uuid = created.octo_payment_uuid.clone();
    let refund =
        |id: &str, amount: &str| Refund::new(id.parse().unwrap(), uuid.clone(), dec(amount));
    assert_eq!(
        code(env.client.send(&refund("rf-0", "1000")).await),
        1,
        "not paid yet"
    );
    env.sb
        .customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::SmsCode))
        .unwrap();
    env.callbacks
        .notifications_until(uuid.as_str(), PaymentStatus::Succeeded)
        .await;

    let first = env.client.send(&refund("rf-1", "30000.50")).await.unwrap();
    assert_eq!(first.status, RefundStatus::Succeeded);
    assert!(first.refund_id.is_some() && first.refund_time.is_some());
    let repeat = env.client.send(&refund("rf-1", "30000.50")).await.unwrap();
    assert_eq!(repeat.refund_id, first.refund_id, "the same refund");
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("ref-1".parse().unwrap()))
        .await
        .unwrap();
    assert_amount(checked.refunded_sum, "30000.50");
    assert_eq!(
        env.sb.payment(uuid.as_str()).unwrap().refunded_sum,
        dec("30000.50")
    );

    assert_eq!(
        code(env.client.send(&refund("rf-2", "70000.00")).await),
        3,
        "more than what is left"
    );
    let rest = env.client.send(&refund("rf-3", "69999.50")).await.unwrap();
    assert_eq!(rest.status, RefundStatus::Succeeded);
    assert_ne!(rest.refund_id, first.refund_id);
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("ref-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Succeeded);
    assert_amount(checked.refunded_sum, "100000.00");
    assert_amount(checked.total_sum, "100000.00");
    let record = env.sb.payment(uuid.as_str()).unwrap();
    assert_eq!(record.refunded_sum, record.total_sum);
    assert_eq!(
        code(env.client.send(&refund("rf-4", "12600")).await),
        3,
        "nothing left"
    );
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

/// A fiscal basket: refused (403) until its object is registered in the
/// sandbox, then paid, and its receipt read with `fiscal-data`.
async fn fiscal_data<C: AnyClient + 'static>() {
    let object = FiscalObject {
        spic: "10899002001000000".into(),
        package_code: "1503716".into(),
        nds: 12,
        inn: Some("307654321".into()),
        pinfl: None,
    };
    let env = Env::<C>::start_with(
        move |b| b.fiscal_object(object),
        octo_proto::RetryPolicy::default(),
    )
    .await;
    let line = |inn: &str| {
        let mut item = BasketItem::new("Tea, green, 100 g", 3, dec("12500.25"));
        item.spic = Some("10899002001000000".into());
        item.package_code = Some("1503716".into());
        item.nds = Some(12);
        item.inn = Some(inn.into());
        item
    };
    let with_basket = |id: &str, inn: &str| {
        let mut p = env.payment(id, "37500.75").with_basket(vec![line(inn)]);
        p.user_data = Some(UserData {
            user_id: "buyer-7".into(),
            phone: "998901112233".into(),
            email: String::new(),
        });
        p
    };
    assert_eq!(
        code(env.client.send(&with_basket("fis-0", "300000001")).await),
        403
    );
    assert_eq!(env.sb.payment_count(), 0);
    let created = env
        .client
        .send(&with_basket("fis-1", "307654321"))
        .await
        .unwrap();
    assert_amount(created.total_sum, "37500.75");
    let uuid = created.octo_payment_uuid.clone();
    assert_eq!(
        code(env.client.send(&FiscalData::new(uuid.clone())).await),
        1,
        "not paid yet"
    );
    env.sb
        .customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::Success))
        .unwrap();
    env.callbacks
        .notifications_until(uuid.as_str(), PaymentStatus::Succeeded)
        .await;
    let receipt = env
        .client
        .send(&FiscalData::new(uuid.clone()))
        .await
        .unwrap();
    assert_eq!(receipt.phone.as_deref(), Some("998901112233"));
    assert!(receipt.date_time.is_some());
    let id = receipt.receipt_id.clone().unwrap();
    assert!(receipt.qr_code_url.unwrap().contains(&id));
    let again = env
        .client
        .send(&FiscalData::new(uuid.clone()))
        .await
        .unwrap();
    assert_eq!(
        again.receipt_id.as_deref(),
        Some(id.as_str()),
        "one receipt"
    );
    assert_eq!(
        env.sb.payment(uuid.as_str()).unwrap().status,
        PaymentStatus::Succeeded
    );
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

/// A payment nobody pays ends cancelled when its ttl passes by the
/// sandbox's clock; the customer cannot pay it afterwards.
async fn ttl_expiry<C: AnyClient + 'static>() {
    let clock = ManualClock::starting_now();
    let env = Env::<C>::with_clock(clock.clone()).await;
    let mut p = env.payment("ttl-1", "5000");
    p.ttl = Some(5);
    let created = env.client.send(&p).await.unwrap();
    let uuid = created.octo_payment_uuid.as_str().to_owned();
    clock.advance(time::Duration::minutes(4));
    assert_eq!(env.sb.expire_due(), 0);
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("ttl-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Created);

    clock.advance(time::Duration::minutes(2));
    assert_eq!(env.sb.expire_due(), 1);
    let notes = env
        .callbacks
        .notifications_until(&uuid, PaymentStatus::Canceled)
        .await;
    assert_eq!(notes.len(), 1, "one notification: canceled");
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("ttl-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Canceled);
    assert_eq!(
        env.sb.payment(&uuid).unwrap().status,
        PaymentStatus::Canceled
    );
    let late = env
        .sb
        .customer()
        .pay(&uuid, &test_card(CardBehaviour::Success))
        .unwrap();
    assert!(matches!(
        late,
        Step::Finished {
            status: PaymentStatus::Canceled,
            ..
        }
    ));
    env.all_callbacks_verified().await;
    env.shutdown().await;
}

/// Three wrong SMS codes on the payment page cancel the payment.
async fn three_wrong_codes<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let created = env
        .client
        .send(&env.payment("otp-1", "4200"))
        .await
        .unwrap();
    let uuid = created.octo_payment_uuid.as_str().to_owned();
    let card = test_card(CardBehaviour::SmsCode);
    let step = env
        .sb
        .customer()
        .enter_card(&uuid, card.pan, "12/30")
        .unwrap();
    assert!(matches!(step, Step::CodeRequired { .. }), "{step:?}");
    for _ in 0..2 {
        let step = env.sb.customer().enter_code(&uuid, "000000").unwrap();
        assert!(matches!(step, Step::Retry { .. }), "{step:?}");
        let checked = env
            .client
            .send(&PaymentStatusCheck::new("otp-1".parse().unwrap()))
            .await
            .unwrap();
        assert_eq!(checked.status, PaymentStatus::WaitUserAction);
    }
    let step = env.sb.customer().enter_code(&uuid, "000000").unwrap();
    assert!(
        matches!(
            step,
            Step::Finished {
                status: PaymentStatus::Canceled,
                ..
            }
        ),
        "{step:?}"
    );
    let notes = env
        .callbacks
        .notifications_until(&uuid, PaymentStatus::Canceled)
        .await;
    let statuses: Vec<_> = notes.iter().map(|n| n.status.clone()).collect();
    assert_eq!(
        statuses,
        [PaymentStatus::WaitUserAction, PaymentStatus::Canceled]
    );
    let checked = env
        .client
        .send(&PaymentStatusCheck::new("otp-1".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(checked.status, PaymentStatus::Canceled);
    assert_eq!(
        env.sb.payment(&uuid).unwrap().status,
        PaymentStatus::Canceled
    );
    // The right code is too late.
    let after = env
        .sb
        .customer()
        .enter_code(&uuid, env.sb.otp_code())
        .unwrap();
    assert!(matches!(
        after,
        Step::Finished {
            status: PaymentStatus::Canceled,
            ..
        }
    ));
    env.all_callbacks_verified().await;
    env.shutdown().await;
}
