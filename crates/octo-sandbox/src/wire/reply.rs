//! What a request gets back, as the server sends it: a JSON answer (one
//! of OCTO's envelopes, from [`reply_writer`](super::reply_writer)), an
//! HTML page, or a redirect. Both the API endpoints (`routes`) and the
//! payment pages (`pages`) answer with a [`Reply`].

use http::StatusCode;
use serde_json::Value;

use super::{Payload, Reject, error};

/// What a request gets back.
#[derive(Debug)]
pub(crate) enum Reply {
    /// A JSON body with a status (OCTO answers its errors with 200).
    Json(StatusCode, Value),
    /// A success in both envelopes ([`ok`](super::ok)), HTTP 200: the payload,
    /// serialised straight into the answer.
    Ok(Payload),
    /// An HTML page.
    Html(StatusCode, String),
    /// A `303 See Other` to a URL.
    Redirect(String),
}

impl Reply {
    /// The HTTP answer, as the server sends it.
    pub(crate) fn into_response(self) -> http::Response<Vec<u8>> {
        match self {
            Reply::Json(status, value) => response(
                status,
                "application/json",
                serde_json::to_vec(&value).unwrap_or_default(),
            ),
            Reply::Ok(payload) => response(StatusCode::OK, "application/json", payload.ok_bytes()),
            Reply::Html(status, html) => {
                response(status, "text/html; charset=utf-8", html.into_bytes())
            }
            Reply::Redirect(to) => {
                let mut answer = response(StatusCode::SEE_OTHER, "text/plain", Vec::new());
                if let Ok(value) = http::HeaderValue::from_str(&to) {
                    answer.headers_mut().insert(http::header::LOCATION, value);
                }
                answer
            }
        }
    }
}

/// An answer with a status, a content type and a body.
pub(crate) fn response(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
) -> http::Response<Vec<u8>> {
    let mut answer = http::Response::new(body);
    *answer.status_mut() = status;
    answer.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    answer
}

impl From<Result<Value, Reject>> for Reply {
    fn from(result: Result<Value, Reject>) -> Self {
        match result {
            Ok(v) => Reply::Json(StatusCode::OK, v),
            Err(r) => Reply::Json(StatusCode::OK, error(&r)),
        }
    }
}

impl From<Result<Payload, Reject>> for Reply {
    fn from(result: Result<Payload, Reject>) -> Self {
        match result {
            Ok(payload) => Reply::Ok(payload),
            Err(r) => Reply::Json(StatusCode::OK, error(&r)),
        }
    }
}
