//! reqwest's errors as octo-proto's transport kinds, keeping the original
//! error as the source.

use octo_proto::{RedirectError, TransportError, TransportErrorKind};

pub(crate) fn transport_error(error: reqwest::Error) -> TransportError {
    // A connect timeout is also a timeout, but no byte was sent: resending
    // is always safe, so it counts as a connect failure.
    let kind = if error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_builder() {
        TransportErrorKind::InvalidRequest
    } else {
        TransportErrorKind::Io
    };
    TransportError::new(kind, error)
}

/// The answer of a redirect the backend client followed on its own: only
/// its host is kept (the path and query may carry what the request did).
/// octo-transport turns it into `Error::Redirect`.
pub(crate) fn followed_redirect(response: &reqwest::Response) -> TransportError {
    let host = response.url().host_str().map(str::to_owned);
    TransportError::new(
        TransportErrorKind::Other,
        RedirectError::followed(response.status(), host),
    )
}
