//! Running an octo-proto state machine, blocking and async. A
//! [`Flow`] (or [`AsyncFlow`]) is a transport's client and the shop's
//! handler together: the client sends commands, the handler answers for
//! the customer and OCTO's callbacks.
//!
//! A run ends at the machine's first [`Output::Done`] or
//! [`Output::Failed`], and a `Failed` does not always end the flow: see
//! [`RunError::Failed`].

use std::future::Future;

use octo_proto::machine::{
    Awaiting, CodePrompt, Command, Failure, Hold, Input, Machine, Output, Rejected, Reply, Wait,
};
use octo_proto::{Endpoint, Error, TransportError, TransportErrorKind};
use time::OffsetDateTime;

/// Why a run did not reach [`Output::Done`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The machine reported a failure (OCTO refused, the customer gave up,
    /// a callback never came, an answer was lost), and the run stopped
    /// there.
    ///
    /// This is not always the end of the flow: ask the machine's
    /// [`Machine::is_terminal`]. When it is `true` the flow is over. When
    /// it is `false` the failure was reported but the payment or binding
    /// is not over, and OCTO may still move it: a payment's status check
    /// that failed, a capture or cancel OCTO refused (the money is held
    /// again and a new decision is due), a lost answer to a charge with a
    /// stored card (`pay/{uuid}`: the charge may have landed, so never
    /// charge again under a new order), a refund or a block that failed or
    /// was refused, or a refund in doubt (`Failure::RefundInDoubt`) (the
    /// payment stays paid, the token active), a binding
    /// past its callback timeout after OCTO confirmed the card while no
    /// `failed` callback came (a late callback still binds; after a
    /// `failed` one the timeout ends the binding with `TokenFailed`), a
    /// binding's `failed` tokenization callback (unsigned: OCTO's answers
    /// decide), a payment still unpaid past its ttl. Keep the machine and
    /// run it again, now or when a notification or callback arrives or a
    /// timer fires (`Input::CheckStatus`), or check the status with OCTO.
    /// The full list is in `octo_proto::machine`'s documentation.
    #[error("the flow failed: {0}")]
    Failed(#[from] Failure),
    /// The machine refused an input the handler gave.
    #[error("the machine refused an input: {0}")]
    Rejected(#[from] Rejected),
    /// The machine waits for something the handler will not supply.
    #[error("nothing more will arrive while the machine waits for {0:?}")]
    Stalled(Awaiting),
    /// The machine asked for something this version cannot act on.
    #[error("the machine asked for an action this client does not know")]
    UnknownOutput,
}

/// Everything a blocking run needs besides the machine.
pub(crate) trait Flow {
    /// Sends `command` to OCTO and returns the reply.
    fn send(&mut self, command: &Command) -> Reply;
    /// The customer must go to `url`.
    fn redirect(&mut self, url: &str);
    /// The customer's answer to `prompt`.
    fn code(&mut self, prompt: &CodePrompt) -> Input;
    /// The decision on held money.
    fn decide(&mut self, hold: &Hold) -> Input;
    /// What `wait` names, or `None` when nothing more will come.
    fn wait(&mut self, wait: &Wait) -> Option<Input>;
}

/// Everything an async run needs besides the machine. The futures are
/// `Send` so that a run can be spawned on a multi-threaded runtime.
pub(crate) trait AsyncFlow {
    /// Sends `command` to OCTO and returns the reply.
    fn send(&mut self, command: &Command) -> impl Future<Output = Reply> + Send;
    /// The customer must go to `url`.
    fn redirect(&mut self, url: &str) -> impl Future<Output = ()> + Send;
    /// The customer's answer to `prompt`.
    fn code(&mut self, prompt: &CodePrompt) -> impl Future<Output = Input> + Send;
    /// The decision on held money.
    fn decide(&mut self, hold: &Hold) -> impl Future<Output = Input> + Send;
    /// What `wait` names, or `None` when nothing more will come.
    fn wait(&mut self, wait: &Wait) -> impl Future<Output = Option<Input>> + Send;
}

/// What the machine's output asks for, once its answer is known.
// Lives for one turn of the loop; boxing the input would cost an
// allocation per step to save a few bytes of stack.
#[allow(clippy::large_enum_variant)]
enum Step<O> {
    Input(Input),
    Again,
    End(Result<O, RunError>),
}

/// Drives `machine` until it is done or fails, on this thread.
/// Notifications for another transaction, and binding callbacks for
/// another card, are skipped.
pub(crate) fn run_blocking<M, F>(machine: &mut M, flow: &mut F) -> Result<M::Outcome, RunError>
where
    M: Machine,
    F: Flow,
{
    loop {
        let step = match machine.poll_output() {
            Output::Send(command) => Step::Input(Input::Reply(flow.send(&command))),
            Output::Redirect(url) => {
                flow.redirect(&url);
                Step::Again
            }
            Output::AskCode(prompt) => Step::Input(flow.code(&prompt)),
            Output::Decide(hold) => Step::Input(flow.decide(&hold)),
            Output::Wait(wait) => match lost_reply(&wait) {
                Some(reply) => Step::Input(Input::Reply(reply)),
                None => waited(flow.wait(&wait), wait.awaiting),
            },
            other => ended(other),
        };
        if let Some(end) = feed(machine, step) {
            return end;
        }
    }
}

/// Drives `machine` until it is done or fails, awaiting the flow.
/// Notifications for another transaction, and binding callbacks for
/// another card, are skipped.
pub(crate) async fn run_async<M, F>(machine: &mut M, flow: &mut F) -> Result<M::Outcome, RunError>
where
    M: Machine,
    F: AsyncFlow,
{
    loop {
        let step = match machine.poll_output() {
            Output::Send(command) => Step::Input(Input::Reply(flow.send(&command).await)),
            Output::Redirect(url) => {
                flow.redirect(&url).await;
                Step::Again
            }
            Output::AskCode(prompt) => Step::Input(flow.code(&prompt).await),
            Output::Decide(hold) => Step::Input(flow.decide(&hold).await),
            Output::Wait(wait) => match lost_reply(&wait) {
                Some(reply) => Step::Input(Input::Reply(reply)),
                None => waited(flow.wait(&wait).await, wait.awaiting),
            },
            other => ended(other),
        };
        if let Some(end) = feed(machine, step) {
            return end;
        }
    }
}

/// The reply to hand in when the machine waits for the reply to a command
/// at the start of a turn. A run hands every reply back in the turn that
/// sent its command, so such a command was sent by a run that stopped
/// before its reply came back (its future dropped, a panic caught further
/// up, a machine driven by hand and then run): that reply is lost, and no
/// one will ever hand it in. Its outcome is unknown, which is what the
/// machine is told, so that it settles it as after a timeout (with a status
/// check where resending is not safe) instead of waiting for ever.
fn lost_reply(wait: &Wait) -> Option<Reply> {
    let Awaiting::Reply(endpoint) = wait.awaiting else {
        return None;
    };
    let error = Error::Transport(TransportError::new(
        TransportErrorKind::Other,
        LostReply(endpoint),
    ));
    Some(match endpoint {
        Endpoint::PreparePayment => Reply::PreparePayment(Err(error)),
        Endpoint::PaymentStatus => Reply::PaymentStatus(Err(error)),
        Endpoint::PayWithToken => Reply::PayWithToken(Err(error)),
        Endpoint::SetAccept => Reply::SetAccept(Err(error)),
        Endpoint::Refund => Reply::Refund(Err(error)),
        Endpoint::BindCard => Reply::BindCard(Err(error)),
        Endpoint::VerificationInfo => Reply::VerificationInfo(Err(error)),
        Endpoint::CheckSmsKey => Reply::CheckSmsKey(Err(error)),
        Endpoint::CheckPan => Reply::CheckPan(Err(error)),
        Endpoint::BlockCardToken => Reply::BlockCardToken(Err(error)),
        // No machine sends these; the handler hears of the wait.
        _ => return None,
    })
}

/// Why a command's reply never came back: the run that sent it stopped
/// first. Whether OCTO acted on it is unknown.
#[derive(Debug, thiserror::Error)]
#[error("the run that sent {0} stopped before its answer came back; its outcome is unknown")]
struct LostReply(Endpoint);

fn waited<O>(input: Option<Input>, awaiting: Awaiting) -> Step<O> {
    match input {
        Some(input) => Step::Input(input),
        None => Step::End(Err(RunError::Stalled(awaiting))),
    }
}

/// The outputs that need no one's answer.
fn ended<O>(output: Output<O>) -> Step<O> {
    match output {
        Output::Done(outcome) => Step::End(Ok(outcome)),
        Output::Failed(failure) => Step::End(Err(RunError::Failed(failure))),
        _ => Step::End(Err(RunError::UnknownOutput)),
    }
}

/// Hands the step's input to the machine; `Some` when the run is over.
fn feed<M: Machine>(
    machine: &mut M,
    step: Step<M::Outcome>,
) -> Option<Result<M::Outcome, RunError>> {
    let input = match step {
        Step::Input(input) => input,
        Step::Again => return None,
        Step::End(end) => return Some(end),
    };
    match machine.handle_input(input, OffsetDateTime::now_utc()) {
        // A callback that is not this flow's (another transaction, or a
        // binding's callback for another card) is refused and skipped: an
        // unsigned callback must not be able to end the flow (a `failed`
        // one is reported once, which ends a run, and the machine stays
        // open).
        Ok(()) | Err(Rejected::OtherTransaction | Rejected::CardMismatch) => None,
        Err(rejected) => Some(Err(RunError::Rejected(rejected))),
    }
}
