//! How much a callback may weigh, and how strictly a notification is read.

/// Limits applied to incoming callbacks, and how strictly a payment
/// notification's unsigned parts are read.
///
/// OCTO's callbacks are a few hundred bytes; the limit exists so that a
/// server built on this crate refuses a huge body before buffering it (see
/// [`check_request_head`](super::check_request_head)) and after (the body's
/// real length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackLimits {
    max_body_bytes: usize,
    hash_key_required: bool,
}

impl CallbackLimits {
    /// The default body limit: 64 KiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

    /// The default limits: 64 KiB, and a notification without `hash_key`
    /// accepted where its formula does not need one (see
    /// [`with_hash_key_required`](Self::with_hash_key_required)).
    pub const fn new() -> Self {
        Self {
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            hash_key_required: false,
        }
    }

    /// Sets the largest body accepted, in bytes.
    #[must_use]
    pub const fn with_max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.max_body_bytes = max_body_bytes;
        self
    }

    /// The largest body accepted, in bytes.
    pub const fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Whether a payment notification without `hash_key` (left out, or
    /// `null`) is refused (400) whatever the signature formula.
    ///
    /// Off by default. The `unique_key` formula does not sign `hash_key`,
    /// so a notification signed with it verifies without one; the secret
    /// formula signs `hash_key` and refuses a notification without it
    /// either way. Turning this on refuses the first kind too, as OCTO's
    /// pages mark the field required; the price is a genuine notification
    /// refused should OCTO ever leave it out (see `docs/protocol-notes.md`,
    /// "A notification without `hash_key`").
    #[must_use]
    pub const fn with_hash_key_required(mut self, required: bool) -> Self {
        self.hash_key_required = required;
        self
    }

    /// Whether a notification without `hash_key` is refused whatever the
    /// formula (see [`with_hash_key_required`](Self::with_hash_key_required)).
    pub const fn hash_key_required(&self) -> bool {
        self.hash_key_required
    }
}

impl Default for CallbackLimits {
    fn default() -> Self {
        Self::new()
    }
}
