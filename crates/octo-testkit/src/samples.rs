//! Operations with plausible values, for tests and benches that need one
//! and do not care about most of its fields.

use octo_proto::op::{BindCard, PreparePayment};
use octo_proto::{CardExpiry, Currency, Pan, PaymentMethod};
use rust_decimal::Decimal;
use time::macros::datetime;

/// A one-stage payment of `total` UZS under the shop's id `id`, described
/// as `description`, returning to `https://shop.example/{id}`, made at
/// 2024-05-02 09:17:00.
///
/// # Panics
/// When `id` is not a valid shop transaction id.
pub fn payment(id: &str, total: Decimal, description: &str) -> PreparePayment {
    PreparePayment::new(
        id.parse().expect("a valid shop_transaction_id"),
        total,
        Currency::Uzs,
        description,
        format!("https://shop.example/{id}"),
        datetime!(2024-05-02 09:17),
    )
}

/// Binding the card `pan` (expiry `yymm`, of `method`) under the shop's
/// id `id`, for A. Karimov, phone 998901234567, returning to
/// `https://shop.example/cards`, with no CVC and no callback URLs.
///
/// # Panics
/// When `id`, `pan` or `yymm` is not valid.
pub fn bind_card(id: &str, pan: &str, yymm: &str, method: PaymentMethod) -> BindCard {
    BindCard {
        shop_transaction_id: id.parse().expect("a valid shop_transaction_id"),
        pan: Pan::new(pan).expect("a valid card number"),
        exp: CardExpiry::parse_yymm(yymm).expect("an expiry as YYMM"),
        phone: "998901234567".into(),
        card_holder_name: "A. Karimov".into(),
        cvc2: None,
        method,
        return_url: "https://shop.example/cards".into(),
        notify_url: None,
        bind_notify_url: None,
    }
}
