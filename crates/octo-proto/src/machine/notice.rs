//! What the machines take from OCTO's calls to the shop: a verified
//! payment notification ([`PaymentNotice`]) and a tokenization callback
//! ([`TokenNotice`]).

use crate::callback::{TokenizationCallback, VerifiedNotification};
use crate::card::MaskedPan;
use crate::enums::{PaymentStatus, TokenStatus};
use crate::ids::{PaymentUuid, ShopTransactionId};
use crate::secret::CardToken;

/// A verified payment notification, as far as the machines care: a signed
/// hint that a payment's status changed.
///
/// It is made only from a [`VerifiedNotification`], and it carries no
/// amount: with the `unique_key` scheme the signature covers the payment's
/// id and status only, so the amounts beside them prove nothing. A machine
/// that gets one asks OCTO for the status
/// ([`PaymentStatusCheck`](crate::op::PaymentStatusCheck)) and takes amounts and outcomes from the answer.
///
/// ```
/// use octo_proto::callback::{CallbackLimits, Notification, SignatureScheme};
/// use octo_proto::machine::{Input, PaymentNotice};
/// use octo_proto::{NotificationKey, PaymentStatus};
///
/// let scheme = SignatureScheme::UniqueKey(NotificationKey::new("key"));
/// let request = Notification::new("order-1".parse()?, "uuid-1".parse()?, PaymentStatus::Succeeded)
///     .sign(&scheme, "salt")
///     .to_request("https://shop.example/notify".parse()?);
/// let verified = Notification::parse_verified(&request, &scheme, &CallbackLimits::default())?;
/// let notice = PaymentNotice::from(&verified);
/// assert_eq!(notice.status(), &PaymentStatus::Succeeded);
/// let _input = Input::Notification(notice);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A plain [`Notification`](crate::callback::Notification), built or read
/// without a check, does not become one:
///
/// ```compile_fail
/// use octo_proto::callback::Notification;
/// use octo_proto::machine::PaymentNotice;
/// use octo_proto::PaymentStatus;
///
/// let built = Notification::new("order-1".parse()?, "uuid-1".parse()?, PaymentStatus::Succeeded);
/// let notice = PaymentNotice::from(&built);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```compile_fail
/// use octo_proto::callback::{CallbackLimits, Notification};
/// use octo_proto::machine::PaymentNotice;
///
/// let request = http::Request::new(Vec::<u8>::new());
/// let unverified = Notification::parse_unverified(&request, &CallbackLimits::default())?;
/// let notice = PaymentNotice::from(&unverified.into_unverified());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```compile_fail
/// use octo_proto::machine::PaymentNotice;
/// use octo_proto::PaymentStatus;
///
/// let notice = PaymentNotice::new("order-1".parse()?, PaymentStatus::Succeeded);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNotice {
    shop_transaction_id: ShopTransactionId,
    octo_payment_uuid: PaymentUuid,
    status: PaymentStatus,
}

impl PaymentNotice {
    /// The shop's id of the payment (not covered by the signature).
    pub fn shop_transaction_id(&self) -> &ShopTransactionId {
        &self.shop_transaction_id
    }

    /// OCTO's id of the payment (signed).
    pub fn octo_payment_uuid(&self) -> &PaymentUuid {
        &self.octo_payment_uuid
    }

    /// The status the notification names (signed).
    pub fn status(&self) -> &PaymentStatus {
        &self.status
    }
}

impl From<&VerifiedNotification> for PaymentNotice {
    fn from(n: &VerifiedNotification) -> Self {
        Self {
            shop_transaction_id: n.shop_transaction_id.clone(),
            octo_payment_uuid: n.octo_payment_uuid.clone(),
            status: n.status.clone(),
        }
    }
}

/// What a tokenization callback says, as far as the machines care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenNotice {
    /// The shop's id of the binding.
    pub shop_transaction_id: ShopTransactionId,
    /// The token (secret).
    pub card_token: CardToken,
    /// `active` or `failed`.
    pub status: TokenStatus,
    /// The callback's card (its `pan`) masked to first six and last four.
    /// A binding accepts an `active` callback only for the card it binds.
    pub card: Option<MaskedPan>,
}

impl TokenNotice {
    /// A notice without a card: what a callback without a `pan` gives.
    pub fn new(
        shop_transaction_id: ShopTransactionId,
        card_token: CardToken,
        status: TokenStatus,
    ) -> Self {
        Self::from(&TokenizationCallback::new(
            shop_transaction_id,
            card_token,
            status,
        ))
    }

    /// The same notice, for `card`.
    #[must_use]
    pub fn with_card(mut self, card: MaskedPan) -> Self {
        self.card = Some(card);
        self
    }
}

impl From<&TokenizationCallback> for TokenNotice {
    fn from(c: &TokenizationCallback) -> Self {
        Self {
            shop_transaction_id: c.shop_transaction_id.clone(),
            card_token: c.card_token.clone(),
            status: c.status.clone(),
            card: c.pan.as_ref().and_then(|p| p.to_masked_pan()),
        }
    }
}
