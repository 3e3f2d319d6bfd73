//! Callbacks built the way OCTO sends them: for tests, and for a sandbox
//! that plays OCTO. A shop only receives callbacks.

use http::{HeaderValue, Method, header::CONTENT_TYPE};
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

use super::notification::Notification;
use super::signature::{SignatureScheme, SignedFields};
use super::tokenization::TokenizationCallback;
use crate::datetime::format_octo;

impl Notification {
    /// Sets `hash_key` and the signature `scheme` gives for this
    /// notification, as OCTO would.
    #[must_use]
    pub fn sign(mut self, scheme: &SignatureScheme, hash_key: impl Into<String>) -> Self {
        self.hash_key = hash_key.into();
        self.signature = scheme.sign(&SignedFields {
            octo_payment_uuid: self.octo_payment_uuid.as_str(),
            status: self.status.as_str(),
            hash_key: &self.hash_key,
        });
        self
    }

    /// The notification as OCTO's JSON: amounts as exact numbers, unset
    /// fields left out, `extra` fields included. A field kept raw in `extra`
    /// (an optional one that came in an odd shape) goes out as it came,
    /// unless the modelled field is set, which always wins.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map: Map<String, Value> = self.extra.clone();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                map.insert(key.to_owned(), value);
            }
        };
        let text = |s: &str| Some(Value::String(s.to_owned()));
        put(
            "shop_transaction_id",
            text(self.shop_transaction_id.as_str()),
        );
        put("octo_payment_UUID", text(self.octo_payment_uuid.as_str()));
        put("status", text(self.status.as_str()));
        put("signature", text(&self.signature));
        put("hash_key", text(&self.hash_key));
        put("total_sum", self.total_sum.map(decimal_value));
        put("transfer_sum", self.transfer_sum.map(decimal_value));
        put("refunded_sum", self.refunded_sum.map(decimal_value));
        put("card_country", self.card_country.as_deref().and_then(text));
        put(
            "maskedPan",
            self.masked_pan.as_ref().and_then(|m| text(m.as_str())),
        );
        put("rrn", self.rrn.as_deref().and_then(text));
        put("riskLevel", self.risk_level.map(Value::from));
        put(
            "payed_time",
            self.payed_time.and_then(|t| text(&format_octo(t))),
        );
        put("card_type", self.card_type.as_deref().and_then(text));
        put("card_vendor", self.card_vendor.as_deref().and_then(text));
        put(
            "currency",
            self.currency.as_ref().and_then(|c| text(c.as_str())),
        );
        put("is_physical_card", self.is_physical_card.map(Value::Bool));
        map
    }

    /// `POST notify_url` with the notification as its JSON body.
    pub fn to_request(&self, notify_url: http::Uri) -> http::Request<Vec<u8>> {
        json_post(notify_url, self.to_json())
    }
}

impl TokenizationCallback {
    /// The callback as OCTO's JSON. It holds the full card number and the
    /// token: send it, never log it.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        let text = |s: &str| Value::String(s.to_owned());
        map.insert(
            "shop_transaction_id".into(),
            text(self.shop_transaction_id.as_str()),
        );
        if let Some(pan) = &self.pan {
            map.insert("pan".into(), text(pan.expose_secret()));
        }
        if let Some(exp) = self.exp {
            map.insert("exp".into(), text(&exp.to_yymm()));
        }
        if let Some(name) = &self.card_holder_name {
            map.insert("cardHolderName".into(), text(name));
        }
        if !self.card_token.expose_secret().is_empty() {
            map.insert("card_token".into(), text(self.card_token.expose_secret()));
        }
        map.insert("status".into(), text(self.status.as_str()));
        map
    }

    /// `POST bind_notify_url` with the callback as its JSON body.
    pub fn to_request(&self, bind_notify_url: http::Uri) -> http::Request<Vec<u8>> {
        json_post(bind_notify_url, self.to_json())
    }
}

/// A decimal as a JSON number with the same digits (`1000.00` stays
/// `1000.00`), which `serde_json`'s arbitrary precision keeps.
fn decimal_value(amount: Decimal) -> Value {
    let digits = amount.to_string();
    match digits.parse::<Number>() {
        Ok(number) => Value::Number(number),
        Err(_) => Value::String(digits),
    }
}

fn json_post(uri: http::Uri, body: Map<String, Value>) -> http::Request<Vec<u8>> {
    // A map of plain JSON values always serialises.
    let bytes = serde_json::to_vec(&Value::Object(body)).unwrap_or_default();
    let mut request = http::Request::new(bytes);
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri;
    request
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    request
}
