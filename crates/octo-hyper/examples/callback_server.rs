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
//! - the body within `shop::BODY_TIMEOUT` (the service's own timeout), or
//!   the request is answered 408 and the connection closed.
//!
//! The shop's handler is in `examples/shop/mod.rs`, shared with the axum
//! example.
//!
//! Put TLS in front (a reverse proxy, or rustls around the stream): OCTO
//! calls `https://` URLs.

mod shop;

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

const MAX_CONNECTIONS: usize = 256;
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = shop::addr_from_env();
    let service = shop::service_from_env()?;
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
