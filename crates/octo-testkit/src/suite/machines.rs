//! A state machine run to its end through the client, with a handler in
//! the customer's and OCTO's callbacks' place, against the replay server.

use std::collections::VecDeque;

use octo_proto::machine::{
    BindingMachine, BindingParams, CodePrompt, Hold, Input, Machine, Output, PaymentMachine,
    PaymentParams, TokenNotice, Wait,
};
use octo_proto::op::PaymentStatusCheck;
use octo_proto::{
    CardToken, Endpoint, MaskedPan, Operation, PaymentMethod, PaymentStatus, TokenStatus,
};
use octo_transport::{BlockingFlowHandler, ClientBuilder, RunError};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::Both;
use super::parts::{Unattended, config};
use crate::ExpectedRequest;
use crate::cards::binding;
use crate::client::AnyClient;
use crate::payments::payment;
use crate::replay::{Canned, Exchange, ReplayServer};

const CREATED: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-9","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"created","total_sum":1000.00,"octo_pay_url":"https://pay2.octo.uz/pay/e3f40dc3"}}"#;
const HELD: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-9","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"waiting_for_capture","total_sum":1000.00}}"#;
const CAPTURED: &str = r#"{"error":0,"data":{"shop_transaction_id":"order-9","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":800.00}}"#;

#[derive(Default)]
struct Shop {
    redirects: Vec<String>,
    holds: Vec<Decimal>,
    notified: bool,
}

/// The shop's answers (the same whether the client is async or blocking,
/// through [`Both`]).
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

/// A replay server answering `replies` in turn, a client for it without
/// retries, and the two-stage payment's machine.
fn replayed<C: AnyClient>(replies: &[&'static str]) -> (ReplayServer, C, PaymentMachine) {
    let server = ReplayServer::start().unwrap();
    for reply in replies {
        server.push_reply(Canned::json(200, *reply));
    }
    let client = C::build(ClientBuilder::new(config(&server.url())).no_retry());
    let machine = PaymentMachine::new(
        payment("order-9", "1000.00").two_stage(),
        PaymentParams::default(),
        OffsetDateTime::now_utc(),
    );
    (server, client, machine)
}

/// A two stage payment runs to its capture.
pub async fn a_two_stage_payment_runs_to_its_capture<C: AnyClient>() {
    let (server, client, mut machine) = replayed::<C>(&[CREATED, HELD, CAPTURED]);
    let mut shop = Both(Shop::default());
    let outcome = client.run(&mut machine, &mut shop).await.unwrap();
    let Both(shop) = shop;
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
        .run(&mut machine, &mut Both(Shop::default()))
        .await
        .unwrap_err();
    assert!(matches!(error, RunError::Failed(_)), "{error:?}");
    server.finish().unwrap();
}

const BINDING_CREATED: &str = r#"{"error":0,"data":{"shop_transaction_id":"bind-c","octo_payment_UUID":"b-c","status":"created","total_sum":1000,"octo_pay_url":"https://pay2.octo.uz/3ds/b-c"}}"#;
const BINDING_PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"bind-c","octo_payment_UUID":"b-c","status":"succeeded","total_sum":1000,"refunded_sum":1000}}"#;

/// An active tokenization callback for `bind-c`, with `card`.
fn callback(card: &str) -> TokenNotice {
    TokenNotice::new(
        "bind-c".parse().unwrap(),
        CardToken::new("tok-c"),
        TokenStatus::Active,
    )
    .with_card(MaskedPan::new(card).unwrap())
}

/// A card binding run through the client: a tokenization callback for
/// another card is refused and skipped (it must not end the run), and the
/// right one binds once a status check shows OCTO confirmed the card.
pub async fn a_callback_for_another_card_is_skipped_and_the_right_one_binds<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    server.push_reply(Canned::json(200, BINDING_CREATED));
    server.push_reply(Canned::json(200, BINDING_PAID));
    let client = C::build(ClientBuilder::new(config(&server.url())).no_retry());
    let bind = binding("bind-c", "5555555555554444", PaymentMethod::BankCard, None);
    let mut machine =
        BindingMachine::new(bind, BindingParams::default(), OffsetDateTime::now_utc());
    // The 3-D Secure route asks for nothing but the callbacks.
    let mut handler = Both(Unattended {
        callbacks: VecDeque::from([callback("411111******1111"), callback("555555******4444")]),
    });
    let bound = client.run(&mut machine, &mut handler).await.unwrap();
    assert_eq!(bound.card_token.expose_secret(), "tok-c");
    assert!(handler.0.callbacks.is_empty());
    assert_eq!(server.received(), 2, "bind_card, then the status check");
    server.finish().unwrap();
}

/// A run that stopped while a capture was out (its future dropped by a
/// timeout around it, or a panic caught further up) left the machine
/// waiting for a reply that will never come. Running it again must settle
/// the capture's unknown outcome with a status check, not stall for ever,
/// and must not send the capture again.
pub async fn a_run_resumed_after_an_interrupted_capture_asks_octo_first<C: AnyClient>() {
    let server = ReplayServer::start().unwrap();
    let client = C::build(ClientBuilder::new(config(&server.url())).no_retry());
    let now = OffsetDateTime::now_utc();
    let mut machine = PaymentMachine::new(
        payment("order-9", "1000.00").two_stage(),
        PaymentParams::default(),
        now,
    );
    // Driven by hand up to the capture: the payment is held.
    let Output::Send(prepare) = machine.poll_output() else {
        panic!("the machine starts by preparing the payment")
    };
    let held = prepare.parse_response(&http::Response::new(HELD.as_bytes()));
    machine.handle_input(Input::Reply(held), now).unwrap();
    let mut decided = false;
    for _ in 0..8 {
        match machine.poll_output() {
            Output::Decide(_) => {
                machine
                    .handle_input(Input::Capture { final_amount: None }, now)
                    .unwrap();
                decided = true;
            }
            // The capture goes out, and the run carrying it is interrupted.
            Output::Send(command) if decided => {
                assert_eq!(command.endpoint(), Endpoint::SetAccept);
                break;
            }
            Output::Redirect(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(decided, "the machine never asked for a decision");
    // Resumed: only the status check may go out; it shows the capture
    // landed.
    let check = PaymentStatusCheck::new("order-9".parse().unwrap());
    let expected = check.build_request(&config(&server.url())).unwrap();
    server.push(Exchange {
        expect: Some(ExpectedRequest::from_request(&expected).unwrap()),
        reply: Canned::json(200, CAPTURED),
    });
    let outcome = client
        .run(&mut machine, &mut Both(Unattended::default()))
        .await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => panic!("the resumed run did not settle the capture: {error:?}"),
    };
    assert_eq!(outcome.status, PaymentStatus::Succeeded);
    assert_eq!(server.received(), 1);
    server.finish().unwrap();
}
