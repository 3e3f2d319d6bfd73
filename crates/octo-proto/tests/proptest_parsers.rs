//! Property tests for the response parsers and for exact amounts.
//!
//! - Any bytes with any HTTP status, given to any operation's parser, give
//!   `Ok` or a typed `Err` that keeps the status and the body: never a panic.
//! - Generated OCTO envelopes, with random JSON in every field the decoders
//!   read and deep nesting, reach the field decoders and obey the envelope's
//!   rules (a non-zero `error` is always OCTO's error with that number).
//! - Amounts (up to 10 integer digits, 0 to 4 decimals) go into request
//!   bodies and come back out of responses with exactly the same digits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use octo_proto::op::{
    BindCard, BlockCardToken, CheckPan, CheckSmsKey, FiscalData, PayWithToken, PaymentStatusCheck,
    PreparePayment, Refund, SetAccept, SmsCode, VerificationInfo,
};
use octo_proto::{
    CardExpiry, CardToken, Config, Currency, Decimal, Error, Operation, Pan, PaymentMethod,
    VerifyId,
};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Value};
use time::macros::datetime;

fn config() -> Config {
    Config::new(10000, "2d45df74-bb95-47cf-a616-8d6dcee2e10d")
}

fn prepare(total: Decimal) -> PreparePayment {
    PreparePayment::new(
        "order-1".parse().unwrap(),
        total,
        Currency::Uzs,
        "Order 1",
        "https://shop.example/orders/1",
        datetime!(2024-05-02 09:17:00),
    )
}

fn uuid() -> octo_proto::PaymentUuid {
    "e3f40dc3-4955-412a-853a-2ddd28d3201f".parse().unwrap()
}

/// One successful-or-not parse, reduced to what the properties look at. The
/// output is formatted with `Debug` so that formatting is exercised too.
type Parsed = Result<String, Error>;

fn keep<T: std::fmt::Debug>(result: Result<T, Error>) -> Parsed {
    result.map(|output| format!("{output:?}"))
}

/// Every operation's parser applied to the same response.
fn parse_with_every_operation(response: &http::Response<Vec<u8>>) -> Vec<(&'static str, Parsed)> {
    let pan = Pan::new("9860240101226506").unwrap();
    let exp = CardExpiry::parse_yymm("2805").unwrap();
    let bind = BindCard {
        shop_transaction_id: "bind-1".parse().unwrap(),
        pan: pan.clone(),
        exp,
        phone: "998901234567".to_owned(),
        card_holder_name: "CARD HOLDER".to_owned(),
        cvc2: None,
        method: PaymentMethod::Humo,
        return_url: "https://shop.example/cards".to_owned(),
        notify_url: None,
        bind_notify_url: None,
    };
    let check_sms = CheckSmsKey {
        octo_payment_uuid: uuid(),
        verify_id: VerifyId(819),
        sms_key: SmsCode::new("61135").unwrap(),
    };
    let check_pan = CheckPan {
        pan,
        exp,
        payment_id: octo_proto::PaymentId(5520),
    };
    let token = CardToken::new("sdf9g87sd6f9g876sdf9g876sdf98g");
    vec![
        (
            "prepare_payment",
            keep(prepare(Decimal::ONE).parse_response(response)),
        ),
        (
            "payment_status",
            keep(PaymentStatusCheck::new("order-1".parse().unwrap()).parse_response(response)),
        ),
        (
            "pay_with_token",
            keep(
                PayWithToken::new(uuid(), token.clone(), PaymentMethod::Uzcard)
                    .parse_response(response),
            ),
        ),
        (
            "set_accept",
            keep(SetAccept::capture(uuid()).parse_response(response)),
        ),
        (
            "refund",
            keep(
                Refund::new("refund-1".parse().unwrap(), uuid(), Decimal::ONE)
                    .parse_response(response),
            ),
        ),
        ("bind_card", keep(bind.parse_response(response))),
        (
            "verification_info",
            keep(VerificationInfo::new(uuid()).parse_response(response)),
        ),
        ("check_sms_key", keep(check_sms.parse_response(response))),
        ("check_pan", keep(check_pan.parse_response(response))),
        (
            "block_card_token",
            keep(BlockCardToken::new(token).parse_response(response)),
        ),
        (
            "fiscal_data",
            keep(FiscalData::new(uuid()).parse_response(response)),
        ),
    ]
}

fn response(status: u16, body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder().status(status).body(body).unwrap()
}

/// What must hold for any parse of any response: a parse error is about the
/// response (never input or transport), keeps its status and body (a
/// redirect, any 3xx, keeps only its status), and formats; success needs a
/// 2xx status.
fn check_parse(name: &str, status: u16, body: &[u8], parsed: &Parsed) -> Result<(), TestCaseError> {
    match parsed {
        Ok(_) => prop_assert!(
            (200..300).contains(&status),
            "{name}: success with HTTP {status}"
        ),
        Err(e) => {
            prop_assert!(
                !matches!(e, Error::Input(_) | Error::Transport(_)),
                "{name}: {e:?}"
            );
            prop_assert_eq!(e.http_status().map(|s| s.as_u16()), Some(status));
            // A redirect is refused on its status alone; its body (which may
            // repeat the target URL) is not kept.
            prop_assert_eq!(
                matches!(e, Error::Redirect(_)),
                (300..400).contains(&status),
                "{}: {:?}",
                name,
                e
            );
            if matches!(e, Error::Redirect(_)) {
                prop_assert!(e.body().is_none());
            } else {
                prop_assert_eq!(e.body().map(|b| b.as_bytes()), Some(body));
            }
            let _ = (e.to_string(), format!("{e:?}"), e.resend());
        }
    }
    Ok(())
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => Just(200u16),
        1 => prop::sample::select(vec![201u16, 204, 400, 401, 403, 404, 429, 500, 502, 503, 504]),
        1 => 100u16..=999,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_bytes_any_status_never_panic(status in status(), body in vec(any::<u8>(), 0..512)) {
        let response = response(status, body.clone());
        for (name, parsed) in parse_with_every_operation(&response) {
            check_parse(name, status, &body, &parsed)?;
        }
    }

    #[test]
    fn json_lookalike_bytes_never_panic(
        status in status(),
        body in "[ {}\\[\\]\":,0-9a-zA-Z_.eE+-]{0,200}",
    ) {
        // Mostly broken JSON made of JSON's own characters, which gets much
        // further into the parser than uniformly random bytes.
        let bytes = body.into_bytes();
        let response = response(status, bytes.clone());
        for (name, parsed) in parse_with_every_operation(&response) {
            check_parse(name, status, &bytes, &parsed)?;
        }
    }
}

/// Every field name some decoder reads, in either envelope shape.
const KNOWN_FIELDS: &[&str] = &[
    "shop_transaction_id",
    "octo_payment_UUID",
    "status",
    "octo_pay_url",
    "total_sum",
    "refunded_sum",
    "transfer_sum",
    "payed_time",
    "processor_key",
    "processing_reference",
    "first6",
    "last4",
    "maskedPan",
    "refund_id",
    "refund_time",
    "id",
    "uuid",
    "merchantTransId",
    "initialSum",
    "totalSum",
    "refundedSum",
    "transferSum",
    "currency",
    "redirectUrl",
    "autoCapture",
    "isTest",
    "createTime",
    "expireTime",
    "peyedTime",
    "payedTime",
    "details",
    "cardInfo",
    "transType",
    "verifyId",
    "phone",
    "secondsLeft",
    "code",
    "message",
    "terminalID",
    "receiptId",
    "dateTime",
    "fiscalSign",
    "qrCodeURL",
    "errMessage",
    "errorMessage",
    "apiMessageForDevelopers",
    "title",
    "detail",
];

/// A JSON number with the given text (exact, thanks to arbitrary precision).
fn number(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Numbers as OCTO might write them, and the ones that break decoders:
/// huge, tiny, negative, with exponents.
fn number_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "-?[0-9]{1,40}(\\.[0-9]{1,12})?".prop_map(|t| number(&t)),
        "-?[1-9](\\.[0-9]{1,6})?[eE][+-]?[0-9]{1,7}".prop_map(|t| number(&t)),
    ]
}

/// Leaves that look like OCTO's values (ids, statuses, dates, amounts as
/// strings) mixed with plain junk.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number_value(),
        prop::sample::select(vec![
            "",
            "0",
            "created",
            "succeeded",
            "cancelled",
            "waiting_for_capture",
            "blocked",
            "UZS",
            "2024-05-02 09:17:00",
            "2024-02-30 25:61:61",
            "20220929013159",
            "427831** **** 3011",
            "860031",
            "1293",
            "1000.00",
            "1e3",
            "-1",
            "18446744073709551616",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        ".{0,24}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(
                prop_oneof![
                    prop::sample::select(KNOWN_FIELDS.to_vec()).prop_map(str::to_owned),
                    "[a-z]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object with random values in random known fields.
fn known_fields() -> impl Strategy<Value = Map<String, Value>> {
    vec(
        (prop::sample::select(KNOWN_FIELDS.to_vec()), json_value()),
        0..24,
    )
    .prop_map(|pairs| pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// An OCTO envelope: an `error` that is usually a code (mostly 0), a `data`
/// that is usually an object of known fields, and known fields at the top.
fn envelope() -> impl Strategy<Value = Value> {
    let error = prop_oneof![
        4 => Just(Value::from(0)),
        2 => prop::sample::select(vec![1i64, 2, 3, 4, 5, 6, 17, 20, 403, -1, 999_999])
            .prop_map(Value::from),
        1 => Just(Value::String("0".to_owned())),
        1 => json_value(),
    ];
    let data = prop_oneof![
        3 => known_fields().prop_map(Value::Object),
        1 => json_value(),
    ];
    (
        prop::option::weighted(0.95, error),
        prop::option::weighted(0.8, data),
        known_fields(),
    )
        .prop_map(|(error, data, mut top)| {
            if let Some(e) = error {
                top.insert("error".to_owned(), e);
            }
            if let Some(d) = data {
                top.insert("data".to_owned(), d);
            }
            Value::Object(top)
        })
}

/// `{"error":0,"data":{"details":{"cardInfo":…}}}` nested `depth` levels in
/// arrays or objects, past serde_json's recursion limit.
fn deep_body(depth: usize, arrays: bool) -> String {
    let (open, close) = if arrays {
        ("[", "]")
    } else {
        ("{\"cardInfo\":", "}")
    };
    format!(
        "{{\"error\":0,\"data\":{{\"uuid\":\"u\",\"status\":\"created\",\"totalSum\":1,\"details\":{}1{}}}}}",
        open.repeat(depth),
        close.repeat(depth)
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn generated_envelopes_reach_the_decoders_without_panic(
        status in status(),
        value in envelope(),
    ) {
        let body = serde_json::to_vec(&value).unwrap();
        let response = response(status, body.clone());
        let code = value.get("error").and_then(|e| match e {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        });
        for (name, parsed) in parse_with_every_operation(&response) {
            check_parse(name, status, &body, &parsed)?;
            // A non-zero integer code is always OCTO's error, whatever else
            // the body holds (unless a redirect: never OCTO's answer).
            let redirect = (300..400).contains(&status);
            if let Some(code) = code.filter(|c| *c != 0 && !redirect) {
                match &parsed {
                    Err(Error::Octo(e)) => prop_assert_eq!(e.code.as_i64(), code),
                    other => prop_assert!(false, "{name}: code {code} gave {other:?}"),
                }
            }
        }
    }

    /// Any text given as a `User-Agent` is refused with a typed error or
    /// taken as the same text without its surrounding spaces: printable
    /// ASCII, at most the longest allowed, on every request built.
    #[test]
    fn any_user_agent_is_refused_or_sent_as_given(text in prop_oneof![
        "\\PC{0,40}",
        "[ -~]{0,300}",
        "[ -~\t\r\n\u{7f}-\u{3000}]{0,40}",
    ]) {
        match Config::new(1, "s").with_user_agent(&text) {
            Ok(config) => {
                let kept = text.trim_matches(' ');
                prop_assert_eq!(config.user_agent(), kept);
                prop_assert!(!kept.is_empty() && kept.len() <= octo_proto::MAX_USER_AGENT_LEN);
                prop_assert!(kept.bytes().all(|b| (b' '..=b'~').contains(&b)));
                let request = PaymentStatusCheck::new("order-1".parse().unwrap())
                    .build_request(&config)
                    .unwrap();
                let sent: Vec<_> = request.headers().get_all(http::header::USER_AGENT).iter().collect();
                prop_assert_eq!(sent.len(), 1);
                prop_assert_eq!(sent[0].as_bytes(), kept.as_bytes());
            }
            Err(e) => prop_assert_eq!(e.field, "user_agent"),
        }
    }

    #[test]
    fn deep_nesting_is_an_error_or_a_value_never_a_crash(depth in 1usize..400, arrays in any::<bool>()) {
        let body = deep_body(depth, arrays).into_bytes();
        let response = response(200, body.clone());
        for (name, parsed) in parse_with_every_operation(&response) {
            check_parse(name, 200, &body, &parsed)?;
        }
    }
}

/// An amount as OCTO sends them: up to 10 integer digits, 0 to 4 decimals.
fn amount() -> impl Strategy<Value = Decimal> {
    (0u64..10_000_000_000, 0u32..=4, any::<u64>()).prop_map(|(int, scale, frac)| {
        let unit = 10u64.pow(scale);
        let mantissa = int * unit + frac % unit;
        Decimal::new(i64::try_from(mantissa).unwrap(), scale)
    })
}

fn positive_amount() -> impl Strategy<Value = Decimal> {
    amount().prop_filter("positive", |a| !a.is_zero())
}

/// The digits of `field` in a built request's JSON body, as written.
fn body_number(request: &http::Request<Vec<u8>>, pointer: &str) -> String {
    let body: Value = serde_json::from_slice(request.body()).unwrap();
    match body.pointer(pointer) {
        Some(Value::Number(n)) => n.to_string(),
        other => panic!("{pointer} is {other:?}"),
    }
}

/// Serialising an output keeps the amount's digits too (fixtures and logs
/// rely on it).
fn serialised_number(output: &impl serde::Serialize, field: &str) -> String {
    match serde_json::to_value(output).unwrap().get(field) {
        Some(Value::Number(n)) => n.to_string(),
        other => panic!("{field} is {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn amounts_go_out_with_their_digits(amount in positive_amount(), count in 1u32..5) {
        let text = amount.to_string();
        let config = config();

        // total_sum and price; the basket must add up, so price × count.
        let line = amount * Decimal::from(count);
        let mut op = prepare(line);
        op.basket = vec![octo_proto::op::BasketItem::new("Item", count, amount)];
        let request = op.build_request(&config).unwrap();
        prop_assert_eq!(body_number(&request, "/total_sum"), line.to_string());
        prop_assert_eq!(body_number(&request, "/basket/0/price"), text.clone());

        let refund = Refund::new("refund-1".parse().unwrap(), uuid(), amount);
        let request = refund.build_request(&config).unwrap();
        prop_assert_eq!(body_number(&request, "/amount"), text.clone());

        let capture = SetAccept::capture_partial(uuid(), amount);
        let request = capture.build_request(&config).unwrap();
        prop_assert_eq!(body_number(&request, "/final_amount"), text);
    }

    #[test]
    fn amounts_come_back_with_their_digits(amount in amount(), as_string in any::<bool>(), legacy in any::<bool>()) {
        let text = amount.to_string();
        let written = if as_string { format!("\"{text}\"") } else { text.clone() };
        let fields = format!(
            "\"shop_transaction_id\":\"order-1\",\"octo_payment_UUID\":\"u\",\"status\":\"succeeded\",\
             \"total_sum\":{written},\"refunded_sum\":{written},\"transfer_sum\":{written}"
        );
        let body = if legacy {
            format!("{{\"error\":0,{fields}}}")
        } else {
            format!("{{\"error\":0,\"data\":{{{fields}}}}}")
        };
        let payment = PaymentStatusCheck::new("order-1".parse().unwrap())
            .parse_response(&response(200, body.into_bytes()))
            .unwrap();
        for (name, value) in [
            ("total_sum", payment.total_sum),
            ("refunded_sum", payment.refunded_sum),
            ("transfer_sum", payment.transfer_sum),
        ] {
            let value = value.unwrap();
            prop_assert_eq!(value.to_string(), text.clone(), "{}", name);
            prop_assert_eq!(value.scale(), amount.scale());
            prop_assert_eq!(serialised_number(&payment, name), text.clone());
        }

        let body = format!(
            "{{\"error\":0,\"data\":{{\"uuid\":\"u\",\"status\":\"created\",\"totalSum\":{written},\"initialSum\":{written}}}}}"
        );
        let paid = PayWithToken::new(uuid(), CardToken::new("t"), PaymentMethod::Uzcard)
            .parse_response(&response(200, body.into_bytes()))
            .unwrap();
        prop_assert_eq!(paid.total_sum.to_string(), text.clone());
        prop_assert_eq!(paid.initial_sum.unwrap().to_string(), text.clone());
        prop_assert_eq!(serialised_number(&paid, "total_sum"), text);
    }
}

#[test]
fn the_issue_amounts_round_trip() {
    // The amounts named in the issue, through a request and a response.
    for text in ["103.33", "980.0000", "1", "10000000.5"] {
        let amount: Decimal = text.parse().unwrap();
        let request = Refund::new("r".parse().unwrap(), uuid(), amount)
            .build_request(&config())
            .unwrap();
        assert_eq!(body_number(&request, "/amount"), text);
        let body = format!(
            "{{\"error\":0,\"data\":{{\"shop_transaction_id\":\"o\",\"octo_payment_UUID\":\"u\",\"status\":\"succeeded\",\"total_sum\":{text}}}}}"
        );
        let payment = PaymentStatusCheck::new("o".parse().unwrap())
            .parse_response(&response(200, body.into_bytes()))
            .unwrap();
        assert_eq!(payment.total_sum.unwrap().to_string(), text);
    }
}
