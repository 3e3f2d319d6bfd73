//! OCTO's calls to the shop: payment notifications (`notify_url`) and
//! tokenization callbacks (`bind_notify_url`).

mod notification;
mod tokenization;

pub use notification::Notification;
pub use tokenization::TokenizationCallback;
