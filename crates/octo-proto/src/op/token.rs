//! `block_card_token`: stop a stored card from being used.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Endpoint, Operation, expose, post_json, validate};
use crate::config::Config;
use crate::enums::TokenStatus;
use crate::envelope;
use crate::error::Error;
use crate::ids::ShopId;
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

#[derive(Serialize)]
struct Wire<'a> {
    octo_shop_id: ShopId,
    #[serde(serialize_with = "expose::secret")]
    octo_secret: &'a crate::secret::OctoSecret,
    #[serde(serialize_with = "expose::token")]
    card_token: &'a CardToken,
}

impl Operation for BlockCardToken {
    type Output = BlockedToken;

    fn endpoint(&self) -> Endpoint {
        Endpoint::BlockCardToken
    }

    fn build_request(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        validate::not_empty("card_token", self.card_token.expose_secret())?;
        let wire = Wire {
            octo_shop_id: config.shop_id(),
            octo_secret: config.secret(),
            card_token: &self.card_token,
        };
        post_json(config, "/block_card_token", &wire)
    }

    fn parse_response<B: AsRef<[u8]>>(
        &self,
        response: &http::Response<B>,
    ) -> Result<BlockedToken, Error> {
        envelope::decode(Endpoint::BlockCardToken, response, |f| {
            Ok(BlockedToken {
                status: f.req("status", "a status string", |v| {
                    v.as_str().map(TokenStatus::parse)
                })?,
                extra: f.extra(),
            })
        })
    }
}
