//! The tokenization callback OCTO posts to `bind_notify_url`.

use crate::enums::TokenStatus;
use crate::ids::ShopTransactionId;
use crate::secret::CardToken;

/// The outcome of a card binding, parsed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TokenizationCallback {
    /// The shop's id of the binding.
    pub shop_transaction_id: ShopTransactionId,
    /// The new token (secret).
    pub card_token: CardToken,
    /// `active` (bound) or `failed`.
    pub status: TokenStatus,
}
