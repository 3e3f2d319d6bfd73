//! The flows the demo runs, in order. Each narrates its steps and ends
//! with what happened, or with what went differently than expected.

use octo_proto::callback::TokenizationCallback;
use octo_proto::op::{
    BasketItem, BindCard, BlockCardToken, CheckSmsKey, FiscalData, PayWithToken, Refund, SetAccept,
    SmsCode, UserData, VerificationInfo,
};
use octo_proto::{
    CardExpiry, Error, ErrorCode, Pan, PaymentMethod, PaymentStatus, PaymentUuid, TokenStatus,
};
use octo_sandbox::Step;
use octo_sandbox::cards::{CardBehaviour, test_card};
use rust_decimal::Decimal;

use super::narrate::Actor;
use super::receiver::Arrival;
use super::steps::{Ctx, Outcome, RETURN_URL, expect, uzs};
use crate::commands::sandbox::fiscal_object;

/// One flow of the demo.
pub struct Flow {
    /// Its header.
    pub title: &'static str,
    /// What it shows, in one sentence.
    pub story: &'static str,
    /// The flow itself.
    pub run: fn(&mut Ctx<'_>) -> Outcome,
}

/// Every flow, in the order they run (the token flows need the binding).
pub const FLOWS: [Flow; 10] = [
    Flow {
        title: "One-stage payment with a Uzcard card (SMS code)",
        story: "A customer pays for an order; the money is taken at once.",
        run: one_stage,
    },
    Flow {
        title: "A declined card",
        story: "The issuer refuses the card; the payment ends canceled and no money moves.",
        run: declined,
    },
    Flow {
        title: "Two-stage payment, captured",
        story: "The money is held on the card until the shop ships, then captured.",
        run: two_stage_capture,
    },
    Flow {
        title: "Two-stage payment, canceled",
        story: "The order cannot be fulfilled; the shop releases the held money.",
        run: two_stage_cancel,
    },
    Flow {
        title: "Partial capture",
        story: "Only part of the order ships; the shop captures less than it held.",
        run: partial_capture,
    },
    Flow {
        title: "Refunds",
        story: "A paid order is returned in two parts; OCTO refuses refunding more than was paid.",
        run: refunds,
    },
    Flow {
        title: "Binding a Humo card (SMS code)",
        story: "The customer saves a card; the shop receives a token to charge it later.",
        run: binding,
    },
    Flow {
        title: "Paying with the saved card's token",
        story: "A repeat purchase: the shop charges the token, without the card form.",
        run: token_payment,
    },
    Flow {
        title: "Blocking the token",
        story: "The customer removes the saved card; the token stops working.",
        run: block_token,
    },
    Flow {
        title: "A payment with fiscal data, and its receipt",
        story: "The basket carries the tax fields; after payment the fiscal receipt is fetched.",
        run: fiscal,
    },
];

fn dec(units: i64) -> Decimal {
    Decimal::new(units * 100, 2)
}

fn one_stage(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1001";
    let p = ctx.prepare(order, dec(125_000), "Two cups of green tea", false, |_| {})?;
    let uuid = p.octo_payment_uuid;
    let status = ctx.customer_pays(&uuid, test_card(CardBehaviour::SmsCode))?;
    expect(status == PaymentStatus::Succeeded, || {
        format!("the page ended {status}")
    })?;
    ctx.notified(&uuid, &PaymentStatus::Succeeded)?;
    let p = ctx.status_is(order, &PaymentStatus::Succeeded)?;
    expect(p.total_sum == Some(dec(125_000)), || {
        "the amount changed".into()
    })?;
    ctx.narrator
        .detail("on OCTO's answer (paid, the full amount) the shop ships the tea");
    Ok("paid 125 000.00 UZS in one step".into())
}

fn declined(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1002";
    let p = ctx.prepare(order, dec(48_000), "A notebook", false, |_| {})?;
    let uuid = p.octo_payment_uuid;
    let status = ctx.customer_pays(&uuid, test_card(CardBehaviour::Decline))?;
    expect(status == PaymentStatus::Canceled, || {
        format!("the page ended {status}")
    })?;
    ctx.notified(&uuid, &PaymentStatus::Canceled)?;
    ctx.status_is(order, &PaymentStatus::Canceled)?;
    ctx.narrator
        .detail("on OCTO's answer the shop does not ship and offers another card");
    Ok("the payment was canceled; the shop does not ship".into())
}

/// A two-stage payment paid by the customer and held: its id.
fn held(
    ctx: &mut Ctx<'_>,
    order: &str,
    amount: Decimal,
    what: &str,
) -> Result<PaymentUuid, String> {
    let p = ctx.prepare(order, amount, what, true, |_| {})?;
    let uuid = p.octo_payment_uuid;
    let status = ctx.customer_pays(&uuid, test_card(CardBehaviour::Success))?;
    expect(status == PaymentStatus::WaitingForCapture, || {
        format!("the page ended {status}, not waiting_for_capture")
    })?;
    ctx.notified(&uuid, &PaymentStatus::WaitingForCapture)?;
    let p = ctx.status_is(order, &PaymentStatus::WaitingForCapture)?;
    expect(p.total_sum == Some(amount), || {
        format!("OCTO holds {:?}, not {amount}", p.total_sum)
    })?;
    ctx.narrator.detail(&format!(
        "OCTO confirms {} held on the card; the shop must capture or cancel",
        uzs(amount)
    ));
    Ok(uuid)
}

/// `set_accept` with a narration of what the shop decided.
fn decide(ctx: &mut Ctx<'_>, op: &SetAccept, why: &str) -> Result<PaymentStatus, String> {
    let what = match op.final_amount {
        Some(amount) => format!("set_accept capture, final amount {}", uzs(amount)),
        None => format!("set_accept {}", op.accept_status),
    };
    ctx.narrator.step(Actor::Shop, &format!("{what}: {why}"));
    let p = ctx.call(op)?;
    ctx.narrator
        .detail(&format!("OCTO: the payment is now {}", p.status));
    Ok(p.status)
}

fn two_stage_capture(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1003";
    let uuid = held(ctx, order, dec(310_000), "A pair of running shoes")?;
    let status = decide(
        ctx,
        &SetAccept::capture(uuid.clone()),
        "the shoes were shipped",
    )?;
    expect(status == PaymentStatus::Succeeded, || {
        format!("capture gave {status}")
    })?;
    ctx.notified(&uuid, &PaymentStatus::Succeeded)?;
    ctx.status_is(order, &PaymentStatus::Succeeded)?;
    Ok("held, then captured 310 000.00 UZS".into())
}

fn two_stage_cancel(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1004";
    let uuid = held(ctx, order, dec(89_000), "A desk lamp")?;
    let status = decide(
        ctx,
        &SetAccept::cancel(uuid.clone()),
        "the lamp is out of stock",
    )?;
    expect(status == PaymentStatus::Canceled, || {
        format!("cancel gave {status}")
    })?;
    ctx.notified(&uuid, &PaymentStatus::Canceled)?;
    ctx.status_is(order, &PaymentStatus::Canceled)?;
    Ok("held, then released: the customer keeps the money".into())
}

fn partial_capture(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1005";
    let uuid = held(ctx, order, dec(150_000), "Three books")?;
    let op = SetAccept::capture_partial(uuid.clone(), dec(100_000));
    let status = decide(ctx, &op, "one of the three books is missing")?;
    expect(status == PaymentStatus::Succeeded, || {
        format!("capture gave {status}")
    })?;
    ctx.narrator
        .detail("the other 50 000.00 UZS returns to the customer's card");
    let p = ctx.status_is(order, &PaymentStatus::Succeeded)?;
    expect(p.total_sum == Some(dec(100_000)), || {
        format!("the captured amount is {:?}, not 100000", p.total_sum)
    })?;
    Ok("captured 100 000.00 of 150 000.00 UZS".into())
}

fn refunds(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1006";
    let p = ctx.prepare(order, dec(200_000), "A winter jacket", false, |_| {})?;
    let uuid = p.octo_payment_uuid;
    let status = ctx.customer_pays(&uuid, test_card(CardBehaviour::Success))?;
    expect(status == PaymentStatus::Succeeded, || {
        format!("the page ended {status}")
    })?;
    ctx.notified(&uuid, &PaymentStatus::Succeeded)?;
    let p = ctx.status_is(order, &PaymentStatus::Succeeded)?;
    expect(p.total_sum == Some(dec(200_000)), || {
        format!("OCTO says {:?} was paid, not 200000", p.total_sum)
    })?;
    let refund = |ctx: &mut Ctx<'_>, id: &str, amount: i64, why: &str| {
        ctx.narrator.step(
            Actor::Shop,
            &format!("refund {} (shop_refund_id {id}): {why}", uzs(dec(amount))),
        );
        let op = Refund::new(id.parse().map_err(Error::Input)?, uuid.clone(), dec(amount));
        ctx.backend.send(&op)
    };
    let first = refund(ctx, "refund-1", 50_000, "the hood is returned")
        .map_err(|e| crate::failure::Failure::from_sdk(&e).message)?;
    ctx.narrator.detail(&format!(
        "OCTO: refund {} is {}",
        shown(&first.refund_id),
        first.status
    ));
    let again = refund(
        ctx,
        "refund-1",
        50_000,
        "the same request again, after a timeout",
    )
    .map_err(|e| crate::failure::Failure::from_sdk(&e).message)?;
    ctx.narrator.detail(&format!(
        "OCTO: the same refund {} again: the id makes retries safe, nothing is refunded twice",
        shown(&again.refund_id)
    ));
    expect(again.refund_id == first.refund_id, || {
        "a second refund was made".into()
    })?;
    let rest = refund(ctx, "refund-2", 150_000, "the jacket is returned")
        .map_err(|e| crate::failure::Failure::from_sdk(&e).message)?;
    ctx.narrator.detail(&format!(
        "OCTO: refund {} is {}",
        shown(&rest.refund_id),
        rest.status
    ));
    match refund(
        ctx,
        "refund-3",
        20_000,
        "a mistake: everything was refunded already",
    ) {
        Err(Error::Octo(e)) if e.code == ErrorCode::InvalidRefundAmount => {
            ctx.narrator
                .detail(&format!("OCTO refuses, as it should: {e}"));
        }
        Err(e) => return Err(format!("the third refund failed differently: {e}")),
        Ok(_) => return Err("OCTO refunded more than was paid".into()),
    }
    let p = ctx.status_is(order, &PaymentStatus::Succeeded)?;
    expect(p.refunded_sum == Some(dec(200_000)), || {
        format!("refunded {:?}, not 200000", p.refunded_sum)
    })?;
    Ok("refunded 200 000.00 UZS in two parts; the over-refund was refused".into())
}

fn shown(id: &Option<octo_proto::RefundId>) -> String {
    id.as_ref()
        .map_or_else(|| "(no id)".into(), ToString::to_string)
}

fn binding(ctx: &mut Ctx<'_>) -> Outcome {
    let card = test_card(CardBehaviour::SmsCode);
    let humo = octo_sandbox::cards::TEST_CARDS
        .iter()
        .copied()
        .find(|c| c.pan.starts_with("9860"))
        .unwrap_or(card);
    let pan = Pan::new(humo.pan).map_err(|e| format!("test card: {e}"))?;
    let masked = pan.masked();
    let order = "demo-bind-1";
    let op = BindCard {
        shop_transaction_id: order.parse().map_err(|e| format!("id: {e}"))?,
        pan,
        exp: CardExpiry::parse_yymm(humo.exp).map_err(|e| format!("expiry: {e}"))?,
        phone: "998901234567".into(),
        card_holder_name: "ALISHER KARIMOV".into(),
        cvc2: None,
        method: PaymentMethod::Humo,
        return_url: RETURN_URL.into(),
        notify_url: None,
        bind_notify_url: Some(ctx.receiver.bind_notify_url()),
    };
    ctx.narrator.step(
        Actor::Customer,
        &format!("types card {masked} into the shop's \"save my card\" form"),
    );
    ctx.narrator
        .step(Actor::Shop, "bind_card with the card and the owner's phone");
    let started = ctx.call(&op)?;
    let uuid = started.octo_payment_uuid;
    ctx.narrator
        .detail(&format!("OCTO: binding {uuid} is {}", started.status));
    ctx.narrator
        .step(Actor::Shop, "verificationInfo: has the SMS code gone out?");
    let v = ctx.call(&VerificationInfo::new(uuid.clone()))?;
    ctx.narrator.detail(&format!(
        "OCTO: code sent to {}, valid {} s",
        v.phone.as_deref().unwrap_or("the card's phone"),
        v.seconds_left
    ));
    let code = ctx.sandbox.otp_code().to_owned();
    ctx.narrator.step(
        Actor::Customer,
        &format!("receives the SMS and types {code} into the shop's form"),
    );
    ctx.narrator
        .step(Actor::Shop, "bind_card/check_sms_key with the code");
    let confirmed = ctx.call(&CheckSmsKey {
        octo_payment_uuid: uuid,
        verify_id: v.verify_id,
        sms_key: SmsCode::new(code).map_err(|e| format!("code: {e}"))?,
    })?;
    ctx.narrator
        .detail(&format!("OCTO: binding is {}", confirmed.status));
    let callback = ctx
        .receiver
        .wait_for(std::time::Duration::from_secs(10), |a| match a {
            Arrival::Tokenization(t) if t.shop_transaction_id.as_str() == order => Some(t.clone()),
            _ => None,
        })
        .ok_or("no tokenization callback arrived")?;
    narrate_token(ctx, &callback);
    expect(callback.status == TokenStatus::Active, || {
        format!("the token is {}, not active", callback.status)
    })?;
    ctx.token = callback.token().cloned();
    expect(ctx.token.is_some(), || {
        "the callback carried no token".into()
    })?;
    Ok(format!("card {masked} is saved as a token"))
}

fn narrate_token(ctx: &mut Ctx<'_>, callback: &TokenizationCallback) {
    let card = callback
        .pan
        .as_ref()
        .map_or_else(|| "the card".into(), |p| p.masked());
    ctx.narrator.step(
        Actor::Octo,
        &format!(
            "tokenization callback to bind_notify_url: token for {card} is {}",
            callback.status
        ),
    );
    ctx.narrator
        .detail("the shop stores the token (never printed, like the card number) and answers 200");
}

fn token_payment(ctx: &mut Ctx<'_>) -> Outcome {
    let token = ctx
        .token
        .clone()
        .ok_or("no token: the binding flow did not give one")?;
    let order = "demo-1008";
    let p = ctx.prepare(
        order,
        dec(75_000),
        "A refill of coffee beans",
        false,
        |_| {},
    )?;
    let uuid = p.octo_payment_uuid;
    ctx.narrator
        .step(Actor::Shop, "pay/{uuid} with the saved card's token");
    let paid = ctx.call(&PayWithToken::new(uuid.clone(), token, PaymentMethod::Humo))?;
    ctx.narrator
        .detail(&format!("OCTO: payment is {}", paid.status));
    if !paid.status.is_paid() {
        let step = ctx
            .sandbox
            .customer()
            .step(uuid.as_str())
            .map_err(|e| format!("payment page: {e}"))?;
        if let Step::CodeRequired { .. } = step {
            ctx.narrator
                .detail("the card's bank asks its holder to confirm this charge by SMS");
            let code = ctx.sandbox.otp_code().to_owned();
            ctx.narrator.step(
                Actor::Customer,
                &format!("gets the SMS and confirms with the code {code}"),
            );
            let after = ctx
                .sandbox
                .customer()
                .enter_code(uuid.as_str(), &code)
                .map_err(|e| format!("payment page: {e}"))?;
            if let Step::Finished { status, .. } = after {
                ctx.narrator.detail(&format!("the payment is {status}"));
            }
        }
    }
    ctx.notified(&uuid, &PaymentStatus::Succeeded)?;
    ctx.status_is(order, &PaymentStatus::Succeeded)?;
    Ok("paid 75 000.00 UZS with the token".into())
}

fn block_token(ctx: &mut Ctx<'_>) -> Outcome {
    let token = ctx
        .token
        .clone()
        .ok_or("no token: the binding flow did not give one")?;
    ctx.narrator.step(Actor::Shop, "block_card_token");
    let blocked = ctx.call(&BlockCardToken::new(token.clone()))?;
    ctx.narrator
        .detail(&format!("OCTO: the token is {}", blocked.status));
    expect(blocked.status == TokenStatus::Blocked, || {
        format!("the token is {}, not blocked", blocked.status)
    })?;
    let p = ctx.prepare("demo-1009", dec(30_000), "One more coffee", false, |_| {})?;
    ctx.narrator
        .step(Actor::Shop, "pay/{uuid} with the blocked token, by mistake");
    match ctx.backend.send(&PayWithToken::new(
        p.octo_payment_uuid,
        token,
        PaymentMethod::Humo,
    )) {
        Err(Error::Octo(e)) if e.code == ErrorCode::TokenNotActive => {
            ctx.narrator
                .detail(&format!("OCTO refuses, as it should: {e}"));
            Ok("blocked; a payment with it is refused".into())
        }
        Err(e) => Err(format!("the payment failed differently: {e}")),
        Ok(_) => Err("a blocked token could still pay".into()),
    }
}

fn fiscal(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1010";
    let object = fiscal_object();
    let mut item = BasketItem::new("Green tea, 100 g", 2, dec(45_000));
    item.spic = Some(object.spic);
    item.package_code = Some(object.package_code);
    item.nds = Some(object.nds);
    item.inn = object.inn;
    let p = ctx.prepare(order, dec(90_000), "Green tea", false, |op| {
        op.basket = vec![item];
        op.user_data = Some(UserData {
            user_id: "customer-42".into(),
            phone: "998901234567".into(),
            email: "customer@example.com".into(),
        });
    })?;
    ctx.narrator
        .detail("the basket line carries spic, package code, VAT and the seller's INN");
    let uuid = p.octo_payment_uuid;
    let status = ctx.customer_pays(&uuid, test_card(CardBehaviour::ThreeDSecure))?;
    expect(status == PaymentStatus::Succeeded, || {
        format!("the page ended {status}")
    })?;
    ctx.notified(&uuid, &PaymentStatus::Succeeded)?;
    ctx.status_is(order, &PaymentStatus::Succeeded)?;
    ctx.narrator
        .step(Actor::Shop, "fiscal-data for the payment");
    let receipt = ctx.call(&FiscalData::new(uuid))?;
    ctx.narrator.detail(&format!(
        "OCTO: receipt {} from terminal {}, fiscal sign {}",
        receipt.receipt_id.as_deref().unwrap_or("?"),
        receipt.terminal_id.as_deref().unwrap_or("?"),
        receipt.fiscal_sign.as_deref().unwrap_or("?"),
    ));
    if let Some(url) = &receipt.qr_code_url {
        ctx.narrator
            .detail(&format!("the customer's receipt (QR code): {url}"));
    }
    expect(receipt.receipt_id.is_some(), || {
        "the receipt has no id".into()
    })?;
    Ok("paid 90 000.00 UZS and got the fiscal receipt".into())
}
