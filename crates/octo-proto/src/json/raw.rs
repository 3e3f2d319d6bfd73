//! A JSON object split into its members, each kept as unparsed text.
//!
//! Decoding a whole response into a `serde_json::Value` tree allocates every
//! key and every value, most of which no decoder reads. A [`RawObject`]
//! checks the JSON once and keeps each member as a slice of the body; keys
//! are borrowed unless they contain escapes. Objects from OCTO hold a dozen
//! members at most, so members sit in a `Vec` and are found by a scan.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// The members of one JSON object, in the order received.
#[derive(Debug, Default)]
pub(crate) struct RawObject<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> RawObject<'a> {
    /// The member named `key` (the last one, if the name repeats, as
    /// `serde_json` itself would keep), unless it is `null`.
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.members
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| *value)
            .filter(|value| value.get() != "null")
    }

    /// [`get`](Self::get), with the member's position.
    pub fn get_at(&self, key: &str) -> Option<(usize, &'a RawValue)> {
        let at = self.members.iter().rposition(|(name, _)| name == key)?;
        let (_, value) = self.members.get(at)?;
        Some((at, *value)).filter(|(_, value)| value.get() != "null")
    }

    /// Whether a member named `key` exists, `null` or not.
    pub fn contains_key(&self, key: &str) -> bool {
        self.members.iter().any(|(name, _)| name == key)
    }

    /// Every member, as received.
    pub fn members(&self) -> impl Iterator<Item = (&str, &'a RawValue)> + '_ {
        self.members
            .iter()
            .map(|(name, value)| (name.as_ref(), *value))
    }
}

/// Decodes a member's text. The text was checked when the object was split,
/// so this cannot fail; `Null` stands in should it ever.
pub(crate) fn parse_raw(raw: &RawValue) -> Value {
    serde_json::from_str(raw.get()).unwrap_or(Value::Null)
}

/// The text of a member: a JSON string's contents, or (unless
/// `strings_only`) a number's digits as written; `None` for anything else.
///
/// The member was checked when its object was split, so a string without a
/// backslash is exactly the text between its quotes and is borrowed; only a
/// string with escapes goes through serde_json to be decoded.
pub(crate) fn text_of_raw(raw: &RawValue, strings_only: bool) -> Option<Cow<'_, str>> {
    let json = raw.get();
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

impl<'de> Deserialize<'de> for Key<'de> {
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

impl<'de> Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;

        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = RawObject<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<RawObject<'de>, M::Error> {
                collect(map, |_| false).map(|(object, _)| object)
            }
        }

        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Reads an object's members; a member `split` picks is split in turn (if it
/// is an object) instead of being kept as text, so that its text is read only
/// once.
#[allow(clippy::type_complexity)]
fn collect<'de, M: MapAccess<'de>>(
    mut map: M,
    split: impl Fn(&str) -> bool,
) -> Result<(RawObject<'de>, Option<RawObject<'de>>), M::Error> {
    let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
    let mut inner = None;
    while let Some(Key(name)) = map.next_key()? {
        if split(&name) {
            inner = map.next_value::<Nested<'de>>()?.0;
        } else {
            let value: &'de RawValue = map.next_value()?;
            members.push((name, value));
        }
    }
    Ok((RawObject { members }, inner))
}

/// A member that is split when it is an object and dropped otherwise.
struct Nested<'a>(Option<RawObject<'a>>);

impl<'de> Deserialize<'de> for Nested<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NestedVisitor;

        impl<'de> Visitor<'de> for NestedVisitor {
            type Value = Nested<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Nested<'de>, M::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some(Key(name)) = map.next_key()? {
                    // With arbitrary precision, serde_json hands a number to
                    // `deserialize_any` as a one-entry map under a private
                    // key: that is a number, not an object.
                    if name.starts_with("$serde_json::private::") {
                        map.next_value::<de::IgnoredAny>()?;
                        while map.next_key::<de::IgnoredAny>()?.is_some() {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                        return Ok(Nested(None));
                    }
                    let value: &'de RawValue = map.next_value()?;
                    members.push((name, value));
                }
                Ok(Nested(Some(RawObject { members })))
            }

            fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<Nested<'de>, S::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Nested(None))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Nested<'de>, E> {
                Ok(Nested(None))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Nested<'de>, E> {
                Ok(Nested(None))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Nested<'de>, E> {
                Ok(Nested(None))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Nested<'de>, E> {
                Ok(Nested(None))
            }

            fn visit_str<E: de::Error>(self, _: &str) -> Result<Nested<'de>, E> {
                Ok(Nested(None))
            }
        }

        deserializer.deserialize_any(NestedVisitor)
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

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor;

        impl<'de> Visitor<'de> for EnvelopeVisitor {
            type Value = Envelope<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Envelope<'de>, M::Error> {
                collect(map, |name| name == "data").map(|(root, data)| Envelope { root, data })
            }
        }

        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

#[cfg(test)]
impl RawObject<'_> {
    /// Splits `text` if it is an object; `None` for any other JSON value.
    pub fn of(raw: &RawValue) -> Option<RawObject<'_>> {
        serde_json::from_str(raw.get()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_finds_members() {
        let body = br#"{"a":1,"b\u0041":"x","n":null,"o":{"k":980.0000},"a":2}"#;
        let object: RawObject<'_> = serde_json::from_slice(body).unwrap();
        assert_eq!(object.get("a").map(RawValue::get), Some("2"));
        assert_eq!(object.get("bA").map(RawValue::get), Some("\"x\""));
        assert!(object.get("n").is_none());
        assert!(object.contains_key("n"));
        let inner = RawObject::of(object.get("o").unwrap()).unwrap();
        assert_eq!(inner.get("k").map(RawValue::get), Some("980.0000"));
        assert_eq!(parse_raw(inner.get("k").unwrap()).to_string(), "980.0000");
        assert!(serde_json::from_slice::<RawObject<'_>>(b"[1]").is_err());
        assert!(serde_json::from_slice::<RawObject<'_>>(b"{\"a\":}").is_err());
    }

    #[test]
    fn envelopes_split_data_in_the_same_pass() {
        let body = br#"{"error":0,"data":{"x":"1","y":[{"z":null}]},"x":"top"}"#;
        let envelope: Envelope<'_> = serde_json::from_slice(body).unwrap();
        assert_eq!(envelope.root.get("x").map(RawValue::get), Some("\"top\""));
        assert!(!envelope.root.contains_key("data"));
        let data = envelope.data.unwrap();
        assert_eq!(data.get("y").map(RawValue::get), Some(r#"[{"z":null}]"#));
        for odd in [
            r#"{"data":null}"#,
            r#"{"data":[1,[2],{"a":3}]}"#,
            r#"{"data":"s"}"#,
            r#"{"data":1.5}"#,
            r#"{"data":true}"#,
        ] {
            let envelope: Envelope<'_> = serde_json::from_str(odd).unwrap();
            assert!(envelope.data.is_none(), "{odd}");
        }
        assert!(serde_json::from_slice::<Envelope<'_>>(br#"{"data":{"a":}}"#).is_err());
    }
}
