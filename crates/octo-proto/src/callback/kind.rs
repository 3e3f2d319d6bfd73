//! Telling OCTO's two callbacks apart by their bodies, for a shop that gave
//! OCTO one URL for both.

use serde::Deserialize;
use serde::de::IgnoredAny;

/// Which of OCTO's callbacks a request is.
///
/// A shop that gives OCTO the same URL as `notify_url` and
/// `bind_notify_url` receives both on one path. [`CallbackKind::of_body`]
/// tells them apart, so that each goes to its own parser: a tokenization
/// callback read as a notification is refused (it carries no signature),
/// and OCTO cancels the token after three refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallbackKind {
    /// A payment notification: read it with
    /// [`Notification::parse_verified`](super::Notification::parse_verified).
    Notification,
    /// A tokenization callback: read it with
    /// [`TokenizationCallback::parse`](super::TokenizationCallback::parse).
    Tokenization,
}

/// The members that tell the callbacks apart; every other member is
/// skipped unread.
#[derive(Deserialize)]
struct Telling {
    card_token: Option<IgnoredAny>,
    signature: Option<IgnoredAny>,
    #[serde(default)]
    status: Present,
    #[serde(default, rename = "octo_payment_UUID")]
    octo_payment_uuid: Present,
}

/// Whether a member is there at all, whatever its value (`null` included).
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(value: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(value).map(|_| Self(true))
    }
}

impl CallbackKind {
    /// The kind of the callback whose body is `body`.
    ///
    /// A payment notification always carries `signature` and
    /// `octo_payment_UUID` (both required on its page); a tokenization
    /// callback carries neither (on its page) but has `status`, and
    /// `card_token` unless the binding failed (a `failed` one may come
    /// without a token, or with `null`). So a body without `signature` is a
    /// tokenization callback when it has `card_token`, or when it has
    /// `status` and no `octo_payment_UUID`; anything else (bytes that are
    /// not a JSON object included) is read as a notification, whose
    /// signature check then refuses whatever is not one. A body is never
    /// trusted for being classed one way or the other: each parser still
    /// checks it in full.
    pub fn of_body(body: &[u8]) -> Self {
        match serde_json::from_slice::<Telling>(body) {
            Ok(Telling {
                card_token: Some(_),
                signature: None,
                ..
            }) => Self::Tokenization,
            Ok(Telling {
                signature: None,
                status: Present(true),
                octo_payment_uuid: Present(false),
                ..
            }) => Self::Tokenization,
            _ => Self::Notification,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_told_apart_by_their_members() {
        for (body, kind) in [
            (
                &br#"{"shop_transaction_id":"b","card_token":"t","status":"active"}"#[..],
                CallbackKind::Tokenization,
            ),
            (
                br#"{"shop_transaction_id":"o","octo_payment_UUID":"u","status":"succeeded","signature":"AB","hash_key":"k"}"#,
                CallbackKind::Notification,
            ),
            // A signature makes it a notification whatever else it holds.
            (
                br#"{"card_token":"t","signature":"AB"}"#,
                CallbackKind::Notification,
            ),
            (br#"{"shop_transaction_id":"o"}"#, CallbackKind::Notification),
            (b"not json", CallbackKind::Notification),
            (b"[1,2]", CallbackKind::Notification),
            (b"", CallbackKind::Notification),
            // A failed binding may come without a token (the tokenization
            // parser takes it so), or with a null one: still a tokenization
            // callback, which its parser accepts and a notification's check
            // would refuse for good.
            (
                br#"{"shop_transaction_id":"b","status":"failed"}"#,
                CallbackKind::Tokenization,
            ),
            (
                br#"{"shop_transaction_id":"b","card_token":null,"status":"failed"}"#,
                CallbackKind::Tokenization,
            ),
            // A notification's own member, unsigned: a notification, refused
            // as such.
            (
                br#"{"shop_transaction_id":"o","octo_payment_UUID":"u","status":"succeeded"}"#,
                CallbackKind::Notification,
            ),
            // A key written twice does not read: a notification, checked
            // (and refused) as such.
            (
                br#"{"card_token":"t","card_token":"u"}"#,
                CallbackKind::Notification,
            ),
        ] {
            assert_eq!(
                CallbackKind::of_body(body),
                kind,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
