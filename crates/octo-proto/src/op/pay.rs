//! `pay/{octo_payment_UUID}`: pay a prepared payment with a stored card.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::answer::{Answer, Reader};
use super::payment::{payment_status_of, payment_uuid_of, shop_transaction_id_of};
use super::{Endpoint, Operation, expose, post_json, validate};
use crate::card::MaskedPan;
use crate::config::Config;
use crate::datetime;
use crate::enums::{Currency, PaymentMethod, PaymentStatus};
use crate::error::Error;
use crate::ids::{PaymentId, PaymentUuid, ShopTransactionId};
use crate::json::{Warnings, bool_of, i64_of};
use crate::secret::CardToken;
use crate::warning::FieldWarning;

/// Pays a payment created by [`PreparePayment`](super::PreparePayment) with a
/// card token. OCTO may still ask the customer for an OTP or a 3-D Secure
/// step: see [`TokenPayment::redirect_url`].
///
/// Not retried automatically: check the status when the outcome is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayWithToken {
    /// OCTO's id of the prepared payment.
    pub octo_payment_uuid: PaymentUuid,
    /// The stored card.
    pub card_token: CardToken,
    /// `bank_card`, `uzcard` or `humo`.
    pub method: PaymentMethod,
    /// The customer's e-mail (required by OCTO when the payment was prepared
    /// with `user_data`).
    #[serde(default)]
    pub email: Option<String>,
}

impl PayWithToken {
    /// Pays `octo_payment_uuid` with `card_token`.
    pub fn new(
        octo_payment_uuid: PaymentUuid,
        card_token: CardToken,
        method: PaymentMethod,
    ) -> Self {
        Self {
            octo_payment_uuid,
            card_token,
            method,
            email: None,
        }
    }
}

/// The payment as OCTO reports it after a token payment. This endpoint
/// answers in camelCase with epoch-millisecond times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenPayment {
    /// OCTO's integer number for the payment (`id`): the `paymentId` an
    /// OTP resend (`check_pan`) names.
    pub id: Option<PaymentId>,
    /// OCTO's id of the payment (`uuid`).
    pub octo_payment_uuid: PaymentUuid,
    /// The shop's id of the payment (`merchantTransId`).
    pub shop_transaction_id: Option<ShopTransactionId>,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The amount first requested.
    #[serde(with = "crate::money::number::option")]
    pub initial_sum: Option<Decimal>,
    /// The amount of the payment.
    #[serde(with = "crate::money::number")]
    pub total_sum: Decimal,
    /// How much has been refunded.
    #[serde(with = "crate::money::number::option")]
    pub refunded_sum: Option<Decimal>,
    /// What the shop receives after OCTO's fee.
    #[serde(with = "crate::money::number::option")]
    pub transfer_sum: Option<Decimal>,
    /// The currency.
    pub currency: Option<Currency>,
    /// Where the customer must go to finish (OTP form, 3-D Secure).
    pub redirect_url: Option<String>,
    /// Whether the payment captures by itself.
    pub auto_capture: Option<bool>,
    /// Whether it is a test payment.
    pub is_test: Option<bool>,
    /// When OCTO created it.
    #[serde(with = "datetime::serde_millis_option")]
    pub create_time: Option<OffsetDateTime>,
    /// When it expires unpaid.
    #[serde(with = "datetime::serde_millis_option")]
    pub expire_time: Option<OffsetDateTime>,
    /// When it was paid (`peyedTime` on the wire, sic).
    #[serde(with = "datetime::serde_millis_option")]
    pub payed_time: Option<OffsetDateTime>,
    /// The card, masked.
    pub card: Option<MaskedPan>,
    /// The kind of confirmation (`SMS` means an OTP step).
    pub trans_type: Option<String>,
    /// Fields this SDK does not model, as received.
    pub extra: Map<String, Value>,
    /// Informational fields OCTO sent in a shape this SDK could not read
    /// (they read as `None` above). Only `uuid`, `status` and `totalSum`
    /// fail the answer instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<FieldWarning>,
}

fn millis(v: &Value) -> Option<OffsetDateTime> {
    i64_of(v).and_then(datetime::from_epoch_millis)
}

impl Answer for TokenPayment {
    const READER: Reader<Self> = Reader(|f| {
        let warnings = Warnings::new();
        let w = &warnings;
        let details = f.soft_hidden("details", w, |f| {
            f.with_object("details", |d| {
                let card = d
                    .soft_hidden("cardInfo", w, |d| {
                        d.with_object("cardInfo", |c| Ok(super::payment::masked_card(c, w)))
                    })
                    .flatten();
                Ok((card, d.soft("transType", w, |d| d.opt_text("transType"))))
            })
        });
        let (card, trans_type) = details.unwrap_or_default();
        let millis_at =
            |key: &'static str| f.soft(key, w, |f| f.opt(key, "epoch milliseconds", millis));
        Ok(TokenPayment {
            id: f.soft("id", w, |f| f.opt("id", "an integer", PaymentId::from_json)),
            octo_payment_uuid: f.req("uuid", "a non-empty id", payment_uuid_of)?,
            shop_transaction_id: f.soft("merchantTransId", w, |f| {
                f.opt("merchantTransId", "a non-empty id", shop_transaction_id_of)
            }),
            status: f.req("status", "a status string", payment_status_of)?,
            initial_sum: f.soft("initialSum", w, |f| f.opt_decimal("initialSum")),
            total_sum: f.req_decimal("totalSum")?,
            refunded_sum: f.soft("refundedSum", w, |f| f.opt_decimal("refundedSum")),
            transfer_sum: f.soft("transferSum", w, |f| f.opt_decimal("transferSum")),
            currency: f.soft("currency", w, |f| {
                f.opt("currency", "a currency code", |v| {
                    v.as_str().map(Currency::parse)
                })
            }),
            redirect_url: f.soft("redirectUrl", w, |f| f.opt_text("redirectUrl")),
            auto_capture: f.soft("autoCapture", w, |f| {
                f.opt("autoCapture", "a boolean", bool_of)
            }),
            is_test: f.soft("isTest", w, |f| f.opt("isTest", "a boolean", bool_of)),
            create_time: millis_at("createTime"),
            expire_time: millis_at("expireTime"),
            payed_time: f.soft("peyedTime", w, |f| {
                f.opt_any(&["peyedTime", "payedTime"], "epoch milliseconds", millis)
            }),
            card,
            trans_type,
            // What `details` holds beyond the card and `transType` stays.
            extra: f.extra(),
            warnings: warnings.into_vec(),
        })
    });
}

#[derive(Serialize)]
struct Wire<'a> {
    #[serde(serialize_with = "expose::token")]
    card_token: &'a CardToken,
    method: &'a PaymentMethod,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

impl Operation for PayWithToken {
    type Output = TokenPayment;

    const ENDPOINT: Endpoint = Endpoint::PayWithToken;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        validate::path_segment("octo_payment_UUID", self.octo_payment_uuid.as_str())?;
        validate::not_empty("card_token", self.card_token.expose_secret())?;
        let wire = Wire {
            card_token: &self.card_token,
            method: &self.method,
            email: self.email.as_deref(),
        };
        post_json(config, &format!("/pay/{}", self.octo_payment_uuid), &wire)
    }
}
