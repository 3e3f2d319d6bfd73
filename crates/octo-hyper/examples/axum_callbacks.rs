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
//! The shop's handler is in `examples/shop/mod.rs`, shared with the
//! `callback_server` example. As with that example, put TLS in front
//! (OCTO calls `https://` URLs), and bound what the server holds: a reverse
//! proxy with header timeouts and a connection limit, since `axum::serve`
//! sets neither.

mod shop;

use axum::Router;
use axum::routing::get;
use octo_hyper::callback::{DEFAULT_BIND_NOTIFY_PATH, DEFAULT_NOTIFY_PATH};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = shop::addr_from_env();
    let callbacks = shop::service_from_env()?;
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
