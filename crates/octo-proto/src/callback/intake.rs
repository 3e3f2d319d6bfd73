//! The checks every callback goes through before its fields are read:
//! method, size, JSON object.
//!
//! The `Content-Type` header is not looked at. OCTO's pages document none
//! for its callbacks, and refusing a genuine notification over a header
//! would only make OCTO send it again and again; the body must parse as a
//! JSON object whatever the header says.

use http::header::CONTENT_LENGTH;
use http::{HeaderMap, Method};
use serde_json::{Map, Value};

use super::error::CallbackError;
use super::limits::CallbackLimits;

/// Checks a callback's method and headers before its body is read: `POST`,
/// and a declared `Content-Length` within the limit. Any `Content-Type` (or
/// none) passes.
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
    use http::header::CONTENT_TYPE;

    /// Checks a request head with these headers and the default limits.
    fn check(
        method: &Method,
        content_type: Option<&str>,
        length: Option<&str>,
    ) -> Result<(), CallbackError> {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, ct.parse().unwrap());
        }
        if let Some(len) = length {
            headers.insert(CONTENT_LENGTH, len.parse().unwrap());
        }
        check_request_head(method, &headers, &CallbackLimits::new())
    }

    fn head(method: Method, content_type: Option<&str>, length: Option<&str>) -> CallbackError {
        check(&method, content_type, length).unwrap_err()
    }

    fn head_ok(content_type: Option<&str>, length: Option<&str>) -> bool {
        check(&Method::POST, content_type, length).is_ok()
    }

    #[test]
    fn any_content_type_passes() {
        for ct in [
            "application/json",
            "application/json; charset=UTF-8",
            "Application/JSON;charset=utf-8",
            "application/problem+json",
            "text/plain",
            "text/plain; charset=utf-8",
            "application/x-www-form-urlencoded",
            "",
            "json",
        ] {
            assert!(head_ok(Some(ct), None), "{ct}");
        }
        assert!(head_ok(None, None), "no content type is accepted");
    }

    #[test]
    fn a_json_object_under_any_content_type_is_read() {
        for ct in [Some("text/plain"), Some("application/octet-stream"), None] {
            let mut builder = http::Request::builder().method(Method::POST);
            if let Some(ct) = ct {
                builder = builder.header(CONTENT_TYPE, ct);
            }
            let request = builder.body(br#"{"a":1}"#.to_vec()).unwrap();
            let map = read_object(&request, &CallbackLimits::new()).unwrap();
            assert_eq!(map.len(), 1, "{ct:?}");
        }
        let form = http::Request::builder()
            .method(Method::POST)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(b"status=succeeded".to_vec())
            .unwrap();
        let err = read_object(&form, &CallbackLimits::new()).unwrap_err();
        assert!(matches!(err, CallbackError::NotJson { .. }), "{err:?}");
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
