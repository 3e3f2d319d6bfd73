//! The scenarios the demo runs, in order. Each one is an octo-proto state
//! machine (a payment, a binding, a token) run to its end through the
//! chosen transport, told step by step, and ends with what happened, or
//! with what went differently than expected.

use octo_proto::machine::{
    BindingMachine, BindingParams, Failure as MachineFailure, Input, Machine, PaymentMachine,
    PaymentOutcome, PaymentParams, TokenMachine, TokenPaymentMachine,
};
use octo_proto::op::{BindCard, FiscalData, PreparePayment, Refund, UserData};
use octo_proto::{
    CardExpiry, CardToken, Error, ErrorCode, Pan, PaymentMethod, PaymentStatus, TokenStatus,
};
use octo_sandbox::cards::{CardBehaviour as Card, test_card};
use rust_decimal::Decimal;

use super::drive::RunError;
use super::money::uzs;
use super::narrate::Actor;
use super::steps::{Ctx, Outcome, RETURN_URL, expect, now};
use crate::commands::sandbox::fiscal_object;

/// One scenario of the demo.
pub struct Scenario {
    /// Its header.
    pub title: &'static str,
    /// What it shows, in one sentence.
    pub story: &'static str,
    /// The scenario itself.
    pub run: fn(&mut Ctx<'_>) -> Outcome,
}

/// Every scenario, in the order they run (the token ones need the binding).
pub const SCENARIOS: [Scenario; 10] = [
    Scenario {
        title: "One-stage payment with a Uzcard card (SMS code)",
        story: "A customer pays for an order; the money is taken at once.",
        run: one_stage,
    },
    Scenario {
        title: "A declined card",
        story: "The issuer refuses the card; the payment ends canceled and no money moves.",
        run: declined,
    },
    Scenario {
        title: "Two-stage payment, captured",
        story: "The money is held on the card until the shop ships, then captured.",
        run: two_stage_capture,
    },
    Scenario {
        title: "Two-stage payment, canceled",
        story: "The order cannot be fulfilled; the shop releases the held money.",
        run: two_stage_cancel,
    },
    Scenario {
        title: "Partial capture",
        story: "Only part of the order ships; the shop captures less than it held.",
        run: partial_capture,
    },
    Scenario {
        title: "Refunds",
        story: "A paid order is returned in two parts; OCTO refuses refunding more than was paid.",
        run: refunds,
    },
    Scenario {
        title: "Binding a Humo card (SMS code)",
        story: "The customer saves a card; the shop receives a token to charge it later.",
        run: binding,
    },
    Scenario {
        title: "Paying with the saved card's token",
        story: "A repeat purchase: the shop charges the token, without the card form.",
        run: token_payment,
    },
    Scenario {
        title: "Blocking the token",
        story: "The customer removes the saved card; the token stops working.",
        run: block_token,
    },
    Scenario {
        title: "A payment with fiscal data, and its receipt",
        story: "The basket carries the tax fields; after payment the fiscal receipt is fetched.",
        run: fiscal,
    },
];

fn dec(units: i64) -> Decimal {
    Decimal::new(units * 100, 2)
}

/// What a customer buys on OCTO's page: the order, its amount in whole
/// sum, what it is, and how the test card behaves.
struct Purchase(&'static str, i64, &'static str, Card);

/// A [`Purchase`] paid on OCTO's page, run to its end by a
/// [`PaymentMachine`], that must end `ends`. A `decision` (capture or
/// cancel, and why) makes it a two-stage payment that the shop decides
/// once OCTO shows the hold.
fn pay_on_page(
    ctx: &mut Ctx<'_>,
    Purchase(order, amount, description, card): Purchase,
    decision: Option<(Input, &str)>,
    ends: PaymentStatus,
) -> Result<(PaymentMachine, PaymentOutcome), String> {
    let prepare = ctx.payment(order, dec(amount), description, decision.is_some())?;
    pay_prepared(ctx, prepare, card, decision, ends)
}

/// The same, for a payment already written out.
fn pay_prepared(
    ctx: &mut Ctx<'_>,
    prepare: PreparePayment,
    card: Card,
    decision: Option<(Input, &str)>,
    ends: PaymentStatus,
) -> Result<(PaymentMachine, PaymentOutcome), String> {
    let order = prepare.shop_transaction_id.to_string();
    let mut machine = PaymentMachine::new(prepare, PaymentParams::default(), now());
    let mut shopper = ctx.shopper(&order).paying_with(test_card(card));
    // How the complaint names the last step when the status is not `ends`.
    let last_step = match &decision {
        None => "the payment ended",
        Some((Input::Cancel, _)) => "cancel gave",
        Some(_) => "capture gave",
    };
    let why = decision.as_ref().map(|(_, why)| (*why).to_owned());
    if let Some((input, _)) = decision {
        shopper = shopper.deciding(input);
    }
    let outcome = ctx.run(&mut machine, &mut shopper, |notes| {
        if let Some(why) = why {
            notes.decision = why;
        }
    })?;
    expect(outcome.status == ends, || {
        format!("{last_step} {}", outcome.status)
    })?;
    Ok((machine, outcome))
}

fn one_stage(ctx: &mut Ctx<'_>) -> Outcome {
    let tea = Purchase("demo-1001", 125_000, "Two cups of green tea", Card::SmsCode);
    let (_, outcome) = pay_on_page(ctx, tea, None, PaymentStatus::Succeeded)?;
    expect(outcome.total_sum == dec(125_000), || {
        "the amount changed".into()
    })?;
    ctx.narrator
        .detail("on OCTO's answer (paid, the full amount) the shop ships the tea");
    Ok("paid 125 000.00 UZS in one step".into())
}

fn declined(ctx: &mut Ctx<'_>) -> Outcome {
    let notebook = Purchase("demo-1002", 48_000, "A notebook", Card::Decline);
    let (_, outcome) = pay_on_page(ctx, notebook, None, PaymentStatus::Canceled)?;
    expect(outcome.total_sum.is_zero(), || {
        format!("{} was taken", uzs(outcome.total_sum))
    })?;
    ctx.narrator
        .detail("on OCTO's answer the shop does not ship and offers another card");
    Ok("the payment was canceled; the shop does not ship".into())
}

fn two_stage_capture(ctx: &mut Ctx<'_>) -> Outcome {
    let shoes = Purchase(
        "demo-1003",
        310_000,
        "A pair of running shoes",
        Card::Success,
    );
    let capture = Input::Capture { final_amount: None };
    let shipped = Some((capture, "the shoes were shipped"));
    let (_, outcome) = pay_on_page(ctx, shoes, shipped, PaymentStatus::Succeeded)?;
    expect(outcome.total_sum == dec(310_000), || {
        format!("{} was captured, not 310000", outcome.total_sum)
    })?;
    Ok("held, then captured 310 000.00 UZS".into())
}

fn two_stage_cancel(ctx: &mut Ctx<'_>) -> Outcome {
    let lamp = Purchase("demo-1004", 89_000, "A desk lamp", Card::Success);
    let out_of_stock = Some((Input::Cancel, "the lamp is out of stock"));
    pay_on_page(ctx, lamp, out_of_stock, PaymentStatus::Canceled)?;
    Ok("held, then released: the customer keeps the money".into())
}

fn partial_capture(ctx: &mut Ctx<'_>) -> Outcome {
    let books = Purchase("demo-1005", 150_000, "Three books", Card::Success);
    let capture = Input::Capture {
        final_amount: Some(dec(100_000)),
    };
    let missing = Some((capture, "one of the three books is missing"));
    pay_on_page(ctx, books, missing, PaymentStatus::Succeeded)?;
    ctx.narrator
        .detail("the other 50 000.00 UZS returns to the customer's card");
    let p = ctx.status_is("demo-1005", &PaymentStatus::Succeeded)?;
    expect(p.total_sum == Some(dec(100_000)), || {
        format!("the captured amount is {:?}, not 100000", p.total_sum)
    })?;
    Ok("captured 100 000.00 of 150 000.00 UZS".into())
}

fn refunds(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1006";
    let jacket = Purchase(order, 200_000, "A winter jacket", Card::Success);
    let (mut machine, outcome) = pay_on_page(ctx, jacket, None, PaymentStatus::Succeeded)?;
    expect(outcome.total_sum == dec(200_000), || {
        format!(
            "the payment ended {} with {}",
            outcome.status, outcome.total_sum
        )
    })?;
    let uuid = outcome
        .octo_payment_uuid
        .clone()
        .ok_or("OCTO gave no payment id")?;
    let refund = |id: &str, amount: i64| -> Result<Input, String> {
        Ok(Input::Refund {
            shop_refund_id: id.parse().map_err(|e| format!("refund id: {e}"))?,
            amount: dec(amount),
        })
    };
    // The same payment machine takes the refunds.
    let refund_with = |ctx: &mut Ctx<'_>, machine: &mut PaymentMachine, input, why: &str| {
        machine
            .handle_input(input, now())
            .map_err(|e| format!("the machine refused the refund: {e}"))?;
        let mut shopper = ctx.shopper(order);
        ctx.run(machine, &mut shopper, |notes| notes.refund = why.to_owned())
    };
    refund_with(
        ctx,
        &mut machine,
        refund("refund-1", 50_000)?,
        "the hood is returned",
    )?;
    // The same refund again, as after a timeout: the machine holds OCTO's
    // answer under its shop_refund_id, so nothing goes out twice.
    machine
        .handle_input(refund("refund-1", 50_000)?, now())
        .map_err(|e| format!("the machine refused the same refund: {e}"))?;
    ctx.narrator.detail(
        "the same refund-1 again, after a timeout: the payment machine already has OCTO's \
         answer for that id, so nothing is sent and nothing is refunded twice",
    );
    let after = refund_with(
        ctx,
        &mut machine,
        refund("refund-2", 150_000)?,
        "the jacket is returned",
    )?;
    expect(after.refunded_sum == dec(200_000), || {
        format!(
            "the machine counts {} refunded, not 200000",
            after.refunded_sum
        )
    })?;
    // A mistake: everything was refunded already.
    match machine.handle_input(refund("refund-3", 20_000)?, now()) {
        Err(rejected) => ctx.narrator.detail(&format!(
            "a third refund of 20 000.00 UZS, by mistake: the payment machine refuses it \
             before any call ({rejected})"
        )),
        Ok(()) => return Err("the machine took a refund past the total".into()),
    }
    ctx.narrator.step(
        Actor::Shop,
        "refund 20 000.00 UZS (shop_refund_id refund-3) sent by hand anyway: a mistake, \
         everything was refunded already",
    );
    let op = Refund::new(
        "refund-3".parse().map_err(|e| format!("refund id: {e}"))?,
        uuid,
        dec(20_000),
    );
    match ctx.backend.send(&op) {
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

fn binding(ctx: &mut Ctx<'_>) -> Outcome {
    let card = test_card(Card::SmsCode);
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
    let mut machine = BindingMachine::new(op, BindingParams::default(), now());
    let mut shopper = ctx.shopper(order);
    let bound = ctx.run(&mut machine, &mut shopper, |_| {})?;
    ctx.narrator.detail(
        "OCTO confirmed the code and the callback names the same card: the binding machine \
         hands the shop the token",
    );
    ctx.token = Some(bound.card_token);
    Ok(format!("card {masked} is saved as a token"))
}

/// The token the binding scenario saved.
fn saved_token(ctx: &Ctx<'_>) -> Result<CardToken, String> {
    let token = ctx.token.clone();
    token.ok_or_else(|| "no token: the binding flow did not give one".into())
}

/// A machine paying `prepare` with the saved Humo card's `token`.
fn pay_with(token: CardToken, prepare: PreparePayment) -> TokenPaymentMachine {
    let (method, params) = (PaymentMethod::Humo, PaymentParams::default());
    TokenPaymentMachine::new(prepare, token, method, None, params, now())
}

fn token_payment(ctx: &mut Ctx<'_>) -> Outcome {
    let token = saved_token(ctx)?;
    let order = "demo-1008";
    let prepare = ctx.payment(order, dec(75_000), "A refill of coffee beans", false)?;
    let mut machine = pay_with(token, prepare);
    let mut shopper = ctx.shopper(order);
    let outcome = ctx.run(&mut machine, &mut shopper, |_| {})?;
    expect(outcome.status == PaymentStatus::Succeeded, || {
        format!("the payment ended {}", outcome.status)
    })?;
    expect(outcome.total_sum == dec(75_000), || {
        format!("{} was taken, not 75000", outcome.total_sum)
    })?;
    Ok("paid 75 000.00 UZS with the token".into())
}

fn block_token(ctx: &mut Ctx<'_>) -> Outcome {
    let token = saved_token(ctx)?;
    let mut machine = TokenMachine::active(
        "demo-bind-1".parse().map_err(|e| format!("id: {e}"))?,
        token.clone(),
    );
    machine
        .handle_input(Input::Block, now())
        .map_err(|e| format!("the token machine refused the block: {e}"))?;
    let mut shopper = ctx.shopper("demo-bind-1");
    let status = ctx.run(&mut machine, &mut shopper, |_| {})?;
    expect(status == TokenStatus::Blocked, || {
        format!("the token is {status}, not blocked")
    })?;
    let order = "demo-1009";
    let prepare = ctx.payment(order, dec(30_000), "One more coffee", false)?;
    let mut machine = pay_with(token, prepare);
    let mut shopper = ctx.shopper(order);
    let told = |notes: &mut super::narrated::Notes| {
        notes.pay = "pay/{uuid} with the blocked token, by mistake".into();
    };
    let mut narrated = super::narrated::Narrated::new(&mut machine, &ctx.narrator).with(told);
    match super::drive::run(ctx.backend, &mut narrated, &mut shopper) {
        Err(RunError::Failed(MachineFailure::Request {
            error: Error::Octo(e),
            ..
        })) if e.code == ErrorCode::TokenNotActive => {
            ctx.narrator
                .detail(&format!("OCTO refuses, as it should: {e}"));
            Ok("blocked; a payment with it is refused".into())
        }
        Err(e) => Err(format!(
            "the payment failed differently: {}",
            shopper.explain(&e)
        )),
        Ok(_) => Err("a blocked token could still pay".into()),
    }
}

fn fiscal(ctx: &mut Ctx<'_>) -> Outcome {
    let order = "demo-1010";
    let object = fiscal_object();
    let item = object.basket_item("Green tea, 100 g", 2, dec(45_000));
    let mut prepare = ctx.payment(order, dec(90_000), "Green tea", false)?;
    prepare.basket = vec![item];
    prepare.user_data = Some(UserData {
        user_id: "customer-42".into(),
        phone: "998901234567".into(),
        email: "customer@example.com".into(),
    });
    let card = Card::ThreeDSecure;
    let (_, outcome) = pay_prepared(ctx, prepare, card, None, PaymentStatus::Succeeded)?;
    let uuid = outcome.octo_payment_uuid.ok_or("OCTO gave no payment id")?;
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
