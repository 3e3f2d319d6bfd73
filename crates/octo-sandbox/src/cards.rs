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

    /// The notification's `card_type`. OCTO's notifications page shows
    /// `internationalVisa` for a Visa card; the other brands' values are
    /// not published, so they are the sandbox's choice (the vendor name).
    pub fn card_type(self) -> &'static str {
        match self {
            Self::Visa => "internationalVisa",
            other => other.vendor(),
        }
    }

    /// The notification's `card_vendor` (the sandbox's choice: no page
    /// shows a value), also the brand's name on the sandbox's pages.
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

/// Whether `text` is a card number the sandbox takes: 13 to 19 ASCII
/// digits passing the Luhn check. The sandbox's own check (OCTO's pages
/// only say "String"), so that octo-proto's `Pan` never decides alone what
/// both sides accept.
pub(crate) fn is_card_number(text: &str) -> bool {
    if !(13..=19).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // Every second digit from the right doubled, its digits added: a
    // table, so no arithmetic can overflow.
    const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    let sum = text
        .bytes()
        .rev()
        .enumerate()
        .filter_map(|(i, b)| {
            let d = char::from(b).to_digit(10)?;
            if i % 2 == 1 {
                DOUBLED.get(usize::try_from(d).ok()?).copied()
            } else {
                Some(d)
            }
        })
        .fold(0u32, u32::wrapping_add);
    sum.is_multiple_of(10)
}

/// Whether `text` is an expiry written `YYMM` with a month 01 to 12
/// (`card-tokenization.txt`: `exp`, "YYMM format"), by the sandbox's own
/// reading.
pub(crate) fn is_yymm(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 4
        && b.iter().all(u8::is_ascii_digit)
        && matches!(
            (b.get(2), b.get(3)),
            (Some(b'0'), Some(b'1'..=b'9')) | (Some(b'1'), Some(b'0'..=b'2'))
        )
}

/// An expiry written `YYMM`, as the tokenization callback's `exp` carries
/// it: the sandbox's own writing, not octo-proto's.
pub(crate) fn yymm(exp: octo_proto::CardExpiry) -> String {
    format!("{:02}{:02}", exp.year(), exp.month())
}

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
    fn the_sandboxs_own_card_checks() {
        // card-tokenization.txt's numbers (bind_card, the callback) and
        // the usual test numbers pass; a digit changed, a space, 12 or 20
        // digits do not.
        for good in [
            "9860240101226506",
            "4276380012341025",
            "4111111111111111",
            "5555555555554444",
            "4222222222222",
        ] {
            assert!(is_card_number(good), "{good}");
        }
        for bad in [
            "9860240101226507",
            "4111 1111 1111 1111",
            "411111111111",
            "41111111111111111110",
            "",
            "４111111111111111",
        ] {
            assert!(!is_card_number(bad), "{bad}");
        }
        for good in ["2805", "2006", "3001", "3012", "0010"] {
            assert!(is_yymm(good), "{good}");
        }
        for bad in ["0528", "2800", "2813", "280", "28/05", "28051", ""] {
            assert!(!is_yymm(bad), "{bad}");
        }
        // card-tokenization.txt's `exp` examples, read and written back.
        for page in ["2805", "2006"] {
            let exp = octo_proto::CardExpiry::parse_yymm(page).unwrap();
            assert_eq!(yymm(exp), page);
        }
    }

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
