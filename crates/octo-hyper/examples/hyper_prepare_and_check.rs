//! Prepares a test payment over hyper, then checks its status: the two
//! calls every shop makes, and what OCTO's answer to each holds.
//!
//! ```sh
//! cargo run -p octo-cli -- sandbox --port 8077 &    # prints the shop's credentials
//! OCTO_SHOP_ID=10000 OCTO_SECRET=sandbox-secret-2d45df74 OCTO_BASE_URL=http://127.0.0.1:8077 \
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

    // The shop's own id for the payment: sending the same one again
    // returns the payment already made instead of a second one.
    let now = time::OffsetDateTime::now_utc();
    let order = format!("example-{}", now.unix_timestamp());
    let url = format!("https://shop.example/orders/{order}");
    let payment = PreparePayment::new(
        order.parse()?,
        Decimal::ONE_HUNDRED,
        Currency::Uzs,
        "Tea",
        url,
        now,
    );
    let created = client.prepare_payment(&payment).await?;
    println!("OCTO's id: {}", created.octo_payment_uuid);
    println!("pay at {}", created.octo_pay_url.unwrap_or_default());

    // A status check is prepare_payment with the shop's id alone.
    let check = PaymentStatusCheck::new(created.shop_transaction_id);
    let status = client.payment_status(&check).await?;
    println!(
        "status: {} (paid at {:?})",
        status.status, status.payed_time
    );
    Ok(())
}
