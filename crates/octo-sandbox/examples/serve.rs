//! Starts a sandbox (in memory, the default shop) on the address given as
//! the first argument (default `127.0.0.1:0`), prints
//! `listening on http://ADDR` and serves until Ctrl-C. Used by
//! `scripts/bench-sandbox.sh`.
//!
//! ```text
//! cargo run --release -p octo-sandbox --example serve -- 127.0.0.1:8080
//! ```

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = support::address()?;
    let sandbox = octo_sandbox::Sandbox::builder().bind(addr).start().await?;
    support::announce(sandbox.base_url())?;
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
