//! The payment notification OCTO posts to `notify_url`.
//!
//! Three types, so that what was checked shows in the type:
//!
//! - [`Notification`]: the fields, as sent. Anyone can build one (a
//!   sandbox signs and sends them) and reading one proves nothing.
//! - [`VerifiedNotification`]: a notification whose signature matched the
//!   shop's key. Only [`Notification::parse_verified`] and
//!   [`UnverifiedNotification::verify`] make one, and only it turns into a
//!   machine's input ([`PaymentNotice`](crate::machine::PaymentNotice)).
//! - [`UnverifiedNotification`]: read, not yet checked; it becomes verified
//!   through [`verify`](UnverifiedNotification::verify) or is taken apart
//!   under a name that says so.
//!
//! Even verified, a notification is a hint that the payment's status
//! changed, not a statement of amounts: with the `unique_key` scheme the
//! signature covers `octo_payment_UUID` and `status` only, so every other
//! field could come from another notification. Amounts and outcomes come
//! from OCTO's answer to a status check.

use std::ops::Deref;

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::PrimitiveDateTime;

use super::error::{CallbackError, SchemeName};
use super::intake::read_object;
use super::limits::CallbackLimits;
use super::signature::{SignatureScheme, SignedFields};
use super::warning::{JsonKind, NotificationWarning};
use crate::card::MaskedPan;
use crate::datetime::parse_octo;
use crate::enums::{Currency, PaymentStatus};
use crate::ids::{PaymentUuid, ShopTransactionId};
use crate::json::{Fields, bool_of, parse_decimal, text_of, u64_of};

/// The fields of a payment notification, as sent.
///
/// A `Notification` by itself proves nothing: anyone can build one, and
/// [`parse_unverified`](Self::parse_unverified) reads one without a check.
/// [`parse_verified`](Self::parse_verified) gives a
/// [`VerifiedNotification`] instead, the only form a machine accepts.
///
/// The signature covers `octo_payment_UUID` and `status` (and, with
/// [`SignatureScheme::SecretAndHashKey`], `hash_key`): `shop_transaction_id`,
/// the amounts and the card details beside them are not covered, even in a
/// verified notification. Take amounts from OCTO's answer to a status check.
///
/// The same notification may arrive more than once (OCTO retries until it
/// gets a 2xx, and keeps asking while a payment waits for capture): treat it
/// as a reason to look, not as an event to act on once.
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
    /// Fields this SDK does not model, and modelled optional fields that
    /// came in a shape it did not expect (see
    /// [`VerifiedNotification::warnings`]), as received.
    pub extra: Map<String, Value>,
    /// The signature as received: 40 hex digits.
    pub signature: String,
    /// The per-notification salt (`hash_key`). Empty when the
    /// notification carried none (left out or `null`): the `unique_key`
    /// formula does not sign it, so such a notification verifies under it;
    /// the secret formula refuses one. [`VerifiedNotification::signed_with`]
    /// says whether the salt was signed.
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

impl Notification {
    /// A notification with only its required fields; the signature and
    /// `hash_key` are empty until [`sign`](Self::sign) fills them. For tests
    /// and sandboxes that play OCTO: what it builds is not verified, and no
    /// machine accepts it. A shop gets its notifications from
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
    /// Checks, in order: the method, the body's size, that it is a JSON
    /// object (whatever its `Content-Type`: OCTO documents none), the
    /// signed fields, the signature, and only then the other fields, so a
    /// forged notification is refused (401) before any of its content is
    /// looked at.
    ///
    /// Only the fields the signature covers, `signature` itself and
    /// `shop_transaction_id` can make a genuine notification fail (400).
    /// `hash_key` may be left out or `null` under the `unique_key` formula,
    /// which does not sign it (unless
    /// [`CallbackLimits::with_hash_key_required`] says otherwise); the
    /// secret formula refuses a notification without it. An
    /// optional field in a shape this SDK does not expect is left unset,
    /// kept raw in `extra` and reported in
    /// [`warnings`](VerifiedNotification::warnings).
    pub fn parse_verified<B: AsRef<[u8]>>(
        request: &http::Request<B>,
        scheme: &SignatureScheme,
        limits: &CallbackLimits,
    ) -> Result<VerifiedNotification, CallbackError> {
        let map = read_object(request, limits)?;
        let fields = Fields::object(&map, "");
        let signed = SignedParts::read(&fields, limits)?;
        let signed_with = signed.verify(scheme)?;
        let (notification, warnings) = notification_from(&fields, &map, signed)?;
        Ok(VerifiedNotification {
            notification,
            warnings,
            signed_with,
        })
    }

    /// Reads a notification without checking its signature yet.
    ///
    /// For a handler that must look at a notification before it knows which
    /// key to check it with (several shops behind one URL, say). The result
    /// becomes a [`VerifiedNotification`] through
    /// [`UnverifiedNotification::verify`].
    pub fn parse_unverified<B: AsRef<[u8]>>(
        request: &http::Request<B>,
        limits: &CallbackLimits,
    ) -> Result<UnverifiedNotification, CallbackError> {
        let map = read_object(request, limits)?;
        let fields = Fields::object(&map, "");
        let signed = SignedParts::read(&fields, limits)?;
        let status_as_sent = signed.status.clone();
        let hash_key_sent = signed.hash_key.is_some();
        let (notification, warnings) = notification_from(&fields, &map, signed)?;
        Ok(UnverifiedNotification {
            notification,
            status_as_sent,
            hash_key_sent,
            warnings,
        })
    }

    /// Whether OCTO waits for the shop to capture or cancel: the reply to
    /// this notification should be a decision.
    pub fn awaits_decision(&self) -> bool {
        self.status == PaymentStatus::WaitingForCapture
    }
}

/// A notification whose signature matched the shop's key.
///
/// Made only by [`Notification::parse_verified`] and
/// [`UnverifiedNotification::verify`]; its fields are read through `Deref`
/// and cannot be changed. It proves that OCTO sent this `octo_payment_UUID`
/// with this `status`, nothing more: hand it to a machine
/// ([`Input::Notification`](crate::machine::Input::Notification)), which
/// checks the status with OCTO, or check it yourself with
/// [`PaymentStatusCheck`](crate::op::PaymentStatusCheck) before acting.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedNotification {
    notification: Notification,
    warnings: Vec<NotificationWarning>,
    signed_with: SchemeName,
}

impl VerifiedNotification {
    /// The notification's fields.
    pub fn notification(&self) -> &Notification {
        &self.notification
    }

    /// Optional fields that came in a shape this SDK did not expect: each
    /// was left unset and (except `maskedPan`) kept in `extra`. Worth a log
    /// line, never a refusal.
    pub fn warnings(&self) -> &[NotificationWarning] {
        &self.warnings
    }

    /// The formula the signature matched: the scheme's own, or under
    /// [`SignatureScheme::Either`] the one of the two that matched (log it,
    /// and narrow the scheme to it once it is always the same).
    ///
    /// It says what the signature covers: `octo_payment_UUID` and `status`,
    /// and `hash_key` too under [`SchemeName::SecretAndHashKey`].
    pub fn signed_with(&self) -> SchemeName {
        self.signed_with
    }

    /// Gives up the proof and keeps the fields.
    pub fn into_notification(self) -> Notification {
        self.notification
    }
}

impl Deref for VerifiedNotification {
    type Target = Notification;

    fn deref(&self) -> &Notification {
        &self.notification
    }
}

/// A notification whose signature has not been checked.
///
/// Its fields can be looked at through
/// [`peek_unverified`](Self::peek_unverified) (to pick a key, or to log a
/// refusal), but nothing in it is trustworthy until [`verify`](Self::verify)
/// succeeds, and only that gives a [`VerifiedNotification`].
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedNotification {
    notification: Notification,
    status_as_sent: String,
    /// Whether `hash_key` came as a string (empty included), not left out
    /// or `null`.
    hash_key_sent: bool,
    warnings: Vec<NotificationWarning>,
}

impl UnverifiedNotification {
    /// Checks the signature with `scheme`; the verified notification on
    /// success.
    ///
    /// A notification that carried no `hash_key` is checked with the
    /// `unique_key` formula only: under
    /// [`SignatureScheme::SecretAndHashKey`] it is refused (400, `hash_key`
    /// missing), and under [`SignatureScheme::Either`] it verifies only if
    /// the `unique_key` formula matches.
    pub fn verify(self, scheme: &SignatureScheme) -> Result<VerifiedNotification, CallbackError> {
        let signed_with = if self.hash_key_sent {
            scheme.verify(&self.signed_fields(), &self.notification.signature)?
        } else {
            scheme.verify_without_hash_key(
                self.notification.octo_payment_uuid.as_str(),
                &self.status_as_sent,
                &self.notification.signature,
            )?
        };
        Ok(VerifiedNotification {
            notification: self.notification,
            warnings: self.warnings,
            signed_with,
        })
    }

    /// Optional fields in a shape this SDK did not expect (see
    /// [`VerifiedNotification::warnings`]).
    pub fn warnings(&self) -> &[NotificationWarning] {
        &self.warnings
    }

    /// The fields the signature covers, as sent; `hash_key` is empty when
    /// the notification carried none ([`hash_key_sent`](Self::hash_key_sent)
    /// tells the two apart).
    pub fn signed_fields(&self) -> SignedFields<'_> {
        SignedFields {
            octo_payment_uuid: self.notification.octo_payment_uuid.as_str(),
            status: &self.status_as_sent,
            hash_key: &self.notification.hash_key,
        }
    }

    /// Whether the notification carried `hash_key` as a string (an empty
    /// one included); `false` when it was left out or `null`, which only
    /// the `unique_key` formula accepts.
    pub fn hash_key_sent(&self) -> bool {
        self.hash_key_sent
    }

    /// The notification's fields, unverified: anyone could have sent them.
    /// A plain [`Notification`], which no machine accepts.
    pub fn peek_unverified(&self) -> &Notification {
        &self.notification
    }

    /// Gives up on verification and takes the fields as they are: a plain
    /// [`Notification`], which no machine accepts. For tools that inspect
    /// recorded traffic; a shop never needs this.
    pub fn into_unverified(self) -> Notification {
        self.notification
    }
}

/// The signed fields and the signature, as received.
struct SignedParts {
    octo_payment_uuid: String,
    status: String,
    /// `None` when `hash_key` was left out or `null`.
    hash_key: Option<String>,
    signature: String,
}

impl SignedParts {
    /// `hash_key` is required only when `limits` say so: otherwise its
    /// absence is settled by the formula, in [`verify`](Self::verify). A
    /// `hash_key` that is there but not a string is refused either way.
    fn read(fields: &Fields<'_>, limits: &CallbackLimits) -> Result<Self, CallbackError> {
        let string = |v: &Value| v.as_str().map(str::to_owned);
        let octo_payment_uuid =
            fields.req("octo_payment_UUID", "a non-empty id", non_empty_text)?;
        let status = fields.req("status", "a status string", string)?;
        let hash_key = if limits.hash_key_required() {
            Some(fields.req("hash_key", "a string", string)?)
        } else {
            fields.opt("hash_key", "a string", string)?
        };
        Ok(Self {
            octo_payment_uuid,
            status,
            hash_key,
            signature: fields.req("signature", "a hex string", string)?,
        })
    }

    fn verify(&self, scheme: &SignatureScheme) -> Result<SchemeName, CallbackError> {
        match &self.hash_key {
            Some(hash_key) => scheme.verify(
                &SignedFields {
                    octo_payment_uuid: &self.octo_payment_uuid,
                    status: &self.status,
                    hash_key,
                },
                &self.signature,
            ),
            None => scheme.verify_without_hash_key(
                &self.octo_payment_uuid,
                &self.status,
                &self.signature,
            ),
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
) -> Result<(Notification, Vec<NotificationWarning>), CallbackError> {
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
    let mut optional = Lenient {
        fields,
        map,
        kept: Vec::new(),
        warnings: Vec::new(),
    };
    // The three amounts read alike. Optional fields are read in the order
    // they are declared, which is the order of the warnings.
    let [total_sum, transfer_sum, refunded_sum] = ["total_sum", "transfer_sum", "refunded_sum"]
        .map(|key| optional.read(key, "a decimal amount", decimal_of));
    let mut notification = Notification {
        shop_transaction_id,
        octo_payment_uuid,
        status: PaymentStatus::parse(&signed.status),
        total_sum,
        transfer_sum,
        refunded_sum,
        payed_time: optional.read("payed_time", "yyyy-MM-dd HH:mm:ss", payed_time_of),
        currency: optional.read("currency", "a currency code", |v| {
            v.as_str().map(Currency::parse)
        }),
        masked_pan: optional.read_never_kept("maskedPan", "a masked card number", masked_pan_of),
        card_country: optional.read("card_country", "a string", text_of),
        rrn: optional.read("rrn", "a string", text_of),
        risk_level: optional.read("riskLevel", "an integer from 0 to 255", |v| {
            u64_of(v).and_then(|n| u8::try_from(n).ok())
        }),
        card_type: optional.read("card_type", "a string", text_of),
        card_vendor: optional.read("card_vendor", "a string", text_of),
        is_physical_card: optional.read("is_physical_card", "a boolean", bool_of),
        extra: Map::new(),
        signature: signed.signature,
        hash_key: signed.hash_key.unwrap_or_default(),
    };
    // What no read touched, then the fields kept because they were bad.
    notification.extra = fields.unread_as_received();
    notification.extra.extend(optional.kept);
    Ok((notification, optional.warnings))
}

/// Reads the optional fields of a genuine notification without refusing
/// it: a field in an unexpected shape is left unset, kept in `extra` and
/// reported. `null` and an empty string read as absent (OCTO may well send
/// `"payed_time": ""` for a payment not paid yet).
struct Lenient<'a> {
    /// Where each key read is recorded, so that it stays out of `extra`.
    fields: &'a Fields<'a>,
    map: &'a Map<String, Value>,
    /// Fields in a bad shape that `extra` keeps as received.
    kept: Vec<(String, Value)>,
    warnings: Vec<NotificationWarning>,
}

impl Lenient<'_> {
    fn read<T>(
        &mut self,
        key: &'static str,
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Option<T> {
        self.read_keeping(key, expected, true, convert)
    }

    /// Like [`read`](Self::read), but a bad value is dropped, not kept.
    fn read_never_kept<T>(
        &mut self,
        key: &'static str,
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Option<T> {
        self.read_keeping(key, expected, false, convert)
    }

    fn read_keeping<T>(
        &mut self,
        key: &'static str,
        expected: &'static str,
        keep: bool,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Option<T> {
        self.fields.mark_read(key);
        let value = self.map.get(key)?;
        let blank = match value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        if blank {
            return None;
        }
        let converted = convert(value);
        if converted.is_none() {
            self.warnings.push(NotificationWarning {
                field: key,
                expected,
                found: JsonKind::of(value),
                kept_in_extra: keep,
            });
            if keep {
                self.kept.push((key.to_owned(), value.clone()));
            }
        }
        converted
    }
}

/// An exact amount from a JSON number (its digits as sent) or a numeric
/// string.
fn decimal_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(_) | Value::String(_) => parse_decimal(text_of(value)?.trim()),
        _ => None,
    }
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
    let text = text_of(value)?;
    let text = text.as_str();
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
                &format_args!("{}", crate::redact::printable_map(&self.extra)),
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
