//! The settings every transport's builder takes and its client keeps.

use std::time::Duration;

use octo_proto::{Config, RetryPolicy};

/// How long establishing a connection may take, by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one attempt may take in all (connect, send, read the whole
/// body), by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest response body accepted, by default: OCTO's answers are a few
/// KiB, so anything near this is not OCTO.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// A client's settings, the same for every backend. `Config`'s own `Debug`
/// hides the secret, so this one can be printed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// The shop's config.
    pub config: Config,
    /// How long establishing a connection may take.
    pub connect_timeout: Duration,
    /// How long one attempt may take in all, body included.
    pub timeout: Duration,
    /// When to retry.
    pub retry: RetryPolicy,
    /// The largest response body accepted.
    pub max_response_bytes: usize,
}

impl Settings {
    /// `config` with the default timeouts, retry policy and size cap.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let settings = Settings::new(Config::new(1, "hunter2-not-shown"));
        assert_eq!(settings.connect_timeout, Duration::from_secs(10));
        assert_eq!(settings.timeout, Duration::from_secs(30));
        assert_eq!(settings.max_response_bytes, 1024 * 1024);
        assert!(settings.retry.jitter());
        assert_eq!(settings.retry.max_retry_after(), Duration::from_secs(5));
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
