//! Reading a request body: one JSON object whose fields are decoded only
//! when a route asks for them, leniently (numbers and numeric strings
//! alike) and with a message naming the field when one is bad.

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::Reject;

/// The largest amount the sandbox accepts, either way: 10^20, beyond any
/// payment in any currency, and small enough that every sum, difference
/// and fee the sandbox computes from accepted amounts fits in a `Decimal`
/// (whose limit is about 7.9 × 10^28).
pub(crate) const MAX_AMOUNT: Decimal = Decimal::from_parts(0x6310_0000, 0x6BC7_5E2D, 0x5, false, 0);

/// A request body: one JSON object, each value kept as its JSON text,
/// borrowed from the request, and read only when a route asks for it.
/// serde_json checks the whole text and splits it into raw member texts
/// ([`Members`]) in one pass; each accessor then decodes one field, with
/// the leniency and the messages of a `serde_json::Value` reading.
///
/// The flag says whether the sandbox is strict: then a required text must
/// also not be blank (OCTO's pages say "required", not "non-empty").
#[derive(Debug)]
pub(crate) struct Body<'a>(Vec<(Cow<'a, str>, &'a str)>, bool);

/// An object's members, each value kept as its JSON text: serde_json checks
/// the text and splits it in one pass, keys borrowed unless they hold
/// escapes (the same grammar a `Value` parse accepts).
struct Members<'a>(Vec<(Cow<'a, str>, &'a str)>);

/// A key, borrowed from the body when it has no escapes.
#[derive(serde::Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;

        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Members<'de>, M::Error> {
                let mut members = Vec::with_capacity(16);
                while let Some(Key(name)) = map.next_key()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((name, value.get()));
                }
                Ok(Members(members))
            }
        }

        deserializer.deserialize_map(MembersVisitor)
    }
}

/// What a JSON value is, by its first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Number,
    Bool(bool),
    Object,
    Array,
    Null,
}

fn kind(text: &str) -> Kind {
    match text.as_bytes().first() {
        Some(b'"') => Kind::String,
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        Some(b't') => Kind::Bool(true),
        Some(b'f') => Kind::Bool(false),
        Some(b'n') | None => Kind::Null,
        Some(_) => Kind::Number,
    }
}

impl<'a> Body<'a> {
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, Reject> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Reject::format(
                "the request body is empty: send a JSON object",
            ));
        }
        // serde_json checks the text (the same grammar a `Value` parse
        // accepts) while it splits it into members.
        std::str::from_utf8(bytes)
            .ok()
            .and_then(Self::object_text)
            .ok_or_else(|| Self::why_not(bytes))
    }

    /// The body that `text` is, when it is one JSON object.
    fn object_text(text: &'a str) -> Option<Self> {
        let Members(fields) = serde_json::from_str(text).ok()?;
        // serde_json's own markers: a `Value` reads such an object as a
        // number or raw text, not as an object.
        if fields
            .first()
            .is_some_and(|(k, _)| k.starts_with("$serde_json::private::"))
        {
            return None;
        }
        Some(Body(fields, false))
    }

    /// The same body, read strictly or not.
    pub(crate) fn strict(mut self, strict: bool) -> Self {
        self.1 = strict;
        self
    }

    /// Whether it is read strictly.
    pub(crate) fn is_strict(&self) -> bool {
        self.1
    }

    /// Why `bytes` is not a body, in the words a `Value` parse gives (the
    /// slow way, only for bodies already refused).
    fn why_not(bytes: &[u8]) -> Reject {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(_)) => Reject::format("the request body is not valid JSON"),
            Ok(_) => Reject::format("the request body must be a JSON object"),
            Err(e) => Reject::format(format!(
                "the request body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            )),
        }
    }

    /// The value's JSON text, unless absent or `null`. The last of
    /// repeated keys counts, as in a JSON map.
    fn raw(&self, key: &str) -> Option<&'a str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
            .filter(|text| kind(text) != Kind::Null)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.raw(key).is_some()
    }

    fn missing(key: &str) -> Reject {
        Reject::format(format!("{key} is required"))
    }

    fn invalid(key: &str, expected: &str) -> Reject {
        Reject::format(format!("{key} must be {expected}"))
    }

    /// A JSON string's content.
    fn string(key: &str, text: &str) -> Result<String, Reject> {
        // Without escapes the content is the text between the quotes (the
        // parser has already refused control characters); escapes are
        // left to serde_json.
        if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
            && !inner.contains('\\')
        {
            return Ok(inner.to_owned());
        }
        serde_json::from_str::<String>(text).map_err(|_| Self::invalid(key, "a string"))
    }

    /// A string (numbers are taken as their digits); `None` when absent.
    pub(crate) fn opt_text(&self, key: &str) -> Result<Option<String>, Reject> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        match kind(text) {
            Kind::String => Self::string(key, text).map(Some),
            Kind::Number => Ok(Some(text.to_owned())),
            _ => Err(Self::invalid(key, "a string")),
        }
    }

    /// A string that must be present; strictly, also not blank.
    pub(crate) fn req_text(&self, key: &str) -> Result<String, Reject> {
        match self.opt_text(key)? {
            Some(s) if self.1 && s.trim().is_empty() => {
                Err(Reject::format(format!("{key} must not be empty (strict)")))
            }
            Some(s) => Ok(s),
            None => Err(Self::missing(key)),
        }
    }

    /// An unsigned integer, from a number or a numeric string.
    pub(crate) fn opt_u64(&self, key: &str) -> Result<Option<u64>, Reject> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        let whole = || Self::invalid(key, "a whole number");
        match kind(text) {
            Kind::Number => text.parse().map(Some).map_err(|_| whole()),
            Kind::String => Self::string(key, text)?
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| whole()),
            _ => Err(whole()),
        }
    }

    pub(crate) fn req_u64(&self, key: &str) -> Result<u64, Reject> {
        self.opt_u64(key)?.ok_or_else(|| Self::missing(key))
    }

    /// An exact decimal, from a number (its digits as written) or a
    /// numeric string.
    fn opt_decimal(&self, key: &str) -> Result<Option<Decimal>, Reject> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        let parsed = match kind(text) {
            Kind::Number => decimal(text),
            Kind::String => decimal(Self::string(key, text)?.trim()),
            _ => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| Self::invalid(key, "a decimal amount"))
    }

    /// An amount: an exact decimal no larger than [`MAX_AMOUNT`] either
    /// way. Anything larger is refused as malformed (error 1) here, before
    /// any route adds, subtracts or multiplies with it.
    pub(crate) fn opt_amount(&self, key: &str) -> Result<Option<Decimal>, Reject> {
        match self.opt_decimal(key)? {
            Some(amount) if amount.abs() > MAX_AMOUNT => Err(Reject::format(format!(
                "{key} is too large: the sandbox takes amounts up to {MAX_AMOUNT} either way"
            ))),
            other => Ok(other),
        }
    }

    /// An amount that must be present ([`opt_amount`](Self::opt_amount)).
    pub(crate) fn req_amount(&self, key: &str) -> Result<Decimal, Reject> {
        self.opt_amount(key)?.ok_or_else(|| Self::missing(key))
    }

    /// A boolean, also from `"true"`/`"false"`.
    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, Reject> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        match kind(text) {
            Kind::Bool(b) => Ok(Some(b)),
            Kind::String => match Self::string(key, text)?.as_str() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(Self::invalid(key, "true or false")),
            },
            _ => Err(Self::invalid(key, "true or false")),
        }
    }

    /// An array of objects, each as a [`Body`]; empty when absent.
    pub(crate) fn objects(&self, key: &str) -> Result<Vec<Body<'a>>, Reject> {
        let Some(text) = self.raw(key) else {
            return Ok(Vec::new());
        };
        if kind(text) != Kind::Array {
            return Err(Self::invalid(key, "an array"));
        }
        let items: Vec<&'a RawValue> =
            serde_json::from_str(text).map_err(|_| Self::invalid(key, "an array"))?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                Self::object_text(item.get())
                    .map(|b| b.strict(self.1))
                    .ok_or_else(|| Self::invalid(&format!("{key}[{i}]"), "an object"))
            })
            .collect()
    }

    /// A nested object.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Body<'a>>, Reject> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        if kind(text) != Kind::Object {
            return Err(Self::invalid(key, "an object"));
        }
        Self::object_text(text)
            .map(|b| Some(b.strict(self.1)))
            .ok_or_else(|| Self::invalid(key, "an object"))
    }
}

/// Parses decimal text, with or without an exponent, exactly: text with
/// more digits than a `Decimal` holds is refused, never rounded to an
/// amount the client did not send (`Decimal::from_str` rounds).
fn decimal(text: &str) -> Option<Decimal> {
    match text.split_once(['e', 'E']) {
        Some((digits, _)) => {
            // `from_scientific` rounds its digits the same way.
            Decimal::from_str_exact(digits).ok()?;
            Decimal::from_scientific(text).ok()
        }
        None => Decimal::from_str_exact(text).ok(),
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
        assert_eq!(body.req_amount("b").unwrap().to_string(), "103.33");
        assert_eq!(body.req_amount("c").unwrap().to_string(), "12.50");
        assert_eq!(body.req_amount("g").unwrap().to_string(), "980.0000");
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
    fn fields_are_found_whatever_the_text_around_them() {
        let text = br#" { "a" : "x\"}]," , "b":[ {"c":"]}"} , {"c":2} ],
            "d\u0065":{"e":{"f":[1,[2]]},"g":"h"}, "n":-1.5e3,"t":true ,"z":null,
            "a":"last" } "#;
        let body = Body::parse(text).unwrap();
        // Keys are borrowed from the body, but for the one with an escape.
        for (key, _) in &body.0 {
            let borrowed = matches!(key, Cow::Borrowed(_));
            assert_eq!(borrowed, key != "de", "{key}");
        }
        assert_eq!(body.req_text("a").unwrap(), "last");
        let items = body.objects("b").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].req_text("c").unwrap(), "]}");
        assert_eq!(items[1].req_u64("c").unwrap(), 2);
        let de = body.object("de").unwrap().unwrap();
        assert_eq!(de.req_text("g").unwrap(), "h");
        assert!(de.object("e").unwrap().unwrap().has("f"));
        assert_eq!(body.req_amount("n").unwrap(), Decimal::new(-1500, 0));
        assert_eq!(body.opt_bool("t").unwrap(), Some(true));
        assert!(!body.has("z"));
        assert_eq!(Body::parse(br#"{}"#).unwrap().0.len(), 0);
        assert_eq!(
            Body::parse(br#"{"a":1,}"#).unwrap_err().message,
            "the request body is not valid JSON (line 1, column 8)"
        );
        assert_eq!(
            Body::parse(b"\"x\"").unwrap_err().message,
            "the request body must be a JSON object"
        );
    }

    #[test]
    fn amounts_stop_at_the_largest_the_sandbox_computes_with() {
        assert_eq!(MAX_AMOUNT.to_string(), "100000000000000000000");
        let body = Body::parse(
            br#"{"max":100000000000000000000,"neg":"-100000000000000000000",
                "over":100000000000000000000.01,"huge":-79228162514264337593543950335,
                "exp":"1e21","tiny":0.0000000000000000000000000001}"#,
        )
        .unwrap();
        assert_eq!(body.req_amount("max").unwrap(), MAX_AMOUNT);
        assert_eq!(body.req_amount("neg").unwrap(), -MAX_AMOUNT);
        for key in ["over", "huge", "exp"] {
            let refused = body.req_amount(key).unwrap_err();
            assert_eq!(refused.code.as_i64(), 1, "{key}");
            assert!(refused.message.starts_with(key), "{}", refused.message);
        }
        assert!(body.req_amount("tiny").is_ok());
        assert!(body.opt_amount("absent").unwrap().is_none());
    }

    #[test]
    fn amounts_with_more_digits_than_a_decimal_holds_are_refused_not_rounded() {
        let body = Body::parse(
            br#"{"long":98765432109876543210.987654321,"text":"98765432109876543210.987654321",
                "fine":0.10000000000000000000000000001,"exp":1.00000000000000000000000000001e2,
                "ok":"12345678901234567890.12345678","okexp":1.5e3}"#,
        )
        .unwrap();
        for key in ["long", "text", "fine", "exp"] {
            let read = body.req_amount(key);
            assert!(
                read.as_ref().is_err_and(|r| r.code.as_i64() == 1),
                "{key} read as {read:?}"
            );
        }
        assert_eq!(
            body.req_amount("ok").unwrap().to_string(),
            "12345678901234567890.12345678"
        );
        assert_eq!(body.req_amount("okexp").unwrap(), Decimal::new(1500, 0));
    }
}
