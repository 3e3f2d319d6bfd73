//! The sandbox's state and the one way to change it: [`Engine::transact`],
//! which runs a change under the store's lock, writes the touched records
//! to the data file, and hands the resulting callbacks to the notifier.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use octo_proto::{AcceptStatus, Pan, PaymentStatus, TokenStatus};
use time::OffsetDateTime;

use crate::callbacks::{self, Delivery, Notifier};
use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::faults::{CallbackFaults, Faults};
use crate::ids::IdSource;
use crate::state::{Announcement, DataFile, PaymentRecord, Store};
use crate::wire::Reject;

/// What a transaction touched and what it wants announced.
#[derive(Debug, Default)]
pub(crate) struct Tx {
    payments: Vec<String>,
    refunds: Vec<(u64, String)>,
    tokens: Vec<String>,
    counter: bool,
    events: Vec<Announcement>,
}

impl Tx {
    pub(crate) fn payment(&mut self, uuid: &str) {
        self.payments.push(uuid.to_owned());
    }

    pub(crate) fn refund(&mut self, shop: u64, shop_refund_id: &str) {
        self.refunds.push((shop, shop_refund_id.to_owned()));
        self.counter = true;
    }

    pub(crate) fn token(&mut self, token: &str) {
        self.tokens.push(token.to_owned());
    }

    /// A fresh id was drawn: persist the counter.
    pub(crate) fn drew_id(&mut self) {
        self.counter = true;
    }

    pub(crate) fn notify_status(&mut self, uuid: &str) {
        self.events.push(Announcement::Status(uuid.to_owned()));
    }

    pub(crate) fn notify_tokenization(&mut self, uuid: &str) {
        self.events
            .push(Announcement::Tokenization(uuid.to_owned()));
    }
}

/// Everything a running sandbox shares between connections and tasks.
pub(crate) struct Engine {
    pub config: SandboxConfig,
    pub clock: Arc<dyn Clock>,
    pub ids: IdSource,
    pub faults: Faults,
    pub notifier: Notifier,
    pub base_url: String,
    pub store: Mutex<Store>,
    pub data_file: Option<Box<dyn DataFile>>,
    /// Full card numbers of bindings whose tokenization callback is not
    /// delivered yet: the callback carries the number. Memory only.
    pub pans: Mutex<HashMap<String, Pan>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Engine {
    /// An engine on `state` (the store, the id counter it continues
    /// from, and the data file that keeps it). Without a `runtime` it sends no
    /// callbacks at all.
    pub(crate) fn new(
        config: SandboxConfig,
        clock: Arc<dyn Clock>,
        faults: Faults,
        base_url: String,
        state: (Store, u64, Option<Box<dyn DataFile>>),
        runtime: Option<tokio::runtime::Handle>,
    ) -> Arc<Self> {
        let (store, counter, data_file) = state;
        let timeout = config.callback_timeout;
        Arc::new_cyclic(|weak: &Weak<Engine>| Engine {
            notifier: Notifier::new(weak.clone(), runtime, timeout),
            config,
            clock,
            ids: IdSource::new(counter),
            faults,
            base_url,
            store: Mutex::new(store),
            data_file,
            pans: Mutex::default(),
        })
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// `at` as a wall-clock time in the sandbox's zone, for the wire.
    pub(crate) fn local(&self, at: OffsetDateTime) -> time::PrimitiveDateTime {
        self.config.local(at)
    }

    /// Runs `change` on the store, then writes what it touched to the data file and sends
    /// its callbacks, whether `change` succeeded or refused after changing
    /// something. Nothing is answered before it is stored: when the write
    /// fails, the request fails (error 4) and the store keeps the change
    /// as unsaved, with its callbacks held back; every later transaction
    /// writes all that is unsaved with its own records, and fails too until
    /// a write succeeds.
    pub(crate) fn transact<R>(
        &self,
        change: impl FnOnce(&mut Store, &mut Tx) -> Result<R, Reject>,
    ) -> Result<R, Reject> {
        let mut tx = Tx::default();
        let (result, deliveries) = {
            let mut store = lock(&self.store);
            // The store has no rollback: what a change did before it
            // refused (a wrong code counted, a payment expired or cancelled)
            // stands, so it is saved and announced whether or not the
            // request itself succeeds.
            let result = change(&mut store, &mut tx);
            let announcements = self.persist(&mut store, tx)?;
            let deliveries: Vec<Delivery> = announcements
                .iter()
                .filter_map(|e| self.delivery(&store, e))
                .collect();
            (result, deliveries)
        };
        for d in deliveries {
            self.notifier.send(d);
        }
        result
    }

    /// Reads the store without changing it.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(&lock(&self.store))
    }

    /// Adds what `tx` touched to the store's unsaved changes and writes
    /// them all; on success, the callbacks now due.
    fn persist(&self, store: &mut Store, tx: Tx) -> Result<Vec<Announcement>, Reject> {
        let Some(data_file) = &self.data_file else {
            return Ok(tx.events);
        };
        let unsaved = &mut store.unsaved;
        unsaved.counter |= tx.counter || !tx.payments.is_empty();
        unsaved.payments.extend(tx.payments);
        unsaved.refunds.extend(tx.refunds);
        unsaved.tokens.extend(tx.tokens);
        unsaved.announcements.extend(tx.events);
        if store.unsaved.is_empty() {
            return Ok(Vec::new());
        }
        let changes = store.unsaved.changes(store, self.ids.current());
        let written = changes.is_empty() || data_file.write(&changes).is_ok();
        drop(changes);
        if !written {
            return Err(Reject::internal(
                "the sandbox could not save its data file; the change is kept and will be saved with the next request",
            ));
        }
        Ok(std::mem::take(&mut store.unsaved).announcements)
    }

    fn delivery(&self, store: &Store, event: &Announcement) -> Option<Delivery> {
        match event {
            Announcement::Status(uuid) => {
                let p = store.payment(uuid)?;
                let url = p.notify_url.clone()?;
                let secret = self
                    .config
                    .shops
                    .iter()
                    .find(|s| s.id.0 == p.shop_id)
                    .map(|s| s.secret.clone())?;
                let hash_key = self.ids.uuid();
                let body = callbacks::notification_body(&self.config, p, &secret, &hash_key);
                Some(Delivery::payment(url, p, body, &self.config.notify_retry))
            }
            Announcement::Tokenization(uuid) => {
                // The binding has ended: its card number leaves the
                // sandbox's state now, whatever happens to the callback
                // (which alone carries it on, in its body).
                let pan = lock(&self.pans).remove(uuid);
                let p = store.payment(uuid)?;
                let binding = p.binding.as_ref()?;
                let url = binding.bind_notify_url.clone()?;
                let token = store.token(&binding.token)?;
                let body = callbacks::tokenization_body(p, token, pan.as_ref());
                Some(Delivery::tokenization(
                    url,
                    p,
                    &binding.token,
                    body,
                    &self.config.bind_notify_retry,
                ))
            }
        }
    }

    /// Keeps a binding's full card number until its callback is done.
    pub(crate) fn remember_pan(&self, uuid: &str, pan: Pan) {
        lock(&self.pans).insert(uuid.to_owned(), pan);
    }

    /// Forgets a binding's full card number.
    pub(crate) fn forget_pan(&self, uuid: &str) {
        lock(&self.pans).remove(uuid);
    }

    /// `octo_pay_url` for a payment.
    pub(crate) fn pay_url(&self, p: &PaymentRecord) -> String {
        use crate::state::ChallengeKind;
        // Joined piece by piece into one buffer sized up front: every
        // `prepare_payment` answer carries one.
        let (middle, tail): (&str, &[&str]) = if !p.is_payable() {
            ("/status/", &[])
        } else {
            match p.challenge.as_ref().map(|c| c.kind) {
                Some(ChallengeKind::Sms) => ("/pay/", &["/otp"]),
                Some(ChallengeKind::ThreeDSecure) => ("/pay/", &["/3ds"]),
                None => ("/pay/", &["?language=", p.language.as_str()]),
            }
        };
        let mut url = String::with_capacity(
            self.base_url
                .len()
                .saturating_add(p.uuid.len())
                .saturating_add(32),
        );
        url.push_str(&self.base_url);
        url.push_str(middle);
        url.push_str(&p.uuid);
        for part in tail {
            url.push_str(part);
        }
        url
    }
}

/// The notifier's view of the engine.
impl callbacks::Host for Engine {
    fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    fn take_callback_faults(&self) -> CallbackFaults {
        self.faults.take_callback_faults()
    }

    fn awaits_decision(&self, uuid: &str) -> bool {
        self.read(|store| {
            store
                .payment(uuid)
                .is_some_and(|p| p.status == PaymentStatus::WaitingForCapture)
        })
    }

    fn decide(&self, uuid: &str, decision: AcceptStatus) {
        let _ = self.transact(|store, tx| Engine::decide(self, store, uuid, decision, None, tx));
    }

    fn forget_pan(&self, uuid: &str) {
        Engine::forget_pan(self, uuid);
    }

    fn token_failed(&self, token: &str) {
        let _ = self.transact(|store, tx| {
            if let Some(t) = store.token_mut(token) {
                t.status = TokenStatus::Failed;
                tx.token(token);
            }
            Ok(())
        });
    }
}

/// The card's fingerprint: recognises it again without keeping it
/// (keyed, never stored: see `state::fingerprint`).
pub(crate) fn pan_digest(pan: &Pan) -> String {
    crate::state::fingerprint(pan)
}
