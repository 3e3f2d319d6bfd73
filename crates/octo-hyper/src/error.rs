//! hyper's and hyper-util's errors as octo-proto's transport kinds,
//! keeping the original error as the source.

use http_body_util::LengthLimitError;
use octo_proto::{TransportError, TransportErrorKind};

pub(crate) fn request_error(error: hyper_util::client::legacy::Error) -> TransportError {
    let kind = if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Io
    };
    TransportError::new(kind, error)
}

pub(crate) fn body_error(error: Box<dyn std::error::Error + Send + Sync>) -> TransportError {
    let kind = if error.is::<LengthLimitError>() {
        TransportErrorKind::BodyTooLarge
    } else {
        TransportErrorKind::Io
    };
    TransportError {
        kind,
        source: Some(error),
    }
}

pub(crate) fn timed_out(elapsed: tokio::time::error::Elapsed) -> TransportError {
    TransportError::new(TransportErrorKind::Timeout, elapsed)
}
