//! The status check as a shop would write it by hand with serde derive:
//! the typed request, OCTO's envelope and the payment's fields (amounts as
//! `Decimal`). The hyper and reqwest benches use it for their hand-written
//! baselines.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The status check's body, as a shop would declare it.
#[derive(Serialize)]
struct StatusRequest<'a> {
    octo_shop_id: u64,
    octo_secret: &'a str,
    shop_transaction_id: &'a str,
}

/// OCTO's envelope, as a shop would declare it.
#[derive(Deserialize)]
#[allow(dead_code)] // read by serde; the benches only keep the value
struct Envelope {
    error: i64,
    #[serde(rename = "errMessage")]
    err_message: Option<String>,
    data: Option<PaymentData>,
}

/// The payment's fields, as a shop would declare them.
#[derive(Deserialize)]
#[allow(dead_code, non_snake_case)] // OCTO's names; read by serde
pub struct PaymentData {
    shop_transaction_id: String,
    octo_payment_UUID: String,
    status: String,
    octo_pay_url: Option<String>,
    total_sum: Option<Decimal>,
    refunded_sum: Option<Decimal>,
    transfer_sum: Option<Decimal>,
    payed_time: Option<String>,
    processor_key: Option<String>,
    processing_reference: Option<String>,
    first6: Option<String>,
    last4: Option<String>,
    maskedPan: Option<String>,
}

/// The request body for the bench's order, serialised anew.
pub fn status_body(shop_id: u64, secret: &str) -> Vec<u8> {
    serde_json::to_vec(&StatusRequest {
        octo_shop_id: shop_id,
        octo_secret: secret,
        shop_transaction_id: "order-42",
    })
    .expect("serialise")
}

/// The answer read into the derived structs; a refusal aborts the bench.
pub fn read_payment(bytes: &[u8]) -> PaymentData {
    let envelope: Envelope = serde_json::from_slice(bytes).expect("envelope");
    assert_eq!(envelope.error, 0);
    envelope.data.expect("data")
}
