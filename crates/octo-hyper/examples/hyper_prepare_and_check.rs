//! Prepares a test payment, then checks its status, over hyper.
//!
//! ```sh
//! OCTO_SHOP_ID=123 OCTO_SECRET=… OCTO_BASE_URL=http://127.0.0.1:8080 \
//!     cargo run -p octo-hyper --example hyper_prepare_and_check
//! ```
//! Without `OCTO_BASE_URL` it talks to OCTO itself, in test mode.

use octo_hyper::Client;
use octo_proto::op::{PaymentStatusCheck, PreparePayment};
use octo_proto::{Config, Currency};
use rust_decimal::Decimal;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?.with_test(true);
    let client = Client::new(config)?;

    let now = time::OffsetDateTime::now_utc();
    let order = format!("example-{}", now.unix_timestamp());
    let payment = PreparePayment::new(
        order.parse()?,
        Decimal::new(100_000, 2),
        Currency::Uzs,
        "Two yoghurts",
        format!("https://shop.example/orders/{order}"),
        now,
    );
    let created = client.prepare_payment(&payment).await?;
    println!("pay at {:?}", created.octo_pay_url);

    let check = PaymentStatusCheck::new(created.shop_transaction_id);
    let status = client.payment_status(&check).await?;
    println!("status: {}", status.status);
    Ok(())
}
