//! The `option` half of every serde field helper: the value as the helper
//! writes it, or `null`.

use serde::Serializer;

/// Writes `value` with `write`, or `null` when there is none.
pub(crate) fn some_or_null<T, S: Serializer>(
    value: &Option<T>,
    s: S,
    write: impl FnOnce(&T, S) -> Result<S::Ok, S::Error>,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => write(v, s),
        None => s.serialize_none(),
    }
}
