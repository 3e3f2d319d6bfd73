//! A payment with a stored card: prepare, pay with the token, then the OTP
//! or 3-D Secure step when OCTO asks for one.
//!
//! ```text
//!   Preparing ──prepare_payment──► Paying ──pay/{uuid}──┬─ succeeded ──────────► Succeeded
//!                                                       ├─ waiting_for_capture ─► Held (as a payment)
//!                                                       ├─ redirectUrl ─► Redirect ─► AwaitingCustomer
//!                                                       └─ no step ─► AwaitingCustomer (check soon)
//!   an unknown outcome of pay/{uuid}: check the status, never pay twice
//! ```
//!
//! From `AwaitingCustomer` on it is a [`PaymentMachine`]: notifications,
//! status checks, capture, cancel and refunds behave the same. In
//! particular a verified notification (or [`Input::CheckStatus`]) only
//! makes it check the status with OCTO, and a notification that comes while
//! `pay/{uuid}` is out waits for that answer: the payment is settled by
//! OCTO's answers, with OCTO's amounts, never by a notification.

use time::OffsetDateTime;

use super::Machine;
use super::checkout::TokenCheckout;
use super::failure::Rejected;
use super::input::Input;
use super::output::Output;
use super::payment::{PaymentMachine, PaymentOutcome, PaymentParams, PaymentPhase};
use crate::enums::PaymentMethod;
use crate::op::PreparePayment;
use crate::secret::CardToken;

/// A payment with a stored card token.
///
/// ```
/// use octo_proto::machine::{Machine, Output, PaymentParams, TokenPaymentMachine};
/// use octo_proto::{CardToken, Currency, PaymentMethod, op::PreparePayment};
/// use rust_decimal::Decimal;
/// use time::macros::datetime;
///
/// let now = datetime!(2024-05-02 09:17 UTC);
/// let prepare = PreparePayment::new(
///     "order-8".parse()?, Decimal::new(1000, 0), Currency::Uzs,
///     "Subscription", "https://shop.example/8", datetime!(2024-05-02 09:17),
/// );
/// let token = CardToken::new("tok");
/// let mut payment = TokenPaymentMachine::new(
///     prepare, token, PaymentMethod::Uzcard, None, PaymentParams::default(), now,
/// );
/// assert!(matches!(payment.poll_output(), Output::Send(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TokenPaymentMachine(PaymentMachine);

impl TokenPaymentMachine {
    /// Starts a payment of `prepare` with `card_token`; `email` is required
    /// by OCTO when `prepare` carries `user_data`. A `prepare` without
    /// `ttl` is sent with [`PaymentParams::ttl`], as by
    /// [`PaymentMachine::new`].
    pub fn new(
        prepare: PreparePayment,
        card_token: CardToken,
        method: PaymentMethod,
        email: Option<String>,
        params: PaymentParams,
        now: OffsetDateTime,
    ) -> Self {
        let email = email.or_else(|| {
            prepare
                .user_data
                .as_ref()
                .map(|u| u.email.clone())
                .filter(|e| !e.is_empty())
        });
        let checkout = TokenCheckout::new(card_token, method, email);
        Self(PaymentMachine::start(prepare, params, Some(checkout), now))
    }

    /// The payment underneath: status, sums, refunds.
    pub fn payment(&self) -> &PaymentMachine {
        &self.0
    }

    /// Where the machine stands.
    pub fn phase(&self) -> PaymentPhase {
        self.0.phase()
    }

    /// The prepared payment.
    pub fn prepared(&self) -> &PreparePayment {
        self.0.prepared()
    }
}

impl Machine for TokenPaymentMachine {
    type Outcome = PaymentOutcome;

    fn handle_input(&mut self, input: Input, now: OffsetDateTime) -> Result<(), Rejected> {
        self.0.handle_input(input, now)
    }

    fn poll_output(&mut self) -> Output<PaymentOutcome> {
        self.0.poll_output()
    }

    fn is_terminal(&self) -> bool {
        self.0.is_terminal()
    }
}
