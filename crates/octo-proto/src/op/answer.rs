//! What an operation answers. Each output type carries the function that
//! reads it from the `data` object of OCTO's envelope, so every operation
//! parses its response the same way
//! ([`Operation::parse_response`](super::Operation::parse_response)).

use crate::json::{FieldError, Fields};

/// The typed answer of an [`Operation`](super::Operation), read from the
/// `data` object of OCTO's envelope. Implemented in this crate for every
/// operation's output; it cannot be implemented outside it.
pub trait Answer: Sized {
    /// How the answer reads its fields.
    #[doc(hidden)]
    const READER: Reader<Self>;
}

/// Reads an [`Answer`] from `data`'s fields. Public in a private module:
/// only this crate can build one, so only this crate implements [`Answer`].
#[derive(Clone, Copy)]
pub struct Reader<T>(pub(crate) fn(&Fields<'_>) -> Result<T, FieldError>);

impl Answer for super::Payment {
    const READER: Reader<Self> = Reader(super::payment::payment_from);
}
