//! Starts a sandbox (in memory, the default shop) on the address given as
//! the first argument (default `127.0.0.1:0`), prints
//! `listening on http://ADDR` and serves until Ctrl-C. Used by
//! `scripts/bench-sandbox.sh`.
//!
//! ```text
//! cargo run --release -p octo-sandbox --example serve -- 127.0.0.1:8080
//! ```

use std::io::Write;
use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned())
        .parse()?;
    let sandbox = octo_sandbox::Sandbox::builder().bind(addr).start().await?;
    let mut out = std::io::stdout();
    writeln!(out, "listening on {}", sandbox.base_url())?;
    out.flush()?;
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
