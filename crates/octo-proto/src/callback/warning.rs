//! What a notification's reader noticed but did not refuse.
//!
//! OCTO's pages document the optional fields of a notification loosely,
//! and its own examples break them (a `/pay` answer shows `"riskLevel":
//! -1`, documented as 0 to 5). Refusing a genuine notification over such a
//! field would only make OCTO send it again, forever, and lose the news it
//! carries. So a field in a shape we did not expect is left unset, kept as
//! received in `extra`, and named in a [`NotificationWarning`] that the
//! handler can log.

use std::fmt;

use serde_json::Value;

/// An optional field of a notification that was not in the expected shape.
///
/// It names the field and what was expected, never the value: the warning
/// is meant for logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationWarning {
    /// The field as OCTO names it, such as `riskLevel`.
    pub field: &'static str,
    /// What this SDK expected there, such as `an integer from 0 to 255`.
    pub expected: &'static str,
    /// The JSON type that came instead.
    pub found: JsonKind,
    /// Whether the value was kept in
    /// [`Notification::extra`](super::Notification::extra). `maskedPan` is
    /// never kept: a value that does not read as a masked card number
    /// could be a whole one.
    pub kept_in_extra: bool,
}

/// The type of a JSON value, without the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonKind {
    /// The type of `value`.
    pub fn of(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(_) => Self::Bool,
            Value::Number(_) => Self::Number,
            Value::String(_) => Self::String,
            Value::Array(_) => Self::Array,
            Value::Object(_) => Self::Object,
        }
    }

    fn article_and_name(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool => "a boolean",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        }
    }
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.article_and_name())
    }
}

impl fmt::Display for NotificationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "field `{}`: expected {}, got {} of another form; ",
            self.field, self.expected, self.found
        )?;
        f.write_str(if self.kept_in_extra {
            "left unset and kept as received in `extra`"
        } else {
            "left unset and dropped"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_field_not_the_value() {
        let warning = NotificationWarning {
            field: "riskLevel",
            expected: "an integer from 0 to 255",
            found: JsonKind::of(&serde_json::json!(-1)),
            kept_in_extra: true,
        };
        let text = warning.to_string();
        assert!(text.contains("`riskLevel`"), "{text}");
        assert!(text.contains("a number"), "{text}");
        assert!(text.contains("kept as received"), "{text}");
        assert!(!text.contains("-1"), "{text}");
        let dropped = NotificationWarning {
            kept_in_extra: false,
            ..warning
        };
        assert!(dropped.to_string().contains("dropped"));
    }
}
