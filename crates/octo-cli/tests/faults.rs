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

/// A server that reads one request, closes the connection without an
/// answer (as a server that acted and then died), and stops listening: the
/// client's retry then cannot connect.
fn dies_after_one_request() -> String {
    common::serves_one_request(None)
}

#[test]
fn a_refused_connection_after_a_lost_attempt_still_says_to_check_the_status() {
    let url = dies_after_one_request();
    let env = vec![
        ("OCTO_SHOP_ID", "10000".to_owned()),
        ("OCTO_SECRET", "not-a-real-secret".to_owned()),
        ("OCTO_BASE_URL", url),
    ];
    let args = [
        "refund",
        "--uuid",
        "696d0ad9-a998-4b85-8499-af70eb4961e5",
        "--refund-id",
        "rf-2",
        "--amount",
        "60000",
    ];
    // The refund is keyed, so the client tries again; that attempt cannot
    // connect. The first may have been carried out: the operator must not
    // be told only to fix the address.
    run(&args, &env, "")
        .expect_code(3)
        .stderr_has("octo status")
        .never_shows("not-a-real-secret");
}

#[test]
fn a_refund_made_but_not_printable_is_no_crash_and_says_what_happened() {
    let sb = TestSandbox::start();
    let uuid = paid(&sb, "cli-f3", "200000");
    // Standard output that cannot be written (a full disk; a closed pipe
    // behaves alike): the refund is made, only its printing fails.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut command = common::octo();
    command
        .args([
            "refund",
            "--uuid",
            &uuid,
            "--refund-id",
            "rf-3",
            "--amount",
            "60000",
            "--json",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(full)
        .stderr(std::process::Stdio::piped());
    for (key, value) in sb.env() {
        command.env(key, value);
    }
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("OCTO carried it out"), "{stderr}");
    assert!(stderr.contains("octo status"), "{stderr}");
    assert_eq!(
        sb.handle.payment(&uuid).unwrap().refunded_sum.to_string(),
        "60000"
    );
}

fn env_for(url: String) -> Vec<(&'static str, String)> {
    vec![
        ("OCTO_SHOP_ID", "10000".to_owned()),
        ("OCTO_SECRET", "not-a-real-secret".to_owned()),
        ("OCTO_BASE_URL", url),
    ]
}

/// A gateway in front of OCTO answering `{"error":504}` under HTTP 504 is
/// no refusal by OCTO (the SDK resends it as the 5xx it is, when it may):
/// the capture may have been carried out behind it. It exited 1, "refused",
/// which tells an operator the capture did not happen.
#[test]
fn an_unlisted_code_under_a_server_error_is_an_unknown_outcome() {
    let url = common::serves_one_request_with(504, Some(r#"{"error":504}"#));
    run(
        &["capture", "--uuid", "696d0ad9-a998-4b85-8499-af70eb4961e5"],
        &env_for(url),
        "",
    )
    .expect_code(3)
    .stderr_has("octo status")
    .never_shows("not-a-real-secret");
    // OCTO's own refusal under 200 still exits 1.
    let url = common::serves_one_request(Some(r#"{"error":2,"errMessage":"Wrong secret"}"#));
    run(
        &["capture", "--uuid", "696d0ad9-a998-4b85-8499-af70eb4961e5"],
        &env_for(url),
        "",
    )
    .expect_code(1);
}

/// `octo refund` of 100 under `rf-9`.
const REFUND_RF9: [&str; 7] = [
    "refund",
    "--uuid",
    "696d0ad9-a998-4b85-8499-af70eb4961e5",
    "--refund-id",
    "rf-9",
    "--amount",
    "100",
];

/// OCTO answering a refund with `canceled` (or `error`) refused it: exit 1
/// with the status shown, not 0; `unknown` is an unknown outcome: exit 3;
/// `new` and `pending` are not finished: exit 3 too (never 0, "done").
#[test]
fn a_refund_octo_answers_canceled_exits_as_refused() {
    // A refund OCTO has not finished is not done either: exit 3, as an
    // outcome not known yet.
    for (status, code) in [
        ("canceled", 1),
        ("error", 1),
        ("unknown", 3),
        ("new", 3),
        ("pending", 3),
        ("succeeded", 0),
    ] {
        let body: &'static str = Box::leak(
            format!(
                r#"{{"error":0,"data":{{"octo_payment_UUID":"696d0ad9-a998-4b85-8499-af70eb4961e5","refund_id":"9ddd6a6c-e8c7-4859-9943-70c5bf7b4405","status":"{status}"}}}}"#
            )
            .into_boxed_str(),
        );
        let url = common::serves_one_request(Some(body));
        let out = run(&REFUND_RF9, &env_for(url), "");
        let out = out.expect_code(code).stdout_has(status);
        if code != 0 {
            out.stderr_has(status);
        }
    }
}

/// OCTO refusing a refund (error 1, as it may turn a duplicate
/// `shop_refund_id` away): exit 1, and the hint says that after an earlier
/// run with no answer the refund may have been made.
#[test]
fn a_refused_refund_says_a_duplicate_may_hide_an_earlier_refund() {
    let url = common::serves_one_request(Some(
        r#"{"error":1,"errMessage":"shop_refund_id was already used","data":null}"#,
    ));
    run(&REFUND_RF9, &env_for(url), "")
        .expect_code(1)
        .stderr_has("OCTO refusing the duplicate")
        .stderr_has("octo status");
}
