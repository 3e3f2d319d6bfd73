//! How a payment moves: the customer's card, code and 3-D Secure steps, the
//! shop's capture or cancel, and expiry. Shared by the API routes, the
//! pages and [`Customer`](crate::Customer).

use octo_proto::{AcceptStatus, CardExpiry, Pan, PaymentStatus, TokenStatus};
use time::OffsetDateTime;

use crate::cards::{self, CardBehaviour, CardBrand};
use crate::codes;
use crate::engine::{Engine, Tx, pan_digest};
use crate::state::{CardRecord, Challenge, ChallengeKind, Ledger, PaymentRecord};
use crate::wire::Reject;

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
    /// Moves a payment to `status`, announcing it.
    pub(crate) fn set_status(&self, p: &mut PaymentRecord, status: PaymentStatus, tx: &mut Tx) {
        if p.status == status {
            return;
        }
        p.status = status;
        if p.status != PaymentStatus::WaitUserAction || p.binding.is_none() {
            tx.notify_status(&p.uuid);
        }
        tx.payment(&p.uuid);
    }

    /// Ends a payment unpaid; a binding's token fails with it.
    pub(crate) fn cancel(&self, ledger: &mut Ledger, uuid: &str, tx: &mut Tx) {
        let Some(p) = ledger.payment_mut(uuid) else {
            return;
        };
        p.challenge = None;
        p.hold_expires_at = None;
        self.set_status(p, PaymentStatus::Canceled, tx);
        let token = p.binding.as_ref().map(|b| b.token.clone());
        if let Some(token) = token {
            self.end_binding(ledger, uuid, &token, TokenStatus::Failed, tx);
        }
    }

    fn end_binding(
        &self,
        ledger: &mut Ledger,
        uuid: &str,
        token: &str,
        status: TokenStatus,
        tx: &mut Tx,
    ) {
        if let Some(t) = ledger.token_mut(token) {
            t.status = status;
            tx.token(token);
            tx.notify_tokenization(uuid);
        }
    }

    /// The customer's payment went through (card, code or 3-D Secure).
    fn authorize(&self, ledger: &mut Ledger, uuid: &str, tx: &mut Tx) {
        let now = self.now();
        let hold = self.config.hold_duration;
        let Some(p) = ledger.payment_mut(uuid) else {
            return;
        };
        p.challenge = None;
        if p.binding.is_some() {
            // The test charge is returned at once, as OCTO does.
            p.payed_at = Some(now);
            p.refunded_sum = p.total_sum;
            self.set_status(p, PaymentStatus::Succeeded, tx);
            let token = p
                .binding
                .as_ref()
                .map(|b| b.token.clone())
                .unwrap_or_default();
            self.end_binding(ledger, uuid, &token, TokenStatus::Active, tx);
        } else if p.auto_capture {
            p.payed_at = Some(now);
            self.set_status(p, PaymentStatus::Succeeded, tx);
        } else {
            let until = now.saturating_add(hold);
            p.hold_expires_at = Some(until);
            self.set_status(p, PaymentStatus::WaitingForCapture, tx);
            ledger.add_deadline(until, uuid);
        }
    }

    /// Expires `uuid` if its ttl or hold has passed. Returns whether it did.
    pub(crate) fn expire_if_due(
        &self,
        ledger: &mut Ledger,
        uuid: &str,
        now: OffsetDateTime,
        tx: &mut Tx,
    ) -> bool {
        let due = match ledger.payment(uuid) {
            Some(p) if p.is_payable() => p.expires_at <= now,
            Some(p) if p.status == PaymentStatus::WaitingForCapture => {
                p.hold_expires_at.is_some_and(|at| at <= now)
            }
            _ => false,
        };
        if due {
            self.cancel(ledger, uuid, tx);
        }
        due
    }

    /// Expires every payment whose deadline has passed. Returns how many.
    pub(crate) fn sweep(&self) -> Result<usize, Reject> {
        let now = self.now();
        self.transact(|ledger, tx| {
            let mut n: usize = 0;
            for uuid in ledger.take_due(now) {
                if self.expire_if_due(ledger, &uuid, now, tx) {
                    n = n.saturating_add(1);
                }
            }
            Ok(n)
        })
    }

    /// Starts the challenge a card asks for, or decides at once.
    pub(crate) fn apply_card(
        &self,
        ledger: &mut Ledger,
        uuid: &str,
        card: CardRecord,
        phone: String,
        tx: &mut Tx,
    ) -> Step {
        let now = self.now();
        let behaviour = card.behaviour;
        let expired = card_expired(&card.exp, now);
        let Some(p) = ledger.payment_mut(uuid) else {
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
            self.cancel(ledger, uuid, tx);
            return ledger
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
                self.authorize(ledger, uuid, tx);
                return ledger
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
        if p.binding.is_none() {
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
        self.customer_tx(uuid, |ledger, tx| {
            let p = ledger.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            if !p.is_payable() || p.challenge.is_some() {
                return Ok(current_step(self, p));
            }
            let Ok(pan) = Pan::new(pan_text) else {
                return Ok(Step::Retry {
                    message: "This is not a valid card number".into(),
                });
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
            Ok(self.apply_card(ledger, uuid, card, phone, tx))
        })
    }

    /// The customer typed the SMS code.
    pub(crate) fn submit_code(&self, uuid: &str, code: &str) -> Result<Step, CustomerError> {
        self.customer_tx(uuid, |ledger, tx| self.check_code(ledger, uuid, code, tx))
    }

    /// Checks an SMS code: three wrong ones cancel the payment.
    pub(crate) fn check_code(
        &self,
        ledger: &mut Ledger,
        uuid: &str,
        code: &str,
        tx: &mut Tx,
    ) -> Result<Step, CustomerError> {
        let now = self.now();
        let max_wrong = self.config.otp_max_wrong;
        let left = ledger
            .payment(uuid)
            .map(|p| self.seconds_left(p, now))
            .unwrap_or(0);
        let p = ledger
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
            self.authorize(ledger, uuid, tx);
            let p = ledger.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            return Ok(finished(p, None));
        }
        challenge.wrong_codes = challenge.wrong_codes.saturating_add(1);
        let wrong = challenge.wrong_codes;
        tx.payment(uuid);
        if wrong >= max_wrong {
            self.cancel(ledger, uuid, tx);
            let p = ledger.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
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
        self.customer_tx(uuid, |ledger, tx| {
            let p = ledger.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            let pending = p
                .challenge
                .as_ref()
                .is_some_and(|c| c.kind == ChallengeKind::ThreeDSecure);
            if !pending {
                return Ok(current_step(self, p));
            }
            if confirm {
                self.authorize(ledger, uuid, tx);
            } else {
                self.cancel(ledger, uuid, tx);
            }
            let p = ledger.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            let message = (!confirm).then(|| "3-D Secure authentication failed".to_owned());
            Ok(finished(p, message))
        })
    }

    /// Where the customer stands now.
    pub(crate) fn customer_step(&self, uuid: &str) -> Result<Step, CustomerError> {
        self.customer_tx(uuid, |ledger, _| {
            let p = ledger.payment(uuid).ok_or(CustomerError::UnknownPayment)?;
            Ok(current_step(self, p))
        })
    }

    fn customer_tx(
        &self,
        uuid: &str,
        f: impl FnOnce(&mut Ledger, &mut Tx) -> Result<Step, CustomerError>,
    ) -> Result<Step, CustomerError> {
        let mut outcome = Err(CustomerError::UnknownPayment);
        let now = self.now();
        self.transact(|ledger, tx| {
            self.expire_if_due(ledger, uuid, now, tx);
            outcome = f(ledger, tx);
            Ok(())
        })
        .map_err(|r| CustomerError::Internal(r.message))?;
        outcome
    }

    /// The shop's (or its notification reply's) capture or cancel.
    pub(crate) fn decide(
        &self,
        ledger: &mut Ledger,
        uuid: &str,
        decision: AcceptStatus,
        final_amount: Option<rust_decimal::Decimal>,
        tx: &mut Tx,
    ) -> Result<(), Reject> {
        let now = self.now();
        let p = ledger
            .payment_mut(uuid)
            .ok_or_else(|| Reject::format(format!("no payment {uuid}")))?;
        match (&p.status, decision) {
            (PaymentStatus::WaitingForCapture, AcceptStatus::Capture) => {
                if let Some(amount) = final_amount {
                    if amount > p.total_sum {
                        return Err(Reject::new(
                            codes::set_accept::INVALID_AMOUNT,
                            format!(
                                "final_amount {amount} is more than the held {}",
                                p.total_sum
                            ),
                        ));
                    }
                    if self.config.strict && amount <= rust_decimal::Decimal::ZERO {
                        return Err(Reject::new(
                            codes::set_accept::INVALID_AMOUNT,
                            format!("final_amount {amount} must be positive (strict)"),
                        ));
                    }
                    p.total_sum = amount;
                }
                p.payed_at = Some(now);
                p.hold_expires_at = None;
                self.set_status(p, PaymentStatus::Succeeded, tx);
                Ok(())
            }
            (PaymentStatus::WaitingForCapture, AcceptStatus::Cancel) => {
                self.cancel(ledger, uuid, tx);
                Ok(())
            }
            // The same decision again (a retried call) changes nothing.
            (PaymentStatus::Succeeded, AcceptStatus::Capture)
            | (PaymentStatus::Canceled, AcceptStatus::Cancel) => Ok(()),
            (status, _) => Err(Reject::format(format!(
                "the payment is {status}, not waiting_for_capture"
            ))),
        }
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
    CardExpiry::parse_yymm(&format!("{yy}{mm}")).ok()
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
        exp: exp.to_yymm(),
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
