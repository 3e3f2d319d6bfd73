//! Card numbers are masked to at most the first six and last four digits,
//! and never to more than half of the digits, for every length OCTO can send
//! (12 to 19): a 12-digit number shows six digits at most, not 6 + 4.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use octo_proto::callback::CallbackPan;
use octo_proto::{MaskedPan, Pan};
use proptest::prelude::*;

/// How many digits a mask shows at its start, at its end, and in all.
fn shown(mask: &str) -> (usize, usize, usize) {
    let chars: Vec<char> = mask.chars().filter(|c| *c != ' ').collect();
    let leading = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let trailing = chars
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let total = chars.iter().filter(|c| c.is_ascii_digit()).count();
    (leading, trailing, total)
}

/// Fails unless `mask` hides enough of a `len`-digit number.
fn assert_masked(mask: &str, len: usize, full: &str) {
    let (leading, trailing, total) = shown(mask);
    assert!(leading <= 6, "{mask}: {leading} leading digits");
    assert!(trailing <= 4, "{mask}: {trailing} trailing digits");
    assert!(
        total <= len / 2,
        "{mask}: {total} of {len} digits shown (more than half)"
    );
    assert!(
        total < len && !mask.contains(full),
        "{mask} is the full number"
    );
}

/// Makes the last digit the Luhn check digit, so that [`Pan`] accepts it.
fn with_check_digit(mut digits: Vec<u8>) -> String {
    digits.pop();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            if i % 2 == 0 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    let mut text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    text.push(char::from(b'0' + u8::try_from(check).unwrap()));
    text
}

fn card_digits() -> impl Strategy<Value = Vec<u8>> {
    (12usize..=19).prop_flat_map(|len| proptest::collection::vec(0u8..=9, len))
}

proptest! {
    #[test]
    fn callback_pans_show_at_most_half(digits in card_digits()) {
        let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let pan = CallbackPan::new(&text).unwrap();
        for mask in [pan.masked(), format!("{pan}"), format!("{pan:?}")] {
            assert_masked(&mask, text.len(), &text);
        }
        if let Some(masked) = pan.to_masked_pan() {
            assert_masked(&format!("{masked}"), text.len(), &text);
            assert_masked(&format!("{masked:?}"), text.len(), &text);
        }
    }

    #[test]
    fn pans_show_at_most_half(digits in card_digits()) {
        let text = with_check_digit(digits);
        // `Pan` takes 13 to 19 digits; a 12-digit one is refused.
        if let Ok(pan) = Pan::new(text.clone()) {
            for mask in [pan.masked(), format!("{pan}"), format!("{pan:?}")] {
                assert_masked(&mask, text.len(), &text);
            }
        } else {
            prop_assert_eq!(text.len(), 12);
        }
    }

    #[test]
    fn masked_pans_print_at_most_half(
        first6 in "[0-9]{6}",
        last4 in "[0-9]{4}",
        hidden in 2usize..=9,
    ) {
        // OCTO's own mask, as sent (first six and last four with `hidden`
        // stars between): printed, it shows at most half of the positions.
        let sent = format!("{first6}{}{last4}", "*".repeat(hidden));
        let masked = MaskedPan::new(sent.clone()).unwrap();
        prop_assert_eq!(masked.as_str(), sent.as_str());
        let len = sent.len();
        for mask in [format!("{masked}"), format!("{masked:?}")] {
            let (leading, trailing, total) = shown(&mask);
            prop_assert!(leading <= 6 && trailing <= 4, "{}", mask);
            prop_assert!(total <= len / 2, "{}: {} of {}", mask, total, len);
        }
    }
}

#[test]
fn every_length_keeps_the_last_four() {
    for len in 12..=19 {
        let text: String = (0..len).map(|i| char::from(b'1' + (i % 9) as u8)).collect();
        let pan = CallbackPan::new(&text).unwrap();
        let mask = pan.masked();
        assert_eq!(mask.len(), len, "{mask}: one character per digit");
        assert!(mask.ends_with(&text[len - 4..]), "{mask}");
        assert_masked(&mask, len, &text);
    }
    let twelve = CallbackPan::new("123456789012").unwrap();
    assert_eq!(twelve.masked(), "12******9012");
    let sixteen = CallbackPan::new("4276380012341026").unwrap();
    assert_eq!(sixteen.masked(), "4276********1026");
}
