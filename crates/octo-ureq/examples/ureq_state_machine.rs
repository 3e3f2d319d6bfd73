//! A payment driven by octo-proto's state machine over ureq, blocking:
//! `Client::run` sends the machine's commands (with the client's timeouts
//! and retries) and asks a small handler for what only the shop knows.
//!
//! ```sh
//! cargo run -p octo-cli -- sandbox --port 8077 &    # prints the shop's credentials
//! OCTO_SHOP_ID=10000 OCTO_SECRET=sandbox-secret-2d45df74 OCTO_BASE_URL=http://127.0.0.1:8077 \
//!     cargo run -p octo-ureq --example ureq_state_machine
//! ```
//! Pay on the page it prints (sandbox card `4111111111111111`), then press
//! Enter. Without `OCTO_BASE_URL` it talks to OCTO itself, in test mode.

use std::io::BufRead;

use octo_proto::machine::{CodePrompt, Hold, Input, PaymentMachine, PaymentParams, Wait};
use octo_proto::op::PreparePayment;
use octo_proto::{Config, Currency};
use octo_ureq::{Client, FlowHandler};
use rust_decimal::Decimal;

/// The shop at a terminal. This example has no server for OCTO's
/// notifications, so "I paid" comes from the keyboard, as the customer's
/// return to `return_url` would on a real site.
struct Terminal;

impl FlowHandler for Terminal {
    fn redirect(&mut self, url: &str) {
        println!("send the customer to {url}");
    }

    // OCTO's own page takes a payment's SMS code; only binding a card
    // asks the shop for one.
    fn code(&mut self, _prompt: &CodePrompt) -> Input {
        Input::ResendCode
    }

    // A one-stage payment holds nothing; a two-stage one would be captured
    // in full here.
    fn decide(&mut self, _hold: &Hold) -> Input {
        Input::Capture { final_amount: None }
    }

    // Each Enter makes the machine ask OCTO for the status; the end of
    // stdin stops the run.
    fn wait(&mut self, _wait: &Wait) -> Option<Input> {
        println!("press Enter once paid");
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(Input::CheckStatus),
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(Config::from_env()?.with_test(true));
    let now = time::OffsetDateTime::now_utc();
    let tea = PreparePayment::new(
        format!("run-{}", now.unix_timestamp()).parse()?,
        Decimal::new(25_000, 2),
        Currency::Uzs,
        "Green tea",
        "https://shop.example/tea",
        now,
    );
    let mut machine = PaymentMachine::new(tea, PaymentParams::default(), now);
    let outcome = client.run(&mut machine, &mut Terminal)?;
    println!("{}: {} paid", outcome.status, outcome.total_sum);
    Ok(())
}
