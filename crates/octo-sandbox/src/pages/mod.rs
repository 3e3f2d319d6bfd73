//! The pages behind `octo_pay_url`: a card form, an SMS-code form, a 3-D
//! Secure page, and a status page. They post plain HTML forms
//! (`application/x-www-form-urlencoded`), so a test can act as the
//! customer with any HTTP client:
//!
//! | request | fields | |
//! | --- | --- | --- |
//! | `GET /pay/{uuid}` | | the page the customer is at now |
//! | `POST /pay/{uuid}/card` | `pan`, `exp` (`MM/YY`), `cvc`, `holder` | |
//! | `POST /pay/{uuid}/otp` | `code` | |
//! | `POST /pay/{uuid}/3ds` | `outcome` = `confirm` or `fail` | |
//!
//! A finished payment answers `303 See Other` to the shop's `return_url`.

mod html;

use http::{Method, StatusCode};

use crate::customer::{CustomerError, Step};
use crate::engine::Engine;
use crate::wire::Reply;

/// Decodes `application/x-www-form-urlencoded` text.
pub(crate) fn form_value(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k)? == name).then(|| decode(v)).flatten()
    })
}

fn decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = char::from(bytes.next()?).to_digit(16)?;
                let lo = char::from(bytes.next()?).to_digit(16)?;
                out.push(u8::try_from(hi.checked_mul(16)?.checked_add(lo)?).ok()?);
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

fn not_found() -> Reply {
    Reply::Html(
        StatusCode::NOT_FOUND,
        html::message("Payment not found", "There is no payment at this address."),
    )
}

fn step_reply(engine: &Engine, uuid: &str, step: Result<Step, CustomerError>) -> Reply {
    match step {
        Err(CustomerError::UnknownPayment) => not_found(),
        Err(CustomerError::Internal(m)) => Reply::Html(
            StatusCode::INTERNAL_SERVER_ERROR,
            html::message("Error", &m),
        ),
        Ok(Step::CodeRequired { .. }) => Reply::Redirect(format!("/pay/{uuid}/otp")),
        Ok(Step::ThreeDSecure) => Reply::Redirect(format!("/pay/{uuid}/3ds")),
        Ok(Step::Finished { return_url, .. }) => Reply::Redirect(return_url),
        Ok(Step::Retry { message }) => page(engine, uuid, Some(&message)),
    }
}

/// The page for where the customer is now, with an optional message.
fn page(engine: &Engine, uuid: &str, message: Option<&str>) -> Reply {
    let view = engine.read(|store| {
        store.payment(uuid).map(|p| html::PaymentView {
            uuid: p.uuid.clone(),
            amount: format!("{} {}", p.total_sum, p.currency),
            description: p.description.clone(),
            return_url: p.return_url.clone(),
            status: p.status.as_str().to_owned(),
            binding: p.binding.is_some(),
        })
    });
    let Some(view) = view else {
        return not_found();
    };
    let body = match engine.customer_step(uuid) {
        Err(_) => return not_found(),
        Ok(Step::CodeRequired {
            seconds_left,
            phone,
        }) => html::otp_form(&view, &phone, seconds_left, message),
        Ok(Step::ThreeDSecure) => html::three_ds(&view, message),
        Ok(Step::Finished { .. }) => html::status(&view),
        Ok(Step::Retry { .. }) => html::card_form(&view, message),
    };
    Reply::Html(StatusCode::OK, body)
}

/// Answers a request under `/pay/…`, `/status/…` or `/`.
pub(crate) fn route(engine: &Engine, method: &Method, segments: &[&str], body: &[u8]) -> Reply {
    let field = |name: &str| form_value(body, name).unwrap_or_default();
    match (method, segments) {
        (&Method::GET, [""]) => Reply::Html(StatusCode::OK, html::index(engine)),
        (&Method::GET, ["pay", uuid] | ["status", uuid] | ["pay", uuid, "otp" | "3ds"]) => {
            page(engine, uuid, None)
        }
        (&Method::POST, ["pay", uuid, "card"]) => {
            let holder = Some(field("holder")).filter(|h| !h.trim().is_empty());
            let step = engine.submit_card(uuid, &field("pan"), &field("exp"), holder);
            step_reply(engine, uuid, step)
        }
        (&Method::POST, ["pay", uuid, "otp"]) => {
            step_reply(engine, uuid, engine.submit_code(uuid, &field("code")))
        }
        (&Method::POST, ["pay", uuid, "3ds"]) => {
            let confirm = field("outcome") == "confirm";
            step_reply(engine, uuid, engine.submit_3ds(uuid, confirm))
        }
        _ => Reply::Html(
            StatusCode::NOT_FOUND,
            html::message("Not found", "There is no page at this address."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        let body = b"pan=4111+1111%201111+1111&exp=12%2F30&bad=%zz&code=";
        assert_eq!(
            form_value(body, "pan").as_deref(),
            Some("4111 1111 1111 1111")
        );
        assert_eq!(form_value(body, "exp").as_deref(), Some("12/30"));
        assert_eq!(form_value(body, "bad"), None);
        assert_eq!(form_value(body, "code").as_deref(), Some(""));
        assert_eq!(form_value(body, "none"), None);
        assert_eq!(form_value(&[0xff, b'='], "x"), None);
    }
}
