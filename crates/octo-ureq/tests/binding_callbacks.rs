//! A card binding run through the client: a tokenization callback for
//! another card is refused and skipped (it must not end the run), and the
//! right one binds once a status check shows OCTO confirmed the card.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;

use octo_proto::machine::{
    Awaiting, BindingMachine, BindingParams, CodePrompt, Hold, Input, TokenNotice, Wait,
};
use octo_proto::op::BindCard;
use octo_proto::{CardExpiry, CardToken, Config, MaskedPan, Pan, PaymentMethod, TokenStatus};
use octo_testkit::replay::{Canned, ReplayServer};
use octo_ureq::{Client, FlowHandler};
use time::OffsetDateTime;

const CREATED: &str = r#"{"error":0,"data":{"shop_transaction_id":"bind-c","octo_payment_UUID":"b-c","status":"created","total_sum":1000,"octo_pay_url":"https://pay2.octo.uz/3ds/b-c"}}"#;
const PAID: &str = r#"{"error":0,"data":{"shop_transaction_id":"bind-c","octo_payment_UUID":"b-c","status":"succeeded","total_sum":1000,"refunded_sum":1000}}"#;

struct Callbacks(VecDeque<TokenNotice>);

impl FlowHandler for Callbacks {
    fn redirect(&mut self, _url: &str) {}

    fn code(&mut self, _prompt: &CodePrompt) -> Input {
        panic!("the 3-D Secure route asks for no code")
    }

    fn decide(&mut self, _hold: &Hold) -> Input {
        panic!("nothing is held")
    }

    fn wait(&mut self, wait: &Wait) -> Option<Input> {
        assert_eq!(wait.awaiting, Awaiting::Tokenization);
        self.0.pop_front().map(Input::Tokenization)
    }
}

fn callback(card: &str) -> TokenNotice {
    TokenNotice::new(
        "bind-c".parse().unwrap(),
        CardToken::new("tok-c"),
        TokenStatus::Active,
    )
    .with_card(MaskedPan::new(card).unwrap())
}

#[test]
fn a_callback_for_another_card_is_skipped_and_the_right_one_binds() {
    let server = ReplayServer::start().unwrap();
    server.push_reply(Canned::json(200, CREATED));
    server.push_reply(Canned::json(200, PAID));
    let config = Config::new(123, "secret")
        .with_base_url(&server.url())
        .unwrap();
    let client = Client::builder(config).no_retry().build();
    let bind = BindCard {
        shop_transaction_id: "bind-c".parse().unwrap(),
        pan: Pan::new("5555555555554444").unwrap(),
        exp: CardExpiry::parse_yymm("3012").unwrap(),
        phone: "998901234567".into(),
        card_holder_name: "A. Karimov".into(),
        cvc2: None,
        method: PaymentMethod::BankCard,
        return_url: "https://shop.example/cards".into(),
        notify_url: None,
        bind_notify_url: None,
    };
    let mut machine =
        BindingMachine::new(bind, BindingParams::default(), OffsetDateTime::now_utc());
    let mut handler = Callbacks(VecDeque::from([
        callback("411111******1111"),
        callback("555555******4444"),
    ]));
    let bound = client.run(&mut machine, &mut handler).unwrap();
    assert_eq!(bound.card_token.expose_secret(), "tok-c");
    assert!(handler.0.is_empty());
    assert_eq!(server.received(), 2, "bind_card, then the status check");
    server.finish().unwrap();
}
