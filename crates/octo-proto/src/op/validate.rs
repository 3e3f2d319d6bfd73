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

/// An absolute `http`/`https` URL ("URL must always be complete").
pub(crate) fn absolute_url(field: &'static str, value: &str) -> Result<(), InputError> {
    let ok = value
        .parse::<http::Uri>()
        .ok()
        .is_some_and(|u| matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some());
    if !ok {
        return Err(InputError::new(
            field,
            InputProblem::Format("an absolute http(s) URL"),
        ));
    }
    Ok(())
}

/// A phone number as OCTO takes it: digits only, country code first
/// (`998901234567`), 9 to 15 digits.
pub(crate) fn phone(field: &'static str, value: &str) -> Result<(), InputError> {
    if !(9..=15).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InputError::new(
            field,
            InputProblem::Format("9 to 15 digits, country code first"),
        ));
    }
    Ok(())
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
