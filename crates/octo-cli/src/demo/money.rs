//! Amounts as the demo tells them: sum grouped by thousands, `125 000.00 UZS`.

use rust_decimal::Decimal;

/// An amount in sum, digits grouped by thousands: `125 000.00 UZS`.
pub fn uzs(amount: Decimal) -> String {
    let text = amount.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped} UZS")
    } else {
        format!("{sign}{grouped}.{fraction} UZS")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(uzs(Decimal::new(12_500_000, 2)), "125 000.00 UZS");
        assert_eq!(uzs(Decimal::new(999, 0)), "999 UZS");
        assert_eq!(uzs(Decimal::new(1_000, 0)), "1 000 UZS");
        assert_eq!(uzs(Decimal::new(-1_234_567, 1)), "-123 456.7 UZS");
    }
}
