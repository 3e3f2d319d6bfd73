//! A local, stateful OCTO: the same endpoints, envelopes, error codes,
//! payment pages and signed callbacks, on your machine.
//!
//! Start one, point any OCTO client at [`SandboxHandle::base_url`] (or take
//! [`SandboxHandle::client_config`]), pay with a [test card](cards), and
//! receive notifications on your `notify_url`:
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use octo_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let config = sandbox.client_config(); // octo_proto::Config for this sandbox
//! assert!(config.base_url().starts_with("http://127.0.0.1:"));
//! sandbox.shutdown().await;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! What it enforces: the shop's id and secret (error 2), the basket total
//! (3), the currency (6), real payments for shops not allowed them (5),
//! registered fiscal objects (403), token states (5, 6, 20), refund rules
//! (only paid payments, never more than the total, 1 USD to 10,000,000
//! UZS), idempotency by `shop_transaction_id` and `shop_refund_id`, ttl and
//! hold expiry, and the OTP rules (three wrong codes cancel, a resend
//! limit, `secondsLeft` counting down). Time comes from a [`Clock`]; a
//! [`ManualClock`] makes expiry testable without sleeping.
//!
//! By default it accepts what OCTO's pages accept; the rules the pages do
//! not state are enforced only by a [strict](SandboxBuilder::strict)
//! sandbox. `docs/sandbox-rules.md` lists every rule with its source.
//! Notifications are signed by the sandbox's own code, with the
//! `unique_key` formula and [`DEFAULT_NOTIFY_KEY`] unless told otherwise
//! ([`Signing`]). Wall-clock times are in [`DEFAULT_ZONE`] (Tashkent).
//!
//! Where OCTO's behaviour is undocumented the sandbox picks one and says so:
//! unknown payments and wrong states answer error 1 with a message; a
//! refunded payment keeps the status `succeeded` and reports
//! `refunded_sum`; a declined card cancels the payment; a tokenization
//! callback not acknowledged within its tries turns the token `failed`.
//! Card tokens and first6/last4 are kept in the data file; full card
//! numbers live only in memory, until the binding ends (see
//! `docs/reliability.md`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// No arithmetic that can overflow and panic: a request must never bring
// the sandbox down, and amounts come from requests.
#![deny(clippy::arithmetic_side_effects)]

mod callbacks;
pub mod cards;
mod clock;
mod codes;
mod config;
mod customer;
mod engine;
// Owned by the fault-injection work; its arithmetic is on the sandbox's
// own counters, not on request data.
#[allow(clippy::arithmetic_side_effects)]
mod faults;
mod ids;
mod in_process;
mod lifecycle;
mod pages;
mod routes;
mod rules;
mod server;
// The data file's records; `PaymentRecord::transfer_sum` is checked by hand.
#[allow(clippy::arithmetic_side_effects)]
mod state;
mod wire;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::NotificationHashKey;
pub use config::{
    DEFAULT_NOTIFY_KEY, DEFAULT_OTP_CODE, DEFAULT_SHOP_ID, DEFAULT_SHOP_SECRET, DEFAULT_ZONE,
    DuplicateRefund, FiscalObject, RefundLimit, RefundSettlement, RetrySchedule, SandboxConfig,
    Shop, Signing, TokenChargeStatus,
};
pub use customer::{CustomerError, Step, page_uuid};
pub use faults::{
    CallbackFaults, FaultAction, FaultCounts, FaultKind, FaultMix, FaultRule, Faults,
};
#[doc(hidden)]
pub use in_process::InProcess;
pub use state::DataFileError;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use octo_proto::{CardToken, OctoSecret, PaymentStatus, ShopId, TokenStatus};
use rust_decimal::Decimal;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::engine::Engine;
use crate::state::{DataFile, RedbFile, Store};

/// The entry point: [`Sandbox::builder`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A sandbox with one shop ([`DEFAULT_SHOP_ID`], [`DEFAULT_SHOP_SECRET`]),
    /// notifications signed with the `unique_key` formula and
    /// [`DEFAULT_NOTIFY_KEY`], OCTO's pages' rules only (see
    /// [`strict`](SandboxBuilder::strict)), state in memory, the system
    /// clock, on `127.0.0.1` and a free port.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            config: SandboxConfig::default(),
            clock: Arc::new(SystemClock),
            data_file: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            faults: Faults::default(),
        }
    }
}

/// Why a sandbox did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    Bind(std::io::Error),
    /// The data file could not be opened or read.
    DataFile(DataFileError),
    /// Not called inside a tokio runtime.
    NoRuntime,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bind(e) => write!(f, "could not bind the sandbox's address: {e}"),
            Self::DataFile(e) => e.fmt(f),
            Self::NoRuntime => f.write_str("the sandbox must start inside a tokio runtime"),
        }
    }
}

impl std::error::Error for StartError {}

/// Configures a sandbox before it starts.
pub struct SandboxBuilder {
    config: SandboxConfig,
    clock: Arc<dyn Clock>,
    data_file: Option<PathBuf>,
    addr: SocketAddr,
    faults: Faults,
}

impl std::fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("config", &self.config)
            .field("data_file", &self.data_file)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SandboxBuilder {
    /// Replaces the shops with one: `id` and `secret`.
    pub fn shop(mut self, id: u64, secret: impl Into<OctoSecret>) -> Self {
        self.config.shops = vec![Shop {
            id: ShopId(id),
            secret: secret.into(),
            real_payments: true,
        }];
        self
    }

    /// Adds a shop.
    pub fn add_shop(mut self, shop: Shop) -> Self {
        self.config.shops.push(shop);
        self
    }

    /// Registers a fiscal object (basket lines naming others get 403).
    pub fn fiscal_object(mut self, object: FiscalObject) -> Self {
        self.config.fiscal_registry.push(object);
        self
    }

    /// How notifications are signed.
    pub fn signing(mut self, signing: Signing) -> Self {
        self.config.signing = signing;
        self
    }

    /// Whether notifications signed with [`Signing::UniqueKey`] carry
    /// `hash_key`, are sent without it, or with `"hash_key": null`
    /// (default: carried; under [`Signing::SecretAndHashKey`] it always
    /// is).
    pub fn notification_hash_key(mut self, hash_key: NotificationHashKey) -> Self {
        self.config.notification_hash_key = hash_key;
        self
    }

    /// Also enforces the rules OCTO's pages do not state (off by default;
    /// see `docs/sandbox-rules.md`).
    pub fn strict(mut self, strict: bool) -> Self {
        self.config.strict = strict;
        self
    }

    /// What a token charge awaiting the customer's code shows (default
    /// `created`, as OCTO's pay-with-token page prints it).
    pub fn token_charge_status(mut self, status: TokenChargeStatus) -> Self {
        self.config.token_charge_status = status;
        self
    }

    /// What a refund under a `shop_refund_id` already made gets back
    /// (default: that refund, with its current status).
    pub fn duplicate_refund(mut self, answer: DuplicateRefund) -> Self {
        self.config.duplicate_refund = answer;
        self
    }

    /// When refunds succeed (default: at once).
    pub fn refund_settlement(mut self, settlement: RefundSettlement) -> Self {
        self.config.refund_settlement = settlement;
        self
    }

    /// The zone `init_time` is read in and `payed_time`, `refund_time` are
    /// written in (default [`DEFAULT_ZONE`], Tashkent, UTC+05:00).
    pub fn zone(mut self, zone: time::UtcOffset) -> Self {
        self.config.zone = zone;
        self
    }

    /// Where the time comes from (a [`ManualClock`] in tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Keeps state in this redb file, across restarts.
    pub fn data_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.data_file = Some(path.into());
        self
    }

    /// Listens on `addr` (default `127.0.0.1:0`, a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Adds a server fault.
    pub fn fault(self, rule: FaultRule) -> Self {
        self.faults.add(rule);
        self
    }

    /// Sets the callback faults.
    pub fn callback_faults(self, faults: CallbackFaults) -> Self {
        self.faults.set_callback_faults(faults);
        self
    }

    /// Retries of both kinds of callbacks on a short schedule, for tests:
    /// notifications `attempts` times, tokenization callbacks three times,
    /// `delay` apart, each attempt given `delay * 10` at most.
    pub fn fast_callbacks(mut self, attempts: u32, delay: Duration) -> Self {
        self.config.notify_retry = RetrySchedule::fixed(attempts, delay);
        self.config.bind_notify_retry = RetrySchedule::fixed(3, delay);
        self.config.callback_timeout = delay.saturating_mul(10).max(Duration::from_millis(500));
        self
    }

    /// Changes anything else in the configuration.
    pub fn configure(mut self, change: impl FnOnce(&mut SandboxConfig)) -> Self {
        change(&mut self.config);
        self
    }

    /// Binds, opens the data file if any, and starts serving.
    pub async fn start(self) -> Result<SandboxHandle, StartError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| StartError::NoRuntime)?;
        let listener = server::bind(self.addr).await.map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let base_url = self
            .config
            .public_base_url
            .clone()
            .map(|u| u.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{addr}"));
        let (data_file, store, counter): (Option<Box<dyn DataFile>>, Store, u64) =
            match &self.data_file {
                None => (None, Store::default(), 0),
                Some(path) => {
                    let file = RedbFile::open(path).map_err(StartError::DataFile)?;
                    let snapshot = file.load().map_err(StartError::DataFile)?;
                    let counter = snapshot.counter;
                    (
                        Some(Box::new(file)),
                        Store::from_snapshot(snapshot),
                        counter,
                    )
                }
            };
        let sweep = self.config.sweep_interval;
        let engine = Engine::new(
            self.config,
            self.clock,
            self.faults,
            base_url,
            (store, counter, data_file),
            Some(runtime.clone()),
        );
        let (stop, stopped) = watch::channel(false);
        let server = runtime.spawn(server::accept_loop(
            listener,
            Arc::clone(&engine),
            stopped.clone(),
        ));
        let sweeper = runtime.spawn(server::sweeper(Arc::clone(&engine), sweep, stopped));
        Ok(SandboxHandle {
            engine,
            addr,
            stop,
            tasks: Some((server, sweeper)),
        })
    }
}

/// A payment as the sandbox holds it, for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentSummary {
    /// OCTO's id.
    pub uuid: String,
    /// The shop's id.
    pub shop_transaction_id: String,
    /// The status.
    pub status: PaymentStatus,
    /// The amount (after a partial capture, the captured amount).
    pub total_sum: Decimal,
    /// How much was refunded.
    pub refunded_sum: Decimal,
    /// Whether this is a card binding rather than a purchase.
    pub is_binding: bool,
}

impl PaymentSummary {
    fn of(p: &state::PaymentRecord) -> Self {
        Self {
            uuid: p.uuid.clone(),
            shop_transaction_id: p.shop_transaction_id.clone(),
            status: p.status.clone(),
            total_sum: p.total_sum,
            refunded_sum: p.refunded_sum,
            is_binding: p.binding.is_some(),
        }
    }
}

/// A refund as the sandbox holds it, for tests: its ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundSummary {
    /// The shop's id of the refund (`shop_refund_id`).
    pub shop_refund_id: String,
    /// OCTO's id of the payment refunded.
    pub payment_uuid: String,
    /// The amount.
    pub amount: Decimal,
    /// Whether the money is back (the refund succeeded).
    pub settled: bool,
    /// Whether the refund ended `canceled`, refunding nothing
    /// ([`RefundSettlement::FailsAfterChecks`]).
    pub canceled: bool,
}

/// A running sandbox. Dropping it stops the server; [`shutdown`](Self::shutdown)
/// also waits for open connections to finish.
pub struct SandboxHandle {
    engine: Arc<Engine>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Option<(JoinHandle<()>, JoinHandle<()>)>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("addr", &self.addr)
            .field("base_url", &self.engine.base_url)
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL for OCTO clients (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> &str {
        &self.engine.base_url
    }

    /// The first shop's id.
    pub fn shop_id(&self) -> ShopId {
        self.engine.config.shops.first().map_or(ShopId(0), |s| s.id)
    }

    /// The first shop's secret.
    pub fn shop_secret(&self) -> OctoSecret {
        self.engine
            .config
            .shops
            .first()
            .map_or_else(|| OctoSecret::new(""), |s| s.secret.clone())
    }

    /// An [`octo_proto::Config`] for the first shop against this sandbox,
    /// in test mode.
    pub fn client_config(&self) -> octo_proto::Config {
        let config = octo_proto::Config::new(self.shop_id(), self.shop_secret()).with_test(true);
        // The sandbox is a test server by definition: its address may be
        // plain http on another host (a public_base_url, 0.0.0.0).
        config
            .clone()
            .with_insecure_base_url(self.base_url())
            .unwrap_or(config)
    }

    /// The SMS code the sandbox accepts.
    pub fn otp_code(&self) -> &str {
        &self.engine.config.otp_code
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.engine.config
    }

    /// The faults in force; change them at any time.
    pub fn faults(&self) -> &Faults {
        &self.engine.faults
    }

    /// Acts as the customer on the payment pages, without a browser.
    pub fn customer(&self) -> Customer<'_> {
        Customer {
            engine: &self.engine,
        }
    }

    /// Expires every payment whose ttl or hold has passed by the clock,
    /// now (rather than at the next periodic sweep). Returns how many.
    pub fn expire_due(&self) -> usize {
        self.engine.sweep().unwrap_or(0)
    }

    /// The payment with OCTO id `uuid`.
    pub fn payment(&self, uuid: &str) -> Option<PaymentSummary> {
        self.engine
            .read(|store| store.payment(uuid).map(PaymentSummary::of))
    }

    /// Every payment (and binding) it holds, in the order they were made.
    pub fn payments(&self) -> Vec<PaymentSummary> {
        self.engine
            .read(|store| store.all_payments().map(PaymentSummary::of).collect())
    }

    /// Every refund it holds, of every shop, sorted by payment and then
    /// `shop_refund_id`: the sandbox's own ledger, to judge a client by.
    pub fn refunds(&self) -> Vec<RefundSummary> {
        let mut all: Vec<RefundSummary> = self.engine.read(|store| {
            store
                .all_refunds()
                .map(|r| RefundSummary {
                    shop_refund_id: r.shop_refund_id.clone(),
                    payment_uuid: r.payment_uuid.clone(),
                    amount: r.amount,
                    settled: r.state == state::RefundState::Succeeded,
                    canceled: r.state == state::RefundState::Canceled,
                })
                .collect()
        });
        all.sort_by(|a, b| {
            (a.payment_uuid.as_str(), a.shop_refund_id.as_str())
                .cmp(&(b.payment_uuid.as_str(), b.shop_refund_id.as_str()))
        });
        all
    }

    /// How many payments (and bindings) it holds.
    pub fn payment_count(&self) -> usize {
        self.engine.read(Store::payment_count)
    }

    /// The token of the binding `uuid`, and its status.
    pub fn binding_token(&self, uuid: &str) -> Option<(CardToken, TokenStatus)> {
        self.engine.read(|store| {
            let token = &store.payment(uuid)?.binding.as_ref()?.token;
            let t = store.token(token)?;
            Some((CardToken::new(t.token.clone()), t.status.clone()))
        })
    }

    /// Callback attempts made so far (every try counts).
    pub fn callback_attempts(&self) -> u64 {
        self.engine.notifier.attempts()
    }

    /// Waits until no callback is queued or being delivered, at most
    /// `timeout`. Returns whether it got there.
    pub async fn wait_for_callbacks(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now().checked_add(timeout);
        while self.engine.notifier.in_flight() > 0 {
            if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// What to tell a person who started the sandbox: where it is, the
    /// shop's credentials, the SMS code and the test cards.
    pub fn banner(&self) -> String {
        let signing = match &self.engine.config.signing {
            Signing::UniqueKey(key) => match self.engine.config.notification_hash_key {
                NotificationHashKey::Sent => format!("unique_key, key {}", key.expose_secret()),
                NotificationHashKey::LeftOut => {
                    format!("unique_key, key {}, no hash_key", key.expose_secret())
                }
                NotificationHashKey::Null => {
                    format!("unique_key, key {}, hash_key null", key.expose_secret())
                }
            },
            Signing::SecretAndHashKey => "octo_secret and hash_key (the older formula)".to_owned(),
        };
        let rules = if self.engine.config.strict {
            "strict (also the rules OCTO's pages do not state)"
        } else {
            "as on OCTO's pages"
        };
        format!(
            "OCTO sandbox listening on {}\n\nshop id:     {}\nshop secret: {}\nSMS code:    {}\nsignatures:  {signing}\nrules:       {rules}\n\n{}",
            self.base_url(),
            self.shop_id(),
            self.shop_secret().expose_secret(),
            self.otp_code(),
            cards::test_cards_table(self.otp_code())
        )
    }

    /// Stops accepting, lets open connections finish (a few seconds at
    /// most), and stops the background tasks.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some((server, sweeper)) = self.tasks.take() {
            let _ = server.await;
            let _ = sweeper.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Runs a sandbox in the foreground until Ctrl-C, after writing its
/// [banner](SandboxHandle::banner) to `out`. For the `octo` command.
pub async fn run_until_ctrl_c(
    builder: SandboxBuilder,
    out: &mut (dyn std::io::Write + Send),
) -> Result<(), StartError> {
    let handle = builder.start().await?;
    let _ = writeln!(out, "{}", handle.banner());
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}

/// The customer's side of the payment pages, in-process: the same steps
/// as the HTML forms (which post to `/pay/{uuid}/card`, `/otp`, `/3ds`).
#[derive(Clone, Copy)]
pub struct Customer<'a> {
    engine: &'a Engine,
}

impl std::fmt::Debug for Customer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Customer")
    }
}

impl Customer<'_> {
    /// Where the customer stands on payment `uuid`.
    pub fn step(&self, uuid: &str) -> Result<Step, CustomerError> {
        self.engine.customer_step(uuid)
    }

    /// Enters a card (`exp` as `MM/YY`) on the payment page.
    pub fn enter_card(&self, uuid: &str, pan: &str, exp: &str) -> Result<Step, CustomerError> {
        self.engine.submit_card(uuid, pan, exp, None)
    }

    /// Enters the SMS code.
    pub fn enter_code(&self, uuid: &str, code: &str) -> Result<Step, CustomerError> {
        self.engine.submit_code(uuid, code)
    }

    /// Confirms the 3-D Secure page.
    pub fn confirm_3ds(&self, uuid: &str) -> Result<Step, CustomerError> {
        self.engine.submit_3ds(uuid, true)
    }

    /// Fails the 3-D Secure page.
    pub fn fail_3ds(&self, uuid: &str) -> Result<Step, CustomerError> {
        self.engine.submit_3ds(uuid, false)
    }

    /// Pays with a test card from start to end: the card, then the SMS code
    /// or the 3-D Secure confirmation it asks for.
    pub fn pay(&self, uuid: &str, card: &cards::TestCard) -> Result<Step, CustomerError> {
        let exp = format!(
            "{}/{}",
            card.exp.get(2..4).unwrap_or("12"),
            card.exp.get(..2).unwrap_or("30")
        );
        match self.enter_card(uuid, card.pan, &exp)? {
            Step::CodeRequired { .. } => self.enter_code(uuid, &self.engine.config.otp_code),
            Step::ThreeDSecure => self.confirm_3ds(uuid),
            other => Ok(other),
        }
    }
}
