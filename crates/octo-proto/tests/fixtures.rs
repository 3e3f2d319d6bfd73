//! Every recorded exchange in `fixtures/`: the built request equals the
//! recorded one, and the parsed outcome equals the expected one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use octo_testkit::{SansIoDriver, load_all};

#[test]
fn every_fixture_builds_its_request_and_reaches_its_outcome() {
    let fixtures = load_all().expect("fixtures load");
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let config = fixture.config(None);
        match (&fixture.request, &fixture.response) {
            (Some(expected), Some(response)) => {
                let built = fixture.operation.build_request(&config);
                match built {
                    Ok(request) => {
                        assert_eq!(
                            request.uri().to_string(),
                            format!("https://secure.octo.uz{}", expected.path),
                            "{}",
                            fixture.name
                        );
                        if let Err(diff) = expected.check_request(&request) {
                            failures.push(format!("{}: request: {diff}", fixture.name));
                        }
                    }
                    Err(e) => failures.push(format!("{}: build failed: {e}", fixture.name)),
                }
                let response = response.to_http();
                let mut driver = SansIoDriver(|_req| response.clone());
                let outcome = fixture.run(&mut driver, &config);
                if outcome != fixture.outcome {
                    failures.push(format!(
                        "{}: outcome\n  got:      {outcome}\n  expected: {}",
                        fixture.name, fixture.outcome
                    ));
                }
            }
            _ => {
                // Input the SDK must refuse before sending anything.
                let mut driver =
                    SansIoDriver(|_req: http::Request<Vec<u8>>| -> http::Response<Vec<u8>> {
                        panic!("{} must not send a request", fixture.name)
                    });
                let outcome = fixture.run(&mut driver, &config);
                if outcome != fixture.outcome {
                    failures.push(format!(
                        "{}: outcome\n  got:      {outcome}\n  expected: {}",
                        fixture.name, fixture.outcome
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixtures_cover_every_operation() {
    let fixtures = load_all().expect("fixtures load");
    let covered: BTreeSet<&str> = fixtures.iter().map(|f| f.operation.name()).collect();
    for endpoint in octo_proto::Endpoint::ALL {
        assert!(
            covered.contains(endpoint.name()),
            "no fixture for {endpoint}"
        );
    }
    assert!(fixtures.len() >= 40, "only {} fixtures", fixtures.len());
}

/// Card data is validated when the input is read, so these cases cannot be
/// fixtures (the loader would fail first): each is refused there, naming the
/// field and never quoting the value.
#[test]
fn bad_card_data_is_refused_when_the_input_is_read() {
    use octo_testkit::AnyOperation;
    use serde_json::json;

    let bind = |pan: serde_json::Value, exp: &str, cvc2: serde_json::Value| {
        json!({
            "shop_transaction_id": "bind-1", "pan": pan, "exp": exp, "phone": "998901234567",
            "card_holder_name": "CARD HOLDER", "cvc2": cvc2, "method": "humo",
            "return_url": "https://shop.example/cards"
        })
    };
    let good = bind(json!("9860240101226506"), "2805", json!("123"));
    assert!(AnyOperation::from_json("bind_card", good).is_ok());

    // (case, pan, exp, cvc2, what the error names)
    let cases = [
        (
            "Luhn",
            json!("9860240101226507"),
            "2805",
            json!("123"),
            "Luhn",
        ),
        (
            "short",
            json!("986024010122"),
            "2805",
            json!("123"),
            "13 to 19 digits",
        ),
        (
            "spaces",
            json!("9860 2401 0122 6506"),
            "2805",
            json!("123"),
            "digits only",
        ),
        (
            "number",
            json!(9860240101226506u64),
            "2805",
            json!("123"),
            "card number",
        ),
        (
            "month 13",
            json!("9860240101226506"),
            "2813",
            json!("123"),
            "YYMM",
        ),
        (
            "MMYY",
            json!("9860240101226506"),
            "05/28",
            json!("123"),
            "YYMM",
        ),
        (
            "CVC letters",
            json!("9860240101226506"),
            "2805",
            json!("12a"),
            "3 or 4 digits",
        ),
        (
            "CVC long",
            json!("9860240101226506"),
            "2805",
            json!("12345"),
            "3 or 4 digits",
        ),
    ];
    for (name, pan, exp, cvc2, expected) in cases {
        let err = AnyOperation::from_json("bind_card", bind(pan, exp, cvc2)).unwrap_err();
        assert!(err.contains(expected), "{name}: {err}");
        assert!(!err.contains("0101226"), "{name} quotes the card: {err}");
    }

    let check_pan = json!({"pan": "4111111111111112", "exp": "2805", "payment_id": 5520});
    let err = AnyOperation::from_json("check_pan", check_pan).unwrap_err();
    assert!(err.contains("Luhn"), "{err}");
    let sms = json!({"octo_payment_uuid": "u", "verify_id": 819, "sms_key": "12"});
    let err = AnyOperation::from_json("check_sms_key", sms).unwrap_err();
    assert!(err.contains("4 to 8 digits"), "{err}");
}

/// Examples copied from OCTO's pages name the page, and say so where the
/// example disagrees with its own page.
#[test]
fn vendor_page_fixtures_name_their_page() {
    let fixtures = load_all().expect("fixtures load");
    let pages: Vec<_> = fixtures
        .iter()
        .filter(|f| f.name.contains("vendor_page_"))
        .collect();
    assert!(
        pages.len() >= 6,
        "only {} vendor page fixtures",
        pages.len()
    );
    for fixture in pages {
        assert!(
            fixture
                .source
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
            "{} names no source",
            fixture.name
        );
    }
    for fixture in &fixtures {
        if let Some(note) = &fixture.contradiction {
            assert!(
                note.contains("SDK"),
                "{}: a contradiction note says what the SDK does",
                fixture.name
            );
        }
    }
}

/// The OTP resend page's request example carries the card number
/// 1234123412341234, which fails the Luhn check: the SDK refuses it when the
/// input is read (so it cannot be a fixture), without quoting it.
#[test]
fn the_otp_resend_page_example_card_is_refused() {
    use octo_testkit::AnyOperation;
    use serde_json::json;

    let example = json!({"pan": "1234123412341234", "exp": "2601", "payment_id": "5520"});
    let err = AnyOperation::from_json("check_pan", example).unwrap_err();
    assert!(err.contains("Luhn"), "{err}");
    assert!(!err.contains("12341234"), "{err}");
}
