//! What the two servers among the examples share: the address they are
//! given, and the line that tells the benchmark script where they listen.

use std::io::Write;
use std::net::SocketAddr;

/// The address in the first argument, `127.0.0.1:0` without one.
pub fn address() -> Result<SocketAddr, std::net::AddrParseError> {
    std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned())
        .parse()
}

/// Prints `listening on {base_url}` at once (the script reads it).
pub fn announce(base_url: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    writeln!(out, "listening on {base_url}")?;
    out.flush()
}
