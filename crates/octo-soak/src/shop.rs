//! The shop: what it believes about each order, learnt only from OCTO's
//! answers (to its own calls and to status checks), never from a
//! notification's fields.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use octo_proto::op::{Payment, PaymentStatusCheck};
use octo_proto::{CardToken, Error, PaymentStatus, PaymentUuid, ShopTransactionId};
use rust_decimal::Decimal;

use crate::journey::Journey;
use crate::transport::{Kind, Transport};

/// What the shop believes about a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Belief {
    /// Its status.
    pub status: PaymentStatus,
    /// Its amount (after a partial capture, the captured amount).
    pub total: Option<Decimal>,
    /// How much was refunded.
    pub refunded: Decimal,
}

/// A refund the shop asked for, under its own id.
#[derive(Debug, Clone)]
pub struct RefundIntent {
    /// `shop_refund_id`.
    pub id: String,
    /// The amount.
    pub amount: Decimal,
    /// Whether OCTO answered that it succeeded.
    pub confirmed: bool,
    /// Whether OCTO refused it (then nothing was refunded under it).
    pub refused: bool,
}

/// One order of the shop.
#[derive(Debug, Clone)]
pub struct Order {
    /// `shop_transaction_id`.
    pub id: ShopTransactionId,
    /// What the order does.
    pub journey: Journey,
    /// The transport it goes through.
    pub kind: Kind,
    /// The amount asked for.
    pub amount: Decimal,
    /// OCTO's id, once an answer named it.
    pub uuid: Option<PaymentUuid>,
    /// What the shop believes, once OCTO said anything.
    pub belief: Option<Belief>,
    /// The refunds asked for.
    pub refunds: Vec<RefundIntent>,
    /// Why the order stopped early, if it did.
    pub abandoned: Option<String>,
    /// The answer to its token charge was lost and OCTO then showed the
    /// payment still `created`, with no code waiting for the customer:
    /// the shop cannot tell a charge awaiting its code from one that never
    /// landed, so it lets the payment lapse rather than charge again.
    pub lapsed: bool,
}

/// Counters of what the shop did.
#[derive(Debug, Default)]
pub struct Activity {
    /// Notifications that arrived and verified.
    pub notifications: AtomicU64,
    /// Notifications refused (bad signature, malformed).
    pub refused_notifications: AtomicU64,
    /// Tokenization callbacks that arrived.
    pub tokenizations: AtomicU64,
    /// Status checks sent.
    pub status_checks: AtomicU64,
    /// Calls the shop sent again with the same key after a failed call.
    pub idempotent_resends: AtomicU64,
    /// Calls that are not idempotent sent again, after a status check
    /// showed the first had not landed.
    pub checked_resends: AtomicU64,
    /// Calls whose outcome was unknown and a status check settled.
    pub settled_by_check: AtomicU64,
    /// Calls that are not idempotent (`set_accept`, paying with a token,
    /// `bind_card`, `check_sms_key`) that OCTO refused. A shop that checks
    /// before it sends one again, over clients that never resend one after
    /// an unknown outcome, is never refused: each is a second attempt at a
    /// change that had landed.
    pub refused_changes: AtomicU64,
}

/// Where a status moves: a later answer never takes a payment back.
fn rank(status: &PaymentStatus) -> u8 {
    match status {
        PaymentStatus::Created => 0,
        PaymentStatus::WaitUserAction | PaymentStatus::WaitingPay => 1,
        PaymentStatus::WaitingForCapture => 2,
        _ => 3,
    }
}

/// The shop's books and its clients.
#[derive(Debug)]
pub struct Shop {
    orders: Mutex<HashMap<String, Order>>,
    tokens: Mutex<HashMap<String, CardToken>>,
    checkers: Vec<Transport>,
    next_checker: AtomicUsize,
    /// What it did.
    pub activity: Activity,
    /// The bound on one call, retries included.
    pub call_limit: Duration,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shop {
    /// A shop whose notification handler checks statuses through
    /// `checkers` in turn.
    pub fn new(checkers: Vec<Transport>, call_limit: Duration) -> Self {
        Self {
            orders: Mutex::default(),
            tokens: Mutex::default(),
            checkers,
            next_checker: AtomicUsize::new(0),
            activity: Activity::default(),
            call_limit,
        }
    }

    /// Opens an order.
    pub fn open(&self, order: Order) {
        lock(&self.orders).insert(order.id.to_string(), order);
    }

    /// A copy of the order `id`.
    pub fn order(&self, id: &str) -> Option<Order> {
        lock(&self.orders).get(id).cloned()
    }

    /// Every order, sorted by id.
    pub fn orders(&self) -> Vec<Order> {
        let mut all: Vec<Order> = lock(&self.orders).values().cloned().collect();
        all.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        all
    }

    /// What the shop believes about `id`.
    pub fn belief(&self, id: &str) -> Option<Belief> {
        lock(&self.orders).get(id).and_then(|o| o.belief.clone())
    }

    /// Takes in an answer from OCTO about `id`: the status moves forward
    /// only, the refunded sum only grows. Answers for another payment
    /// than the one the order holds are ignored.
    pub fn learn(
        &self,
        id: &str,
        uuid: &PaymentUuid,
        status: &PaymentStatus,
        total: Option<Decimal>,
        refunded: Option<Decimal>,
    ) {
        let mut orders = lock(&self.orders);
        let Some(order) = orders.get_mut(id) else {
            return;
        };
        match &order.uuid {
            Some(known) if known != uuid => return,
            Some(_) => {}
            None => order.uuid = Some(uuid.clone()),
        }
        let refunded = refunded.unwrap_or_default();
        match &mut order.belief {
            None => {
                order.belief = Some(Belief {
                    status: status.clone(),
                    total,
                    refunded,
                });
            }
            Some(b) => {
                if rank(status) >= rank(&b.status) {
                    b.status = status.clone();
                    if total.is_some() {
                        b.total = total;
                    }
                }
                b.refunded = b.refunded.max(refunded);
            }
        }
    }

    /// Takes in a payment OCTO answered with.
    pub fn learn_payment(&self, id: &str, p: &Payment) {
        self.learn(
            id,
            &p.octo_payment_uuid,
            &p.status,
            p.total_sum,
            p.refunded_sum,
        );
    }

    /// Records a refund about to be asked for.
    pub fn intend_refund(&self, id: &str, refund_id: &str, amount: Decimal) {
        if let Some(o) = lock(&self.orders).get_mut(id)
            && !o.refunds.iter().any(|r| r.id == refund_id)
        {
            o.refunds.push(RefundIntent {
                id: refund_id.to_owned(),
                amount,
                confirmed: false,
                refused: false,
            });
        }
    }

    /// OCTO answered that the refund succeeded: the refunded sum is at
    /// least the confirmed refunds.
    pub fn confirm_refund(&self, id: &str, refund_id: &str) {
        if let Some(o) = lock(&self.orders).get_mut(id) {
            for r in o.refunds.iter_mut().filter(|r| r.id == refund_id) {
                r.confirmed = true;
            }
            let confirmed: Decimal = o
                .refunds
                .iter()
                .filter(|r| r.confirmed)
                .map(|r| r.amount)
                .sum();
            if let Some(b) = o.belief.as_mut() {
                b.refunded = b.refunded.max(confirmed);
            }
        }
    }

    /// The sum of the refunds of `id` the shop has confirmed.
    pub fn confirmed_refunds(&self, id: &str) -> Decimal {
        lock(&self.orders).get(id).map_or(Decimal::ZERO, |o| {
            o.refunds
                .iter()
                .filter(|r| r.confirmed)
                .map(|r| r.amount)
                .sum()
        })
    }

    /// OCTO refused the refund: nothing was refunded under it.
    pub fn refuse_refund(&self, id: &str, refund_id: &str) {
        if let Some(o) = lock(&self.orders).get_mut(id) {
            for r in o.refunds.iter_mut().filter(|r| r.id == refund_id) {
                r.refused = true;
            }
        }
    }

    /// Marks the order `id` left to lapse after a lost token charge.
    pub fn lapse(&self, id: &str) {
        if let Some(o) = lock(&self.orders).get_mut(id) {
            o.lapsed = true;
        }
    }

    /// Marks the order `id` stopped early.
    pub fn abandon(&self, id: &str, why: String) {
        if let Some(o) = lock(&self.orders).get_mut(id) {
            o.abandoned = Some(why);
        }
    }

    /// Keeps a token from a tokenization callback (unconfirmed until the
    /// binding's status check says it succeeded).
    pub fn keep_token(&self, binding_id: &str, token: CardToken) {
        lock(&self.tokens).insert(binding_id.to_owned(), token);
    }

    /// The token a callback brought for `binding_id`.
    pub fn token(&self, binding_id: &str) -> Option<CardToken> {
        lock(&self.tokens).get(binding_id).cloned()
    }

    /// A status check of `id` through `t`, sent again (with its own key,
    /// so safely) until OCTO answers or refuses, at most `attempts` times.
    pub async fn check(
        &self,
        t: &Transport,
        id: &ShopTransactionId,
        attempts: u32,
    ) -> Result<Payment, Error> {
        let op = PaymentStatusCheck::new(id.clone());
        let mut last = None;
        for attempt in 0..attempts.max(1) {
            pause_before(attempt, Some(&self.activity.idempotent_resends)).await;
            self.activity.status_checks.fetch_add(1, Ordering::Relaxed);
            match t.send(&op, self.call_limit).await {
                Ok(p) => return Ok(p),
                Err(e @ Error::Octo(_)) if e.is_refusal() => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::Transport(octo_proto::TransportError::bare(
                octo_proto::TransportErrorKind::Other,
            ))
        }))
    }

    /// The client the notification handler uses next.
    pub fn checker(&self) -> Option<&Transport> {
        let n = self.next_checker.fetch_add(1, Ordering::Relaxed);
        self.checkers.get(n % self.checkers.len().max(1))
    }
}

/// The pause before the shop's own attempt number `attempt` (from 1).
pub fn backoff(attempt: u32) -> Duration {
    let ms = 20u64.saturating_mul(1 << attempt.min(5));
    Duration::from_millis(ms.min(500))
}

/// What the shop does before attempt `attempt` of a call: nothing before
/// the first; before a later one, it counts the resend in `resends` (when
/// that kind is counted) and waits the [`backoff`].
pub async fn pause_before(attempt: u32, resends: Option<&AtomicU64>) {
    if attempt == 0 {
        return;
    }
    if let Some(resends) = resends {
        resends.fetch_add(1, Ordering::Relaxed);
    }
    tokio::time::sleep(backoff(attempt)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop_with(id: &str) -> Shop {
        let shop = Shop::new(Vec::new(), Duration::from_secs(1));
        shop.open(Order {
            id: id.parse().unwrap_or_else(|_| unreachable!()),
            journey: Journey::TwoStagePartial,
            kind: Kind::Hyper,
            amount: Decimal::new(100_000, 0),
            uuid: None,
            belief: None,
            refunds: Vec::new(),
            abandoned: None,
            lapsed: false,
        });
        shop
    }

    fn uuid(s: &str) -> PaymentUuid {
        s.parse().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn a_late_answer_never_takes_the_books_back() {
        let shop = shop_with("o-1");
        let (u, held, taken) = (
            uuid("u-1"),
            Decimal::new(100_000, 0),
            Decimal::new(40_000, 0),
        );
        let hold = PaymentStatus::WaitingForCapture;
        shop.learn("o-1", &u, &hold, Some(held), None);
        shop.learn("o-1", &u, &PaymentStatus::Succeeded, Some(taken), None);
        // A status check sent before the capture answers after it.
        shop.learn("o-1", &u, &hold, Some(held), None);
        let b = shop.belief("o-1");
        assert_eq!(
            b.as_ref().map(|b| &b.status),
            Some(&PaymentStatus::Succeeded)
        );
        assert_eq!(b.as_ref().and_then(|b| b.total), Some(taken));

        shop.intend_refund("o-1", "o-1-r0", Decimal::new(15_000, 0));
        shop.confirm_refund("o-1", "o-1-r0");
        shop.learn(
            "o-1",
            &u,
            &PaymentStatus::Succeeded,
            Some(taken),
            Some(Decimal::ZERO),
        );
        assert_eq!(
            shop.belief("o-1").map(|b| b.refunded),
            Some(Decimal::new(15_000, 0)),
            "an older refunded sum does not undo a confirmed refund"
        );
    }

    #[test]
    fn an_answer_about_another_payment_is_ignored() {
        let shop = shop_with("o-2");
        shop.learn("o-2", &uuid("u-2"), &PaymentStatus::Created, None, None);
        shop.learn(
            "o-2",
            &uuid("u-other"),
            &PaymentStatus::Succeeded,
            None,
            None,
        );
        assert_eq!(
            shop.belief("o-2").map(|b| b.status),
            Some(PaymentStatus::Created)
        );
    }
}
