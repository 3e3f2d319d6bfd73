//! What the sandbox remembers: payments (and bindings, which OCTO models as
//! payments), refunds and card tokens.
//!
//! The [`Store`] in memory is the truth while the sandbox runs. A
//! [`DataFile`] keeps a copy of every record it writes, so a sandbox started
//! on the same data file continues where the last one stopped.
//!
//! Durability: every change is committed to the data file (redb, which syncs
//! the file before a commit returns) before the request that made it is
//! answered. A change whose write fails stays [`Unsaved`] in the store
//! and the request fails; every later commit carries everything still
//! unsaved with its own records, and no answer goes out until a commit
//! holding them succeeds. So an answer the sandbox gave is on disk, and a
//! sandbox killed at any moment restarts with at least what it answered.
//!
//! Card numbers: see [`fingerprint`](mod@fingerprint).

mod file;
mod fingerprint;
mod memory;
#[cfg(test)]
mod tests;

pub(crate) use file::RedbFile;
pub(crate) use fingerprint::fingerprint;
pub(crate) use memory::Store;

use std::collections::BTreeSet;

use octo_proto::{Currency, Language, PaymentStatus, TokenStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::cards::{CardBehaviour, CardBrand};

/// A payment or a card binding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PaymentRecord {
    pub uuid: String,
    /// OCTO's integer number for the payment (`id` in the `pay/{uuid}`
    /// answer, `paymentId` in `check_pan`); 0 in data files written before
    /// it existed.
    #[serde(default)]
    pub payment_id: u64,
    pub shop_id: u64,
    pub shop_transaction_id: String,
    pub status: PaymentStatus,
    pub auto_capture: bool,
    pub test: bool,
    pub initial_sum: Decimal,
    pub total_sum: Decimal,
    pub refunded_sum: Decimal,
    pub currency: Currency,
    pub description: String,
    pub return_url: String,
    pub notify_url: Option<String>,
    pub language: Language,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub payed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub hold_expires_at: Option<OffsetDateTime>,
    // The parts most payments never have are boxed: a payment is stored a
    // million times over in a long run, and an empty `Option<Box<_>>` costs
    // 8 bytes where the unboxed record would cost its full size (the data
    // file's JSON is the same either way).
    pub user: Option<Box<UserRecord>>,
    pub basket: Vec<BasketLine>,
    pub card: Option<Box<CardRecord>>,
    pub challenge: Option<Box<Challenge>>,
    pub binding: Option<Box<BindingRecord>>,
    /// The token this payment was paid with.
    pub paid_with_token: bool,
    pub receipt_id: Option<u64>,
}

impl PaymentRecord {
    /// Whether the customer may still pay.
    pub fn is_payable(&self) -> bool {
        matches!(
            self.status,
            PaymentStatus::Created | PaymentStatus::WaitUserAction
        )
    }

    /// What the shop receives after OCTO's fee, once paid; `None` before,
    /// and when the fee does not fit in a `Decimal` (a record from before
    /// amounts were bounded, or an extreme `fee_percent`): the answer then
    /// leaves the field out rather than failing.
    pub fn transfer_sum(&self, fee_percent: Decimal) -> Option<Decimal> {
        if !self.status.is_paid() {
            return None;
        }
        let fee = self
            .total_sum
            .checked_mul(fee_percent)?
            .checked_div(Decimal::ONE_HUNDRED)?
            .round_dp(2);
        self.total_sum.checked_sub(fee)
    }

    /// Whether any basket line carries fiscal fields.
    pub fn is_fiscal(&self) -> bool {
        self.basket.iter().any(|l| l.spic.is_some())
    }
}

/// The customer, as the shop sent it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub user_id: String,
    pub phone: String,
    pub email: String,
}

/// One basket line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BasketLine {
    pub position_desc: String,
    pub count: u32,
    pub price: Decimal,
    pub spic: Option<String>,
    pub package_code: Option<String>,
    pub nds: Option<u32>,
    pub inn: Option<String>,
    pub pinfl: Option<String>,
}

/// The card a payment was made with: never more than first6/last4.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CardRecord {
    pub first6: String,
    pub last4: String,
    pub brand: CardBrand,
    pub behaviour: CardBehaviour,
    pub exp: String,
    /// A [`fingerprint`](fn@fingerprint) of the number, keyed with a key that lives only in
    /// this process, to recognise the same card again (OTP resends,
    /// duplicate bindings) without keeping it. Never written to the data
    /// file: records read back have none (empty), and any digest a data
    /// file from an older sandbox holds is ignored and scrubbed on open.
    #[serde(skip)]
    pub digest: String,
    pub holder: Option<String>,
}

impl CardRecord {
    /// OCTO's `maskedPan` form.
    pub fn masked(&self) -> String {
        format!("{}** **** {}", self.first6, self.last4)
    }

    /// Whether this is the card with `fingerprint`, for a check that may
    /// not refuse what it cannot tell (an OTP resend): a record read back
    /// after a restart has no fingerprint, and then the visible digits
    /// decide.
    pub fn may_be(&self, fingerprint: &str, first6: &str, last4: &str) -> bool {
        if self.digest.is_empty() {
            self.first6 == first6 && self.last4 == last4
        } else {
            self.digest == fingerprint
        }
    }
}

/// What the customer still has to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Challenge {
    pub kind: ChallengeKind,
    pub verify_id: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub wrong_codes: u8,
    pub resends: u8,
    pub phone: String,
}

/// An SMS code or a 3-D Secure confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ChallengeKind {
    Sms,
    ThreeDSecure,
}

/// What makes a payment a card binding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BindingRecord {
    pub token: String,
    pub bind_notify_url: Option<String>,
    pub phone: String,
    pub holder: String,
}

/// A refund.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RefundRecord {
    pub shop_id: u64,
    pub shop_refund_id: String,
    pub refund_id: u64,
    pub payment_uuid: String,
    pub amount: Decimal,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Where the refund stands (records written before refunds could wait
    /// read as succeeded).
    #[serde(default)]
    pub state: RefundState,
    /// Status checks left before it succeeds ([`RefundSettlement::AfterChecks`](crate::RefundSettlement::AfterChecks)).
    #[serde(default)]
    pub checks_left: u32,
    /// When it succeeds ([`RefundSettlement::After`](crate::RefundSettlement::After)).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub settles_at: Option<OffsetDateTime>,
    /// Whether it ends `canceled` instead of `succeeded`
    /// ([`RefundSettlement::FailsAfterChecks`](crate::RefundSettlement::FailsAfterChecks)).
    #[serde(default)]
    pub fails: bool,
}

impl RefundRecord {
    /// Whether it has not ended yet (`new` or `pending`): its amount is
    /// reserved.
    pub fn is_open(&self) -> bool {
        matches!(self.state, RefundState::New | RefundState::Pending)
    }
}

/// A refund's status, as the sandbox moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RefundState {
    /// Just made, no check yet.
    New,
    /// Checked, still waiting.
    Pending,
    /// The money is back.
    #[default]
    Succeeded,
    /// Ended without refunding anything.
    Canceled,
}

impl RefundState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Canceled => "canceled",
        }
    }
}

/// A card token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub token: String,
    pub shop_id: u64,
    pub status: TokenStatus,
    pub card: CardRecord,
    pub binding_uuid: String,
}

/// One record written through to a [`DataFile`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Change<'a> {
    Payment(&'a PaymentRecord),
    Refund(&'a RefundRecord),
    Token(&'a TokenRecord),
    Counter(u64),
}

/// A callback to send once the change that calls for it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Announcement {
    /// The payment's status changed: notify `notify_url`.
    Status(String),
    /// A binding ended: call `bind_notify_url`.
    Tokenization(String),
}

/// What changed in the store and is not in the data file yet, with the
/// callbacks waiting for it. Grows while writes fail; emptied by the first
/// commit that holds it all.
#[derive(Debug, Default)]
pub(crate) struct Unsaved {
    pub payments: BTreeSet<String>,
    pub refunds: BTreeSet<(u64, String)>,
    pub tokens: BTreeSet<String>,
    pub counter: bool,
    pub announcements: Vec<Announcement>,
}

impl Unsaved {
    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.payments.is_empty()
            && self.refunds.is_empty()
            && self.tokens.is_empty()
            && !self.counter
            && self.announcements.is_empty()
    }

    /// The records to write, as the store holds them now, with the id
    /// counter at `counter` when it moved.
    pub fn changes<'a>(&self, store: &'a Store, counter: u64) -> Vec<Change<'a>> {
        let mut changes = Vec::new();
        changes.extend(
            self.payments
                .iter()
                .filter_map(|uuid| store.payment(uuid))
                .map(Change::Payment),
        );
        changes.extend(
            self.refunds
                .iter()
                .filter_map(|(shop, id)| store.refund(*shop, id))
                .map(Change::Refund),
        );
        changes.extend(
            self.tokens
                .iter()
                .filter_map(|t| store.token(t))
                .map(Change::Token),
        );
        if self.counter {
            changes.push(Change::Counter(counter));
        }
        changes
    }
}

/// Everything a [`DataFile`] holds, read back at start.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub payments: Vec<PaymentRecord>,
    pub refunds: Vec<RefundRecord>,
    pub tokens: Vec<TokenRecord>,
    pub counter: u64,
}

/// Why the data file could not be read or written.
#[derive(Debug)]
pub struct DataFileError(pub(crate) String);

impl std::fmt::Display for DataFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sandbox data file: {}", self.0)
    }
}

impl std::error::Error for DataFileError {}

/// Durable storage behind the store.
pub(crate) trait DataFile: Send + Sync {
    /// Everything stored.
    fn load(&self) -> Result<Snapshot, DataFileError>;
    /// Writes the records, all or none, and returns once they are durable.
    fn write(&self, changes: &[Change<'_>]) -> Result<(), DataFileError>;
    /// Makes the next `n` writes fail, for tests of what a failed write
    /// leaves behind.
    #[cfg(test)]
    fn fail_next_writes(&self, n: u32);
}
