//! Any bytes, with any HTTP status, into every operation's response parser:
//! each must return `Ok` or a typed `Err`, and never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use octo_proto::Operation;
use octo_proto::op::{
    BindCard, BlockCardToken, CheckPan, CheckSmsKey, FiscalData, PayWithToken, PaymentStatusCheck,
    PreparePayment, Refund, SetAccept, VerificationInfo,
};

/// Parses `body` as every operation would, from one sample of each.
fn parse_all(response: &http::Response<&[u8]>) {
    let uuid = || {
        "e3f40dc3-4955-412a-853a-2ddd28d3201f"
            .parse()
            .unwrap_or_else(|_| unreachable!())
    };
    let order = || "order-1".parse().unwrap_or_else(|_| unreachable!());
    let prepare = PreparePayment::new(
        order(),
        octo_proto::Decimal::ONE,
        octo_proto::Currency::Uzs,
        "fuzz",
        "https://shop.example/return",
        time_zero(),
    );
    let _ = prepare.parse_response(response);
    let _ = PaymentStatusCheck::new(order()).parse_response(response);
    let _ = PayWithToken::new(uuid(), "tok".into(), octo_proto::PaymentMethod::Humo)
        .parse_response(response);
    let _ = SetAccept::capture(uuid()).parse_response(response);
    let _ = Refund::new(
        "refund-1".parse().unwrap_or_else(|_| unreachable!()),
        uuid(),
        octo_proto::Decimal::ONE,
    )
    .parse_response(response);
    let _ = VerificationInfo::new(uuid()).parse_response(response);
    let _ = BlockCardToken::new("tok".into()).parse_response(response);
    let _ = FiscalData::new(uuid()).parse_response(response);
    // The card operations need a card; their parsers are the shared payment
    // and verification readers, reached through these three.
    let _ = bind_card().map(|op| op.parse_response(response));
    let _ = check_pan().map(|op| op.parse_response(response));
    let _ = check_sms().map(|op| op.parse_response(response));
}

fn time_zero() -> time::PrimitiveDateTime {
    time::PrimitiveDateTime::new(time::Date::MIN, time::Time::MIDNIGHT)
}

fn bind_card() -> Option<BindCard> {
    serde_json::from_str(
        r#"{"shop_transaction_id":"b-1","pan":"4111111111111111","exp":"3012","phone":"998901234567",
            "card_holder_name":"A B","method":"humo","return_url":"https://shop.example/"}"#,
    )
    .ok()
}

fn check_pan() -> Option<CheckPan> {
    serde_json::from_str(r#"{"pan":"4111111111111111","exp":"3012","payment_id":5520}"#).ok()
}

fn check_sms() -> Option<CheckSmsKey> {
    serde_json::from_str(r#"{"octo_payment_uuid":"p-1","verify_id":1,"sms_key":"123456"}"#).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else {
        return;
    };
    // Spread one byte over the statuses that matter: 2xx, 4xx, 5xx.
    let code = [
        200u16, 201, 204, 400, 401, 403, 404, 413, 429, 500, 502, 503, 504,
    ][usize::from(status) % 13];
    let Ok(response) = http::Response::builder().status(code).body(body) else {
        return;
    };
    parse_all(&response);
});
