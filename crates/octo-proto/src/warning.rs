//! [`FieldWarning`]: an informational field OCTO sent in a shape this SDK
//! could not read.
//!
//! A successful answer is never turned into an error by a field the caller
//! can do without (a time, a URL, a masked card, a fee): such a field reads
//! as absent, and the answer carries a warning with the value as received.
//! Only what a caller cannot do without (the payment's id, its status, and
//! the amounts of an operation about money) still fails the decode.

use serde::Serialize;
use serde_json::Value;

/// An informational field that could not be read; the result holds `None`
/// in its place.
///
/// `raw` is the value as received, except for card data (`first6`, `last4`,
/// `maskedPan`, and any secret-named field), which is replaced by
/// `"[REDACTED]"`: a value too odd to read might hold more digits than a
/// mask may show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldWarning {
    /// Where the field was, such as `data.payed_time`.
    pub path: String,
    /// What the SDK expected, such as `yyyy-MM-dd HH:mm:ss`.
    pub expected: &'static str,
    /// The value as received (card data redacted).
    pub raw: Value,
}

impl std::fmt::Display for FieldWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.path, self.expected, self.raw
        )
    }
}
