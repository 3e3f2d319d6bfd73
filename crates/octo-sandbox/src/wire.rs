//! OCTO's wire format on the server side: reading request bodies field by
//! field (so a bad field gets a message naming it) and writing both
//! envelope shapes.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

/// A refused request: OCTO's error code and a message for the developer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reject {
    pub code: i64,
    pub message: String,
}

impl Reject {
    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Error 1: the request's data is malformed.
    pub(crate) fn format(message: impl Into<String>) -> Self {
        Self::new(1, message)
    }

    /// Error 4: the sandbox itself failed (its data file).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(4, message)
    }
}

/// What developers are told in every answer, like OCTO does.
const DEVELOPER_NOTE: &str = "errorMessage is deprecated, read errMessage. \
    Fields other than error and errMessage are also sent in data. \
    This answer comes from octo-sandbox, not from OCTO.";

/// A successful answer: the payload in `data` and, as OCTO's legacy shape,
/// at the top level too.
pub(crate) fn ok(payload: Map<String, Value>) -> Value {
    let mut root = Map::with_capacity(payload.len() * 2 + 3);
    root.insert("error".into(), Value::from(0));
    root.insert("errMessage".into(), Value::from(""));
    root.insert("apiMessageForDevelopers".into(), Value::from(""));
    for (k, v) in &payload {
        root.insert(k.clone(), v.clone());
    }
    root.insert("data".into(), Value::Object(payload));
    Value::Object(root)
}

/// A successful answer with the payload in `data` only (the shape of
/// `pay/{uuid}` and `verificationInfo`).
pub(crate) fn ok_data_only(payload: Map<String, Value>) -> Value {
    let mut root = Map::with_capacity(3);
    root.insert("error".into(), Value::from(0));
    root.insert("errMessage".into(), Value::from(""));
    root.insert("data".into(), Value::Object(payload));
    Value::Object(root)
}

/// An error answer (HTTP 200, `error != 0`), with both message fields.
pub(crate) fn error(reject: &Reject) -> Value {
    let mut root = Map::with_capacity(5);
    root.insert("error".into(), Value::from(reject.code));
    root.insert("errMessage".into(), Value::from(reject.message.as_str()));
    root.insert("data".into(), Value::Null);
    root.insert("errorMessage".into(), Value::from(reject.message.as_str()));
    root.insert(
        "apiMessageForDevelopers".into(),
        Value::from(DEVELOPER_NOTE),
    );
    Value::Object(root)
}

/// An amount as a JSON number with exactly its digits.
pub(crate) fn money(amount: Decimal) -> Value {
    Number::from_str(&amount.to_string())
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// A request body: one JSON object.
#[derive(Debug)]
pub(crate) struct Body(Map<String, Value>);

impl Body {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, Reject> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Reject::format(
                "the request body is empty: send a JSON object",
            ));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(Reject::format("the request body must be a JSON object")),
            Err(e) => Err(Reject::format(format!(
                "the request body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))),
        }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(|v| !v.is_null())
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn missing(key: &str) -> Reject {
        Reject::format(format!("{key} is required"))
    }

    fn invalid(key: &str, expected: &str) -> Reject {
        Reject::format(format!("{key} must be {expected}"))
    }

    /// A string (numbers are taken as their digits); `None` when absent.
    pub(crate) fn opt_text(&self, key: &str) -> Result<Option<String>, Reject> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(Self::invalid(key, "a string")),
        }
    }

    /// A non-blank string.
    pub(crate) fn req_text(&self, key: &str) -> Result<String, Reject> {
        match self.opt_text(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(Reject::format(format!("{key} must not be empty"))),
            None => Err(Self::missing(key)),
        }
    }

    /// An unsigned integer, from a number or a numeric string.
    pub(crate) fn opt_u64(&self, key: &str) -> Result<Option<u64>, Reject> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| Self::invalid(key, "a whole number")),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| Self::invalid(key, "a whole number")),
            Some(_) => Err(Self::invalid(key, "a whole number")),
        }
    }

    pub(crate) fn req_u64(&self, key: &str) -> Result<u64, Reject> {
        self.opt_u64(key)?.ok_or_else(|| Self::missing(key))
    }

    /// An exact decimal, from a number (its digits as written) or a
    /// numeric string.
    pub(crate) fn opt_decimal(&self, key: &str) -> Result<Option<Decimal>, Reject> {
        let text = match self.get(key) {
            None => return Ok(None),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(_) => return Err(Self::invalid(key, "a decimal amount")),
        };
        decimal(&text)
            .map(Some)
            .ok_or_else(|| Self::invalid(key, "a decimal amount"))
    }

    pub(crate) fn req_decimal(&self, key: &str) -> Result<Decimal, Reject> {
        self.opt_decimal(key)?.ok_or_else(|| Self::missing(key))
    }

    /// A boolean, also from `"true"`/`"false"`.
    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, Reject> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "true" => Ok(Some(true)),
            Some(Value::String(s)) if s == "false" => Ok(Some(false)),
            Some(_) => Err(Self::invalid(key, "true or false")),
        }
    }

    /// An array of objects, each as a [`Body`]; empty when absent.
    pub(crate) fn objects(&self, key: &str) -> Result<Vec<Body>, Reject> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Object(m) => Ok(Body(m.clone())),
                    _ => Err(Self::invalid(&format!("{key}[{i}]"), "an object")),
                })
                .collect(),
            Some(_) => Err(Self::invalid(key, "an array")),
        }
    }

    /// A nested object.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Body>, Reject> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Body(m.clone()))),
            Some(_) => Err(Self::invalid(key, "an object")),
        }
    }
}

/// Parses decimal text, with or without an exponent.
pub(crate) fn decimal(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_leniently_and_named_when_bad() {
        let body = Body::parse(
            br#"{"a":"10000","b":103.33,"c":"12.50","d":true,"e":[1],"f":null,"g":980.0000}"#,
        )
        .unwrap();
        assert_eq!(body.req_u64("a").unwrap(), 10000);
        assert_eq!(body.req_decimal("b").unwrap().to_string(), "103.33");
        assert_eq!(body.req_decimal("c").unwrap().to_string(), "12.50");
        assert_eq!(body.req_decimal("g").unwrap().to_string(), "980.0000");
        assert_eq!(body.opt_bool("d").unwrap(), Some(true));
        assert!(
            body.req_text("f")
                .unwrap_err()
                .message
                .contains("f is required")
        );
        assert!(body.objects("e").unwrap_err().message.contains("e[0]"));
        assert!(Body::parse(b"[1]").is_err());
        assert!(Body::parse(b"{").unwrap_err().message.contains("line 1"));
        assert!(Body::parse(b"").is_err());
    }

    #[test]
    fn envelopes_carry_both_shapes_and_exact_money() {
        let mut data = Map::new();
        data.insert("total_sum".into(), money(Decimal::new(9800000, 4)));
        let v = ok(data);
        let text = v.to_string();
        assert!(text.contains(r#""data":{"total_sum":980.0000}"#), "{text}");
        assert!(text.contains(r#""error":0"#), "{text}");
        assert_eq!(v["total_sum"], v["data"]["total_sum"]);
        let e = error(&Reject::new(2, "Wrong secret"));
        assert_eq!(e["errMessage"], "Wrong secret");
        assert_eq!(e["errorMessage"], "Wrong secret");
        assert_eq!(e["error"], 2);
    }
}
