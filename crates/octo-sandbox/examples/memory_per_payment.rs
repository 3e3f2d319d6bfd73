//! Memory per stored payment: creates N payments (default 1,000,000) in an
//! in-memory sandbox through its HTTP API, 64 at a time, and reports how
//! much the process's resident set (`VmRSS` in `/proc/self/status`) grew.
//! Linux only. Used by `scripts/bench-sandbox.sh`.
//!
//! ```text
//! cargo run --release -p octo-sandbox --example memory_per_payment -- 1000000
//! ```

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use octo_proto::op::PreparePayment;
use octo_proto::{Config, Currency, Operation};
use rust_decimal::Decimal;

type Http = Client<HttpConnector, Full<Bytes>>;

const CONCURRENCY: usize = 64;
const WARM_UP: usize = 1_000;

/// The resident set in KiB.
fn vm_rss_kib() -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS line")?;
    let kib = line
        .split_whitespace()
        .nth(1)
        .ok_or("no VmRSS value")?
        .parse()?;
    Ok(kib)
}

async fn create(
    http: &Http,
    config: &Config,
    id: usize,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let op = PreparePayment::new(
        format!("mem-{id}").parse()?,
        Decimal::new(100_050, 2),
        Currency::Uzs,
        "Two yoghurts",
        "https://shop.example/orders/done",
        time::macros::datetime!(2024-05-02 09:17:00),
    );
    let (parts, body) = op.build_request(config)?.into_parts();
    let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
    let response = tokio::time::timeout(Duration::from_secs(30), http.request(request)).await??;
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await?.to_bytes();
    op.parse_response(&http::Response::from_parts(parts, bytes))?;
    Ok(())
}

/// Creates payments `from..to`, `CONCURRENCY` at a time.
async fn create_range(
    http: &Http,
    config: &Arc<Config>,
    from: usize,
    to: usize,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut tasks = Vec::with_capacity(CONCURRENCY);
    for lane in 0..CONCURRENCY {
        let (http, config) = (http.clone(), Arc::clone(config));
        tasks.push(tokio::spawn(async move {
            let mut id = from + lane;
            while id < to {
                create(&http, &config, id).await?;
                id += CONCURRENCY;
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |a| a.parse())?;
    let sandbox = octo_sandbox::Sandbox::builder().start().await?;
    let config = Arc::new(sandbox.client_config());
    let http: Http = Client::builder(TokioExecutor::new()).build_http();

    // Connections, buffers and the runtime's own allocations first.
    create_range(&http, &config, 0, WARM_UP).await?;
    let before = vm_rss_kib().map_err(|e| e.to_string())?;
    let started = Instant::now();
    create_range(&http, &config, WARM_UP, WARM_UP + n).await?;
    let elapsed = started.elapsed();
    let after = vm_rss_kib().map_err(|e| e.to_string())?;
    let stored = sandbox.payment_count();
    if stored != WARM_UP + n {
        return Err(format!(
            "expected {} payments, the sandbox holds {stored}",
            WARM_UP + n
        )
        .into());
    }
    let growth = after.saturating_sub(before);
    let per_payment = growth as f64 * 1024.0 / n as f64;
    let mut out = std::io::stdout();
    writeln!(out, "payments stored:      {n} (plus {WARM_UP} warm-up)")?;
    writeln!(out, "VmRSS before:         {before} KiB")?;
    writeln!(out, "VmRSS after:          {after} KiB")?;
    writeln!(
        out,
        "growth:               {:.1} MiB",
        growth as f64 / 1024.0
    )?;
    writeln!(out, "per stored payment:   {per_payment:.0} bytes")?;
    writeln!(
        out,
        "time to store them:   {:.1} s ({:.0} payments/s over HTTP)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    )?;
    sandbox.shutdown().await;
    Ok(())
}
