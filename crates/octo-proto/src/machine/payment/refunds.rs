//! The refunds of one payment: which were asked for, which OCTO took,
//! which it finished, and how much is left.
//!
//! OCTO answers a refund with a status of its own set: `new`, `pending`,
//! `succeeded`, `canceled`, `unknown`, `error`. Its pages do not say that a
//! `new` or `pending` refund always ends `succeeded`, and `canceled` and
//! `error` exist, so only `succeeded` counts as refunded. A refund OCTO
//! took but has not finished is *open*: its amount stays reserved (it
//! counts against what may still be refunded), it is not reported as
//! refunded, and the machine asks OCTO about it again by sending the very
//! same refund (same `shop_refund_id`, same amount). OCTO's pages say the
//! id filters duplicates, not how: if OCTO answers a duplicate with the
//! refund's status, that settles it; if it refuses it, the machine reports
//! that (not as a refusal of the refund), stops asking, and keeps the
//! refund open and its amount reserved.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::enums::RefundStatus;
use crate::error::{InputError, InputProblem};
use crate::ids::{PaymentUuid, RefundId, ShopRefundId};
use crate::machine::failure::Rejected;
use crate::op::{Refund, RefundResult};

/// One refund of a payment, as the machine knows it.
///
/// Where it stands, by its `status`:
///
/// | `status` | meaning | amount |
/// | --- | --- | --- |
/// | `None` | sent, no answer: the outcome is unknown | reserved |
/// | `new`, `pending`, `unknown`, or a status this version does not know | OCTO took it and has not finished ([`is_open`](Self::is_open)) | reserved, not refunded |
/// | `succeeded` | refunded ([`is_refunded`](Self::is_refunded)) | refunded |
/// | `canceled`, `error`, or OCTO refused the request | refused ([`is_refused`](Self::is_refused)) | free again |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// The shop's key of the refund.
    pub shop_refund_id: ShopRefundId,
    /// The amount asked for.
    pub amount: Decimal,
    /// OCTO's last answered status; `None` while unanswered or when the
    /// outcome is unknown. A refund OCTO refused outright (an error
    /// answer to its first request) reads as `error`.
    pub status: Option<RefundStatus>,
    /// OCTO's id of the refund.
    pub refund_id: Option<RefundId>,
}

impl RefundRecord {
    /// Whether OCTO refused it (`canceled`, `error`, or the request was
    /// refused), so its amount is free again.
    pub fn is_refused(&self) -> bool {
        matches!(
            self.status,
            Some(RefundStatus::Canceled | RefundStatus::Error)
        )
    }

    /// Whether OCTO said the money is back (`succeeded`). Only such
    /// refunds count in the machine's refunded sum.
    pub fn is_refunded(&self) -> bool {
        matches!(self.status, Some(RefundStatus::Succeeded))
    }

    /// Whether OCTO took it but has not finished it: `new`, `pending`,
    /// `unknown`, or a status this version does not know. Its amount stays
    /// reserved, it is not counted as refunded, and the payment machine
    /// asks OCTO about it again until OCTO says `succeeded`, `canceled` or
    /// `error`.
    pub fn is_open(&self) -> bool {
        self.status.is_some() && !self.is_refunded() && !self.is_refused()
    }

    /// Whether OCTO gave its final word: refunded or refused.
    pub fn is_settled(&self) -> bool {
        self.is_refunded() || self.is_refused()
    }

    /// Whether OCTO took it: any answer other than a refusal. This
    /// includes refunds OCTO has not finished ([`is_open`](Self::is_open)),
    /// which may still fail: it does **not** mean the money is back (that
    /// is [`is_refunded`](Self::is_refunded)).
    pub fn is_accepted(&self) -> bool {
        self.status.is_some() && !self.is_refused()
    }
}

/// What a refund request turns into.
pub(crate) enum RefundStart {
    /// Send this command.
    Send(Refund),
    /// Already settled under this key: nothing to send.
    AlreadyDone,
}

/// How the machine asks about one refund: when it last sent it, and
/// whether it asks again on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Asking {
    sent_at: OffsetDateTime,
    /// A repeat OCTO answered with an error that would come again: the
    /// machine leaves the next ask to the shop.
    paused: bool,
    /// An earlier call of it ended with an unknown outcome: it may have
    /// been made, so a later refusal of the same id frees nothing.
    doubted: bool,
}

/// The refunds of one payment, with the largest refunded sum OCTO reported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Refunds {
    records: Vec<RefundRecord>,
    /// One per record, at the same index.
    asking: Vec<Asking>,
    /// The largest `refunded_sum` OCTO reported, which may include refunds
    /// made outside this machine.
    reported: Decimal,
}

impl Refunds {
    pub(crate) fn records(&self) -> &[RefundRecord] {
        &self.records
    }

    fn index(&self, id: &ShopRefundId) -> Option<usize> {
        self.records.iter().position(|r| &r.shop_refund_id == id)
    }

    /// Money OCTO said is refunded: the refunds it answered `succeeded`,
    /// or the payment's `refunded_sum` if larger. A refund not finished
    /// is not in it.
    pub(crate) fn refunded(&self) -> Decimal {
        let ours: Decimal = self
            .records
            .iter()
            .filter(|r| r.is_refunded())
            .map(|r| r.amount)
            .sum();
        ours.max(self.reported)
    }

    /// Money that is refunded or may be: refunds in doubt and refunds not
    /// finished count, so the sum never passes the total whatever their
    /// outcome.
    pub(crate) fn committed(&self) -> Decimal {
        let ours: Decimal = self
            .records
            .iter()
            .filter(|r| !r.is_refused())
            .map(|r| r.amount)
            .sum();
        ours.max(self.reported)
    }

    /// Whether a refund OCTO took is not finished.
    pub(crate) fn has_open(&self) -> bool {
        self.records.iter().any(RefundRecord::is_open)
    }

    /// Whether the refund under `id` is open.
    pub(crate) fn is_open(&self, id: &ShopRefundId) -> bool {
        self.index(id)
            .and_then(|i| self.records.get(i))
            .is_some_and(RefundRecord::is_open)
    }

    /// The open refund the machine asks about next on its own: the one
    /// sent longest ago (the first asked on a tie), unless paused.
    fn next_due(&self) -> Option<usize> {
        self.records
            .iter()
            .zip(&self.asking)
            .enumerate()
            .filter(|(_, (record, asking))| record.is_open() && !asking.paused)
            .min_by_key(|(_, (_, asking))| asking.sent_at)
            .map(|(i, _)| i)
    }

    /// Whether the machine has an open refund to ask about on its own.
    pub(crate) fn has_due(&self) -> bool {
        self.next_due().is_some()
    }

    /// The very same refund command again for the open refund due next.
    pub(crate) fn ask_again(&mut self, uuid: &PaymentUuid, now: OffsetDateTime) -> Option<Refund> {
        let i = self.next_due()?;
        let record = self.records.get(i)?;
        let command = Refund::new(record.shop_refund_id.clone(), uuid.clone(), record.amount);
        if let Some(asking) = self.asking.get_mut(i) {
            asking.sent_at = now;
        }
        Some(command)
    }

    pub(crate) fn observe_reported(&mut self, refunded_sum: Decimal, total: Decimal) {
        if refunded_sum <= total && refunded_sum > self.reported {
            self.reported = refunded_sum;
        }
    }

    pub(crate) fn start(
        &mut self,
        uuid: &PaymentUuid,
        shop_refund_id: ShopRefundId,
        amount: Decimal,
        total: Decimal,
        now: OffsetDateTime,
    ) -> Result<RefundStart, Rejected> {
        if let Some(i) = self.index(&shop_refund_id) {
            let Some(existing) = self.records.get(i) else {
                return Ok(RefundStart::AlreadyDone);
            };
            if existing.amount != amount {
                return Err(Rejected::RefundIdReused(shop_refund_id));
            }
            // The same key again: resend the identical command while its
            // outcome is unknown or OCTO has not finished it (OCTO filters
            // duplicates by `shop_refund_id`); once settled there is
            // nothing to do.
            if existing.is_settled() {
                return Ok(RefundStart::AlreadyDone);
            }
            if let Some(asking) = self.asking.get_mut(i) {
                asking.sent_at = now;
                asking.paused = false;
            }
            return Ok(RefundStart::Send(Refund::new(
                shop_refund_id,
                uuid.clone(),
                amount,
            )));
        }
        if amount <= Decimal::ZERO {
            return Err(Rejected::Invalid(InputError::new(
                "amount",
                InputProblem::NotPositive,
            )));
        }
        let available = total - self.committed();
        if amount > available {
            return Err(Rejected::Invalid(InputError::new(
                "amount",
                InputProblem::ExceedsTotal { available },
            )));
        }
        self.records.push(RefundRecord {
            shop_refund_id: shop_refund_id.clone(),
            amount,
            status: None,
            refund_id: None,
        });
        self.asking.push(Asking {
            sent_at: now,
            paused: false,
            doubted: false,
        });
        Ok(RefundStart::Send(Refund::new(
            shop_refund_id,
            uuid.clone(),
            amount,
        )))
    }

    /// OCTO's answer to the refund under `id`: its status now. An answer
    /// without OCTO's refund id keeps the one known. `false` when the
    /// answer is not taken: a `canceled` or `error` for a refund never
    /// answered before whose earlier call ended in doubt may be OCTO's
    /// answer to the duplicate, so the refund stays in doubt.
    pub(crate) fn answered(&mut self, id: &ShopRefundId, result: &RefundResult) -> bool {
        let Some(i) = self.index(id) else {
            return true;
        };
        let refusal = matches!(result.status, RefundStatus::Canceled | RefundStatus::Error);
        let in_doubt = self.asking.get(i).is_some_and(|a| a.doubted)
            && self.records.get(i).is_some_and(|r| r.status.is_none());
        if refusal && in_doubt {
            return false;
        }
        if let Some(record) = self.records.get_mut(i) {
            record.status = Some(result.status.clone());
            if result.refund_id.is_some() {
                record.refund_id = result.refund_id.clone();
            }
        }
        if let Some(asking) = self.asking.get_mut(i) {
            asking.paused = false;
        }
        true
    }

    /// OCTO refused the call that sent the refund under `id`: its amount is
    /// free again, unless an earlier call of it ended with an unknown
    /// outcome (it may have been made, and OCTO then refuses the duplicate).
    /// Whether it was freed.
    pub(crate) fn refused(&mut self, id: &ShopRefundId) -> bool {
        let Some(i) = self.index(id) else {
            return false;
        };
        if self.asking.get(i).is_some_and(|a| a.doubted) {
            return false;
        }
        if let Some(record) = self.records.get_mut(i) {
            record.status = Some(RefundStatus::Error);
        }
        true
    }

    /// The call that sent the refund under `id` ended with an unknown
    /// outcome: it stays in doubt, and a later refusal of the same id
    /// proves nothing about this call.
    pub(crate) fn doubted(&mut self, id: &ShopRefundId) {
        if let Some(asking) = self.index(id).and_then(|i| self.asking.get_mut(i)) {
            asking.doubted = true;
        }
    }

    /// A repeat of the open refund under `id` failed in a way that would
    /// come again: the machine stops asking about it on its own.
    pub(crate) fn pause(&mut self, id: &ShopRefundId) {
        if let Some(asking) = self.index(id).and_then(|i| self.asking.get_mut(i)) {
            asking.paused = true;
        }
    }
}
