//! An amount in OCTO's answer is read exactly as written, or refused: never
//! rounded to one OCTO did not send. (`Decimal`'s `FromStr` rounds a number
//! with more significant digits than a `Decimal` holds.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Error, Operation};

fn status_answer(total_sum: &str) -> http::Response<Vec<u8>> {
    let body = format!(
        r#"{{"error":0,"data":{{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"succeeded","total_sum":{total_sum},"refunded_sum":0}}}}"#
    );
    let mut response = http::Response::new(body.into_bytes());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

#[test]
fn an_amount_with_more_digits_than_a_decimal_holds_is_refused_not_rounded() {
    let op = PaymentStatusCheck::new("order-42".parse().unwrap());
    for total in [
        "98765432109876543210.987654321",
        "\"98765432109876543210.987654321\"",
        "1.00000000000000000000000000001e3",
    ] {
        let read = op.parse_response(&status_answer(total));
        assert!(
            matches!(&read, Err(Error::Decode { path, .. }) if path.ends_with("total_sum")),
            "{total} read as {read:?}"
        );
    }
    for (total, exact) in [
        (
            "12345678901234567890.12345678",
            "12345678901234567890.12345678",
        ),
        ("980.0000", "980.0000"),
        ("1.5e3", "1500"),
    ] {
        let paid = op.parse_response(&status_answer(total)).unwrap();
        assert_eq!(paid.total_sum.unwrap().to_string(), exact, "{total}");
    }
}
