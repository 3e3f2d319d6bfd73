//! What the sandbox is told at start: its shops, OCTO's limits, timings, the
//! notification signature, the fiscal registry.

use std::time::Duration as StdDuration;

use octo_proto::op::BasketItem;
use octo_proto::{Currency, NotificationKey, OctoSecret, ShopId};
use rust_decimal::Decimal;
use time::{Duration, UtcOffset};

/// A shop the sandbox knows. (`Debug` shows the secret as its own
/// `Debug` does: redacted.)
#[derive(Clone, Debug)]
pub struct Shop {
    /// `octo_shop_id`.
    pub id: ShopId,
    /// `octo_secret`.
    pub secret: OctoSecret,
    /// Whether `test: false` payments are allowed (OCTO answers error 5
    /// when a shop's status forbids real payments).
    pub real_payments: bool,
}

/// How notifications to `notify_url` are signed. OCTO's formula is not
/// settled (see the API notes), so the sandbox offers both seen variants.
/// The default is [`Signing::UniqueKey`] with [`DEFAULT_NOTIFY_KEY`], the
/// formula every public integration uses. The sandbox computes both itself
/// (not through the SDK), so the SDK's verifier is tested against them.
#[derive(Debug, Clone)]
pub enum Signing {
    /// `SHA1(unique_key + octo_payment_UUID + status)`, the parts joined
    /// with nothing between them, 40 uppercase hex digits, with a key OCTO
    /// issues on request.
    UniqueKey(NotificationKey),
    /// OCTO's older formula, `sha1(sha1(secret, hash_key), uuid, status)`,
    /// as the sandbox reads it:
    /// `SHA1(lowerhex(SHA1(octo_secret + hash_key)) + octo_payment_UUID + status)`,
    /// 40 uppercase hex digits, with the shop's secret.
    SecretAndHashKey,
}

impl Default for Signing {
    fn default() -> Self {
        Self::UniqueKey(NotificationKey::new(DEFAULT_NOTIFY_KEY))
    }
}

/// How a payment notification carries `hash_key` under
/// [`Signing::UniqueKey`], whose formula does not use it. OCTO's pages
/// print `hash_key` in every example; the other two forms let a test show
/// that a shop does not lose a notification that comes without one. Under
/// [`Signing::SecretAndHashKey`] `hash_key` is always sent: the signature
/// is computed over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NotificationHashKey {
    /// A fresh random `hash_key` in every notification (the default).
    #[default]
    Sent,
    /// No `hash_key` member at all.
    LeftOut,
    /// `"hash_key": null`.
    Null,
}

/// A registered fiscal object: a basket line carrying these fields is
/// accepted; other fiscal lines get error 403.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FiscalObject {
    /// The product's SPIC (IKPU) code.
    pub spic: String,
    /// The package code.
    pub package_code: String,
    /// The VAT marker.
    pub nds: u32,
    /// The seller's tax id (legal entities).
    pub inn: Option<String>,
    /// The seller's personal id (individual entrepreneurs).
    pub pinfl: Option<String>,
}

impl FiscalObject {
    /// A legal entity's object: the product's `spic`, its `package_code`,
    /// the VAT marker `nds` and the seller's tax id `inn`.
    pub fn of_legal_entity(
        spic: impl Into<String>,
        package_code: impl Into<String>,
        nds: u32,
        inn: impl Into<String>,
    ) -> Self {
        Self {
            spic: spic.into(),
            package_code: package_code.into(),
            nds,
            inn: Some(inn.into()),
            pinfl: None,
        }
    }

    /// An individual entrepreneur's object: as
    /// [`of_legal_entity`](Self::of_legal_entity), with the seller's
    /// personal id `pinfl` in place of a tax id.
    pub fn of_entrepreneur(
        spic: impl Into<String>,
        package_code: impl Into<String>,
        nds: u32,
        pinfl: impl Into<String>,
    ) -> Self {
        Self {
            inn: None,
            pinfl: Some(pinfl.into()),
            ..Self::of_legal_entity(spic, package_code, nds, "")
        }
    }

    /// The object `octo sandbox` registers, for demos and tests: a legal
    /// entity's, SPIC `10399002001000000`, package `1501474`, VAT marker
    /// 12, INN `309876543`.
    pub fn example() -> Self {
        Self::of_legal_entity("10399002001000000", "1501474", 12, "309876543")
    }

    /// A basket line of `count` times this object at `price` each, carrying
    /// its fiscal fields, so the sandbox accepts it once the object is
    /// registered.
    pub fn basket_item(&self, name: impl Into<String>, count: u32, price: Decimal) -> BasketItem {
        let mut item = BasketItem::new(name, count, price);
        item.spic = Some(self.spic.clone());
        item.package_code = Some(self.package_code.clone());
        item.nds = Some(self.nds);
        item.inn.clone_from(&self.inn);
        item.pinfl.clone_from(&self.pinfl);
        item
    }
}

/// Delays between delivery attempts of one callback. The first attempt is
/// immediate; `delays.len() + 1` attempts in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    /// The pause before each retry.
    pub delays: Vec<StdDuration>,
}

impl RetrySchedule {
    /// A schedule of `attempts` tries, `delay` apart.
    pub fn fixed(attempts: u32, delay: StdDuration) -> Self {
        Self {
            delays: vec![delay; attempts.saturating_sub(1) as usize],
        }
    }

    /// How many attempts in all.
    pub fn attempts(&self) -> usize {
        self.delays.len().saturating_add(1)
    }
}

/// The smallest and largest refund in one currency. OCTO's rule is "at
/// least 1 USD equivalent, at most 10,000,000 UZS"; the sandbox writes it
/// out per currency at its own fixed rates (see `docs/sandbox-rules.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundLimit {
    /// The currency these limits are in.
    pub currency: Currency,
    /// The smallest refund accepted.
    pub min: Decimal,
    /// The largest refund accepted.
    pub max: Decimal,
}

impl RefundLimit {
    /// Limits of `min` to `max` in `currency`.
    pub fn new(currency: Currency, min: Decimal, max: Decimal) -> Self {
        Self { currency, min, max }
    }
}

/// When a refund's money is back: at once, or after a while, the refund
/// answering `new` when made and `pending` until then; or never, the
/// refund ending `canceled` after a while (OCTO lists `canceled` and
/// `error` among refund statuses, and its pages do not promise that a
/// `pending` refund succeeds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RefundSettlement {
    /// `succeeded` in the answer to `refund`.
    #[default]
    Immediate,
    /// `new` in the answer to `refund`, then `pending` for this many status
    /// checks of the payment (`prepare_payment` with its id, or the same
    /// `refund` sent again), `succeeded` at the next one.
    AfterChecks(u32),
    /// `new` in the answer, `pending` until this long after the refund
    /// (by the sandbox's clock), `succeeded` at the first check after that.
    After(Duration),
    /// `new` in the answer to `refund`, then `pending` for this many status
    /// checks (as [`AfterChecks`](Self::AfterChecks)), `canceled` at the
    /// next one: no money goes back, the payment's `refunded_sum` never
    /// counts it, and its amount is free to refund again (under another
    /// `shop_refund_id`) once it is canceled.
    FailsAfterChecks(u32),
}

/// What a payment charged through `pay/{uuid}` shows while the customer
/// still has its SMS code or 3-D Secure page to pass: in the answer to the
/// charge, and in status checks until the customer acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenChargeStatus {
    /// `created`, as the pay-with-token page's example answer shows beside
    /// its SMS page: a status check cannot tell a charge awaiting its code
    /// from a payment never charged.
    #[default]
    Created,
    /// `wait_user_action`, the status a payment paid on OCTO's own page
    /// moves to; the pages do not show it for a token charge.
    WaitUserAction,
}

/// What the sandbox answers a `refund` whose `shop_refund_id` (with the
/// same payment and amount) it has already made. OCTO's refund page says
/// only that the id is there to filter duplicate calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DuplicateRefund {
    /// The refund already made, with its current status: asking again is
    /// a status check of it.
    #[default]
    Answered,
    /// OCTO's error 1, and nothing done: the duplicate is filtered out.
    Refused,
}

/// Everything the sandbox enforces or schedules. Build it through
/// [`SandboxBuilder`](crate::SandboxBuilder).
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The shops that may call.
    pub shops: Vec<Shop>,
    /// Currencies `prepare_payment` accepts (error 6 for others).
    pub currencies: Vec<Currency>,
    /// The refund limits, per currency. A currency without an entry has
    /// no limit but the payment's remainder.
    pub refund_limits: Vec<RefundLimit>,
    /// When refunds succeed.
    pub refund_settlement: RefundSettlement,
    /// What a refund under a `shop_refund_id` already made gets back.
    pub duplicate_refund: DuplicateRefund,
    /// What a token charge awaiting the customer shows.
    pub token_charge_status: TokenChargeStatus,
    /// OCTO's fee in percent; `transfer_sum = total_sum - fee`.
    pub fee_percent: Decimal,
    /// A payment's lifetime when `ttl` is not sent.
    pub default_ttl: Duration,
    /// How long a two-stage payment stays held before OCTO cancels it.
    pub hold_duration: Duration,
    /// The SMS code every sandbox card accepts.
    pub otp_code: String,
    /// How long an SMS code lives (`secondsLeft` starts here).
    pub otp_lifetime: Duration,
    /// Wrong codes that cancel the payment.
    pub otp_max_wrong: u8,
    /// Resends (`check_pan`) allowed before error 17.
    pub otp_max_resends: u8,
    /// How notifications are signed.
    pub signing: Signing,
    /// Whether notifications signed with [`Signing::UniqueKey`] carry
    /// `hash_key` (default: they do).
    pub notification_hash_key: NotificationHashKey,
    /// Retries of payment notifications.
    pub notify_retry: RetrySchedule,
    /// Retries of tokenization callbacks (OCTO: three tries in all, then
    /// the token is cancelled).
    pub bind_notify_retry: RetrySchedule,
    /// How long one callback attempt may take.
    pub callback_timeout: StdDuration,
    /// What the test binding charges (and returns at once).
    pub binding_amount: Decimal,
    /// Registered fiscal objects.
    pub fiscal_registry: Vec<FiscalObject>,
    /// The base URL put into `octo_pay_url`; `None` uses the bound address.
    pub public_base_url: Option<String>,
    /// How often expired payments are swept (real time).
    pub sweep_interval: StdDuration,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// The zone of the wall-clock times on the wire: `init_time` is read
    /// in it, and `payed_time`, `refund_time` and the receipt's `dateTime`
    /// are written in it. OCTO's pages give no zone; the default is
    /// Tashkent's, UTC+05:00 ([`DEFAULT_ZONE`]).
    pub zone: UtcOffset,
    /// Under [`strict`](Self::strict), how far `init_time` may be from the
    /// sandbox's clock.
    pub init_time_tolerance: Duration,
    /// Also enforce the rules OCTO's pages do not state (an empty required
    /// field, a ttl out of range, ...). Off by default: the sandbox then
    /// accepts what the pages accept. `docs/sandbox-rules.md` lists both.
    pub strict: bool,
    /// How long a request head may take to arrive; a slower client is
    /// disconnected.
    pub header_read_timeout: StdDuration,
    /// How long a request body may take to arrive once its head is in; a
    /// slower client is answered 408 and disconnected.
    pub body_read_timeout: StdDuration,
    /// Connections served at once (at least 1); further clients wait in
    /// the listen queue until one ends.
    pub max_connections: usize,
}

/// The shop a default sandbox knows.
pub const DEFAULT_SHOP_ID: u64 = 10_000;
/// That shop's secret.
pub const DEFAULT_SHOP_SECRET: &str = "sandbox-secret-2d45df74";
/// The `unique_key` a default sandbox signs notifications with.
pub const DEFAULT_NOTIFY_KEY: &str = "sandbox-notify-key-7f3a";
/// Tashkent's offset, UTC+05:00 (Uzbekistan keeps no daylight saving
/// time): the zone a default sandbox reads and writes wall-clock times in.
pub const DEFAULT_ZONE: UtcOffset = match UtcOffset::from_hms(5, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};
/// The SMS code a default sandbox accepts.
pub const DEFAULT_OTP_CODE: &str = "123456";

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            shops: vec![Shop {
                id: ShopId(DEFAULT_SHOP_ID),
                secret: OctoSecret::new(DEFAULT_SHOP_SECRET),
                real_payments: true,
            }],
            // The current page names USD, UZS and RUB; the older one USD
            // and UZS.
            currencies: vec![Currency::Uzs, Currency::Usd, Currency::Rub],
            // At the sandbox's fixed rates 1 USD = 12,600 UZS = 95 RUB:
            // 1 USD equivalent up to 10,000,000 UZS equivalent, the largest
            // rounded down to the cent.
            refund_limits: vec![
                RefundLimit::new(
                    Currency::Uzs,
                    Decimal::new(12_600, 0),
                    Decimal::new(10_000_000, 0),
                ),
                RefundLimit::new(Currency::Usd, Decimal::ONE, Decimal::new(79_365, 2)),
                RefundLimit::new(
                    Currency::Rub,
                    Decimal::new(95, 0),
                    Decimal::new(7_539_682, 2),
                ),
            ],
            refund_settlement: RefundSettlement::Immediate,
            duplicate_refund: DuplicateRefund::Answered,
            token_charge_status: TokenChargeStatus::Created,
            fee_percent: Decimal::new(2, 0),
            default_ttl: Duration::minutes(15),
            hold_duration: Duration::minutes(30),
            otp_code: DEFAULT_OTP_CODE.to_owned(),
            otp_lifetime: Duration::seconds(300),
            otp_max_wrong: 3,
            otp_max_resends: 3,
            signing: Signing::default(),
            notification_hash_key: NotificationHashKey::default(),
            notify_retry: RetrySchedule {
                delays: [1, 5, 30, 120, 600]
                    .into_iter()
                    .map(StdDuration::from_secs)
                    .collect(),
            },
            bind_notify_retry: RetrySchedule::fixed(3, StdDuration::from_secs(5)),
            callback_timeout: StdDuration::from_secs(10),
            binding_amount: Decimal::new(1000, 0),
            fiscal_registry: Vec::new(),
            public_base_url: None,
            sweep_interval: StdDuration::from_millis(500),
            max_body_bytes: 64 * 1024,
            zone: DEFAULT_ZONE,
            init_time_tolerance: Duration::minutes(15),
            strict: false,
            header_read_timeout: StdDuration::from_secs(30),
            body_read_timeout: StdDuration::from_secs(30),
            max_connections: 1024,
        }
    }
}

impl SandboxConfig {
    /// The refund limits in `currency`, if it has any.
    pub fn refund_limit(&self, currency: &Currency) -> Option<&RefundLimit> {
        self.refund_limits.iter().find(|l| &l.currency == currency)
    }

    /// The shop with `id`.
    pub fn shop(&self, id: ShopId) -> Option<&Shop> {
        self.shops.iter().find(|s| s.id == id)
    }

    /// `at` as a wall-clock time in the sandbox's [`zone`](Self::zone), for the wire.
    pub(crate) fn local(&self, at: time::OffsetDateTime) -> time::PrimitiveDateTime {
        let local = at.checked_to_offset(self.zone).unwrap_or(at);
        time::PrimitiveDateTime::new(local.date(), local.time())
    }
}
