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

/// The two members that tell the callbacks apart; every other member is
/// skipped unread.
#[derive(Deserialize)]
struct Telling {
    card_token: Option<IgnoredAny>,
    signature: Option<IgnoredAny>,
}

impl CallbackKind {
    /// The kind of the callback whose body is `body`.
    ///
    /// A payment notification always carries `signature` (it is required on
    /// its page); a tokenization callback carries `card_token` and, on its
    /// page, no signature. So a body with `card_token` and without
    /// `signature` is a tokenization callback, and anything else (bytes that
    /// are not a JSON object included) is read as a notification, whose
    /// signature check then refuses whatever is not one. A body is never
    /// trusted for being classed one way or the other: each parser still
    /// checks it in full.
    pub fn of_body(body: &[u8]) -> Self {
        match serde_json::from_slice::<Telling>(body) {
            Ok(Telling {
                card_token: Some(_),
                signature: None,
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
