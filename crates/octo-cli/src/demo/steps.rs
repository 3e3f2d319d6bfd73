//! What the demo's scenarios share: the payment each one prepares, the
//! shopper and the narrated machine each one runs, and a status check the
//! shop makes by hand.
//!
//! The scenarios are driven by octo-proto's state machines through the chosen
//! transport's `run` (see [`drive`]). The machines follow the
//! rule a shop must: a verified notification is a hint that the status
//! changed (its signature covers the payment's id and status, not its
//! amounts), so the machine answers one with a status check and takes
//! amounts and outcomes only from OCTO's answers.

use octo_proto::machine::Machine;
use octo_proto::op::{Payment, PaymentStatusCheck, PreparePayment};
use octo_proto::{Currency, Language, Operation, PaymentStatus};
use octo_sandbox::SandboxHandle;
use rust_decimal::Decimal;

use super::drive::{self, Shopper};
use super::narrate::{Actor, Narrator};
use super::narrated::{self, Narrated, Notes};
use super::receiver::Receiver;
use crate::backend::Backend;
use crate::failure::Failure;

/// Where the customer returns after paying, in every demo payment.
pub const RETURN_URL: &str = "https://shop.example/orders/done";

/// What a scenario ends with: what happened, or what went differently.
pub type Outcome = Result<String, String>;

/// What every scenario works with.
pub struct Ctx<'a> {
    /// The chosen transport's client, pointed at the sandbox.
    pub backend: &'a Backend,
    /// The embedded sandbox (for the customer's part only).
    pub sandbox: &'a SandboxHandle,
    /// The shop's callback server.
    pub receiver: &'a Receiver,
    /// The story teller.
    pub narrator: Narrator,
    /// The card token from the binding scenario, for the token scenarios.
    pub token: Option<octo_proto::CardToken>,
}

impl Ctx<'_> {
    /// Sends `op` through the chosen transport; an error becomes the
    /// message the CLI would print for it.
    pub fn call<O: Operation>(&self, op: &O) -> Result<O::Output, String> {
        self.backend
            .send(op)
            .map_err(|e| Failure::from_sdk(&e).message)
    }

    /// A `prepare_payment` of `amount` UZS, one- or two-stage, with the
    /// receiver as `notify_url`.
    pub fn payment(
        &self,
        order: &str,
        amount: Decimal,
        description: &str,
        two_stage: bool,
    ) -> Result<PreparePayment, String> {
        let mut op = PreparePayment::new(
            order.parse().map_err(|e| format!("order id: {e}"))?,
            amount,
            Currency::Uzs,
            description,
            RETURN_URL,
            now(),
        );
        if two_stage {
            op = op.two_stage();
        }
        op.test = Some(true);
        op.language = Language::English;
        op.notify_url = Some(self.receiver.notify_url());
        Ok(op)
    }

    /// The customer and the shop's callback server for the scenario of `order`.
    pub fn shopper(&self, order: &str) -> Shopper<'_> {
        Shopper::new(&self.narrator, self.sandbox, self.receiver, order)
    }

    /// Runs `machine` (told by the narrator, with the scenario's words in
    /// `notes`) to its end through the chosen transport; a failure in
    /// words.
    pub fn run<M: Machine>(
        &self,
        machine: &mut M,
        shopper: &mut Shopper<'_>,
        notes: impl FnOnce(&mut Notes),
    ) -> Result<M::Outcome, String> {
        let mut told = Narrated::new(machine, &self.narrator).with(notes);
        drive::run(self.backend, &mut told, shopper).map_err(|e| shopper.explain(&e))
    }

    /// Checks the status of `order` with OCTO by hand and expects `status`.
    pub fn status_is(&self, order: &str, status: &PaymentStatus) -> Result<Payment, String> {
        self.narrator.step(
            Actor::Shop,
            &format!("checks the status of order {order} (prepare_payment with the id only)"),
        );
        let op = PaymentStatusCheck::new(order.parse().map_err(|e| format!("order id: {e}"))?);
        let p = self.call(&op)?;
        self.narrator.detail(&narrated::status_line(&p));
        expect(p.status == *status, || {
            format!("the status is {}, not {status}", p.status)
        })?;
        Ok(p)
    }
}

/// `Ok` when `holds`, else the failure `why` describes.
pub fn expect(holds: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if holds { Ok(()) } else { Err(why()) }
}

/// The current instant: a payment's `init_time` (the SDK writes it in the
/// config's zone, Tashkent, UTC+05:00, unless configured) and the `now`
/// every machine input comes with.
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
