//! `fiscal-data`: the fiscal receipt registered for a payment.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::PrimitiveDateTime;

use super::answer::{Answer, Reader};
use super::{Endpoint, Field, Operation, post_signed};
use crate::config::Config;
use crate::datetime;
use crate::error::Error;
use crate::ids::PaymentUuid;
use crate::json::{Warnings, i64_of, text_of};
use crate::warning::FieldWarning;

/// Fetches the fiscal receipt of a payment. Read-only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiscalData {
    /// OCTO's id of the payment.
    pub payment_uuid: PaymentUuid,
}

impl FiscalData {
    /// The receipt of `payment_uuid`.
    pub fn new(payment_uuid: PaymentUuid) -> Self {
        Self { payment_uuid }
    }
}

/// A fiscal receipt, as registered with the State Tax Committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FiscalReceipt {
    /// The customer's phone the receipt was registered under.
    pub phone: Option<String>,
    /// The fiscal service's code for the operation.
    pub code: Option<i64>,
    /// The fiscal service's message, such as `accepted`.
    pub message: Option<String>,
    /// The fiscal terminal.
    pub terminal_id: Option<String>,
    /// The receipt's number.
    pub receipt_id: Option<String>,
    /// When it was registered.
    #[serde(with = "datetime::serde_octo::option")]
    pub date_time: Option<PrimitiveDateTime>,
    /// The fiscal sign.
    pub fiscal_sign: Option<String>,
    /// The receipt's page (the QR code's target).
    pub qr_code_url: Option<String>,
    /// Fields this SDK does not model, as received.
    pub extra: Map<String, Value>,
    /// Fields OCTO sent in a shape this SDK could not read (they read as
    /// `None` above): every field of a receipt is informational.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<FieldWarning>,
}

impl Answer for FiscalReceipt {
    const READER: Reader<Self> = Reader(|f| {
        let warnings = Warnings::new();
        let w = &warnings;
        let text = |key: &'static str| f.soft(key, w, |f| f.opt_text(key));
        Ok(FiscalReceipt {
            phone: text("phone"),
            code: f.soft("code", w, |f| f.opt("code", "an integer", i64_of)),
            message: text("message"),
            terminal_id: text("terminalID"),
            receipt_id: f.soft("receiptId", w, |f| f.opt("receiptId", "an id", text_of)),
            date_time: f.soft("dateTime", w, |f| {
                f.opt("dateTime", "yyyyMMddHHmmss", |v| {
                    v.as_str().and_then(datetime::parse_compact)
                })
            }),
            fiscal_sign: text("fiscalSign"),
            qr_code_url: text("qrCodeURL"),
            extra: f.extra(),
            warnings: warnings.into_vec(),
        })
    });
}

impl Operation for FiscalData {
    type Output = FiscalReceipt;

    const ENDPOINT: Endpoint = Endpoint::FiscalData;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        let uuid = Field::non_empty("payment_uuid", self.payment_uuid.as_str())?;
        post_signed(config, "/fiscal-data", &uuid)
    }
}
