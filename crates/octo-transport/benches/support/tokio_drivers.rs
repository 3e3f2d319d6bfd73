//! The drivers of the async transport benches (octo-hyper, octo-reqwest),
//! included with `#[path]` next to `paired.rs`: calls one at a time and
//! calls in flight on one tokio runtime, and the two comparisons every
//! async bench prints.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use tokio::runtime::Runtime;

use crate::paired::{self, Kind, Mode};

/// How many calls are in flight at once in the throughput comparison.
pub const IN_FLIGHT: usize = 32;

/// The runtime both sides run on. One worker: the client's futures run on
/// the thread that blocks on them, the connections' tasks and the spawned
/// calls on the worker.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

/// `units` calls one after another.
pub fn one_at_a_time<F: Future>(runtime: &Runtime, units: u64, call: impl Fn() -> F) -> Duration {
    runtime.block_on(async {
        let started = Instant::now();
        for _ in 0..units {
            std::hint::black_box(call().await);
        }
        started.elapsed()
    })
}

/// `units` rounds of [`IN_FLIGHT`] calls spawned at once and all awaited.
pub fn in_flight<F>(runtime: &Runtime, units: u64, call: impl Fn() -> F) -> Duration
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime.block_on(async {
        let started = Instant::now();
        for _ in 0..units {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..IN_FLIGHT {
                set.spawn(call());
            }
            std::hint::black_box(set.join_all().await);
        }
        started.elapsed()
    })
}

/// In the mode `--count raw|octo N`, counts that side one call at a time
/// (see [`paired::count`]) and returns true; in any other mode does nothing
/// and returns false.
pub fn count_raw_or_octo<R: Future, O: Future>(
    mode: &Mode,
    runtime: &Runtime,
    raw: impl Fn() -> R,
    octo: impl Fn() -> O,
) -> bool {
    paired::count_raw_or_octo(
        mode,
        &mut |units| one_at_a_time(runtime, units, &raw),
        &mut |units| one_at_a_time(runtime, units, &octo),
    )
}

/// Compares `raw` and `octo` one call at a time (`{name}/latency`), then
/// [`IN_FLIGHT`] calls at a time (`{name}/32_in_flight`).
pub fn compare_latency_and_in_flight<R, O>(
    name: &str,
    mode: &Mode,
    runtime: &Runtime,
    raw: impl Fn() -> R,
    octo: impl Fn() -> O,
) where
    R: Future + Send + 'static,
    R::Output: Send + 'static,
    O: Future + Send + 'static,
    O::Output: Send + 'static,
{
    paired::compare(
        &format!("{name}/latency"),
        Kind::Latency,
        1,
        mode,
        &mut |units| one_at_a_time(runtime, units, &raw),
        &mut |units| one_at_a_time(runtime, units, &octo),
    );
    paired::compare(
        &format!("{name}/{IN_FLIGHT}_in_flight"),
        Kind::Throughput,
        IN_FLIGHT as u64,
        mode,
        &mut |units| in_flight(runtime, units, &raw),
        &mut |units| in_flight(runtime, units, &octo),
    );
}
