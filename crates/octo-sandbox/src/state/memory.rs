//! The in-memory ledger: every record, and the indexes OCTO's rules need.

use std::collections::{BTreeSet, HashMap};

use time::OffsetDateTime;

use super::{PaymentRecord, RefundRecord, Snapshot, TokenRecord};

/// All records, indexed.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    payments: HashMap<String, PaymentRecord>,
    /// `(shop, shop_transaction_id)` → uuid: the idempotency key.
    by_shop_tx: HashMap<(u64, String), String>,
    /// `(shop, shop_refund_id)` → refund.
    refunds: HashMap<(u64, String), RefundRecord>,
    tokens: HashMap<String, TokenRecord>,
    /// When a payment may expire: ttl or hold. Entries are hints; the
    /// payment itself says whether it is still due.
    deadlines: BTreeSet<(OffsetDateTime, String)>,
}

impl Ledger {
    pub(crate) fn from_snapshot(snapshot: Snapshot) -> Self {
        let mut ledger = Self::default();
        for p in snapshot.payments {
            ledger.put_payment(p);
        }
        for r in snapshot.refunds {
            ledger.put_refund(r);
        }
        for t in snapshot.tokens {
            ledger.put_token(t);
        }
        ledger
    }

    pub(crate) fn payment(&self, uuid: &str) -> Option<&PaymentRecord> {
        self.payments.get(uuid)
    }

    pub(crate) fn payment_mut(&mut self, uuid: &str) -> Option<&mut PaymentRecord> {
        self.payments.get_mut(uuid)
    }

    pub(crate) fn payment_by_shop_tx(&self, shop: u64, tx: &str) -> Option<&PaymentRecord> {
        self.by_shop_tx
            .get(&(shop, tx.to_owned()))
            .and_then(|uuid| self.payments.get(uuid))
    }

    pub(crate) fn put_payment(&mut self, p: PaymentRecord) {
        if p.is_payable() {
            self.deadlines.insert((p.expires_at, p.uuid.clone()));
        }
        if let Some(at) = p.hold_expires_at {
            self.deadlines.insert((at, p.uuid.clone()));
        }
        self.by_shop_tx
            .insert((p.shop_id, p.shop_transaction_id.clone()), p.uuid.clone());
        self.payments.insert(p.uuid.clone(), p);
    }

    /// Records a deadline for a payment already stored.
    pub(crate) fn add_deadline(&mut self, at: OffsetDateTime, uuid: &str) {
        self.deadlines.insert((at, uuid.to_owned()));
    }

    /// Removes and returns the uuids whose deadline is at or before `now`.
    pub(crate) fn take_due(&mut self, now: OffsetDateTime) -> Vec<String> {
        let mut due = Vec::new();
        while let Some(first) = self.deadlines.first() {
            if first.0 > now {
                break;
            }
            if let Some((_, uuid)) = self.deadlines.pop_first() {
                due.push(uuid);
            }
        }
        due
    }

    pub(crate) fn refund(&self, shop: u64, shop_refund_id: &str) -> Option<&RefundRecord> {
        self.refunds.get(&(shop, shop_refund_id.to_owned()))
    }

    pub(crate) fn put_refund(&mut self, r: RefundRecord) {
        self.refunds
            .insert((r.shop_id, r.shop_refund_id.clone()), r);
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
    /// being bound (OCTO's error 20).
    pub(crate) fn live_token_for(&self, shop: u64, digest: &str) -> Option<&TokenRecord> {
        use octo_proto::TokenStatus;
        self.tokens.values().find(|t| {
            t.shop_id == shop
                && t.card.digest == digest
                && matches!(t.status, TokenStatus::Active | TokenStatus::Init)
        })
    }

    pub(crate) fn payment_count(&self) -> usize {
        self.payments.len()
    }
}
