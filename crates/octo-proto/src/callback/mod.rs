//! OCTO's calls to the shop: payment notifications (`notify_url`) and
//! tokenization callbacks (`bind_notify_url`).
//!
//! Everything here is sans-IO: a parser takes the `http::Request` a server
//! received (any body that gives bytes) and a reply is an
//! `http::Response<Vec<u8>>` for the server to send.
//!
//! - [`Notification::parse_verified`] reads a payment notification and checks
//!   its signature with a [`SignatureScheme`]; answer with a
//!   [`NotificationReply`] (acknowledge, capture or cancel a held payment, or
//!   reject so that OCTO retries).
//! - [`TokenizationCallback::parse`] reads a card binding's outcome; answer
//!   with a [`TokenizationReply`] once the token is stored.
//! - Every refusal is a [`CallbackError`], and
//!   [`CallbackError::reply`] is the answer OCTO should get for it.
//!
//! The safe order for a notification: verify, confirm the status with OCTO
//! ([`PaymentStatusCheck`](crate::op::PaymentStatusCheck)), act, then reply.
//! `docs/webhooks.md` has a complete handler.
//!
//! ```
//! use octo_proto::callback::{CallbackLimits, Notification, NotificationReply, SignatureScheme};
//! use octo_proto::{NotificationKey, PaymentStatus};
//!
//! let scheme = SignatureScheme::UniqueKey(NotificationKey::new("key-from-octo"));
//!
//! // What OCTO would post (built here with the helper a sandbox uses).
//! let sent = Notification::new("order-7".parse()?, "f1e2d3c4".parse()?, PaymentStatus::WaitingForCapture)
//!     .sign(&scheme, "salt");
//! let request = sent.to_request("https://shop.example/octo/notify".parse()?);
//!
//! let reply = match Notification::parse_verified(&request, &scheme, &CallbackLimits::default()) {
//!     Ok(n) if n.awaits_decision() => NotificationReply::capture(),
//!     Ok(_) => NotificationReply::acknowledge(),
//!     Err(refused) => return Ok(assert!(refused.reply().status().is_client_error())),
//! };
//! assert_eq!(reply.to_response().body(), br#"{"accept_status":"capture"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod intake;
mod limits;
mod notification;
mod outgoing;
mod pan;
mod reply;
mod signature;
mod tokenization;

pub use error::{CallbackError, SchemeName};
pub use intake::check_request_head;
pub use limits::CallbackLimits;
pub use notification::{Notification, UnverifiedNotification};
pub use pan::CallbackPan;
pub use reply::{NotificationReply, TokenizationReply};
pub use signature::{SignatureScheme, SignedFields};
pub use tokenization::TokenizationCallback;

/// The guide in `docs/webhooks.md`, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../../docs/webhooks.md")]
pub struct WebhooksGuide;
