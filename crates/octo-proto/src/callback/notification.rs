//! The payment notification OCTO posts to `notify_url`.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::PrimitiveDateTime;

use crate::card::MaskedPan;
use crate::enums::{Currency, PaymentStatus};
use crate::ids::{PaymentUuid, ShopTransactionId};

/// A payment notification, parsed. Whether it is authentic is a separate
/// check (its signature).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification {
    /// The shop's id of the payment.
    pub shop_transaction_id: ShopTransactionId,
    /// OCTO's id of the payment.
    pub octo_payment_uuid: PaymentUuid,
    /// The payment's new status.
    pub status: PaymentStatus,
    /// The payment's amount.
    pub total_sum: Option<Decimal>,
    /// What the shop receives after OCTO's fee.
    pub transfer_sum: Option<Decimal>,
    /// How much has been refunded.
    pub refunded_sum: Option<Decimal>,
    /// When the customer paid.
    pub payed_time: Option<PrimitiveDateTime>,
    /// The currency.
    pub currency: Option<Currency>,
    /// The card, masked (`427831** **** 3011`).
    pub masked_pan: Option<MaskedPan>,
    /// Fields this SDK does not model, as received.
    pub extra: Map<String, Value>,
}
