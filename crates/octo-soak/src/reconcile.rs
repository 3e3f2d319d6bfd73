//! After the run: every payment's status check (faults off) against the
//! shop's books and the sandbox's own record.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::Ordering;
use std::time::Duration;

use octo_proto::op::Payment;
use octo_proto::{Error, PaymentStatus, PaymentUuid};
use octo_sandbox::{FaultCounts, SandboxHandle};
use rust_decimal::Decimal;

use crate::journey::Journey;
use crate::shop::{Order, Shop};
use crate::transport::{Kind, Transport};

/// How many problems a report lists in full.
const LISTED: usize = 25;

/// The figures of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// Payments run.
    pub payments: u64,
    /// Payments per journey.
    pub by_journey: BTreeMap<&'static str, u64>,
    /// Payments per transport.
    pub by_transport: BTreeMap<&'static str, u64>,
    /// Cards bound for token payments.
    pub bound_cards: usize,
    /// Refunds OCTO confirmed.
    pub refunds: u64,
    /// Their sum.
    pub refunded: Decimal,
    /// Payments charged more than once, or for more than asked, or
    /// payments the sandbox holds that no order made.
    pub duplicate_charges: u64,
    /// Payments refunded more than the refunds the shop asked for and
    /// OCTO did not refuse.
    pub duplicate_refunds: u64,
    /// Orders the shop cannot account for: no OCTO id, or OCTO does not
    /// know the id.
    pub lost_payments: u64,
    /// Payments whose status, amount or refunded sum the shop believes
    /// differently from OCTO's final answer (or whose answer differs from
    /// the sandbox's record).
    pub wrong_state: u64,
    /// Flows the shop gave up before their end (their books may still be
    /// right: they are counted in the four figures like any other, and
    /// the run fails on them too).
    pub abandoned: u64,
    /// Payments that ended in another status than their journey aims at
    /// (the run fails on them).
    pub unexpected_outcome: u64,
    /// Token orders whose charge answer was lost and that OCTO then showed
    /// still `created` with no code waiting: the shop left them to lapse
    /// rather than charge again, and OCTO never charged them (checked like
    /// any other order).
    pub lapsed: u64,
    /// Faults injected, by kind.
    pub faults: FaultCounts,
    /// Verified notifications received.
    pub notifications: u64,
    /// Notifications refused. The sandbox signs each one with the shop's
    /// key, so a refusal is a verification bug (a real shop would lose
    /// the callback): the run fails on any.
    pub refused_notifications: u64,
    /// Status checks sent during the run.
    pub status_checks: u64,
    /// Calls sent again with the same idempotency key by the shop.
    pub idempotent_resends: u64,
    /// Calls that are not idempotent, sent again after a status check
    /// showed they had not landed.
    pub checked_resends: u64,
    /// Unknown outcomes settled by a status check.
    pub settled_by_check: u64,
    /// Calls that are not idempotent (`set_accept`, paying with a token,
    /// binding) that OCTO refused: each was sent again after it had
    /// landed, which a sandbox that refuses the second attempt turns into
    /// a refusal and a real gateway might turn into a second charge. The
    /// run fails on them.
    pub refused_changes: u64,
    /// The first problems found, in words.
    pub problems: Vec<String>,
    /// How long the run took.
    pub wall: Duration,
}

impl Report {
    /// Whether the run passed: the four invariants held (no duplicate
    /// charge or refund, no lost payment, no wrong state) and every flow
    /// ran to its end in the status it aims at (no abandoned flow, no
    /// unexpected outcome), with no call that is not idempotent refused
    /// and no notification refused. A shop that leaves a hold uncaptured,
    /// or gives a payment up half-way, keeps its books right and still
    /// fails here.
    pub fn holds(&self) -> bool {
        self.duplicate_charges == 0
            && self.duplicate_refunds == 0
            && self.lost_payments == 0
            && self.wrong_state == 0
            && self.abandoned == 0
            && self.unexpected_outcome == 0
            && self.refused_changes == 0
            && self.refused_notifications == 0
    }

    fn note(&mut self, problem: String) {
        if self.problems.len() < LISTED {
            self.problems.push(problem);
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The plain counts, in two blocks of the report.
        let outcomes = [
            ("duplicate charges:", self.duplicate_charges),
            ("duplicate refunds:", self.duplicate_refunds),
            ("lost payments:", self.lost_payments),
            ("wrong state:", self.wrong_state),
            ("abandoned flows:", self.abandoned),
            ("unexpected outcomes:", self.unexpected_outcome),
            ("changes refused:", self.refused_changes),
        ];
        let calls = [
            ("lapsed, charge lost:", self.lapsed),
            ("status checks:", self.status_checks),
            ("resent with same key:", self.idempotent_resends),
            ("resent after a check:", self.checked_resends),
            ("settled by a check:", self.settled_by_check),
        ];
        writeln!(
            f,
            "octo-soak: {} payments, seed {}",
            self.payments, self.seed
        )?;
        writeln!(f, "wall time:            {:.1} s", self.wall.as_secs_f64())?;
        for (journey, n) in &self.by_journey {
            writeln!(f, "  flow {journey:<28} {n}")?;
        }
        for (t, n) in &self.by_transport {
            writeln!(f, "  transport {t:<23} {n}")?;
        }
        writeln!(f, "bound cards:          {}", self.bound_cards)?;
        writeln!(
            f,
            "refunds confirmed:    {} ({} UZS)",
            self.refunds, self.refunded
        )?;
        counts(f, &outcomes)?;
        writeln!(
            f,
            "faults injected:      {} ({} of {} requests, {} of callbacks)",
            self.faults.total(),
            self.faults.requests(),
            self.faults.requests_seen(),
            self.faults.total() - self.faults.requests()
        )?;
        for (kind, n) in self.faults.iter() {
            writeln!(f, "  {:<32} {n}", kind.name())?;
        }
        writeln!(
            f,
            "notifications:        {} verified, {} refused",
            self.notifications, self.refused_notifications
        )?;
        counts(f, &calls)?;
        for p in &self.problems {
            writeln!(f, "problem: {p}")?;
        }
        write!(
            f,
            "invariants: {}",
            if self.holds() { "hold" } else { "VIOLATED" }
        )
    }
}

/// One line a count, its label padded to the report's column.
fn counts(f: &mut fmt::Formatter<'_>, rows: &[(&str, u64)]) -> fmt::Result {
    for (label, n) in rows {
        writeln!(f, "{label:<22}{n}")?;
    }
    Ok(())
}

fn client(transports: &[Transport], kind: Kind) -> Option<&Transport> {
    transports.iter().find(|t| t.kind() == kind)
}

/// OCTO's final answer about a payment: its status check, faults off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The payment's id in the answer.
    pub uuid: PaymentUuid,
    /// Its status.
    pub status: PaymentStatus,
    /// Its amount.
    pub total: Option<Decimal>,
    /// The refunded sum (none read as zero).
    pub refunded: Decimal,
}

impl Answer {
    fn of(p: &Payment) -> Self {
        Self {
            uuid: p.octo_payment_uuid.clone(),
            status: p.status.clone(),
            total: p.total_sum,
            refunded: p.refunded_sum.unwrap_or_default(),
        }
    }
}

/// A refund in the sandbox's ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The `shop_refund_id` it was made under.
    pub shop_refund_id: String,
    /// Its amount.
    pub amount: Decimal,
}

/// The sandbox's own record of a payment (the judge): what it holds,
/// and the refunds it made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// The shop's id the payment was prepared under.
    pub shop_transaction_id: String,
    /// Its status.
    pub status: PaymentStatus,
    /// Its amount.
    pub total_sum: Decimal,
    /// The refunded sum.
    pub refunded_sum: Decimal,
    /// Every refund made of it.
    pub refunds: Vec<Entry>,
}

/// What the reconciliation of one order found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// The shop cannot account for the payment.
    pub lost: bool,
    /// Disagreements between the shop, OCTO's answer and the record.
    pub wrong_state: u64,
    /// The payment is another order's, or for more than was asked.
    pub duplicate_charge: bool,
    /// More was refunded than the shop asked for.
    pub duplicate_refund: bool,
    /// The payment ended in another status than its journey aims at.
    pub unexpected: bool,
    /// In words.
    pub notes: Vec<String>,
}

/// Judges one order: what the shop believes and asked for, against
/// OCTO's final answer and the sandbox's record. `answer` is the status
/// check (an error in words when there was none); `record` is the
/// sandbox's record of the payment the shop holds the id of.
pub(crate) fn judge(
    order: &Order,
    answer: Result<Answer, String>,
    record: Option<Record>,
) -> Findings {
    let mut f = Findings::default();
    let id = order.id.as_str();
    let Some(uuid) = order.uuid.as_ref() else {
        f.lost = true;
        let octo = match &answer {
            Ok(p) => format!("OCTO has it as {}", p.status),
            Err(_) => "OCTO does not know it".to_owned(),
        };
        f.notes
            .push(format!("{id}: the shop never learnt OCTO's id; {octo}"));
        return f;
    };
    let p = match answer {
        Ok(p) => p,
        Err(why) => {
            f.lost = true;
            f.notes.push(format!("{id}: no final status check: {why}"));
            return f;
        }
    };
    let Some(record) = record else {
        f.lost = true;
        f.notes
            .push(format!("{id}: the sandbox holds no payment {uuid}"));
        return f;
    };
    let refunded = p.refunded;
    if &p.uuid != uuid
        || p.status != record.status
        || p.total != Some(record.total_sum)
        || refunded != record.refunded_sum
    {
        f.wrong_state += 1;
        f.notes.push(format!(
            "{id}: the status check ({} {:?} refunded {refunded}) differs from the record ({} {} refunded {})",
            p.status, p.total, record.status, record.total_sum, record.refunded_sum
        ));
    }
    match order.belief.as_ref() {
        Some(b) if b.status == p.status && b.total == p.total && b.refunded == refunded => {}
        other => {
            f.wrong_state += 1;
            f.notes.push(format!(
                "{id} ({}): the shop believes {other:?}, OCTO says {} {:?} refunded {refunded}",
                order.journey.name(),
                p.status,
                p.total
            ));
        }
    }
    if record.shop_transaction_id != id || record.total_sum > order.amount {
        f.duplicate_charge = true;
        f.notes.push(format!(
            "{id}: the record is {} for {} (asked {})",
            record.shop_transaction_id, record.total_sum, order.amount
        ));
    }
    // What the shop asked for and OCTO did not refuse, each
    // `shop_refund_id` once.
    let asked: Decimal = order
        .refunds
        .iter()
        .filter(|x| !x.refused)
        .map(|x| x.amount)
        .sum();
    if record.refunded_sum > asked {
        f.duplicate_refund = true;
        f.notes.push(format!(
            "{id}: refunded {} though the shop asked for {asked}",
            record.refunded_sum
        ));
    }
    // The sandbox's ledger, refund by refund: each one made under a
    // `shop_refund_id` the shop asked for, for that amount; each refund
    // the shop believes made is there. Sums alone can hide a refund made
    // twice behind one that never landed.
    for e in &record.refunds {
        match order.refunds.iter().find(|x| x.id == e.shop_refund_id) {
            None => {
                f.duplicate_refund = true;
                f.notes.push(format!(
                    "{id}: refunded {} under {}, which the shop never asked for",
                    e.amount, e.shop_refund_id
                ));
            }
            Some(x) if x.refused || x.amount != e.amount => {
                f.wrong_state += 1;
                f.notes.push(format!(
                    "{id}: refund {} is {} in the ledger; the shop believes it {} for {}",
                    e.shop_refund_id,
                    e.amount,
                    if x.refused { "refused" } else { "asked" },
                    x.amount
                ));
            }
            Some(_) => {}
        }
    }
    for x in order.refunds.iter().filter(|x| x.confirmed) {
        if !record.refunds.iter().any(|e| e.shop_refund_id == x.id) {
            f.wrong_state += 1;
            f.notes.push(format!(
                "{id}: the shop believes refund {} of {} made; the sandbox never made it",
                x.id, x.amount
            ));
        }
    }
    let as_aimed = match order.journey {
        // Left to lapse after a lost charge: never paid.
        _ if order.lapsed => {
            matches!(p.status, PaymentStatus::Created | PaymentStatus::Canceled)
        }
        // Refused (or failed), never paid: `is_final` also counts a
        // payment charged and then refunded in full.
        Journey::Declined => p.status.is_final() && !p.status.is_paid(),
        journey => p.status == journey.expected(),
    };
    f.unexpected = !as_aimed;
    f
}

/// The payments the sandbox holds (`(uuid, shop_transaction_id)`) that
/// no order or binding accounts for, in words: one under an id no order
/// or binding has, or a second one under an id (beside the one the order
/// holds OCTO's id of). The payment of an order that never learnt its id
/// is that order's (it is counted lost), not a stranger.
pub(crate) fn strangers(held: &[(String, String)], orders: &[Order], cards: usize) -> Vec<String> {
    let orders: HashMap<&str, &Order> = orders.iter().map(|o| (o.id.as_str(), o)).collect();
    let bindings: Vec<String> = (0..cards).map(|n| format!("bind-{n}")).collect();
    let mut by_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (uuid, id) in held {
        by_id.entry(id.as_str()).or_default().push(uuid.as_str());
    }
    let mut found = Vec::new();
    for (id, uuids) in by_id {
        let strange: Vec<&str> = match orders.get(id) {
            Some(Order { uuid: Some(u), .. }) => {
                uuids.into_iter().filter(|x| *x != u.as_str()).collect()
            }
            Some(_) => uuids.into_iter().skip(1).collect(),
            None if bindings.iter().any(|b| b == id) => uuids.into_iter().skip(1).collect(),
            None => uuids,
        };
        for uuid in strange {
            found.push(format!(
                "the sandbox holds payment {uuid} under {id}, which no order or binding accounts for"
            ));
        }
    }
    found
}

/// Compares every order with OCTO's final answer and the sandbox's record.
pub(crate) async fn reconcile(
    sandbox: &SandboxHandle,
    shop: &Shop,
    transports: &[Transport],
    cards: usize,
    faults: FaultCounts,
) -> Report {
    let a = &shop.activity;
    let mut r = Report {
        faults,
        notifications: a.notifications.load(Ordering::Relaxed),
        refused_notifications: a.refused_notifications.load(Ordering::Relaxed),
        status_checks: a.status_checks.load(Ordering::Relaxed),
        idempotent_resends: a.idempotent_resends.load(Ordering::Relaxed),
        checked_resends: a.checked_resends.load(Ordering::Relaxed),
        settled_by_check: a.settled_by_check.load(Ordering::Relaxed),
        refused_changes: a.refused_changes.load(Ordering::Relaxed),
        ..Report::default()
    };
    let mut ledger: HashMap<String, Vec<Entry>> = HashMap::new();
    // A refund the sandbox canceled refunded nothing: not in the ledger.
    for x in sandbox.refunds().into_iter().filter(|x| !x.canceled) {
        ledger.entry(x.payment_uuid).or_default().push(Entry {
            shop_refund_id: x.shop_refund_id,
            amount: x.amount,
        });
    }
    let orders = shop.orders();
    for order in &orders {
        r.payments += 1;
        *r.by_journey.entry(order.journey.name()).or_default() += 1;
        *r.by_transport.entry(order.kind.name()).or_default() += 1;
        let id = order.id.as_str().to_owned();
        r.lapsed += u64::from(order.lapsed);
        if let Some(why) = &order.abandoned {
            r.abandoned += 1;
            r.note(format!("{id} ({}) abandoned: {why}", order.journey.name()));
        }
        let Some(t) = client(transports, order.kind) else {
            continue;
        };
        let answer = match shop.check(t, &order.id, 10).await {
            Ok(p) => Ok(Answer::of(&p)),
            Err(Error::Octo(e)) => Err(format!("OCTO does not know it: {e}")),
            Err(e) => Err(e.to_string()),
        };
        let record = order.uuid.as_ref().and_then(|u| {
            let s = sandbox.payment(u.as_str())?;
            Some(Record {
                shop_transaction_id: s.shop_transaction_id,
                status: s.status,
                total_sum: s.total_sum,
                refunded_sum: s.refunded_sum,
                refunds: ledger.remove(u.as_str()).unwrap_or_default(),
            })
        });
        let found = judge(order, answer, record);
        r.lost_payments += u64::from(found.lost);
        r.wrong_state += found.wrong_state;
        r.duplicate_charges += u64::from(found.duplicate_charge);
        r.duplicate_refunds += u64::from(found.duplicate_refund);
        r.unexpected_outcome += u64::from(found.unexpected);
        for note in found.notes {
            r.note(note);
        }
        for x in order.refunds.iter().filter(|x| x.confirmed) {
            r.refunds += 1;
            r.refunded += x.amount;
        }
    }
    // Every payment the sandbox holds is an order's or a binding's,
    // judged from the sandbox's own list.
    let held: Vec<(String, String)> = sandbox
        .payments()
        .into_iter()
        .map(|p| (p.uuid, p.shop_transaction_id))
        .collect();
    for stranger in strangers(&held, &orders, cards) {
        r.duplicate_charges += 1;
        r.note(stranger);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shop::{Belief, RefundIntent};
    use crate::transport::Kind;

    fn d(units: i64) -> Decimal {
        Decimal::new(units, 0)
    }

    fn uuid() -> PaymentUuid {
        "u-1".parse().unwrap_or_else(|_| unreachable!())
    }

    fn intent(id: &str, amount: i64, confirmed: bool) -> RefundIntent {
        RefundIntent {
            id: id.to_owned(),
            amount: d(amount),
            confirmed,
            refused: false,
        }
    }

    fn entry(id: &str, amount: i64) -> Entry {
        Entry {
            shop_refund_id: id.to_owned(),
            amount: d(amount),
        }
    }

    /// An order of 100,000 whose books, OCTO's answer and the sandbox's
    /// record all say `status` with `refunded` refunded.
    fn state(
        journey: Journey,
        status: PaymentStatus,
        refunded: i64,
        refunds: Vec<RefundIntent>,
        ledger: Vec<Entry>,
    ) -> (Order, Answer, Record) {
        let order = Order {
            id: "o-1".parse().unwrap_or_else(|_| unreachable!()),
            journey,
            kind: Kind::Reqwest,
            amount: d(100_000),
            uuid: Some(uuid()),
            belief: Some(Belief {
                status: status.clone(),
                total: Some(d(100_000)),
                refunded: d(refunded),
            }),
            refunds,
            abandoned: None,
            lapsed: false,
        };
        let answer = Answer {
            uuid: uuid(),
            status: status.clone(),
            total: Some(d(100_000)),
            refunded: d(refunded),
        };
        let record = Record {
            shop_transaction_id: "o-1".to_owned(),
            status,
            total_sum: d(100_000),
            refunded_sum: d(refunded),
            refunds: ledger,
        };
        (order, answer, record)
    }

    /// What `judge` finds in the [`state`] these describe.
    fn judged(
        journey: Journey,
        status: PaymentStatus,
        refunded: i64,
        refunds: Vec<RefundIntent>,
        ledger: Vec<Entry>,
    ) -> Findings {
        let (order, answer, record) = state(journey, status, refunded, refunds, ledger);
        judge(&order, Ok(answer), Some(record))
    }

    /// A one-stage payment refunded in two halves whose first half landed
    /// twice, the second time under a new id: OCTO's and the sandbox's
    /// sums say all of it is refunded, the ledger holds the first half
    /// twice and not the second. The shop's books confirm the second half
    /// if `second_confirmed`.
    fn first_half_refunded_twice(second_confirmed: bool) -> Findings {
        judged(
            Journey::OneStage,
            PaymentStatus::Succeeded,
            100_000,
            vec![
                intent("o-1-r0", 50_000, true),
                intent("o-1-r1", 50_000, second_confirmed),
            ],
            vec![entry("o-1-r0", 50_000), entry("o-1-r0-again1", 50_000)],
        )
    }

    fn clean(f: &Findings) -> bool {
        !f.lost && f.wrong_state == 0 && !f.duplicate_charge && !f.duplicate_refund && !f.unexpected
    }

    #[test]
    fn books_that_agree_with_the_ledger_are_clean() {
        let f = judged(
            Journey::OneStage,
            PaymentStatus::Succeeded,
            50_000,
            vec![intent("o-1-r0", 50_000, true)],
            vec![entry("o-1-r0", 50_000)],
        );
        assert!(clean(&f), "{f:?}");
    }

    /// The shop sent its first refund again under a new id (both landed)
    /// and its second refund never got an answer: the sums agree, the
    /// ledger does not.
    #[test]
    fn a_refund_made_twice_under_a_new_id_is_caught_by_the_ledger() {
        let f = first_half_refunded_twice(false);
        assert!(f.duplicate_refund, "{f:?}");
    }

    /// The client said a refund succeeded that OCTO never made, and the
    /// sum is made up by a refund the shop never asked for.
    #[test]
    fn a_confirmed_refund_missing_from_the_ledger_is_a_wrong_state() {
        let f = first_half_refunded_twice(true);
        assert!(f.wrong_state > 0, "{f:?}");
        assert!(f.duplicate_refund, "{f:?}");
    }

    /// A declined card's payment must not end paid, refunded or not.
    #[test]
    fn a_declined_card_that_ends_charged_is_an_unexpected_outcome() {
        let f = judged(
            Journey::Declined,
            PaymentStatus::Refunded,
            100_000,
            vec![],
            vec![],
        );
        assert!(f.unexpected, "{f:?}");
        let f = judged(
            Journey::Declined,
            PaymentStatus::Canceled,
            0,
            vec![],
            vec![],
        );
        assert!(clean(&f), "{f:?}");
    }

    fn held(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(u, id)| ((*u).to_owned(), (*id).to_owned()))
            .collect()
    }

    /// The payment of an order that never learnt OCTO's id is a lost
    /// payment, not a duplicate charge; a payment under a fresh id, or a
    /// second one under an order's or a binding's id, is one.
    #[test]
    fn the_sandboxs_payments_are_accounted_for_one_by_one() {
        let (known, _, _) = state(
            Journey::OneStage,
            PaymentStatus::Succeeded,
            0,
            vec![],
            vec![],
        );
        let lost = Order {
            id: "o-2".parse().unwrap_or_else(|_| unreachable!()),
            uuid: None,
            belief: None,
            ..known.clone()
        };
        let orders = [known, lost];
        let ours = [("u-1", "o-1"), ("u-2", "o-2"), ("u-3", "bind-0")];
        assert_eq!(strangers(&held(&ours), &orders, 1), Vec::<String>::new());
        let mut more = ours.to_vec();
        more.extend([("u-4", "o-1-again"), ("u-5", "o-1"), ("u-6", "bind-0")]);
        let found = strangers(&held(&more), &orders, 1);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().any(|f| f.contains("u-4")), "{found:?}");
        assert!(found.iter().any(|f| f.contains("u-5")), "{found:?}");
        assert!(found.iter().any(|f| f.contains("u-6")), "{found:?}");
    }

    /// An empty report but for what `change` sets.
    fn report_with(change: impl FnOnce(&mut Report)) -> Report {
        let mut report = Report::default();
        change(&mut report);
        report
    }

    #[test]
    fn a_lapsed_token_order_is_as_aimed_only_while_octo_never_charged_it() {
        for (status, as_aimed) in [
            (PaymentStatus::Created, true),
            (PaymentStatus::Canceled, true),
            (PaymentStatus::Succeeded, false),
        ] {
            let (mut order, answer, record) =
                state(Journey::Token, status.clone(), 0, vec![], vec![]);
            order.lapsed = true;
            let found = judge(&order, Ok(answer), Some(record));
            assert_eq!(found.unexpected, !as_aimed, "{status}");
            assert_eq!(found.wrong_state, 0, "{status}");
        }
        // Not lapsed, the same `created` payment is a flow that never ended.
        let found = judged(Journey::Token, PaymentStatus::Created, 0, vec![], vec![]);
        assert!(found.unexpected);
    }

    #[test]
    fn a_lapsed_order_the_shop_believes_unpaid_but_octo_charged_is_wrong_state() {
        let (mut order, answer, mut record) =
            state(Journey::Token, PaymentStatus::Succeeded, 0, vec![], vec![]);
        order.lapsed = true;
        if let Some(b) = order.belief.as_mut() {
            b.status = PaymentStatus::Created;
        }
        record.status = PaymentStatus::Succeeded;
        let found = judge(&order, Ok(answer), Some(record));
        assert_eq!(found.wrong_state, 1);
        assert!(found.unexpected);
    }

    /// A flow given up, or a payment left in another status than aimed
    /// (a hold never captured), fails the run: the soak exits non-zero.
    #[test]
    fn an_abandoned_flow_or_an_unexpected_outcome_fails_the_run() {
        assert!(Report::default().holds());
        let failing = [
            report_with(|r| r.abandoned = 1),
            report_with(|r| r.unexpected_outcome = 1),
            report_with(|r| r.refused_changes = 1),
            // The sandbox signs every notification with the shop's key: one
            // refused is a verification bug that would lose callbacks.
            report_with(|r| r.refused_notifications = 1),
        ];
        for report in failing {
            assert!(!report.holds(), "{report}");
        }
    }
}
