//! Card data: the card number ([`Pan`]), its expiry ([`CardExpiry`]) and the
//! masked forms OCTO sends back ([`MaskedPan`]).
//!
//! Three types hold a card number, and each name says which kind: a
//! [`Pan`] is a full number the shop sends (secret, Luhn-checked); a
//! [`MaskedPan`] is a mask, never a full number (not secret); a
//! [`CallbackPan`](crate::callback::CallbackPan) is whatever a tokenization
//! callback's `pan` carries, full or masked (secret, unchecked).

use crate::card_number::{
    card_number_reads, luhn_valid, mask_bounds, mask_card_number, prints_masked,
};
use crate::error::{InputError, InputProblem};
use crate::secret::prints_redacted;
use crate::secret::text::secret_text;
use crate::secret::wiped::wiped_secret;

/// A full card number (PAN): 13 to 19 digits that pass the Luhn check.
///
/// `Debug` and `Display` print at most the first six and last four digits,
/// and never more than half of them (`8600********1293`); the full number is
/// read only through
/// [`expose_secret`](Pan::expose_secret).
#[derive(Clone)]
pub struct Pan(String);

wiped_secret!(Pan);

impl Pan {
    /// Validates a card number. Spaces are not accepted: pass digits only.
    pub fn new(value: impl Into<String>) -> Result<Self, InputError> {
        let value = value.into();
        if !(13..=19).contains(&value.len()) {
            return Err(InputError::new(
                "pan",
                InputProblem::Format("13 to 19 digits"),
            ));
        }
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::new("pan", InputProblem::Format("digits only")));
        }
        if !luhn_valid(&value) {
            return Err(InputError::new("pan", InputProblem::Luhn));
        }
        Ok(Self(value))
    }
}

card_number_reads!(
    Pan,
    /// The full card number.
);

impl<'de> serde::Deserialize<'de> for Pan {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = secret_text(deserializer, "a card number as a string of digits")?;
        Pan::new(raw).map_err(serde::de::Error::custom)
    }
}

/// A masked card number as OCTO reports it (`427831** **** 3011`, or
/// `first6` and `last4` apart). It never holds a full number: anything with
/// more than ten digits visible is rejected.
///
/// [`as_str`](Self::as_str) and serialisation keep OCTO's text as sent;
/// `Debug` and `Display` print it cut down to at most half of its positions
/// ([`printable`](Self::printable)).
#[derive(Clone)]
pub struct MaskedPan {
    text: String,
    /// Whether the text's positions are the card's length (a mask OCTO
    /// wrote in full). A mask built from `first6` and `last4` alone does not
    /// say how long the card is.
    length_known: bool,
}

impl PartialEq for MaskedPan {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for MaskedPan {}

impl std::hash::Hash for MaskedPan {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl serde::Serialize for MaskedPan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl MaskedPan {
    /// Accepts a masked number. Returns `None` when the value shows more than
    /// ten digits, which would make it a full card number.
    pub fn new(value: impl Into<String>) -> Option<Self> {
        let value = value.into();
        let digits = value.bytes().filter(u8::is_ascii_digit).count();
        (digits <= 10).then_some(Self {
            text: value,
            length_known: true,
        })
    }

    /// Builds the mask from a first-six and last-four pair: `None` unless
    /// they are six and four digits (anything else could show more of the
    /// card, and the text is kept and serialised as it is). The card's
    /// length is then unknown, so [`printable`](Self::printable) cuts it as
    /// for the shortest card OCTO sends (12 digits): two and four.
    pub fn from_parts(first6: &str, last4: &str) -> Option<Self> {
        let digits =
            |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(first6, 6) || !digits(last4, 4) {
            return None;
        }
        Self::new(format!("{first6}******{last4}")).map(|mask| Self {
            length_known: false,
            ..mask
        })
    }

    /// The masked text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl MaskedPan {
    /// The mask as printed by `Debug` and `Display`: OCTO's first six and
    /// last four cut down to at most half of the card's positions (the last
    /// four, then as many of the first six as fit), `427831** **** 3011`
    /// becoming `4278********3011`. When the length is unknown (built with
    /// [`from_parts`](Self::from_parts)), as much as a 12-digit card
    /// allows: `55******4444`.
    pub fn printable(&self) -> String {
        if self.length_known {
            mask_card_number(&self.text)
        } else {
            let positions: Vec<char> = self.text.chars().filter(|c| *c != ' ').collect();
            let (leading, trailing) = mask_bounds(SHORTEST_CARD);
            let head: String = positions.iter().take(leading).collect();
            let tail: String = positions
                .iter()
                .skip(positions.len().saturating_sub(trailing))
                .collect();
            let hidden = SHORTEST_CARD.saturating_sub(leading + trailing);
            format!("{head}{}{tail}", "*".repeat(hidden))
        }
    }
}

/// The fewest digits a card number OCTO sends has.
const SHORTEST_CARD: usize = 12;

prints_masked!(MaskedPan, printable);

/// A card's expiry in OCTO's `YYMM` form (`2805` is May 2028). Card data:
/// `Debug` and `Display` print `[REDACTED]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardExpiry {
    year: u8,
    month: u8,
}

impl CardExpiry {
    /// Parses `YYMM`: four digits, month 01 to 12.
    pub fn parse_yymm(value: &str) -> Result<Self, InputError> {
        let bad = || InputError::new("exp", InputProblem::Format("YYMM, month 01-12"));
        let bytes = value.as_bytes();
        if bytes.len() != 4 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let year: u8 = value
            .get(..2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        let month: u8 = value
            .get(2..)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    /// Two-digit year.
    pub fn year(self) -> u8 {
        self.year
    }

    /// Month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The `YYMM` wire form.
    pub fn to_yymm(self) -> String {
        format!("{:02}{:02}", self.year, self.month)
    }
}

// An expiry is card data: `Debug` and `Display` hide it. It is read through
// `to_yymm`, `month` and `year`.
prints_redacted!(CardExpiry);

impl<'de> serde::Deserialize<'de> for CardExpiry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Through `secret_text`: serde's own type errors would quote it.
        let raw = secret_text(deserializer, "a card expiry as a YYMM string")?;
        CardExpiry::parse_yymm(&raw).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for CardExpiry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_yymm())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pan_validation() {
        assert!(Pan::new("4276380012341026").is_err(), "fails Luhn");
        assert!(Pan::new("4276380012341025").is_ok());
        let pan = Pan::new("4111111111111111").unwrap();
        assert_eq!(pan.first6(), "411111");
        assert_eq!(pan.last4(), "1111");
        assert_eq!(format!("{pan}"), "4111********1111");
        assert_eq!(format!("{pan:?}"), "Pan(4111********1111)");
        assert!(Pan::new("4111 1111 1111 1111").is_err());
        assert!(Pan::new("411111111111").is_err());
        assert!(Pan::new("").is_err());
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn_valid("9860240101226506"));
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
    }

    #[test]
    fn expiry() {
        let e = CardExpiry::parse_yymm("2805").unwrap();
        assert_eq!((e.year(), e.month()), (28, 5));
        assert_eq!(e.to_yymm(), "2805");
        for bad in ["2813", "2800", "280", "28a5", "", "20055"] {
            assert!(CardExpiry::parse_yymm(bad).is_err(), "{bad}");
        }
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("28") && !shown.contains("05"), "{shown}");
        let err = serde_json::from_str::<CardExpiry>("2805").unwrap_err();
        assert!(!err.to_string().contains("2805"), "{err}");
    }

    #[test]
    fn deserialising_never_quotes_the_number() {
        let pan: Pan = serde_json::from_str("\"4111111111111111\"").unwrap();
        assert_eq!(pan.last4(), "1111");
        for bad in [
            "4111111111111111",
            "[4111111111111111]",
            "{\"n\":4111111111111111}",
        ] {
            let err = serde_json::from_str::<Pan>(bad).unwrap_err().to_string();
            assert!(!err.contains("4111111111111111"), "{err}");
            assert!(err.contains("card number"), "{err}");
        }
        let value = serde_json::json!(4111111111111111u64);
        let err = serde_json::from_value::<Pan>(value)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("4111111111111111"), "{err}");
    }

    #[test]
    fn a_mask_of_unknown_length_prints_as_for_the_shortest_card() {
        // first6 and last4 of a 12-digit card leave two digits hidden: the
        // printed form must still show no more than six (half of twelve).
        let parts = MaskedPan::from_parts("123456", "9012").unwrap();
        assert_eq!(parts.as_str(), "123456******9012");
        assert_eq!(parts.printable(), "12******9012");
        assert_eq!(format!("{parts:?}"), "MaskedPan(12******9012)");
        let digits = parts.printable().bytes().filter(u8::is_ascii_digit).count();
        assert!(digits <= 6, "{}", parts.printable());
        // A mask OCTO wrote in full states the length.
        let full = MaskedPan::new("427831** **** 3011").unwrap();
        assert_eq!(full.printable(), "4278********3011");
        assert_eq!(
            MaskedPan::new("123456******9012"),
            Some(parts),
            "equality is on the text"
        );
    }

    #[test]
    fn a_mask_from_parts_takes_six_and_four_digits_only() {
        // What OCTO sends as `first6` and `last4` is kept as text and
        // serialised as sent: anything but six and four digits could
        // show more of the card than its first six and last four.
        assert!(MaskedPan::from_parts("860050", "2744").is_some());
        for (first6, last4) in [
            ("8600501234", ""),
            ("86005012", "2744"),
            ("860050", "122744"),
            ("8600", "2744"),
            ("860050", "27a4"),
            ("", ""),
        ] {
            let mask = MaskedPan::from_parts(first6, last4);
            assert!(
                mask.is_none(),
                "{first6}/{last4} gave {:?}",
                mask.map(|m| m.text)
            );
        }
    }

    #[test]
    fn masked_pan_refuses_full_numbers() {
        assert!(MaskedPan::new("427831** **** 3011").is_some());
        assert!(MaskedPan::new("4278310012343011").is_none());
    }
}
