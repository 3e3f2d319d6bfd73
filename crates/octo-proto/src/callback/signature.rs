//! The signature on payment notifications, as a strategy.
//!
//! No source settles OCTO's formula (see the API notes), so both variants
//! seen in public are offered and the shop picks the one its account uses:
//!
//! - [`SignatureScheme::UniqueKey`]: `SHA1(unique_key + octo_payment_UUID +
//!   status)`, where `unique_key` is a key OCTO's team issues on request.
//!   Every public integration uses this one.
//! - [`SignatureScheme::SecretAndHashKey`]: `SHA1(hex(SHA1(octo_secret +
//!   hash_key)) + octo_payment_UUID + status)`, from OCTO's older page. How
//!   the inner digest is written is not documented, so verification accepts
//!   it in lower- or uppercase hex; [`sign`](SignatureScheme::sign) writes it
//!   in lowercase.
//!
//! - [`SignatureScheme::Either`]: a signature that matches either formula,
//!   for a shop that holds both keys and has not yet seen which one its
//!   account's notifications use. OCTO's own notification pages print the
//!   second formula; every public integration uses the first. Accepting
//!   both refuses no genuine notification, and a forger still needs one of
//!   the shop's two secrets. [`verify`](SignatureScheme::verify) says which
//!   formula matched, so the shop can narrow to it once it knows.
//!
//! A notification that carries no `hash_key` (left out, or `null`) can
//! only match the first formula: the second is not computed with an empty
//! salt in place of the missing one (see
//! [`UnverifiedNotification::verify`](super::UnverifiedNotification::verify)).
//!
//! Parts are joined with nothing between them. Signatures are written as 40
//! uppercase hex digits and compared case-insensitively, in constant time.
//! There is deliberately no scheme that accepts everything: test payments
//! are checked like real ones.

use sha1::{Digest, Sha1};
use subtle::{Choice, ConstantTimeEq};

use super::error::{CallbackError, SchemeName};
use crate::error::DecodeProblem;
use crate::secret::{NotificationKey, OctoSecret};

/// How notifications are signed, with the key that checks them.
///
/// `Debug` shows the scheme's name only; the key stays redacted.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// `SHA1(unique_key + octo_payment_UUID + status)`.
    UniqueKey(NotificationKey),
    /// `SHA1(hex(SHA1(octo_secret + hash_key)) + octo_payment_UUID + status)`.
    SecretAndHashKey(OctoSecret),
    /// Either of the two formulas above: a signature is accepted when it
    /// matches [`UniqueKey`](Self::UniqueKey) with `unique_key` or
    /// [`SecretAndHashKey`](Self::SecretAndHashKey) with `secret`.
    ///
    /// For a shop that is not sure which formula OCTO uses for its account:
    /// no genuine notification is refused for the wrong guess. What is
    /// signed is then the smaller of the two sets (`octo_payment_UUID` and
    /// `status`; `hash_key` only when the second formula matched, which
    /// [`verify`](Self::verify) reports). [`sign`](Self::sign) uses the
    /// second formula, the one OCTO's notification pages print.
    Either {
        /// The key OCTO issues for notification signatures.
        unique_key: NotificationKey,
        /// The shop's `octo_secret`.
        secret: OctoSecret,
    },
}

/// The parts of a notification a signature covers, exactly as sent.
///
/// `status` must be the string on the wire: `cancelled` and `canceled` sign
/// differently even though both read as [`PaymentStatus::Canceled`](crate::PaymentStatus::Canceled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedFields<'a> {
    /// `octo_payment_UUID`.
    pub octo_payment_uuid: &'a str,
    /// `status`, as sent.
    pub status: &'a str,
    /// `hash_key`, the per-notification salt (used by
    /// [`SignatureScheme::SecretAndHashKey`] only). [`verify`](SignatureScheme::verify)
    /// takes it as given, empty included; for a notification that carried
    /// no `hash_key` at all, [`UnverifiedNotification::verify`](super::UnverifiedNotification::verify)
    /// checks the `unique_key` formula only.
    pub hash_key: &'a str,
}

impl SignatureScheme {
    /// Which scheme this is, without the key.
    pub fn name(&self) -> SchemeName {
        match self {
            Self::UniqueKey(_) => SchemeName::UniqueKey,
            Self::SecretAndHashKey(_) => SchemeName::SecretAndHashKey,
            Self::Either { .. } => SchemeName::Either,
        }
    }

    /// [`Either`](Self::Either) formula, checked with the shop's two keys.
    pub fn either(unique_key: NotificationKey, secret: OctoSecret) -> Self {
        Self::Either { unique_key, secret }
    }

    /// The signature OCTO would send for `fields`: 40 uppercase hex digits.
    ///
    /// For tests and for a sandbox that plays OCTO; a shop only verifies.
    pub fn sign(&self, fields: &SignedFields<'_>) -> String {
        let prefix = match self {
            Self::UniqueKey(key) => key.expose_secret().to_owned(),
            Self::SecretAndHashKey(secret) | Self::Either { secret, .. } => {
                inner_digest(secret, fields.hash_key, Case::Lower)
            }
        };
        outer_digest(&prefix, fields)
    }

    /// Checks `signature` (hex, either case) against `fields`, and says
    /// which formula it matched: this scheme's own name, or for
    /// [`Either`](Self::Either) the one of the two that matched.
    ///
    /// The comparison runs in constant time over the digits, so timing does
    /// not tell a forger how many leading digits were right; `Either`
    /// computes both formulas whichever matches.
    pub fn verify(
        &self,
        fields: &SignedFields<'_>,
        signature: &str,
    ) -> Result<SchemeName, CallbackError> {
        let received = signature.trim().to_ascii_uppercase();
        let received = received.as_bytes();
        let matched = match self {
            Self::UniqueKey(key) => bool::from(unique_key_matches(key, fields, received))
                .then_some(SchemeName::UniqueKey),
            Self::SecretAndHashKey(secret) => bool::from(secret_matches(secret, fields, received))
                .then_some(SchemeName::SecretAndHashKey),
            Self::Either { unique_key, secret } => {
                let by_key = unique_key_matches(unique_key, fields, received);
                let by_secret = secret_matches(secret, fields, received);
                if bool::from(by_key) {
                    Some(SchemeName::UniqueKey)
                } else if bool::from(by_secret) {
                    Some(SchemeName::SecretAndHashKey)
                } else {
                    None
                }
            }
        };
        matched.ok_or(CallbackError::BadSignature {
            scheme: self.name(),
        })
    }

    /// Checks `signature` for a notification that carried no `hash_key`
    /// at all (left out, or `null`).
    ///
    /// Only the `unique_key` formula can be checked then. The secret
    /// formula is never computed with an empty salt standing in for the
    /// missing one: that salt is not what OCTO sent, and a match would
    /// claim `hash_key` was signed when there was none. So under
    /// [`SecretAndHashKey`](Self::SecretAndHashKey), and under
    /// [`Either`](Self::Either) when the `unique_key` formula does not
    /// match, the refusal is the one the secret formula alone gives: the
    /// missing `hash_key` (400).
    pub(crate) fn verify_without_hash_key(
        &self,
        octo_payment_uuid: &str,
        status: &str,
        signature: &str,
    ) -> Result<SchemeName, CallbackError> {
        let received = signature.trim().to_ascii_uppercase();
        let received = received.as_bytes();
        // The unique_key formula does not read `hash_key`.
        let fields = SignedFields {
            octo_payment_uuid,
            status,
            hash_key: "",
        };
        let missing = || CallbackError::Field {
            path: "hash_key".to_owned(),
            problem: DecodeProblem::Missing,
        };
        match self {
            Self::UniqueKey(key) => bool::from(unique_key_matches(key, &fields, received))
                .then_some(SchemeName::UniqueKey)
                .ok_or(CallbackError::BadSignature {
                    scheme: SchemeName::UniqueKey,
                }),
            Self::SecretAndHashKey(_) => Err(missing()),
            Self::Either { unique_key, .. } => {
                bool::from(unique_key_matches(unique_key, &fields, received))
                    .then_some(SchemeName::UniqueKey)
                    .ok_or_else(missing)
            }
        }
    }
}

fn unique_key_matches(key: &NotificationKey, fields: &SignedFields<'_>, received: &[u8]) -> Choice {
    matches_in_constant_time(&outer_digest(key.expose_secret(), fields), received)
}

/// The inner digest's case is not documented: either is accepted.
fn secret_matches(secret: &OctoSecret, fields: &SignedFields<'_>, received: &[u8]) -> Choice {
    [Case::Lower, Case::Upper]
        .into_iter()
        .map(|case| {
            let prefix = inner_digest(secret, fields.hash_key, case);
            matches_in_constant_time(&outer_digest(&prefix, fields), received)
        })
        .fold(Choice::from(0), |acc, c| acc | c)
}

#[derive(Clone, Copy)]
enum Case {
    Lower,
    Upper,
}

fn inner_digest(secret: &OctoSecret, hash_key: &str, case: Case) -> String {
    let digest = Sha1::new()
        .chain_update(secret.expose_secret().as_bytes())
        .chain_update(hash_key.as_bytes())
        .finalize();
    match case {
        Case::Lower => hex::encode(digest),
        Case::Upper => hex::encode_upper(digest),
    }
}

fn outer_digest(prefix: &str, fields: &SignedFields<'_>) -> String {
    let digest = Sha1::new()
        .chain_update(prefix.as_bytes())
        .chain_update(fields.octo_payment_uuid.as_bytes())
        .chain_update(fields.status.as_bytes())
        .finalize();
    hex::encode_upper(digest)
}

fn matches_in_constant_time(expected_upper: &str, received_upper: &[u8]) -> Choice {
    // Slices of different lengths compare unequal at once; the length of a
    // SHA-1 signature is public anyway.
    expected_upper.as_bytes().ct_eq(received_upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: SignedFields<'static> = SignedFields {
        octo_payment_uuid: "e3f40dc3-4955-412a-853a-2ddd28d3201f",
        status: "succeeded",
        hash_key: "6c2d0d4e-4b6e-4cb3-9f1f-5b7d6ef1a7a0",
    };

    fn sha1_upper(text: &str) -> String {
        hex::encode_upper(Sha1::digest(text.as_bytes()))
    }

    #[test]
    fn unique_key_formula() {
        let scheme = SignatureScheme::UniqueKey(NotificationKey::new("uk-123"));
        let expected = sha1_upper("uk-123e3f40dc3-4955-412a-853a-2ddd28d3201fsucceeded");
        assert_eq!(scheme.sign(&FIELDS), expected);
        assert_eq!(expected.len(), 40);
        assert!(scheme.verify(&FIELDS, &expected).is_ok());
        assert!(scheme.verify(&FIELDS, &expected.to_lowercase()).is_ok());
    }

    #[test]
    fn unique_key_ignores_hash_key() {
        let scheme = SignatureScheme::UniqueKey(NotificationKey::new("uk-123"));
        let other = SignedFields {
            hash_key: "something else",
            ..FIELDS
        };
        assert_eq!(scheme.sign(&FIELDS), scheme.sign(&other));
    }

    #[test]
    fn secret_and_hash_key_formula_accepts_both_inner_cases() {
        let scheme = SignatureScheme::SecretAndHashKey(OctoSecret::new("s3cret"));
        let inner = sha1_upper(&format!("s3cret{}", FIELDS.hash_key));
        let tail = format!("{}{}", FIELDS.octo_payment_uuid, FIELDS.status);
        let with_lower = sha1_upper(&format!("{}{tail}", inner.to_lowercase()));
        let with_upper = sha1_upper(&format!("{inner}{tail}"));
        assert_ne!(with_lower, with_upper);
        assert_eq!(scheme.sign(&FIELDS), with_lower);
        for sig in [&with_lower, &with_upper] {
            assert!(scheme.verify(&FIELDS, sig).is_ok());
            assert!(scheme.verify(&FIELDS, &sig.to_lowercase()).is_ok());
        }
    }

    #[test]
    fn either_accepts_each_formula_and_says_which() {
        let unique = SignatureScheme::UniqueKey(NotificationKey::new("uk-123"));
        let secret = SignatureScheme::SecretAndHashKey(OctoSecret::new("s3cret"));
        let either =
            SignatureScheme::either(NotificationKey::new("uk-123"), OctoSecret::new("s3cret"));
        assert_eq!(either.name(), SchemeName::Either);
        let inner_upper = sha1_upper(&format!("s3cret{}", FIELDS.hash_key));
        let upper_inner_sig = sha1_upper(&format!(
            "{inner_upper}{}{}",
            FIELDS.octo_payment_uuid, FIELDS.status
        ));
        for (signature, formula) in [
            (unique.sign(&FIELDS), SchemeName::UniqueKey),
            (secret.sign(&FIELDS), SchemeName::SecretAndHashKey),
            (upper_inner_sig, SchemeName::SecretAndHashKey),
        ] {
            assert_eq!(either.verify(&FIELDS, &signature), Ok(formula));
            assert_eq!(
                either.verify(&FIELDS, &signature.to_lowercase()),
                Ok(formula)
            );
        }
        // Signing under `Either` uses the formula OCTO's pages print.
        assert_eq!(either.sign(&FIELDS), secret.sign(&FIELDS));
        // The single schemes name themselves.
        assert_eq!(
            unique.verify(&FIELDS, &unique.sign(&FIELDS)),
            Ok(SchemeName::UniqueKey)
        );
        assert_eq!(
            secret.verify(&FIELDS, &secret.sign(&FIELDS)),
            Ok(SchemeName::SecretAndHashKey)
        );
    }

    #[test]
    fn either_refuses_what_neither_key_signed() {
        let either =
            SignatureScheme::either(NotificationKey::new("uk-123"), OctoSecret::new("s3cret"));
        // The keys swapped between the formulas: each is the wrong key.
        for forged in [
            SignatureScheme::UniqueKey(NotificationKey::new("s3cret")),
            SignatureScheme::SecretAndHashKey(OctoSecret::new("uk-123")),
            SignatureScheme::either(NotificationKey::new("other"), OctoSecret::new("other")),
        ] {
            let err = either.verify(&FIELDS, &forged.sign(&FIELDS)).unwrap_err();
            assert_eq!(
                err,
                CallbackError::BadSignature {
                    scheme: SchemeName::Either
                }
            );
            assert_eq!(err.status(), 401);
            assert_eq!(
                err.to_string(),
                "signature does not match (unique_key or secret_and_hash_key scheme)"
            );
        }
        // The salt is signed only by the second formula.
        let by_key = SignatureScheme::UniqueKey(NotificationKey::new("uk-123")).sign(&FIELDS);
        let by_secret = either.sign(&FIELDS);
        let other_salt = SignedFields {
            hash_key: "another",
            ..FIELDS
        };
        assert_eq!(
            either.verify(&other_salt, &by_key),
            Ok(SchemeName::UniqueKey)
        );
        assert!(either.verify(&other_salt, &by_secret).is_err());
    }

    #[test]
    fn every_signed_part_matters() {
        for scheme in [
            SignatureScheme::UniqueKey(NotificationKey::new("k")),
            SignatureScheme::SecretAndHashKey(OctoSecret::new("k")),
            SignatureScheme::either(NotificationKey::new("k"), OctoSecret::new("k2")),
        ] {
            let sig = scheme.sign(&FIELDS);
            let changed = [
                SignedFields {
                    octo_payment_uuid: "e3f40dc3-4955-412a-853a-2ddd28d3201e",
                    ..FIELDS
                },
                SignedFields {
                    status: "cancelled",
                    ..FIELDS
                },
            ];
            for fields in changed {
                let err = scheme.verify(&fields, &sig).unwrap_err();
                assert_eq!(
                    err,
                    CallbackError::BadSignature {
                        scheme: scheme.name()
                    }
                );
                assert_eq!(err.status(), 401);
            }
        }
        let secret = SignatureScheme::SecretAndHashKey(OctoSecret::new("k"));
        let sig = secret.sign(&FIELDS);
        let other_salt = SignedFields {
            hash_key: "another",
            ..FIELDS
        };
        assert!(secret.verify(&other_salt, &sig).is_err());
    }

    #[test]
    fn wrong_key_truncated_or_empty_signatures_fail() {
        let scheme = SignatureScheme::UniqueKey(NotificationKey::new("right"));
        let wrong = SignatureScheme::UniqueKey(NotificationKey::new("wrong"));
        let sig = scheme.sign(&FIELDS);
        assert!(wrong.verify(&FIELDS, &sig).is_err());
        assert!(scheme.verify(&FIELDS, sig.get(..39).unwrap()).is_err());
        assert!(scheme.verify(&FIELDS, &format!("{sig}0")).is_err());
        assert!(scheme.verify(&FIELDS, "").is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        let unique = SignatureScheme::UniqueKey(NotificationKey::new("very-secret-key"));
        let secret = SignatureScheme::SecretAndHashKey(OctoSecret::new("very-secret-key"));
        let either = SignatureScheme::either(
            NotificationKey::new("very-secret-key"),
            OctoSecret::new("very-secret-key"),
        );
        for scheme in [unique, secret, either] {
            let shown = format!("{scheme:?}");
            assert!(!shown.contains("very-secret-key"), "{shown}");
            let err = scheme.verify(&FIELDS, "00").unwrap_err();
            assert!(!format!("{err:?}{err}").contains("very-secret-key"));
            assert!(!format!("{err:?}{err}").contains(&scheme.sign(&FIELDS)));
        }
    }
}
