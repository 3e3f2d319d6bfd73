//! Running an octo-proto state machine to its end: the client sends its
//! commands, a [`FlowHandler`] stands in for the customer and OCTO's
//! callbacks.

use octo_proto::machine::{CodePrompt, Command, Hold, Input, Machine, Reply, Wait};
use octo_transport::Flow;
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
    /// deadline (blocking this thread) and reports a timeout, after which
    /// the machines check the status themselves.
    fn wait(&mut self, wait: &Wait) -> Option<Input> {
        let left = wait.until? - OffsetDateTime::now_utc();
        if left.is_positive() {
            std::thread::sleep(left.unsigned_abs());
        }
        Some(Input::Timeout)
    }
}

pub use octo_transport::RunError;

impl Client {
    /// Drives `machine` until it is done or fails: commands go to OCTO
    /// through this client (with its timeouts and retries), everything else
    /// to `handler`. Notifications for another transaction are skipped.
    pub fn run<M, H>(&self, machine: &mut M, handler: &mut H) -> Result<M::Outcome, RunError>
    where
        M: Machine,
        H: FlowHandler,
    {
        octo_transport::run_blocking(
            machine,
            &mut Steps {
                client: self,
                handler,
            },
        )
    }
}

/// The client and the handler as one flow for octo-transport's loop.
struct Steps<'a, H> {
    client: &'a Client,
    handler: &'a mut H,
}

impl<H: FlowHandler> Flow for Steps<'_, H> {
    fn send(&mut self, command: &Command) -> Reply {
        self.client.send_command(command)
    }

    fn redirect(&mut self, url: &str) {
        self.handler.redirect(url);
    }

    fn code(&mut self, prompt: &CodePrompt) -> Input {
        self.handler.code(prompt)
    }

    fn decide(&mut self, hold: &Hold) -> Input {
        self.handler.decide(hold)
    }

    fn wait(&mut self, wait: &Wait) -> Option<Input> {
        self.handler.wait(wait)
    }
}
