//! A card token's life: `init` → `active` | `failed`; `active` → `blocked`.
//!
//! ```text
//!   Init ──callback active──► Active ──Block: block_card_token──► Blocked
//!     └───callback failed───► Failed
//!   Block from anything but Active is refused here (OCTO's error 6)
//! ```
//!
//! The states only move forward; `Blocked` and `Failed` absorb everything.
//!
//! A block whose outcome stays unknown (after the transport's own retries,
//! which do not resend a block) is reported as failed and not resent; the
//! token stays `Active`. When the caller blocks again and OCTO answers
//! error 6 (not active), the earlier block took effect: `Done(Blocked)`.

use std::collections::VecDeque;

use time::OffsetDateTime;

use super::Machine;
use super::command::{Command, InFlight, Reply, refused};
use super::failure::{Failure, Rejected};
use super::input::Input;
use super::notice::TokenNotice;
use super::output::{Awaiting, Output, Wait};
use crate::enums::TokenStatus;
use crate::error::ErrorCode;
use crate::ids::ShopTransactionId;
use crate::op::BlockCardToken;
use crate::secret::CardToken;

/// One card token.
///
/// ```
/// use octo_proto::machine::{Input, Machine, Output, TokenMachine};
/// use octo_proto::{CardToken, TokenStatus};
/// use time::macros::datetime;
///
/// let now = datetime!(2024-05-02 09:17 UTC);
/// let mut token = TokenMachine::active("bind-1".parse()?, CardToken::new("tok"));
/// token.handle_input(Input::Block, now)?;
/// assert!(matches!(token.poll_output(), Output::Send(_)));
/// assert_eq!(token.status(), &TokenStatus::Active);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TokenMachine {
    shop_transaction_id: ShopTransactionId,
    card_token: Option<CardToken>,
    status: TokenStatus,
    block_in_doubt: bool,
    in_flight: Option<InFlight>,
    out: VecDeque<Output<TokenStatus>>,
}

impl TokenMachine {
    /// A token being issued: it waits for the tokenization callback.
    ///
    /// The callback it takes is not signed (OCTO's tokenization page
    /// documents no signature), and OCTO has no call to read a token's
    /// status, so this machine trusts whoever posts to the callback URL
    /// with the binding's `shop_transaction_id`. To bind a card, drive
    /// [`BindingMachine`](super::BindingMachine) instead: it finishes only
    /// once OCTO confirmed the card in an answer to the shop's own request
    /// and the callback names the same card (see `docs/protocol-notes.md`,
    /// "What a card binding trusts").
    pub fn pending(shop_transaction_id: ShopTransactionId) -> Self {
        Self {
            shop_transaction_id,
            card_token: None,
            status: TokenStatus::Init,
            block_in_doubt: false,
            in_flight: None,
            out: VecDeque::new(),
        }
    }

    /// A token known to be active (from a binding, or from storage).
    pub fn active(shop_transaction_id: ShopTransactionId, card_token: CardToken) -> Self {
        Self {
            card_token: Some(card_token),
            status: TokenStatus::Active,
            ..Self::pending(shop_transaction_id)
        }
    }

    /// The token's status (never moves back).
    pub fn status(&self) -> &TokenStatus {
        &self.status
    }

    /// The token, once issued.
    pub fn card_token(&self) -> Option<&CardToken> {
        self.card_token.as_ref()
    }

    fn terminal(&self) -> bool {
        matches!(self.status, TokenStatus::Blocked | TokenStatus::Failed)
    }

    fn on_callback(&mut self, notice: TokenNotice) -> Result<(), Rejected> {
        if notice.shop_transaction_id != self.shop_transaction_id {
            return Err(Rejected::OtherTransaction);
        }
        if self.status != TokenStatus::Init {
            // Duplicates and late callbacks change nothing.
            return Ok(());
        }
        match notice.status {
            TokenStatus::Active => {
                self.status = TokenStatus::Active;
                self.card_token = Some(notice.card_token);
                self.out.push_back(Output::Done(TokenStatus::Active));
            }
            TokenStatus::Failed => {
                self.status = TokenStatus::Failed;
                self.out.push_back(Output::Failed(Failure::TokenFailed));
            }
            _ => {}
        }
        Ok(())
    }

    fn on_block(&mut self) -> Result<(), Rejected> {
        if self.terminal() {
            return Err(Rejected::Finished);
        }
        if let Some(flight) = &self.in_flight {
            return Err(Rejected::Busy(flight.command.endpoint()));
        }
        let (TokenStatus::Active, Some(token)) = (&self.status, &self.card_token) else {
            return Err(Rejected::TokenNotActive(self.status.clone()));
        };
        let command = Command::BlockCardToken(BlockCardToken::new(token.clone()));
        self.in_flight = Some(InFlight::new(command.clone()));
        self.out.push_back(Output::Send(command));
        Ok(())
    }

    fn blocked(&mut self) {
        self.status = TokenStatus::Blocked;
        self.block_in_doubt = false;
        self.out.push_back(Output::Done(TokenStatus::Blocked));
    }

    fn on_reply(&mut self, reply: Reply) -> Result<(), Rejected> {
        let endpoint = reply.endpoint();
        let Some(_flight) = self.in_flight.take_if(|f| f.command.endpoint() == endpoint) else {
            return Err(if self.terminal() {
                Rejected::Finished
            } else {
                Rejected::UnexpectedReply(endpoint)
            });
        };
        let Reply::BlockCardToken(result) = reply else {
            return Err(Rejected::UnexpectedReply(endpoint));
        };
        match result {
            Ok(_) => self.blocked(),
            // An earlier attempt may have blocked it already.
            Err(error)
                if self.block_in_doubt && error.code() == Some(ErrorCode::TokenNotActive) =>
            {
                self.blocked()
            }
            Err(error) => {
                // Never resent here (the transport owns retries, and does
                // not resend a block). After an unknown outcome the token
                // stays active; if the caller blocks again, OCTO's error 6
                // means this attempt took effect.
                if !refused(&error) {
                    self.block_in_doubt = true;
                }
                self.out
                    .push_back(Output::Failed(Failure::Request { endpoint, error }));
            }
        }
        Ok(())
    }
}

impl Machine for TokenMachine {
    type Outcome = TokenStatus;

    fn handle_input(&mut self, input: Input, _now: OffsetDateTime) -> Result<(), Rejected> {
        match input {
            Input::Tokenization(notice) => self.on_callback(notice),
            Input::Block => self.on_block(),
            Input::Reply(reply) => self.on_reply(reply),
            Input::Timeout => Ok(()),
            _ if self.terminal() => Err(Rejected::Finished),
            _ => Err(Rejected::NotNow {
                input: "this input",
                state: "a token",
            }),
        }
    }

    fn poll_output(&mut self) -> Output<TokenStatus> {
        if let Some(output) = self.out.pop_front() {
            return output;
        }
        let awaiting = match self.status {
            TokenStatus::Init => Awaiting::Tokenization,
            _ if self.terminal() => Awaiting::Nothing,
            _ => Awaiting::Caller,
        };
        Output::Wait(Wait::after(self.in_flight.as_ref(), None, awaiting))
    }

    fn is_terminal(&self) -> bool {
        self.terminal()
    }
}
