//! How much a callback may weigh.

/// Limits applied to incoming callbacks.
///
/// OCTO's callbacks are a few hundred bytes; the limit exists so that a
/// server built on this crate refuses a huge body before buffering it (see
/// [`check_request_head`](super::check_request_head)) and after (the body's
/// real length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackLimits {
    max_body_bytes: usize,
}

impl CallbackLimits {
    /// The default body limit: 64 KiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

    /// The default limits.
    pub const fn new() -> Self {
        Self {
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
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
}

impl Default for CallbackLimits {
    fn default() -> Self {
        Self::new()
    }
}
