//! The checks every callback goes through before its fields are read:
//! method, content type, size, JSON object.

use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Method};
use serde_json::{Map, Value};

use super::error::CallbackError;
use super::limits::CallbackLimits;

/// Checks a callback's method and headers before its body is read: `POST`,
/// a JSON content type (or none), and a declared `Content-Length` within the
/// limit.
///
/// A server calls this before buffering the body, so that a huge body is
/// refused unread; the parsers call it again, and also check the body's real
/// length.
pub fn check_request_head(
    method: &Method,
    headers: &HeaderMap,
    limits: &CallbackLimits,
) -> Result<(), CallbackError> {
    if method != Method::POST {
        return Err(CallbackError::MethodNotAllowed {
            method: method.clone(),
        });
    }
    // A missing Content-Type is accepted: OCTO's sender is not documented to
    // set one, and the body must still be a JSON object to get any further.
    if let Some(value) = headers.get(CONTENT_TYPE) {
        let text = String::from_utf8_lossy(value.as_bytes());
        if !is_json_media_type(&text) {
            return Err(CallbackError::UnsupportedContentType {
                content_type: text.chars().take(100).collect(),
            });
        }
    }
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(size) = declared {
        check_size(size, limits)?;
    }
    Ok(())
}

fn check_size(size: u64, limits: &CallbackLimits) -> Result<(), CallbackError> {
    let limit = limits.max_body_bytes();
    if size > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(CallbackError::BodyTooLarge { size, limit });
    }
    Ok(())
}

/// `application/json`, or any `type/subtype+json`, with or without
/// parameters such as `charset`.
fn is_json_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    let essence = essence.to_ascii_lowercase();
    essence == "application/json"
        || essence
            .split_once('/')
            .is_some_and(|(kind, sub)| !kind.is_empty() && sub.ends_with("+json"))
}

/// Runs every check on a whole request and reads its body as a JSON object.
pub(crate) fn read_object<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    limits: &CallbackLimits,
) -> Result<Map<String, Value>, CallbackError> {
    check_request_head(request.method(), request.headers(), limits)?;
    let body = request.body().as_ref();
    check_size(u64::try_from(body.len()).unwrap_or(u64::MAX), limits)?;
    object_of(body)
}

/// Reads bytes as a JSON object.
pub(crate) fn object_of(body: &[u8]) -> Result<Map<String, Value>, CallbackError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(CallbackError::EmptyBody);
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| CallbackError::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(CallbackError::NotAnObject),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(method: Method, content_type: Option<&str>, length: Option<&str>) -> CallbackError {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, ct.parse().unwrap());
        }
        if let Some(len) = length {
            headers.insert(CONTENT_LENGTH, len.parse().unwrap());
        }
        check_request_head(&method, &headers, &CallbackLimits::new()).unwrap_err()
    }

    fn head_ok(content_type: Option<&str>, length: Option<&str>) -> bool {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, ct.parse().unwrap());
        }
        if let Some(len) = length {
            headers.insert(CONTENT_LENGTH, len.parse().unwrap());
        }
        check_request_head(&Method::POST, &headers, &CallbackLimits::new()).is_ok()
    }

    #[test]
    fn json_content_types_pass() {
        for ct in [
            "application/json",
            "application/json; charset=UTF-8",
            "Application/JSON;charset=utf-8",
            "application/problem+json",
        ] {
            assert!(head_ok(Some(ct), None), "{ct}");
        }
        assert!(head_ok(None, None), "no content type is accepted");
    }

    #[test]
    fn other_content_types_fail() {
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "",
            "json",
            "/+json",
        ] {
            let err = head(Method::POST, Some(ct), None);
            assert!(
                matches!(err, CallbackError::UnsupportedContentType { .. }),
                "{ct}: {err:?}"
            );
            assert_eq!(err.status(), 415);
        }
    }

    #[test]
    fn only_post() {
        for method in [Method::GET, Method::PUT, Method::HEAD, Method::DELETE] {
            let err = head(method.clone(), Some("application/json"), None);
            assert_eq!(err, CallbackError::MethodNotAllowed { method });
            assert_eq!(err.status(), 405);
            assert_eq!(err.reply().headers()[http::header::ALLOW], "POST");
        }
    }

    #[test]
    fn declared_length_over_the_limit() {
        let err = head(Method::POST, None, Some("65537"));
        assert_eq!(
            err,
            CallbackError::BodyTooLarge {
                size: 65537,
                limit: 65536
            }
        );
        assert_eq!(err.status(), 413);
        assert!(head_ok(None, Some("65536")));
        assert!(head_ok(None, Some("not a number")));
    }

    #[test]
    fn real_length_over_a_custom_limit() {
        let request = http::Request::builder()
            .method(Method::POST)
            .body(vec![b' '; 11])
            .unwrap();
        let limits = CallbackLimits::new().with_max_body_bytes(10);
        let err = read_object(&request, &limits).unwrap_err();
        assert_eq!(
            err,
            CallbackError::BodyTooLarge {
                size: 11,
                limit: 10
            }
        );
    }

    #[test]
    fn bodies_that_are_not_objects() {
        assert_eq!(object_of(b"").unwrap_err(), CallbackError::EmptyBody);
        assert_eq!(object_of(b" \n").unwrap_err(), CallbackError::EmptyBody);
        assert_eq!(object_of(b"[1,2]").unwrap_err(), CallbackError::NotAnObject);
        assert_eq!(object_of(b"\"x\"").unwrap_err(), CallbackError::NotAnObject);
        let err = object_of(b"{\"a\":\n1,,}").unwrap_err();
        assert_eq!(err, CallbackError::NotJson { line: 2, column: 3 });
        assert!(matches!(
            object_of(b"<html>502</html>").unwrap_err(),
            CallbackError::NotJson { .. }
        ));
        assert!(object_of(b"{}").unwrap().is_empty());
    }
}
