//! `refund`: only succeeded payments, never more than their total, within
//! OCTO's limits, once per `shop_refund_id`.

use octo_proto::datetime;
use serde_json::{Map, Value};

use super::payments::owned_payment;
use crate::engine::Engine;
use crate::rules;
use crate::state::RefundRecord;
use crate::wire::{self, Body, Reject, money};

fn refund_payload(r: &RefundRecord) -> Map<String, Value> {
    let at = time::PrimitiveDateTime::new(r.created_at.date(), r.created_at.time());
    let mut m = Map::new();
    m.insert("octo_payment_UUID".into(), r.payment_uuid.clone().into());
    m.insert("shop_refund_id".into(), r.shop_refund_id.clone().into());
    m.insert("refund_id".into(), r.refund_id.to_string().into());
    m.insert("refund_time".into(), datetime::format_octo(at).into());
    m.insert("amount".into(), money(r.amount));
    m.insert("status".into(), "succeeded".into());
    m
}

pub(crate) fn refund(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    let shop = rules::authenticate(&engine.config, body)?;
    let shop_id = shop.id.0;
    let shop_refund_id = body.req_text("shop_refund_id")?;
    let uuid = body.req_text("octo_payment_UUID")?;
    let amount = body.req_decimal("amount")?;
    let now = engine.now();
    engine
        .transact(|l, tx| {
            if let Some(r) = l.refund(shop_id, &shop_refund_id) {
                // A retried refund: the same answer, no second refund.
                if r.payment_uuid == uuid && r.amount == amount {
                    return Ok(refund_payload(r));
                }
                return Err(Reject::format(format!(
                    "shop_refund_id {shop_refund_id} was already used for another refund"
                )));
            }
            let p = owned_payment(l, shop_id, &uuid)?;
            if !p.status.is_paid() {
                return Err(Reject::format(format!(
                    "only succeeded payments can be refunded; this one is {}",
                    p.status
                )));
            }
            rules::refund_amount(
                &engine.config,
                &p.currency,
                amount,
                p.total_sum,
                p.refunded_sum,
            )?;
            let record = RefundRecord {
                shop_id,
                shop_refund_id: shop_refund_id.clone(),
                refund_id: engine.ids.next_number(),
                payment_uuid: uuid.clone(),
                amount,
                created_at: now,
            };
            if let Some(p) = l.payment_mut(&uuid) {
                p.refunded_sum += amount;
            }
            tx.payment(&uuid);
            tx.refund(shop_id, &shop_refund_id);
            let payload = refund_payload(&record);
            l.put_refund(record);
            Ok(payload)
        })
        .map(wire::ok)
}
