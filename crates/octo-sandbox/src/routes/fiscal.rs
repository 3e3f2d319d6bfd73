//! `fiscal-data`: the receipt of a succeeded payment, with or without a
//! fiscal basket.

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use super::payments::owned_payment;
use crate::engine::Engine;
use crate::rules;
use crate::wire::{self, Body, Reject};
use octo_proto::ErrorCode;

/// The sandbox's fiscal terminal.
const TERMINAL: &str = "SB000000000001";

pub(crate) fn fiscal_data(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    // The fiscalization page answers a wrong secret with the generic code
    // 1 (`"error": 1, "errMessage": "wrong secret"`), not the 2 that
    // `prepare_payment` uses.
    let shop = rules::authenticate_as(&engine.config, body, ErrorCode::DataFormat, "wrong secret")?;
    let uuid = body.req_text("payment_uuid")?;
    engine
        .transact(|store, tx| {
            let p = owned_payment(store, shop.id.0, &uuid)?;
            if !p.status.is_paid() {
                return Err(Reject::format(format!(
                    "no fiscal receipt: the payment is {}",
                    p.status
                )));
            }
            // Without a fiscal basket OCTO fiscalises the shop's first
            // active product (single-product shops send no basket). Only a
            // strict sandbox asks that such a product be registered.
            if engine.config.strict && !p.is_fiscal() && engine.config.fiscal_registry.is_empty() {
                return Err(Reject::format(
                    "no fiscal receipt: no fiscal basket and no registered product (strict)",
                ));
            }
            let fresh = p.receipt_id.is_none();
            let receipt_id = match p.receipt_id {
                Some(id) => id,
                None => engine.ids.next_number(),
            };
            let p = store
                .payment_mut(&uuid)
                .ok_or_else(|| Reject::format("no payment"))?;
            if fresh {
                p.receipt_id = Some(receipt_id);
                tx.payment(&uuid);
            }
            let at = engine.local(p.payed_at.unwrap_or(p.created_at));
            let date_time = crate::wire::octo_time::format_compact(at);
            let digest = Sha1::digest(format!("{uuid}:{receipt_id}").as_bytes());
            let sign: String = digest
                .iter()
                .take(6)
                .map(|b| format!("{:02}", b % 100))
                .collect();
            let mut m = Map::new();
            m.insert(
                "phone".into(),
                p.user
                    .as_ref()
                    .map(|u| u.phone.clone())
                    .unwrap_or_default()
                    .into(),
            );
            m.insert("code".into(), 0.into());
            m.insert("message".into(), "accepted".into());
            m.insert("terminalID".into(), TERMINAL.into());
            m.insert("receiptId".into(), receipt_id.into());
            m.insert("dateTime".into(), date_time.clone().into());
            m.insert("fiscalSign".into(), sign.clone().into());
            m.insert(
                "qrCodeURL".into(),
                format!(
                    "https://ofd.soliq.uz/epi?t={TERMINAL}&r={receipt_id}&c={date_time}&s={sign}"
                )
                .into(),
            );
            Ok(m)
        })
        .map(wire::ok_data_only)
}
