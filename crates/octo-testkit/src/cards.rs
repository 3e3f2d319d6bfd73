//! Card requests the tests send again and again, written once: a
//! `bind_card` with a valid expiry, phone, holder and return page, so that
//! a test names only what it is about (the binding's id, the card, the
//! method, where the tokenization callback goes).

use octo_proto::op::BindCard;
use octo_proto::{CardExpiry, Pan, PaymentMethod};

/// A binding of card `pan` under `id`, paid with `method`, expiring 12/30,
/// for the phone `998901234567` and the holder `ALISHER NAVOI`, returning
/// to `https://shop.example/bound`; its tokenization callback goes to
/// `bind_notify_url`, and it asks for no payment notifications.
///
/// An `id` or `pan` the SDK refuses fails the test.
// Test support: a bad id or card number is a mistake in the test.
#[allow(clippy::expect_used)]
pub fn binding(
    id: &str,
    pan: &str,
    method: PaymentMethod,
    bind_notify_url: Option<String>,
) -> BindCard {
    BindCard {
        shop_transaction_id: id.parse().expect("a valid shop_transaction_id"),
        pan: Pan::new(pan).expect("a valid card number"),
        exp: CardExpiry::parse_yymm("3012").expect("a valid expiry"),
        phone: "998901234567".into(),
        card_holder_name: "ALISHER NAVOI".into(),
        cvc2: None,
        method,
        return_url: "https://shop.example/bound".into(),
        notify_url: None,
        bind_notify_url,
    }
}
