//! Checks shared by several operations. Each returns an [`InputError`]
//! naming the field.

use rust_decimal::Decimal;

use crate::error::{InputError, InputProblem};

pub(crate) fn not_empty(field: &'static str, value: &str) -> Result<(), InputError> {
    if value.trim().is_empty() {
        return Err(InputError::new(field, InputProblem::Empty));
    }
    Ok(())
}

pub(crate) fn positive(field: &'static str, value: Decimal) -> Result<(), InputError> {
    if value <= Decimal::ZERO {
        return Err(InputError::new(field, InputProblem::NotPositive));
    }
    Ok(())
}

/// An absolute `http`/`https` URL ("URL must always be complete"): the
/// scheme, a non-empty host, and no spaces or control characters.
pub(crate) fn absolute_url(field: &'static str, value: &str) -> Result<(), InputError> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.starts_with(':') && !host.contains('@')
    });
    let clean = value.bytes().all(|b| b.is_ascii_graphic() || !b.is_ascii());
    if !host_ok || !clean {
        return Err(InputError::new(
            field,
            InputProblem::Format("an absolute http(s) URL"),
        ));
    }
    Ok(())
}

/// [`absolute_url`] for a URL the caller may leave out.
pub(crate) fn absolute_url_if_set(
    field: &'static str,
    value: Option<&str>,
) -> Result<(), InputError> {
    value.map_or(Ok(()), |url| absolute_url(field, url))
}

/// A phone number as OCTO's pages write it: digits only, country code
/// first (`998901234567`), 9 to 15 digits. The international form with a
/// leading `+` (how OCTO itself shows phones) is taken too; [`phone_digits`]
/// leaves the `+` out on the wire.
pub(crate) fn phone(field: &'static str, value: &str) -> Result<(), InputError> {
    let digits = phone_digits(value);
    if !(9..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InputError::new(
            field,
            InputProblem::Format("9 to 15 digits, country code first, with or without '+'"),
        ));
    }
    Ok(())
}

/// A phone as it goes on the wire: without the international form's `+`.
pub(crate) fn phone_digits(value: &str) -> &str {
    value.strip_prefix('+').unwrap_or(value)
}

/// An id that goes into a URL path: letters, digits, `-` and `_`.
pub(crate) fn path_segment(field: &'static str, value: &str) -> Result<(), InputError> {
    not_empty(field, value)?;
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(InputError::new(
            field,
            InputProblem::Format("letters, digits, '-' or '_'"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for good in [
            "https://octo.uz",
            "http://127.0.0.1:8080/return?id=1",
            "https://shop.example/orders/1001#paid",
            "https://магазин.uz/заказ",
        ] {
            assert!(absolute_url("u", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "octo.uz",
            "/relative",
            "ftp://x",
            "https://",
            "https:///path",
            "http://:80",
            "https://a b",
            "https://x\n",
            "HTTPS//x",
            "https://user@host",
        ] {
            assert!(absolute_url("u", bad).is_err(), "{bad}");
            assert!(absolute_url_if_set("u", Some(bad)).is_err(), "{bad}");
        }
        assert!(absolute_url_if_set("u", None).is_ok());
        assert!(absolute_url_if_set("u", Some("https://octo.uz")).is_ok());
    }
}
