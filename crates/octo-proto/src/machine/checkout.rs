//! The stored card a token payment is paid with, and how OCTO's answer to
//! `pay/{uuid}` says whether the customer has a step to take.

use crate::enums::{PaymentMethod, PaymentStatus};
use crate::ids::PaymentUuid;
use crate::op::{PayWithToken, TokenPayment};
use crate::secret::CardToken;

/// The stored card a token payment is paid with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenCheckout {
    card_token: CardToken,
    method: PaymentMethod,
    email: Option<String>,
}

impl TokenCheckout {
    pub(crate) fn new(card_token: CardToken, method: PaymentMethod, email: Option<String>) -> Self {
        Self {
            card_token,
            method,
            email,
        }
    }

    /// The `pay/{uuid}` request for the payment OCTO created.
    pub(crate) fn command(&self, octo_payment_uuid: PaymentUuid) -> PayWithToken {
        let mut pay = PayWithToken::new(
            octo_payment_uuid,
            self.card_token.clone(),
            self.method.clone(),
        );
        pay.email = self.email.clone();
        pay
    }

    /// Where the customer must go to confirm, when OCTO asks for a step.
    pub(crate) fn next_step(paid: &TokenPayment) -> Option<String> {
        let open = matches!(
            paid.status,
            PaymentStatus::Created | PaymentStatus::WaitUserAction | PaymentStatus::WaitingPay
        );
        paid.redirect_url.clone().filter(|_| open)
    }
}
