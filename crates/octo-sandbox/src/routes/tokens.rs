//! `block_card_token`: 5 for an unknown token, 6 for one not active; a
//! success answered as the page's example, with no `data`.

use octo_proto::TokenStatus;
use serde_json::{Map, Value};

use crate::engine::Engine;
use crate::rules;
use crate::wire::{self, Body, Reject};
use octo_proto::ErrorCode;

pub(crate) fn block_card_token(engine: &Engine, body: &Body) -> Result<Value, Reject> {
    let shop = rules::authenticate(&engine.config, body)?;
    let token = body.req_text("card_token")?;
    engine
        .transact(|store, tx| {
            let t = store
                .token_mut(&token)
                .filter(|t| t.shop_id == shop.id.0)
                .ok_or_else(|| Reject::new(ErrorCode::TokenNotFound, "Card token not found"))?;
            if t.status != TokenStatus::Active {
                return Err(Reject::new(
                    ErrorCode::TokenNotActive,
                    format!("Card token is {}, not active", t.status),
                ));
            }
            t.status = TokenStatus::Blocked;
            tx.token(&token);
            let mut m = Map::new();
            m.insert("status".into(), "blocked".into());
            Ok(m)
        })
        .map(wire::ok_top_level_only)
}
