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
use octo_proto::{CardToken, NotificationKey, ShopTransactionId};

/// How long a request body may take to arrive before it is answered 408.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a card binding the shop started stands, as the shop records it.
enum BindingRecord {
    /// `bind_card` was sent; no callback yet.
    Started,
    /// A callback brought this token. It is *unconfirmed*: the callback is
    /// unsigned, so the token is used only once the binding's
    /// `BindingMachine` reports `Done(BoundCard)` (OCTO confirmed the card).
    Unconfirmed(CardToken),
    /// A callback said the binding failed.
    Failed,
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
            bindings.entry(id).or_insert(BindingRecord::Started);
        }
    }

    /// The token a callback brought for binding `id`, still unconfirmed.
    /// It becomes usable only when the binding's `BindingMachine` reports
    /// `Done(BoundCard)` (the token in `BoundCard` is the one to keep).
    #[allow(dead_code)] // the shop's binding code, which these examples leave out, calls it
    pub fn unconfirmed_token(&self, id: &ShopTransactionId) -> Option<CardToken> {
        match self.bindings.lock().ok()?.get(id)? {
            BindingRecord::Unconfirmed(token) => Some(token.clone()),
            BindingRecord::Started | BindingRecord::Failed => None,
        }
    }

    /// Records what a tokenization callback says about a binding this shop
    /// started; `Err` when it started none under that id, or cannot record.
    fn record_callback(&self, callback: &TokenizationCallback) -> Result<(), &'static str> {
        let mut bindings = self.bindings.lock().map_err(|_| "records unavailable")?;
        let record = bindings
            .get_mut(&callback.shop_transaction_id)
            .ok_or("no such binding")?;
        *record = match callback.token() {
            Some(token) => BindingRecord::Unconfirmed(token.clone()),
            None => BindingRecord::Failed,
        };
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
