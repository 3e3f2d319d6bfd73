//! A shop's handler for OCTO's callbacks, without a server: a function from
//! `http::Request<Vec<u8>>` to `http::Response<Vec<u8>>` that any HTTP
//! server can call. `main` plays OCTO with the sandbox helpers and checks the
//! answers. `docs/webhooks.md` explains the order of the steps.
//!
//! The rule it follows: a verified notification is a signed hint that a
//! payment's status changed. Its signature covers the payment's id and
//! status only, so the shop ships, captures or records amounts on OCTO's
//! answer to a status check, never on the notification's own fields.

use http::StatusCode;
use octo_proto::callback::{
    CallbackLimits, CallbackPan, Notification, NotificationReply, SignatureScheme,
    TokenizationCallback, TokenizationReply,
};
use octo_proto::op::{Payment, PaymentStatusCheck};
use octo_proto::{
    CardExpiry, NotificationKey, Operation, PaymentStatus, ShopTransactionId, TokenStatus,
};

/// What the shop brings: a status check against OCTO, and its own records.
pub trait Shop {
    /// Sends a `PaymentStatusCheck` with the shop's transport and returns
    /// OCTO's answer.
    fn check_status(&self, id: &ShopTransactionId) -> Result<Payment, octo_proto::Error>;
    /// Whether the order can still be delivered (decides capture or cancel).
    fn can_fulfil(&self, id: &ShopTransactionId) -> bool;
    /// Records the payment's status and amounts, as OCTO answered them.
    /// Called again for a duplicate notification, so it must be idempotent.
    fn record_payment(&mut self, payment: &Payment) -> Result<(), String>;
    /// Notes something worth a log line (no secrets in it).
    fn log(&mut self, line: String);
    /// Whether `id` names a card binding this shop started and still waits
    /// on (from its own records, which survive a restart).
    fn binding_started(&self, id: &ShopTransactionId) -> bool;
    /// Stores the callback's card token durably, marked *unconfirmed*: the
    /// callback is unsigned, so the token is used only once the binding's
    /// `BindingMachine` reports `Done(BoundCard)` (OCTO confirmed the card;
    /// see `docs/flows/card-binding.md`). Called again for a repeated
    /// callback, so it must be idempotent.
    fn store_unconfirmed_token(&mut self, callback: &TokenizationCallback) -> Result<(), String>;
}

/// The handler: `/octo/notify` for payments, `/octo/bind` for card tokens.
pub fn handle(
    shop: &mut impl Shop,
    scheme: &SignatureScheme,
    request: http::Request<Vec<u8>>,
) -> http::Response<Vec<u8>> {
    let limits = CallbackLimits::default();
    match request.uri().path() {
        "/octo/notify" => handle_notification(shop, scheme, &limits, &request).to_response(),
        "/octo/bind" => handle_binding(shop, &limits, &request),
        _ => NotificationReply::reject(StatusCode::NOT_FOUND, "no such callback").to_response(),
    }
}

fn handle_notification(
    shop: &mut impl Shop,
    scheme: &SignatureScheme,
    limits: &CallbackLimits,
    request: &http::Request<Vec<u8>>,
) -> NotificationReply {
    // 1. Verify: a forged or malformed notification gets a 4xx and nothing
    //    else happens.
    //    Optional fields in odd shapes do not fail it; they are reported.
    let notification = match Notification::parse_verified(request, scheme, limits) {
        Ok(notification) => notification,
        Err(refused) => {
            return NotificationReply::reject(refused.status(), refused.to_string());
        }
    };
    for warning in notification.warnings() {
        shop.log(format!(
            "notification {}: {warning}",
            notification.octo_payment_uuid
        ));
    }
    // 2. Ask OCTO: the notification is only a hint (its amounts are not
    //    signed, and it may be late, repeated or out of order), so OCTO's
    //    current answer decides. The signed id must match OCTO's.
    let payment = match shop.check_status(&notification.shop_transaction_id) {
        Ok(payment) if payment.octo_payment_uuid == notification.octo_payment_uuid => payment,
        Ok(_) => return NotificationReply::reject(StatusCode::CONFLICT, "payment id mismatch"),
        // OCTO resends the notification later; nothing is lost.
        Err(_) => {
            return NotificationReply::reject(
                StatusCode::SERVICE_UNAVAILABLE,
                "status check failed",
            );
        }
    };
    // 3. Act on OCTO's answer, with OCTO's amounts (idempotently).
    if let Err(reason) = shop.record_payment(&payment) {
        return NotificationReply::reject(StatusCode::INTERNAL_SERVER_ERROR, reason);
    }
    // 4. Reply: a held payment needs a decision, anything else an ack.
    if payment.status == PaymentStatus::WaitingForCapture {
        if shop.can_fulfil(&payment.shop_transaction_id) {
            NotificationReply::capture()
        } else {
            NotificationReply::cancel()
        }
    } else {
        NotificationReply::acknowledge()
    }
}

fn handle_binding(
    shop: &mut impl Shop,
    limits: &CallbackLimits,
    request: &http::Request<Vec<u8>>,
) -> http::Response<Vec<u8>> {
    let callback = match TokenizationCallback::parse(request, limits) {
        Ok(callback) => callback,
        Err(refused) => return refused.reply(),
    };
    // The callback is unsigned: only a binding this shop started is taken.
    // Any other is refused; OCTO tries again, then cancels that token.
    if !shop.binding_started(&callback.shop_transaction_id) {
        return TokenizationReply::not_stored("no such binding").to_response();
    }
    if callback.token().is_none() {
        // A failed binding: nothing to store, and no reason to be asked again.
        return TokenizationReply::stored("binding failure noted").to_response();
    }
    // If the binding's `BindingMachine` is in memory, hand it the callback
    // too (`Input::from(&callback)`), and answer `not_stored` if it refuses
    // it (another card). Success only once the token is stored, as
    // unconfirmed: OCTO cancels the token after three failed deliveries, so
    // a failure here must be reported.
    match shop.store_unconfirmed_token(&callback) {
        Ok(()) => TokenizationReply::stored("token stored, unconfirmed").to_response(),
        Err(reason) => TokenizationReply::not_stored(reason).to_response(),
    }
}

/// An in-memory shop whose status check answers from a canned response.
struct DemoShop {
    octo_says: &'static str,
    recorded: Vec<(String, PaymentStatus, Option<rust_decimal::Decimal>)>,
    tokens: usize,
    log: Vec<String>,
}

impl Shop for DemoShop {
    fn check_status(&self, id: &ShopTransactionId) -> Result<Payment, octo_proto::Error> {
        // A real shop sends `check.build_request(&config)?` with a transport.
        let check = PaymentStatusCheck::new(id.clone());
        let body = format!(
            r#"{{"error":0,"data":{{"shop_transaction_id":"{id}","octo_payment_UUID":"7d1f","status":"{}","total_sum":1000.00}}}}"#,
            self.octo_says
        );
        check.parse_response(&http::Response::new(body.into_bytes()))
    }

    fn can_fulfil(&self, _id: &ShopTransactionId) -> bool {
        true
    }

    fn record_payment(&mut self, payment: &Payment) -> Result<(), String> {
        let entry = (
            payment.shop_transaction_id.to_string(),
            payment.status.clone(),
            payment.total_sum,
        );
        if !self.recorded.contains(&entry) {
            self.recorded.push(entry);
        }
        Ok(())
    }

    fn binding_started(&self, id: &ShopTransactionId) -> bool {
        id.as_str() == "bind-1"
    }

    fn store_unconfirmed_token(&mut self, _callback: &TokenizationCallback) -> Result<(), String> {
        self.tokens += 1;
        Ok(())
    }

    fn log(&mut self, line: String) {
        self.log.push(line);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new("key-from-octo"));
    let mut shop = DemoShop {
        octo_says: "waiting_for_capture",
        recorded: Vec::new(),
        tokens: 0,
        log: Vec::new(),
    };

    // OCTO holds a payment and asks for a decision; it may ask twice.
    let held = Notification::new(
        "order-1".parse()?,
        "7d1f".parse()?,
        PaymentStatus::WaitingForCapture,
    )
    .sign(&scheme, "hk-1");
    for _ in 0..2 {
        let reply = handle(&mut shop, &scheme, held.to_request("/octo/notify".parse()?));
        assert_eq!(reply.status(), StatusCode::OK);
        assert_eq!(reply.body(), br#"{"accept_status":"capture"}"#);
    }
    assert_eq!(shop.recorded.len(), 1, "the duplicate changed nothing");

    // A replay of that genuine notification with another amount and an odd
    // riskLevel: still genuine (the amount is not signed), so still only a
    // hint; what is recorded is OCTO's amount, and the odd field is logged.
    let mut replayed = held.clone();
    replayed.total_sum = Some(rust_decimal::Decimal::new(1, 0));
    replayed.extra.insert("riskLevel".into(), (-1).into());
    let reply = handle(
        &mut shop,
        &scheme,
        replayed.to_request("/octo/notify".parse()?),
    );
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(
        shop.recorded.len(),
        1,
        "OCTO's answer, not the replay, counts"
    );
    assert_eq!(
        shop.recorded.first().and_then(|r| r.2),
        Some(rust_decimal::Decimal::new(100_000, 2))
    );
    assert_eq!(shop.log.len(), 1, "{:?}", shop.log);

    // A notification signed with another key is refused.
    let forged = held.clone().sign(
        &SignatureScheme::UniqueKey(NotificationKey::new("guess")),
        "hk-1",
    );
    let reply = handle(
        &mut shop,
        &scheme,
        forged.to_request("/octo/notify".parse()?),
    );
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);

    // A card binding's token is stored as unconfirmed, then acknowledged;
    // a callback for a binding the shop never started stores nothing.
    for (binding, status, stored) in [
        ("bind-1", StatusCode::OK, 1),
        ("bind-9", StatusCode::BAD_REQUEST, 1),
    ] {
        let mut callback =
            TokenizationCallback::new(binding.parse()?, "tok-1".into(), TokenStatus::Active);
        callback.pan = CallbackPan::new("4276380012341025");
        callback.exp = Some(CardExpiry::parse_yymm("2805")?);
        let reply = handle(
            &mut shop,
            &scheme,
            callback.to_request("/octo/bind".parse()?),
        );
        assert_eq!(reply.status(), status, "{binding}");
        assert_eq!(shop.tokens, stored, "{binding}");
    }
    Ok(())
}
