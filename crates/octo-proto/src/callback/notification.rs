//! The payment notification OCTO posts to `notify_url`.
//!
//! The signature check is part of parsing: [`Notification::parse_verified`]
//! is the way in, and the one way around it,
//! [`Notification::parse_unverified`], returns an [`UnverifiedNotification`]
//! that must be verified before it yields a [`Notification`] (or be taken
//! apart under a name that says so).

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::PrimitiveDateTime;

use super::error::CallbackError;
use super::intake::read_object;
use super::limits::CallbackLimits;
use super::signature::{SignatureScheme, SignedFields};
use crate::card::MaskedPan;
use crate::datetime::parse_octo;
use crate::enums::{Currency, PaymentStatus};
use crate::ids::{PaymentUuid, ShopTransactionId};
use crate::json::{Fields, bool_of, text_of};

/// A payment notification, parsed and (through
/// [`parse_verified`](Self::parse_verified)) authenticated.
///
/// The same notification may arrive more than once (OCTO retries until it
/// gets a 2xx, and keeps asking while a payment waits for capture): treat it
/// as an input to the payment's state, not as an event to act on once.
///
/// `signature` and `hash_key` are shown by `Debug`: the first is a digest
/// over public fields, the second a salt OCTO sends in the clear, and
/// neither helps to forge another notification without the shop's key.
/// `extra` is printed redacted (secret-named fields hidden, long digit runs
/// masked); the map itself keeps what OCTO sent.
#[derive(Clone, PartialEq)]
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
    /// The signature as received: 40 hex digits.
    pub signature: String,
    /// The per-notification salt (`hash_key`).
    pub hash_key: String,
    /// The card's country (`card_country`).
    pub card_country: Option<String>,
    /// The retrieval reference number (`rrn`).
    pub rrn: Option<String>,
    /// OCTO's risk score (`riskLevel`, 0 to 5 as documented).
    pub risk_level: Option<u8>,
    /// The card's type (`card_type`).
    pub card_type: Option<String>,
    /// The card's scheme or issuer (`card_vendor`).
    pub card_vendor: Option<String>,
    /// Whether the card is a physical one (`is_physical_card`).
    pub is_physical_card: Option<bool>,
}

/// Every field [`Notification`] models; the rest go to `extra`.
pub(crate) const NOTIFICATION_FIELDS: [&str; 17] = [
    "shop_transaction_id",
    "octo_payment_UUID",
    "status",
    "signature",
    "hash_key",
    "total_sum",
    "transfer_sum",
    "refunded_sum",
    "card_country",
    "maskedPan",
    "rrn",
    "riskLevel",
    "payed_time",
    "card_type",
    "card_vendor",
    "currency",
    "is_physical_card",
];

impl Notification {
    /// A notification with only its required fields; the signature and
    /// `hash_key` are empty until [`sign`](Self::sign) fills them. For tests,
    /// sandboxes and state machines; a shop gets its notifications from
    /// [`parse_verified`](Self::parse_verified).
    pub fn new(
        shop_transaction_id: ShopTransactionId,
        octo_payment_uuid: PaymentUuid,
        status: PaymentStatus,
    ) -> Self {
        Self {
            shop_transaction_id,
            octo_payment_uuid,
            status,
            total_sum: None,
            transfer_sum: None,
            refunded_sum: None,
            payed_time: None,
            currency: None,
            masked_pan: None,
            extra: Map::new(),
            signature: String::new(),
            hash_key: String::new(),
            card_country: None,
            rrn: None,
            risk_level: None,
            card_type: None,
            card_vendor: None,
            is_physical_card: None,
        }
    }

    /// Reads a notification and checks its signature: the normal way in.
    ///
    /// Checks, in order: the method and headers, the body's size, that it is
    /// a JSON object, the signed fields, the signature, and only then the
    /// other fields, so a forged notification is refused (401) before any of
    /// its content is looked at.
    pub fn parse_verified<B: AsRef<[u8]>>(
        request: &http::Request<B>,
        scheme: &SignatureScheme,
        limits: &CallbackLimits,
    ) -> Result<Self, CallbackError> {
        let map = read_object(request, limits)?;
        let fields = Fields::object(&map, "");
        let signed = SignedParts::read(&fields)?;
        scheme.verify(&signed.as_signed_fields(), &signed.signature)?;
        notification_from(&fields, &map, signed)
    }

    /// Reads a notification without checking its signature yet.
    ///
    /// For a handler that must look at a notification before it knows which
    /// key to check it with (several shops behind one URL, say). The result
    /// becomes a [`Notification`] through
    /// [`UnverifiedNotification::verify`].
    pub fn parse_unverified<B: AsRef<[u8]>>(
        request: &http::Request<B>,
        limits: &CallbackLimits,
    ) -> Result<UnverifiedNotification, CallbackError> {
        let map = read_object(request, limits)?;
        let fields = Fields::object(&map, "");
        let signed = SignedParts::read(&fields)?;
        let status_as_sent = signed.status.clone();
        let notification = notification_from(&fields, &map, signed)?;
        Ok(UnverifiedNotification {
            notification,
            status_as_sent,
        })
    }

    /// Whether OCTO waits for the shop to capture or cancel: the reply to
    /// this notification should be a decision.
    pub fn awaits_decision(&self) -> bool {
        self.status == PaymentStatus::WaitingForCapture
    }
}

/// A notification whose signature has not been checked.
///
/// Its fields can be looked at through
/// [`peek_unverified`](Self::peek_unverified) (to pick a key, or to log a
/// refusal), but nothing in it is trustworthy until [`verify`](Self::verify)
/// succeeds.
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedNotification {
    notification: Notification,
    status_as_sent: String,
}

impl UnverifiedNotification {
    /// Checks the signature with `scheme`; the notification on success.
    pub fn verify(self, scheme: &SignatureScheme) -> Result<Notification, CallbackError> {
        scheme.verify(&self.signed_fields(), &self.notification.signature)?;
        Ok(self.notification)
    }

    /// The fields the signature covers, as sent.
    pub fn signed_fields(&self) -> SignedFields<'_> {
        SignedFields {
            octo_payment_uuid: self.notification.octo_payment_uuid.as_str(),
            status: &self.status_as_sent,
            hash_key: &self.notification.hash_key,
        }
    }

    /// The notification's fields, unverified: anyone could have sent them.
    pub fn peek_unverified(&self) -> &Notification {
        &self.notification
    }

    /// Gives up on verification and takes the notification as it is. For
    /// tools that inspect recorded traffic; a shop never needs this.
    pub fn into_unverified(self) -> Notification {
        self.notification
    }
}

/// The signed fields and the signature, as received.
struct SignedParts {
    octo_payment_uuid: String,
    status: String,
    hash_key: String,
    signature: String,
}

impl SignedParts {
    fn read(fields: &Fields<'_>) -> Result<Self, CallbackError> {
        let string = |v: &Value| v.as_str().map(str::to_owned);
        Ok(Self {
            octo_payment_uuid: fields.req("octo_payment_UUID", "a non-empty id", non_empty_text)?,
            status: fields.req("status", "a status string", string)?,
            hash_key: fields.req("hash_key", "a string", string)?,
            signature: fields.req("signature", "a hex string", string)?,
        })
    }

    fn as_signed_fields(&self) -> SignedFields<'_> {
        SignedFields {
            octo_payment_uuid: &self.octo_payment_uuid,
            status: &self.status,
            hash_key: &self.hash_key,
        }
    }
}

fn non_empty_text(value: &Value) -> Option<String> {
    text_of(value).filter(|s| !s.trim().is_empty())
}

fn notification_from(
    fields: &Fields<'_>,
    map: &Map<String, Value>,
    signed: SignedParts,
) -> Result<Notification, CallbackError> {
    let invalid_id = |field: &str| CallbackError::Field {
        path: field.to_owned(),
        problem: crate::error::DecodeProblem::Invalid {
            expected: "a non-empty id",
        },
    };
    let shop_transaction_id = fields.req("shop_transaction_id", "a non-empty id", |v| {
        non_empty_text(v).and_then(|s| ShopTransactionId::new(s).ok())
    })?;
    let octo_payment_uuid =
        PaymentUuid::new(signed.octo_payment_uuid).map_err(|_| invalid_id("octo_payment_UUID"))?;
    let extra = map
        .iter()
        .filter(|(key, _)| !NOTIFICATION_FIELDS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Ok(Notification {
        shop_transaction_id,
        octo_payment_uuid,
        status: PaymentStatus::parse(&signed.status),
        total_sum: fields.opt_decimal("total_sum")?,
        transfer_sum: fields.opt_decimal("transfer_sum")?,
        refunded_sum: fields.opt_decimal("refunded_sum")?,
        payed_time: non_empty(fields, "payed_time", "yyyy-MM-dd HH:mm:ss", payed_time_of)?,
        currency: non_empty(fields, "currency", "a currency code", |v| {
            v.as_str().map(Currency::parse)
        })?,
        masked_pan: non_empty(fields, "maskedPan", "a masked card number", masked_pan_of)?,
        extra,
        signature: signed.signature,
        hash_key: signed.hash_key,
        card_country: fields.opt_text("card_country")?,
        rrn: fields.opt_text("rrn")?,
        risk_level: fields.opt("riskLevel", "an integer from 0 to 255", |v| {
            crate::json::u64_of(v).and_then(|n| u8::try_from(n).ok())
        })?,
        card_type: fields.opt_text("card_type")?,
        card_vendor: fields.opt_text("card_vendor")?,
        is_physical_card: fields.opt("is_physical_card", "a boolean", bool_of)?,
    })
}

/// An optional field where an empty string means absent, as a `null` does:
/// OCTO may well send `"payed_time": ""` for a payment not paid yet, and
/// refusing that would only make it resend the notification forever.
fn non_empty<T>(
    fields: &Fields<'_>,
    key: &str,
    expected: &'static str,
    convert: impl Fn(&Value) -> Option<T>,
) -> Result<Option<T>, CallbackError> {
    let read = fields.opt(key, expected, |v| {
        if v.as_str().is_some_and(|s| s.trim().is_empty()) {
            Some(None)
        } else {
            convert(v).map(Some)
        }
    })?;
    Ok(read.flatten())
}

/// `yyyy-MM-dd HH:mm:ss`, also with a `T` between date and time.
fn payed_time_of(value: &Value) -> Option<PrimitiveDateTime> {
    let text = value.as_str()?;
    parse_octo(text).or_else(|| parse_octo(&text.replacen('T', " ", 1)))
}

/// The masked card. Should OCTO ever put more than ten digits here, only
/// the first six and last four are kept: a full number never gets into a
/// [`Notification`], and refusing the notification would only make OCTO
/// send it again and again.
fn masked_pan_of(value: &Value) -> Option<MaskedPan> {
    let text = value.as_str()?;
    MaskedPan::new(text).or_else(|| {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let first6 = digits.get(..6)?;
        let last4 = digits.get(digits.len().saturating_sub(4)..)?;
        MaskedPan::from_parts(first6, last4)
    })
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Every field as derived, but `extra` (kept as received, so it may
        // hold card data OCTO does not document) only redacted.
        f.debug_struct("Notification")
            .field("shop_transaction_id", &self.shop_transaction_id)
            .field("octo_payment_uuid", &self.octo_payment_uuid)
            .field("status", &self.status)
            .field("total_sum", &self.total_sum)
            .field("transfer_sum", &self.transfer_sum)
            .field("refunded_sum", &self.refunded_sum)
            .field("payed_time", &self.payed_time)
            .field("currency", &self.currency)
            .field("masked_pan", &self.masked_pan)
            .field(
                "extra",
                &format_args!("{}", crate::json::printable_map(&self.extra)),
            )
            .field("signature", &self.signature)
            .field("hash_key", &self.hash_key)
            .field("card_country", &self.card_country)
            .field("rrn", &self.rrn)
            .field("risk_level", &self.risk_level)
            .field("card_type", &self.card_type)
            .field("card_vendor", &self.card_vendor)
            .field("is_physical_card", &self.is_physical_card)
            .finish_non_exhaustive()
    }
}
