//! How the demo runs a scenario: octo-proto's state machine, driven to its end
//! by the chosen transport's `run`, with one handler, [`Shopper`], standing
//! in for the customer and for the shop's callback server.
//!
//! The machine decides every call; the transport sends it (with its
//! timeouts and retries); the shopper pays on OCTO's pages when sent
//! there, types the SMS code, decides on held money, and hands the machine
//! the callbacks the shop's server verified. A notification only makes the
//! machine ask OCTO for the status, so the shop acts on OCTO's answer.
//!
//! Everything that depends on the transports' API is in this file: the
//! shopper is octo-transport's one blocking flow handler, which every
//! transport's `run` takes.

use std::time::Duration;

use octo_proto::callback::TokenizationCallback;
use octo_proto::machine::{Awaiting, CodePrompt, Hold, Input, Machine, Wait};
use octo_proto::op::SmsCode;
use octo_proto::{Pan, PaymentStatus};
use octo_sandbox::cards::TestCard;
use octo_sandbox::{SandboxHandle, Step, page_uuid};

pub use octo_transport::RunError;

use super::money::uzs;
use super::narrate::{Actor, Narrator};
use super::receiver::{Arrival, Receiver};
use crate::backend::Backend;

/// How long the shopper waits for a callback before the scenario stalls.
const CALLBACK_WAIT: Duration = Duration::from_secs(10);

/// Runs `machine` to its end through `backend`'s transport, with `shopper`
/// answering for everyone but the shop's calls. Called from the demo's
/// thread, never from inside the runtime.
pub fn run<M: Machine>(
    backend: &Backend,
    machine: &mut M,
    shopper: &mut Shopper<'_>,
) -> Result<M::Outcome, RunError> {
    backend.run(machine, shopper)
}

/// The customer and the shop's callback server while one scenario runs.
pub struct Shopper<'a> {
    narrator: &'a Narrator,
    sandbox: &'a SandboxHandle,
    receiver: &'a Receiver,
    /// The scenario's `shop_transaction_id`: callbacks for others are not its.
    order: String,
    /// The card the customer pays with on the payment page.
    card: Option<TestCard>,
    /// What the shop decides on held money.
    decision: Option<Input>,
    /// Arrivals before this index were handed in already.
    next: usize,
    /// What went wrong on the customer's side, for the scenario's verdict.
    trouble: Option<String>,
}

impl<'a> Shopper<'a> {
    /// A shopper for the scenario of `order`, taking only callbacks that come
    /// after this moment.
    pub fn new(
        narrator: &'a Narrator,
        sandbox: &'a SandboxHandle,
        receiver: &'a Receiver,
        order: &str,
    ) -> Self {
        Self {
            narrator,
            sandbox,
            receiver,
            order: order.to_owned(),
            card: None,
            decision: None,
            next: receiver.arrivals().len(),
            trouble: None,
        }
    }

    /// The customer pays with `card` on the payment page.
    #[must_use]
    pub fn paying_with(mut self, card: TestCard) -> Self {
        self.card = Some(card);
        self
    }

    /// The shop's decision on held money (capture, or cancel).
    #[must_use]
    pub fn deciding(mut self, decision: Input) -> Self {
        self.decision = Some(decision);
        self
    }

    /// The run's failure in words, naming what went wrong on the
    /// customer's side first, when something did.
    pub fn explain(&self, error: &RunError) -> String {
        if let Some(trouble) = &self.trouble {
            return trouble.clone();
        }
        match error {
            RunError::Failed(octo_proto::machine::Failure::Request { error, .. }) => {
                crate::failure::Failure::from_sdk(error).message
            }
            RunError::Stalled(Awaiting::Notification) => "no verified notification arrived".into(),
            RunError::Stalled(Awaiting::Tokenization) => "no tokenization callback arrived".into(),
            other => other.to_string(),
        }
    }

    /// A charge of a saved card that the card's bank confirms by SMS.
    fn confirms_by_sms(&mut self, uuid: &str) {
        self.narrator
            .detail("the card's bank asks its holder to confirm this charge by SMS");
        let code = self.sandbox.otp_code().to_owned();
        self.narrator.step(
            Actor::Customer,
            &format!("gets the SMS and confirms with the code {code}"),
        );
        match self.sandbox.customer().enter_code(uuid, &code) {
            Ok(Step::Finished { status, .. }) => {
                self.narrator.detail(&format!("the payment is {status}"));
            }
            Ok(_) => {}
            Err(e) => self.trouble = Some(format!("payment page: {e}")),
        }
    }

    /// The customer on OCTO's payment page, answering the SMS code or 3-D
    /// Secure step the card asks for.
    fn pays_on_page(&mut self, uuid: &str) -> Result<(), String> {
        let card = self
            .card
            .ok_or("the customer has no card for the payment page")?;
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
        let mut step = customer.enter_card(uuid, card.pan, &exp);
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
                    step = customer.enter_code(uuid, &code);
                }
                Step::ThreeDSecure => {
                    self.narrator
                        .detail("sees: the card issuer's 3-D Secure page");
                    self.narrator
                        .step(Actor::Customer, "confirms on the 3-D Secure page");
                    step = customer.confirm_3ds(uuid);
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
                    return Ok(());
                }
                _ => return Err("the payment page reached a step the demo does not know".into()),
            }
        }
    }
}

/// A tokenization callback as the shop's server saw it.
fn tell_token(narrator: &Narrator, callback: &TokenizationCallback) {
    let card = callback
        .pan
        .as_ref()
        .map_or_else(|| "the card".into(), |p| p.masked());
    narrator.step(
        Actor::Octo,
        &format!(
            "tokenization callback to bind_notify_url: token for {card} is {}",
            callback.status
        ),
    );
    narrator
        .detail("the shop stores the token (never printed, like the card number) and answers 200");
}

// The shop's side of the run, for octo-transport's one blocking handler
// trait: every transport's run goes through it (see `crate::backend`).
impl octo_transport::BlockingFlowHandler for Shopper<'_> {
    fn redirect(&mut self, url: &str) {
        let Some(uuid) = page_uuid(url).map(str::to_owned) else {
            self.trouble = Some(format!("the shop was sent to an unknown page: {url}"));
            return;
        };
        if url
            .split(['?', '#'])
            .next()
            .is_some_and(|p| p.ends_with("/otp"))
        {
            self.confirms_by_sms(&uuid);
        } else {
            self.narrator
                .detail(&format!("the shop sends the customer to {url}"));
            if let Err(why) = self.pays_on_page(&uuid) {
                self.trouble = Some(why);
            }
        }
    }

    fn code(&mut self, _prompt: &CodePrompt) -> Input {
        let code = self.sandbox.otp_code().to_owned();
        self.narrator.step(
            Actor::Customer,
            &format!("receives the SMS and types {code} into the shop's form"),
        );
        match SmsCode::new(code) {
            Ok(code) => Input::Code(code),
            Err(e) => {
                self.trouble = Some(format!("code: {e}"));
                Input::ResendCode
            }
        }
    }

    fn decide(&mut self, hold: &Hold) -> Input {
        self.narrator.detail(&format!(
            "OCTO confirms {} held on the card; the shop must capture or cancel",
            uzs(hold.amount)
        ));
        match &self.decision {
            Some(Input::Capture { final_amount }) => Input::Capture {
                final_amount: *final_amount,
            },
            _ => Input::Cancel,
        }
    }

    /// The next callback of this scenario that the machine waits for, handed
    /// in as an input; `None` when none came in time (the run stalls).
    fn wait(&mut self, wait: &Wait) -> Option<Input> {
        if self.trouble.is_some() {
            return None;
        }
        let order = self.order.clone();
        match wait.awaiting {
            Awaiting::Notification => {
                let ours = |a: &Arrival| match a {
                    Arrival::Notification(n) if n.shop_transaction_id.as_str() == order => {
                        Some(n.as_ref().clone())
                    }
                    _ => None,
                };
                let first = self.receiver.wait_from(self.next, CALLBACK_WAIT, ours)?;
                // Several may be in already (the payment went through a
                // step or two on the way): the latest goes in, since each
                // one only makes the machine ask OCTO.
                let later: Vec<(usize, _)> = self
                    .receiver
                    .arrivals()
                    .iter()
                    .enumerate()
                    .skip(first.0 + 1)
                    .filter_map(|(index, arrival)| ours(arrival).map(|n| (index, n)))
                    .collect();
                let earlier = later.len();
                let (index, n) = later.into_iter().last().unwrap_or(first);
                self.next = index + 1;
                let also = match earlier {
                    0 => String::new(),
                    k => format!(" (the latest of {} for this payment)", k + 1),
                };
                self.narrator.step(
                    Actor::Octo,
                    &format!(
                        "notification to notify_url: payment is now {}{also}",
                        n.status
                    ),
                );
                self.narrator.detail(
                    "genuine signature (octo-proto checked it), but it covers only the \
                     payment's id and status: a hint. The shop answers 200 and asks OCTO \
                     before acting",
                );
                Some(Input::from(&n))
            }
            Awaiting::Tokenization => {
                let (index, callback) =
                    self.receiver
                        .wait_from(self.next, CALLBACK_WAIT, |a| match a {
                            Arrival::Tokenization(t) if t.shop_transaction_id.as_str() == order => {
                                Some(t.clone())
                            }
                            _ => None,
                        })?;
                self.next = index + 1;
                tell_token(self.narrator, &callback);
                Some(Input::from(&callback))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    // The demo finds the payment in the sandbox's page URLs with it.
    use octo_sandbox::page_uuid;

    #[test]
    fn the_payment_id_is_read_from_page_urls() {
        assert_eq!(
            page_uuid("http://127.0.0.1:9/pay/ab-12?language=en"),
            Some("ab-12")
        );
        assert_eq!(page_uuid("http://127.0.0.1:9/pay/ab-12/otp"), Some("ab-12"));
        assert_eq!(page_uuid("http://127.0.0.1:9/pay/"), None);
        assert_eq!(page_uuid("http://127.0.0.1:9/elsewhere"), None);
    }
}
