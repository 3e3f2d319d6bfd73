//! What every request needs: where OCTO is, and who the shop is.

use time::UtcOffset;

use crate::error::{InputError, InputProblem};
use crate::ids::ShopId;
use crate::secret::OctoSecret;

/// OCTO's production address.
pub const DEFAULT_BASE_URL: &str = "https://secure.octo.uz";

/// The path of the binding OTP check. One OCTO page names
/// `/bind_card/check_sms` instead; [`Config::with_check_sms_key_path`]
/// switches.
pub const DEFAULT_CHECK_SMS_KEY_PATH: &str = "/bind_card/check_sms_key";

/// The zone `init_time` is written in unless the config says otherwise:
/// Tashkent, UTC+05:00 all year (Uzbekistan keeps no daylight saving time).
/// OCTO's pages name no zone; this is an assumption, see
/// [`Config::with_init_time_offset`].
pub const DEFAULT_INIT_TIME_OFFSET: UtcOffset = time::macros::offset!(+5);

/// The shop's credentials and OCTO's address.
///
/// `Debug` never shows the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    base_url: String,
    /// `base_url`, parsed once: every request's URI starts from it.
    base_uri: http::Uri,
    shop_id: ShopId,
    secret: OctoSecret,
    test: bool,
    check_sms_key_path: String,
    /// Fidelity settings: what this shop sends where OCTO's pages are silent.
    fidelity: Fidelity,
}

/// The settings that decide how closely requests follow OCTO's current
/// pages (see `docs/protocol-notes.md`, "Fidelity choices").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fidelity {
    unlisted_languages: bool,
    init_time_offset: UtcOffset,
}

impl Default for Fidelity {
    fn default() -> Self {
        Self {
            unlisted_languages: false,
            init_time_offset: DEFAULT_INIT_TIME_OFFSET,
        }
    }
}

impl Config {
    /// Credentials for the production API, real payments.
    pub fn new(shop_id: impl Into<ShopId>, secret: impl Into<OctoSecret>) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            base_uri: http::Uri::from_static(DEFAULT_BASE_URL),
            shop_id: shop_id.into(),
            secret: secret.into(),
            test: false,
            check_sms_key_path: DEFAULT_CHECK_SMS_KEY_PATH.to_owned(),
            fidelity: Fidelity::default(),
        }
    }

    /// Points the client somewhere else (a sandbox, a test server). The URL
    /// must be absolute `http` or `https`; a trailing slash is dropped.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self, InputError> {
        let trimmed = base_url.trim_end_matches('/');
        let uri: http::Uri = trimmed
            .parse()
            .map_err(|_| InputError::new("base_url", InputProblem::Format("an absolute URL")))?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        if !scheme_ok || uri.host().is_none() || uri.query().is_some() {
            return Err(InputError::new(
                "base_url",
                InputProblem::Format("an http or https URL without query"),
            ));
        }
        self.base_url = trimmed.to_owned();
        self.base_uri = uri;
        Ok(self)
    }

    /// Marks payments created with this config as test payments (`"test":
    /// true`), unless a request says otherwise.
    pub fn with_test(mut self, test: bool) -> Self {
        self.test = test;
        self
    }

    /// Overrides the path of the binding OTP check (default
    /// [`DEFAULT_CHECK_SMS_KEY_PATH`]).
    pub fn with_check_sms_key_path(mut self, path: &str) -> Result<Self, InputError> {
        if !path.starts_with('/') || path.parse::<http::uri::PathAndQuery>().is_err() {
            return Err(InputError::new(
                "check_sms_key_path",
                InputProblem::Format("a path starting with /"),
            ));
        }
        self.check_sms_key_path = path.to_owned();
        Ok(self)
    }

    /// OCTO's address, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The URI of `path` under OCTO's address.
    pub(crate) fn uri_for(&self, path: &str) -> Option<http::Uri> {
        let base = &self.base_uri;
        match (base.scheme(), base.authority(), base.path()) {
            // The usual case: an address without a path of its own, so the
            // parsed scheme and host are reused as they are.
            (Some(scheme), Some(authority), "/" | "") => http::Uri::builder()
                .scheme(scheme.clone())
                .authority(authority.clone())
                .path_and_query(path)
                .build()
                .ok(),
            _ => format!("{}{}", self.base_url, path).parse().ok(),
        }
    }

    /// The shop's id.
    pub fn shop_id(&self) -> ShopId {
        self.shop_id
    }

    /// The shop's secret.
    pub fn secret(&self) -> &OctoSecret {
        &self.secret
    }

    /// Whether payments default to test mode.
    pub fn test(&self) -> bool {
        self.test
    }

    /// The binding OTP check path in use.
    pub fn check_sms_key_path(&self) -> &str {
        &self.check_sms_key_path
    }

    /// Lets `prepare_payment` send a page language OCTO's current pages do
    /// not list: `oz` (from the legacy page) or any other code. Off by
    /// default, so that only `en`, `uz` and `ru` go out.
    pub fn with_unlisted_languages(mut self, allow: bool) -> Self {
        self.fidelity.unlisted_languages = allow;
        self
    }

    /// Whether languages the current pages do not list may be sent.
    pub fn unlisted_languages(&self) -> bool {
        self.fidelity.unlisted_languages
    }

    /// The zone an instant given as `init_time` is written in (default
    /// [`DEFAULT_INIT_TIME_OFFSET`], Tashkent). OCTO's pages give the format
    /// `yyyy-MM-dd HH:mm:ss` and no zone.
    pub fn with_init_time_offset(mut self, offset: UtcOffset) -> Self {
        self.fidelity.init_time_offset = offset;
        self
    }

    /// The zone `init_time` is written in.
    pub fn init_time_offset(&self) -> UtcOffset {
        self.fidelity.init_time_offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_checked() {
        let c = Config::new(1, "s");
        assert_eq!(c.base_url(), DEFAULT_BASE_URL);
        let c = c.with_base_url("http://127.0.0.1:8080/").unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:8080");
        assert!(Config::new(1, "s").with_base_url("ftp://x").is_err());
        assert!(Config::new(1, "s").with_base_url("not a url").is_err());
        assert!(Config::new(1, "s").with_base_url("/relative").is_err());
        assert!(!format!("{c:?}").contains("\"s\""));
        assert_eq!(
            c.uri_for("/refund").unwrap(),
            "http://127.0.0.1:8080/refund"
        );
        let prefixed = Config::new(1, "s")
            .with_base_url("https://gw.example/octo/")
            .unwrap();
        assert_eq!(
            prefixed.uri_for("/pay/abc").unwrap(),
            "https://gw.example/octo/pay/abc"
        );
        assert_eq!(
            Config::new(1, "s").uri_for("/prepare_payment").unwrap(),
            "https://secure.octo.uz/prepare_payment"
        );
    }

    #[test]
    fn fidelity_defaults() {
        let c = Config::new(1, "s");
        assert!(!c.unlisted_languages());
        assert_eq!(c.init_time_offset(), time::macros::offset!(+05:00));
        let c = c
            .with_unlisted_languages(true)
            .with_init_time_offset(time::UtcOffset::UTC);
        assert!(c.unlisted_languages());
        assert_eq!(c.init_time_offset(), time::UtcOffset::UTC);
    }
}
