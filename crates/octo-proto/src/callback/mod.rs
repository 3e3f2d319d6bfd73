//! OCTO's calls to the shop: payment notifications (`notify_url`) and
//! tokenization callbacks (`bind_notify_url`).
//!
//! Everything here is sans-IO: a parser takes the `http::Request` a server
//! received (any body that gives bytes) and a reply is an
//! `http::Response<Vec<u8>>` for the server to send.
//!
//! - [`Notification::parse_verified`] reads a payment notification and checks
//!   its signature with a [`SignatureScheme`], giving a
//!   [`VerifiedNotification`]; answer with a [`NotificationReply`]
//!   (acknowledge, capture or cancel a held payment, or reject so that OCTO
//!   retries).
//! - [`TokenizationCallback::parse`] reads a card binding's outcome; answer
//!   with a [`TokenizationReply`] once the token is stored.
//! - [`CallbackKind::of_body`] tells the two apart, for a shop that gave
//!   OCTO one URL for both.
//! - Every refusal is a [`CallbackError`], and
//!   [`CallbackError::reply`] is the answer OCTO should get for it.
//!
//! # Notifications are hints
//!
//! A verified notification proves that OCTO said "payment X is now in
//! status S", and no more. With [`SignatureScheme::UniqueKey`] the signature
//! covers `octo_payment_UUID` and `status` only, so the same signature fits
//! every body with that status: amounts, `shop_transaction_id` and card
//! details can be copied from any genuine notification or changed at will.
//! So a notification is a reason to ask OCTO, never the answer:
//!
//! 1. verify it ([`Notification::parse_verified`]);
//! 2. check the status with OCTO
//!    ([`PaymentStatusCheck`](crate::op::PaymentStatusCheck)), or hand the
//!    notification to the payment's machine, which does that
//!    ([`Input::Notification`](crate::machine::Input::Notification));
//! 3. ship, capture or refund on what OCTO answered, with its amounts;
//! 4. reply.
//!
//! Verified and unverified notifications are different types: only a
//! [`VerifiedNotification`] turns into a machine's input. What is accepted
//! is generous: any `Content-Type`, and optional fields in odd shapes are
//! kept in `extra` and reported as [`NotificationWarning`]s instead of
//! failing a genuine notification. `docs/webhooks.md` has a complete
//! handler.
//!
//! ```
//! use octo_proto::callback::{CallbackLimits, Notification, NotificationReply, SignatureScheme};
//! use octo_proto::{NotificationKey, PaymentStatus};
//!
//! let scheme = SignatureScheme::UniqueKey(NotificationKey::new("key-from-octo"));
//!
//! // What OCTO would post (built here with the helper a sandbox uses).
//! let sent = Notification::new("order-7".parse()?, "f1e2d3c4".parse()?, PaymentStatus::Succeeded)
//!     .sign(&scheme, "salt");
//! let request = sent.to_request("https://shop.example/octo/notify".parse()?);
//!
//! let reply = match Notification::parse_verified(&request, &scheme, &CallbackLimits::default()) {
//!     Ok(notification) => {
//!         for warning in notification.warnings() {
//!             eprintln!("notification {}: {warning}", notification.octo_payment_uuid);
//!         }
//!         // Not "paid" yet: a reason to ask OCTO (or to tell the
//!         // payment's machine, which asks).
//!         NotificationReply::acknowledge()
//!     }
//!     Err(refused) => return Ok(assert!(refused.reply().status().is_client_error())),
//! };
//! assert_eq!(reply.to_response().status(), 200);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod intake;
mod kind;
mod limits;
mod notification;
mod outgoing;
mod pan;
mod reply;
mod signature;
mod tokenization;
mod warning;

pub use error::{CallbackError, SchemeName};
pub use intake::check_request_head;
pub use kind::CallbackKind;
pub use limits::CallbackLimits;
pub use notification::{Notification, UnverifiedNotification, VerifiedNotification};
pub use pan::CallbackPan;
pub use reply::{NotificationReply, TokenizationReply};
pub use signature::{SignatureScheme, SignedFields};
pub use tokenization::TokenizationCallback;
pub use warning::{JsonKind, NotificationWarning};

/// The guide in `docs/webhooks.md`, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../../docs/webhooks.md")]
pub struct WebhooksGuide;
