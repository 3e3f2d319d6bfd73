//! Every operation's request, byte for byte: method, URI, headers and
//! body for a set of inputs (with and without their optional fields, and
//! refused ones) under two configs, against the golden `wire_bodies.txt`.
//! A change to how bodies are written must leave these bytes alone.
#![allow(clippy::unwrap_used, clippy::panic)]
use octo_proto::op::*;
use octo_proto::{Config, Operation};

fn show<O: Operation + serde::de::DeserializeOwned>(out: &mut String, json: &str) {
    let op: O = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
    for config in [
        Config::new(123, "s\"ecret"),
        Config::new(7, "x").with_test(true),
    ] {
        let r = op.build_request(&config);
        match r {
            Ok(r) => out.push_str(&format!(
                "{} {} {:?} {:?}\n{}\n",
                op.endpoint(),
                r.method(),
                r.uri(),
                r.headers(),
                String::from_utf8_lossy(r.body())
            )),
            Err(e) => out.push_str(&format!("{} ERR {e:?}\n", op.endpoint())),
        }
    }
}

#[test]
fn every_operation_writes_the_same_request_bytes() {
    let mut s = String::new();
    show::<SetAccept>(
        &mut s,
        r#"{"octo_payment_uuid":"u-1","accept_status":"capture"}"#,
    );
    show::<SetAccept>(
        &mut s,
        r#"{"octo_payment_uuid":"u-1","accept_status":"capture","final_amount":"12.50"}"#,
    );
    show::<SetAccept>(
        &mut s,
        r#"{"octo_payment_uuid":"u-1","accept_status":"cancel"}"#,
    );
    show::<SetAccept>(
        &mut s,
        r#"{"octo_payment_uuid":"u-1","accept_status":"cancel","final_amount":"1"}"#,
    );
    show::<PaymentStatusCheck>(&mut s, r#"{"shop_transaction_id":"o-1"}"#);
    show::<BlockCardToken>(&mut s, r#"{"card_token":"tok"}"#);
    show::<FiscalData>(&mut s, r#"{"payment_uuid":"u-2"}"#);
    show::<Refund>(
        &mut s,
        r#"{"shop_refund_id":"r1","octo_payment_uuid":"u-3","amount":"5.10"}"#,
    );
    show::<Refund>(
        &mut s,
        r#"{"shop_refund_id":"r1","octo_payment_uuid":"u-3","amount":"5.10","supplier_shop_id":9}"#,
    );
    show::<Refund>(
        &mut s,
        r#"{"shop_refund_id":"r1","octo_payment_uuid":"u-3","amount":"-1"}"#,
    );
    show::<PayWithToken>(
        &mut s,
        r#"{"octo_payment_uuid":"u-4","card_token":"tok","method":"uzcard"}"#,
    );
    show::<PayWithToken>(
        &mut s,
        r#"{"octo_payment_uuid":"u-4","card_token":"tok","method":"bank_card","email":"a@b.c"}"#,
    );
    show::<VerificationInfo>(&mut s, r#"{"octo_payment_uuid":"u-5"}"#);
    show::<CheckSmsKey>(
        &mut s,
        r#"{"octo_payment_uuid":"u-6","verify_id":77,"sms_key":"123456"}"#,
    );
    show::<CheckPan>(
        &mut s,
        r#"{"pan":"5555555555554444","exp":"2712","payment_id":55}"#,
    );
    show::<BindCard>(
        &mut s,
        r#"{"shop_transaction_id":"b1","pan":"5555555555554444","exp":"2712","phone":"998901234567","card_holder_name":"A B","method":"uzcard","return_url":"https://s.example/r"}"#,
    );
    show::<BindCard>(
        &mut s,
        r#"{"shop_transaction_id":"b1","pan":"4111111111111111","exp":"2712","phone":"998901234567","card_holder_name":"A B","cvc2":"123","method":"bank_card","return_url":"https://s.example/r","notify_url":"https://s.example/n","bind_notify_url":"https://s.example/b"}"#,
    );
    show::<PreparePayment>(
        &mut s,
        r#"{"shop_transaction_id":"o-9","auto_capture":true,"init_time":"2024-05-02 09:17:00","total_sum":"1000.00","currency":"UZS","description":"d","return_url":"https://s.example/r","language":"uz"}"#,
    );
    show::<PreparePayment>(
        &mut s,
        r#"{"shop_transaction_id":"o-9","auto_capture":false,"test":false,"init_time":"2024-05-02 09:17:00","user_data":{"user_id":"u","phone":"998901234567","email":"a@b.c"},"total_sum":"15.5","currency":"USD","description":"d","basket":[{"position_desc":"x","count":2,"price":"7.75","spic":"s","package_code":"p","nds":12,"inn":"123456789"}],"payment_methods":["uzcard","humo"],"tsp_id":4,"return_url":"https://s.example/r","notify_url":"https://s.example/n","language":"ru","ttl":15,"customer_ip":"127.0.0.1"}"#,
    );
    let golden = include_str!("wire_bodies.txt");
    for (line, (got, want)) in s.lines().zip(golden.lines()).enumerate() {
        assert_eq!(got, want, "line {} of wire_bodies.txt", line + 1);
    }
    assert_eq!(s.lines().count(), golden.lines().count(), "number of lines");
}
