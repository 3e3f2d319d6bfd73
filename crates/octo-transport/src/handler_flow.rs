//! A client and the shop's handler joined into the one flow the runner
//! drives: commands go to the client, everything else to the handler.
//!
//! The client's half is named by what it does ([`SendCommand`],
//! [`SendCommandBlocking`]), so that this file needs neither the client
//! nor the client this file: `client.rs` and `blocking.rs` implement the
//! two traits and build a [`HandlerFlow`] in their `run`.

use std::future::Future;

use octo_proto::machine::{CodePrompt, Command, Hold, Input, Reply, Wait};

use crate::handler::{BlockingFlowHandler, FlowHandler};
use crate::run::{AsyncFlow, Flow};

/// Sends a state machine's command and returns the reply: the async
/// client's part in a flow.
pub(crate) trait SendCommand {
    /// Sends `command` to OCTO with the client's timeouts and retries.
    fn send_command(&self, command: &Command) -> impl Future<Output = Reply> + Send;
}

/// Sends a state machine's command and returns the reply, on this thread:
/// the blocking client's part in a flow.
pub(crate) trait SendCommandBlocking {
    /// Sends `command` to OCTO with the client's timeouts and retries.
    fn send_command(&self, command: &Command) -> Reply;
}

/// A client and a handler as one flow for the runner: commands go to the
/// client, everything else to the handler.
pub(crate) struct HandlerFlow<'a, C, H> {
    client: &'a C,
    handler: &'a mut H,
}

impl<'a, C, H> HandlerFlow<'a, C, H> {
    pub(crate) fn new(client: &'a C, handler: &'a mut H) -> Self {
        Self { client, handler }
    }
}

impl<C: SendCommand, H: FlowHandler> AsyncFlow for HandlerFlow<'_, C, H> {
    fn send(&mut self, command: &Command) -> impl Future<Output = Reply> + Send {
        self.client.send_command(command)
    }

    fn redirect(&mut self, url: &str) -> impl Future<Output = ()> + Send {
        self.handler.redirect(url)
    }

    fn code(&mut self, prompt: &CodePrompt) -> impl Future<Output = Input> + Send {
        self.handler.code(prompt)
    }

    fn decide(&mut self, hold: &Hold) -> impl Future<Output = Input> + Send {
        self.handler.decide(hold)
    }

    fn wait(&mut self, wait: &Wait) -> impl Future<Output = Option<Input>> + Send {
        self.handler.wait(wait)
    }
}

impl<C: SendCommandBlocking, H: BlockingFlowHandler> Flow for HandlerFlow<'_, C, H> {
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
