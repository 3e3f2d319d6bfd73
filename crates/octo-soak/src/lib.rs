//! A soak test of octo-rs: thousands of payments through the three
//! transports against an in-process sandbox that faults a share of the
//! requests and callbacks, then every payment and refund reconciled
//! through a status check against what the shop believes.
//!
//! The shop side behaves as a shop using octo-rs should: every call with
//! an idempotency key (`shop_transaction_id`, `shop_refund_id`) is sent
//! again with the same key; a call that is not idempotent (`set_accept`,
//! paying with a token, binding) whose outcome is unknown is followed by a
//! status check and sent again only if OCTO shows it did not land (a
//! token charge is sent again only if the request never left or OCTO
//! refused it, as the SDK's machine does: OCTO shows a landed charge
//! awaiting its code as `created`, so an order whose charge answer was
//! lost and that has no code waiting is left to lapse); a
//! notification is verified and then only triggers a status check, whose
//! answer is what the shop records.
//!
//! [`run`] returns a [`Report`]; [`Report::holds`] says whether the run
//! passed: the four invariants held (no payment charged twice, no refund
//! made twice, no payment lost, no payment whose state the shop got
//! wrong) and every flow ran to its end in the status it aims at.
//! `docs/reliability.md` ("Soak under faults") has the figures of a full
//! run.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod journey;
mod orders;
mod receiver;
mod reconcile;
mod rng;
mod shop;
mod transport;

pub use journey::Journey;
pub use orders::{Plan, Refunds};
pub use reconcile::Report;
pub use transport::Kind;

use std::sync::Arc;
use std::time::{Duration, Instant};

use octo_proto::callback::SignatureScheme;
use octo_proto::{NotificationKey, PaymentMethod, RetryPolicy};
use octo_sandbox::{DuplicateRefund, FaultAction, FaultMix, RetrySchedule, Sandbox, Signing};
use tokio::sync::Semaphore;

use crate::orders::{Ctx, bind, card_number, run_order};
use crate::receiver::Receiver;
use crate::shop::{Order, Shop};
use crate::transport::{Timings, Transport};

/// The paths of OCTO's API, where random faults are injected (the payment
/// pages are driven in-process and are not faulted).
const API_PATHS: [&str; 8] = [
    "/prepare_payment",
    "/set_accept",
    "/refund",
    "/bind_card",
    "/verificationInfo",
    "/check_pan",
    "/block_card_token",
    "/pay",
];

/// What to run.
#[derive(Debug, Clone)]
pub struct SoakConfig {
    /// How many payments.
    pub payments: u64,
    /// The seed of every random choice (plans and faults).
    pub seed: u64,
    /// Payments in flight at once.
    pub concurrency: usize,
    /// Requests faulted, per mille.
    pub fault_per_mille: u32,
    /// Callbacks duplicated, per mille; as many are held back and sent
    /// after the next one.
    pub callback_fault_per_mille: u32,
    /// Cards bound for token payments.
    pub cards: usize,
    /// The whole run must end within this.
    pub deadline: Duration,
    /// A deliberately wrong shop, to show that the report catches one:
    /// a refund that failed is sent again under a new `shop_refund_id`,
    /// and the clients do not retry. Off by default.
    pub naive_refunds: bool,
    /// A deliberately wrong shop, to show that the report catches one: a
    /// token charge whose answer was lost is sent again when OCTO shows
    /// the payment `created`, which a charge awaiting its code also shows.
    /// Off by default.
    pub naive_token_charges: bool,
    /// The sandbox answers a refund under a `shop_refund_id` it has made
    /// with a refusal (error 1) instead of the refund again: the other
    /// reading of OCTO's "filters duplicate calls". Off by default.
    pub duplicate_refunds_refused: bool,
}

impl SoakConfig {
    /// `payments` payments under `seed`: 20% of requests faulted, 10% of
    /// callbacks duplicated and 10% reordered, 48 payments at once, six
    /// bound cards, and a deadline of two minutes plus 100 ms a payment.
    pub fn new(payments: u64, seed: u64) -> Self {
        Self {
            payments,
            seed,
            concurrency: 48,
            fault_per_mille: 200,
            callback_fault_per_mille: 100,
            cards: 6,
            deadline: Duration::from_secs(120).saturating_add(
                Duration::from_millis(100)
                    .saturating_mul(u32::try_from(payments).unwrap_or(u32::MAX)),
            ),
            naive_refunds: false,
            naive_token_charges: false,
            duplicate_refunds_refused: false,
        }
    }
}

/// Why a run did not produce a report.
#[derive(Debug)]
#[non_exhaustive]
pub enum SoakError {
    /// The sandbox, the callback endpoint or a client could not start.
    Setup(String),
    /// The run did not end within the deadline.
    Deadline(Duration),
}

impl std::fmt::Display for SoakError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Setup(why) => write!(f, "the soak could not start: {why}"),
            Self::Deadline(d) => write!(f, "the soak did not end within {} s", d.as_secs()),
        }
    }
}

impl std::error::Error for SoakError {}

/// The client timings: an attempt may take 1 s; a slow answer comes after
/// 1.5 s, too late.
fn timings() -> Timings {
    Timings {
        attempt: Duration::from_secs(1),
        connect: Duration::from_secs(1),
        call: Duration::from_secs(15),
        retry: RetryPolicy::new(3, Duration::from_millis(20), Duration::from_millis(200)),
    }
}

/// The fault mix: each server fault kind equally likely, OCTO's error 4
/// (before and after processing) among them.
fn mix(config: &SoakConfig, slow: Duration) -> FaultMix {
    FaultMix::new(config.seed)
        .request_rate(config.fault_per_mille)
        .weight(FaultAction::DropAfterProcessing, 1)
        .weight(FaultAction::Status500, 1)
        .weight(FaultAction::Status500AfterProcessing, 1)
        .weight(FaultAction::Status502, 1)
        .weight(FaultAction::SlowAnswer(slow), 1)
        .weight(FaultAction::ResetMidBody, 1)
        .weight(FaultAction::OctoInternal, 1)
        .weight(FaultAction::OctoInternalAfterProcessing, 1)
        .duplicate_callbacks(config.callback_fault_per_mille)
        .reorder_callbacks(config.callback_fault_per_mille)
        .only_paths(API_PATHS)
}

/// Runs the soak: must be called inside a multi-threaded tokio runtime.
pub async fn run(config: &SoakConfig) -> Result<Report, SoakError> {
    let deadline = config.deadline;
    tokio::time::timeout(deadline, soak(config))
        .await
        .unwrap_or(Err(SoakError::Deadline(deadline)))
}

/// Waits for order `id`'s flow. A flow that panicked (in the shop or in
/// a client) did not end: it is marked abandoned, so the run fails.
async fn join(shop: &Shop, id: &str, task: tokio::task::JoinHandle<()>) {
    if let Err(e) = task.await {
        let why = if e.is_panic() {
            "the flow panicked"
        } else {
            "the flow was cancelled"
        };
        shop.abandon(id, why.to_owned());
    }
}

async fn soak(config: &SoakConfig) -> Result<Report, SoakError> {
    let started = Instant::now();
    let mut t = timings();
    if config.naive_refunds {
        t.retry = RetryPolicy::none();
    }
    let key = NotificationKey::new("soak-unique-key-31c9");
    let duplicates = if config.duplicate_refunds_refused {
        DuplicateRefund::Refused
    } else {
        DuplicateRefund::Answered
    };
    let sandbox = Sandbox::builder()
        .signing(Signing::UniqueKey(key.clone()))
        .duplicate_refund(duplicates)
        .configure(|c| {
            c.notify_retry = RetrySchedule::fixed(8, Duration::from_millis(200));
            c.bind_notify_retry = RetrySchedule::fixed(3, Duration::from_millis(200));
            c.callback_timeout = Duration::from_secs(5);
        })
        .start()
        .await
        .map_err(|e| SoakError::Setup(e.to_string()))?;
    let sandbox = Arc::new(sandbox);
    let transports = Kind::ALL
        .iter()
        .map(|k| Transport::new(*k, sandbox.client_config(), &t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SoakError::Setup(e.to_string()))?;
    let shop = Arc::new(Shop::new(transports.clone(), t.call));
    let receiver = Receiver::start(Arc::clone(&shop), SignatureScheme::UniqueKey(key))
        .await
        .map_err(|e| SoakError::Setup(e.to_string()))?;
    sandbox
        .faults()
        .set_mix(mix(config, t.attempt + Duration::from_millis(500)));

    let mut ctx = Ctx {
        sandbox: Arc::clone(&sandbox),
        shop: Arc::clone(&shop),
        notify_url: receiver.notify_url(),
        bind_url: receiver.bind_url(),
        tokens: Vec::new(),
        naive_refunds: config.naive_refunds,
        naive_token_charges: config.naive_token_charges,
    };
    let mut binding_problems = Vec::new();
    for n in 0..config.cards {
        let (prefix, method) = if n % 2 == 0 {
            ("8600", PaymentMethod::Uzcard)
        } else {
            ("9860", PaymentMethod::Humo)
        };
        let pan = card_number(prefix, 7_000 + n as u64);
        let Some(client) = transports.get(n % transports.len()) else {
            continue;
        };
        match bind(&ctx, client, n, &pan, method.clone()).await {
            Ok(token) => ctx.tokens.push((token, method)),
            Err(why) => binding_problems.push(format!("binding {n}: {why}")),
        }
    }
    let ctx = Arc::new(ctx);

    let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let mut tasks = Vec::new();
    for i in 0..config.payments {
        let plan = Plan::draw(config.seed, i);
        let kind = Kind::ALL
            .get(usize::try_from(i % 3).unwrap_or(0))
            .copied()
            .unwrap_or(Kind::Reqwest);
        let id: octo_proto::ShopTransactionId = format!("soak-{}-{i:06}", config.seed)
            .parse()
            .map_err(|e| SoakError::Setup(format!("order id: {e}")))?;
        shop.open(Order {
            id: id.clone(),
            journey: plan.journey,
            kind,
            amount: plan.amount,
            uuid: None,
            belief: None,
            refunds: Vec::new(),
            abandoned: None,
            lapsed: false,
        });
        let Some(client) = transports.iter().find(|c| c.kind() == kind).cloned() else {
            continue;
        };
        let (ctx, permits) = (Arc::clone(&ctx), Arc::clone(&permits));
        let order_id = id.to_string();
        let task = tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            if let Err(why) = run_order(&ctx, &client, &id, &plan).await {
                ctx.shop.abandon(id.as_str(), why);
            }
        });
        tasks.push((order_id, task));
    }
    for (id, task) in tasks {
        join(&shop, &id, task).await;
    }
    // Late and repeated notifications are part of the test: let them land
    // before the faults stop and the books are compared.
    let _ = sandbox.wait_for_callbacks(Duration::from_secs(30)).await;
    let faults = sandbox.faults().injected();
    sandbox.faults().clear();
    let mut report = reconcile::reconcile(&sandbox, &shop, &transports, config.cards, faults).await;
    report.seed = config.seed;
    report.bound_cards = ctx.tokens.len();
    report.problems.splice(0..0, binding_problems);
    report.wall = started.elapsed();
    receiver.stop();
    drop(ctx);
    if let Ok(sandbox) = Arc::try_unwrap(sandbox) {
        sandbox.shutdown().await;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[tokio::test]
    async fn a_flow_that_panics_is_abandoned() {
        let shop = Shop::new(Vec::new(), Duration::from_secs(1));
        for id in ["o-1", "o-2"] {
            shop.open(Order {
                id: id.parse().unwrap_or_else(|_| unreachable!()),
                journey: Journey::OneStage,
                kind: Kind::Ureq,
                amount: Decimal::ONE,
                uuid: None,
                belief: None,
                refunds: Vec::new(),
                abandoned: None,
                lapsed: false,
            });
        }
        let fine = tokio::spawn(async {});
        #[allow(clippy::panic)]
        let broken = tokio::spawn(async { panic!("a client bug") });
        join(&shop, "o-1", fine).await;
        join(&shop, "o-2", broken).await;
        assert_eq!(shop.order("o-1").and_then(|o| o.abandoned), None);
        assert_eq!(
            shop.order("o-2").and_then(|o| o.abandoned).as_deref(),
            Some("the flow panicked")
        );
    }
}
