//! octo-ureq against ureq used raw: the same loopback server, the same
//! response, keep-alive on both sides. The raw side posts a body serialised
//! once; the SDK side builds, sends and parses on every call, which is the
//! overhead being measured.
//!
//! Two baselines:
//!
//! - raw: an agent configured as octo-ureq configures its own (timeouts,
//!   statuses as responses, no redirects). With a timeout set, ureq looks
//!   the host up on a thread it starts for every call;
//! - raw, no deadline: the same agent without the whole-call timeout, so
//!   ureq looks the host up on the calling thread. octo-ureq keeps its
//!   deadline but needs no lookup for the bench's `127.0.0.1` (its address
//!   book, `src/addresses.rs`), so this is the closer floor.
//!
//! Each baseline alternates with octo in pairs within one run (see
//! `support/paired.rs` in octo-transport's benches for the modes):
//! `cargo bench -p octo-ureq --bench transport`; `--count raw|octo N` or
//! `--count no_deadline N` for callgrind.

// A benchmark aborts on the first failure, as a test would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../../octo-transport/benches/support/loopback.rs"]
mod loopback;
#[path = "../../octo-transport/benches/support/paired.rs"]
mod paired;

use loopback::Loopback;
use octo_ureq::Client;
use paired::{Kind, Mode, one_at_a_time};

fn main() {
    let mode = Mode::from_args_with(&["no_deadline"]);
    let loopback = Loopback::start();
    let (url, body, op) = (loopback.url(), loopback.body(), &*loopback.op);

    let sdk = Client::builder(loopback.config.clone()).no_retry().build();
    // The raw agent is configured exactly as octo-ureq configures its own
    // (its backend's `build`): the same timeouts, statuses as responses,
    // no redirects. ureq's timeouts cost time of their own, so an agent
    // without them would make the SDK look slower than it is.
    let agent = |deadline| {
        ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .timeout_connect(Some(octo_ureq::DEFAULT_CONNECT_TIMEOUT))
                .timeout_global(deadline)
                .http_status_as_error(false)
                .max_redirects(0)
                .build(),
        )
    };
    let raw = agent(Some(octo_ureq::DEFAULT_TIMEOUT));
    let no_deadline = agent(None);

    let post = |agent: &ureq::Agent| {
        let response = agent
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .send(&body[..])
            .expect("raw send");
        response.into_body().read_to_vec().expect("raw body")
    };
    let raw_once = || post(&raw);
    let no_deadline_once = || post(&no_deadline);
    let octo_once = || sdk.send(op).expect("octo send");
    let mut raw_latency = |units| one_at_a_time(units, raw_once);
    let mut octo_latency = |units| one_at_a_time(units, octo_once);
    let mut no_deadline_latency = |units| one_at_a_time(units, no_deadline_once);

    if let Mode::CountOther { calls, .. } = mode {
        paired::count(&mut no_deadline_latency, calls);
        return;
    }

    if paired::count_raw_or_octo(&mode, &mut raw_latency, &mut octo_latency) {
        return;
    }
    paired::compare(
        "ureq/latency",
        Kind::Latency,
        1,
        &mode,
        &mut raw_latency,
        &mut octo_latency,
    );
    paired::compare(
        "ureq_no_deadline/latency",
        Kind::Latency,
        1,
        &mode,
        &mut no_deadline_latency,
        &mut octo_latency,
    );
    loopback.check();
}
