//! Rules over the text of a card number, shared by every type that holds
//! one or a mask of one: how much a mask may show, the masking itself, and
//! the Luhn check.

/// How many positions of an `len`-position card number a mask may show at
/// its start and at its end: the last four, then as many of the first six
/// as keep the total at half of `len` or less.
pub(crate) fn mask_bounds(len: usize) -> (usize, usize) {
    let half = len / 2;
    let trailing = half.min(4);
    let leading = (half - trailing).min(6);
    (leading, trailing)
}

/// Masks a card number, or a mask of one, for printing: each position (a
/// digit or a `*`; spaces are dropped) is kept only within
/// [`mask_bounds`], every other one becomes `*`.
///
/// Shows at most the first six and last four digits, and never more than
/// half of them, whatever the length: a 12-digit number shows two and four
/// (`12******9012`), a 16-digit one four and four.
pub(crate) fn mask_card_number(text: &str) -> String {
    let positions: Vec<char> = text.chars().filter(|c| *c != ' ').collect();
    let len = positions.len();
    let (leading, trailing) = mask_bounds(len);
    positions
        .iter()
        .enumerate()
        .map(|(at, c)| {
            if at < leading || at >= len - trailing {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// The first six characters of a card number (the issuer's BIN), or
/// nothing when it is shorter.
pub(crate) fn first6(number: &str) -> &str {
    number.get(..6).unwrap_or_default()
}

/// The last four characters of a card number (all of a shorter one).
pub(crate) fn last4(number: &str) -> &str {
    number
        .get(number.len().saturating_sub(4)..)
        .unwrap_or_default()
}

/// The Luhn checksum over a string of ASCII digits.
pub(crate) fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if d > 9 {
            return false;
        }
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// The read-outs shared by the types that hold a card number in their one
/// `String` field ([`Pan`](crate::Pan),
/// [`CallbackPan`](crate::callback::CallbackPan)): the secret itself, its
/// BIN and last four, and the mask that `Debug` and `Display` print (as
/// `Name(mask)` and as the mask alone).
macro_rules! card_number_reads {
    ($name:ident, $(#[$expose:meta])*) => {
        impl $name {
            $(#[$expose])*
            pub fn expose_secret(&self) -> &str {
                &self.0
            }

            /// The first six characters (the issuer's BIN).
            pub fn first6(&self) -> &str {
                $crate::card_number::first6(&self.0)
            }

            /// The last four digits.
            pub fn last4(&self) -> &str {
                $crate::card_number::last4(&self.0)
            }

            /// The masked form: the last four digits and at most the first
            /// six, never more than half of the digits: `9860********6506`
            /// for 16 digits, `12******9012` for 12; `627123*********3455`
            /// would show too much for 19, so that one is
            /// `62712**********3455`.
            pub fn masked(&self) -> String {
                $crate::card_number::mask_card_number(&self.0)
            }
        }

        $crate::card_number::prints_masked!($name, masked);
    };
}

/// `Debug` as `Name(mask)` and `Display` as the mask alone, where `$mask`
/// is the method giving the printable mask.
macro_rules! prints_masked {
    ($name:ident, $mask:ident) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.$mask())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.$mask())
            }
        }
    };
}

pub(crate) use {card_number_reads, prints_masked};
