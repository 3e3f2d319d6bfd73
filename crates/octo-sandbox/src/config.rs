//! What the sandbox is told at start: its shops, OCTO's limits, timings, the
//! notification signature, the fiscal registry.

use std::fmt;
use std::time::Duration as StdDuration;

use octo_proto::{Currency, NotificationKey, OctoSecret, ShopId};
use rust_decimal::Decimal;
use time::Duration;

/// A shop the sandbox knows.
#[derive(Clone)]
pub struct Shop {
    /// `octo_shop_id`.
    pub id: ShopId,
    /// `octo_secret`.
    pub secret: OctoSecret,
    /// Whether `test: false` payments are allowed (OCTO answers error 5
    /// when a shop's status forbids real payments).
    pub real_payments: bool,
}

impl fmt::Debug for Shop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shop")
            .field("id", &self.id)
            .field("secret", &self.secret)
            .field("real_payments", &self.real_payments)
            .finish()
    }
}

/// How notifications to `notify_url` are signed. OCTO's formula is not
/// settled (see the API notes), so the sandbox offers both seen variants.
#[derive(Debug, Clone)]
pub enum Signing {
    /// `SHA1(unique_key + octo_payment_UUID + status)`, uppercase hex, with
    /// a key OCTO issues on request.
    UniqueKey(NotificationKey),
    /// `SHA1(hex(SHA1(octo_secret + hash_key)) + octo_payment_UUID + status)`,
    /// uppercase hex, with the shop's secret.
    SecretAndHashKey,
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
        self.delays.len() + 1
    }
}

/// Everything the sandbox enforces or schedules. Build it through
/// [`SandboxBuilder`](crate::SandboxBuilder).
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The shops that may call.
    pub shops: Vec<Shop>,
    /// Currencies `prepare_payment` accepts (error 6 for others).
    pub currencies: Vec<Currency>,
    /// UZS per USD, for the refund limits.
    pub usd_rate: Decimal,
    /// Largest refund, in UZS.
    pub max_refund_uzs: Decimal,
    /// Smallest refund, in USD (converted for UZS payments).
    pub min_refund_usd: Decimal,
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
            currencies: vec![Currency::Uzs, Currency::Usd],
            usd_rate: Decimal::new(12_600, 0),
            max_refund_uzs: Decimal::new(10_000_000, 0),
            min_refund_usd: Decimal::ONE,
            fee_percent: Decimal::new(2, 0),
            default_ttl: Duration::minutes(15),
            hold_duration: Duration::minutes(30),
            otp_code: DEFAULT_OTP_CODE.to_owned(),
            otp_lifetime: Duration::seconds(300),
            otp_max_wrong: 3,
            otp_max_resends: 3,
            signing: Signing::SecretAndHashKey,
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
            header_read_timeout: StdDuration::from_secs(30),
            body_read_timeout: StdDuration::from_secs(30),
            max_connections: 1024,
        }
    }
}

impl SandboxConfig {
    /// The shop with `id`.
    pub fn shop(&self, id: ShopId) -> Option<&Shop> {
        self.shops.iter().find(|s| s.id == id)
    }
}
