//! `prepare_payment` (create, or check a status), `set_accept`, and
//! `pay/{uuid}` with a card token.

use octo_proto::{AcceptStatus, Language, PaymentStatus, TokenStatus};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use crate::engine::Engine;
use crate::lifecycle;
use crate::rules;
use crate::state::{ChallengeKind, PaymentRecord, UserRecord};
use crate::wire::{self, Body, Payload, Reject, money, octo_time};
use octo_proto::ErrorCode;

/// The longest ttl accepted, in minutes.
const MAX_TTL: u64 = 43_200;

/// The payment as `prepare_payment`, the status check and `set_accept`
/// answer it, written as JSON (the hot path: every `prepare_payment`).
pub(crate) fn payment_fields(engine: &Engine, p: &PaymentRecord) -> Payload {
    // In key order, which spares `Payload` a sort.
    let mut m = Payload::new();
    if let Some(card) = &p.card {
        m.text("first6", &card.first6);
        m.text("last4", &card.last4);
    }
    m.text("octo_pay_url", &engine.pay_url(p));
    m.text("octo_payment_UUID", &p.uuid);
    if let Some(at) = p.payed_at {
        m.text("payed_time", &octo_time::format(engine.local(at)));
    }
    m.money("refunded_sum", p.refunded_sum);
    m.text("shop_transaction_id", &p.shop_transaction_id);
    m.text("status", p.status.as_str());
    m.money("total_sum", p.total_sum);
    if let Some(t) = p.transfer_sum(engine.config.fee_percent) {
        m.money("transfer_sum", t);
    }
    m
}

/// [`payment_fields`] as a `Map`.
pub(crate) fn payment_payload(engine: &Engine, p: &PaymentRecord) -> Map<String, Value> {
    payment_fields(engine, p).into_map()
}

/// A URL field. A required one (`return_url`) must be complete, as the
/// current page asks: a scheme and a host. An optional one (`notify_url`,
/// `bind_notify_url`) is taken as sent, empty meaning absent. A strict
/// sandbox asks both for an absolute http(s) URL.
pub(crate) fn url(body: &Body, key: &str, required: bool) -> Result<Option<String>, Reject> {
    let value = if required {
        Some(body.req_text(key)?)
    } else {
        body.opt_text(key)?.filter(|s| !s.is_empty())
    };
    let Some(v) = &value else {
        return Ok(value);
    };
    let uri = v.parse::<http::Uri>().ok();
    let complete = uri
        .as_ref()
        .is_some_and(|u| u.scheme().is_some() && u.host().is_some_and(|h| !h.is_empty()));
    let web = uri
        .as_ref()
        .and_then(|u| u.scheme_str())
        .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
    if body.is_strict() && !(complete && web) {
        return Err(Reject::format(format!(
            "{key} must be a complete http(s) URL (strict)"
        )));
    }
    if required && !complete {
        return Err(Reject::format(format!(
            "{key} must be a complete URL, with a scheme and a host"
        )));
    }
    Ok(value)
}

pub(crate) fn prepare_payment(engine: &Engine, body: &Body) -> Result<Payload, Reject> {
    let shop = rules::authenticate(&engine.config, body)?;
    let shop_id = shop.id.0;
    let tx_id = body.req_text("shop_transaction_id")?;
    let now = engine.now();
    // The shop's id is the idempotency key: a known one answers with the
    // payment first created under it, whatever else the request says.
    let existing = engine.transact(|store, tx| {
        let Some(uuid) = store
            .payment_by_shop_tx(shop_id, &tx_id)
            .map(|p| p.uuid.clone())
        else {
            return Ok(None);
        };
        engine.expire_if_due(store, &uuid, now, tx);
        lifecycle::check_refunds_of(store, &uuid, now, tx);
        Ok(store.payment(&uuid).map(|p| payment_fields(engine, p)))
    })?;
    if let Some(payload) = existing {
        return Ok(payload);
    }
    if !body.has("total_sum") {
        return Err(Reject::format(format!(
            "no payment with shop_transaction_id {tx_id}"
        )));
    }
    let record = new_payment(engine, body, shop_id, shop.real_payments, tx_id, now)?;
    // Written before taking the store's lock, which every request waits
    // for: the answer depends only on the new record.
    let payload = payment_fields(engine, &record);
    engine.transact(|store, tx| {
        // Another request with the same id may have won the race.
        if let Some(p) = store.payment_by_shop_tx(shop_id, &record.shop_transaction_id) {
            return Ok(payment_fields(engine, p));
        }
        tx.payment(&record.uuid);
        tx.drew_id();
        store.put_payment(record);
        Ok(payload)
    })
}

fn new_payment(
    engine: &Engine,
    body: &Body,
    shop_id: u64,
    real_allowed: bool,
    shop_transaction_id: String,
    now: OffsetDateTime,
) -> Result<PaymentRecord, Reject> {
    let config = &engine.config;
    let strict = config.strict;
    let total_sum = body.req_amount("total_sum")?;
    if strict && total_sum <= Decimal::ZERO {
        return Err(Reject::format("total_sum must be positive (strict)"));
    }
    // Required on the current page, optional on the older one: a strict
    // sandbox asks for them.
    if strict {
        for key in ["auto_capture", "test", "language"] {
            if !body.has(key) {
                return Err(Reject::format(format!(
                    "{key} is required by the current prepare_payment page (strict)"
                )));
            }
        }
    }
    let init_time = body.req_text("init_time")?;
    let Some(init) = octo_time::parse(&init_time) else {
        return Err(Reject::format("init_time must be yyyy-MM-dd HH:mm:ss"));
    };
    if config.strict {
        // init_time is a wall-clock time in the sandbox's zone.
        let off = init
            .assume_offset(config.zone)
            .unix_timestamp_nanos()
            .abs_diff(now.unix_timestamp_nanos());
        if off
            > config
                .init_time_tolerance
                .whole_nanoseconds()
                .unsigned_abs()
        {
            return Err(Reject::format(format!(
                "init_time {init_time} is {} minutes away from the sandbox's clock in UTC{} (strict)",
                off / 60_000_000_000,
                config.zone
            )));
        }
    }
    let description = body.req_text("description")?;
    let return_url = url(body, "return_url", true)?.unwrap_or_default();
    let notify_url = url(body, "notify_url", false)?;
    // Absent, the legacy page's default: "browser language or En" (the
    // sandbox has no browser to ask).
    let language = body
        .opt_text("language")?
        .map_or(Language::English, |l| Language::parse(&l));
    let ttl = match body.opt_u64("ttl")? {
        None => config.default_ttl,
        Some(m) if strict && !(1..=MAX_TTL).contains(&m) => {
            return Err(Reject::format(format!(
                "ttl must be 1 to {MAX_TTL} minutes (strict)"
            )));
        }
        // The pages give no range; longer than MAX_TTL is held to it.
        Some(m) => Duration::minutes(i64::try_from(m.min(MAX_TTL)).unwrap_or(0)),
    };
    let auto_capture = body.opt_bool("auto_capture")?.unwrap_or(true);
    let test = body.opt_bool("test")?.unwrap_or(false);
    let user = match body.object("user_data")? {
        None => None,
        Some(u) => {
            let named = |r: Reject| Reject::format(format!("user_data.{}", r.message));
            // Both payment pages want phone and email in a user_data block;
            // the fiscalization page asks for one of them: only a strict
            // sandbox wants both.
            let (phone, email) = if strict {
                let strictly = |r: Reject| named(Reject::format(format!("{} (strict)", r.message)));
                (
                    u.req_text("phone").map_err(strictly)?,
                    u.req_text("email").map_err(strictly)?,
                )
            } else {
                (
                    u.opt_text("phone")?.unwrap_or_default(),
                    u.opt_text("email")?.unwrap_or_default(),
                )
            };
            Some(Box::new(UserRecord {
                user_id: u.req_text("user_id").map_err(named)?,
                phone,
                email,
            }))
        }
    };
    let currency_text = body.req_text("currency")?;
    let basket = rules::basket(body)?;
    if !test && !real_allowed {
        return Err(Reject::new(
            ErrorCode::ShopNotAllowed,
            "The shop's status does not allow real payments: send test: true",
        ));
    }
    let currency = rules::currency(config, &currency_text)?;
    rules::basket_total(&basket, total_sum)?;
    rules::fiscal(config, octo_proto::ShopId(shop_id), &basket)?;
    Ok(PaymentRecord {
        uuid: engine.ids.uuid(),
        payment_id: engine.ids.next_number(),
        shop_id,
        shop_transaction_id,
        status: PaymentStatus::Created,
        auto_capture,
        test,
        initial_sum: total_sum,
        total_sum,
        refunded_sum: Decimal::ZERO,
        currency,
        description,
        return_url,
        notify_url,
        language,
        created_at: now,
        expires_at: now.saturating_add(ttl),
        payed_at: None,
        hold_expires_at: None,
        user,
        basket,
        card: None,
        challenge: None,
        binding: None,
        paid_with_token: false,
        receipt_id: None,
    })
}

/// Captures or cancels a hold. Answered in the legacy shape alone, the one
/// the API notes saw (`error`, `status`, `shop_transaction_id`,
/// `octo_payment_UUID`, `octo_pay_url` at the top level), with the fields
/// of a status check beside them (sandbox's choice).
pub(crate) fn set_accept(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    let shop = rules::authenticate(&engine.config, body)?;
    let uuid = body.req_text("octo_payment_UUID")?;
    let decision = match body.req_text("accept_status")?.as_str() {
        "capture" => AcceptStatus::Capture,
        "cancel" => AcceptStatus::Cancel,
        other => {
            return Err(Reject::format(format!(
                "accept_status must be capture or cancel, not {other}"
            )));
        }
    };
    let final_amount = body.opt_amount("final_amount")?;
    // The cancellation page prints a cancel with final_amount ("if a
    // partial cancellation is required") without saying which part is
    // kept; the sandbox takes the request and releases the whole hold.
    let final_amount = final_amount.filter(|_| decision == AcceptStatus::Capture);
    let now = engine.now();
    engine.transact(|store, tx| {
        owned_payment(store, shop.id.0, &uuid)?;
        engine.expire_if_due(store, &uuid, now, tx);
        engine.decide(store, &uuid, decision, final_amount, tx)?;
        store
            .payment(&uuid)
            .map(|p| wire::ok_legacy(payment_payload(engine, p)))
            .ok_or_else(|| unknown(&uuid))
    })
}

pub(crate) fn unknown(uuid: &str) -> Reject {
    Reject::format(format!("no payment {uuid}"))
}

/// The payment `uuid`, if it belongs to `shop`.
pub(crate) fn owned_payment<'store>(
    store: &'store crate::state::Store,
    shop: u64,
    uuid: &str,
) -> Result<&'store PaymentRecord, Reject> {
    store
        .payment(uuid)
        .filter(|p| p.shop_id == shop)
        .ok_or_else(|| unknown(uuid))
}

pub(crate) fn pay_with_token(engine: &Engine, uuid: &str, body: &Body) -> Result<Value, Reject> {
    let token = body.req_text("card_token")?;
    // Required on the pay-with-token page, as is email when the payment
    // was prepared with a user_data block.
    rules::method(body)?;
    let email = body.opt_text("email")?;
    let now = engine.now();
    engine
        .transact(|store, tx| {
            store.payment(uuid).ok_or_else(|| unknown(uuid))?;
            engine.expire_if_due(store, uuid, now, tx);
            let p = store.payment(uuid).ok_or_else(|| unknown(uuid))?;
            if p.user.is_some() && email.is_none() {
                return Err(Reject::format(
                    "email is required: the payment was prepared with user_data",
                ));
            }
            let t = store
                .token(&token)
                .filter(|t| t.shop_id == p.shop_id)
                .ok_or_else(|| Reject::new(ErrorCode::TokenNotFound, "Card token not found"))?;
            if t.status != TokenStatus::Active {
                return Err(Reject::new(
                    ErrorCode::TokenNotActive,
                    format!("Card token is {}, not active", t.status),
                ));
            }
            if !p.is_payable() || p.challenge.is_some() || p.binding.is_some() {
                return Err(Reject::format(format!(
                    "the payment is {}, it cannot be paid now",
                    p.status
                )));
            }
            let card = t.card.clone();
            let phone = p.user.as_ref().map(|u| u.phone.clone()).unwrap_or_default();
            if let Some(p) = store.payment_mut(uuid) {
                p.paid_with_token = true;
            }
            engine.apply_card(store, uuid, card, phone, tx);
            store
                .payment(uuid)
                .map(|p| token_payload(engine, p))
                .ok_or_else(|| unknown(uuid))
        })
        .map(wire::ok_data_only)
}

fn millis(at: OffsetDateTime) -> Value {
    Value::from(i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
}

/// The camelCase record `pay/{uuid}` answers with.
fn token_payload(engine: &Engine, p: &PaymentRecord) -> Map<String, Value> {
    let mut m = Map::new();
    // OCTO's integer number: what `check_pan` takes as `paymentId`.
    m.insert("id".into(), p.payment_id.into());
    m.insert("uuid".into(), p.uuid.clone().into());
    m.insert("merchantId".into(), p.shop_id.into());
    m.insert(
        "merchantTransId".into(),
        p.shop_transaction_id.clone().into(),
    );
    m.insert("initialSum".into(), money(p.initial_sum));
    m.insert("totalSum".into(), money(p.total_sum));
    m.insert("refundedSum".into(), money(p.refunded_sum));
    m.insert(
        "transferSum".into(),
        p.transfer_sum(engine.config.fee_percent)
            .map_or(Value::Null, money),
    );
    m.insert("currency".into(), p.currency.as_str().into());
    m.insert("createTime".into(), millis(p.created_at));
    m.insert("expireTime".into(), millis(p.expires_at));
    m.insert("peyedTime".into(), p.payed_at.map_or(Value::Null, millis));
    m.insert("description".into(), p.description.clone().into());
    m.insert("autoCapture".into(), p.auto_capture.into());
    m.insert("isTest".into(), p.test.into());
    m.insert("test".into(), p.test.into());
    m.insert("returnUrl".into(), p.return_url.clone().into());
    m.insert("redirectUrl".into(), engine.pay_url(p).into());
    m.insert("status".into(), p.status.as_str().into());
    m.insert("language".into(), p.language.as_str().into());
    m.insert("cardInputType".into(), "merchant_site".into());
    let trans_type = match p.challenge.as_ref().map(|c| c.kind) {
        Some(ChallengeKind::Sms) => "SMS",
        Some(ChallengeKind::ThreeDSecure) => "3DS",
        None => "NONE",
    };
    let mut details = Map::new();
    if let Some(card) = &p.card {
        let mut info = Map::new();
        info.insert("first6".into(), card.first6.clone().into());
        info.insert("last4".into(), card.last4.clone().into());
        info.insert("issuerCountryCode".into(), "UZ".into());
        info.insert(
            "cardHolder".into(),
            card.holder.clone().map_or(Value::Null, Value::from),
        );
        details.insert("cardInfo".into(), Value::Object(info));
    }
    details.insert("transType".into(), trans_type.into());
    m.insert("details".into(), Value::Object(details));
    m
}
