//! `refund`: return part or all of a succeeded payment.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::PrimitiveDateTime;

use super::answer::{Answer, Reader};
use super::payment::payment_uuid_of;
use super::{Endpoint, Operation, post_signed, validate};
use crate::config::Config;
use crate::datetime;
use crate::enums::RefundStatus;
use crate::error::Error;
use crate::ids::{PaymentUuid, RefundId, ShopId, ShopRefundId};
use crate::json::{Warnings, text_of};
use crate::warning::FieldWarning;

/// Refunds `amount` of a succeeded payment.
///
/// `shop_refund_id` is the idempotency key: resending the same refund never
/// returns money twice. OCTO refuses refunds of payments that are not
/// `succeeded`, refunds adding up to more than the payment, and amounts
/// outside its limits (at least 1 USD equivalent, at most 10,000,000 UZS);
/// only `amount > 0` is checked here, the rest needs OCTO's state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refund {
    /// The shop's id for this refund.
    pub shop_refund_id: ShopRefundId,
    /// OCTO's id of the payment.
    pub octo_payment_uuid: PaymentUuid,
    /// How much to return.
    #[serde(deserialize_with = "crate::money::number::deserialize")]
    pub amount: Decimal,
    /// The supplier whose share is refunded (marketplace splits).
    #[serde(default)]
    pub supplier_shop_id: Option<ShopId>,
}

impl Refund {
    /// A refund of `amount`.
    pub fn new(
        shop_refund_id: ShopRefundId,
        octo_payment_uuid: PaymentUuid,
        amount: Decimal,
    ) -> Self {
        Self {
            shop_refund_id,
            octo_payment_uuid,
            amount,
            supplier_shop_id: None,
        }
    }
}

/// OCTO's answer to a refund.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefundResult {
    /// OCTO's id of the payment.
    pub octo_payment_uuid: PaymentUuid,
    /// OCTO's id of the refund.
    pub refund_id: Option<RefundId>,
    /// When OCTO registered it.
    #[serde(with = "datetime::serde_octo::option")]
    pub refund_time: Option<PrimitiveDateTime>,
    /// Where the refund stands. The legacy answer's `"status": "ok"`
    /// (with `error` 0) reads as [`RefundStatus::Succeeded`]. Only
    /// `succeeded` means the money is back: `new`, `pending` and `unknown`
    /// are not finished and may still end `canceled` or `error`. The
    /// payment machine asks about such a refund by sending it again (same
    /// `shop_refund_id` and amount: OCTO filters duplicates by that id),
    /// reading the answer as the refund's status then.
    pub status: RefundStatus,
    /// Fields this SDK does not model, as received.
    pub extra: Map<String, Value>,
    /// Informational fields OCTO sent in a shape this SDK could not read
    /// (`refund_id`, `refund_time`); only the payment's id and the status
    /// fail the answer instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<FieldWarning>,
}

/// A refund status as answered. OCTO's legacy refund page answers
/// `"status": "ok"` with `error` 0, although its own table lists only the
/// refund statuses (`new`, `succeeded`, …): an accepted refund without a
/// status of its own, read as succeeded.
fn refund_status(raw: &str) -> RefundStatus {
    match raw {
        "ok" => RefundStatus::Succeeded,
        other => RefundStatus::parse(other),
    }
}

impl Answer for RefundResult {
    const READER: Reader<Self> = Reader(|f| {
        let warnings = Warnings::new();
        let w = &warnings;
        Ok(RefundResult {
            octo_payment_uuid: f.req("octo_payment_UUID", "a non-empty id", payment_uuid_of)?,
            refund_id: f.soft("refund_id", w, |f| {
                f.opt("refund_id", "an id", |v| {
                    text_of(v).and_then(|s| RefundId::new(s).ok())
                })
            }),
            refund_time: f.soft("refund_time", w, |f| {
                f.opt("refund_time", "yyyy-MM-dd HH:mm:ss", |v| {
                    v.as_str().and_then(datetime::parse_octo)
                })
            }),
            status: f.req("status", "a status string", |v| {
                v.as_str().map(refund_status)
            })?,
            extra: f.extra(),
            warnings: warnings.into_vec(),
        })
    });
}

#[derive(Serialize)]
struct Wire<'a> {
    shop_refund_id: &'a ShopRefundId,
    #[serde(rename = "octo_payment_UUID")]
    octo_payment_uuid: &'a PaymentUuid,
    #[serde(with = "crate::money::number")]
    amount: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier_shop_id: Option<ShopId>,
}

impl Operation for Refund {
    type Output = RefundResult;

    const ENDPOINT: Endpoint = Endpoint::Refund;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        validate::not_empty("shop_refund_id", self.shop_refund_id.as_str())?;
        validate::not_empty("octo_payment_UUID", self.octo_payment_uuid.as_str())?;
        validate::positive("amount", self.amount)?;
        let wire = Wire {
            shop_refund_id: &self.shop_refund_id,
            octo_payment_uuid: &self.octo_payment_uuid,
            amount: self.amount,
            supplier_shop_id: self.supplier_shop_id,
        };
        post_signed(config, "/refund", &wire)
    }

    fn idempotency_key(&self) -> Option<&str> {
        Some(self.shop_refund_id.as_str())
    }
}
