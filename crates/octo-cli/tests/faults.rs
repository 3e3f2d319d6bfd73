//! The API commands when the answer is lost or unreadable: the operator is
//! told the outcome is unknown and to run `octo status` before repeating,
//! never that the command failed and may simply be run again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing)]

mod common;

use common::{TestSandbox, prepare_args, run};
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{FaultAction, FaultRule};

/// A paid payment, prepared through the CLI; OCTO's id of it.
fn paid(sb: &TestSandbox, id: &str, amount: &str) -> String {
    let mut args = prepare_args(id, amount);
    args.push("--json");
    let out = run(&args, &sb.env(), "");
    out.expect_code(0);
    let uuid = out.json()["octo_payment_uuid"].as_str().unwrap().to_owned();
    sb.handle
        .customer()
        .pay(&uuid, &test_card(CardBehaviour::Success))
        .unwrap();
    uuid
}

#[test]
fn a_refund_whose_answer_is_lost_says_the_outcome_is_unknown() {
    let sb = TestSandbox::start();
    let uuid = paid(&sb, "cli-f1", "200000");
    // The sandbox makes the refund, then closes the connection, every time
    // (the client's retries meet the same fault).
    sb.handle.faults().add(
        FaultRule::new(FaultAction::DropAfterProcessing)
            .on_path("/refund")
            .times(10),
    );
    let args = [
        "refund",
        "--uuid",
        &uuid,
        "--refund-id",
        "rf-1",
        "--amount",
        "60000",
    ];
    let out = run(&args, &sb.env(), "");
    out.expect_code(3)
        .stderr_has("may have")
        .stderr_has("octo status")
        .never_shows(&sb.secret());
    // It was made: that is why "failed, try again" would mislead.
    assert_eq!(
        sb.handle.payment(&uuid).unwrap().refunded_sum.to_string(),
        "60000"
    );
}

#[test]
fn an_answer_lost_on_prepare_or_capture_says_to_check_the_status() {
    let sb = TestSandbox::start();
    sb.handle.faults().add(
        FaultRule::new(FaultAction::Status500AfterProcessing)
            .on_path("/prepare_payment")
            .times(10),
    );
    run(&prepare_args("cli-f2", "1000"), &sb.env(), "")
        .expect_code(3)
        .stderr_has("may have")
        .stderr_has("octo status");
}
