//! `block_card_token`: stop a stored card from being used.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::answer::{Answer, Reader};
use super::{Endpoint, Field, Operation, post_signed};
use crate::config::Config;
use crate::enums::TokenStatus;
use crate::error::Error;
use crate::secret::CardToken;

/// Blocks a card token. OCTO answers error 5 for an unknown token and 6 for
/// one that is not active.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockCardToken {
    /// The token to block.
    pub card_token: CardToken,
}

impl BlockCardToken {
    /// Blocks `card_token`.
    pub fn new(card_token: CardToken) -> Self {
        Self { card_token }
    }
}

/// OCTO's answer to a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockedToken {
    /// The token's status now, normally `blocked`.
    pub status: TokenStatus,
    /// Fields this SDK does not model, as received.
    pub extra: Map<String, Value>,
}

impl Answer for BlockedToken {
    const READER: Reader<Self> = Reader(|f| {
        Ok(BlockedToken {
            status: f.req("status", "a status string", |v| {
                v.as_str().map(TokenStatus::parse)
            })?,
            extra: f.extra(),
        })
    });
}

impl Operation for BlockCardToken {
    type Output = BlockedToken;

    const ENDPOINT: Endpoint = Endpoint::BlockCardToken;

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        let token = Field::non_empty("card_token", self.card_token.expose_secret())?;
        post_signed(config, "/block_card_token", &token)
    }
}
