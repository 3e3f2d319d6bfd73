//! ureq's errors as octo-proto's transport kinds, keeping the original
//! error as the source.

use std::io::ErrorKind;

use octo_proto::{TransportError, TransportErrorKind};

pub(crate) fn transport_error(error: ureq::Error) -> TransportError {
    let kind = match &error {
        ureq::Error::Timeout(timeout) => match timeout {
            // No byte went out: as safe to resend as a refused connection.
            ureq::Timeout::Resolve | ureq::Timeout::Connect => TransportErrorKind::Connect,
            _ => TransportErrorKind::Timeout,
        },
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::Io(io) if refused_certificate(io) => TransportErrorKind::Connect,
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused | ErrorKind::AddrNotAvailable => {
                TransportErrorKind::Connect
            }
            ErrorKind::TimedOut | ErrorKind::WouldBlock => TransportErrorKind::Timeout,
            _ => TransportErrorKind::Io,
        },
        ureq::Error::BodyExceedsLimit(_) => TransportErrorKind::BodyTooLarge,
        ureq::Error::Http(_) | ureq::Error::BadUri(_) | ureq::Error::RequireHttpsOnly(_) => {
            TransportErrorKind::InvalidRequest
        }
        ureq::Error::Protocol(_) | ureq::Error::BodyStalled => TransportErrorKind::Io,
        _ => TransportErrorKind::Other,
    };
    TransportError::new(kind, error)
}

/// Whether `io` is rustls refusing the server's certificate. ureq completes
/// the TLS handshake while connecting, before a byte of the request is
/// written, and certificates are checked only in the handshake: nothing was
/// sent, as with a refused connection (and as hyper and reqwest report it).
fn refused_certificate(io: &std::io::Error) -> bool {
    io.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .is_some_and(|tls| matches!(tls, rustls::Error::InvalidCertificate(_)))
}
