//! The in-memory store: every record, and the indexes OCTO's rules need.

use std::collections::hash_map::{Entry, RandomState};
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use time::OffsetDateTime;

use super::{PaymentRecord, RefundRecord, Snapshot, TokenRecord, Unsaved};

/// All records, indexed.
///
/// Payments are the bulk (a long benchmark stores millions), so they live
/// once, in a `Vec`, and both indexes map a keyed 64-bit hash of the key to
/// the payment's position: 16 bytes a slot, where a `String`-keyed map kept
/// another copy of the uuid or `shop_transaction_id` per entry and a map
/// holding the records themselves left half its (large) slots empty.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// Never shrinks: payments are not deleted, only change status.
    payments: Vec<PaymentRecord>,
    /// uuid → position.
    by_uuid: Index,
    /// `(shop, shop_transaction_id)` → position: the idempotency key.
    by_shop_tx: Index,
    /// OCTO's integer payment number → position (`check_pan`).
    by_number: HashMap<u64, usize>,
    /// `(shop, shop_refund_id)` → refund.
    refunds: HashMap<(u64, String), RefundRecord>,
    /// Payment uuid → the refunds of it not succeeded yet.
    open_refunds: HashMap<String, Vec<(u64, String)>>,
    tokens: HashMap<String, TokenRecord>,
    /// When a payment (by position) may expire: ttl or hold. Entries are
    /// hints; the payment itself says whether it is still due.
    deadlines: BTreeSet<(OffsetDateTime, usize)>,
    /// Changes not in the data file yet (a write failed), carried by every
    /// commit until one succeeds.
    pub(crate) unsaved: Unsaved,
}

/// A `Hasher` for keys that already are uniform 64-bit hashes.
#[derive(Debug, Default, Clone, Copy)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the keys are `u64`); this keeps any
        // other input well spread anyway.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A key (a shop, or 0, and a string) → a payment's position, by a keyed
/// hash of the key. Whether a slot really holds the key is checked against
/// the payment itself; the rare key whose hash collides with another's
/// goes to `spill`, keyed by the key in full.
#[derive(Debug, Default)]
struct Index {
    keys: RandomState,
    slots: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    spill: HashMap<(u64, String), usize>,
}

impl Index {
    fn hash(&self, shop: u64, key: &str) -> u64 {
        self.keys.hash_one((shop, key))
    }

    /// The position stored for the key; `is_key` says whether the payment
    /// at a position has the key.
    fn find(&self, shop: u64, key: &str, is_key: impl Fn(usize) -> bool) -> Option<usize> {
        let at = *self.slots.get(&self.hash(shop, key))?;
        if is_key(at) {
            return Some(at);
        }
        if self.spill.is_empty() {
            return None;
        }
        self.spill.get(&(shop, key.to_owned())).copied()
    }

    /// Stores `position` for the key, replacing what it had.
    fn insert(&mut self, shop: u64, key: &str, position: usize, is_key: impl Fn(usize) -> bool) {
        let hash = self.hash(shop, key);
        match self.slots.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(position);
            }
            Entry::Occupied(mut slot) if is_key(*slot.get()) => {
                slot.insert(position);
            }
            Entry::Occupied(_) => {
                self.spill.insert((shop, key.to_owned()), position);
            }
        }
    }
}

impl Store {
    pub(crate) fn from_snapshot(snapshot: Snapshot) -> Self {
        let mut store = Self::default();
        for p in snapshot.payments {
            store.put_payment(p);
        }
        for r in snapshot.refunds {
            store.put_refund(r);
        }
        for t in snapshot.tokens {
            store.put_token(t);
        }
        store
    }

    fn position(&self, uuid: &str) -> Option<usize> {
        let payments = &self.payments;
        self.by_uuid.find(0, uuid, |at| {
            payments.get(at).is_some_and(|p| p.uuid == uuid)
        })
    }

    pub(crate) fn payment(&self, uuid: &str) -> Option<&PaymentRecord> {
        self.position(uuid).and_then(|at| self.payments.get(at))
    }

    pub(crate) fn payment_mut(&mut self, uuid: &str) -> Option<&mut PaymentRecord> {
        self.position(uuid).and_then(|at| self.payments.get_mut(at))
    }

    pub(crate) fn payment_by_shop_tx(&self, shop: u64, tx: &str) -> Option<&PaymentRecord> {
        let payments = &self.payments;
        let is_key = |at: usize| {
            payments
                .get(at)
                .is_some_and(|p| p.shop_id == shop && p.shop_transaction_id == tx)
        };
        self.by_shop_tx
            .find(shop, tx, is_key)
            .and_then(|at| payments.get(at))
    }

    /// The payment with OCTO's integer number `number`.
    pub(crate) fn payment_by_number(&self, number: u64) -> Option<&PaymentRecord> {
        let at = *self.by_number.get(&number)?;
        self.payments.get(at).filter(|p| p.payment_id == number)
    }

    pub(crate) fn put_payment(&mut self, p: PaymentRecord) {
        let existing = self.position(&p.uuid);
        let at = existing.unwrap_or(self.payments.len());
        if p.is_payable() {
            self.deadlines.insert((p.expires_at, at));
        }
        if let Some(deadline) = p.hold_expires_at {
            self.deadlines.insert((deadline, at));
        }
        if p.payment_id != 0 {
            self.by_number.insert(p.payment_id, at);
        }
        let Self {
            payments,
            by_uuid,
            by_shop_tx,
            ..
        } = self;
        by_uuid.insert(0, &p.uuid, at, |other| {
            payments.get(other).is_some_and(|o| o.uuid == p.uuid)
        });
        by_shop_tx.insert(p.shop_id, &p.shop_transaction_id, at, |other| {
            payments.get(other).is_some_and(|o| {
                o.shop_id == p.shop_id && o.shop_transaction_id == p.shop_transaction_id
            })
        });
        match existing.and_then(|at| payments.get_mut(at)) {
            Some(slot) => *slot = p,
            None => payments.push(p),
        }
    }

    /// Records a deadline for a payment already stored.
    pub(crate) fn add_deadline(&mut self, at: OffsetDateTime, uuid: &str) {
        if let Some(position) = self.position(uuid) {
            self.deadlines.insert((at, position));
        }
    }

    /// Removes and returns the uuids whose deadline is at or before `now`.
    pub(crate) fn take_due(&mut self, now: OffsetDateTime) -> Vec<String> {
        let mut due = Vec::new();
        while let Some(first) = self.deadlines.first() {
            if first.0 > now {
                break;
            }
            if let Some((_, at)) = self.deadlines.pop_first()
                && let Some(p) = self.payments.get(at)
            {
                due.push(p.uuid.clone());
            }
        }
        due
    }

    pub(crate) fn refund(&self, shop: u64, shop_refund_id: &str) -> Option<&RefundRecord> {
        self.refunds.get(&(shop, shop_refund_id.to_owned()))
    }

    /// Every refund held, in no particular order.
    pub(crate) fn all_refunds(&self) -> impl Iterator<Item = &RefundRecord> {
        self.refunds.values()
    }

    pub(crate) fn put_refund(&mut self, r: RefundRecord) {
        let key = (r.shop_id, r.shop_refund_id.clone());
        if r.is_open() {
            let open = self.open_refunds.entry(r.payment_uuid.clone()).or_default();
            if !open.contains(&key) {
                open.push(key.clone());
            }
        } else if let Some(open) = self.open_refunds.get_mut(&r.payment_uuid) {
            open.retain(|k| k != &key);
            if open.is_empty() {
                self.open_refunds.remove(&r.payment_uuid);
            }
        }
        self.refunds.insert(key, r);
    }

    /// The keys of the refunds of payment `uuid` not succeeded yet.
    pub(crate) fn open_refunds(&self, uuid: &str) -> Vec<(u64, String)> {
        self.open_refunds.get(uuid).cloned().unwrap_or_default()
    }

    /// How much of payment `uuid` is being refunded and not back yet.
    pub(crate) fn open_refund_sum(&self, uuid: &str) -> rust_decimal::Decimal {
        self.open_refunds
            .get(uuid)
            .into_iter()
            .flatten()
            .filter_map(|k| self.refunds.get(k))
            .map(|r| r.amount)
            .sum()
    }

    pub(crate) fn token(&self, token: &str) -> Option<&TokenRecord> {
        self.tokens.get(token)
    }

    pub(crate) fn token_mut(&mut self, token: &str) -> Option<&mut TokenRecord> {
        self.tokens.get_mut(token)
    }

    pub(crate) fn put_token(&mut self, t: TokenRecord) {
        self.tokens.insert(t.token.clone(), t);
    }

    /// A token of `shop` for the card with `digest` that is active or still
    /// being bound (OCTO's error 20). Tokens read back from the data file
    /// have no digest and match nothing (see `fingerprint`).
    pub(crate) fn live_token_for(&self, shop: u64, digest: &str) -> Option<&TokenRecord> {
        use octo_proto::TokenStatus;
        self.tokens.values().find(|t| {
            t.shop_id == shop
                && !t.card.digest.is_empty()
                && t.card.digest == digest
                && matches!(t.status, TokenStatus::Active | TokenStatus::Init)
        })
    }

    /// Every payment held, in the order they were made.
    pub(crate) fn all_payments(&self) -> impl Iterator<Item = &PaymentRecord> {
        self.payments.iter()
    }

    pub(crate) fn payment_count(&self) -> usize {
        self.payments.len()
    }
}
