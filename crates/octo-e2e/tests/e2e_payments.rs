//! End to end, through each transport (octo-reqwest, octo-ureq,
//! octo-hyper): payments against the sandbox, with the shop's callback
//! endpoint served by octo-hyper's `CallbackService` on loopback. Each flow
//! is written once and run three times (`one_stage::reqwest`, ...).
//!
//! Every flow checks the client's view (statuses, exact amounts), the
//! notifications the receiver verified, and the sandbox's own record.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use octo_proto::op::{FiscalData, Refund, SetAccept, UserData};
use octo_proto::{PaymentStatus, RefundStatus};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{FiscalObject, ManualClock, Step};
use octo_testkit::AnyClient;
use support::{Decision, Env, assert_amount, assert_finished, code, dec};

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
        let created = env.answer(&env.payment(&id, "1000.50")).await;
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
        let again = env.answer(&env.payment(&id, "1000.50")).await;
        assert_eq!(again.octo_payment_uuid, created.octo_payment_uuid);
        assert_eq!(env.sb.payment_count(), i + 1);

        let step = env.pay(&uuid, behaviour);
        let case = format!("{behaviour:?}");
        assert_finished(&step, PaymentStatus::Succeeded, &case);
        let notes = env.until(&uuid, PaymentStatus::Succeeded).await;
        let statuses: Vec<_> = notes.iter().map(|n| n.status.clone()).collect();
        assert_eq!(statuses, expected, "{behaviour:?}");
        let last = notes.last().unwrap();
        assert_eq!(last.shop_transaction_id.as_str(), id);
        assert_amount(last.total_sum, "1000.50");
        assert!(last.masked_pan.is_some());

        let checked = env.checked(&id).await;
        assert_eq!(checked.status, PaymentStatus::Succeeded);
        assert_amount(checked.total_sum, "1000.50");
        // OCTO's 2 % fee, kept exact.
        assert_eq!(checked.transfer_sum, Some(dec("980.49")));
        assert_eq!(checked.transfer_sum, last.transfer_sum);

        let held = env.record(&uuid);
        assert_eq!(held.status, PaymentStatus::Succeeded);
        assert_eq!(held.total_sum.to_string(), "1000.50");
        assert_eq!(held.refunded_sum, dec("0"));
    }
    env.finish().await;
}

/// Held, then captured in full: once with `set_accept`, once by answering
/// the notification with `{"accept_status":"capture"}`.
async fn two_stage_capture<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let created = env
        .answer(&env.payment("two-1", "1000.00").two_stage())
        .await;
    let uuid = created.octo_payment_uuid.clone();
    assert_eq!(
        code(env.client.send(&SetAccept::capture(uuid.clone())).await),
        1,
        "nothing is held yet"
    );
    env.pay(uuid.as_str(), CardBehaviour::Success);
    let held = env.callbacks.next_notification().await;
    assert_eq!(held.status, PaymentStatus::WaitingForCapture);
    assert!(held.awaits_decision());
    assert_amount(held.total_sum, "1000.00");
    assert_eq!(
        env.record(uuid.as_str()).status,
        PaymentStatus::WaitingForCapture
    );

    let captured = env.answer(&SetAccept::capture(uuid.clone())).await;
    assert_eq!(captured.status, PaymentStatus::Succeeded);
    let notes = env.until(uuid.as_str(), PaymentStatus::Succeeded).await;
    assert_amount(notes.last().unwrap().total_sum, "1000.00");
    let checked = env.checked("two-1").await;
    assert_eq!(checked.status, PaymentStatus::Succeeded);
    assert_amount(checked.total_sum, "1000.00");
    let record = env.record(uuid.as_str());
    assert_eq!(
        (record.status, record.total_sum),
        (PaymentStatus::Succeeded, dec("1000.00"))
    );

    // Decided by the reply to the notification.
    env.callbacks.decide(Decision::Capture);
    let held = env.payment("two-2", "2500.75").two_stage();
    let (uuid, notes) = env
        .pay_until(&held, CardBehaviour::SmsCode, PaymentStatus::Succeeded)
        .await;
    assert!(
        notes
            .iter()
            .any(|n| n.status == PaymentStatus::WaitingForCapture)
    );
    assert_amount(notes.last().unwrap().total_sum, "2500.75");
    assert_eq!(env.checked("two-2").await.status, PaymentStatus::Succeeded);
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Succeeded);
    env.finish().await;
}

/// Capturing less than the hold: the captured amount becomes the total.
async fn partial_capture<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let uuid = env
        .held("part-1", "1000.00", CardBehaviour::ThreeDSecure)
        .await;
    let capture = |amount: &str| SetAccept::capture_partial(uuid.clone(), dec(amount));
    assert_eq!(
        code(env.client.send(&capture("1000.01")).await),
        3,
        "more than held"
    );
    let captured = env.client.send(&capture("600.40")).await.unwrap();
    assert_eq!(captured.status, PaymentStatus::Succeeded);
    assert_amount(captured.total_sum, "600.40");
    let notes = env.until(uuid.as_str(), PaymentStatus::Succeeded).await;
    assert_amount(notes.last().unwrap().total_sum, "600.40");
    assert_amount(env.checked("part-1").await.total_sum, "600.40");
    assert_eq!(env.record(uuid.as_str()).total_sum, dec("600.40"));
    // A refund can take no more than what was captured.
    let refund = Refund::new("rf-p".parse().unwrap(), uuid.clone(), dec("600.41"));
    assert_eq!(code(env.client.send(&refund).await), 3);
    env.finish().await;
}

/// A hold cancelled with `set_accept`, and another by the notification's
/// reply.
async fn cancel<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let uuid = env.held("can-1", "700", CardBehaviour::Success).await;
    let canceled = env.answer(&SetAccept::cancel(uuid.clone())).await;
    assert_eq!(canceled.status, PaymentStatus::Canceled);
    env.until(uuid.as_str(), PaymentStatus::Canceled).await;
    assert_eq!(
        code(env.client.send(&SetAccept::capture(uuid.clone())).await),
        1,
        "a cancelled hold cannot be captured"
    );
    assert_eq!(env.checked("can-1").await.status, PaymentStatus::Canceled);
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Canceled);

    env.callbacks.decide(Decision::Cancel);
    let held = env.payment("can-2", "700").two_stage();
    let (uuid, _) = env
        .pay_until(&held, CardBehaviour::Success, PaymentStatus::Canceled)
        .await;
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Canceled);
    assert_eq!(env.checked("can-2").await.status, PaymentStatus::Canceled);
    env.finish().await;
}

/// A partial refund, its idempotent repeat, a refund over what is left,
/// then the rest.
async fn refunds_partial_then_full<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let created = env.answer(&env.payment("ref-1", "100000.00")).await;
    let uuid = created.octo_payment_uuid.clone();
    let refund =
        |id: &str, amount: &str| Refund::new(id.parse().unwrap(), uuid.clone(), dec(amount));
    assert_eq!(
        code(env.client.send(&refund("rf-0", "1000")).await),
        1,
        "not paid yet"
    );
    env.pay(uuid.as_str(), CardBehaviour::SmsCode);
    env.until(uuid.as_str(), PaymentStatus::Succeeded).await;

    let first = env.client.send(&refund("rf-1", "30000.50")).await.unwrap();
    assert_eq!(first.status, RefundStatus::Succeeded);
    assert!(first.refund_id.is_some() && first.refund_time.is_some());
    let repeat = env.client.send(&refund("rf-1", "30000.50")).await.unwrap();
    assert_eq!(repeat.refund_id, first.refund_id, "the same refund");
    assert_amount(env.checked("ref-1").await.refunded_sum, "30000.50");
    assert_eq!(env.record(uuid.as_str()).refunded_sum, dec("30000.50"));

    assert_eq!(
        code(env.client.send(&refund("rf-2", "70000.00")).await),
        3,
        "more than what is left"
    );
    let rest = env.client.send(&refund("rf-3", "69999.50")).await.unwrap();
    assert_eq!(rest.status, RefundStatus::Succeeded);
    assert_ne!(rest.refund_id, first.refund_id);
    let checked = env.checked("ref-1").await;
    assert_eq!(checked.status, PaymentStatus::Succeeded);
    assert_amount(checked.refunded_sum, "100000.00");
    assert_amount(checked.total_sum, "100000.00");
    let record = env.record(uuid.as_str());
    assert_eq!(record.refunded_sum, record.total_sum);
    assert_eq!(
        code(env.client.send(&refund("rf-4", "12600")).await),
        3,
        "nothing left"
    );
    env.finish().await;
}

/// A fiscal basket: refused (403) until its object is registered in the
/// sandbox, then paid, and its receipt read with `fiscal-data`.
async fn fiscal_data<C: AnyClient + 'static>() {
    let object = FiscalObject::of_legal_entity("10899002001000000", "1503716", 12, "307654321");
    let registered = object.clone();
    let env = Env::<C>::start_with(
        move |b| b.fiscal_object(registered),
        octo_proto::RetryPolicy::default(),
    )
    .await;
    let line = |inn: &str| {
        let mut item = object.basket_item("Tea, green, 100 g", 3, dec("12500.25"));
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
    let created = env.answer(&with_basket("fis-1", "307654321")).await;
    assert_amount(created.total_sum, "37500.75");
    let uuid = created.octo_payment_uuid.clone();
    let receipt = FiscalData::new(uuid.clone());
    assert_eq!(code(env.client.send(&receipt).await), 1, "not paid yet");
    env.pay(uuid.as_str(), CardBehaviour::Success);
    env.until(uuid.as_str(), PaymentStatus::Succeeded).await;
    let first = env.client.send(&receipt).await.unwrap();
    assert_eq!(first.phone.as_deref(), Some("998901112233"));
    assert!(first.date_time.is_some());
    let id = first.receipt_id.clone().unwrap();
    assert!(first.qr_code_url.unwrap().contains(&id));
    let again = env.client.send(&receipt).await.unwrap();
    assert_eq!(
        again.receipt_id.as_deref(),
        Some(id.as_str()),
        "one receipt"
    );
    assert_eq!(env.record(uuid.as_str()).status, PaymentStatus::Succeeded);
    env.finish().await;
}

/// A payment nobody pays ends cancelled when its ttl passes by the
/// sandbox's clock; the customer cannot pay it afterwards.
async fn ttl_expiry<C: AnyClient + 'static>() {
    let clock = ManualClock::starting_now();
    let env = Env::<C>::with_clock(clock.clone()).await;
    let mut p = env.payment("ttl-1", "5000");
    p.ttl = Some(5);
    let uuid = env.answer(&p).await.octo_payment_uuid.as_str().to_owned();
    clock.advance(time::Duration::minutes(4));
    assert_eq!(env.sb.expire_due(), 0);
    assert_eq!(env.checked("ttl-1").await.status, PaymentStatus::Created);

    clock.advance(time::Duration::minutes(2));
    assert_eq!(env.sb.expire_due(), 1);
    let notes = env.until(&uuid, PaymentStatus::Canceled).await;
    assert_eq!(notes.len(), 1, "one notification: canceled");
    assert_eq!(env.checked("ttl-1").await.status, PaymentStatus::Canceled);
    assert_eq!(env.record(&uuid).status, PaymentStatus::Canceled);
    let late = env.pay(&uuid, CardBehaviour::Success);
    assert_finished(&late, PaymentStatus::Canceled, "paid after the ttl");
    env.finish().await;
}

/// Three wrong SMS codes on the payment page cancel the payment.
async fn three_wrong_codes<C: AnyClient + 'static>() {
    let env = Env::<C>::start().await;
    let created = env.answer(&env.payment("otp-1", "4200")).await;
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
        let checked = env.checked("otp-1").await;
        assert_eq!(checked.status, PaymentStatus::WaitUserAction);
    }
    let step = env.sb.customer().enter_code(&uuid, "000000").unwrap();
    assert_finished(&step, PaymentStatus::Canceled, "the third wrong code");
    let notes = env.until(&uuid, PaymentStatus::Canceled).await;
    let statuses: Vec<_> = notes.iter().map(|n| n.status.clone()).collect();
    assert_eq!(
        statuses,
        [PaymentStatus::WaitUserAction, PaymentStatus::Canceled]
    );
    assert_eq!(env.checked("otp-1").await.status, PaymentStatus::Canceled);
    assert_eq!(env.record(&uuid).status, PaymentStatus::Canceled);
    // The right code is too late.
    let after = env
        .sb
        .customer()
        .enter_code(&uuid, env.sb.otp_code())
        .unwrap();
    assert_finished(&after, PaymentStatus::Canceled, "the right code too late");
    env.finish().await;
}
