//! The paired harness of the transport benches (octo-hyper, octo-reqwest,
//! octo-ureq include this file with `#[path]`, with `loopback.rs` for the
//! shared setup and, the async ones, `tokio_drivers.rs`).
//!
//! On a machine whose cores are shared, timing one side for seconds and
//! then the other lets the load drift between them decide the ratio. Here
//! the two sides alternate in pairs of equal batches within one run (raw
//! then octo, octo then raw in the next pair, and so on), each pair gives
//! one ratio, and the median of those ratios is the figure reported, with
//! its quartiles, min and max.
//!
//! Modes, from the command line (`cargo bench -p CRATE --bench transport --
//! ARGS`):
//!
//! - `--bench` (what `cargo bench` passes): the full measurement.
//!   `OCTO_BENCH_PAIRS` (default 31) and `OCTO_BENCH_BATCH_MS` (default 40,
//!   the raw side's time per batch) change its size.
//! - nothing (what `cargo test --all-targets` runs): a smoke run of three
//!   pairs of two calls, so the bench is checked without timing anything.
//! - `--count raw|octo N` (or another baseline a bench names, such as
//!   octo-hyper's `serde`): one call to open the connection, then `N` calls
//!   one at a time, nothing printed but a line at the end; run it under
//!   `valgrind --tool=callgrind` twice with different `N` and divide the
//!   difference of the totals by the difference of the `N`s for the
//!   instructions of one call (the whole process: client, runtime and the
//!   loopback server).

#![allow(dead_code)]

use std::time::{Duration, Instant};

/// What a measurement reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Time per call: the ratio is octo's time over raw's (lower is better
    /// for octo; the target is at most 1.05).
    Latency,
    /// Calls per second with several in flight: the ratio is octo's
    /// throughput over raw's (higher is better; the target is at least
    /// 0.95).
    Throughput,
}

/// How the binary was asked to run.
pub enum Mode {
    /// The full paired measurement.
    Measure { pairs: usize, batch: Duration },
    /// A few tiny pairs, to check the bench works.
    Smoke,
    /// Calls of one side only, to be counted by callgrind.
    Count { octo: bool, calls: u64 },
    /// Calls of another baseline a bench names (see
    /// [`Mode::from_args_with`]), to be counted by callgrind.
    CountOther { side: &'static str, calls: u64 },
}

impl Mode {
    /// Reads the command line and the `OCTO_BENCH_*` variables.
    pub fn from_args() -> Mode {
        Mode::from_args_with(&[])
    }

    /// [`from_args`](Self::from_args) for a bench with more baselines than
    /// raw: `--count NAME N` for one of `others` gives
    /// [`Mode::CountOther`].
    pub fn from_args_with(others: &[&'static str]) -> Mode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if let Some(at) = args.iter().position(|a| a == "--count") {
            let side = args.get(at + 1).map(String::as_str);
            let calls = match args.get(at + 2).map(|n| n.parse::<u64>()) {
                Some(Ok(n)) => n,
                _ => usage(),
            };
            return match side {
                Some("octo") => Mode::Count { octo: true, calls },
                Some("raw") => Mode::Count { octo: false, calls },
                Some(name) => match others.iter().find(|other| **other == name) {
                    Some(side) => Mode::CountOther { side, calls },
                    None => usage(),
                },
                None => usage(),
            };
        }
        if args.iter().any(|a| a == "--bench") {
            let pairs = env_number("OCTO_BENCH_PAIRS", 31).clamp(1, 1000) as usize;
            let batch_ms = env_number("OCTO_BENCH_BATCH_MS", 40).clamp(1, 5_000);
            return Mode::Measure {
                pairs,
                batch: Duration::from_millis(batch_ms),
            };
        }
        Mode::Smoke
    }
}

fn usage() -> ! {
    eprintln!("usage: transport [--bench | --count raw|octo|BASELINE CALLS]");
    std::process::exit(2)
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| {
            eprintln!("{name} must be a whole number, not {text:?}");
            std::process::exit(2)
        }),
        Err(_) => default,
    }
}

/// One side of a comparison: runs `units` units of work (calls, or rounds
/// of calls in flight) and returns how long they took.
pub type Side<'a> = &'a mut dyn FnMut(u64) -> Duration;

/// Compares `raw` and `octo` in alternating pairs and prints one line.
/// `calls_per_unit` is how many calls one unit makes (1 for latency, the
/// number in flight for throughput).
pub fn compare(
    name: &str,
    kind: Kind,
    calls_per_unit: u64,
    mode: &Mode,
    raw: Side<'_>,
    octo: Side<'_>,
) {
    let (pairs, units) = match *mode {
        Mode::Count { .. } | Mode::CountOther { .. } => return,
        Mode::Smoke => (3, 2),
        Mode::Measure { pairs, batch } => {
            warm_up(raw, octo);
            (pairs, units_for(raw, batch))
        }
    };
    let mut raw_times = Vec::with_capacity(pairs);
    let mut octo_times = Vec::with_capacity(pairs);
    let mut ratios = Vec::with_capacity(pairs);
    for pair in 0..pairs {
        // Swapping the order every other pair cancels whatever the first
        // of a pair gains or loses (a warm cache, a timer tick).
        let (r, o) = if pair % 2 == 0 {
            let r = raw(units);
            (r, octo(units))
        } else {
            let o = octo(units);
            (raw(units), o)
        };
        let (r, o) = (r.as_secs_f64(), o.as_secs_f64());
        raw_times.push(r);
        octo_times.push(o);
        ratios.push(match kind {
            Kind::Latency => o / r,
            Kind::Throughput => r / o,
        });
    }
    let raw_time = median(&mut raw_times) / units as f64;
    let octo_time = median(&mut octo_times) / units as f64;
    let (what, raw_figure, octo_figure) = match kind {
        Kind::Latency => (
            "octo/raw time",
            format!("{:.1} µs/call", raw_time * 1e6),
            format!("{:.1} µs/call", octo_time * 1e6),
        ),
        Kind::Throughput => (
            "octo/raw calls/s",
            format!("{:.1} K calls/s", calls_per_unit as f64 / raw_time / 1e3),
            format!("{:.1} K calls/s", calls_per_unit as f64 / octo_time / 1e3),
        ),
    };
    let spread = Spread::of(&mut ratios);
    let smoke = if matches!(mode, Mode::Smoke) {
        " [smoke run: checks the bench, measures nothing]"
    } else {
        ""
    };
    println!(
        "{name}: raw {raw_figure}, octo {octo_figure}; {what} median {:.3} \
         (quartiles {:.3}-{:.3}, min {:.3}, max {:.3}; {pairs} pairs of {} calls a side){smoke}",
        spread.median,
        spread.q1,
        spread.q3,
        spread.min,
        spread.max,
        units * calls_per_unit,
    );
}

/// Runs both sides, alternating, for about a second in all, growing the
/// batches until one takes 50 ms.
fn warm_up(raw: Side<'_>, octo: Side<'_>) {
    let started = Instant::now();
    let mut units = 1;
    while started.elapsed() < Duration::from_secs(1) {
        let took = raw(units).max(octo(units));
        if took < Duration::from_millis(50) {
            units = (units * 2).min(1 << 20);
        }
    }
}

/// How many units make a raw batch of about `batch`.
fn units_for(raw: Side<'_>, batch: Duration) -> u64 {
    let mut units = 1u64;
    loop {
        let took = raw(units);
        if took >= batch / 4 || units >= 1 << 20 {
            let per_unit = took.as_secs_f64() / units as f64;
            let wanted = batch.as_secs_f64() / per_unit.max(1e-9);
            return (wanted.ceil() as u64).clamp(1, 1 << 20);
        }
        units *= 2;
    }
}

/// Runs `side` for `calls` calls after one call that opens the connection,
/// for callgrind (see [`Mode::Count`]).
pub fn count(side: Side<'_>, calls: u64) {
    side(1);
    side(calls);
    println!("counted {calls} calls");
}

/// In the mode `--count raw|octo N`, counts that side (see [`count`]) and
/// returns true; in any other mode does nothing and returns false.
pub fn count_raw_or_octo(mode: &Mode, raw: Side<'_>, octo: Side<'_>) -> bool {
    match *mode {
        Mode::Count { octo: true, calls } => count(octo, calls),
        Mode::Count { octo: false, calls } => count(raw, calls),
        _ => return false,
    }
    true
}

/// `units` calls one after another, on this thread.
pub fn one_at_a_time<T>(units: u64, mut call: impl FnMut() -> T) -> Duration {
    let started = Instant::now();
    for _ in 0..units {
        std::hint::black_box(call());
    }
    started.elapsed()
}

struct Spread {
    min: f64,
    q1: f64,
    median: f64,
    q3: f64,
    max: f64,
}

impl Spread {
    fn of(values: &mut [f64]) -> Spread {
        let median = median(values);
        let at = |q: f64| -> f64 {
            let last = values.len().saturating_sub(1);
            let index = ((last as f64) * q).round() as usize;
            values.get(index.min(last)).copied().unwrap_or(f64::NAN)
        };
        Spread {
            min: at(0.0),
            q1: at(0.25),
            median,
            q3: at(0.75),
            max: at(1.0),
        }
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match (values.get(n / 2), n % 2) {
        (Some(&upper), 1) => upper,
        (Some(&upper), _) => match n.checked_sub(1).and_then(|i| values.get(i / 2)) {
            Some(&lower) => (lower + upper) / 2.0,
            None => upper,
        },
        (None, _) => f64::NAN,
    }
}
