//! The payment most tests prepare, written once: one stage, a short
//! description, a return page, and a fixed `init_time`, so that a test
//! names only its id, its amount and, where it matters, its currency.

use octo_proto::Currency;
use octo_proto::op::PreparePayment;

/// The `init_time` of every payment here: 2024-05-02 09:17:00.
pub fn init_time() -> time::PrimitiveDateTime {
    time::macros::datetime!(2024-05-02 09:17:00)
}

/// A one-stage payment of `total` (decimal text, exact) in `currency`
/// under `id`, described `d`, returning to `https://shop.example/r`, made
/// at [`init_time`].
///
/// An `id` or `total` the SDK refuses fails the test.
// Test support: a bad id or amount is a mistake in the test.
#[allow(clippy::expect_used)]
pub fn payment_in(id: &str, total: &str, currency: Currency) -> PreparePayment {
    PreparePayment::new(
        id.parse().expect("a valid shop_transaction_id"),
        total.parse().expect("a decimal amount"),
        currency,
        "d",
        "https://shop.example/r",
        init_time(),
    )
}

/// [`payment_in`] UZS.
pub fn payment(id: &str, total: &str) -> PreparePayment {
    payment_in(id, total, Currency::Uzs)
}
