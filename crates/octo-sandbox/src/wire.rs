//! OCTO's wire format on the server side: reading request bodies field by
//! field (so a bad field gets a message naming it) and writing both
//! envelope shapes.

use std::borrow::Cow;
use std::io::Write as _;
use std::ops::Range;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
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
        Self::new(crate::codes::common::DATA_FORMAT, message)
    }

    /// Error 4: the sandbox itself failed (its data file).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(crate::codes::common::INTERNAL, message)
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

/// A success's payload written as JSON as it is built: each field's value
/// serialised once into one buffer, the keys static. [`Payload::ok_bytes`]
/// puts it in both envelopes; [`Payload::into_map`] gives the `Map` that
/// [`ok`] takes, for the answers that are not on a hot path.
#[derive(Debug, Default)]
pub(crate) struct Payload {
    buf: Vec<u8>,
    fields: Vec<(&'static str, Range<usize>)>,
}

impl Payload {
    /// An empty payload with room for a payment's fields (growing the
    /// buffers field by field was several reallocations a request).
    pub(crate) fn new() -> Self {
        Self {
            buf: Vec::with_capacity(384),
            fields: Vec::with_capacity(12),
        }
    }

    fn field(&mut self, key: &'static str, write: impl FnOnce(&mut Vec<u8>)) {
        let from = self.buf.len();
        write(&mut self.buf);
        self.fields.push((key, from..self.buf.len()));
    }

    /// A string field.
    pub(crate) fn text(&mut self, key: &'static str, value: &str) {
        self.field(key, |buf| write_str(buf, value));
    }

    /// An amount, as a JSON number with exactly its digits (as [`money`]).
    pub(crate) fn money(&mut self, key: &'static str, amount: Decimal) {
        // `Decimal`'s text is always a valid JSON number: digits, at most
        // one point, an optional leading minus, no exponent.
        self.field(key, |buf| {
            let _ = write!(buf, "{amount}");
        });
    }

    /// The fields sorted by key, the last of a repeated key kept: the order
    /// and the choice a `Map` (a `BTreeMap`) makes.
    fn sorted(&self) -> Vec<(&'static str, &[u8])> {
        let mut fields: Vec<(&'static str, &[u8])> = self
            .fields
            .iter()
            .map(|(k, r)| (*k, self.buf.get(r.clone()).unwrap_or_default()))
            .collect();
        // Fields added in key order (as `payment_fields` adds them) need
        // neither the sort nor the merging of repeats.
        if fields.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)) {
            return fields;
        }
        fields.sort_by(|a, b| a.0.cmp(b.0));
        let mut out: Vec<(&'static str, &[u8])> = Vec::with_capacity(fields.len());
        for field in fields {
            match out.last_mut() {
                Some(last) if last.0 == field.0 => *last = field,
                _ => out.push(field),
            }
        }
        out
    }

    /// The payload as a `Map`.
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.sorted()
            .into_iter()
            .map(|(k, v)| {
                let value = serde_json::from_slice(v).unwrap_or(Value::Null);
                (k.to_owned(), value)
            })
            .collect()
    }

    /// `serde_json::to_vec(&ok(self.into_map()))`, without the maps.
    pub(crate) fn ok_bytes(&self) -> Vec<u8> {
        let fields = self.sorted();
        let mut data = Vec::with_capacity(self.buf.len() + 32 * fields.len() + 2);
        data.push(b'{');
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                data.push(b',');
            }
            write_str(&mut data, key);
            data.push(b':');
            data.extend_from_slice(value);
        }
        data.push(b'}');
        // The envelope's own fields, in key order, merged with the sorted
        // payload. As in `ok`: a payload field of the same name replaces
        // these, except `data`, which replaces a payload field so named.
        let envelope: [(&str, &[u8]); 4] = [
            ("apiMessageForDevelopers", b"\"\""),
            ("data", &data),
            ("errMessage", b"\"\""),
            ("error", b"0"),
        ];
        let mut root: Vec<(&str, &[u8])> = Vec::with_capacity(fields.len() + 4);
        let mut own = envelope.iter().copied().peekable();
        let mut payload = fields.iter().copied().peekable();
        loop {
            let next = match (own.peek(), payload.peek()) {
                (Some(a), Some(b)) => match a.0.cmp(b.0) {
                    std::cmp::Ordering::Less => own.next(),
                    std::cmp::Ordering::Greater => payload.next(),
                    std::cmp::Ordering::Equal => {
                        let (a, b) = (own.next(), payload.next());
                        if a.is_some_and(|a| a.0 == "data") {
                            a
                        } else {
                            b
                        }
                    }
                },
                (Some(_), None) => own.next(),
                (None, Some(_)) => payload.next(),
                (None, None) => break,
            };
            root.extend(next);
        }
        let mut out = Vec::with_capacity(data.len() * 2 + 96);
        out.push(b'{');
        for (i, (key, value)) in root.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(&mut out, key);
            out.push(b':');
            out.extend_from_slice(value);
        }
        out.push(b'}');
        out
    }
}

/// Appends `value` as a JSON string. Text with nothing to escape (ids,
/// URLs, keys: nearly all of it) is copied as is; serde_json's
/// byte-by-byte escaper was a tenth of a request's instructions.
fn write_str(out: &mut Vec<u8>, value: &str) {
    if value.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(value.len() + 2);
        out.push(b'"');
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    } else {
        // Writing to a `Vec` cannot fail, nor can serialising a `str`.
        let _ = serde_json::to_writer(out, value);
    }
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

/// A request body: one JSON object, each value kept as its JSON text,
/// borrowed from the request, and read only when a route asks for it.
///
/// Reading the body into a `serde_json::Value` (arbitrary precision, a
/// `String` per key and per number) and dropping it again was the largest
/// single cost of a request in the profile; the routes read a handful of
/// fields once, so serde_json only checks the text and the fields are
/// split by serde_json into raw member texts ([`Members`]) and decoded one by one, with the same leniency and
/// the same messages.
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
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object key")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

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
    pub(crate) fn opt_decimal(&self, key: &str) -> Result<Option<Decimal>, Reject> {
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

    pub(crate) fn req_decimal(&self, key: &str) -> Result<Decimal, Reject> {
        self.opt_decimal(key)?.ok_or_else(|| Self::missing(key))
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
    fn fields_are_found_whatever_the_text_around_them() {
        let text = br#" { "a" : "x\"}]," , "b":[ {"c":"]}"} , {"c":2} ],
            "d\u0065":{"e":{"f":[1,[2]]},"g":"h"}, "n":-1.5e3,"t":true ,"z":null,
            "a":"last" } "#;
        let body = Body::parse(text).unwrap();
        assert_eq!(body.req_text("a").unwrap(), "last");
        let items = body.objects("b").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].req_text("c").unwrap(), "]}");
        assert_eq!(items[1].req_u64("c").unwrap(), 2);
        let de = body.object("de").unwrap().unwrap();
        assert_eq!(de.req_text("g").unwrap(), "h");
        assert!(de.object("e").unwrap().unwrap().has("f"));
        assert_eq!(body.req_decimal("n").unwrap(), Decimal::new(-1500, 0));
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
    fn payload_bytes_are_the_bytes_of_ok() {
        let mut p = Payload::default();
        p.text("status", "created");
        p.money("total_sum", Decimal::new(100_050, 2));
        p.money("refunded_sum", Decimal::ZERO);
        p.money("negative", Decimal::new(-5, 3));
        p.text("octo_pay_url", "http://x/pay/a?language=en");
        p.text("octo_payment_UUID", "0f3c2a9e-5b7d-4c1e-9a8f-2d6b4e1c7a90");
        p.text("esc", "a \"quoted\"\n\u{1F600}");
        p.text("status", "succeeded");
        let text = String::from_utf8(p.ok_bytes()).unwrap();
        let map = p.into_map();
        assert_eq!(map["status"], "succeeded");
        assert_eq!(map["total_sum"].to_string(), "1000.50");
        assert_eq!(map["negative"].to_string(), "-0.005");
        assert_eq!(text, ok(map).to_string());
        let mut shadow = Payload::default();
        shadow.text("data", "shadowed");
        shadow.text("error", "7");
        let text = String::from_utf8(shadow.ok_bytes()).unwrap();
        assert_eq!(text, ok(shadow.into_map()).to_string());
        // Added in key order: no sort, the same bytes.
        let mut sorted = Payload::new();
        sorted.text("a", "1");
        sorted.money("b", Decimal::ONE);
        sorted.text("errMessage", "replaced");
        sorted.text("z", "2");
        let text = String::from_utf8(sorted.ok_bytes()).unwrap();
        assert!(text.contains(r#""errMessage":"replaced""#), "{text}");
        assert_eq!(text, ok(sorted.into_map()).to_string());
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
