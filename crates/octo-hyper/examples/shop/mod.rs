//! The shop's side of OCTO's callbacks, shared by the `callback_server`
//! and `axum_callbacks` examples: the handler is the same whichever server
//! mounts it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::callback::{
    NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
    VerifiedNotification,
};
use octo_proto::{CardToken, MaskedPan, NotificationKey, ShopTransactionId};

/// How long a request body may take to arrive before it is answered 408.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// What the shop knows of a card binding it started, as it records it.
///
/// Every token a callback brought is kept, with its masked card, and none
/// is ever dropped or replaced: callbacks are unsigned, so a later one
/// (a `failed` one included, or a POST OCTO never sent) must not erase a
/// token OCTO really issued. Which token counts is decided by OCTO, through
/// the binding's `BindingMachine`.
#[derive(Default)]
struct BindingRecord {
    /// Every token a callback brought and the shop acknowledged, in the
    /// order they came, each with the card it named. All *unconfirmed*:
    /// the one to use is the one `Done(BoundCard)` names, once the
    /// binding's machine reports it (OCTO confirmed the card).
    tokens: Vec<(CardToken, Option<MaskedPan>)>,
    /// Whether a callback said the binding failed. Only noted: it changes
    /// no stored token, and OCTO's answers decide the binding.
    failed_callback: bool,
}

/// What the shop does with a verified callback.
///
/// Its records live in memory here; a real shop keeps them in its
/// database, so that they survive a restart, and writes them before it
/// answers OCTO.
#[derive(Default)]
pub struct Shop {
    bindings: Mutex<HashMap<ShopTransactionId, BindingRecord>>,
}

impl Shop {
    /// Notes a card binding the shop started (call it when sending
    /// `bind_card`): only those take a tokenization callback.
    #[allow(dead_code)] // the shop's binding code, which these examples leave out, calls it
    pub fn binding_started(&self, id: ShopTransactionId) {
        if let Ok(mut bindings) = self.bindings.lock() {
            bindings.entry(id).or_default();
        }
    }

    /// Every token callbacks brought for binding `id`, with its masked
    /// card, all still unconfirmed. When the binding's `BindingMachine`
    /// reports `Done(BoundCard)`, the shop uses the token `BoundCard`
    /// names: the machine keeps the last `active` callback that came before
    /// OCTO confirmed the card, and OCTO may send more than one token for
    /// one binding (`docs/protocol-notes.md`, "Two different tokens for one
    /// binding"). The others stay stored and unconfirmed, never used.
    #[allow(dead_code)] // the shop's binding code, which these examples leave out, calls it
    pub fn unconfirmed_tokens(
        &self,
        id: &ShopTransactionId,
    ) -> Vec<(CardToken, Option<MaskedPan>)> {
        self.bindings
            .lock()
            .ok()
            .and_then(|bindings| bindings.get(id).map(|record| record.tokens.clone()))
            .unwrap_or_default()
    }

    /// Whether a callback said binding `id` failed (a note only: OCTO's
    /// answers decide the binding).
    #[allow(dead_code)] // the shop's binding code, which these examples leave out, calls it
    pub fn failed_callback(&self, id: &ShopTransactionId) -> bool {
        self.bindings
            .lock()
            .ok()
            .and_then(|bindings| bindings.get(id).map(|record| record.failed_callback))
            .unwrap_or(false)
    }

    /// Records what a tokenization callback says about a binding this shop
    /// started: a token is added to those kept (once, however often it
    /// comes), a failure only noted. `Err` when it started no binding under
    /// that id, or cannot record.
    fn record_callback(&self, callback: &TokenizationCallback) -> Result<(), &'static str> {
        let mut bindings = self.bindings.lock().map_err(|_| "records unavailable")?;
        let record = bindings
            .get_mut(&callback.shop_transaction_id)
            .ok_or("no such binding")?;
        match callback.token() {
            Some(token) => {
                let known = record
                    .tokens
                    .iter()
                    .any(|(kept, _)| kept.expose_secret() == token.expose_secret());
                if !known {
                    let card = callback.pan.as_ref().and_then(|pan| pan.to_masked_pan());
                    record.tokens.push((token.clone(), card));
                }
            }
            None => record.failed_callback = true,
        }
        Ok(())
    }
}

impl CallbackHandler for Shop {
    async fn notification(&self, notification: VerifiedNotification) -> NotificationReply {
        // A signed hint only. A real shop now checks the status with OCTO
        // (`PaymentStatusCheck` for `notification.shop_transaction_id`, or
        // hands the notification to the payment's machine), records OCTO's
        // answer, and acknowledges only then; if the check fails it answers
        // `NotificationReply::reject`, and OCTO sends the notification
        // again (`docs/webhooks.md`, "The safe order"). This example acts
        // on nothing, so it only logs and acknowledges.
        println!(
            "notification: {} is {}",
            notification.shop_transaction_id, notification.status
        );
        NotificationReply::acknowledge()
    }

    async fn tokenization(&self, callback: TokenizationCallback) -> TokenizationReply {
        // The callback is unsigned: it must name a binding this shop
        // started, and its token is stored as unconfirmed, before `stored`
        // is answered (OCTO cancels the token after three failed tries). A
        // callback for no binding of ours is refused: OCTO tries again,
        // then cancels that token.
        println!("tokenization callback for {}", callback.shop_transaction_id);
        match self.record_callback(&callback) {
            Ok(()) => TokenizationReply::stored("stored, unconfirmed"),
            Err(reason) => TokenizationReply::not_stored(reason),
        }
    }
}

/// The callback service for [`Shop`], checking signatures with the key in
/// `OCTO_NOTIFY_KEY`, with [`BODY_TIMEOUT`].
pub fn service_from_env() -> Result<CallbackService<Shop>, std::env::VarError> {
    let key = std::env::var("OCTO_NOTIFY_KEY")?;
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(key));
    Ok(CallbackService::new(Shop::default(), scheme).with_body_timeout(BODY_TIMEOUT))
}

/// The address to listen on: `CALLBACK_ADDR`, or `127.0.0.1:8443`.
pub fn addr_from_env() -> String {
    std::env::var("CALLBACK_ADDR").unwrap_or_else(|_| "127.0.0.1:8443".to_owned())
}

#[cfg(test)]
mod tests {
    use octo_proto::TokenStatus;

    use super::*;

    fn callback(id: &ShopTransactionId, token: &str, status: TokenStatus) -> TokenizationCallback {
        TokenizationCallback::new(id.clone(), CardToken::new(token), status)
    }

    fn kept(shop: &Shop, id: &ShopTransactionId) -> Vec<String> {
        shop.unconfirmed_tokens(id)
            .iter()
            .map(|(token, _)| token.expose_secret().to_owned())
            .collect()
    }

    #[test]
    fn a_later_callback_never_erases_a_kept_token() {
        let shop = Shop::default();
        let id = ShopTransactionId::new("bind-1").expect("a valid id");
        shop.binding_started(id.clone());

        let first = callback(&id, "tok-first", TokenStatus::Active);
        assert!(shop.record_callback(&first).is_ok());
        // A `failed` callback (unsigned: anyone may POST one) only notes.
        let failed = callback(&id, "", TokenStatus::Failed);
        assert!(shop.record_callback(&failed).is_ok());
        assert_eq!(kept(&shop, &id), ["tok-first"]);
        assert!(shop.failed_callback(&id));

        // A second token is kept beside the first; a repeat adds nothing.
        let second = callback(&id, "tok-second", TokenStatus::Active);
        assert!(shop.record_callback(&second).is_ok());
        assert!(shop.record_callback(&first).is_ok());
        assert_eq!(kept(&shop, &id), ["tok-first", "tok-second"]);
    }

    #[test]
    fn a_callback_for_no_started_binding_is_refused() {
        let shop = Shop::default();
        let id = ShopTransactionId::new("bind-2").expect("a valid id");
        let stray = callback(&id, "tok", TokenStatus::Active);
        assert_eq!(shop.record_callback(&stray), Err("no such binding"));
        assert!(shop.unconfirmed_tokens(&id).is_empty());
    }
}
