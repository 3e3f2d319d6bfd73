//! OCTO's wire format on the server side: [`request_reader`] reads a
//! request body field by field (so a bad field gets a message naming it),
//! [`reply_writer`] writes both envelope shapes, [`Reject`] is what a
//! refused request carries from one to the other, and [`Reply`] is the HTTP
//! answer the server sends (an envelope, a page or a redirect).

use octo_proto::ErrorCode;

pub(crate) mod octo_time;
mod reply;
mod reply_writer;
mod request_reader;

pub(crate) use reply::{Reply, response};
pub(crate) use reply_writer::{
    Payload, error, money, ok, ok_data_only, ok_legacy, ok_top_level_only,
};
pub(crate) use request_reader::Body;

/// A refused request: OCTO's error code and a message for the developer.
///
/// The code is octo-proto's [`ErrorCode`]: the sandbox names its refusals
/// with the SDK's names, while the numbers those names stand for are pinned
/// to OCTO's pages by the sandbox's own table (`codes.rs`), so a wrong
/// number in the SDK fails there instead of passing in both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reject {
    pub code: ErrorCode,
    pub message: String,
}

impl Reject {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Error 1: the request's data is malformed.
    pub(crate) fn format(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::DataFormat, message)
    }

    /// Error 4: the sandbox itself failed (its data file).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}
