//! The steps the demo's flows share: creating a payment, the customer on
//! the payment page, waiting for OCTO's notification, checking a status.
//! Each one narrates itself and turns any surprise into the flow's failure.
//!
//! The demo follows the rule a shop must: a verified notification is a
//! hint that the status changed (its signature covers the payment's id and
//! status, not its amounts), so every flow ships, captures, refunds or
//! fetches a receipt only after OCTO's answer to a status check.

use std::time::Duration;

use octo_proto::callback::VerifiedNotification;
use octo_proto::op::{Payment, PaymentStatusCheck, PreparePayment};
use octo_proto::{Currency, Language, Operation, Pan, PaymentStatus, PaymentUuid};
use octo_sandbox::cards::TestCard;
use octo_sandbox::{SandboxHandle, Step};
use rust_decimal::Decimal;

use super::narrate::{Actor, Narrator};
use super::receiver::{Arrival, Receiver};
use crate::backend::Backend;
use crate::failure::Failure;

/// Where the customer returns after paying, in every demo payment.
pub const RETURN_URL: &str = "https://shop.example/orders/done";

/// How long the demo waits for a callback before calling it lost.
const CALLBACK_WAIT: Duration = Duration::from_secs(10);

/// What a flow ends with: what happened, or what went differently.
pub type Outcome = Result<String, String>;

/// What every flow works with.
pub struct Ctx<'a> {
    /// The chosen transport's client, pointed at the sandbox.
    pub backend: &'a Backend,
    /// The embedded sandbox (for the customer's part only).
    pub sandbox: &'a SandboxHandle,
    /// The shop's callback server.
    pub receiver: &'a Receiver,
    /// The story teller.
    pub narrator: Narrator,
    /// The card token from the binding flow, for the token flows.
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

    /// `prepare_payment` for `amount` UZS, one- or two-stage, with the
    /// receiver as `notify_url`.
    pub fn prepare(
        &mut self,
        order: &str,
        amount: Decimal,
        description: &str,
        two_stage: bool,
        customize: impl FnOnce(&mut PreparePayment),
    ) -> Result<Payment, String> {
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
        customize(&mut op);
        let kind = if two_stage {
            "two-stage: hold the money, decide later"
        } else {
            "one-stage: charge at once"
        };
        self.narrator.step(
            Actor::Shop,
            &format!(
                "prepare_payment for order {order}: {} ({kind})",
                uzs(amount)
            ),
        );
        let p = self.call(&op)?;
        self.narrator.detail(&format!(
            "OCTO: payment {} is {}",
            p.octo_payment_uuid, p.status
        ));
        if let Some(url) = &p.octo_pay_url {
            self.narrator
                .detail(&format!("the shop sends the customer to {url}"));
        }
        Ok(p)
    }

    /// The customer pays `uuid` on OCTO's page with `card`, answering the
    /// SMS code or 3-D Secure step the card asks for. The status the page
    /// ends on.
    pub fn customer_pays(
        &mut self,
        uuid: &PaymentUuid,
        card: TestCard,
    ) -> Result<PaymentStatus, String> {
        let masked = Pan::new(card.pan)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "a test card".into());
        let exp = format!(
            "{}/{}",
            card.exp.get(2..4).unwrap_or("12"),
            card.exp.get(..2).unwrap_or("30")
        );
        self.narrator.step(
            Actor::Customer,
            &format!("enters card {masked}, valid until {exp}, on the payment page"),
        );
        let customer = self.sandbox.customer();
        let mut step = customer.enter_card(uuid.as_str(), card.pan, &exp);
        loop {
            match step.map_err(|e| format!("the payment page failed: {e}"))? {
                Step::CodeRequired {
                    seconds_left,
                    phone,
                } => {
                    self.narrator.detail(&format!(
                        "sees: \"Enter the code we sent to {phone}\" (valid {seconds_left} s)"
                    ));
                    let code = self.sandbox.otp_code().to_owned();
                    self.narrator
                        .step(Actor::Customer, &format!("types the SMS code {code}"));
                    step = customer.enter_code(uuid.as_str(), &code);
                }
                Step::ThreeDSecure => {
                    self.narrator
                        .detail("sees: the card issuer's 3-D Secure page");
                    self.narrator
                        .step(Actor::Customer, "confirms on the 3-D Secure page");
                    step = customer.confirm_3ds(uuid.as_str());
                }
                Step::Retry { message } => {
                    return Err(format!("the payment page refused the input: {message}"));
                }
                Step::Finished {
                    status, message, ..
                } => {
                    let what = match (&status, &message) {
                        (_, Some(why)) => format!("\"Payment failed: {why}\""),
                        (PaymentStatus::WaitingForCapture, None) => {
                            "\"Payment authorised\" (the money is held on the card)".into()
                        }
                        _ => "\"Payment successful\"".into(),
                    };
                    self.narrator.detail(&format!(
                        "sees: {what}, and returns to the shop (status {status})"
                    ));
                    return Ok(status);
                }
                _ => return Err("the payment page reached a step the demo does not know".into()),
            }
        }
    }

    /// Waits for OCTO's verified notification that `uuid` is `status`: a
    /// hint, which the flow then confirms with [`status_is`](Self::status_is).
    pub fn notified(
        &mut self,
        uuid: &PaymentUuid,
        status: &PaymentStatus,
    ) -> Result<VerifiedNotification, String> {
        let found = self.receiver.wait_for(CALLBACK_WAIT, |a| match a {
            Arrival::Notification(n) if n.octo_payment_uuid == *uuid && n.status == *status => {
                Some(n.as_ref().clone())
            }
            _ => None,
        });
        let n = found.ok_or_else(|| format!("no verified notification of `{status}` arrived"))?;
        self.narrator.step(
            Actor::Octo,
            &format!("notification to notify_url: payment is now {}", n.status),
        );
        self.narrator.detail(
            "genuine signature (octo-proto checked it), but it covers only the payment's id and \
             status: a hint. The shop answers 200 and asks OCTO before acting",
        );
        Ok(n)
    }

    /// Checks the status of `order` with OCTO and expects `status`: the
    /// answer every decision of the shop rests on.
    pub fn status_is(&mut self, order: &str, status: &PaymentStatus) -> Result<Payment, String> {
        self.narrator.step(
            Actor::Shop,
            &format!("checks the status of order {order} (prepare_payment with the id only)"),
        );
        let op = PaymentStatusCheck::new(order.parse().map_err(|e| format!("order id: {e}"))?);
        let p = self.call(&op)?;
        let mut text = format!("OCTO: status {}", p.status);
        if let Some(sum) = p.total_sum {
            text.push_str(&format!(", amount {}", uzs(sum)));
        }
        if let Some(sum) = p.refunded_sum.filter(|s| !s.is_zero()) {
            text.push_str(&format!(", refunded {}", uzs(sum)));
        }
        if let Some(sum) = p.transfer_sum {
            text.push_str(&format!(", {} to the shop after OCTO's fee", uzs(sum)));
        }
        self.narrator.detail(&text);
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

/// An amount in sum, digits grouped by thousands: `125 000.00 UZS`.
pub fn uzs(amount: Decimal) -> String {
    let text = amount.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped} UZS")
    } else {
        format!("{sign}{grouped}.{fraction} UZS")
    }
}

/// The current instant as `init_time`; the SDK writes it in the config's
/// zone (Tashkent, UTC+05:00, unless configured).
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(uzs(Decimal::new(12_500_000, 2)), "125 000.00 UZS");
        assert_eq!(uzs(Decimal::new(999, 0)), "999 UZS");
        assert_eq!(uzs(Decimal::new(1_000, 0)), "1 000 UZS");
        assert_eq!(uzs(Decimal::new(-1_234_567, 1)), "-123 456.7 UZS");
    }
}
