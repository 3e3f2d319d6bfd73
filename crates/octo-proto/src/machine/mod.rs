//! State machines for OCTO's flows: payments ([`PaymentMachine`]), payments
//! with a stored card ([`TokenPaymentMachine`]), card binding
//! ([`BindingMachine`]) and card tokens ([`TokenMachine`]).
//!
//! A machine is a plain value. It does no I/O and never reads the clock:
//! every input comes with `now`, and every deadline goes out as a time.
//! All four implement [`Machine`], so one loop drives any of them:
//!
//! 1. Hand in an [`Input`] with [`Machine::handle_input`] (a refused input
//!    returns [`Rejected`] and changes nothing).
//! 2. Poll [`Machine::poll_output`] until it returns [`Output::Wait`], and
//!    act on each output:
//!    - [`Output::Send`]: send the [`Command`] (`build_request`, your HTTP
//!      client, `parse_response`, or [`Command::fail`] for a transport
//!      error) and hand the [`Reply`] back as [`Input::Reply`]. The machine
//!      sends one command at a time.
//!    - [`Output::Redirect`]: send the customer to the URL.
//!    - [`Output::AskCode`]: ask the customer for the SMS code, then
//!      [`Input::Code`] or [`Input::ResendCode`].
//!    - [`Output::Decide`]: the money is held; [`Input::Capture`] or
//!      [`Input::Cancel`].
//!    - [`Output::Done`]: the flow settled.
//!    - [`Output::Failed`]: a step failed and is reported; stop and look.
//!      It does **not** always mean the flow ended: ask
//!      [`Machine::is_terminal`]. `true`: the flow is over, the machine
//!      absorbs every further input. `false`: the failure was reported but
//!      the payment or binding is not over, and OCTO may still move it.
//!      Keep the machine and drive it again (poll again, hand in the next
//!      notification, callback or [`Input::Timeout`], or
//!      [`Input::CheckStatus`] later); never read such a `Failed` as "not
//!      paid" or "not bound". The machines that stay open after a `Failed`:
//!      a payment whose status check failed (it checks again later, unless
//!      already paid); a
//!      payment whose capture or cancel OCTO refused (held again, with a
//!      new [`Output::Decide`] next); a payment with a stored card whose
//!      `pay/{uuid}` answer was lost (the charge may have landed; the
//!      machine keeps watching it); a paid payment whose refund failed,
//!      was refused or is in doubt ([`Failure::RefundInDoubt`]: its amount
//!      stays reserved; the payment stays paid); a binding past its callback timeout after OCTO confirmed
//!      the card while no `failed` callback came (a late callback still
//!      binds; after a `failed` one the timeout ends the binding with
//!      [`Failure::TokenFailed`]); a binding that got a `failed`
//!      tokenization callback (unsigned: OCTO's answers decide); a payment
//!      still unpaid past its ttl; a token whose block failed or was
//!      refused (the token stays active).
//! 3. When idle, wait for what [`Wait::awaiting`] names (a notification, a
//!    callback, the customer) or until [`Wait::until`], then hand in
//!    [`Input::Notification`], [`Input::CheckStatus`],
//!    [`Input::Tokenization`] or [`Input::Timeout`] and go back to 2.
//!
//! # Notifications are hints
//!
//! A payment notification goes in as [`Input::Notification`] with a
//! [`PaymentNotice`], which only a
//! [`VerifiedNotification`](crate::callback::VerifiedNotification) turns
//! into. Even so it is a signed hint that the status changed, nothing more:
//! the `unique_key` signature covers the payment's id and status, not the
//! amounts. So the payment machines answer a notice with a status check
//! ([`Command::PaymentStatus`]), or wait for the answer of the command they
//! have out, and take amounts and outcomes only from OCTO's answers. A
//! notice alone never gives [`Output::Done`], [`Output::Failed`] or
//! [`Output::Decide`]. [`Input::CheckStatus`] asks for the same check
//! without any claim (the customer came back to `return_url`, a timer
//! fired), so it needs no signature.
//!
//! After `Done`, a payment still takes refunds and a token still takes a
//! block: hand in the input and drive again until the next `Done` or
//! `Failed`. A refund OCTO answers `new`, `pending` or `unknown` is not
//! finished: no `Done` comes for it, the machine waits
//! ([`Awaiting::Refund`]) and asks OCTO again (the very same refund) every
//! `recheck_interval` until OCTO says `succeeded` (`Done`) or `canceled` /
//! `error` ([`Failure::RefundRefused`]).
//!
//! # Retries: one owner
//!
//! A machine never resends a command on its own after an error. (Asking
//! again about a refund OCTO took but has not finished is a read of that
//! refund, not a retry: OCTO already answered it, and the same
//! `shop_refund_id` makes it the same refund.) Retrying
//! belongs to whoever sends the command: the transports (octo-reqwest,
//! octo-ureq, octo-hyper) run each command through their retry loop with a
//! [`RetryPolicy`](crate::RetryPolicy) and its backoff, and hand the machine
//! the one final reply. Driving a machine by hand, do the same: after a
//! failed attempt ask
//! [`RetryPolicy::decide_with`](crate::RetryPolicy::decide_with), as the
//! transports do, with the idempotency the transports use,
//! `command.is_idempotent() && policy.resends_after_unknown(command.endpoint())`
//! (see [`Command::is_idempotent`],
//! [`RetryPolicy::resends_after_unknown`](crate::RetryPolicy::resends_after_unknown);
//! the second part honours an endpoint the policy holds back with
//! [`RetryPolicy::without_resending`](crate::RetryPolicy::without_resending),
//! which [`Command::is_idempotent`] alone does not know of), the error,
//! the attempt's number, a jitter seed (drawn once per command, the same
//! for all its attempts, different between commands) and the wait the
//! failed answer's `Retry-After` header asked for, if any (read with
//! [`parse_retry_after`](crate::parse_retry_after); the transports read it
//! only on a 429 or 503 answer); sleep what it says and send the very same
//! command again (its idempotency key included), or stop and hand in the
//! error. So a command reaches OCTO at most the policy's `max_attempts`
//! times. When the attempts end with a refusal after a resend that
//! followed an unknown outcome, and the command does more than read
//! ([`Endpoint::is_read_only`](crate::Endpoint::is_read_only) is `false`),
//! hand in `Error::RefusedAfterResend(Box::new(error))`, as the transports
//! do: an earlier attempt may have landed, and a bare refusal would free
//! a refund's amount. [`RetryPolicy::decide`](crate::RetryPolicy::decide) is the same
//! with seed 0 and no `Retry-After`: every caller using it retries in step,
//! and a server's `Retry-After` is not honoured.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//!
//! use octo_proto::machine::Command;
//! use octo_proto::{Error, RetryDecision, RetryPolicy, parse_retry_after};
//!
//! /// What a hand-driven loop does after attempt `attempt` of `command`
//! /// failed with `error`, as the transports decide it. `seed` is drawn
//! /// once for the command; `server_wait` is what the failed answer's
//! /// `Retry-After` asked for (see `server_wait` below).
//! fn after_failure(
//!     policy: &RetryPolicy,
//!     command: &Command,
//!     error: &Error,
//!     attempt: u32,
//!     seed: u64,
//!     server_wait: Option<Duration>,
//! ) -> RetryDecision {
//!     let resendable = command.is_idempotent() && policy.resends_after_unknown(command.endpoint());
//!     policy.decide_with(resendable, error, attempt, seed, server_wait)
//! }
//!
//! /// The wait a 429 or 503 answer's `Retry-After` asks for, if readable;
//! /// `now` (the caller's clock) places an HTTP date.
//! fn server_wait<B>(response: &http::Response<B>, now: SystemTime) -> Option<Duration> {
//!     let status = response.status();
//!     if status != http::StatusCode::TOO_MANY_REQUESTS
//!         && status != http::StatusCode::SERVICE_UNAVAILABLE
//!     {
//!         return None;
//!     }
//!     let value = response.headers().get(http::header::RETRY_AFTER)?;
//!     parse_retry_after(value.as_bytes(), now)
//! }
//! ```
//!
//! What a machine does with a final error: an unknown outcome of a command
//! that is not idempotent is settled with a read (a status check after
//! `bind_card`, `check_sms_key`, `set_accept` or paying with a token;
//! `verificationInfo` after `check_pan`); a refund or a block whose outcome
//! stays unknown is reported as [`Output::Failed`] and may be asked for
//! again by the caller (a refund with the same `shop_refund_id` and amount
//! is the same command, which OCTO deduplicates; a new id could refund
//! twice); a failed status check of a payment changes nothing (a read
//! that will fail again is reported, and the machine checks again later
//! unless the payment is already paid); a capture or cancel OCTO refused
//! is reported and the payment is held again, with a new
//! [`Output::Decide`] after the [`Output::Failed`]; a lost answer to a
//! charge with a stored card (`pay/{uuid}`) is reported and the payment
//! watched, since the charge may have landed; a refused refund or block is
//! reported and the payment stays paid, the token active; a binding's
//! failed status check (other than the one settling a lost `bind_card`
//! answer) changes nothing, and the binding waits again. Other final
//! errors end the flow. Whichever it was, [`Machine::is_terminal`] tells.
//!
//! Driving a two-stage payment with canned answers instead of a network:
//!
//! ```
//! use octo_proto::machine::{Command, Input, Machine, Output, PaymentMachine, PaymentParams};
//! use octo_proto::{Config, Currency, PaymentStatus, TransportError, op::PreparePayment};
//! use rust_decimal::Decimal;
//! use time::macros::datetime;
//!
//! let config = Config::new(123, "secret");
//! let now = datetime!(2024-05-02 09:17 UTC);
//! let prepare = PreparePayment::new(
//!     "order-9".parse()?, Decimal::new(100_000, 2), Currency::Uzs,
//!     "Two yoghurts", "https://shop.example/9", datetime!(2024-05-02 09:17),
//! ).two_stage();
//! let mut machine = PaymentMachine::new(prepare, PaymentParams::default(), now);
//!
//! // OCTO, canned: what each endpoint answers.
//! let octo = |request: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, TransportError> {
//!     let body = String::from_utf8_lossy(request.body()).into_owned();
//!     let status = match request.uri().path() {
//!         "/set_accept" => "succeeded",
//!         // A status check is prepare_payment with the id only.
//!         _ if !body.contains("total_sum") => "waiting_for_capture",
//!         _ => "created",
//!     };
//!     let body = format!(r#"{{"error":0,"data":{{"shop_transaction_id":"order-9",
//!         "octo_payment_UUID":"e3f4","status":"{status}","total_sum":1000.00,
//!         "octo_pay_url":"https://pay2.octo.uz/pay/e3f4"}}}}"#);
//!     Ok(http::Response::new(body.into_bytes()))
//! };
//!
//! let mut seen = Vec::new();
//! let outcome = loop {
//!     match machine.poll_output() {
//!         Output::Send(command) => {
//!             let reply = command.send_with(&config, octo);
//!             machine.handle_input(Input::Reply(reply), now)?;
//!         }
//!         Output::Redirect(url) => {
//!             seen.push(url);
//!             // The customer pays and comes back to return_url (a verified
//!             // notification would do the same): the machine asks OCTO.
//!             machine.handle_input(Input::CheckStatus, now)?;
//!         }
//!         Output::Decide(hold) => {
//!             let final_amount = Some(hold.amount - Decimal::new(20_000, 2));
//!             machine.handle_input(Input::Capture { final_amount }, now)?;
//!         }
//!         Output::Done(outcome) => break outcome,
//!         other => panic!("unexpected {other:?}"),
//!     }
//! };
//! assert_eq!(seen, ["https://pay2.octo.uz/pay/e3f4"]);
//! assert_eq!(outcome.status, PaymentStatus::Succeeded);
//! assert_eq!(outcome.total_sum, Decimal::new(80_000, 2)); // 800.00 captured
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod binding;
mod checkout;
mod clock;
mod command;
mod failure;
mod input;
mod notice;
mod output;
mod payment;
mod token;
mod token_payment;

pub use binding::{BindingMachine, BindingParams, BindingPhase, BoundCard};
pub use command::{Command, Reply};
pub use failure::{Failure, Rejected};
pub use input::Input;
pub use notice::{PaymentNotice, TokenNotice};
pub use output::{Awaiting, CodePrompt, Hold, Output, Wait};
pub use payment::{PaymentMachine, PaymentOutcome, PaymentParams, PaymentPhase, RefundRecord};
pub use token::TokenMachine;
pub use token_payment::TokenPaymentMachine;

use time::OffsetDateTime;

/// A state machine for one OCTO flow: [`PaymentMachine`],
/// [`TokenPaymentMachine`], [`BindingMachine`] or [`TokenMachine`].
pub trait Machine {
    /// What [`Output::Done`] carries.
    type Outcome;

    /// Hands in an input. A refused input leaves the machine unchanged.
    fn handle_input(&mut self, input: Input, now: OffsetDateTime) -> Result<(), Rejected>;

    /// The next thing to do; [`Output::Wait`] when idle.
    fn poll_output(&mut self) -> Output<Self::Outcome>;

    /// Whether the machine has ended and absorbs every further input.
    fn is_terminal(&self) -> bool;
}
