//! Prepares a test payment, then checks its status, over ureq, blocking.
//!
//! ```sh
//! OCTO_SHOP_ID=123 OCTO_SECRET=… OCTO_BASE_URL=http://127.0.0.1:8080 \
//!     cargo run -p octo-ureq --example ureq_prepare_and_check
//! ```
//! Without `OCTO_BASE_URL` it talks to OCTO itself, in test mode.

use octo_proto::op::{PaymentStatusCheck, PreparePayment};
use octo_proto::{Config, Currency};
use octo_ureq::Client;
use rust_decimal::Decimal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let shop_id: u64 = std::env::var("OCTO_SHOP_ID")?.parse()?;
    let secret = std::env::var("OCTO_SECRET")?;
    let mut config = Config::new(shop_id, secret).with_test(true);
    if let Ok(url) = std::env::var("OCTO_BASE_URL") {
        config = config.with_base_url(&url)?;
    }
    let client = Client::new(config);

    let now = time::OffsetDateTime::now_utc();
    let order = format!("example-{}", now.unix_timestamp());
    let payment = PreparePayment::new(
        order.parse()?,
        Decimal::new(100_000, 2),
        Currency::Uzs,
        "Two yoghurts",
        format!("https://shop.example/orders/{order}"),
        time::PrimitiveDateTime::new(now.date(), now.time()),
    );
    let created = client.prepare_payment(&payment)?;
    println!("pay at {:?}", created.octo_pay_url);

    let status = client.payment_status(&PaymentStatusCheck::new(created.shop_transaction_id))?;
    println!("status: {}", status.status);
    Ok(())
}
