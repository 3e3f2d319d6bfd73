//! How a payment's status moves once it exists: authorisation, the
//! shop's capture or cancel, expiry, and the binding's token that ends
//! with it; and how a refund that waits moves from `new` through
//! `pending` to `succeeded` (or `canceled`), one status check at a time. The customer's steps that lead here are in
//! [`customer`](crate::customer).

use octo_proto::{AcceptStatus, PaymentStatus, TokenStatus};
use time::OffsetDateTime;

use crate::engine::{Engine, Tx};
use crate::state::{PaymentRecord, RefundState, Store};
use crate::wire::Reject;
use octo_proto::ErrorCode;

impl Engine {
    /// Moves a payment to `status`, announcing it.
    pub(crate) fn set_status(&self, p: &mut PaymentRecord, status: PaymentStatus, tx: &mut Tx) {
        if p.status == status {
            return;
        }
        p.status = status;
        if p.status != PaymentStatus::WaitUserAction || p.binding.is_none() {
            tx.notify_status(&p.uuid);
        }
        tx.payment(&p.uuid);
    }

    /// Ends a payment unpaid; a binding's token fails with it.
    pub(crate) fn cancel(&self, store: &mut Store, uuid: &str, tx: &mut Tx) {
        let Some(p) = store.payment_mut(uuid) else {
            return;
        };
        p.challenge = None;
        p.hold_expires_at = None;
        self.set_status(p, PaymentStatus::Canceled, tx);
        let token = p.binding.as_ref().map(|b| b.token.clone());
        if let Some(token) = token {
            self.end_binding(store, uuid, &token, TokenStatus::Failed, tx);
        }
    }

    fn end_binding(
        &self,
        store: &mut Store,
        uuid: &str,
        token: &str,
        status: TokenStatus,
        tx: &mut Tx,
    ) {
        if let Some(t) = store.token_mut(token) {
            t.status = status;
            tx.token(token);
            tx.notify_tokenization(uuid);
        }
    }

    /// The customer's payment went through (card, code or 3-D Secure).
    pub(crate) fn authorize(&self, store: &mut Store, uuid: &str, tx: &mut Tx) {
        let now = self.now();
        let hold = self.config.hold_duration;
        let Some(p) = store.payment_mut(uuid) else {
            return;
        };
        p.challenge = None;
        if p.binding.is_some() {
            // The test charge is returned at once, as OCTO does.
            p.payed_at = Some(now);
            p.refunded_sum = p.total_sum;
            self.set_status(p, PaymentStatus::Succeeded, tx);
            let token = p
                .binding
                .as_ref()
                .map(|b| b.token.clone())
                .unwrap_or_default();
            self.end_binding(store, uuid, &token, TokenStatus::Active, tx);
        } else if p.auto_capture {
            p.payed_at = Some(now);
            self.set_status(p, PaymentStatus::Succeeded, tx);
        } else {
            let until = now.saturating_add(hold);
            p.hold_expires_at = Some(until);
            self.set_status(p, PaymentStatus::WaitingForCapture, tx);
            store.add_deadline(until, uuid);
        }
    }

    /// Expires `uuid` if its ttl or hold has passed. Returns whether it did.
    pub(crate) fn expire_if_due(
        &self,
        store: &mut Store,
        uuid: &str,
        now: OffsetDateTime,
        tx: &mut Tx,
    ) -> bool {
        let due = match store.payment(uuid) {
            Some(p) if p.is_payable() => p.expires_at <= now,
            Some(p) if p.status == PaymentStatus::WaitingForCapture => {
                p.hold_expires_at.is_some_and(|at| at <= now)
            }
            _ => false,
        };
        if due {
            self.cancel(store, uuid, tx);
        }
        due
    }

    /// Expires every payment whose deadline has passed. Returns how many.
    pub(crate) fn sweep(&self) -> Result<usize, Reject> {
        let now = self.now();
        self.transact(|store, tx| {
            let mut n: usize = 0;
            for uuid in store.take_due(now) {
                if self.expire_if_due(store, &uuid, now, tx) {
                    n = n.saturating_add(1);
                }
            }
            Ok(n)
        })
    }

    /// The shop's (or its notification reply's) capture or cancel.
    pub(crate) fn decide(
        &self,
        store: &mut Store,
        uuid: &str,
        decision: AcceptStatus,
        final_amount: Option<rust_decimal::Decimal>,
        tx: &mut Tx,
    ) -> Result<(), Reject> {
        let now = self.now();
        let p = store
            .payment_mut(uuid)
            .ok_or_else(|| Reject::format(format!("no payment {uuid}")))?;
        match (&p.status, decision) {
            (PaymentStatus::WaitingForCapture, AcceptStatus::Capture) => {
                if let Some(amount) = final_amount {
                    let refused = |why| Err(Reject::new(ErrorCode::InvalidAmount, why));
                    if amount > p.total_sum {
                        let held = &p.total_sum;
                        return refused(format!(
                            "final_amount {amount} is more than the held {held}"
                        ));
                    }
                    if self.config.strict && amount <= rust_decimal::Decimal::ZERO {
                        return refused(format!("final_amount {amount} must be positive (strict)"));
                    }
                    p.total_sum = amount;
                }
                p.payed_at = Some(now);
                p.hold_expires_at = None;
                self.set_status(p, PaymentStatus::Succeeded, tx);
                Ok(())
            }
            (PaymentStatus::WaitingForCapture, AcceptStatus::Cancel) => {
                self.cancel(store, uuid, tx);
                Ok(())
            }
            // The same decision again (a retried call) changes nothing.
            (PaymentStatus::Succeeded, AcceptStatus::Capture)
            | (PaymentStatus::Canceled, AcceptStatus::Cancel) => Ok(()),
            (status, _) => Err(Reject::format(format!(
                "the payment is {status}, not waiting_for_capture"
            ))),
        }
    }
}

/// One status check of a refund: it may move on, and when it succeeds its
/// amount joins the payment's `refunded_sum`; one that fails ends
/// `canceled`, refunding nothing.
pub(crate) fn check_refund(
    store: &mut Store,
    key: &(u64, String),
    now: OffsetDateTime,
    tx: &mut Tx,
) {
    let Some(mut r) = store.refund(key.0, &key.1).cloned() else {
        return;
    };
    if !r.is_open() {
        return;
    }
    let settled = match r.settles_at {
        Some(at) => at <= now,
        None if r.checks_left > 0 => {
            r.checks_left = r.checks_left.saturating_sub(1);
            false
        }
        None => true,
    };
    r.state = match (settled, r.fails) {
        (false, _) => RefundState::Pending,
        (true, false) => RefundState::Succeeded,
        (true, true) => RefundState::Canceled,
    };
    if r.state == RefundState::Succeeded
        && let Some(p) = store.payment_mut(&r.payment_uuid)
    {
        p.refunded_sum = p.refunded_sum.saturating_add(r.amount);
        tx.payment(&r.payment_uuid);
    }
    tx.refund(key.0, &key.1);
    store.put_refund(r);
}

/// A status check of payment `uuid`: each of its refunds not yet succeeded
/// takes one check.
pub(crate) fn check_refunds_of(store: &mut Store, uuid: &str, now: OffsetDateTime, tx: &mut Tx) {
    for key in store.open_refunds(uuid) {
        check_refund(store, &key, now, tx);
    }
}
