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

    /// Visitor methods that take one value and refuse it unseen.
    macro_rules! refuse {
        ($($visit:ident: $kind:ty),* $(,)?) => {$(
            fn $visit<E: serde::de::Error>(self, _: $kind) -> Result<String, E> {
                self.refuse()
            }
        )*};
    }

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

        // Any other value is refused without being shown. serde hands the
        // smaller integers, `f32` and borrowed bytes to these methods.
        refuse!(
            visit_bool: bool,
            visit_i64: i64,
            visit_u64: u64,
            visit_i128: i128,
            visit_u128: u128,
            visit_f64: f64,
            visit_bytes: &[u8],
        );

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
