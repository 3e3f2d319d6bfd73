//! Writing OCTO's answers: a success in both envelope shapes (the payload
//! in `data` and, as OCTO's legacy shape, at the top level too), a success
//! in `data` only, and an error with both message fields.

use std::io::Write as _;
use std::ops::Range;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

use super::Reject;

/// What developers are told in every answer, like OCTO does.
const DEVELOPER_NOTE: &str = "errorMessage is deprecated, read errMessage. \
    Fields other than error and errMessage are also sent in data. \
    This answer comes from octo-sandbox, not from OCTO.";

/// A successful answer: the payload in `data` and, as OCTO's legacy shape,
/// at the top level too.
pub(crate) fn ok(payload: Map<String, Value>) -> Value {
    let mut root = Map::with_capacity(payload.len().saturating_mul(2).saturating_add(3));
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
    /// An empty payload with room for a payment's fields, so that writing
    /// one does not grow the buffers field by field.
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
        let mut data = Vec::with_capacity(
            self.buf
                .len()
                .saturating_add(fields.len().saturating_mul(32))
                .saturating_add(2),
        );
        write_object(&mut data, &fields);
        // The envelope's own fields, in key order, merged with the sorted
        // payload. As in `ok`: a payload field of the same name replaces
        // these, except `data`, which replaces a payload field so named.
        let envelope: [(&str, &[u8]); 4] = [
            ("apiMessageForDevelopers", b"\"\""),
            ("data", &data),
            ("errMessage", b"\"\""),
            ("error", b"0"),
        ];
        let mut root: Vec<(&str, &[u8])> = Vec::with_capacity(fields.len().saturating_add(4));
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
        let mut out = Vec::with_capacity(data.len().saturating_mul(2).saturating_add(96));
        write_object(&mut out, &root);
        out
    }
}

/// Appends a JSON object of `fields`, each value already JSON text.
fn write_object(out: &mut Vec<u8>, fields: &[(&str, &[u8])]) {
    out.push(b'{');
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        out.extend_from_slice(value);
    }
    out.push(b'}');
}

/// Appends `value` as a JSON string. Text with nothing to escape (ids,
/// URLs, keys: nearly all of it) is copied as is; anything else goes
/// through serde_json's escaper.
fn write_str(out: &mut Vec<u8>, value: &str) {
    if value.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(value.len().saturating_add(2));
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

/// A successful answer with the payload at the top level only and
/// `errMessage` null: the shape of `block_card_token`'s example on
/// `card-tokenization.txt` (`{"error": 0, "errMessage": null, "status":
/// "blocked"}`), which has no `data`.
pub(crate) fn ok_top_level_only(payload: Map<String, Value>) -> Value {
    let mut root = Map::with_capacity(payload.len().saturating_add(2));
    root.insert("error".into(), Value::from(0));
    root.insert("errMessage".into(), Value::Null);
    for (k, v) in payload {
        if k != "error" && k != "errMessage" {
            root.insert(k, v);
        }
    }
    Value::Object(root)
}

/// A successful answer in the legacy shape alone: `error` and the payload
/// at the top level, no `data` and no message (the shape the API notes
/// saw `set_accept` answer with).
pub(crate) fn ok_legacy(payload: Map<String, Value>) -> Value {
    let mut root = Map::with_capacity(payload.len().saturating_add(1));
    for (k, v) in payload {
        if k != "error" && k != "data" {
            root.insert(k, v);
        }
    }
    root.insert("error".into(), Value::from(0));
    Value::Object(root)
}

/// An error answer (HTTP 200, `error != 0`), with both message fields.
pub(crate) fn error(reject: &Reject) -> Value {
    let mut root = Map::with_capacity(5);
    root.insert("error".into(), Value::from(reject.code.as_i64()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Reject;

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
        let e = error(&Reject::new(
            octo_proto::ErrorCode::Authorization,
            "Wrong secret",
        ));
        assert_eq!(e["errMessage"], "Wrong secret");
        assert_eq!(e["errorMessage"], "Wrong secret");
        assert_eq!(e["error"], 2);
    }
}
