//! The status check: `prepare_payment` with only the shop's id.

use serde::Deserialize;

use super::payment::Payment;
use super::{Endpoint, Field, Operation, post_signed};
use crate::config::Config;
use crate::error::Error;
use crate::ids::ShopTransactionId;

/// Asks OCTO for the status of the payment created under a
/// `shop_transaction_id`. Read-only, so always safe to resend.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentStatusCheck {
    /// The shop's id of the payment.
    pub shop_transaction_id: ShopTransactionId,
}

impl PaymentStatusCheck {
    /// A status check for `shop_transaction_id`.
    pub fn new(shop_transaction_id: ShopTransactionId) -> Self {
        Self {
            shop_transaction_id,
        }
    }
}

impl Operation for PaymentStatusCheck {
    type Output = Payment;

    const ENDPOINT: Endpoint = Endpoint::PaymentStatus;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        let id = Field::non_empty("shop_transaction_id", self.shop_transaction_id.as_str())?;
        post_signed(config, "/prepare_payment", &id)
    }

    fn idempotency_key(&self) -> Option<&str> {
        Some(self.shop_transaction_id.as_str())
    }
}
