//! The refunds of one payment: which were asked for, which OCTO took, and
//! how much is left.

use rust_decimal::Decimal;

use crate::enums::RefundStatus;
use crate::error::{InputError, InputProblem};
use crate::ids::{PaymentUuid, RefundId, ShopRefundId};
use crate::machine::failure::Rejected;
use crate::op::{Refund, RefundResult};

/// One refund of a payment, as the machine knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// The shop's key of the refund.
    pub shop_refund_id: ShopRefundId,
    /// The amount asked for.
    pub amount: Decimal,
    /// OCTO's status; `None` while unanswered or when the outcome is unknown.
    pub status: Option<RefundStatus>,
    /// OCTO's id of the refund.
    pub refund_id: Option<RefundId>,
}

impl RefundRecord {
    /// Whether OCTO refused it, so its amount is free again.
    pub fn is_refused(&self) -> bool {
        matches!(
            self.status,
            Some(RefundStatus::Canceled | RefundStatus::Error)
        )
    }

    /// Whether OCTO took it (any answer other than a refusal).
    pub fn is_accepted(&self) -> bool {
        self.status.is_some() && !self.is_refused()
    }
}

/// What a refund request turns into.
pub(crate) enum RefundStart {
    /// Send this command.
    Send(Refund),
    /// Already done under this key: nothing to send.
    AlreadyDone,
}

/// The refunds of one payment, with the largest refunded sum OCTO reported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Refunds {
    records: Vec<RefundRecord>,
    /// The largest `refunded_sum` OCTO reported, which may include refunds
    /// made outside this machine.
    reported: Decimal,
}

impl Refunds {
    pub(crate) fn records(&self) -> &[RefundRecord] {
        &self.records
    }

    /// Money OCTO confirmed as refunded.
    pub(crate) fn refunded(&self) -> Decimal {
        let ours: Decimal = self
            .records
            .iter()
            .filter(|r| r.is_accepted())
            .map(|r| r.amount)
            .sum();
        ours.max(self.reported)
    }

    /// Money that is refunded or may be: refunds in doubt count, so the
    /// sum never passes the total whatever their outcome.
    pub(crate) fn committed(&self) -> Decimal {
        let ours: Decimal = self
            .records
            .iter()
            .filter(|r| !r.is_refused())
            .map(|r| r.amount)
            .sum();
        ours.max(self.reported)
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
    ) -> Result<RefundStart, Rejected> {
        if let Some(existing) = self
            .records
            .iter()
            .find(|r| r.shop_refund_id == shop_refund_id)
        {
            if existing.amount != amount {
                return Err(Rejected::RefundIdReused(shop_refund_id));
            }
            // The same key again: resend the identical command while its
            // outcome is unknown, otherwise there is nothing to do.
            return Ok(match existing.status {
                None => RefundStart::Send(Refund::new(shop_refund_id, uuid.clone(), amount)),
                Some(_) => RefundStart::AlreadyDone,
            });
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
        Ok(RefundStart::Send(Refund::new(
            shop_refund_id,
            uuid.clone(),
            amount,
        )))
    }

    pub(crate) fn answered(&mut self, id: &ShopRefundId, result: &RefundResult) {
        if let Some(record) = self.records.iter_mut().find(|r| &r.shop_refund_id == id) {
            record.status = Some(result.status.clone());
            record.refund_id = result.refund_id.clone();
        }
    }

    pub(crate) fn refused(&mut self, id: &ShopRefundId) {
        if let Some(record) = self.records.iter_mut().find(|r| &r.shop_refund_id == id) {
            record.status = Some(RefundStatus::Error);
        }
    }
}
