//! `set_accept`: capture or cancel a held (two-stage) payment.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::payment::Payment;
use super::{Endpoint, Operation, post_signed, validate};
use crate::config::Config;
use crate::enums::AcceptStatus;
use crate::error::{Error, InputError, InputProblem};
use crate::ids::PaymentUuid;

/// Decides a payment in `waiting_for_capture`: take the money (all, or
/// `final_amount`, returning the rest to the card) or release the hold.
///
/// Not retried automatically: check the status instead when the outcome is
/// unknown.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAccept {
    /// OCTO's id of the payment.
    pub octo_payment_uuid: PaymentUuid,
    /// Capture or cancel.
    pub accept_status: AcceptStatus,
    /// For a capture: take only this much (at most the held amount).
    #[serde(
        default,
        deserialize_with = "crate::money::number::option::deserialize"
    )]
    pub final_amount: Option<Decimal>,
}

impl SetAccept {
    /// Capture the whole held amount without naming it (no
    /// `final_amount`, as on OCTO's "confirm or cancel" page). Prefer
    /// [`capture_held`](Self::capture_held) when the held amount is known.
    pub fn capture(octo_payment_uuid: PaymentUuid) -> Self {
        Self {
            octo_payment_uuid,
            accept_status: AcceptStatus::Capture,
            final_amount: None,
        }
    }

    /// Capture the whole hold, naming it: `final_amount` is `held`, the
    /// amount OCTO reported holding. OCTO's two-stage pages describe
    /// `set_accept` as confirming the amount to take, and one public source
    /// says a capture must carry `final_amount`; naming the full amount
    /// satisfies both readings. The payment machine sends this unless
    /// `PaymentParams::full_capture_sends_final_amount` is off.
    pub fn capture_held(octo_payment_uuid: PaymentUuid, held: Decimal) -> Self {
        Self::capture_partial(octo_payment_uuid, held)
    }

    /// Capture part of the held amount; the rest goes back to the card.
    pub fn capture_partial(octo_payment_uuid: PaymentUuid, final_amount: Decimal) -> Self {
        Self {
            octo_payment_uuid,
            accept_status: AcceptStatus::Capture,
            final_amount: Some(final_amount),
        }
    }

    /// Release the hold.
    pub fn cancel(octo_payment_uuid: PaymentUuid) -> Self {
        Self {
            octo_payment_uuid,
            accept_status: AcceptStatus::Cancel,
            final_amount: None,
        }
    }

    /// Checks the input.
    pub fn validate(&self) -> Result<(), InputError> {
        validate::not_empty("octo_payment_UUID", self.octo_payment_uuid.as_str())?;
        if let Some(amount) = self.final_amount {
            if self.accept_status == AcceptStatus::Cancel {
                return Err(InputError::new(
                    "final_amount",
                    InputProblem::Format("no final_amount when canceling"),
                ));
            }
            validate::positive("final_amount", amount)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct Wire<'a> {
    #[serde(rename = "octo_payment_UUID")]
    octo_payment_uuid: &'a PaymentUuid,
    accept_status: AcceptStatus,
    #[serde(
        with = "crate::money::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    final_amount: Option<Decimal>,
}

impl Operation for SetAccept {
    type Output = Payment;

    const ENDPOINT: Endpoint = Endpoint::SetAccept;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        self.validate()?;
        let wire = Wire {
            octo_payment_uuid: &self.octo_payment_uuid,
            accept_status: self.accept_status,
            final_amount: self.final_amount,
        };
        post_signed(config, "/set_accept", &wire)
    }
}
