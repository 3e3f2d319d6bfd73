//! The shop's side of OCTO's callbacks, shared by the `callback_server`
//! and `axum_callbacks` examples: the handler is the same whichever server
//! mounts it.

use std::time::Duration;

use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::NotificationKey;
use octo_proto::callback::{
    NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
    VerifiedNotification,
};

/// How long a request body may take to arrive before it is answered 408.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// What the shop does with a verified callback.
pub struct Shop;

impl CallbackHandler for Shop {
    async fn notification(&self, notification: VerifiedNotification) -> NotificationReply {
        // A signed hint only: confirm with a status check before shipping.
        println!(
            "notification: {} is {}",
            notification.shop_transaction_id, notification.status
        );
        NotificationReply::acknowledge()
    }

    async fn tokenization(&self, callback: TokenizationCallback) -> TokenizationReply {
        // Store the token durably before answering `stored`.
        println!("tokenization callback for {}", callback.shop_transaction_id);
        TokenizationReply::stored("stored")
    }
}

/// The callback service for [`Shop`], checking signatures with the key in
/// `OCTO_NOTIFY_KEY`, with [`BODY_TIMEOUT`].
pub fn service_from_env() -> Result<CallbackService<Shop>, std::env::VarError> {
    let key = std::env::var("OCTO_NOTIFY_KEY")?;
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(key));
    Ok(CallbackService::new(Shop, scheme).with_body_timeout(BODY_TIMEOUT))
}

/// The address to listen on: `CALLBACK_ADDR`, or `127.0.0.1:8443`.
pub fn addr_from_env() -> String {
    std::env::var("CALLBACK_ADDR").unwrap_or_else(|_| "127.0.0.1:8443".to_owned())
}
