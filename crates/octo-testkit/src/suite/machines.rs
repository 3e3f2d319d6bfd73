//! A state machine run to its end through the client, with a handler in
//! the customer's and OCTO's callbacks' place, against the replay server.

use octo_proto::machine::{CodePrompt, Hold, Input, PaymentMachine, PaymentParams, Wait};
use octo_proto::op::PreparePayment;
use octo_proto::{Config, Currency, PaymentStatus};
use octo_transport::{BlockingFlowHandler, ClientBuilder, FlowHandler, RunError};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::client::AnyClient;
use crate::replay::{ReplayServer, Reply};

const CREATED: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-9","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"created","total_sum":1000.00,"octo_pay_url":"https://pay2.octo.uz/pay/e3f40dc3"}}"#;
const HELD: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-9","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"waiting_for_capture","total_sum":1000.00}}"#;
const CAPTURED: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-9","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":800.00}}"#;

#[derive(Default)]
struct Shop {
    redirects: Vec<String>,
    holds: Vec<Decimal>,
    notified: bool,
}

/// The shop's answers, the same whether the client is async or blocking.
impl BlockingFlowHandler for Shop {
    fn redirect(&mut self, url: &str) {
        self.redirects.push(url.to_owned());
    }

    fn code(&mut self, _prompt: &CodePrompt) -> Input {
        panic!("a card payment page asks for no code here")
    }

    fn decide(&mut self, hold: &Hold) -> Input {
        self.holds.push(hold.amount);
        Input::Capture {
            final_amount: Some(Decimal::new(80_000, 2)),
        }
    }

    fn wait(&mut self, _wait: &Wait) -> Option<Input> {
        if std::mem::replace(&mut self.notified, true) {
            return None;
        }
        // The customer is back from the payment page: ask OCTO.
        Some(Input::CheckStatus)
    }
}

impl FlowHandler for Shop {
    async fn redirect(&mut self, url: &str) {
        BlockingFlowHandler::redirect(self, url);
    }

    async fn code(&mut self, prompt: &CodePrompt) -> Input {
        BlockingFlowHandler::code(self, prompt)
    }

    async fn decide(&mut self, hold: &Hold) -> Input {
        BlockingFlowHandler::decide(self, hold)
    }

    async fn wait(&mut self, wait: &Wait) -> Option<Input> {
        BlockingFlowHandler::wait(self, wait)
    }
}

fn two_stage() -> PreparePayment {
    PreparePayment::new(
        "order-9".parse().unwrap(),
        Decimal::new(100_000, 2),
        Currency::Uzs,
        "Two yoghurts",
        "https://shop.example/9",
        datetime!(2024-05-02 09:17),
    )
    .two_stage()
}

/// A replay server answering `replies` in turn, a client for it without
/// retries, and the two-stage payment's machine.
fn replayed<C: AnyClient>(replies: &[&'static str]) -> (ReplayServer, C, PaymentMachine) {
    let server = ReplayServer::start().unwrap();
    for reply in replies {
        server.push_reply(Reply::json(200, *reply));
    }
    let config = Config::new(123, "secret")
        .with_base_url(&server.url())
        .unwrap();
    let client = C::build(ClientBuilder::new(config).no_retry());
    let machine = PaymentMachine::new(
        two_stage(),
        PaymentParams::default(),
        OffsetDateTime::now_utc(),
    );
    (server, client, machine)
}

/// A two stage payment runs to its capture.
pub async fn a_two_stage_payment_runs_to_its_capture<C: AnyClient>() {
    let (server, client, mut machine) = replayed::<C>(&[CREATED, HELD, CAPTURED]);
    let mut shop = Shop::default();
    let outcome = client.run(&mut machine, &mut shop).await.unwrap();
    assert_eq!(outcome.status, PaymentStatus::Succeeded);
    assert_eq!(outcome.total_sum, Decimal::new(80_000, 2));
    assert_eq!(shop.redirects, ["https://pay2.octo.uz/pay/e3f40dc3"]);
    assert_eq!(shop.holds, [Decimal::new(100_000, 2)]);
    assert_eq!(server.received(), 3);
    server.finish().unwrap();
}

/// A refused payment ends the run with the failure.
pub async fn a_refused_payment_ends_the_run_with_the_failure<C: AnyClient>() {
    let refused = r#"{"error":2,"errMessage":"Wrong secret"}"#;
    let (server, client, mut machine) = replayed::<C>(&[refused]);
    let error = client
        .run(&mut machine, &mut Shop::default())
        .await
        .unwrap_err();
    assert!(matches!(error, RunError::Failed(_)), "{error:?}");
    server.finish().unwrap();
}
