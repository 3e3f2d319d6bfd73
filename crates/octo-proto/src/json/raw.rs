//! A JSON object split into its members, each kept as unparsed text.
//!
//! Decoding a whole response into a `serde_json::Value` tree allocates every
//! key and every value, most of which no decoder reads. A [`Split`] checks
//! the JSON once and keeps each member as a slice of the body; keys are
//! borrowed unless they contain escapes. The members of both levels of an
//! envelope (the top level and `data`) go into one list, sized for the
//! dozen or two of an answer from OCTO (one allocation per answer), each
//! level one run of it. A [`RawObject`] is a view of one level's members,
//! found by a scan.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// A member: its name, and its value's JSON text as received.
type Member<'a> = (Cow<'a, str>, &'a str);

/// Room for the members of most of OCTO's answers, both levels together.
const USUAL: usize = 24;

/// Members in the order received, both levels of an envelope in one list
/// (one allocation for the whole answer).
struct Store<'a>(Vec<Member<'a>>);

impl<'a> Store<'a> {
    fn new() -> Self {
        Store(Vec::with_capacity(USUAL))
    }

    #[inline]
    fn push(&mut self, member: Member<'a>) {
        self.0.push(member);
    }

    fn as_slice(&self) -> &[Member<'a>] {
        &self.0
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Drops the members from `from` to `to` (an earlier `data` of an
    /// envelope that repeats it, or a number's private entries), keeping
    /// the rest in order.
    fn remove(&mut self, from: usize, to: usize) {
        if from < to && to <= self.0.len() {
            self.0.drain(from..to);
        }
    }
}

/// An envelope (or, for tests, any object) split into its members in one
/// pass: the top level, and the members of `data` when it is an object.
pub(crate) struct Split<'a> {
    store: Store<'a>,
    /// Where `data`'s members start in `store`, when `data` is an object:
    /// they are the last ones (see [`fill`](Self::fill)).
    data: Option<usize>,
}

impl<'a> Split<'a> {
    /// An empty split, to be filled by [`fill`](Self::fill).
    pub fn new() -> Self {
        Self {
            store: Store::new(),
            data: None,
        }
    }

    /// Splits `text`, a JSON object, splitting its member `data` in the same
    /// pass when that is an object. Fails on anything but one JSON object.
    pub fn fill(&mut self, text: &'a str) -> Result<(), serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let data = deserializer.deserialize_map(EnvelopeVisitor(&mut self.store))?;
        deserializer.end()?;
        // `data`'s members go after the top level's, the order within each
        // level kept, so that each level is one run of members.
        if let Some((from, to)) = data {
            if let Some(tail) = self.store.0.get_mut(from..) {
                tail.rotate_left(to - from);
            }
            self.data = Some(self.store.len() - (to - from));
        }
        Ok(())
    }

    /// The top level (`data` excepted) and `data`'s members.
    pub fn envelope(&self) -> Envelope<'_> {
        let all = self.store.as_slice();
        match self.data {
            Some(from) => Envelope {
                root: RawObject {
                    members: all.get(..from).unwrap_or_default(),
                },
                data: Some(RawObject {
                    members: all.get(from..).unwrap_or_default(),
                }),
            },
            None => Envelope {
                root: RawObject { members: all },
                data: None,
            },
        }
    }
}

/// The members of one JSON object, in the order received (a view of a
/// [`Split`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RawObject<'a> {
    members: &'a [Member<'a>],
}

impl<'a> RawObject<'a> {
    /// The member named `key` (the last one, if the name repeats, as
    /// `serde_json` itself would keep), unless it is `null`.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.get_at(key).map(|(_, value)| value)
    }

    /// [`get`](Self::get), with the member's position.
    #[inline]
    pub fn get_at(&self, key: &str) -> Option<(usize, &'a str)> {
        let at = last_named(self.members, key)?;
        let (_, value) = self.members.get(at)?;
        (*value != "null").then_some((at, *value))
    }

    /// Whether a member named `key` exists, `null` or not.
    pub fn contains_key(&self, key: &str) -> bool {
        last_named(self.members, key).is_some()
    }

    /// Every member, as received.
    pub fn members(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.members
            .iter()
            .map(|(name, value)| (name.as_ref(), *value))
    }
}

/// The position of the last member named `key`; names are compared as
/// bytes.
#[inline]
fn last_named(members: &[Member<'_>], key: &str) -> Option<usize> {
    let key = key.as_bytes();
    members.iter().rposition(|(name, _)| name.as_bytes() == key)
}

/// Decodes a member's text. The text was checked when the object was split,
/// so this cannot fail; `Null` stands in should it ever.
pub(crate) fn parse_raw(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or(Value::Null)
}

/// The text of a member: a JSON string's contents, or (unless
/// `strings_only`) a number's digits as written; `None` for anything else.
///
/// The member was checked when its object was split, so a string without a
/// backslash is exactly the text between its quotes and is borrowed; only a
/// string with escapes goes through serde_json to be decoded.
pub(crate) fn text_of_raw(json: &str, strings_only: bool) -> Option<Cow<'_, str>> {
    if let Some(quoted) = json.strip_prefix('"') {
        let inner = quoted.strip_suffix('"')?;
        if inner.contains('\\') {
            serde_json::from_str::<String>(json).ok().map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(inner))
        }
    } else if !strings_only && json.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Some(Cow::Borrowed(json))
    } else {
        None
    }
}

/// A key, borrowed from the body when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A member's value, taken as its JSON text.
fn raw_value<'de, M: MapAccess<'de>>(map: &mut M) -> Result<&'de str, M::Error> {
    map.next_value::<&'de RawValue>().map(RawValue::get)
}

/// Reads the top level into the store; `data` is split in turn (if it is
/// an object) instead of being kept as text, so that its text is read only
/// once. Says where `data`'s members are.
struct EnvelopeVisitor<'s, 'a>(&'s mut Store<'a>);

impl<'de> Visitor<'de> for EnvelopeVisitor<'_, 'de> {
    type Value = Option<(usize, usize)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let store = self.0;
        let mut data = None;
        while let Some(Key(name)) = map.next_key()? {
            if name == "data" {
                // A repeated `data`: the last one counts, as serde_json
                // would keep it.
                if let Some((from, to)) = data.take() {
                    store.remove(from, to);
                }
                let from = store.len();
                if map.next_value_seed(Nested(store))? {
                    data = Some((from, store.len()));
                }
            } else {
                let value = raw_value(&mut map)?;
                store.push((name, value));
            }
        }
        Ok(data)
    }
}

/// `data`: its members go into the store when it is an object (the seed
/// then says `true`); any other value is read and dropped.
struct Nested<'s, 'a>(&'s mut Store<'a>);

impl<'de> DeserializeSeed<'de> for Nested<'_, 'de> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Nested<'_, 'de> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<bool, M::Error> {
        let from = self.0.len();
        while let Some(Key(name)) = map.next_key()? {
            // With arbitrary precision, serde_json hands a number to
            // `deserialize_any` as a one-entry map under a private key:
            // that is a number, not an object.
            if name.starts_with("$serde_json::private::") {
                map.next_value::<de::IgnoredAny>()?;
                while map.next_key::<de::IgnoredAny>()?.is_some() {
                    map.next_value::<de::IgnoredAny>()?;
                }
                let to = self.0.len();
                self.0.remove(from, to);
                return Ok(false);
            }
            let value = raw_value(&mut map)?;
            self.0.push((name, value));
        }
        Ok(true)
    }

    fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<bool, S::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
}

/// An OCTO envelope split in one pass: the top level, and `data` when it is
/// an object (any other `data` counts as absent).
pub(crate) struct Envelope<'a> {
    /// The top-level members, `data` excepted.
    pub root: RawObject<'a>,
    /// The members of `data`.
    pub data: Option<RawObject<'a>>,
}

#[cfg(test)]
impl<'a> Split<'a> {
    /// Splits `text`, or panics: for tests.
    pub fn of(text: &'a str) -> Self {
        let mut split = Split::new();
        split.fill(text).expect("a JSON object");
        split
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_finds_members() {
        let split = Split::of(r#"{"a":1,"b\u0041":"x","n":null,"o":{"k":980.0000},"a":2}"#);
        let object = split.envelope().root;
        assert_eq!(object.get("a"), Some("2"));
        assert_eq!(object.get("bA"), Some("\"x\""));
        assert!(object.get("n").is_none());
        assert!(object.contains_key("n"));
        assert_eq!(object.get("o"), Some(r#"{"k":980.0000}"#));
        assert_eq!(parse_raw("980.0000").to_string(), "980.0000");
        for bad in ["[1]", "{\"a\":}", "{} 1", "1"] {
            assert!(Split::new().fill(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn envelopes_split_data_in_the_same_pass() {
        let split = Split::of(r#"{"error":0,"data":{"x":"1","y":[{"z":null}]},"x":"top"}"#);
        let envelope = split.envelope();
        assert_eq!(envelope.root.get("x"), Some("\"top\""));
        assert_eq!(envelope.root.get_at("x"), Some((1, "\"top\"")));
        assert!(!envelope.root.contains_key("data"));
        assert_eq!(
            envelope.root.members().collect::<Vec<_>>(),
            [("error", "0"), ("x", "\"top\"")]
        );
        let data = envelope.data.unwrap();
        assert_eq!(data.get("y"), Some(r#"[{"z":null}]"#));
        assert_eq!(data.get("x"), Some("\"1\""));
        for odd in [
            r#"{"data":null}"#,
            r#"{"data":[1,[2],{"a":3}]}"#,
            r#"{"data":"s"}"#,
            r#"{"data":1.5}"#,
            r#"{"data":true}"#,
            r#"{"data":{"a":1,"$serde_json::private::Number":2}}"#,
        ] {
            let split = Split::of(odd);
            let envelope = split.envelope();
            assert!(envelope.data.is_none(), "{odd}");
            assert_eq!(envelope.root.members().count(), 0, "{odd}");
        }
        assert!(Split::new().fill(r#"{"data":{"a":}}"#).is_err());
    }

    #[test]
    fn a_repeated_data_keeps_the_last_one() {
        let split = Split::of(r#"{"data":{"a":1,"b":2},"e":0,"data":{"c":3},"f":4}"#);
        let envelope = split.envelope();
        let data: Vec<_> = envelope.data.unwrap().members().collect();
        assert_eq!(data, [("c", "3")]);
        let root: Vec<_> = envelope.root.members().collect();
        assert_eq!(root, [("e", "0"), ("f", "4")]);
        let split = Split::of(r#"{"data":{"a":1},"e":0,"data":7}"#);
        let envelope = split.envelope();
        assert!(envelope.data.is_none());
        assert_eq!(envelope.root.members().collect::<Vec<_>>(), [("e", "0")]);
    }

    #[test]
    fn many_members_keep_their_order() {
        let mut text = String::from("{");
        for at in 0..(USUAL + 5) {
            text.push_str(&format!(r#""t{at}":{at},"#));
        }
        text.push_str(r#""data":{"#);
        for at in 0..(USUAL + 3) {
            text.push_str(&format!(r#""d{at}":{at},"#));
        }
        text.push_str(r#""last":0},"end":1}"#);
        let split = Split::of(&text);
        let envelope = split.envelope();
        let root: Vec<_> = envelope.root.members().map(|(k, _)| k.to_owned()).collect();
        let mut expected: Vec<_> = (0..USUAL + 5).map(|at| format!("t{at}")).collect();
        expected.push("end".to_owned());
        assert_eq!(root, expected);
        let data = envelope.data.unwrap();
        assert_eq!(data.members().count(), USUAL + 4);
        assert_eq!(data.get_at("d7"), Some((7, "7")));
        assert_eq!(envelope.root.get_at("end"), Some((USUAL + 5, "1")));
    }
}
