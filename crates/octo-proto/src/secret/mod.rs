//! Secret values: the shop's `octo_secret`, the notification key, card
//! tokens and CVC codes.
//!
//! Each type keeps its value out of `Debug` and `Display` (both print
//! `[REDACTED]`), so a secret cannot reach a log line or an error message by
//! accident. Reading the value is explicit and easy to grep for:
//! [`expose_secret`](OctoSecret::expose_secret).
//!
//! Card numbers have their own type, [`Pan`](crate::Pan), which validates the
//! digits and prints at most the first six and last four.
//!
//! Every secret type here, and [`Pan`](crate::Pan),
//! [`CallbackPan`](crate::callback::CallbackPan) and
//! [`SmsCode`](crate::op::SmsCode), wipes its bytes from memory when it is
//! dropped ([`zeroize`]), and compares in constant time: `==` goes through
//! [`subtle`], so how long a comparison takes says nothing about where two
//! values first differ (only whether their lengths do).

pub(crate) mod text;
pub(crate) mod wiped;

use text::secret_text;
use wiped::wiped_secret;

/// `Debug` as `Name([REDACTED])` and `Display` as `[REDACTED]`, for a type
/// holding card data or a secret.
macro_rules! prints_redacted {
    ($name:ident) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([REDACTED])"))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("[REDACTED]")
            }
        }
    };
}

/// A secret code the customer or the card gives, made of digits only (the
/// CVC, the SMS code): validated on the way in, with the length and the
/// field its errors name, and read from JSON only as a string.
macro_rules! digit_code {
    (
        $(#[$meta:meta])* $name:ident,
        digits: $lengths:expr,
        field: $field:literal,
        expected: $expected:literal,
        in_json: $in_json:literal $(,)?
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(String);

        $crate::secret::wiped::wiped_secret!($name);

        impl $name {
            #[doc = concat!("Validates a code: ", $expected, ".")]
            pub fn new(value: impl Into<String>) -> Result<Self, $crate::InputError> {
                let value = value.into();
                if !($lengths).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err($crate::InputError::new(
                        $field,
                        $crate::InputProblem::Format($expected),
                    ));
                }
                Ok(Self(value))
            }

            /// The code itself.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        $crate::secret::prints_redacted!($name);

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = $crate::secret::text::secret_text(d, $in_json)?;
                Self::new(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use {digit_code, prints_redacted};

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident, $label:literal) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(String);

        wiped_secret!($name);

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // Through `secret_text`: serde's own type errors would quote
                // the value.
                secret_text(deserializer, concat!($label, " as a string")).map(Self)
            }
        }

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself. Every call site that reads a secret goes
            /// through here, so `grep expose_secret` finds them all.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        prints_redacted!($name);

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_type!(
    /// The shop's `octo_secret`, issued in OCTO's personal account. It
    /// authenticates every request the shop's server sends.
    OctoSecret,
    "OctoSecret"
);

secret_type!(
    /// The key that signs payment notifications (the `unique_key` OCTO's team
    /// issues on request).
    NotificationKey,
    "NotificationKey"
);

secret_type!(
    /// A card token: a stored card, usable for payments until it is blocked.
    CardToken,
    "CardToken"
);

digit_code!(
    /// A card's CVC2/CVV2 code: three or four digits.
    Cvc,
    digits: 3..=4,
    field: "cvc2",
    expected: "3 or 4 digits",
    in_json: "a CVC as a string of digits",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = OctoSecret::new("537da54b-835a-4968-9864-c2ae02c5902e");
        assert!(!format!("{secret:?}").contains("537da54b"));
        assert!(!format!("{secret}").contains("537da54b"));
        assert_eq!(
            secret.expose_secret(),
            "537da54b-835a-4968-9864-c2ae02c5902e"
        );
        let cvc = Cvc::new("123").unwrap();
        assert!(!format!("{cvc:?}{cvc}").contains("123"));
    }

    #[test]
    fn wrong_json_types_never_quote_the_secret() {
        let err = serde_json::from_str::<Cvc>("123").unwrap_err().to_string();
        assert!(!err.contains("123"), "{err}");
        let err = serde_json::from_str::<OctoSecret>("987654321")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("987654321"), "{err}");
        let err = serde_json::from_str::<CardToken>("[\"tok-abc\"]")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("tok-abc"), "{err}");
        let ok: CardToken = serde_json::from_str("\"tok-abc\"").unwrap();
        assert_eq!(ok.expose_secret(), "tok-abc");
    }

    #[test]
    fn secrets_are_wiped_and_compare_in_constant_time() {
        use wiped::assert_wiped_constant_time_eq as check;

        check("OctoSecret", |s| Some(OctoSecret::new(s)), "a-1", "a-2");
        check(
            "NotificationKey",
            |s| Some(NotificationKey::new(s)),
            "k",
            "j",
        );
        check("CardToken", |s| Some(CardToken::new(s)), "t", "u");
        check("Cvc", |code| Cvc::new(code).ok(), "123", "124");
        check(
            "SmsCode",
            |code| crate::op::SmsCode::new(code).ok(),
            "1234",
            "1235",
        );
        check(
            "Pan",
            |pan| crate::Pan::new(pan).ok(),
            "4111111111111111",
            "4276380012341025",
        );
        let callback_pan = crate::callback::CallbackPan::new;
        check(
            "CallbackPan",
            callback_pan,
            "427638******1025",
            "427638******1026",
        );
    }

    #[test]
    fn cvc_is_validated() {
        assert!(Cvc::new("12").is_err());
        assert!(Cvc::new("12a").is_err());
        assert!(Cvc::new("12345").is_err());
        assert!(Cvc::new("1234").is_ok());
    }
}
