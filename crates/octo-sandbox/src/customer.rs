//! The customer's steps on the payment and binding pages: a card, an SMS
//! code, a 3-D Secure confirmation, and where the customer stands. Shared
//! by the API routes, the pages and [`Customer`](crate::Customer); the
//! status changes they lead to are in [`lifecycle`](crate::lifecycle).

use octo_proto::{CardExpiry, Pan, PaymentStatus};
use time::OffsetDateTime;

use crate::cards::{self, CardBehaviour, CardBrand};
use crate::config::TokenChargeStatus;
use crate::engine::{Engine, Tx, pan_digest};
use crate::state::{CardRecord, Challenge, ChallengeKind, PaymentRecord, Store};

/// The payment's id in the URL of one of the sandbox's payment pages
/// (`…/pay/{uuid}`, `…/pay/{uuid}/otp`, with or without a query), as
/// `octo_pay_url` and a token payment's `redirect_url` give them; `None`
/// for any other URL.
pub fn page_uuid(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    let rest = path.split("/pay/").nth(1)?;
    rest.split('/').next().filter(|id| !id.is_empty())
}

/// Where the customer stands after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// The SMS code is needed (the sandbox's code is in its config).
    CodeRequired {
        /// Seconds until the code expires.
        seconds_left: u32,
        /// The phone the code went to, masked.
        phone: String,
    },
    /// The 3-D Secure page must be confirmed.
    ThreeDSecure,
    /// The input was refused; the payment is still payable.
    Retry {
        /// Why, in words for the customer.
        message: String,
    },
    /// The payment is no longer payable: the customer returns to the shop.
    Finished {
        /// The payment's status.
        status: PaymentStatus,
        /// Where the customer goes (the shop's `return_url`).
        return_url: String,
        /// Why it failed, when it did.
        message: Option<String>,
    },
}

/// Why a customer step could not run at all.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CustomerError {
    /// No payment with this id.
    UnknownPayment,
    /// The sandbox could not save the change.
    Internal(String),
}

impl std::fmt::Display for CustomerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownPayment => f.write_str("no such payment"),
            Self::Internal(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CustomerError {}

fn finished(p: &PaymentRecord, message: Option<String>) -> Step {
    Step::Finished {
        status: p.status.clone(),
        return_url: p.return_url.clone(),
        message,
    }
}

/// Masks a phone like OCTO: `+998** *****33`.
pub(crate) fn mask_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let head = digits.get(..3).unwrap_or("");
    let tail = digits.get(digits.len().saturating_sub(2)..).unwrap_or("");
    format!("+{head}** *****{tail}")
}

impl Engine {
    /// Starts the challenge a card asks for, or decides at once.
    pub(crate) fn apply_card(
        &self,
        store: &mut Store,
        uuid: &str,
        card: CardRecord,
        phone: String,
        tx: &mut Tx,
    ) -> Step {
        let now = self.now();
        let behaviour = card.behaviour;
        let expired = card_expired(&card.exp, now);
        let Some(p) = store.payment_mut(uuid) else {
            return Step::Retry {
                message: "no such payment".into(),
            };
        };
        p.card = Some(Box::new(card));
        tx.payment(uuid);
        if expired || behaviour.is_declined() {
            let message = if expired {
                "The card has expired".to_owned()
            } else {
                behaviour.description().to_owned()
            };
            self.cancel(store, uuid, tx);
            return store
                .payment(uuid)
                .map(|p| finished(p, Some(message.clone())))
                .unwrap_or(Step::Retry { message });
        }
        let kind = match behaviour {
            CardBehaviour::SmsCode => ChallengeKind::Sms,
            CardBehaviour::ThreeDSecure => ChallengeKind::ThreeDSecure,
            // A binding always confirms the card on a page.
            _ if p.binding.is_some() => ChallengeKind::ThreeDSecure,
            _ => {
                self.authorize(store, uuid, tx);
                return store
                    .payment(uuid)
                    .map(|p| finished(p, None))
                    .unwrap_or(Step::ThreeDSecure);
            }
        };
        let verify_id = self.ids.next_number();
        tx.drew_id();
        p.challenge = Some(Box::new(Challenge {
            kind,
            verify_id,
            sent_at: now,
            wrong_codes: 0,
            resends: 0,
            phone: phone.clone(),
        }));
        // A token charge keeps `created` by default, as the pay-with-token
        // page's answer shows; a binding keeps its own status.
        let stays_created = p.binding.is_some()
            || (p.paid_with_token && self.config.token_charge_status == TokenChargeStatus::Created);
        if !stays_created {
            self.set_status(p, PaymentStatus::WaitUserAction, tx);
        }
        match kind {
            ChallengeKind::Sms => Step::CodeRequired {
                seconds_left: self.seconds_left(p, now),
                phone: mask_phone(&phone),
            },
            ChallengeKind::ThreeDSecure => Step::ThreeDSecure,
        }
    }

    /// Seconds the current SMS code has left; 0 without one.
    pub(crate) fn seconds_left(&self, p: &PaymentRecord, now: OffsetDateTime) -> u32 {
        match &p.challenge {
            Some(c) if c.kind == ChallengeKind::Sms => {
                let expires = c.sent_at.saturating_add(self.config.otp_lifetime);
                // Whole seconds, cut toward zero as `Duration::whole_seconds`.
                let left = expires
                    .unix_timestamp_nanos()
                    .saturating_sub(now.unix_timestamp_nanos())
                    / 1_000_000_000;
                u32::try_from(left.max(0)).unwrap_or(u32::MAX)
            }
            _ => 0,
        }
    }

    /// The customer typed a card on the payment page.
    pub(crate) fn submit_card(
        &self,
        uuid: &str,
        pan: &str,
        exp: &str,
        holder: Option<String>,
    ) -> Result<Step, CustomerError> {
        let pan_text: String = pan.chars().filter(|c| !c.is_whitespace()).collect();
        self.customer_tx(uuid, |store, tx| {
            let p = store.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            if !p.is_payable() || p.challenge.is_some() {
                return Ok(current_step(self, p));
            }
            if !cards::is_card_number(&pan_text) {
                return Ok(Step::Retry {
                    message: "This is not a valid card number".into(),
                });
            }
            // The sandbox's own check passed: a refusal here is octo-proto
            // disagreeing with it, said as such.
            let Ok(pan) = Pan::new(pan_text) else {
                return Err(CustomerError::Internal(
                    "octo-proto's Pan refuses a card number the sandbox accepts".into(),
                ));
            };
            let Some(exp) = parse_expiry(exp) else {
                return Ok(Step::Retry {
                    message: "The expiry date must be MM/YY".into(),
                });
            };
            let phone = p
                .user
                .as_ref()
                .map(|u| u.phone.clone())
                .unwrap_or_else(|| "998900000000".into());
            let card = card_record(&pan, exp, holder);
            Ok(self.apply_card(store, uuid, card, phone, tx))
        })
    }

    /// The customer typed the SMS code.
    pub(crate) fn submit_code(&self, uuid: &str, code: &str) -> Result<Step, CustomerError> {
        self.customer_tx(uuid, |store, tx| self.check_code(store, uuid, code, tx))
    }

    /// Checks an SMS code: three wrong ones cancel the payment.
    pub(crate) fn check_code(
        &self,
        store: &mut Store,
        uuid: &str,
        code: &str,
        tx: &mut Tx,
    ) -> Result<Step, CustomerError> {
        let now = self.now();
        let max_wrong = self.config.otp_max_wrong;
        let left = store
            .payment(uuid)
            .map(|p| self.seconds_left(p, now))
            .unwrap_or(0);
        let p = store
            .payment_mut(uuid)
            .ok_or(CustomerError::UnknownPayment)?;
        let Some(challenge) = p
            .challenge
            .as_mut()
            .filter(|c| c.kind == ChallengeKind::Sms)
        else {
            return Ok(current_step(self, p));
        };
        if left == 0 {
            return Ok(Step::Retry {
                message: "The code has expired: ask for a new one".into(),
            });
        }
        if code.trim() == self.config.otp_code {
            self.authorize(store, uuid, tx);
            let p = store.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            return Ok(finished(p, None));
        }
        challenge.wrong_codes = challenge.wrong_codes.saturating_add(1);
        let wrong = challenge.wrong_codes;
        tx.payment(uuid);
        if wrong >= max_wrong {
            self.cancel(store, uuid, tx);
            let p = store.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            return Ok(finished(
                p,
                Some(format!("{wrong} wrong codes: the payment is canceled")),
            ));
        }
        Ok(Step::Retry {
            message: format!(
                "Wrong code: {} attempts left",
                max_wrong.saturating_sub(wrong)
            ),
        })
    }

    /// The customer confirmed (or failed) the 3-D Secure page.
    pub(crate) fn submit_3ds(&self, uuid: &str, confirm: bool) -> Result<Step, CustomerError> {
        self.customer_tx(uuid, |store, tx| {
            let p = store.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            let pending = p
                .challenge
                .as_ref()
                .is_some_and(|c| c.kind == ChallengeKind::ThreeDSecure);
            if !pending {
                return Ok(current_step(self, p));
            }
            if confirm {
                self.authorize(store, uuid, tx);
            } else {
                self.cancel(store, uuid, tx);
            }
            let p = store.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            let message = (!confirm).then(|| "3-D Secure authentication failed".to_owned());
            Ok(finished(p, message))
        })
    }

    /// Where the customer stands now.
    pub(crate) fn customer_step(&self, uuid: &str) -> Result<Step, CustomerError> {
        self.customer_tx(uuid, |store, _| {
            let p = store.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            Ok(current_step(self, p))
        })
    }

    fn customer_tx(
        &self,
        uuid: &str,
        f: impl FnOnce(&mut Store, &mut Tx) -> Result<Step, CustomerError>,
    ) -> Result<Step, CustomerError> {
        let mut outcome = Err(CustomerError::UnknownPayment);
        let now = self.now();
        self.transact(|store, tx| {
            self.expire_if_due(store, uuid, now, tx);
            outcome = f(store, tx);
            Ok(())
        })
        .map_err(|r| CustomerError::Internal(r.message))?;
        outcome
    }
}

/// Where the customer stands on a payment, without changing it.
pub(crate) fn current_step(engine: &Engine, p: &PaymentRecord) -> Step {
    if !p.is_payable() {
        return finished(p, None);
    }
    match &p.challenge {
        Some(c) if c.kind == ChallengeKind::Sms => Step::CodeRequired {
            seconds_left: engine.seconds_left(p, engine.now()),
            phone: mask_phone(&c.phone),
        },
        Some(_) => Step::ThreeDSecure,
        None => Step::Retry {
            message: "Enter a card".into(),
        },
    }
}

/// `MM/YY`, `MMYY` with a slash optional, as typed on a page.
pub(crate) fn parse_expiry(text: &str) -> Option<CardExpiry> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let (mm, yy) = (digits.get(..2)?, digits.get(2..4)?);
    if digits.len() != 4 {
        return None;
    }
    let yymm = format!("{yy}{mm}");
    // The sandbox's own reading first, as for card numbers.
    if !cards::is_yymm(&yymm) {
        return None;
    }
    CardExpiry::parse_yymm(&yymm).ok()
}

fn card_expired(exp_yymm: &str, now: OffsetDateTime) -> bool {
    let Ok(exp) = CardExpiry::parse_yymm(exp_yymm) else {
        return true;
    };
    let year = 2000_i32.saturating_add(i32::from(exp.year()));
    (year, exp.month()) < (now.year(), u8::from(now.month()))
}

/// What the sandbox keeps of a card.
pub(crate) fn card_record(pan: &Pan, exp: CardExpiry, holder: Option<String>) -> CardRecord {
    CardRecord {
        first6: pan.first6().to_owned(),
        last4: pan.last4().to_owned(),
        brand: CardBrand::of(pan.expose_secret()),
        behaviour: cards::behaviour_of(pan.expose_secret()),
        exp: cards::yymm(exp),
        digest: pan_digest(pan),
        holder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_forms() {
        assert_eq!(
            parse_expiry("12/30").map(|e| e.to_yymm()),
            Some("3012".into())
        );
        assert_eq!(
            parse_expiry("1230").map(|e| e.to_yymm()),
            Some("3012".into())
        );
        assert!(parse_expiry("13/30").is_none());
        assert!(parse_expiry("1/3").is_none());
        assert!(parse_expiry("12/300").is_none());
        assert_eq!(mask_phone("998901234567"), "+998** *****67");
    }
}
