//! Identifiers: the shop's, OCTO's, and those of refunds and verifications.
//!
//! OCTO sometimes sends numeric ids as strings (`"octo_shop_id": "10000"`), so
//! numeric ids accept both forms and are always sent as numbers.

use std::fmt;

use crate::error::{InputError, InputProblem};

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $field:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id; an empty one is refused.
            pub fn new(value: impl Into<String>) -> Result<Self, InputError> {
                let value = value.into();
                if value.trim().is_empty() {
                    return Err(InputError::new($field, InputProblem::Empty));
                }
                Ok(Self(value))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = InputError;
            fn from_str(value: &str) -> Result<Self, InputError> {
                Self::new(value)
            }
        }
    };
}

string_id!(
    /// The shop's own id for a payment or binding (`shop_transaction_id`). It
    /// is the idempotency key: OCTO never creates two payments for one id.
    ShopTransactionId,
    "shop_transaction_id"
);

string_id!(
    /// OCTO's id for a payment (`octo_payment_UUID`).
    PaymentUuid,
    "octo_payment_UUID"
);

string_id!(
    /// The shop's own id for a refund (`shop_refund_id`), its idempotency key.
    ShopRefundId,
    "shop_refund_id"
);

string_id!(
    /// OCTO's id for a refund (`refund_id`).
    RefundId,
    "refund_id"
);

macro_rules! numeric_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u64);

        impl $name {
            /// The number.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<u64> for $name {
            fn from(value: u64) -> Self {
                Self(value)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_u64(self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                crate::json::u64_of(&value)
                    .map(Self)
                    .ok_or_else(|| serde::de::Error::custom("expected a number or a numeric string"))
            }
        }
    };
}

numeric_id!(
    /// The shop's id at OCTO (`octo_shop_id`).
    ShopId
);

numeric_id!(
    /// The id of an OTP verification (`verifyId`).
    VerifyId
);

numeric_id!(
    /// OCTO's integer number for a payment (`paymentId` in `check_pan`,
    /// `id` in the `pay/{uuid}` answer): not the payment's UUID, and not a
    /// verification's `verifyId`. Read from JSON as a number or a numeric
    /// string; always sent as a number.
    PaymentId
);

impl PaymentId {
    /// Reads the id from a JSON value: a non-negative integer or a string
    /// of digits. `None` for anything else.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        crate::json::u64_of(value).map(Self)
    }
}
