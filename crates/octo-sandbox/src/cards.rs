//! The sandbox's test cards and what each one does.
//!
//! A card is recognised by its number. The listed cards behave as their
//! table row says; any other Luhn-valid number with a Uzcard (8600, 5614)
//! or Humo (9860) prefix asks for an SMS code, and any other one succeeds
//! without a challenge. An expired card (by the sandbox's clock) is declined.

use std::fmt;

/// What a card does when a customer pays with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardBehaviour {
    /// Pays at once, with no challenge.
    Success,
    /// Asks for the SMS code, then pays.
    SmsCode,
    /// Shows a 3-D Secure page, then pays when the customer confirms.
    ThreeDSecure,
    /// The issuer declines.
    Decline,
    /// The issuer declines for insufficient funds.
    InsufficientFunds,
}

impl CardBehaviour {
    /// A short English description, for pages and the CLI.
    pub fn description(self) -> &'static str {
        match self {
            Self::Success => "succeeds, no challenge",
            Self::SmsCode => "asks for the SMS code, then succeeds",
            Self::ThreeDSecure => "shows a 3-D Secure page, then succeeds",
            Self::Decline => "declined by the issuer",
            Self::InsufficientFunds => "declined: insufficient funds",
        }
    }

    /// Whether the issuer refuses this card.
    pub fn is_declined(self) -> bool {
        matches!(self, Self::Decline | Self::InsufficientFunds)
    }
}

/// The card network, from the number's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardBrand {
    /// Uzcard (8600, 5614).
    Uzcard,
    /// Humo (9860).
    Humo,
    /// Visa (4).
    Visa,
    /// Mastercard (51-55, 2221-2720).
    Mastercard,
    /// Anything else.
    Other,
}

impl CardBrand {
    /// The brand of a card number.
    pub fn of(pan: &str) -> Self {
        let two: u32 = pan.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0);
        let four: u32 = pan.get(..4).and_then(|p| p.parse().ok()).unwrap_or(0);
        if four == 8600 || four == 5614 {
            Self::Uzcard
        } else if four == 9860 {
            Self::Humo
        } else if pan.starts_with('4') {
            Self::Visa
        } else if (51..=55).contains(&two) || (2221..=2720).contains(&four) {
            Self::Mastercard
        } else {
            Self::Other
        }
    }

    /// The name OCTO uses for the brand's payment method.
    pub fn method(self) -> &'static str {
        match self {
            Self::Uzcard => "uzcard",
            Self::Humo => "humo",
            Self::Visa | Self::Mastercard | Self::Other => "bank_card",
        }
    }

    /// OCTO's `card_type` / `card_vendor` value.
    pub fn vendor(self) -> &'static str {
        match self {
            Self::Uzcard => "UZCARD",
            Self::Humo => "HUMO",
            Self::Visa => "VISA",
            Self::Mastercard => "MASTERCARD",
            Self::Other => "OTHER",
        }
    }

    /// Whether the brand's own SMS confirmation applies (domestic cards).
    pub fn is_domestic(self) -> bool {
        matches!(self, Self::Uzcard | Self::Humo)
    }
}

/// One documented test card.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    /// The card number (a test number, not a real card).
    pub pan: &'static str,
    /// Any future expiry works; this one is used in examples (`YYMM`).
    pub exp: &'static str,
    /// What it does.
    pub behaviour: CardBehaviour,
}

impl fmt::Debug for TestCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Test numbers are public, but printing them in full would teach
        // code to print card numbers.
        let last4 = self
            .pan
            .get(self.pan.len().saturating_sub(4)..)
            .unwrap_or("");
        write!(f, "TestCard(…{last4}, {:?})", self.behaviour)
    }
}

/// The documented test cards.
pub const TEST_CARDS: [TestCard; 7] = [
    TestCard {
        pan: "4111111111111111",
        exp: "3012",
        behaviour: CardBehaviour::Success,
    },
    TestCard {
        pan: "8600000000000007",
        exp: "3012",
        behaviour: CardBehaviour::SmsCode,
    },
    TestCard {
        pan: "9860000000000000",
        exp: "3012",
        behaviour: CardBehaviour::SmsCode,
    },
    TestCard {
        pan: "5555555555554444",
        exp: "3012",
        behaviour: CardBehaviour::ThreeDSecure,
    },
    TestCard {
        pan: "4000000000000002",
        exp: "3012",
        behaviour: CardBehaviour::Decline,
    },
    TestCard {
        pan: "4000000000009995",
        exp: "3012",
        behaviour: CardBehaviour::InsufficientFunds,
    },
    TestCard {
        pan: "8600000000009990",
        exp: "3012",
        behaviour: CardBehaviour::InsufficientFunds,
    },
];

/// The test card with `behaviour` (the first one listed).
pub fn test_card(behaviour: CardBehaviour) -> TestCard {
    TEST_CARDS
        .iter()
        .copied()
        .find(|c| c.behaviour == behaviour)
        .unwrap_or(TEST_CARDS[0])
}

/// What a card number does.
pub fn behaviour_of(pan: &str) -> CardBehaviour {
    if let Some(card) = TEST_CARDS.iter().find(|c| c.pan == pan) {
        return card.behaviour;
    }
    if CardBrand::of(pan).is_domestic() {
        CardBehaviour::SmsCode
    } else {
        CardBehaviour::Success
    }
}

/// A Markdown table of the test cards, for the README and the CLI.
pub fn test_cards_table(otp_code: &str) -> String {
    let mut out = String::from("| card number | brand | behaviour |\n| --- | --- | --- |\n");
    for card in TEST_CARDS {
        let mut what = card.behaviour.description().to_owned();
        if card.behaviour == CardBehaviour::SmsCode {
            what = format!("asks for the SMS code (`{otp_code}`), then succeeds");
        }
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            card.pan,
            CardBrand::of(card.pan).vendor(),
            what
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_are_valid_numbers_with_the_right_brand() {
        for card in TEST_CARDS {
            assert!(octo_proto::Pan::new(card.pan).is_ok(), "{card:?}");
            assert_eq!(behaviour_of(card.pan), card.behaviour);
            assert!(!format!("{card:?}").contains(card.pan));
        }
        assert_eq!(CardBrand::of("8600000000000007"), CardBrand::Uzcard);
        assert_eq!(CardBrand::of("9860000000000000"), CardBrand::Humo);
        assert_eq!(CardBrand::of("5555555555554444"), CardBrand::Mastercard);
        assert_eq!(behaviour_of("8600000000000106"), CardBehaviour::SmsCode);
        assert_eq!(behaviour_of("4242424242424242"), CardBehaviour::Success);
        assert!(test_cards_table("123456").contains("`123456`"));
    }
}
