//! The status check as a shop would write it by hand with serde derive:
//! the typed request, OCTO's envelope and the payment's fields (amounts as
//! `Decimal`). The hyper and reqwest benches use it for their hand-written
//! baselines.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The status check's body, as a shop would declare it.
#[derive(Serialize)]
pub struct StatusRequest<'a> {
    pub octo_shop_id: u64,
    pub octo_secret: &'a str,
    pub shop_transaction_id: &'a str,
}

/// OCTO's envelope, as a shop would declare it.
#[derive(Deserialize)]
#[allow(dead_code)] // read by serde; the benches only keep the value
pub struct Envelope {
    pub error: i64,
    #[serde(rename = "errMessage")]
    pub err_message: Option<String>,
    pub data: Option<PaymentData>,
}

/// The payment's fields, as a shop would declare them.
#[derive(Deserialize)]
#[allow(dead_code, non_snake_case)] // OCTO's names; read by serde
pub struct PaymentData {
    pub shop_transaction_id: String,
    pub octo_payment_UUID: String,
    pub status: String,
    pub octo_pay_url: Option<String>,
    pub total_sum: Option<Decimal>,
    pub refunded_sum: Option<Decimal>,
    pub transfer_sum: Option<Decimal>,
    pub payed_time: Option<String>,
    pub processor_key: Option<String>,
    pub processing_reference: Option<String>,
    pub first6: Option<String>,
    pub last4: Option<String>,
    pub maskedPan: Option<String>,
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
