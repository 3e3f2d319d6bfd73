//! `prepare_payment`: create a one-stage or two-stage payment.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::payment::Payment;
use super::{Endpoint, Operation, post_signed, validate};
use crate::config::Config;
use crate::datetime::{self, InitTime};
use crate::enums::{Currency, Language, PaymentMethod};
use crate::error::{Error, InputError, InputProblem};
use crate::ids::{ShopId, ShopTransactionId};

/// The longest `ttl` this SDK lets through, in minutes (30 days). OCTO does
/// not document a limit; this one only catches obvious mistakes.
pub const MAX_TTL_MINUTES: u32 = 43_200;

/// Creates a payment and returns the URL to send the customer to.
///
/// One-stage payments (`auto_capture: true`) take the money as soon as the
/// customer pays; two-stage ones (`false`) hold it until the shop captures or
/// cancels with [`SetAccept`](super::SetAccept). OCTO's pages disagree on the
/// default, so `auto_capture` is always sent.
///
/// `shop_transaction_id` is the idempotency key: sending the same request
/// again never creates a second payment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreparePayment {
    /// The shop's id for this payment.
    pub shop_transaction_id: ShopTransactionId,
    /// `true` for one-stage, `false` for two-stage (hold, then capture).
    pub auto_capture: bool,
    /// Test payment; `None` takes [`Config::test`].
    #[serde(default)]
    pub test: Option<bool>,
    /// When the shop created the payment, sent as `yyyy-MM-dd HH:mm:ss`:
    /// an instant is written in [`Config::init_time_offset`] (Tashkent by
    /// default), a wall-clock time as it is. In fixtures and other JSON
    /// input: `"2024-05-02 09:17:00"` (wall clock) or an RFC 3339 time with
    /// its offset (instant).
    pub init_time: InitTime,
    /// The customer, shown on the payment page and used for fiscal receipts.
    #[serde(default)]
    pub user_data: Option<UserData>,
    /// The amount to pay.
    #[serde(deserialize_with = "crate::money::number::deserialize")]
    pub total_sum: Decimal,
    /// The currency of `total_sum`.
    pub currency: Currency,
    /// What is being paid for.
    pub description: String,
    /// The items; when present they must add up to `total_sum`.
    #[serde(default)]
    pub basket: Vec<BasketItem>,
    /// The ways to pay offered; empty offers all.
    #[serde(default)]
    pub payment_methods: Vec<PaymentMethod>,
    /// The id of the sales and service point.
    #[serde(default)]
    pub tsp_id: Option<u64>,
    /// Where the customer returns to; must identify this payment.
    pub return_url: String,
    /// Where OCTO sends status notifications (the account's URL if `None`).
    #[serde(default)]
    pub notify_url: Option<String>,
    /// The language of the payment page. Only `en`, `uz` and `ru` are sent
    /// unless [`Config::with_unlisted_languages`] allows others.
    pub language: Language,
    /// Minutes until the payment can no longer be paid, 1 to
    /// [`MAX_TTL_MINUTES`]. `None` leaves the field out and the lifetime to
    /// OCTO, which documents no default; a payment machine sends its
    /// [`PaymentParams::ttl`](crate::machine::PaymentParams::ttl) instead,
    /// so that it counts with the lifetime OCTO was given.
    #[serde(default)]
    pub ttl: Option<u32>,
    /// The customer's IP address; OCTO blocks the payment from another one.
    #[serde(default)]
    pub customer_ip: Option<std::net::IpAddr>,
}

/// The customer, as shown on OCTO's page. For fiscal receipts OCTO needs the
/// phone or the e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserData {
    /// The customer's id in the shop.
    pub user_id: String,
    /// Digits, country code first (`998901234567`); a leading `+` is taken
    /// and left out on the wire.
    pub phone: String,
    /// E-mail, may be empty.
    #[serde(default)]
    pub email: String,
}

/// One line of the basket, with the fiscal fields OCTO registers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasketItem {
    /// The item's name on the receipt.
    pub position_desc: String,
    /// How many; more than zero.
    pub count: u32,
    /// Price of one; not negative.
    #[serde(with = "crate::money::number")]
    pub price: Decimal,
    /// The product's SPIC (IKPU) code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spic: Option<String>,
    /// The package code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_code: Option<String>,
    /// The VAT marker, as registered with OCTO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nds: Option<u32>,
    /// The seller's tax id, for legal entities. Exclusive with `pinfl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inn: Option<String>,
    /// The seller's personal id, for individual entrepreneurs. Exclusive
    /// with `inn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinfl: Option<String>,
    /// The supplier's shop, for marketplace splits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_shop_id: Option<ShopId>,
}

impl BasketItem {
    /// An item without fiscal fields.
    pub fn new(position_desc: impl Into<String>, count: u32, price: Decimal) -> Self {
        Self {
            position_desc: position_desc.into(),
            count,
            price,
            spic: None,
            package_code: None,
            nds: None,
            inn: None,
            pinfl: None,
            supplier_shop_id: None,
        }
    }

    /// `count × price`, or `None` on overflow.
    pub fn line_total(&self) -> Option<Decimal> {
        self.price.checked_mul(Decimal::from(self.count))
    }

    fn validate(&self, index: usize) -> Result<(), InputError> {
        let field = |name: &str| format!("basket[{index}].{name}");
        if self.position_desc.trim().is_empty() {
            return Err(InputError::new(field("position_desc"), InputProblem::Empty));
        }
        if self.count == 0 {
            return Err(InputError::new(field("count"), InputProblem::NotPositive));
        }
        if self.price < Decimal::ZERO {
            return Err(InputError::new(field("price"), InputProblem::Negative));
        }
        match (&self.inn, &self.pinfl) {
            (Some(_), Some(_)) => {
                return Err(InputError::new(field("inn"), InputProblem::InnAndPinfl));
            }
            (None, None) if self.package_code.is_some() || self.nds.is_some() => {
                return Err(InputError::new(
                    field("inn"),
                    InputProblem::NeitherInnNorPinfl,
                ));
            }
            _ => {}
        }
        for (name, value) in [("inn", &self.inn), ("pinfl", &self.pinfl)] {
            if let Some(v) = value
                && (v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(InputError::new(field(name), InputProblem::Format("digits")));
            }
        }
        Ok(())
    }
}

impl PreparePayment {
    /// The amount of the payment OCTO answered with, when it is another
    /// payment than this request's: OCTO keeps one payment per
    /// `shop_transaction_id`, and an id used before is answered with the
    /// payment made first. Only for payments in sums (another currency may
    /// come back converted, which no page describes), and only for a
    /// difference of a tiyin or more (OCTO may round an amount sent with
    /// more decimals). `None` when the answer carries no `total_sum`.
    pub fn answered_with_another(&self, answer: &Payment) -> Option<Decimal> {
        answer.total_sum.filter(|sum| {
            self.currency == Currency::Uzs
                && sum
                    .checked_sub(self.total_sum)
                    .is_none_or(|difference| difference.abs() >= Decimal::new(1, 2))
        })
    }

    /// A one-stage payment with no basket, its page in Uzbek (`uz`, the
    /// value OCTO's current examples send). Adjust the public fields for
    /// anything else.
    ///
    /// `init_time` is an instant (`time::OffsetDateTime`, written in the
    /// config's zone, Tashkent by default) or a wall-clock
    /// `time::PrimitiveDateTime` sent as it is; see [`InitTime`].
    pub fn new(
        shop_transaction_id: ShopTransactionId,
        total_sum: Decimal,
        currency: Currency,
        description: impl Into<String>,
        return_url: impl Into<String>,
        init_time: impl Into<InitTime>,
    ) -> Self {
        Self {
            shop_transaction_id,
            auto_capture: true,
            test: None,
            init_time: init_time.into(),
            user_data: None,
            total_sum,
            currency,
            description: description.into(),
            basket: Vec::new(),
            payment_methods: Vec::new(),
            tsp_id: None,
            return_url: return_url.into(),
            notify_url: None,
            language: Language::Uzbek,
            ttl: None,
            customer_ip: None,
        }
    }

    /// Makes this a two-stage payment: held, then captured or canceled.
    pub fn two_stage(mut self) -> Self {
        self.auto_capture = false;
        self
    }

    /// Sets the basket.
    pub fn with_basket(mut self, basket: Vec<BasketItem>) -> Self {
        self.basket = basket;
        self
    }

    /// Sum of the basket's lines, or `None` on overflow.
    pub fn basket_total(&self) -> Option<Decimal> {
        self.basket.iter().try_fold(Decimal::ZERO, |acc, item| {
            acc.checked_add(item.line_total()?)
        })
    }

    /// Checks everything OCTO would refuse that can be known before sending.
    pub fn validate(&self) -> Result<(), InputError> {
        validate::not_empty("shop_transaction_id", self.shop_transaction_id.as_str())?;
        validate::positive("total_sum", self.total_sum)?;
        validate::not_empty("description", &self.description)?;
        validate::absolute_url("return_url", &self.return_url)?;
        validate::absolute_url_if_set("notify_url", self.notify_url.as_deref())?;
        if let Currency::Other(raw) = &self.currency
            && (raw.len() != 3 || !raw.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(InputError::new(
                "currency",
                InputProblem::Format("a 3-letter code"),
            ));
        }
        if let Some(ttl) = self.ttl
            && !(1..=MAX_TTL_MINUTES).contains(&ttl)
        {
            return Err(InputError::new(
                "ttl",
                InputProblem::OutOfRange {
                    min: 1,
                    max: i64::from(MAX_TTL_MINUTES),
                },
            ));
        }
        if let Some(user) = &self.user_data {
            validate::not_empty("user_data.user_id", &user.user_id)?;
            validate::phone("user_data.phone", &user.phone)?;
            if !user.email.is_empty() && !user.email.contains('@') {
                return Err(InputError::new(
                    "user_data.email",
                    InputProblem::Format("an e-mail address"),
                ));
            }
        }
        for (index, item) in self.basket.iter().enumerate() {
            item.validate(index)?;
        }
        if !self.basket.is_empty() {
            let basket_total = self.basket_total().ok_or_else(|| {
                InputError::new(
                    "basket",
                    InputProblem::OutOfRange {
                        min: 0,
                        max: i64::MAX,
                    },
                )
            })?;
            if basket_total != self.total_sum {
                return Err(InputError::new(
                    "total_sum",
                    InputProblem::BasketTotalMismatch {
                        basket_total,
                        total_sum: self.total_sum,
                    },
                ));
            }
        }
        Ok(())
    }
}

/// [`UserData`] as sent: the phone without a leading `+`.
#[derive(Serialize)]
struct UserWire<'a> {
    user_id: &'a str,
    phone: &'a str,
    email: &'a str,
}

#[derive(Serialize)]
struct Wire<'a> {
    shop_transaction_id: &'a ShopTransactionId,
    auto_capture: bool,
    test: bool,
    init_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_data: Option<UserWire<'a>>,
    #[serde(with = "crate::money::number")]
    total_sum: Decimal,
    currency: &'a Currency,
    description: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    basket: &'a [BasketItem],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    payment_methods: Vec<MethodWire<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tsp_id: Option<u64>,
    return_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_url: Option<&'a str>,
    language: &'a Language,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_ip: Option<String>,
}

#[derive(Serialize)]
struct MethodWire<'a> {
    method: &'a PaymentMethod,
}

impl Operation for PreparePayment {
    type Output = Payment;

    const ENDPOINT: Endpoint = Endpoint::PreparePayment;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        self.validate()?;
        if !self.language.is_listed() && !config.unlisted_languages() {
            return Err(Error::Input(InputError::new(
                "language",
                InputProblem::Format("en, uz or ru (others need Config::with_unlisted_languages)"),
            )));
        }
        let init_time = self
            .init_time
            .wall_clock(config.init_time_offset())
            .ok_or_else(|| {
                InputError::new(
                    "init_time",
                    InputProblem::Format("a time within the years 0000 to 9999"),
                )
            })?;
        let wire = Wire {
            shop_transaction_id: &self.shop_transaction_id,
            auto_capture: self.auto_capture,
            test: self.test.unwrap_or(config.test()),
            init_time: datetime::format_octo(init_time),
            user_data: self.user_data.as_ref().map(|user| UserWire {
                user_id: &user.user_id,
                phone: validate::phone_digits(&user.phone),
                email: &user.email,
            }),
            total_sum: self.total_sum,
            currency: &self.currency,
            description: &self.description,
            basket: &self.basket,
            payment_methods: self
                .payment_methods
                .iter()
                .map(|method| MethodWire { method })
                .collect(),
            tsp_id: self.tsp_id,
            return_url: &self.return_url,
            notify_url: self.notify_url.as_deref(),
            language: &self.language,
            ttl: self.ttl,
            customer_ip: self.customer_ip.map(|ip| ip.to_string()),
        };
        post_signed(config, "/prepare_payment", &wire)
    }

    fn idempotency_key(&self) -> Option<&str> {
        Some(self.shop_transaction_id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    fn body(op: &PreparePayment, config: &Config) -> serde_json::Value {
        let request = op.build_request(config).unwrap();
        serde_json::from_slice(request.body()).unwrap()
    }

    fn payment(init_time: impl Into<InitTime>) -> PreparePayment {
        PreparePayment::new(
            "order-1".parse().unwrap(),
            Decimal::new(1000, 0),
            Currency::Uzs,
            "d",
            "https://shop.example/r",
            init_time,
        )
    }

    /// A phone kept in international form (`+998…`, as OCTO itself shows
    /// phones) is taken, and goes out as the pages write phones: digits
    /// only, country code first.
    #[test]
    fn a_phone_with_a_leading_plus_goes_out_as_digits() {
        let config = Config::new(1, "s");
        let mut op = payment(datetime!(2024-05-02 09:17:00));
        op.user_data = Some(UserData {
            user_id: "u-1".to_owned(),
            phone: "+998901234567".to_owned(),
            email: String::new(),
        });
        assert_eq!(body(&op, &config)["user_data"]["phone"], "998901234567");
        for refused in [
            "+",
            "++998901234567",
            "+99890 1234567",
            "998+901234567",
            "+12345678",
        ] {
            let mut op = op.clone();
            if let Some(user) = op.user_data.as_mut() {
                user.phone = refused.to_owned();
            }
            match op.build_request(&config) {
                Err(Error::Input(e)) => assert_eq!(e.field, "user_data.phone", "{refused}"),
                other => panic!("{refused}: {other:?}"),
            }
        }
    }

    #[test]
    fn language_defaults_to_a_listed_value_and_oz_is_opt_in() {
        let config = Config::new(1, "s");
        let op = payment(datetime!(2024-05-02 09:17:00));
        assert_eq!(body(&op, &config)["language"], "uz");

        for unlisted in [Language::UzbekLatin, Language::parse("fr")] {
            let mut op = op.clone();
            op.language = unlisted.clone();
            match op.build_request(&config) {
                Err(Error::Input(e)) => assert_eq!(e.field, "language"),
                other => panic!("{unlisted}: {other:?}"),
            }
            let allowed = config.clone().with_unlisted_languages(true);
            assert_eq!(body(&op, &allowed)["language"], unlisted.as_str());
        }
    }

    #[test]
    fn an_instant_is_written_in_tashkent_time_unless_configured() {
        let config = Config::new(1, "s");
        let op = payment(datetime!(2024-05-02 04:17:00 UTC));
        assert_eq!(body(&op, &config)["init_time"], "2024-05-02 09:17:00");
        // The same instant given in another zone is the same wall clock.
        let op = payment(datetime!(2024-05-02 07:17:00 +03:00));
        assert_eq!(body(&op, &config)["init_time"], "2024-05-02 09:17:00");
        let utc = config.clone().with_init_time_offset(offset!(UTC));
        assert_eq!(body(&op, &utc)["init_time"], "2024-05-02 04:17:00");
        // A wall-clock time is sent as written, whatever the config.
        let op = payment(datetime!(2024-05-02 04:17:00));
        assert_eq!(body(&op, &config)["init_time"], "2024-05-02 04:17:00");
        assert_eq!(body(&op, &utc)["init_time"], "2024-05-02 04:17:00");
        // An instant that cannot be written is refused, not sent wrong.
        let op = payment(datetime!(9999-12-31 23:00:00 UTC));
        match op.build_request(&config) {
            Err(Error::Input(e)) => assert_eq!(e.field, "init_time"),
            other => panic!("{other:?}"),
        }
    }
}
