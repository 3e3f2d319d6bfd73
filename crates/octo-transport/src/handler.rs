//! What only the shop can supply while a flow runs, async and blocking.
//! The shop's side knows nothing of the client: `handler_flow.rs` joins
//! the two for the runner.

use std::future::Future;

use octo_proto::machine::{CodePrompt, Hold, Input, Wait};
use time::OffsetDateTime;

/// What only the shop can supply while a flow runs on an async client:
/// sending the customer to a page, the customer's SMS code, the capture
/// decision, and the notifications or callbacks OCTO sends to the shop's
/// server. One trait for every async transport.
pub trait FlowHandler {
    /// The customer must go to `url` (payment page, OTP form, 3-D Secure).
    fn redirect(&mut self, url: &str) -> impl Future<Output = ()> + Send;

    /// The customer's answer to `prompt`: [`Input::Code`] or
    /// [`Input::ResendCode`].
    fn code(&mut self, prompt: &CodePrompt) -> impl Future<Output = Input> + Send;

    /// The decision on held money: [`Input::Capture`] or [`Input::Cancel`].
    fn decide(&mut self, hold: &Hold) -> impl Future<Output = Input> + Send;

    /// Waits for what `wait` names (a verified notification, a tokenization
    /// callback) and returns it as an input, or [`Input::Timeout`] once
    /// `wait.until` has passed; `None` ends the run with
    /// [`RunError::Stalled`](crate::RunError::Stalled).
    ///
    /// The default waits for no callback at all: it sleeps (on tokio's
    /// timer) until the deadline and reports a timeout, after which the
    /// machines check the status themselves.
    fn wait(&mut self, wait: &Wait) -> impl Future<Output = Option<Input>> + Send {
        let until = wait.until;
        async move {
            let left = until? - OffsetDateTime::now_utc();
            if left.is_positive() {
                tokio::time::sleep(left.unsigned_abs()).await;
            }
            Some(Input::Timeout)
        }
    }
}

/// What only the shop can supply while a flow runs on a blocking client,
/// as [`FlowHandler`] but answering on the calling thread.
pub trait BlockingFlowHandler {
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
    /// [`RunError::Stalled`](crate::RunError::Stalled).
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
