//! A callback server fit to face the internet: OCTO's notifications and
//! tokenization callbacks on one port, with every wait bounded.
//!
//! ```sh
//! OCTO_NOTIFY_KEY=… CALLBACK_ADDR=0.0.0.0:8443 \
//!     cargo run -p octo-hyper --example callback_server
//! ```
//!
//! - at most `MAX_CONNECTIONS` connections at once: a permit of a
//!   semaphore is taken before each `accept` and held until the connection
//!   ends, so further clients wait in the listen queue;
//! - the request head must arrive within `HEADER_TIMEOUT` (hyper's
//!   `header_read_timeout`), or the connection is dropped;
//! - the body within `BODY_TIMEOUT` (the service's own timeout), or the
//!   request is answered 408 and the connection closed.
//!
//! Put TLS in front (a reverse proxy, or rustls around the stream): OCTO
//! calls `https://` URLs.

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::NotificationKey;
use octo_proto::callback::{
    NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
    VerifiedNotification,
};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

const MAX_CONNECTIONS: usize = 256;
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
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
    let service = CallbackService::new(Shop, SignatureScheme::UniqueKey(NotificationKey::new(key)))
        .with_body_timeout(BODY_TIMEOUT);
    let listener = TcpListener::bind(&addr).await?;
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    println!("serving OCTO callbacks on {}", listener.local_addr()?);
    loop {
        // Wait for a free slot before taking another connection.
        let permit = Arc::clone(&permits).acquire_owned().await?;
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                // Out of descriptors, or a reset before accept: pause.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = service.clone();
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}
