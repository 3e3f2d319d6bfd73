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
use crate::wire::{self, Body, Payload, Reject, Reply};

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
        "/set_accept" => Api::Json(payments::set_accept),
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
