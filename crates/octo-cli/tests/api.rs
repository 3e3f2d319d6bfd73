//! The API commands against a sandbox started here: good and bad input,
//! the exit codes, the key output, and no secret in any output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Indexing a serde_json::Value never panics (a missing key reads as Null).
#![allow(clippy::indexing_slicing)]

mod common;

use common::{RETURN, TestSandbox, bind_args, card_lines, prepare_args, run, temp_file};
use octo_proto::op::{PreparePayment, UserData};
use octo_proto::{Config, Currency};
use octo_sandbox::cards::{CardBehaviour, test_card};
use rust_decimal::Decimal;

/// Prepares through the CLI (JSON) and returns OCTO's id of the payment.
fn prepared(sb: &TestSandbox, id: &str, amount: &str, extra: &[&str]) -> String {
    let mut args = prepare_args(id, amount);
    args.extend_from_slice(extra);
    args.push("--json");
    let out = run(&args, &sb.env(), "");
    out.expect_code(0).never_shows(&sb.secret());
    let json = out.json();
    assert_eq!(json["status"], "created");
    json["octo_payment_uuid"].as_str().unwrap().to_owned()
}

fn pay(sb: &TestSandbox, uuid: &str) {
    sb.handle
        .customer()
        .pay(uuid, &test_card(CardBehaviour::Success))
        .unwrap();
}

#[test]
fn prepare_prints_the_payment_and_the_page_to_send_the_customer_to() {
    let sb = TestSandbox::start();
    let out = run(&prepare_args("cli-1", "1500.50"), &sb.env(), "");
    out.expect_code(0)
        .stdout_has("created")
        .stdout_has("1500.50")
        .stdout_has("Send the customer to http://127.0.0.1:")
        .never_shows(&sb.secret());
}

#[test]
fn status_as_text_and_json_for_every_transport() {
    let sb = TestSandbox::start();
    let uuid = prepared(&sb, "cli-2", "2000", &[]);
    pay(&sb, &uuid);
    for transport in ["ureq", "reqwest", "hyper"] {
        run(
            &["status", "--id", "cli-2", "--transport", transport],
            &sb.env(),
            "",
        )
        .expect_code(0)
        .stdout_has("succeeded")
        .stdout_has(&uuid);
        let json = run(
            &[
                "status",
                "--id",
                "cli-2",
                "--json",
                "--transport",
                transport,
            ],
            &sb.env(),
            "",
        )
        .expect_code(0)
        .json();
        assert_eq!(json["status"], "succeeded");
        assert_eq!(json["total_sum"].to_string(), "2000");
    }
}

#[test]
fn capture_part_of_a_hold_then_refund_and_refuse_an_over_refund() {
    let sb = TestSandbox::start();
    let uuid = prepared(&sb, "cli-3", "150000", &["--two-stage"]);
    pay(&sb, &uuid);
    run(&["status", "--id", "cli-3"], &sb.env(), "")
        .expect_code(0)
        .stdout_has("waiting_for_capture");
    run(
        &["capture", "--uuid", &uuid, "--amount", "100000"],
        &sb.env(),
        "",
    )
    .expect_code(0)
    .stdout_has("succeeded");
    assert_eq!(
        sb.handle.payment(&uuid).unwrap().total_sum,
        Decimal::new(100_000, 0)
    );
    let refund = |id, amount| {
        [
            "refund",
            "--uuid",
            &uuid,
            "--refund-id",
            id,
            "--amount",
            amount,
        ]
    };
    let mut args = refund("r-1", "60000").to_vec();
    args.push("--json");
    let json = run(&args, &sb.env(), "").expect_code(0).json();
    assert_eq!(json["status"], "succeeded");
    run(&refund("r-2", "50000"), &sb.env(), "")
        .expect_code(1)
        .stderr_has("OCTO error 3")
        .stderr_has("hint:");
    // Cancelling what is already captured is refused by OCTO.
    run(&["cancel", "--uuid", &uuid], &sb.env(), "").expect_code(1);
}

#[test]
fn cancel_releases_a_hold() {
    let sb = TestSandbox::start();
    let uuid = prepared(&sb, "cli-4", "50000", &["--two-stage"]);
    pay(&sb, &uuid);
    run(&["cancel", "--uuid", &uuid], &sb.env(), "")
        .expect_code(0)
        .stdout_has("canceled");
    run(&["capture", "--uuid", &uuid], &sb.env(), "").expect_code(1);
}

#[test]
fn credentials_come_from_the_environment_or_a_file_never_from_arguments() {
    let sb = TestSandbox::start();
    let base = ("OCTO_BASE_URL", sb.base_url());
    run(&["status", "--id", "x"], std::slice::from_ref(&base), "")
        .expect_code(2)
        .stderr_has("OCTO_SHOP_ID")
        .stderr_has("hint:");
    let file = temp_file(
        "creds.env",
        &format!(
            "# the sandbox's shop\nOCTO_SHOP_ID={}\nexport OCTO_SECRET=\"{}\"\n",
            sb.handle.shop_id(),
            sb.secret()
        ),
    );
    let file = file.to_str().unwrap();
    run(
        &prepare_args("cli-5", "1000"),
        &[base.clone(), ("OCTO_CREDENTIALS", file.into())],
        "",
    )
    .expect_code(0)
    .never_shows(&sb.secret());
    run(
        &["status", "--id", "cli-5", "--credentials", file],
        std::slice::from_ref(&base),
        "",
    )
    .expect_code(0)
    .stdout_has("created");
    // There is no option that takes a secret.
    run(&["status", "--id", "cli-5", "--secret", "x"], &sb.env(), "").expect_code(2);
    run(
        &[
            "status",
            "--id",
            "x",
            "--credentials",
            "/nonexistent/octo.env",
        ],
        &[base],
        "",
    )
    .expect_code(2)
    .stderr_has("cannot read");
}

#[test]
fn a_wrong_secret_is_refused_by_octo_with_a_hint_and_never_printed() {
    let sb = TestSandbox::start();
    let wrong = "not-the-secret-5b1c";
    let env = [
        ("OCTO_SHOP_ID", sb.handle.shop_id().to_string()),
        ("OCTO_SECRET", wrong.to_owned()),
        ("OCTO_BASE_URL", sb.base_url()),
    ];
    run(&["status", "--id", "x"], &env, "")
        .expect_code(1)
        .stderr_has("OCTO error 2")
        .stderr_has("OCTO_SECRET")
        .never_shows(wrong);
    let env = [
        ("OCTO_SHOP_ID", "not-a-number".to_owned()),
        ("OCTO_SECRET", wrong.to_owned()),
        ("OCTO_BASE_URL", sb.base_url()),
    ];
    run(&["status", "--id", "x"], &env, "")
        .expect_code(2)
        .never_shows(wrong);
}

#[test]
fn bad_input_is_refused_before_sending_and_octo_refusals_exit_1() {
    let sb = TestSandbox::start();
    run(&prepare_args("cli-6", "abc"), &sb.env(), "").expect_code(2);
    run(&prepare_args("cli-6", "-5"), &sb.env(), "")
        .expect_code(2)
        .stderr_has("nothing was sent");
    run(&["prepare", "--id", "cli-6"], &sb.env(), "").expect_code(2);
    let mut args = prepare_args("cli-6", "100");
    args.extend_from_slice(&["--language", "fr"]);
    run(&args, &sb.env(), "").expect_code(2);
    let mut args = prepare_args("cli-6", "100");
    args.extend_from_slice(&["--currency", "KZT"]);
    run(&args, &sb.env(), "")
        .expect_code(1)
        .stderr_has("OCTO error 6");
    run(&["status", "--id", "no-such-order"], &sb.env(), "").expect_code(1);
    run(&["fiscal-data", "--uuid", "no-such-payment"], &sb.env(), "").expect_code(1);
}

#[test]
fn a_dead_address_is_a_network_failure() {
    let sb = TestSandbox::start();
    let mut env = sb.env();
    env.retain(|(k, _)| *k != "OCTO_BASE_URL");
    for transport in ["ureq", "reqwest", "hyper"] {
        run(
            &[
                "status",
                "--id",
                "x",
                "--base-url",
                "http://127.0.0.1:1",
                "--transport",
                transport,
            ],
            &env,
            "",
        )
        .expect_code(3)
        .stderr_has("network failure")
        .stderr_has("--base-url");
    }
    run(
        &["status", "--id", "x", "--base-url", "not a url"],
        &env,
        "",
    )
    .expect_code(2);
}

#[test]
fn bind_reads_the_card_and_code_from_stdin_then_block_token_reads_the_token() {
    let sb = TestSandbox::start();
    let pan = "9860000000000000";
    let mut args = bind_args("bind-1");
    args.push("--json");
    let out = run(
        &args,
        &sb.env(),
        &format!(
            "{}{}\n",
            card_lines(pan, "ALISHER KARIMOV"),
            sb.handle.otp_code()
        ),
    );
    out.expect_code(0)
        .stderr_has("Enter the SMS code")
        .never_shows(pan)
        .never_shows("ALISHER KARIMOV")
        .never_shows(&sb.secret());
    let json = out.json();
    assert_eq!(json["binding"]["status"], "succeeded");
    let uuid = json["binding"]["octo_payment_uuid"].as_str().unwrap();
    let (token, status) = sb.handle.binding_token(uuid).unwrap();
    assert_eq!(status, octo_proto::TokenStatus::Active);
    let token = token.expose_secret().to_owned();

    run(&["block-token"], &sb.env(), &format!("{token}\n"))
        .expect_code(0)
        .stdout_has("blocked")
        .never_shows(&token);
    run(&["block-token"], &sb.env(), &format!("{token}\n"))
        .expect_code(1)
        .stderr_has("OCTO error 6")
        .never_shows(&token);
    run(&["block-token"], &sb.env(), "")
        .expect_code(2)
        .stderr_has("standard input");
    run(&["block-token"], &sb.env(), "no-such-token\n")
        .expect_code(1)
        .stderr_has("OCTO error 5");
}

#[test]
fn bind_refuses_a_bad_card_a_missing_code_and_a_wrong_code() {
    let sb = TestSandbox::start();
    let args = bind_args;
    run(
        &args("bind-2"),
        &sb.env(),
        &card_lines("1234567890123", "A B"),
    )
    .expect_code(2)
    .stderr_has("card number")
    .never_shows("1234567890123");
    run(&args("bind-3"), &sb.env(), "").expect_code(2);
    run(
        &args("bind-4"),
        &sb.env(),
        &card_lines("8600000000000007", "A B"),
    )
    .expect_code(2)
    .stderr_has("no SMS code");
    run(
        &args("bind-5"),
        &sb.env(),
        &format!("{}000000\n", card_lines("8600000000000106", "A B")),
    )
    .expect_code(1)
    .never_shows("8600000000000106");
    run(&args("bind-6"), &sb.env(), "8600000000000007\n1399\nA B\n")
        .expect_code(2)
        .stderr_has("expiry")
        .never_shows("1399");
    run(&args("bind-7"), &sb.env(), "8600000000000007\n3012\n")
        .expect_code(2)
        .stderr_has("no name on the card");
}

#[test]
fn fiscal_data_of_a_paid_fiscal_payment() {
    let sb = TestSandbox::start();
    let object = common::fiscal_object();
    let item = object.basket_item("Tea", 2, Decimal::new(45_000, 0));
    let mut op = PreparePayment::new(
        "fis-1".parse().unwrap(),
        Decimal::new(90_000, 0),
        Currency::Uzs,
        "Tea",
        RETURN,
        time::macros::datetime!(2025-01-01 10:00:00),
    )
    .with_basket(vec![item]);
    op.user_data = Some(UserData {
        user_id: "u-1".into(),
        phone: "998901234567".into(),
        email: String::new(),
    });
    let config: Config = sb.handle.client_config();
    let client = {
        let _inside = sb.runtime.enter();
        octo_hyper::Client::new(config).unwrap()
    };
    let created = sb.runtime.block_on(client.prepare_payment(&op)).unwrap();
    let uuid = created.octo_payment_uuid.to_string();
    run(&["fiscal-data", "--uuid", &uuid], &sb.env(), "")
        .expect_code(1)
        .stderr_has("OCTO error 1");
    pay(&sb, &uuid);
    run(&["fiscal-data", "--uuid", &uuid], &sb.env(), "")
        .expect_code(0)
        .stdout_has("fiscal sign")
        .stdout_has("SB000000000001");
    let json = run(&["fiscal-data", "--uuid", &uuid, "--json"], &sb.env(), "")
        .expect_code(0)
        .json();
    assert!(json["receipt_id"].is_string(), "{json}");
}

#[test]
fn a_missing_sms_code_says_the_binding_was_started_and_stays_pending() {
    let sb = TestSandbox::start();
    // bind_card was sent and OCTO sent the code: the binding is pending at
    // OCTO, and the same card cannot be bound again until it lapses, so
    // "nothing was sent" would mislead the operator.
    let out = run(
        &bind_args("bind-8"),
        &sb.env(),
        &card_lines("8600000000000007", "A B"),
    );
    out.expect_code(2)
        .stderr_has("no SMS code")
        .stderr_has("was started")
        .stderr_has("pending")
        .never_shows("8600000000000007");
    // The message names the binding, so the operator can look it up.
    let binding = sb
        .handle
        .payments()
        .into_iter()
        .find(|p| p.shop_transaction_id == "bind-8")
        .expect("bind_card reached the sandbox");
    out.stderr_has(&binding.uuid);
}

#[test]
fn a_repeated_id_with_another_amount_is_not_shown_as_done() {
    let sb = TestSandbox::start();
    prepared(&sb, "cli-rep-1", "1000.00", &[]);
    // OCTO keeps one payment per shop_transaction_id and answers a second
    // prepare_payment with the first payment: 1000.00, not the 2000 asked
    // for. Exit 0 with "send the customer to pay" would send the customer
    // to pay the wrong amount.
    let out = run(&prepare_args("cli-rep-1", "2000"), &sb.env(), "");
    out.expect_code(1)
        .stderr_has("1000.00")
        .stderr_has("not 2000")
        .stderr_has("new --id");
    assert!(!out.stdout.contains("Send the customer"), "{}", out.stdout);
    // The same amount written another way is the same payment.
    run(&prepare_args("cli-rep-1", "1000"), &sb.env(), "").expect_code(0);
}

#[test]
fn a_repeated_prepare_of_a_paid_payment_does_not_ask_the_customer_to_pay() {
    let sb = TestSandbox::start();
    let uuid = prepared(&sb, "cli-rep-2", "5000", &[]);
    pay(&sb, &uuid);
    // The operator repeats prepare after a lost answer, as told: the
    // payment is already paid, so there is nothing to send the customer to.
    let out = run(&prepare_args("cli-rep-2", "5000"), &sb.env(), "");
    out.expect_code(0)
        .stdout_has("succeeded")
        .stdout_has("already");
    assert!(!out.stdout.contains("Send the customer"), "{}", out.stdout);
}
