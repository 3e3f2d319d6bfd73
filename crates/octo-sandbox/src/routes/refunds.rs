//! `refund`: only succeeded payments, never more than their total, within
//! OCTO's limits, once per `shop_refund_id`, and settling at once or later
//! as the sandbox is told ([`RefundSettlement`]; how a waiting refund moves
//! on is in [`lifecycle`]).

use serde_json::{Map, Value};

use super::payments::owned_payment;
use crate::config::{DuplicateRefund, RefundSettlement};
use crate::engine::Engine;
use crate::lifecycle;
use crate::rules;
use crate::state::{RefundRecord, RefundState};
use crate::wire::{self, Body, Reject, money, octo_time};

fn refund_payload(engine: &Engine, r: &RefundRecord) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("octo_payment_UUID".into(), r.payment_uuid.clone().into());
    m.insert("shop_refund_id".into(), r.shop_refund_id.clone().into());
    m.insert("refund_id".into(), r.refund_id.to_string().into());
    m.insert(
        "refund_time".into(),
        octo_time::format(engine.local(r.created_at)).into(),
    );
    m.insert("amount".into(), money(r.amount));
    m.insert("status".into(), r.state.as_str().into());
    m
}

pub(crate) fn refund(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    let shop = rules::authenticate(&engine.config, body)?;
    let shop_id = shop.id.0;
    let shop_refund_id = body.req_text("shop_refund_id")?;
    let uuid = body.req_text("octo_payment_UUID")?;
    let amount = body.req_amount("amount")?;
    let now = engine.now();
    engine
        .transact(|store, tx| {
            if let Some(r) = store.refund(shop_id, &shop_refund_id) {
                // A retried refund: the same refund, no second one; asking
                // again is also a status check of it.
                if r.payment_uuid == uuid && r.amount == amount {
                    if engine.config.duplicate_refund == DuplicateRefund::Refused {
                        return Err(Reject::format(format!(
                            "shop_refund_id {shop_refund_id} was already used"
                        )));
                    }
                    let key = (shop_id, shop_refund_id.clone());
                    lifecycle::check_refund(store, &key, now, tx);
                    return store
                        .refund(shop_id, &shop_refund_id)
                        .map(|r| refund_payload(engine, r))
                        .ok_or_else(|| Reject::internal("the refund vanished"));
                }
                return Err(Reject::format(format!(
                    "shop_refund_id {shop_refund_id} was already used for another refund"
                )));
            }
            let p = owned_payment(store, shop_id, &uuid)?;
            if !p.status.is_paid() {
                return Err(Reject::format(format!(
                    "only succeeded payments can be refunded; this one is {}",
                    p.status
                )));
            }
            // Accepted amounts are bounded (`MAX_AMOUNT`), so these fit; a
            // record that does not still gets an answer.
            let left = p
                .total_sum
                .checked_sub(p.refunded_sum)
                .and_then(|rest| rest.checked_sub(store.open_refund_sum(&uuid)))
                .ok_or_else(|| {
                    Reject::format(
                        "the payment's amounts are beyond what the sandbox computes with",
                    )
                })?;
            rules::refund_amount(&engine.config, &p.currency, amount, left)?;
            let (state, checks_left, settles_at, fails) = match engine.config.refund_settlement {
                RefundSettlement::Immediate => (RefundState::Succeeded, 0, None, false),
                RefundSettlement::AfterChecks(n) => (RefundState::New, n, None, false),
                RefundSettlement::After(wait) => {
                    (RefundState::New, 0, Some(now.saturating_add(wait)), false)
                }
                RefundSettlement::FailsAfterChecks(n) => (RefundState::New, n, None, true),
            };
            let record = RefundRecord {
                shop_id,
                shop_refund_id: shop_refund_id.clone(),
                refund_id: engine.ids.next_number(),
                payment_uuid: uuid.clone(),
                amount,
                created_at: now,
                state,
                checks_left,
                settles_at,
                fails,
            };
            if state == RefundState::Succeeded
                && let Some(p) = store.payment_mut(&uuid)
            {
                p.refunded_sum = p.refunded_sum.saturating_add(amount);
            }
            tx.payment(&uuid);
            tx.refund(shop_id, &shop_refund_id);
            let payload = refund_payload(engine, &record);
            store.put_refund(record);
            Ok(payload)
        })
        .map(wire::ok)
}
