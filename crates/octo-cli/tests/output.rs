//! What the API commands print of answers the sandbox does not send: a
//! server here answers one request with a canned body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::indexing_slicing)]

mod common;

use common::run;

/// A server on loopback that answers one request with `body` (HTTP 200,
/// JSON); its address.
fn answers_once(body: &'static str) -> String {
    common::serves_one_request(Some(body))
}

fn env(url: String) -> Vec<(&'static str, String)> {
    vec![
        ("OCTO_SHOP_ID", "10000".to_owned()),
        ("OCTO_SECRET", "not-a-real-secret".to_owned()),
        ("OCTO_BASE_URL", url),
    ]
}

/// OCTO's `maskedPan` with more of the card than first6/last4 (here the
/// first eight digits): neither the text nor the JSON output may show the middle digits.
const WIDE_MASK: &str = r#"{"error":0,"data":{"shop_transaction_id":"o-1","octo_payment_UUID":"06000144-db56-47b6-9eba-021ad4ff246b","status":"succeeded","total_sum":1000.00,"transfer_sum":980.0000,"refunded_sum":0,"maskedPan":"98602401****6506"}}"#;

#[test]
fn a_wide_masked_card_is_cut_to_first6_last4_in_json_too() {
    for json in [false, true] {
        let mut args = vec!["status", "--id", "o-1"];
        if json {
            args.push("--json");
        }
        let out = run(&args, &env(answers_once(WIDE_MASK)), "");
        out.expect_code(0).never_shows("98602401");
        // The amounts exactly as OCTO wrote them.
        out.stdout_has("1000.00").stdout_has("980.0000");
    }
}
