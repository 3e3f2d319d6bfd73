//! Running an octo-proto state machine to its end: the client sends its
//! commands, a [`FlowHandler`] stands in for the customer and OCTO's
//! callbacks.

use octo_proto::machine::{CodePrompt, Failure, Hold, Input, Machine, Output, Rejected, Wait};
use time::OffsetDateTime;

use crate::client::Client;

/// What only the shop can supply while a flow runs: sending the customer
/// to a page, the customer's SMS code, the capture decision, and the
/// notifications or callbacks OCTO sends to the shop's server.
pub trait FlowHandler {
    /// The customer must go to `url` (payment page, OTP form, 3-D Secure).
    fn redirect(&mut self, url: &str);

    /// The customer's answer to `prompt`: [`Input::Code`] or
    /// [`Input::ResendCode`].
    fn code(&mut self, prompt: &CodePrompt) -> Input;

    /// The decision on held money: [`Input::Capture`] or [`Input::Cancel`].
    fn decide(&mut self, hold: &Hold) -> Input;

    /// Waits for what `wait` names (a verified notification, a tokenization
    /// callback) and returns it as an input, or [`Input::Timeout`] once
    /// `wait.until` has passed; `None` ends the run with
    /// [`RunError::Stalled`].
    ///
    /// The default waits for no callback at all: it sleeps until the
    /// deadline (blocking this thread) and reports a timeout, after which the machines check the
    /// status themselves.
    fn wait(&mut self, wait: &Wait) -> Option<Input> {
        let left = wait.until? - OffsetDateTime::now_utc();
        if left.is_positive() {
            std::thread::sleep(left.unsigned_abs());
        }
        Some(Input::Timeout)
    }
}

/// Why a run did not reach [`Output::Done`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The flow failed (OCTO refused, the customer gave up, a callback
    /// never came).
    #[error("the flow failed: {0}")]
    Failed(#[from] Failure),
    /// The machine refused an input the handler gave.
    #[error("the machine refused an input: {0}")]
    Rejected(#[from] Rejected),
    /// The machine waits for something the handler will not supply.
    #[error("nothing more will arrive while the machine waits for {0:?}")]
    Stalled(octo_proto::machine::Awaiting),
    /// The machine asked for something this version cannot act on.
    #[error("the machine asked for an action this client does not know")]
    UnknownOutput,
}

impl Client {
    /// Drives `machine` until it is done or fails: commands go to OCTO
    /// through this client (with its timeouts and retries), everything else
    /// to `handler`. Notifications for another transaction are skipped.
    pub fn run<M, H>(&self, machine: &mut M, handler: &mut H) -> Result<M::Outcome, RunError>
    where
        M: Machine,
        H: FlowHandler,
    {
        loop {
            let input = match machine.poll_output() {
                Output::Send(command) => Input::Reply(self.send_command(&command)),
                Output::Redirect(url) => {
                    handler.redirect(&url);
                    continue;
                }
                Output::AskCode(prompt) => handler.code(&prompt),
                Output::Decide(hold) => handler.decide(&hold),
                Output::Wait(wait) => match handler.wait(&wait) {
                    Some(input) => input,
                    None => return Err(RunError::Stalled(wait.awaiting)),
                },
                Output::Done(outcome) => return Ok(outcome),
                Output::Failed(failure) => return Err(RunError::Failed(failure)),
                _ => return Err(RunError::UnknownOutput),
            };
            match machine.handle_input(input, OffsetDateTime::now_utc()) {
                Ok(()) | Err(Rejected::OtherTransaction) => {}
                Err(rejected) => return Err(RunError::Rejected(rejected)),
            }
        }
    }
}
