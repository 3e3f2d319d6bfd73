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
//! Parts are joined with nothing between them. Signatures are written as 40
//! uppercase hex digits and compared case-insensitively, in constant time.
//! There is deliberately no scheme that accepts everything: test payments
//! are checked like real ones.

use sha1::{Digest, Sha1};
use subtle::{Choice, ConstantTimeEq};

use super::error::{CallbackError, SchemeName};
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
    /// [`SignatureScheme::SecretAndHashKey`] only).
    pub hash_key: &'a str,
}

impl SignatureScheme {
    /// Which scheme this is, without the key.
    pub fn name(&self) -> SchemeName {
        match self {
            Self::UniqueKey(_) => SchemeName::UniqueKey,
            Self::SecretAndHashKey(_) => SchemeName::SecretAndHashKey,
        }
    }

    /// The signature OCTO would send for `fields`: 40 uppercase hex digits.
    ///
    /// For tests and for a sandbox that plays OCTO; a shop only verifies.
    pub fn sign(&self, fields: &SignedFields<'_>) -> String {
        let prefix = match self {
            Self::UniqueKey(key) => key.expose_secret().to_owned(),
            Self::SecretAndHashKey(secret) => inner_digest(secret, fields.hash_key, Case::Lower),
        };
        outer_digest(&prefix, fields)
    }

    /// Checks `signature` (hex, either case) against `fields`.
    ///
    /// The comparison runs in constant time over the digits, so timing does
    /// not tell a forger how many leading digits were right.
    pub fn verify(&self, fields: &SignedFields<'_>, signature: &str) -> Result<(), CallbackError> {
        let received = signature.trim().to_ascii_uppercase();
        let received = received.as_bytes();
        let matches = match self {
            Self::UniqueKey(key) => {
                matches_in_constant_time(&outer_digest(key.expose_secret(), fields), received)
            }
            Self::SecretAndHashKey(secret) => [Case::Lower, Case::Upper]
                .into_iter()
                .map(|case| {
                    let prefix = inner_digest(secret, fields.hash_key, case);
                    matches_in_constant_time(&outer_digest(&prefix, fields), received)
                })
                .fold(Choice::from(0), |acc, c| acc | c),
        };
        if bool::from(matches) {
            Ok(())
        } else {
            Err(CallbackError::BadSignature {
                scheme: self.name(),
            })
        }
    }
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
    fn every_signed_part_matters() {
        for scheme in [
            SignatureScheme::UniqueKey(NotificationKey::new("k")),
            SignatureScheme::SecretAndHashKey(OctoSecret::new("k")),
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
        for scheme in [unique, secret] {
            let shown = format!("{scheme:?}");
            assert!(!shown.contains("very-secret-key"), "{shown}");
            let err = scheme.verify(&FIELDS, "00").unwrap_err();
            assert!(!format!("{err:?}{err}").contains("very-secret-key"));
            assert!(!format!("{err:?}{err}").contains(&scheme.sign(&FIELDS)));
        }
    }
}
