//! Every operation's request, byte for byte: method, URI, headers and
//! body for a set of inputs (with and without their optional fields, and
//! refused ones) under two configs, against the golden `wire_bodies.txt`.
//! A change to how bodies are written must leave these bytes alone.
#![allow(clippy::unwrap_used, clippy::panic)]

use octo_proto::Config;
use octo_testkit::{AnyOperation, SansIoDriver};

/// (operation, its input as JSON)
const INPUTS: &[(&str, &str)] = &[
    (
        "set_accept",
        r#"{"octo_payment_uuid":"u-1","accept_status":"capture"}"#,
    ),
    (
        "set_accept",
        r#"{"octo_payment_uuid":"u-1","accept_status":"capture","final_amount":"12.50"}"#,
    ),
    (
        "set_accept",
        r#"{"octo_payment_uuid":"u-1","accept_status":"cancel"}"#,
    ),
    (
        "set_accept",
        r#"{"octo_payment_uuid":"u-1","accept_status":"cancel","final_amount":"1"}"#,
    ),
    ("payment_status", r#"{"shop_transaction_id":"o-1"}"#),
    ("block_card_token", r#"{"card_token":"tok"}"#),
    ("fiscal_data", r#"{"payment_uuid":"u-2"}"#),
    (
        "refund",
        r#"{"shop_refund_id":"r1","octo_payment_uuid":"u-3","amount":"5.10"}"#,
    ),
    (
        "refund",
        r#"{"shop_refund_id":"r1","octo_payment_uuid":"u-3","amount":"5.10","supplier_shop_id":9}"#,
    ),
    (
        "refund",
        r#"{"shop_refund_id":"r1","octo_payment_uuid":"u-3","amount":"-1"}"#,
    ),
    (
        "pay_with_token",
        r#"{"octo_payment_uuid":"u-4","card_token":"tok","method":"uzcard"}"#,
    ),
    (
        "pay_with_token",
        r#"{"octo_payment_uuid":"u-4","card_token":"tok","method":"bank_card","email":"a@b.c"}"#,
    ),
    ("verification_info", r#"{"octo_payment_uuid":"u-5"}"#),
    (
        "check_sms_key",
        r#"{"octo_payment_uuid":"u-6","verify_id":77,"sms_key":"123456"}"#,
    ),
    (
        "check_pan",
        r#"{"pan":"5555555555554444","exp":"2712","payment_id":55}"#,
    ),
    (
        "bind_card",
        r#"{"shop_transaction_id":"b1","pan":"5555555555554444","exp":"2712","phone":"998901234567","card_holder_name":"A B","method":"uzcard","return_url":"https://s.example/r"}"#,
    ),
    (
        "bind_card",
        r#"{"shop_transaction_id":"b1","pan":"4111111111111111","exp":"2712","phone":"998901234567","card_holder_name":"A B","cvc2":"123","method":"bank_card","return_url":"https://s.example/r","notify_url":"https://s.example/n","bind_notify_url":"https://s.example/b"}"#,
    ),
    (
        "prepare_payment",
        r#"{"shop_transaction_id":"o-9","auto_capture":true,"init_time":"2024-05-02 09:17:00","total_sum":"1000.00","currency":"UZS","description":"d","return_url":"https://s.example/r","language":"uz"}"#,
    ),
    (
        "prepare_payment",
        r#"{"shop_transaction_id":"o-9","auto_capture":false,"test":false,"init_time":"2024-05-02 09:17:00","user_data":{"user_id":"u","phone":"998901234567","email":"a@b.c"},"total_sum":"15.5","currency":"USD","description":"d","basket":[{"position_desc":"x","count":2,"price":"7.75","spic":"s","package_code":"p","nds":12,"inn":"123456789"}],"payment_methods":["uzcard","humo"],"tsp_id":4,"return_url":"https://s.example/r","notify_url":"https://s.example/n","language":"ru","ttl":15,"customer_ip":"127.0.0.1"}"#,
    ),
];

/// The requests `op` builds under two configs, or its outcome when it
/// refuses to build one.
fn requests(op: &AnyOperation) -> String {
    let mut out = String::new();
    for config in [
        Config::new(123, "s\"ecret"),
        Config::new(7, "x").with_test(true),
    ] {
        let mut seen = None;
        let outcome = op.run(
            &mut SansIoDriver(|r: http::Request<Vec<u8>>| {
                seen = Some(
                    format!(
                        "{} {} {:?} {:?}\n{}\n",
                        op.name(),
                        r.method(),
                        r.uri(),
                        r.headers(),
                        String::from_utf8_lossy(r.body())
                    )
                    // The golden file names no version, so that a release
                    // does not change it.
                    .replace(octo_proto::DEFAULT_USER_AGENT, "octo-rs/VERSION"),
                );
                http::Response::new(Vec::new())
            }),
            &config,
        );
        out.push_str(&seen.unwrap_or_else(|| format!("{} ERR {outcome}\n", op.name())));
    }
    out
}

#[test]
fn every_operation_writes_the_same_request_bytes() {
    let golden = include_str!("wire_bodies.txt");
    let mut lines = golden.lines();
    for (name, input) in INPUTS {
        let op = AnyOperation::from_json(name, serde_json::from_str(input).unwrap())
            .unwrap_or_else(|e| panic!("{name} {input}: {e}"));
        for got in requests(&op).lines() {
            assert_eq!(Some(got), lines.next(), "{name} {input}");
        }
    }
    assert_eq!(lines.next(), None, "wire_bodies.txt has more lines");
}
