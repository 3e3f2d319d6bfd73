//! The cap on an answer's body ([`Settings::max_response_bytes`]) as the
//! backends apply it: an answer that announces a larger body is refused
//! before any of it is read, and one that turns out larger fails with the
//! same error.
//!
//! [`Settings::max_response_bytes`]: crate::Settings::max_response_bytes

use octo_proto::{TransportError, TransportErrorKind};

/// The error of an answer whose body is larger than `limit` bytes.
pub fn body_too_large(limit: usize) -> TransportError {
    TransportError::new(
        TransportErrorKind::BodyTooLarge,
        format!("response body larger than {limit} bytes"),
    )
}

/// Refuses an answer whose announced length (its `Content-Length`) is over
/// `limit`, with [`body_too_large`]; an answer that announces none passes.
pub fn check_announced_length(announced: Option<u64>, limit: usize) -> Result<(), TransportError> {
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(body_too_large(limit));
    }
    Ok(())
}

/// The `Content-Length` of an answer's headers, when it is there and a
/// number.
pub fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announced_length_over_the_cap_is_refused() {
        assert!(check_announced_length(None, 10).is_ok());
        assert!(check_announced_length(Some(10), 10).is_ok());
        let refused = check_announced_length(Some(11), 10).err();
        assert!(matches!(
            refused,
            Some(TransportError { kind: TransportErrorKind::BodyTooLarge, source: Some(why) })
                if why.to_string() == "response body larger than 10 bytes"
        ));
    }

    #[test]
    fn the_content_length_is_read_only_when_it_is_a_number() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(content_length(&headers), None);
        headers.insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from_static("42"),
        );
        assert_eq!(content_length(&headers), Some(42));
        headers.insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from_static("many"),
        );
        assert_eq!(content_length(&headers), None);
    }
}
