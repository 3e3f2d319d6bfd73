//! Card numbers, expiries, holder names, CVCs, SMS codes and tokens come
//! from standard input, one line each when it is a pipe (the terminal path,
//! without echo, is tested in `src/secret_input.rs`), and are never printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{TestSandbox, card_lines, run};

/// `octo bind` under `id`, with `method`.
fn bind_args(id: &'static str, method: &'static str) -> Vec<&'static str> {
    let mut args = common::bind_args(id);
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
    let card = card_lines(pan, "ZARINA QODIROVA");
    run(&args, &sb.env(), &format!("{card}{cvc}\n"))
        .expect_code(0)
        .stdout_has("3-D Secure")
        .never_shows(pan)
        .never_shows(cvc)
        .never_shows("ZARINA QODIROVA");

    // A CVC that is not one is refused before anything is sent, unquoted.
    run(&args, &sb.env(), &format!("{card}82x4\n"))
        .expect_code(2)
        .stderr_has("CVC")
        .never_shows("82x4")
        .never_shows(pan);
    // No CVC line at all.
    run(&args, &sb.env(), &card)
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
        &format!("{}{code}\n", card_lines(pan, "ZARINA QODIROVA")),
    );
    out.expect_code(0)
        .stderr_has("Card number: ")
        .stderr_has("Enter the SMS code")
        .never_shows(pan)
        .never_shows(&code);
}

#[test]
fn the_expiry_and_the_holder_name_come_from_the_pipe_not_the_arguments() {
    // Card data on the command line stays in shell history and shows in
    // `ps`: the expiry and the name on the card are read like the number.
    let sb = TestSandbox::start();
    let pan = "8600000000000007";
    let code = sb.handle.otp_code().to_owned();
    let args = [
        "bind",
        "--id",
        "bind-exp-1",
        "--phone",
        "998901234567",
        "--return-url",
        common::RETURN,
        "--json",
    ];
    let out = run(
        &args,
        &sb.env(),
        &format!("{pan}\n2907\nBOBUR TOSHMATOV\n{code}\n"),
    );
    out.expect_code(0)
        .stderr_has("Expiry (YYMM): ")
        .stderr_has("Name on the card: ")
        .never_shows(pan)
        .never_shows("2907")
        .never_shows("BOBUR TOSHMATOV");
    assert_eq!(out.json()["binding"]["status"], "succeeded");
    // The options that put them on the command line are gone.
    for old in [["--exp", "2907"], ["--holder", "BOBUR"]] {
        let mut with_old = args.to_vec();
        with_old.extend(old);
        run(&with_old, &sb.env(), "")
            .expect_code(2)
            .stderr_has(old[0]);
    }
}
