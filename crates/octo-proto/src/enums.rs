//! Open enums for OCTO's string values.
//!
//! OCTO adds values without notice and its pages disagree on some spellings,
//! so every enum here is `#[non_exhaustive]` and keeps values it does not know
//! in `Other(String)`: parsing never fails, and the raw value survives a round
//! trip. Each has `as_str()`, `Display`, and serde through the string form.

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this SDK does not know, kept as received.
            Other(String),
        }

        impl $name {
            /// The value as OCTO writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(raw) => raw,
                }
            }

            /// Reads a wire value; unknown values become `Other`.
            pub fn parse(raw: &str) -> Self {
                match raw {
                    $( $wire $(| $alias)* => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                Self::parse(raw)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(raw))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::parse(&raw))
            }
        }
    };
}

open_enum!(
    /// A payment currency.
    Currency {
        /// Uzbek sum.
        Uzs = "UZS",
        /// US dollar.
        Usd = "USD",
        /// Russian rouble.
        Rub = "RUB",
        /// Euro.
        Eur = "EUR",
    }
);

open_enum!(
    /// The language of OCTO's payment pages.
    ///
    /// OCTO's current pages (the one-stage payment page and the token
    /// payment page) list `en`, `uz` and `ru`; only the legacy page adds
    /// `oz`. A value the current pages do not list ([`UzbekLatin`] or an
    /// [`Other`] code) is refused before sending unless the config allows
    /// it with [`Config::with_unlisted_languages`].
    ///
    /// [`UzbekLatin`]: Self::UzbekLatin
    /// [`Other`]: Self::Other
    /// [`Config::with_unlisted_languages`]: crate::Config::with_unlisted_languages
    Language {
        /// Uzbek (`uz`), the value every current example sends. The legacy
        /// page calls `uz` the Cyrillic script; the current pages say no
        /// more than "uz".
        Uzbek = "uz",
        /// English.
        English = "en",
        /// Russian.
        Russian = "ru",
        /// Uzbek, Latin script (`oz`): on the legacy page only, so sending
        /// it is an opt-in ([`Config::with_unlisted_languages`]).
        ///
        /// [`Config::with_unlisted_languages`]: crate::Config::with_unlisted_languages
        UzbekLatin = "oz",
    }
);

impl Language {
    /// Whether OCTO's current pages list this value (`en`, `uz`, `ru`).
    pub fn is_listed(&self) -> bool {
        matches!(self, Self::Uzbek | Self::English | Self::Russian)
    }
}

open_enum!(
    /// A way to pay offered on OCTO's page, or used with a token.
    PaymentMethod {
        /// Visa/Mastercard and other international cards.
        BankCard = "bank_card",
        /// Uzcard.
        Uzcard = "uzcard",
        /// Humo.
        Humo = "humo",
    }
);

open_enum!(
    /// The status of a payment.
    ///
    /// The documented values are `created`, `wait_user_action`,
    /// `waiting_for_capture`, `succeeded` and `canceled`. Public integrations
    /// also see `cancelled` (read as [`Canceled`](Self::Canceled)), `failed`,
    /// `refunded`, `partially_refunded` and `waiting_pay`.
    PaymentStatus {
        /// Created; the customer has not acted yet.
        Created = "created",
        /// Waiting for the customer (card form, OTP, 3-D Secure).
        WaitUserAction = "wait_user_action",
        /// Waiting for the customer to pay (undocumented).
        WaitingPay = "waiting_pay",
        /// Authorised and held; the shop must capture or cancel.
        WaitingForCapture = "waiting_for_capture",
        /// Paid.
        Succeeded = "succeeded",
        /// Canceled (also spelled `cancelled`).
        Canceled = "canceled" | "cancelled",
        /// Failed (undocumented).
        Failed = "failed",
        /// Partly refunded (undocumented).
        PartiallyRefunded = "partially_refunded",
        /// Fully refunded (undocumented).
        Refunded = "refunded",
    }
);

impl PaymentStatus {
    /// Whether no further change is expected: canceled, failed or fully
    /// refunded. `succeeded` is not final, since refunds may follow.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Canceled | Self::Failed | Self::Refunded)
    }

    /// Whether the customer's money was taken (possibly refunded since).
    pub fn is_paid(&self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::PartiallyRefunded | Self::Refunded
        )
    }
}

open_enum!(
    /// The status of a refund.
    RefundStatus {
        /// Registered, not processed yet.
        New = "new",
        /// Being processed.
        Pending = "pending",
        /// Money returned.
        Succeeded = "succeeded",
        /// Canceled.
        Canceled = "canceled" | "cancelled",
        /// OCTO does not know the outcome yet (its own value `unknown`).
        Unknown = "unknown",
        /// Failed.
        Error = "error",
    }
);

open_enum!(
    /// The status of a card token.
    TokenStatus {
        /// Card authorisation in progress.
        Init = "init",
        /// Ready for payments.
        Active = "active",
        /// Blocked by the shop.
        Blocked = "blocked",
        /// Binding failed.
        Failed = "failed",
    }
);

/// The shop's decision on a held (two-stage) payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcceptStatus {
    /// Take the money (all of it, or `final_amount`).
    Capture,
    /// Release the hold.
    Cancel,
}

impl AcceptStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Capture => "capture",
            Self::Cancel => "cancel",
        }
    }
}

impl std::fmt::Display for AcceptStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_unknowns() {
        assert_eq!(PaymentStatus::parse("cancelled"), PaymentStatus::Canceled);
        assert_eq!(PaymentStatus::Canceled.as_str(), "canceled");
        let odd = PaymentStatus::parse("on_review");
        assert_eq!(odd, PaymentStatus::Other("on_review".into()));
        assert_eq!(odd.as_str(), "on_review");
        assert_eq!(RefundStatus::parse("unknown"), RefundStatus::Unknown);
        assert_eq!(Currency::parse("KZT").as_str(), "KZT");
        let json = serde_json::to_string(&Language::UzbekLatin).unwrap();
        assert_eq!(json, "\"oz\"");
        let back: Language = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Language::UzbekLatin);
        assert!(!Language::UzbekLatin.is_listed());
        assert!(!Language::parse("fr").is_listed());
        for listed in ["en", "uz", "ru"] {
            assert!(Language::parse(listed).is_listed(), "{listed}");
        }
    }
}
