//! The short soak: a hundred payments through the three transports and a
//! sandbox faulting a fifth of the requests, reconciled at the end. The
//! full run is `cargo run -p octo-soak -- --payments 10000 --seed 1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use octo_sandbox::FaultKind;
use octo_soak::{SoakConfig, run};

/// A hundred payments under seed 7, changed by `change`, run to their
/// report.
async fn hundred_under(change: impl FnOnce(&mut SoakConfig)) -> octo_soak::Report {
    let mut config = SoakConfig::new(100, 7);
    config.deadline = std::time::Duration::from_secs(240);
    change(&mut config);
    match run(&config).await {
        Ok(report) => report,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_payments_under_faults_reconcile() {
    let report = hundred_under(|_| {}).await;
    println!("{report}");
    assert!(report.holds(), "{report}");
    assert_eq!(report.payments, 100);
    assert_eq!(report.abandoned, 0, "{report}");
    assert_eq!(report.unexpected_outcome, 0, "{report}");
    assert_eq!(report.refused_notifications, 0);
    assert_eq!(report.by_transport.len(), 3, "every transport ran");
    assert_eq!(report.by_journey.len(), 6, "every journey ran: {report}");
    assert!(report.refunds > 0 && report.bound_cards > 0, "{report}");
    // Every kind of fault in the mix was met at least once.
    for kind in [
        FaultKind::DropAfterProcessing,
        FaultKind::Status500,
        FaultKind::Status500AfterProcessing,
        FaultKind::Status502,
        FaultKind::SlowAnswer,
        FaultKind::ResetMidBody,
        FaultKind::OctoInternal,
        FaultKind::OctoInternalAfterProcessing,
        FaultKind::DuplicateCallback,
        FaultKind::ReorderCallback,
    ] {
        assert!(report.faults.get(kind) > 0, "no {kind}: {report}");
    }
    assert!(
        report.notifications > 0 && report.settled_by_check > 0,
        "{report}"
    );
}

/// The report is not blind: a shop that sends a failed refund again under
/// a new `shop_refund_id` (and clients that do not retry) refunds twice,
/// and the run says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_that_changes_refund_ids_is_caught() {
    let report = hundred_under(|c| c.naive_refunds = true).await;
    assert!(report.duplicate_refunds > 0, "{report}");
    assert!(!report.holds(), "{report}");
    assert_eq!(report.duplicate_charges, 0, "{report}");
}

/// Nor is it blind to a shop that reads `created` after a lost token
/// charge as "not charged": it charges again a payment whose first charge
/// is awaiting its code, which the sandbox refuses (a gateway that did not
/// might charge twice), and the run says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_that_charges_a_token_again_on_created_is_caught() {
    let report = hundred_under(|c| {
        c.fault_per_mille = 600;
        c.naive_token_charges = true;
    })
    .await;
    assert!(report.refused_changes > 0, "{report}");
    assert!(!report.holds(), "{report}");
    assert_eq!(report.duplicate_charges, 0, "{report}");
}

/// Against a sandbox that refuses a duplicate `shop_refund_id` (the other
/// reading of OCTO's refund page), a refund whose answer was lost and
/// whose resend is refused was made all the same: the shop must not book
/// it as refused, and the books must still reconcile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_reconcile_when_duplicate_ids_are_refused() {
    let report = hundred_under(|c| {
        c.fault_per_mille = 600;
        c.duplicate_refunds_refused = true;
    })
    .await;
    assert!(report.holds(), "{report}");
    assert!(report.refunds > 0, "{report}");
}
