//! Card binding: `bind_card`, `verificationInfo`, `bind_card/check_sms_key`
//! and the OTP resend `check_pan`.
//!
//! Humo and Uzcard cards confirm with an SMS code: `bind_card`, then
//! `verificationInfo` (how long the code lives), then the customer's code to
//! `check_sms_key`, then OCTO's tokenization callback with the token. Visa
//! and Mastercard confirm on a 3-D Secure page: `bind_card` answers with its
//! URL in `octo_pay_url` instead.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::answer::{Answer, Reader};
use super::payment::Payment;
use super::{Endpoint, Field, Operation, expose, post_json, post_signed, validate};
use crate::card::{CardExpiry, Pan};
use crate::config::Config;
use crate::enums::PaymentMethod;
use crate::error::{Error, InputError};
use crate::ids::{PaymentId, PaymentUuid, ShopTransactionId, VerifyId};
use crate::json::{i64_of, u64_of};
use crate::secret::Cvc;

/// Starts binding a card, to get a token for later payments.
///
/// OCTO refuses a second binding while a token for the card is active or
/// pending (error 20), so `bind_card` is not idempotent: a resend after a
/// lost answer would turn the first binding's success into error 20 and
/// send the card number again. It is never retried automatically. `Debug`
/// masks the card and hides the holder's name, the expiry and the CVC.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindCard {
    /// The shop's id for this binding.
    pub shop_transaction_id: ShopTransactionId,
    /// The card number.
    pub pan: Pan,
    /// The card's expiry.
    pub exp: CardExpiry,
    /// The phone the card is registered to (digits, country code first; a
    /// leading `+` is taken and left out on the wire).
    pub phone: String,
    /// The name on the card.
    pub card_holder_name: String,
    /// The CVC2, for cards that need it.
    #[serde(default)]
    pub cvc2: Option<Cvc>,
    /// `humo`, `uzcard` or `bank_card`.
    pub method: PaymentMethod,
    /// Where the customer returns to.
    pub return_url: String,
    /// Where OCTO sends payment notifications.
    #[serde(default)]
    pub notify_url: Option<String>,
    /// Where OCTO sends the tokenization callback.
    #[serde(default)]
    pub bind_notify_url: Option<String>,
}

impl fmt::Debug for BindCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BindCard")
            .field("shop_transaction_id", &self.shop_transaction_id)
            .field("pan", &self.pan)
            .field("exp", &self.exp)
            .field("phone", &self.phone)
            .field("card_holder_name", &format_args!("[REDACTED]"))
            .field("cvc2", &self.cvc2)
            .field("method", &self.method)
            .field("return_url", &self.return_url)
            .field("notify_url", &self.notify_url)
            .field("bind_notify_url", &self.bind_notify_url)
            .finish()
    }
}

impl BindCard {
    /// Checks the input.
    pub fn validate(&self) -> Result<(), InputError> {
        validate::not_empty("shop_transaction_id", self.shop_transaction_id.as_str())?;
        validate::phone("phone", &self.phone)?;
        validate::not_empty("cardHolderName", &self.card_holder_name)?;
        validate::absolute_url("return_url", &self.return_url)?;
        validate::absolute_url_if_set("notify_url", self.notify_url.as_deref())?;
        validate::absolute_url_if_set("bind_notify_url", self.bind_notify_url.as_deref())
    }
}

#[derive(Serialize)]
struct BindWire<'a> {
    shop_transaction_id: &'a ShopTransactionId,
    #[serde(serialize_with = "expose::pan")]
    pan: &'a Pan,
    exp: CardExpiry,
    phone: &'a str,
    #[serde(rename = "cardHolderName")]
    card_holder_name: &'a str,
    cvc2: &'a str,
    method: &'a PaymentMethod,
    return_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bind_notify_url: Option<&'a str>,
}

impl Operation for BindCard {
    type Output = Payment;

    const ENDPOINT: Endpoint = Endpoint::BindCard;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        self.validate()?;
        let wire = BindWire {
            shop_transaction_id: &self.shop_transaction_id,
            pan: &self.pan,
            exp: self.exp,
            phone: validate::phone_digits(&self.phone),
            card_holder_name: &self.card_holder_name,
            // OCTO's example sends an empty string when there is no CVC.
            cvc2: self.cvc2.as_ref().map(Cvc::expose_secret).unwrap_or(""),
            method: &self.method,
            return_url: &self.return_url,
            notify_url: self.notify_url.as_deref(),
            bind_notify_url: self.bind_notify_url.as_deref(),
        };
        post_signed(config, "/bind_card", &wire)
    }

    /// The binding's `shop_transaction_id`, for logs. OCTO does not
    /// deduplicate `bind_card` by it (see [`BindCard`]).
    fn idempotency_key(&self) -> Option<&str> {
        Some(self.shop_transaction_id.as_str())
    }
}

/// Asks how long the binding's SMS code lives. OCTO's page says only the
/// payment's id is sent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationInfo {
    /// OCTO's id of the binding payment.
    pub octo_payment_uuid: PaymentUuid,
}

impl VerificationInfo {
    /// Verification state of `octo_payment_uuid`.
    pub fn new(octo_payment_uuid: PaymentUuid) -> Self {
        Self { octo_payment_uuid }
    }
}

/// The state of an SMS code: which verification, sent to which phone, and
/// for how long it is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The verification's id, sent back with the code.
    pub verify_id: VerifyId,
    /// The phone the code went to, masked by OCTO (`+998** *****33`).
    pub phone: Option<String>,
    /// Seconds until the code expires; 0 means expired or inactive.
    pub seconds_left: u32,
    /// OCTO's integer number for the payment, when the answer carries one
    /// (`paymentId` or `id`): what [`CheckPan`] sends. OCTO's
    /// partner-website page says `verificationInfo` gives the payment id;
    /// its example shows none, so it is optional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<PaymentId>,
}

impl Verification {
    /// Whether the code can no longer be used (`secondsLeft` is 0).
    pub fn is_expired(&self) -> bool {
        self.seconds_left == 0
    }
}

impl Answer for Verification {
    const READER: Reader<Self> = Reader(|f| {
        Ok(Verification {
            verify_id: f.req("verifyId", "an integer id", |v| u64_of(v).map(VerifyId))?,
            phone: f.opt_text("phone")?,
            seconds_left: f.req("secondsLeft", "a number of seconds", |v| {
                i64_of(v).map(|n| u32::try_from(n.max(0)).unwrap_or(u32::MAX))
            })?,
            // Optional and undocumented: an unreadable one is left out
            // (a resend is then refused) rather than losing the code step.
            payment_id: ["paymentId", "id"].into_iter().find_map(|key| {
                f.opt(key, "an integer id", PaymentId::from_json)
                    .ok()
                    .flatten()
            }),
        })
    });
}

impl Operation for VerificationInfo {
    type Output = Verification;

    const ENDPOINT: Endpoint = Endpoint::VerificationInfo;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        let uuid = Field::non_empty("octo_payment_UUID", self.octo_payment_uuid.as_str())?;
        post_json(config, "/verificationInfo/", &uuid)
    }
}

crate::secret::digit_code!(
    /// The code the customer received by SMS: 4 to 8 digits. `Debug` and
    /// `Display` hide it.
    SmsCode,
    digits: 4..=8,
    field: "smsKey",
    expected: "4 to 8 digits",
    in_json: "the SMS code as a string of digits",
);

/// Sends the customer's SMS code to confirm a binding.
///
/// Not retried automatically: each attempt counts, and three wrong codes
/// end the binding.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSmsKey {
    /// OCTO's id of the binding payment (`paymentUUID`).
    pub octo_payment_uuid: PaymentUuid,
    /// The verification's id from [`VerificationInfo`].
    pub verify_id: VerifyId,
    /// The code the customer typed.
    pub sms_key: SmsCode,
}

#[derive(Serialize)]
struct CheckSmsWire<'a> {
    #[serde(rename = "smsKey")]
    sms_key: &'a str,
    #[serde(rename = "paymentUUID")]
    payment_uuid: &'a PaymentUuid,
    #[serde(rename = "verifyId")]
    verify_id: VerifyId,
}

impl Operation for CheckSmsKey {
    type Output = Payment;

    const ENDPOINT: Endpoint = Endpoint::CheckSmsKey;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        validate::not_empty("paymentUUID", self.octo_payment_uuid.as_str())?;
        let wire = CheckSmsWire {
            sms_key: self.sms_key.expose_secret(),
            payment_uuid: &self.octo_payment_uuid,
            verify_id: self.verify_id,
        };
        post_signed(config, config.check_sms_key_path(), &wire)
    }
}

/// Asks OCTO to send the OTP again. OCTO answers error 17 after too many
/// resends.
///
/// Not idempotent: every call sends another SMS and spends one of the
/// resends OCTO allows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckPan {
    /// The card number.
    pub pan: Pan,
    /// The card's expiry (`expDate`).
    pub exp: CardExpiry,
    /// OCTO's integer number for the payment (`paymentId`, an int on
    /// OCTO's OTP-resend page), not its UUID.
    pub payment_id: PaymentId,
}

#[derive(Serialize)]
struct CheckPanWire<'a> {
    #[serde(serialize_with = "expose::pan")]
    pan: &'a Pan,
    #[serde(rename = "expDate")]
    exp: CardExpiry,
    #[serde(rename = "paymentId")]
    payment_id: PaymentId,
}

impl Operation for CheckPan {
    type Output = Verification;

    const ENDPOINT: Endpoint = Endpoint::CheckPan;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        let wire = CheckPanWire {
            pan: &self.pan,
            exp: self.exp,
            payment_id: self.payment_id,
        };
        post_json(config, "/check_pan", &wire)
    }
}
