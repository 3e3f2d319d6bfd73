//! An octo-proto state machine that tells the shop's side of the story:
//! each command it sends is a numbered `shop -> OCTO` step, and each answer
//! OCTO gives is told under it. Everything else (the customer, OCTO's
//! callbacks) is told by the demo's handler.
//!
//! The wrapper changes nothing of what the machine decides: it passes every
//! input and output through as it is.

use octo_proto::machine::{Command, Input, Machine, Output, Rejected, Reply};
use octo_proto::op::Payment;
use time::OffsetDateTime;

use super::money::uzs;
use super::narrate::{Actor, Narrator};

/// The words for a scenario's commands that only the scenario knows: why the shop
/// captures or cancels, why it refunds, how it pays with a token.
#[derive(Debug, Clone)]
pub struct Notes {
    /// Why the shop captures or cancels (after `set_accept ...: `).
    pub decision: String,
    /// Why the shop refunds (after `refund ...: `).
    pub refund: String,
    /// How `pay/{uuid}` is told.
    pub pay: String,
}

/// What `prepare_payment` carries beyond the amount, told under OCTO's
/// answer to it.
fn prepared_extras(op: &octo_proto::op::PreparePayment) -> Option<&'static str> {
    let fiscal = op
        .basket
        .iter()
        .any(|item| item.spic.is_some() && item.package_code.is_some());
    fiscal.then_some("the basket line carries spic, package code, VAT and the seller's INN")
}

impl Default for Notes {
    fn default() -> Self {
        Self {
            decision: "the shop decided".into(),
            refund: "the customer returned goods".into(),
            pay: "pay/{uuid} with the saved card's token".into(),
        }
    }
}

/// A machine whose commands and OCTO's answers are told as they happen.
pub struct Narrated<'a, M> {
    machine: &'a mut M,
    narrator: &'a Narrator,
    /// The scenario's own words.
    pub notes: Notes,
    /// What to tell under the answer to `prepare_payment`.
    extras: Option<&'static str>,
}

impl<'a, M: Machine> Narrated<'a, M> {
    /// Tells `machine`'s calls with `narrator`.
    pub fn new(machine: &'a mut M, narrator: &'a Narrator) -> Self {
        Self {
            machine,
            narrator,
            notes: Notes::default(),
            extras: None,
        }
    }

    /// The same, with the scenario's own words.
    pub fn with(mut self, change: impl FnOnce(&mut Notes)) -> Self {
        change(&mut self.notes);
        self
    }

    fn tell_command(&mut self, command: &Command) {
        let text = match command {
            Command::PreparePayment(op) => {
                self.extras = prepared_extras(op);
                let kind = if op.auto_capture {
                    "one-stage: charge at once"
                } else {
                    "two-stage: hold the money, decide later"
                };
                format!(
                    "prepare_payment for order {}: {} ({kind})",
                    op.shop_transaction_id,
                    uzs(op.total_sum)
                )
            }
            Command::PaymentStatus(op) => format!(
                "checks the status of order {} (prepare_payment with the id only)",
                op.shop_transaction_id
            ),
            Command::SetAccept(op) => {
                let what = match op.final_amount {
                    Some(amount) => {
                        format!("set_accept capture, final amount {}", uzs(amount))
                    }
                    _ => format!("set_accept {}", op.accept_status),
                };
                format!("{what}: {}", self.notes.decision)
            }
            Command::Refund(op) => format!(
                "refund {} (shop_refund_id {}): {}",
                uzs(op.amount),
                op.shop_refund_id,
                self.notes.refund
            ),
            Command::PayWithToken(_) => self.notes.pay.clone(),
            Command::BindCard(_) => "bind_card with the card and the owner's phone".into(),
            Command::VerificationInfo(_) => "verificationInfo: has the SMS code gone out?".into(),
            Command::CheckSmsKey(_) => "bind_card/check_sms_key with the code".into(),
            Command::CheckPan(_) => "check_pan: send the SMS code again".into(),
            Command::BlockCardToken(_) => "block_card_token".into(),
            other => format!("{}", other.endpoint()),
        };
        self.narrator.step(Actor::Shop, &text);
    }

    fn tell_reply(&mut self, reply: &Reply) {
        let text = match reply {
            Reply::PreparePayment(Ok(p)) => {
                self.narrator.detail(&format!(
                    "OCTO: payment {} is {}",
                    p.octo_payment_uuid, p.status
                ));
                if let Some(extras) = self.extras.take() {
                    self.narrator.detail(extras);
                }
                return;
            }
            Reply::PaymentStatus(Ok(p)) => status_line(p),
            Reply::SetAccept(Ok(p)) => format!("OCTO: the payment is now {}", p.status),
            Reply::Refund(Ok(r)) => format!(
                "OCTO: refund {} is {}",
                r.refund_id
                    .as_ref()
                    .map_or_else(|| "(no id)".into(), ToString::to_string),
                r.status
            ),
            Reply::PayWithToken(Ok(t)) => format!("OCTO: payment is {}", t.status),
            Reply::BindCard(Ok(p)) => {
                format!("OCTO: binding {} is {}", p.octo_payment_uuid, p.status)
            }
            Reply::VerificationInfo(Ok(v)) | Reply::CheckPan(Ok(v)) => format!(
                "OCTO: code sent to {}, valid {} s",
                v.phone.as_deref().unwrap_or("the card's phone"),
                v.seconds_left
            ),
            Reply::CheckSmsKey(Ok(p)) => format!("OCTO: binding is {}", p.status),
            Reply::BlockCardToken(Ok(b)) => format!("OCTO: the token is {}", b.status),
            // A refusal is told by the scenario, which knows whether it was
            // expected; a retried failure by the transport's logs.
            _ => return,
        };
        self.narrator.detail(&text);
    }
}

/// OCTO's answer to a status check, with the amounts the shop acts on.
pub fn status_line(p: &Payment) -> String {
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
    text
}

impl<M: Machine> Machine for Narrated<'_, M> {
    type Outcome = M::Outcome;

    fn handle_input(&mut self, input: Input, now: OffsetDateTime) -> Result<(), Rejected> {
        if let Input::Reply(reply) = &input {
            self.tell_reply(reply);
        }
        self.machine.handle_input(input, now)
    }

    fn poll_output(&mut self) -> Output<Self::Outcome> {
        let output = self.machine.poll_output();
        if let Output::Send(command) = &output {
            self.tell_command(command);
        }
        output
    }

    fn is_terminal(&self) -> bool {
        self.machine.is_terminal()
    }
}
