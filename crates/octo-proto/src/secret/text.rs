//! Reading a secret from JSON without ever quoting it in an error.

use std::fmt;

/// Reads a secret that must arrive as a JSON string. serde's usual type
/// errors quote the value they found (`invalid type: integer
/// `4111111111111111``), which would put a card number sent as a number into
/// an error message; this reader's errors never show the value.
pub(crate) fn secret_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    expecting: &'static str,
) -> Result<String, D::Error> {
    struct Text(&'static str);

    impl Text {
        fn refuse<E: serde::de::Error>(&self) -> Result<String, E> {
            Err(E::custom(format_args!("expected {}", self.0)))
        }
    }

    impl<'de> serde::de::Visitor<'de> for Text {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }

        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<String, E> {
            self.refuse()
        }

        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<String, E> {
            self.refuse()
        }

        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<String, E> {
            self.refuse()
        }

        fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<String, E> {
            self.refuse()
        }

        fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<String, E> {
            self.refuse()
        }

        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<String, E> {
            self.refuse()
        }

        fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<String, E> {
            self.refuse()
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
            self.refuse()
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
            self.refuse()
        }

        // With serde_json's arbitrary precision a number arrives as a map.
        fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
            self.refuse()
        }
    }

    deserializer.deserialize_any(Text(expecting))
}
