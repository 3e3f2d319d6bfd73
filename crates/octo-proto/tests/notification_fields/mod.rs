//! The fields of OCTO's payment notification, shared by the callback tests.

/// The fields a notification must carry, signed or required.
pub const REQUIRED_FIELDS: [&str; 4] = [
    "shop_transaction_id",
    "octo_payment_UUID",
    "status",
    "signature",
];

/// The salt: required by the secret formula, which signs it; under the
/// `unique_key` formula a notification may come without it.
pub const SALT_FIELD: &str = "hash_key";

/// The fields a notification may carry; none of them can fail it.
pub const OPTIONAL_FIELDS: [&str; 12] = [
    "total_sum",
    "transfer_sum",
    "refunded_sum",
    "card_country",
    "maskedPan",
    "rrn",
    "riskLevel",
    "payed_time",
    "card_type",
    "card_vendor",
    "currency",
    "is_physical_card",
];
