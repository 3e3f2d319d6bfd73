//! A two-stage payment over reqwest: OCTO holds the money when the customer
//! pays, and the shop then takes part of it with `set_accept` (the rest is
//! released).
//!
//! ```sh
//! cargo run -p octo-cli -- sandbox --port 8077 &    # prints the shop's credentials
//! OCTO_SHOP_ID=10000 OCTO_SECRET=sandbox-secret-2d45df74 OCTO_BASE_URL=http://127.0.0.1:8077 \
//!     cargo run -p octo-reqwest --example reqwest_two_stage
//! ```
//! Pay on the page it prints (sandbox card `4111111111111111`), then press
//! Enter. Without `OCTO_BASE_URL` it talks to OCTO itself, in test mode.

use std::io::BufRead;

use octo_proto::op::{PaymentStatusCheck, PreparePayment, SetAccept};
use octo_proto::{Config, Currency, PaymentStatus};
use octo_reqwest::Client;
use rust_decimal::Decimal;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(Config::from_env()?.with_test(true))?;

    // `two_stage()`: the customer's money is held, not taken.
    let now = time::OffsetDateTime::now_utc();
    let id = format!("hold-{}", now.unix_timestamp()).parse()?;
    let kettle = Decimal::new(450_000, 2);
    let return_url = "https://shop.example/kettle";
    let hold = PreparePayment::new(id, kettle, Currency::Uzs, "A kettle", return_url, now);
    let created = client.prepare_payment(&hold.two_stage()).await?;
    println!("pay at {}", created.octo_pay_url.unwrap_or_default());
    println!("press Enter once paid");
    std::io::stdin().lock().read_line(&mut String::new())?;

    let held = client
        .payment_status(&PaymentStatusCheck::new(created.shop_transaction_id))
        .await?;
    if held.status != PaymentStatus::WaitingForCapture {
        return Err(format!("nothing is held: the payment is {}", held.status).into());
    }
    // Only one item was in stock: take 4,000.00 of the 4,500.00 held.
    let taken = Decimal::new(400_000, 2);
    let captured = client
        .set_accept(&SetAccept::capture_partial(held.octo_payment_uuid, taken))
        .await?;
    println!("{}: {:?} of {kettle}", captured.status, captured.total_sum);
    Ok(())
}
