//! Outgoing callbacks: payment notifications to `notify_url` and
//! tokenization callbacks to `bind_notify_url`, with retries on a bounded
//! schedule.
//!
//! The order is the sandbox's own choice (OCTO's pages say nothing about
//! it): the first attempts of the callbacks about one payment go out one
//! after another, in the order of the changes (unless the reorder fault is
//! on); each callback's retries then run on their own schedule, so a
//! callback the shop refused never holds back a newer status of the same
//! payment. A notification of `waiting_for_capture` is repeated until the
//! reply decides the payment (`{"accept_status":"capture"|"cancel"}`), the
//! payment is decided some other way (`set_accept`, expiry) or the schedule
//! runs out; a tokenization callback that is not acknowledged within its
//! tries cancels the token.

mod body;
mod client;
mod signature;

pub(crate) use body::{notification_body, tokenization_body};

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use bytes::Bytes;
use octo_proto::{AcceptStatus, PaymentStatus};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::config::RetrySchedule;
use crate::faults::CallbackFaults;
use crate::state::PaymentRecord;
use client::CallbackClient;

/// What the notifier needs from the sandbox it runs in (the engine): the
/// callback faults, the state a delivery checks and the changes a reply
/// makes. A narrow view, so this module does not depend on the engine.
pub(crate) trait Host: Send + Sync + 'static {
    /// The notifier that sends this host's callbacks.
    fn notifier(&self) -> &Notifier;
    /// The callback faults for the next callback (taking one-shot ones).
    fn take_callback_faults(&self) -> CallbackFaults;
    /// Whether payment `uuid` still waits for the shop's capture or cancel.
    fn awaits_decision(&self, uuid: &str) -> bool;
    /// The notification reply's capture or cancel of payment `uuid`.
    fn decide(&self, uuid: &str, decision: AcceptStatus);
    /// The tokenization callback of `uuid` is over: its card number goes.
    fn forget_pan(&self, uuid: &str);
    /// No try of the tokenization callback was acknowledged: `token` fails.
    fn token_failed(&self, token: &str);
}

/// How long the reorder fault holds a callback waiting for the next one.
const REORDER_WINDOW: Duration = Duration::from_millis(300);

#[derive(Debug, Clone)]
enum Kind {
    Payment { awaits_decision: bool },
    Tokenization { token: String },
}

/// One callback to deliver.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    url: String,
    body: Bytes,
    uuid: String,
    kind: Kind,
    delays: Vec<Duration>,
}

impl Delivery {
    pub(crate) fn payment(
        url: String,
        p: &PaymentRecord,
        body: Value,
        schedule: &RetrySchedule,
    ) -> Self {
        let awaits_decision = p.status == PaymentStatus::WaitingForCapture;
        Self::new(url, p, body, Kind::Payment { awaits_decision }, schedule)
    }

    pub(crate) fn tokenization(
        url: String,
        p: &PaymentRecord,
        token: &str,
        body: Value,
        schedule: &RetrySchedule,
    ) -> Self {
        let token = token.to_owned();
        Self::new(url, p, body, Kind::Tokenization { token }, schedule)
    }

    fn new(
        url: String,
        p: &PaymentRecord,
        body: Value,
        kind: Kind,
        schedule: &RetrySchedule,
    ) -> Self {
        Self {
            url,
            body: Bytes::from(body.to_string()),
            uuid: p.uuid.clone(),
            kind,
            delays: schedule.delays.clone(),
        }
    }
}

type Chains = HashMap<String, (u64, oneshot::Receiver<()>)>;

/// Sends callbacks in the background.
pub(crate) struct Notifier {
    host: Weak<dyn Host>,
    client: CallbackClient,
    /// Where deliveries run; `None` sends nothing (an in-process sandbox).
    runtime: Option<tokio::runtime::Handle>,
    chains: Arc<Mutex<Chains>>,
    held: Arc<Mutex<Option<(u64, Delivery)>>>,
    generation: AtomicU64,
    in_flight: Arc<AtomicUsize>,
    attempts: Arc<AtomicU64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Notifier {
    pub(crate) fn new(
        host: Weak<dyn Host>,
        runtime: Option<tokio::runtime::Handle>,
        timeout: Duration,
    ) -> Self {
        Self {
            host,
            client: CallbackClient::new(timeout),
            runtime,
            chains: Arc::default(),
            held: Arc::default(),
            generation: AtomicU64::new(0),
            in_flight: Arc::default(),
            attempts: Arc::default(),
        }
    }

    /// Callbacks queued or being delivered.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Delivery attempts made so far.
    pub(crate) fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::SeqCst)
    }

    /// Queues a callback, applying the callback faults.
    pub(crate) fn send(&self, d: Delivery) {
        let Some(runtime) = &self.runtime else {
            return;
        };
        let faults = self
            .host
            .upgrade()
            .map(|h| h.take_callback_faults())
            .unwrap_or_default();
        let copies = if faults.duplicate { 2 } else { 1 };
        for _ in 0..copies {
            let d = d.clone();
            if !faults.reorder {
                self.dispatch(d);
                continue;
            }
            let seq = self.generation.fetch_add(1, Ordering::SeqCst);
            let earlier = lock(&self.held).take();
            match earlier {
                Some((_, earlier)) => {
                    // The later change goes first.
                    self.dispatch(d);
                    self.dispatch(earlier);
                }
                None => {
                    *lock(&self.held) = Some((seq, d));
                    self.in_flight.fetch_add(1, Ordering::SeqCst);
                    let held = Arc::clone(&self.held);
                    let host = self.host.clone();
                    let in_flight = Arc::clone(&self.in_flight);
                    runtime.spawn(async move {
                        tokio::time::sleep(REORDER_WINDOW).await;
                        let alone = {
                            let mut slot = lock(&held);
                            match slot.as_ref() {
                                Some((g, _)) if *g == seq => slot.take(),
                                _ => None,
                            }
                        };
                        if let (Some((_, d)), Some(host)) = (alone, host.upgrade()) {
                            host.notifier().dispatch(d);
                        }
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            }
        }
    }

    /// Starts delivering `d` once the first attempt of the callback queued
    /// before it for the same payment is over (its retries do not hold `d`
    /// back).
    fn dispatch(&self, d: Delivery) {
        let Some(runtime) = &self.runtime else {
            return;
        };
        let seq = self.generation.fetch_add(1, Ordering::SeqCst);
        let (done, mine) = oneshot::channel();
        let before = lock(&self.chains).insert(d.uuid.clone(), (seq, mine));
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let host = self.host.clone();
        let client = self.client.clone();
        let chains = Arc::clone(&self.chains);
        let in_flight = Arc::clone(&self.in_flight);
        let attempts = Arc::clone(&self.attempts);
        runtime.spawn(async move {
            if let Some((_, before)) = before {
                let _ = before.await;
            }
            deliver(&host, &client, &d, &attempts, done).await;
            {
                let mut chains = lock(&chains);
                if chains.get(&d.uuid).is_some_and(|(g, _)| *g == seq) {
                    chains.remove(&d.uuid);
                }
            }
            in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// The decision in a reply to `waiting_for_capture`, if any.
fn decision(reply: &[u8]) -> Option<AcceptStatus> {
    let value: Value = serde_json::from_slice(reply).ok()?;
    match value.get("accept_status")?.as_str()? {
        "capture" => Some(AcceptStatus::Capture),
        "cancel" => Some(AcceptStatus::Cancel),
        _ => None,
    }
}

/// Delivers `d` on its schedule. `first_done` is dropped when the first
/// attempt is over, which lets the next callback of the payment go.
async fn deliver(
    host: &Weak<dyn Host>,
    client: &CallbackClient,
    d: &Delivery,
    attempts: &AtomicU64,
    first_done: oneshot::Sender<()>,
) {
    let mut first_done = Some(first_done);
    let tries = d.delays.len().saturating_add(1);
    for attempt in 0..tries {
        if let Some(delay) = attempt.checked_sub(1).and_then(|i| d.delays.get(i)) {
            tokio::time::sleep(*delay).await;
        }
        let Some(e) = host.upgrade() else {
            return;
        };
        if let Kind::Payment {
            awaits_decision: true,
        } = d.kind
            && !e.awaits_decision(&d.uuid)
        {
            return;
        }
        drop(e);
        attempts.fetch_add(1, Ordering::SeqCst);
        let outcome = client.post(&d.url, d.body.clone()).await;
        drop(first_done.take());
        let Ok((status, reply)) = outcome else {
            continue;
        };
        // OCTO's pages name HTTP 200 as the answer that acknowledges
        // (card-tokenization.txt; the API notes for notifications): any
        // other status, 204 included, is not an acknowledgement.
        if status != http::StatusCode::OK {
            continue;
        }
        let Some(e) = host.upgrade() else {
            return;
        };
        match &d.kind {
            Kind::Payment {
                awaits_decision: true,
            } => {
                if let Some(decided) = decision(&reply) {
                    e.decide(&d.uuid, decided);
                    return;
                }
            }
            Kind::Payment { .. } => return,
            Kind::Tokenization { .. } => {
                e.forget_pan(&d.uuid);
                return;
            }
        }
    }
    if let (Kind::Tokenization { token }, Some(e)) = (&d.kind, host.upgrade()) {
        e.forget_pan(&d.uuid);
        e.token_failed(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_decide_only_with_a_known_accept_status() {
        assert_eq!(
            decision(br#"{"accept_status":"capture"}"#),
            Some(AcceptStatus::Capture)
        );
        assert_eq!(
            decision(br#"{"accept_status":"cancel"}"#),
            Some(AcceptStatus::Cancel)
        );
        assert_eq!(decision(br#"{"accept_status":"maybe"}"#), None);
        assert_eq!(decision(b"ok"), None);
        assert_eq!(decision(b""), None);
    }
}
