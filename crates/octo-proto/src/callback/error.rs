//! Why a callback was refused, and the answer OCTO should get for it.
//!
//! A callback error never carries the body or a field's value: a
//! tokenization callback holds a full card number and a card token, and a
//! payment notification's expected signature must not leak to whoever sent a
//! forged one. Errors name the field and the kind of problem only.

use std::fmt;

use http::{Method, StatusCode};

use super::reply::error_response;
use crate::error::DecodeProblem;
use crate::json::FieldError;

/// A callback that was refused: not a POST, too large, not a JSON object,
/// a missing or malformed field that a signature covers or a machine
/// needs, or a signature that does not match. The `Content-Type` header
/// and the shape of optional fields never cause one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// OCTO posts its callbacks; any other method is refused.
    #[error("method {method} not allowed: callbacks are POSTed")]
    MethodNotAllowed {
        /// The method received.
        method: Method,
    },

    /// The body (or its declared `Content-Length`) is over the limit.
    #[error("body of {size} bytes is over the {limit}-byte limit")]
    BodyTooLarge {
        /// The size received or declared.
        size: u64,
        /// The configured limit.
        limit: usize,
    },

    /// The body is empty.
    #[error("empty body")]
    EmptyBody,

    /// The body does not parse as JSON.
    #[error("body is not JSON (line {line}, column {column})")]
    NotJson {
        /// Where parsing stopped: line, from 1.
        line: usize,
        /// Where parsing stopped: column, from 1.
        column: usize,
    },

    /// The body is JSON but not an object.
    #[error("body is not a JSON object")]
    NotAnObject,

    /// A required field is missing or has the wrong type or form. For a
    /// payment notification only `shop_transaction_id`,
    /// `octo_payment_UUID`, `status`, `signature` and `hash_key` can cause
    /// this (a missing `hash_key` only where the secret formula needs it,
    /// or [`CallbackLimits::with_hash_key_required`](super::CallbackLimits::with_hash_key_required)
    /// asks for it); other fields in odd shapes become warnings.
    #[error("field `{path}`: {problem}")]
    Field {
        /// The field's name, such as `total_sum`.
        path: String,
        /// What was wrong with it.
        problem: DecodeProblem,
    },

    /// The notification's `signature` does not match the one computed with
    /// the shop's key. The notification is not from OCTO, or the key or the
    /// [`SignatureScheme`](super::SignatureScheme) is wrong.
    #[error("signature does not match ({scheme} scheme)")]
    BadSignature {
        /// Which scheme was used to check it.
        scheme: SchemeName,
    },
}

/// The name of a signature scheme, for errors and logs (no key inside).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemeName {
    /// `SHA1(unique_key + octo_payment_UUID + status)`.
    UniqueKey,
    /// `SHA1(hex(SHA1(octo_secret + hash_key)) + octo_payment_UUID + status)`.
    SecretAndHashKey,
    /// Either of the two (a signature that matches one of them).
    Either,
}

impl SchemeName {
    /// The notification's fields a signature under this formula covers, by
    /// their names on the wire. Every other field of a verified
    /// notification is unsigned. Under [`Either`](Self::Either), the fields
    /// both formulas cover; a verified notification's
    /// [`signed_with`](super::VerifiedNotification::signed_with) names the
    /// formula that matched.
    pub fn signed_fields(self) -> &'static [&'static str] {
        match self {
            Self::SecretAndHashKey => &["octo_payment_UUID", "status", "hash_key"],
            Self::UniqueKey | Self::Either => &["octo_payment_UUID", "status"],
        }
    }
}

impl fmt::Display for SchemeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UniqueKey => "unique_key",
            Self::SecretAndHashKey => "secret_and_hash_key",
            Self::Either => "unique_key or secret_and_hash_key",
        })
    }
}

impl CallbackError {
    /// The HTTP status OCTO should get: 401 for a bad signature, 405 for a
    /// wrong method, 413 for a body over the limit, 400 for everything else.
    ///
    /// Every one of them is a failure in OCTO's eyes, so OCTO sends the
    /// callback again; a forged or broken one simply keeps failing.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadSignature { .. } => StatusCode::UNAUTHORIZED,
            Self::EmptyBody | Self::NotJson { .. } | Self::NotAnObject | Self::Field { .. } => {
                StatusCode::BAD_REQUEST
            }
        }
    }

    /// The reply for OCTO: [`status`](Self::status) with a JSON body
    /// `{"status":"error","message":…}`, and `Allow: POST` on a 405.
    ///
    /// The message is this error's `Display`, which never holds a secret or
    /// a value from the body.
    pub fn reply(&self) -> http::Response<Vec<u8>> {
        let mut response = error_response(self.status(), &self.to_string());
        if matches!(self, Self::MethodNotAllowed { .. }) {
            response
                .headers_mut()
                .insert(http::header::ALLOW, http::HeaderValue::from_static("POST"));
        }
        response
    }

    /// Whether the signature check failed. Worth an alert rather than a log
    /// line: either someone forges notifications or the shop's key or scheme
    /// is wrong, and then every real notification fails too.
    pub fn is_signature_failure(&self) -> bool {
        matches!(self, Self::BadSignature { .. })
    }
}

impl From<FieldError> for CallbackError {
    fn from(error: FieldError) -> Self {
        Self::Field {
            path: error.path,
            problem: error.problem,
        }
    }
}
