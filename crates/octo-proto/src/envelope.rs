//! OCTO's response envelope.
//!
//! Every endpoint answers `{"error": 0, "data": {…}, …}` (current), or puts
//! the payload at the top level (legacy), or both. Errors come with HTTP 200
//! and a non-zero `error`; server faults come as problem bodies; proxies send
//! HTML. [`decode`] sorts all of these out and hands the payload to a
//! decoder, or returns the typed [`Error`].

use http::StatusCode;
use serde_json::Value;

use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorCode, OctoError, Problem, RawBody, RedirectError, ResponseProblem};
use crate::json::{Envelope, FieldError, Fields, RawObject, Split, i64_of, parse_raw};

/// The envelope's own members: OCTO's error code and messages, and `data`
/// (which a decoder reads through, not as a field). They are read here, so a
/// payload decoder never keeps them in its `extra`, at either level.
const ERROR: &str = "error";
const ERR_MESSAGE: &str = "errMessage";
const ERROR_MESSAGE: &str = "errorMessage";
const DEVELOPER_MESSAGE: &str = "apiMessageForDevelopers";
const DATA: &str = "data";
const MEMBERS: [&str; 5] = [ERROR, ERR_MESSAGE, ERROR_MESSAGE, DEVELOPER_MESSAGE, DATA];

/// Opens the envelope of `response` from `endpoint` and decodes the payload
/// with `decoder`.
pub(crate) fn decode<B, T>(
    endpoint: Endpoint,
    response: &http::Response<B>,
    decoder: impl FnOnce(&Fields<'_>) -> Result<T, FieldError>,
) -> Result<T, Error>
where
    B: AsRef<[u8]>,
{
    let status = response.status();
    // A redirect is never OCTO's answer, whatever its body says.
    if status.is_redirection() {
        return Err(Error::Redirect(RedirectError::refused(response)));
    }
    let bytes = response.body().as_ref();
    let mut split = Split::new();
    let code = open(status, bytes, &mut split)?;
    let Envelope { root, data } = split.envelope();
    let body = || RawBody::new(bytes);

    if code.is_none() && !root.contains_key(ERROR) {
        return Err(Error::UnexpectedResponse {
            status,
            reason: ResponseProblem::NotAnEnvelope,
            body: body(),
        });
    }
    let Some(code) = code else {
        // Under a failing status, an `error` that is not OCTO's code is a
        // proxy's or a framework's error page: the server's answer, resent
        // like any other of its status (a 5xx when idempotent).
        if !status.is_success() {
            return Err(Error::UnexpectedResponse {
                status,
                reason: ResponseProblem::NotOctoError,
                body: body(),
            });
        }
        return Err(Error::Decode {
            status,
            path: ERROR.to_owned(),
            problem: crate::error::DecodeProblem::Invalid {
                expected: "an integer error code",
            },
            body: body(),
        });
    };
    if code != 0 {
        return Err(Error::Octo(OctoError {
            http_status: status,
            code: ErrorCode::from_code(code, endpoint),
            message: message(&root, data.as_ref()),
            developer_message: non_empty(&root, DEVELOPER_MESSAGE),
            body: body(),
        }));
    }
    if !status.is_success() {
        return Err(Error::UnexpectedResponse {
            status,
            reason: ResponseProblem::StatusMismatch,
            body: body(),
        });
    }
    let fields = Fields::envelope(&root, data.as_ref());
    fields.mark_all_read(&MEMBERS);
    decoder(&fields).map_err(|e| Error::Decode {
        status,
        path: e.path,
        problem: e.problem,
        body: body(),
    })
}

/// Splits the body into a JSON object's members, or explains why it is not
/// one. A problem body (no `error`, but `title`/`detail`) becomes
/// [`Error::Problem`]. Also returns OCTO's error code when `error` is an
/// integer (as a number or numeric text).
///
/// The members go into `split`, which the caller keeps on its stack.
fn open<'a>(
    status: StatusCode,
    bytes: &'a [u8],
    split: &mut Split<'a>,
) -> Result<Option<i64>, Error> {
    let unexpected = |reason| Error::UnexpectedResponse {
        status,
        reason,
        body: RawBody::new(bytes),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(unexpected(ResponseProblem::EmptyBody));
    }
    // UTF-8 is checked once for the whole body: parsed as `str`, serde_json
    // hands out each member's text without checking it again.
    let parsed = std::str::from_utf8(bytes)
        .ok()
        .is_some_and(|text| split.fill(text).is_ok());
    if !parsed {
        // Valid JSON of another kind, or not JSON at all?
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                Ok(_) => unexpected(ResponseProblem::NotAnObject),
                Err(_) => unexpected(ResponseProblem::NotJson),
            },
        );
    }
    // OCTO's error field is a number. When it is text next to a numeric
    // `status`, the body is a Java framework's default error page (timestamp,
    // status, error, message, path): a server fault, like a problem body.
    let envelope = split.envelope();
    let root = &envelope.root;
    if let Some(code) = integer(root, ERROR) {
        return Ok(Some(code));
    }
    let error = value(root, "error");
    let error_text = error.as_ref().and_then(Value::as_str);
    let numeric_status = integer(root, "status");
    let framework_error = error_text.is_some() && numeric_status.is_some();
    let problem_body =
        !root.contains_key("error") && (root.contains_key("title") || root.contains_key("detail"));
    if problem_body || framework_error {
        let text = |key: &str| non_empty(root, key);
        return Err(Error::Problem {
            status,
            problem: Problem {
                title: text("title").or_else(|| error_text.map(str::to_owned)),
                status: numeric_status,
                detail: text("detail").or_else(|| text("message")),
            },
            body: RawBody::new(bytes),
        });
    }
    Ok(None)
}

/// An integer member, written as a number or as a numeric string.
fn integer(object: &RawObject<'_>, key: &str) -> Option<i64> {
    let raw = object.get(key)?;
    raw.parse().ok().or_else(|| i64_of(&parse_raw(raw)))
}

/// A member, decoded.
fn value(object: &RawObject<'_>, key: &str) -> Option<Value> {
    object.get(key).map(parse_raw)
}

/// `errMessage`, then the deprecated `errorMessage`, then the same inside
/// `data`.
fn message(root: &RawObject<'_>, data: Option<&RawObject<'_>>) -> Option<String> {
    non_empty(root, ERR_MESSAGE)
        .or_else(|| non_empty(root, ERROR_MESSAGE))
        .or_else(|| data.and_then(|d| non_empty(d, ERR_MESSAGE)))
        .or_else(|| data.and_then(|d| non_empty(d, ERROR_MESSAGE)))
}

fn non_empty(object: &RawObject<'_>, key: &str) -> Option<String> {
    match value(object, key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeProblem;

    fn run(status: u16, body: &str) -> Result<String, Error> {
        let response = http::Response::builder()
            .status(status)
            .body(body.as_bytes())
            .unwrap();
        decode(Endpoint::PreparePayment, &response, |f| {
            f.req_text("status")
        })
    }

    #[test]
    fn shapes() {
        assert_eq!(
            run(200, r#"{"error":0,"data":{"status":"created"}}"#).unwrap(),
            "created"
        );
        assert_eq!(
            run(200, r#"{"error":0,"status":"created"}"#).unwrap(),
            "created"
        );
        assert_eq!(
            run(200, r#"{"error":"0","status":"created"}"#).unwrap(),
            "created"
        );
        match run(
            200,
            r#"{"error":2,"errorMessage":"Wrong secret","data":null}"#,
        ) {
            Err(Error::Octo(e)) => {
                assert_eq!(e.code, ErrorCode::Authorization);
                assert_eq!(e.message.as_deref(), Some("Wrong secret"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            run(502, "<html>Bad Gateway</html>"),
            Err(Error::UnexpectedResponse {
                reason: ResponseProblem::NotJson,
                ..
            })
        ));
        assert!(matches!(
            run(200, ""),
            Err(Error::UnexpectedResponse {
                reason: ResponseProblem::EmptyBody,
                ..
            })
        ));
        assert!(matches!(
            run(
                500,
                r#"{"title":"Internal Server Error","status":500,"detail":"x"}"#
            ),
            Err(Error::Problem { .. })
        ));
        match run(
            503,
            r#"{"timestamp":"2025-01-14T09:12:44Z","status":503,"error":"Service Unavailable","message":"down","path":"/prepare_payment"}"#,
        ) {
            Err(e @ Error::Problem { .. }) => {
                assert_eq!(e.resend(), crate::error::Resend::IfIdempotent);
                let Error::Problem { problem, .. } = e else {
                    unreachable!()
                };
                assert_eq!(problem.title.as_deref(), Some("Service Unavailable"));
                assert_eq!(problem.detail.as_deref(), Some("down"));
                assert_eq!(problem.status, Some(503));
            }
            other => panic!("{other:?}"),
        }
        // Text in `error` without a status is no framework page: a bad field.
        match run(200, r#"{"error":"oops"}"#) {
            Err(Error::Decode { path, .. }) => assert_eq!(path, "error"),
            other => panic!("{other:?}"),
        }
        match run(200, r#"{"error":0,"data":{"status":{"a":1}}}"#) {
            Err(Error::Decode { path, .. }) => assert_eq!(path, "data.status"),
            other => panic!("{other:?}"),
        }
        match run(200, r#"{"error":0,"data":{}}"#) {
            Err(Error::Decode { path, problem, .. }) => {
                assert_eq!(path, "data.status");
                assert_eq!(problem, DecodeProblem::Missing);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_redirect_is_its_own_error_without_the_target_path() {
        for status in [301u16, 302, 303, 307, 308] {
            // Even a body that looks like success is not acted on.
            let response = http::Response::builder()
                .status(status)
                .header(
                    http::header::LOCATION,
                    "https://elsewhere.example:8443/pay?card_token=tok-secret-1",
                )
                .body(r#"{"error":0,"data":{"status":"succeeded"}}"#.as_bytes())
                .unwrap();
            let error = decode(Endpoint::PreparePayment, &response, |f| {
                f.req_text("status")
            })
            .unwrap_err();
            let Error::Redirect(redirect) = &error else {
                panic!("{error:?}");
            };
            assert_eq!(redirect.status.as_u16(), status);
            assert_eq!(redirect.location_host.as_deref(), Some("elsewhere.example"));
            assert!(!redirect.followed);
            assert_eq!(error.resend(), crate::error::Resend::Never);
            assert_eq!(error.http_status().map(|s| s.as_u16()), Some(status));
            for shown in [error.to_string(), format!("{error:?}")] {
                assert!(!shown.contains("tok-secret-1"), "{shown}");
                assert!(!shown.contains("/pay"), "{shown}");
            }
            assert!(error.to_string().contains(&status.to_string()));
            assert!(error.to_string().contains("elsewhere.example"));
        }
        // A scheme-relative Location names its host; a path alone or no
        // Location names none.
        for (location, host) in [
            (Some("//other.example/x?k=v"), Some("other.example")),
            (Some("/elsewhere?k=v"), None),
            (None, None),
        ] {
            let mut response = http::Response::builder().status(307);
            if let Some(location) = location {
                response = response.header(http::header::LOCATION, location);
            }
            let response = response.body(&b""[..]).unwrap();
            match decode(Endpoint::PreparePayment, &response, |f| {
                f.req_text("status")
            }) {
                Err(Error::Redirect(r)) => assert_eq!(r.location_host.as_deref(), host),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn the_envelope_members_stay_out_of_extra() {
        let body = br#"{"error":0,"errMessage":"","apiMessageForDevelopers":"",
            "data":{"status":"created","errorMessage":"","data":1,"note":"kept"},"top":2}"#;
        let response = http::Response::new(&body[..]);
        let extra = decode(Endpoint::PreparePayment, &response, |f| {
            f.req_text("status")?;
            Ok(f.extra())
        })
        .unwrap();
        assert_eq!(
            Value::Object(extra),
            serde_json::json!({"note":"kept","top":2})
        );
    }

    /// A failing HTTP status whose body has an `error` that is not OCTO's
    /// integer code (a proxy's or a framework's JSON error page) is a
    /// server's answer, not a malformed OCTO answer: a 5xx may be resent
    /// when the operation is idempotent, as any other 5xx.
    #[test]
    fn a_failing_status_with_a_foreign_error_field_is_an_unexpected_response() {
        use crate::error::Resend;
        for (status, body) in [
            (503, r#"{"error":"Service Unavailable"}"#),
            (502, r#"{"error":"Bad Gateway","message":"upstream"}"#),
            (500, r#"{"error":null}"#),
            (504, r#"{"error":{"code":"timeout"}}"#),
        ] {
            let err = run(status, body).unwrap_err();
            assert!(
                matches!(
                    &err,
                    Error::UnexpectedResponse {
                        reason: ResponseProblem::NotOctoError,
                        ..
                    }
                ),
                "{status} {body}: {err:?}"
            );
            assert_eq!(err.resend(), Resend::IfIdempotent, "{status} {body}");
        }
        // A 4xx of the same kind is not resent.
        let err = run(404, r#"{"error":"Not Found"}"#).unwrap_err();
        assert_eq!(err.resend(), Resend::Never);
        // With a success status it is a malformed OCTO answer, as before.
        let err = run(200, r#"{"error":"x","data":{}}"#).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    }

    /// An integer `error` OCTO does not document, under a 5xx (a gateway's
    /// `{"error":504}`), is no proof that OCTO refused: it is resent like
    /// any other 5xx when idempotent, and is not a refusal. OCTO's own
    /// codes keep their meaning whatever the status.
    #[test]
    fn an_unknown_code_under_a_5xx_is_resent_like_the_5xx() {
        use crate::error::Resend;
        let err = run(504, r#"{"error":504,"message":"Gateway Timeout"}"#).unwrap_err();
        assert_eq!(err.resend(), Resend::IfIdempotent, "{err:?}");
        assert!(!err.is_refusal(), "{err:?}");
        // Under a 4xx it is not resent, as any 4xx.
        let err = run(404, r#"{"error":404}"#).unwrap_err();
        assert_eq!(err.resend(), Resend::Never, "{err:?}");
        // A documented code stays OCTO's answer: error 2 is a refusal.
        let err = run(500, r#"{"error":2,"errMessage":"Wrong secret"}"#).unwrap_err();
        assert_eq!(err.resend(), Resend::Never, "{err:?}");
        assert!(err.is_refusal());
        // And the same unknown code with 200 is OCTO's refusal.
        let err = run(200, r#"{"error":504}"#).unwrap_err();
        assert!(err.is_refusal());
    }
}
