//! `octo demo` through each transport: every flow ends as expected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::run;

#[test]
fn the_demo_passes_through_every_transport() {
    for transport in ["hyper", "reqwest", "ureq"] {
        let out = run(&["demo", "--transport", transport], &[], "");
        out.expect_code(0)
            .stdout_has("Summary: 10 of 10 flows ended as expected")
            .stdout_has(&format!("octo-{transport}"))
            .stdout_has("0 refused");
        // The story names the steps a newcomer needs to see.
        for text in [
            "[1/10] One-stage payment",
            "types the SMS code",
            "waiting_for_capture",
            "set_accept capture",
            "OCTO refuses, as it should",
            "tokenization callback",
            "fiscal-data",
            "125 000.00 UZS",
        ] {
            out.stdout_has(text);
        }
        // Test card numbers appear masked only.
        assert!(!out.stdout.contains("8600000000000007"), "{out:#?}");
        assert!(!out.stdout.contains("9860000000000000"), "{out:#?}");
    }
}

/// A notification is a hint: after each one the shop's next call is a
/// status check, before it ships, captures, refunds or fetches a receipt.
#[test]
fn the_demo_acts_only_after_octo_confirms_a_notification() {
    let out = run(&["demo", "--transport", "hyper"], &[], "");
    out.expect_code(0);
    let steps: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains(". shop -> OCTO") || l.contains(". OCTO -> shop"))
        .collect();
    let mut notifications = 0;
    for (i, step) in steps.iter().enumerate() {
        if !step.contains("notification to notify_url") {
            continue;
        }
        notifications += 1;
        let next_call = steps
            .iter()
            .skip(i + 1)
            .find(|l| l.contains("shop -> OCTO"));
        if let Some(call) = next_call {
            assert!(call.contains("checks the status"), "after {step}: {call}");
        }
    }
    assert!(
        notifications >= 8,
        "{notifications} notifications\n{}",
        out.stdout
    );
}

#[test]
fn the_demo_ignores_credentials_in_the_environment() {
    let env = [
        ("OCTO_SHOP_ID", "1".to_owned()),
        ("OCTO_SECRET", "wrong".to_owned()),
        ("OCTO_BASE_URL", "http://127.0.0.1:1".to_owned()),
    ];
    run(&["demo"], &env, "")
        .expect_code(0)
        .stdout_has("10 of 10");
}

#[test]
fn help_lists_the_commands_and_usage_errors_exit_2() {
    let out = run(&["--help"], &[], "");
    out.expect_code(0);
    for command in [
        "demo",
        "sandbox",
        "prepare",
        "status",
        "capture",
        "cancel",
        "refund",
        "bind",
        "block-token",
        "fiscal-data",
        "verify-notification",
        "Exit codes",
    ] {
        out.stdout_has(command);
    }
    run(&[], &[], "").expect_code(2);
    run(&["pay-everything"], &[], "").expect_code(2);
    run(&["demo", "--transport", "curl"], &[], "").expect_code(2);
}

/// The flows are octo-proto's state machines: a refund asked again under
/// the same `shop_refund_id` is answered from the payment machine's ledger
/// and never reaches OCTO a second time, an over-refund is refused by the
/// machine before any call, and a held payment is decided only after the
/// machine's own status check showed the hold.
#[test]
fn the_demo_runs_octo_protos_state_machines() {
    for transport in ["hyper", "ureq"] {
        let out = run(&["demo", "--transport", transport], &[], "");
        out.expect_code(0)
            .stdout_has("Each flow is one of octo-proto's state machines")
            .stdout_has("the payment machine already has OCTO's answer for that id")
            .stdout_has("the payment machine refuses it before any call");
        let calls: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.contains(". shop -> OCTO"))
            .collect();
        let first_refund = calls
            .iter()
            .filter(|l| l.contains("(shop_refund_id refund-1)"))
            .count();
        assert_eq!(
            first_refund, 1,
            "{transport}: refund-1 sent {first_refund} times"
        );
        // Every set_accept follows a status check that showed the hold.
        for (i, call) in calls.iter().enumerate() {
            if call.contains("set_accept") {
                let before = i.checked_sub(1).and_then(|j| calls.get(j));
                assert!(
                    before.is_some_and(|l| l.contains("checks the status")),
                    "{transport}: {call} after {before:?}"
                );
            }
        }
    }
}
