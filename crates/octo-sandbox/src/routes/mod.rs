//! The API endpoints, one file per group, and the table that picks one.

mod binding;
mod fiscal;
mod payments;
mod refunds;
mod tokens;

use http::{Method, StatusCode};
use serde_json::Value;

use crate::engine::Engine;
use crate::pages;
use crate::wire::{self, Body, Payload, Reject};

/// What a request gets back.
#[derive(Debug)]
pub(crate) enum Reply {
    /// A JSON body with a status (OCTO answers its errors with 200).
    Json(StatusCode, Value),
    /// A success in both envelopes ([`wire::ok`]), HTTP 200: the payload,
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
            Err(r) => Reply::Json(StatusCode::OK, wire::error(&r)),
        }
    }
}

impl From<Result<Payload, Reject>> for Reply {
    fn from(result: Result<Payload, Reject>) -> Self {
        match result {
            Ok(payload) => Reply::Ok(payload),
            Err(r) => Reply::Json(StatusCode::OK, wire::error(&r)),
        }
    }
}

/// An endpoint: one answering with any JSON, or one answering a payload in
/// both envelopes (serialised without building the envelopes).
#[derive(Clone, Copy)]
enum Api {
    Json(fn(&Engine, &Body) -> Result<Value, Reject>),
    Ok(fn(&Engine, &Body) -> Result<Payload, Reject>),
}

fn api(path: &str) -> Option<Api> {
    Some(match path {
        "/prepare_payment" => Api::Ok(payments::prepare_payment),
        "/set_accept" => Api::Ok(payments::set_accept),
        "/refund" => Api::Json(refunds::refund),
        "/bind_card" => Api::Json(binding::bind_card),
        "/verificationInfo" | "/verificationInfo/" => Api::Json(binding::verification_info),
        "/bind_card/check_sms_key" | "/bind_card/check_sms" => Api::Json(binding::check_sms_key),
        "/check_pan" => Api::Json(binding::check_pan),
        "/block_card_token" => Api::Json(tokens::block_card_token),
        "/fiscal-data" => Api::Json(fiscal::fiscal_data),
        _ => return None,
    })
}

/// Answers one request. Never panics on any input.
pub(crate) fn route(engine: &Engine, method: &Method, path: &str, body: &[u8]) -> Reply {
    if let Some(handler) = api(path) {
        if method != Method::POST {
            return Reply::Json(
                StatusCode::METHOD_NOT_ALLOWED,
                wire::error(&Reject::format(format!("{path} takes POST"))),
            );
        }
        let body = Body::parse(body).map(|b| b.strict(engine.config.strict));
        return match handler {
            Api::Json(handler) => body.and_then(|b| handler(engine, &b)).into(),
            Api::Ok(handler) => body.and_then(|b| handler(engine, &b)).into(),
        };
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::POST, ["pay", uuid]) if !is_form(body) => Body::parse(body)
            .map(|b| b.strict(engine.config.strict))
            .and_then(|b| payments::pay_with_token(engine, uuid, &b))
            .into(),
        (m, ["pay", ..] | ["status", _] | [""]) => pages::route(engine, m, &segments, body),
        _ => Reply::Json(
            StatusCode::NOT_FOUND,
            wire::error(&Reject::format(format!("no OCTO endpoint at {path}"))),
        ),
    }
}

/// A form post (from the page) rather than JSON (from a shop's server).
fn is_form(body: &[u8]) -> bool {
    !body.trim_ascii_start().starts_with(b"{")
}
