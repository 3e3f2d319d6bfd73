//! The tokenization callback OCTO posts to `bind_notify_url`.
//!
//! It carries no signature (none is documented): the shop should trust it
//! only as far as it matches a binding it started, and may confirm the
//! token's state with OCTO before using it.

use super::error::CallbackError;
use super::intake::read_object;
use super::limits::CallbackLimits;
use super::pan::CallbackPan;
use crate::card::CardExpiry;
use crate::enums::TokenStatus;
use crate::error::DecodeProblem;
use crate::ids::ShopTransactionId;
use crate::json::{Fields, text_of};
use crate::secret::CardToken;

/// The outcome of a card binding, parsed.
///
/// `Debug` shows the card masked (at most first six and last four, never
/// more than half of the digits) and hides the token, the expiry and the
/// holder's name. Unlike [`Notification`](super::Notification), unknown
/// fields are not kept: next to a full card number they could hold card data
/// too.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct TokenizationCallback {
    /// The shop's id of the binding.
    pub shop_transaction_id: ShopTransactionId,
    /// The new token (secret). Empty when a `failed` callback came without
    /// one; [`token`](Self::token) says whether there is one to store.
    pub card_token: CardToken,
    /// `active` (bound) or `failed`.
    pub status: TokenStatus,
    /// The card number OCTO reports (secret; required when `active`).
    pub pan: Option<CallbackPan>,
    /// The card's expiry, `exp` (required when `active`).
    pub exp: Option<CardExpiry>,
    /// The name on the card, `cardHolderName`.
    pub card_holder_name: Option<String>,
}

impl TokenizationCallback {
    /// A callback with the given outcome and nothing else set. For tests,
    /// sandboxes and state machines.
    pub fn new(
        shop_transaction_id: ShopTransactionId,
        card_token: CardToken,
        status: TokenStatus,
    ) -> Self {
        Self {
            shop_transaction_id,
            card_token,
            status,
            pan: None,
            exp: None,
            card_holder_name: None,
        }
    }

    /// Reads a tokenization callback.
    ///
    /// Always required: `shop_transaction_id` and `status`. When the status
    /// is `active`, `card_token`, `pan` and `exp` are required too, in
    /// their documented forms; a `failed` callback (or any other status) is
    /// accepted without them, or with them in any shape (what does not read
    /// is left unset), since it has nothing to store and refusing it would
    /// only make OCTO repeat it.
    pub fn parse<B: AsRef<[u8]>>(
        request: &http::Request<B>,
        limits: &CallbackLimits,
    ) -> Result<Self, CallbackError> {
        let map = read_object(request, limits)?;
        let fields = Fields::object(&map, "");
        let shop_transaction_id = fields.req("shop_transaction_id", "a non-empty id", |v| {
            text_of(v).and_then(|s| ShopTransactionId::new(s).ok())
        })?;
        let status = fields.req("status", "a status string", |v| {
            v.as_str().map(TokenStatus::parse)
        })?;
        // Only an `active` callback has something to store; any other
        // status is taken whatever shape its card fields have (a field
        // that does not read is dropped), since refusing it would only
        // make OCTO repeat it and keep the shop from learning the outcome.
        let active = status == TokenStatus::Active;
        let card_token = strict_if(
            active,
            fields.opt("card_token", "a string", |v| v.as_str().map(CardToken::new)),
        )?;
        let pan = strict_if(
            active,
            fields.opt("pan", "a card number of 12 to 19 digits", |v| {
                v.as_str().and_then(CallbackPan::new)
            }),
        )?;
        let exp = strict_if(
            active,
            fields.opt("exp", "YYMM", |v| {
                text_of(v).and_then(|s| CardExpiry::parse_yymm(&s).ok())
            }),
        )?;
        let card_holder_name = strict_if(active, fields.opt_text("cardHolderName"))?;

        let card_token = card_token.filter(|t| !t.expose_secret().is_empty());
        if active {
            require(card_token.is_some(), "card_token")?;
            require(pan.is_some(), "pan")?;
            require(exp.is_some(), "exp")?;
        }
        Ok(Self {
            shop_transaction_id,
            card_token: card_token.unwrap_or_else(|| CardToken::new("")),
            status,
            pan,
            exp,
            card_holder_name,
        })
    }

    /// The token to store: present when the binding is `active` and the
    /// callback carried one.
    pub fn token(&self) -> Option<&CardToken> {
        (self.status == TokenStatus::Active && !self.card_token.expose_secret().is_empty())
            .then_some(&self.card_token)
    }
}

/// `read` as it is when `strict`; otherwise a field that does not read is
/// left unset instead of refusing the callback.
fn strict_if<T>(
    strict: bool,
    read: Result<Option<T>, crate::json::FieldError>,
) -> Result<Option<T>, crate::json::FieldError> {
    match read {
        Err(_) if !strict => Ok(None),
        other => other,
    }
}

fn require(present: bool, field: &str) -> Result<(), CallbackError> {
    if present {
        Ok(())
    } else {
        Err(CallbackError::Field {
            path: field.to_owned(),
            problem: DecodeProblem::Missing,
        })
    }
}

impl std::fmt::Debug for TokenizationCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The expiry and the holder's name are card data: shown only as
        // present or absent.
        let hidden = |present: bool| if present { "Some([REDACTED])" } else { "None" };
        f.debug_struct("TokenizationCallback")
            .field("shop_transaction_id", &self.shop_transaction_id)
            .field("card_token", &self.card_token)
            .field("status", &self.status)
            .field("pan", &self.pan)
            .field("exp", &format_args!("{}", hidden(self.exp.is_some())))
            .field(
                "card_holder_name",
                &format_args!("{}", hidden(self.card_holder_name.is_some())),
            )
            .finish()
    }
}
