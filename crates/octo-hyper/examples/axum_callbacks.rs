//! OCTO's callbacks inside an axum application: the shop's own routes and
//! octo-hyper's `CallbackService` on one router and one port.
//!
//! ```sh
//! OCTO_NOTIFY_KEY=… CALLBACK_ADDR=0.0.0.0:8443 \
//!     cargo run -p octo-hyper --example axum_callbacks
//! ```
//!
//! The service is a tower `Service`, so `route_service` mounts it as it
//! is: the head checks, the body cap, the body timeout (a trickled body is
//! answered 408) and the signature check all stay the service's. Mount it
//! on its whole paths with `route_service`, not under `nest_service`,
//! which strips the prefix the service matches on.
//!
//! As with the hyper example, put TLS in front (OCTO calls `https://`
//! URLs), and bound what the server holds: a reverse proxy with header
//! timeouts and a connection limit, since `axum::serve` sets neither.

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::NotificationKey;
use octo_proto::callback::{
    NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
    VerifiedNotification,
};
use tokio::net::TcpListener;

const BODY_TIMEOUT: Duration = Duration::from_secs(10);

struct Shop;

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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("OCTO_NOTIFY_KEY")?;
    let addr = std::env::var("CALLBACK_ADDR").unwrap_or_else(|_| "127.0.0.1:8443".to_owned());
    let callbacks =
        CallbackService::new(Shop, SignatureScheme::UniqueKey(NotificationKey::new(key)))
            .with_body_timeout(BODY_TIMEOUT);
    let app = Router::new()
        // The shop's own pages live beside the callbacks.
        .route("/health", get(|| async { "ok" }))
        .route_service(DEFAULT_NOTIFY_PATH, callbacks.clone())
        .route_service(DEFAULT_BIND_NOTIFY_PATH, callbacks);
    let listener = TcpListener::bind(&addr).await?;
    println!("serving OCTO callbacks on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
