//! What the machine scenarios share: the shop's config for a replay
//! server, and a shop with nothing to give but queued tokenization
//! callbacks.

use std::collections::VecDeque;

use octo_proto::Config;
use octo_proto::machine::{Awaiting, CodePrompt, Hold, Input, TokenNotice, Wait};
use octo_transport::BlockingFlowHandler;

/// Shop 123 with secret `secret`, talking to the replay server at `url`.
pub(crate) fn config(url: &str) -> Config {
    Config::new(123, "secret").with_base_url(url).unwrap()
}

/// A shop that asks nobody anything: redirects are ignored, a question for
/// the customer or a hold fails the test, and a wait gets the next queued
/// tokenization callback (it must be one the machine waits for), or ends
/// the run when none is left.
#[derive(Default)]
pub(crate) struct Unattended {
    /// The tokenization callbacks still to hand over, in turn.
    pub(crate) callbacks: VecDeque<TokenNotice>,
}

impl BlockingFlowHandler for Unattended {
    fn redirect(&mut self, _url: &str) {}

    fn code(&mut self, _prompt: &CodePrompt) -> Input {
        panic!("these runs ask for no code")
    }

    fn decide(&mut self, _hold: &Hold) -> Input {
        panic!("nothing is held")
    }

    fn wait(&mut self, wait: &Wait) -> Option<Input> {
        let callback = self.callbacks.pop_front()?;
        assert_eq!(wait.awaiting, Awaiting::Tokenization);
        Some(Input::Tokenization(callback))
    }
}
