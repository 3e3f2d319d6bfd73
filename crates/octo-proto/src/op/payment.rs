//! The payment record that `prepare_payment`, the status check,
//! `set_accept`, `bind_card` and `check_sms_key` all answer with, and the
//! readers of its fields that other answers share.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};
use time::PrimitiveDateTime;

use crate::card::MaskedPan;
use crate::datetime;
use crate::enums::PaymentStatus;
use crate::ids::{PaymentUuid, ShopTransactionId};
use crate::json::{FieldError, Fields, Warnings, text_of};
use crate::warning::FieldWarning;

/// A payment as OCTO reports it from `prepare_payment`, the status check,
/// `set_accept`, `bind_card` and `check_sms_key`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payment {
    /// The shop's id of the payment.
    pub shop_transaction_id: ShopTransactionId,
    /// OCTO's id of the payment.
    pub octo_payment_uuid: PaymentUuid,
    /// Where it stands.
    pub status: PaymentStatus,
    /// Where to send the customer (or, after payment, the status page).
    pub octo_pay_url: Option<String>,
    /// The amount of the payment.
    #[serde(with = "crate::money::number::option")]
    pub total_sum: Option<Decimal>,
    /// How much has been refunded.
    #[serde(with = "crate::money::number::option")]
    pub refunded_sum: Option<Decimal>,
    /// What the shop receives after OCTO's fee.
    #[serde(with = "crate::money::number::option")]
    pub transfer_sum: Option<Decimal>,
    /// When the customer paid.
    #[serde(with = "datetime::serde_octo::option")]
    pub payed_time: Option<PrimitiveDateTime>,
    /// The processor's key for the transaction.
    pub processor_key: Option<String>,
    /// The processing reference.
    pub processing_reference: Option<String>,
    /// The card used, masked (from `first6`/`last4` or `maskedPan`).
    pub card: Option<MaskedPan>,
    /// Fields this SDK does not model, as received.
    pub extra: Map<String, Value>,
    /// Informational fields OCTO sent in a shape this SDK could not read
    /// (they read as `None` above). Only the ids, the status and the
    /// amounts `total_sum` and `refunded_sum` fail the answer instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<FieldWarning>,
}

pub(crate) fn shop_transaction_id_of(v: &Value) -> Option<ShopTransactionId> {
    text_of(v).and_then(|s| ShopTransactionId::new(s).ok())
}

pub(crate) fn payment_uuid_of(v: &Value) -> Option<PaymentUuid> {
    text_of(v).and_then(|s| PaymentUuid::new(s).ok())
}

pub(crate) fn payment_status_of(v: &Value) -> Option<PaymentStatus> {
    v.as_str().map(PaymentStatus::parse)
}

/// Reads the masked card from `first6`/`last4` or `maskedPan`; anything
/// unreadable is a warning whose value is not kept. All three are the card,
/// so none stays in `extra`, even `maskedPan` when the pair was enough.
pub(crate) fn masked_card(fields: &Fields<'_>, warnings: &Warnings) -> Option<MaskedPan> {
    fields.mark_read("maskedPan");
    let first6 = fields.soft_hidden("first6", warnings, |f| f.opt_text("first6"));
    let last4 = fields.soft_hidden("last4", warnings, |f| f.opt_text("last4"));
    if let (Some(f), Some(l)) = (&first6, &last4) {
        let pair = fields.soft_hidden("first6", warnings, |fields| {
            MaskedPan::from_parts(f, l)
                .map(Some)
                .ok_or_else(|| fields.invalid("first6", "six and four digits of a card"))
        });
        if pair.is_some() {
            return pair;
        }
    }
    fields.soft_hidden("maskedPan", warnings, |f| {
        f.opt("maskedPan", "a masked card number", |v| {
            v.as_str().and_then(MaskedPan::new)
        })
    })
}

pub(crate) fn payment_from(fields: &Fields<'_>) -> Result<Payment, FieldError> {
    let warnings = Warnings::new();
    let w = &warnings;
    let text = |key: &'static str| fields.soft(key, w, |f| f.opt_text(key));
    Ok(Payment {
        shop_transaction_id: fields.req_text_as("shop_transaction_id", "a non-empty id", |s| {
            ShopTransactionId::new(s).ok()
        })?,
        octo_payment_uuid: fields.req_text_as("octo_payment_UUID", "a non-empty id", |s| {
            PaymentUuid::new(s).ok()
        })?,
        status: fields.req_str_as("status", "a status string", |s| {
            Some(PaymentStatus::parse(s))
        })?,
        octo_pay_url: text("octo_pay_url"),
        total_sum: fields.opt_decimal("total_sum")?,
        refunded_sum: fields.opt_decimal("refunded_sum")?,
        transfer_sum: fields.soft("transfer_sum", w, |f| f.opt_decimal("transfer_sum")),
        payed_time: fields.soft("payed_time", w, |f| {
            f.opt_string_as("payed_time", "yyyy-MM-dd HH:mm:ss", |s| {
                datetime::parse_octo(&s)
            })
        }),
        processor_key: text("processor_key"),
        processing_reference: text("processing_reference"),
        card: masked_card(fields, w),
        extra: fields.extra(),
        warnings: warnings.into_vec(),
    })
}
