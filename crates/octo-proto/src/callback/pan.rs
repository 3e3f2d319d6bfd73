//! The card number in a tokenization callback.

use crate::card::{MaskedPan, Pan};
use crate::card_number::{card_number_reads, luhn_valid};

/// The card number a tokenization callback reports, as received.
///
/// Unlike [`Pan`] it does not insist on the Luhn check (OCTO's test cards do
/// not always pass it) and it accepts a number OCTO already masked with `*`.
/// It is just as secret: `Debug` and `Display` show the last four digits
/// and at most the first six, never more than half of them, and the full value is read only through
/// [`expose_secret`](Self::expose_secret). Store the token, not this.
#[derive(Clone)]
pub struct CallbackPan(String);

crate::secret::wiped::wiped_secret!(CallbackPan);

impl CallbackPan {
    /// Accepts 12 to 19 characters, each a digit or `*`, with the last four
    /// digits; spaces are dropped. `None` for anything else.
    pub fn new(value: &str) -> Option<Self> {
        let compact: String = value.chars().filter(|c| *c != ' ').collect();
        let well_formed = (12..=19).contains(&compact.len())
            && compact.bytes().all(|b| b.is_ascii_digit() || b == b'*')
            && compact.bytes().rev().take(4).all(|b| b.is_ascii_digit());
        well_formed.then_some(Self(compact))
    }

    /// The masked form as a [`MaskedPan`], to keep with the token: the
    /// first six and last four with one `*` for each digit between, so that
    /// the mask has the number's length (and prints as much of it as
    /// [`masked`](Self::masked) does).
    pub fn to_masked_pan(&self) -> Option<MaskedPan> {
        let hidden = self.0.len().saturating_sub(10);
        MaskedPan::new(format!(
            "{}{}{}",
            self.first6(),
            "*".repeat(hidden),
            self.last4()
        ))
    }

    /// Whether OCTO sent the number already masked.
    pub fn is_masked(&self) -> bool {
        self.0.contains('*')
    }

    /// The number as a validated [`Pan`], when it is a full number that
    /// passes the Luhn check.
    pub fn to_pan(&self) -> Option<Pan> {
        if self.is_masked() || !luhn_valid(&self.0) {
            return None;
        }
        Pan::new(self.0.clone()).ok()
    }
}

card_number_reads!(
    CallbackPan,
    /// The number as received (spaces dropped).
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_first6_and_last4_only() {
        let pan = CallbackPan::new("4276380012341026").unwrap();
        assert_eq!(pan.masked(), "4276********1026");
        assert_eq!(format!("{pan}"), "4276********1026");
        assert_eq!(format!("{pan:?}"), "CallbackPan(4276********1026)");
        assert!(!format!("{pan:?}{pan}").contains("0012341"));
        assert_eq!(pan.expose_secret(), "4276380012341026");
        assert_eq!(pan.to_pan(), None, "fails Luhn, still accepted here");
        assert_eq!(pan.to_masked_pan().unwrap().as_str(), "427638******1026");
    }

    #[test]
    fn luhn_valid_numbers_convert() {
        let pan = CallbackPan::new("4276 3800 1234 1025").unwrap();
        assert_eq!(pan.expose_secret(), "4276380012341025");
        assert_eq!(pan.to_pan().unwrap().last4(), "1025");
        assert!(!pan.is_masked());
    }

    #[test]
    fn masked_numbers_are_accepted() {
        let pan = CallbackPan::new("427638******1025").unwrap();
        assert!(pan.is_masked());
        assert_eq!(pan.to_pan(), None);
        assert_eq!(pan.masked(), "4276********1025");
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "12345678901",
            "12345678901234567890",
            "4276-3800-1234-1025",
            "427638001234102*",
            "４２７６３８００１２３４１０２５",
        ] {
            assert_eq!(CallbackPan::new(bad), None, "{bad}");
        }
    }
}
