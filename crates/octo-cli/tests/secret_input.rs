//! Card numbers, CVCs, SMS codes and tokens come from standard input, one
//! line each when it is a pipe (the terminal path, without echo, is tested
//! in `src/secret_input.rs`), and are never printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{TestSandbox, run};

/// `octo bind` of a card for ZARINA QODIROVA under `id`, with `method`.
fn bind_args(id: &'static str, method: &'static str) -> Vec<&'static str> {
    let mut args = common::bind_args(id, "ZARINA QODIROVA");
    args.extend(["--method", method]);
    args
}

#[test]
fn the_card_number_and_cvc_are_read_from_a_pipe_in_order() {
    let sb = TestSandbox::start();
    let pan = "4111111111111111";
    let cvc = "8274";
    let mut args = bind_args("bind-cvc-1", "bank_card");
    args.push("--with-cvc");
    run(&args, &sb.env(), &format!("{pan}\n{cvc}\n"))
        .expect_code(0)
        .stdout_has("3-D Secure")
        .never_shows(pan)
        .never_shows(cvc)
        .never_shows("ZARINA QODIROVA");

    // A CVC that is not one is refused before anything is sent, unquoted.
    run(&args, &sb.env(), &format!("{pan}\n82x4\n"))
        .expect_code(2)
        .stderr_has("CVC")
        .never_shows("82x4")
        .never_shows(pan);
    // No CVC line at all.
    run(&args, &sb.env(), &format!("{pan}\n"))
        .expect_code(2)
        .stderr_has("no CVC")
        .never_shows(pan);
    assert_eq!(
        sb.handle.payment_count(),
        1,
        "only the good binding was sent"
    );
}

#[test]
fn the_sms_code_follows_the_card_number_on_the_pipe() {
    let sb = TestSandbox::start();
    let pan = "8600000000000007";
    let code = sb.handle.otp_code().to_owned();
    let out = run(
        &bind_args("bind-sms-1", "humo"),
        &sb.env(),
        &format!("{pan}\n{code}\n"),
    );
    out.expect_code(0)
        .stderr_has("Card number: ")
        .stderr_has("Enter the SMS code")
        .never_shows(pan)
        .never_shows(&code);
}
