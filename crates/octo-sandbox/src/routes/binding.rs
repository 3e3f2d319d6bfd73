//! Card binding: `bind_card`, `verificationInfo`, `bind_card/check_sms_key`
//! and the OTP resend `check_pan`.

use octo_proto::{CardExpiry, Currency, Language, Pan, PaymentStatus, TokenStatus};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::payments::{owned_payment, payment_payload, unknown, url};
use crate::cards;
use crate::customer::{Step, card_record, mask_phone};
use crate::engine::{Engine, pan_digest};
use crate::rules;
use crate::state::{BindingRecord, ChallengeKind, PaymentRecord, TokenRecord};
use crate::wire::{self, Body, Reject};
use octo_proto::ErrorCode;

/// The card number, checked by the sandbox's own rule first: should
/// octo-proto's `Pan` then refuse it, the two disagree, and the answer
/// says so (error 4) instead of refusing the card on both sides at once.
fn pan_of(body: &Body) -> Result<Pan, Reject> {
    let text = body.req_text("pan")?;
    // The message never repeats the number.
    if !cards::is_card_number(&text) {
        return Err(Reject::format(
            "pan must be a valid card number (13 to 19 digits, Luhn)",
        ));
    }
    Pan::new(text)
        .map_err(|_| Reject::internal("octo-proto's Pan refuses a card number the sandbox accepts"))
}

/// The expiry, checked by the sandbox's own reading of YYMM first (as
/// [`pan_of`]).
fn exp_of(body: &Body, key: &str) -> Result<CardExpiry, Reject> {
    let text = body.req_text(key)?;
    if !cards::is_yymm(&text) {
        return Err(Reject::format(format!("{key} must be YYMM")));
    }
    CardExpiry::parse_yymm(&text).map_err(|_| {
        Reject::internal(format!(
            "octo-proto's CardExpiry refuses the {key} the sandbox accepts"
        ))
    })
}

/// Binds a card. OCTO refuses a card whose token is active or still
/// pending with error 20, and the sandbox checks that first: a second
/// `bind_card` for the same card, even a resend of the same request after
/// a lost answer, meets error 20 (which is why clients must not retry
/// `bind_card`). Otherwise a known `shop_transaction_id` answers with the
/// binding made under it.
pub(crate) fn bind_card(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    let shop = rules::authenticate(&engine.config, body)?;
    let shop_id = shop.id.0;
    let tx_id = body.req_text("shop_transaction_id")?;
    let pan = pan_of(body)?;
    let digest = pan_digest(&pan);
    let pending = || {
        Reject::new(
            ErrorCode::TokenAlreadyExists,
            "Active or pending token already exists",
        )
    };
    // Through `transact`, which changes nothing here: an answer about a
    // known binding goes out only once everything unsaved is saved.
    let known = engine.transact(|store, _| {
        if store.live_token_for(shop_id, &digest).is_some() {
            return Ok(Some(Err(pending())));
        }
        Ok(store
            .payment_by_shop_tx(shop_id, &tx_id)
            .map(|p| Ok(payment_payload(engine, p))))
    })?;
    if let Some(answer) = known {
        return answer.map(wire::ok_data_only);
    }
    let exp = exp_of(body, "exp")?;
    let phone = body.req_text("phone")?;
    let holder = body.req_text("cardHolderName")?;
    rules::method(body)?;
    let return_url = url(body, "return_url", true)?.unwrap_or_default();
    let notify_url = url(body, "notify_url", false)?;
    let bind_notify_url = url(body, "bind_notify_url", false)?;
    let now = engine.now();
    let uuid = engine.ids.uuid();
    let payment_id = engine.ids.next_number();
    let token = engine.ids.token();
    let card = card_record(&pan, exp, Some(holder.clone()));
    engine.remember_pan(&uuid, pan);
    let result = engine.transact(|store, tx| {
        // Checked again under the lock: another request may have won.
        if store.live_token_for(shop_id, &digest).is_some() {
            return Err(pending());
        }
        if let Some(p) = store.payment_by_shop_tx(shop_id, &tx_id) {
            return Ok(payment_payload(engine, p));
        }
        store.put_token(TokenRecord {
            token: token.clone(),
            shop_id,
            status: TokenStatus::Init,
            card: card.clone(),
            binding_uuid: uuid.clone(),
        });
        store.put_payment(PaymentRecord {
            uuid: uuid.clone(),
            payment_id,
            shop_id,
            shop_transaction_id: tx_id.clone(),
            status: PaymentStatus::Created,
            auto_capture: true,
            test: true,
            initial_sum: engine.config.binding_amount,
            total_sum: engine.config.binding_amount,
            refunded_sum: Decimal::ZERO,
            currency: Currency::Uzs,
            description: "Card binding".into(),
            return_url: return_url.clone(),
            notify_url: notify_url.clone(),
            // bind_card takes no language: the default of a payment's.
            language: Language::English,
            created_at: now,
            expires_at: now.saturating_add(engine.config.default_ttl),
            payed_at: None,
            hold_expires_at: None,
            user: None,
            basket: Vec::new(),
            card: None,
            challenge: None,
            binding: Some(Box::new(BindingRecord {
                token: token.clone(),
                bind_notify_url: bind_notify_url.clone(),
                phone: phone.clone(),
                holder: holder.clone(),
            })),
            paid_with_token: false,
            receipt_id: None,
        });
        tx.payment(&uuid);
        tx.token(&token);
        tx.drew_id();
        engine.apply_card(store, &uuid, card.clone(), phone.clone(), tx);
        store
            .payment(&uuid)
            .map(|p| payment_payload(engine, p))
            .ok_or_else(|| unknown(&uuid))
    });
    if result.is_err() {
        engine.forget_pan(&uuid);
    }
    // card-tokenization.txt answers bind_card in `data` alone.
    result.map(wire::ok_data_only)
}

fn verification(engine: &Engine, p: &PaymentRecord) -> Map<String, Value> {
    let (verify_id, phone) = p
        .challenge
        .as_ref()
        .map(|c| (c.verify_id, mask_phone(&c.phone)))
        .or_else(|| p.binding.as_ref().map(|b| (0, mask_phone(&b.phone))))
        .unwrap_or((0, String::new()));
    let mut m = Map::new();
    m.insert("verifyId".into(), verify_id.into());
    m.insert("phone".into(), phone.into());
    m.insert(
        "secondsLeft".into(),
        engine.seconds_left(p, engine.now()).into(),
    );
    // OCTO's partner-website page: verificationInfo gives "the payment id"
    // (the integer `check_pan` takes). Its example shows no such field; the
    // sandbox names it as `check_pan` does.
    if p.payment_id != 0 {
        m.insert("paymentId".into(), p.payment_id.into());
    }
    m
}

pub(crate) fn verification_info(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    let uuid = match body.opt_text("octo_payment_UUID")? {
        Some(u) => u,
        None => body.req_text("paymentUUID")?,
    };
    let now = engine.now();
    engine
        .transact(|store, tx| {
            store.payment(&uuid).ok_or_else(|| unknown(&uuid))?;
            engine.expire_if_due(store, &uuid, now, tx);
            store
                .payment(&uuid)
                .map(|p| verification(engine, p))
                .ok_or_else(|| unknown(&uuid))
        })
        .map(wire::ok_data_only)
}

pub(crate) fn check_sms_key(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    let shop = rules::authenticate(&engine.config, body)?;
    let uuid = body.req_text("paymentUUID")?;
    let verify_id = body.req_u64("verifyId")?;
    let code = body.req_text("smsKey")?;
    let now = engine.now();
    engine
        .transact(|store, tx| {
            owned_payment(store, shop.id.0, &uuid)?;
            engine.expire_if_due(store, &uuid, now, tx);
            let p = owned_payment(store, shop.id.0, &uuid)?;
            match &p.challenge {
                Some(c) if c.kind == ChallengeKind::Sms && c.verify_id == verify_id => {}
                Some(c) if c.kind == ChallengeKind::Sms => {
                    return Err(Reject::format(format!(
                        "verifyId {verify_id} is not the current verification"
                    )));
                }
                _ => {
                    return Err(Reject::format(format!(
                        "no SMS code is awaited: the payment is {}",
                        p.status
                    )));
                }
            }
            let step = engine
                .check_code(store, &uuid, &code, tx)
                .map_err(|e| Reject::internal(e.to_string()))?;
            match step {
                Step::Finished {
                    message: Some(m), ..
                }
                | Step::Retry { message: m } => Err(Reject::format(m)),
                _ => store
                    .payment(&uuid)
                    .map(|p| payment_payload(engine, p))
                    .ok_or_else(|| unknown(&uuid)),
            }
        })
        .map(wire::ok)
}

pub(crate) fn check_pan(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    let pan = pan_of(body)?;
    let exp = exp_of(body, "expDate")?;
    // OCTO's integer payment number (a number or a numeric string), never
    // the payment's UUID.
    let number = body.req_u64("paymentId")?;
    let digest = pan_digest(&pan);
    let now = engine.now();
    let max = engine.config.otp_max_resends;
    engine
        .transact(|store, tx| {
            let uuid = store
                .payment_by_number(number)
                .map(|p| p.uuid.clone())
                .ok_or_else(|| Reject::format(format!("no payment with paymentId {number}")))?;
            engine.expire_if_due(store, &uuid, now, tx);
            let verify_id = engine.ids.next_number();
            let p = store.payment_mut(&uuid).ok_or_else(|| unknown(&uuid))?;
            let same_card = p.card.as_ref().is_some_and(|c| {
                c.may_be(&digest, pan.first6(), pan.last4()) && c.exp == cards::yymm(exp)
            });
            let Some(c) = p
                .challenge
                .as_mut()
                .filter(|c| c.kind == ChallengeKind::Sms)
            else {
                return Err(Reject::format("no SMS code is awaited for this payment"));
            };
            if !same_card {
                return Err(Reject::format("the card does not match the payment's card"));
            }
            if c.resends >= max {
                return Err(Reject::new(
                    ErrorCode::TooManyOtpResends,
                    "Too many OTP resends",
                ));
            }
            c.resends = c.resends.saturating_add(1);
            c.verify_id = verify_id;
            c.sent_at = now;
            tx.payment(&uuid);
            tx.drew_id();
            let p = store.payment(&uuid).ok_or_else(|| unknown(&uuid))?;
            Ok(verification(engine, p))
        })
        .map(wire::ok_data_only)
}
