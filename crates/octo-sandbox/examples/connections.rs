//! Holds many client connections to one sandbox at once, each sending
//! requests back to back for a bounded time, and counts the errors.
//!
//! ```text
//! ulimit -n 4096   # client and server sides both need a descriptor
//! cargo run --release -p octo-sandbox --example connections -- 1000 10
//! cargo run --release -p octo-sandbox --example connections -- 1000 10 /tmp/sandbox.redb
//! ```
//!
//! Arguments: connections (default 1000), seconds of load (default 10),
//! and a data file (default: state in memory). Every connection is opened
//! (and its HTTP/1.1 handshake done) before any request goes; then each
//! one alternates `prepare_payment` and `payment_status` on its own
//! payments, on the same keep-alive connection, until the time is up. An
//! error is a refused or dropped connection, a timeout, or an answer that
//! is not OCTO's success envelope. The process exits with status 1 when
//! there was any error. Results are recorded in `docs/reliability.md`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use octo_proto::op::{PaymentStatusCheck, PreparePayment};
use octo_proto::{Config, Currency, Operation};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

/// No single exchange may take longer.
const EXCHANGE_LIMIT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    errors: AtomicU64,
    /// Slowest exchange, in microseconds.
    slowest_us: AtomicU64,
}

/// The soft limit on open files, from `/proc/self/limits` (Linux).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

async fn exchange<O: Operation>(
    sender: &mut http1::SendRequest<Full<Bytes>>,
    config: &Config,
    op: &O,
) -> Result<O::Output, String> {
    let request = op.build_request(config).map_err(|e| e.to_string())?;
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
    let response = tokio::time::timeout(EXCHANGE_LIMIT, async {
        sender.ready().await.map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok::<_, String>(http::Response::from_parts(parts, bytes))
    })
    .await
    .map_err(|_| "timed out".to_owned())??;
    op.parse_response(&response).map_err(|e| e.to_string())
}

/// One client connection: connect, wait for the others, then load until
/// `until`.
async fn client(
    n: usize,
    addr: SocketAddr,
    config: Arc<Config>,
    ready: Arc<Barrier>,
    start: Arc<tokio::sync::OnceCell<Instant>>,
    seconds: u64,
    counts: Arc<Counts>,
) {
    let connected = async {
        let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok::<_, String>(sender)
    };
    let connected = tokio::time::timeout(EXCHANGE_LIMIT, connected)
        .await
        .unwrap_or_else(|_| Err("connect timed out".to_owned()));
    // Everyone waits here, connected or not, so that the load starts with
    // every connection open.
    ready.wait().await;
    let started = *start.get_or_init(|| async { Instant::now() }).await;
    let until = started + Duration::from_secs(seconds);
    let mut sender = match connected {
        Ok(sender) => sender,
        Err(e) => {
            eprintln!("connection {n}: {e}");
            counts.errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let mut i = 0u64;
    while Instant::now() < until {
        let id = format!("c{n}-{i}");
        i += 1;
        let began = Instant::now();
        let prepared = PreparePayment::new(
            id.parse().unwrap_or_else(|_| unreachable!("a plain id")),
            rust_decimal::Decimal::ONE_THOUSAND,
            Currency::Uzs,
            "connections",
            "https://shop.example/r",
            time::macros::datetime!(2024-05-02 09:17:00),
        );
        let outcome = match exchange(&mut sender, &config, &prepared).await {
            Ok(_) => {
                let check = PaymentStatusCheck::new(
                    id.parse().unwrap_or_else(|_| unreachable!("a plain id")),
                );
                exchange(&mut sender, &config, &check).await.map(|_| ())
            }
            Err(e) => Err(e),
        };
        let took = u64::try_from(began.elapsed().as_micros()).unwrap_or(u64::MAX);
        counts.slowest_us.fetch_max(took, Ordering::Relaxed);
        match outcome {
            Ok(()) => {
                counts.ok.fetch_add(2, Ordering::Relaxed);
            }
            Err(e) => {
                eprintln!("connection {n}: {e}");
                counts.errors.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let data = args.next();
    let needed = u64::try_from(connections)? * 2 + 64;
    if let Some(limit) = open_files_limit()
        && limit < needed
    {
        return Err(format!(
            "{connections} connections need about {needed} open files (both ends are in this \
             process) and the limit is {limit}: raise it first, e.g. `ulimit -n {needed}`"
        )
        .into());
    }
    let mut builder = octo_sandbox::Sandbox::builder()
        .configure(|c| c.max_connections = c.max_connections.max(connections));
    if let Some(path) = &data {
        builder = builder.data_file(path);
    }
    let sandbox = builder.start().await?;
    let config = Arc::new(sandbox.client_config());
    let counts = Arc::new(Counts::default());
    let ready = Arc::new(Barrier::new(connections));
    let start = Arc::new(tokio::sync::OnceCell::new());
    let tasks: Vec<_> = (0..connections)
        .map(|n| {
            tokio::spawn(client(
                n,
                sandbox.addr(),
                Arc::clone(&config),
                Arc::clone(&ready),
                Arc::clone(&start),
                seconds,
                Arc::clone(&counts),
            ))
        })
        .collect();
    for task in tasks {
        if task.await.is_err() {
            counts.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    let elapsed = start
        .get()
        .map_or(Duration::ZERO, |s: &Instant| s.elapsed());
    let ok = counts.ok.load(Ordering::Relaxed);
    let errors = counts.errors.load(Ordering::Relaxed);
    println!(
        "connections: {connections} open at once\nstate: {}\nduration: {:.1} s\n\
         requests answered with success: {ok} ({:.0}/s)\nerrors: {errors}\n\
         slowest prepare+status pair: {} ms",
        data.as_deref().unwrap_or("in memory"),
        elapsed.as_secs_f64(),
        ok as f64 / elapsed.as_secs_f64().max(0.001),
        counts.slowest_us.load(Ordering::Relaxed) / 1000,
    );
    sandbox.shutdown().await;
    if errors > 0 {
        std::process::exit(1);
    }
    Ok(())
}
