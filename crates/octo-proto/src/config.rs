//! What every request needs: where OCTO is, and who the shop is.

use time::UtcOffset;

use crate::error::{InputError, InputProblem};
use crate::ids::ShopId;
use crate::secret::OctoSecret;

/// OCTO's production address.
pub const DEFAULT_BASE_URL: &str = "https://secure.octo.uz";

/// What every request says in `User-Agent` unless the config names another
/// ([`Config::with_user_agent`]): this SDK and its version. OCTO's pages
/// ask for no header but `Content-Type`; every public integration's HTTP
/// library sends its own name, so a request without one is the untested
/// case (a firewall in front of an API may refuse it).
pub const DEFAULT_USER_AGENT: &str = concat!("octo-rs/", env!("CARGO_PKG_VERSION"));

/// The longest `User-Agent` [`Config::with_user_agent`] takes.
pub const MAX_USER_AGENT_LEN: usize = 256;

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
    /// The URIs of OCTO's fixed paths under `base_url`, built with it.
    known: KnownUris,
    shop_id: ShopId,
    secret: OctoSecret,
    /// The opening every signed body shares, written once from `shop_id`
    /// and `secret`.
    signed: SignedPrefix,
    test: bool,
    check_sms_key_path: String,
    /// Sent as `User-Agent` with every request.
    user_agent: http::HeaderValue,
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
        let (shop_id, secret) = (shop_id.into(), secret.into());
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            base_uri: http::Uri::from_static(DEFAULT_BASE_URL),
            known: KnownUris::default(),
            signed: SignedPrefix::of(shop_id, &secret),
            shop_id,
            secret,
            test: false,
            check_sms_key_path: DEFAULT_CHECK_SMS_KEY_PATH.to_owned(),
            user_agent: http::HeaderValue::from_static(DEFAULT_USER_AGENT),
            fidelity: Fidelity::default(),
        }
    }

    /// Points the client somewhere else (a sandbox, a gateway in front of
    /// OCTO). The URL must be absolute `https`, or plain `http` to a
    /// loopback address only (`127.0.0.0/8`, `::1`, `localhost`): every
    /// request carries the shop's secret, and often card data, so it does
    /// not cross a network unencrypted. A trailing slash is dropped. A user
    /// or password in the URL (`https://user:pw@host`) is refused: no
    /// transport sends it, and the address is printed in `Debug` and errors.
    ///
    /// Plain `http` to any other host is refused with
    /// [`InputProblem::PlainHttp`]; [`with_insecure_base_url`](Self::with_insecure_base_url)
    /// accepts it when you mean it (a sandbox on another machine of a
    /// private test network).
    pub fn with_base_url(self, base_url: &str) -> Result<Self, InputError> {
        let uri = parse_base_url(base_url)?;
        if uri.scheme_str() == Some("http") && !uri.host().is_some_and(is_loopback_host) {
            return Err(InputError::new("base_url", InputProblem::PlainHttp));
        }
        Ok(self.set_base_url(base_url, uri))
    }

    /// Like [`with_base_url`](Self::with_base_url), but also accepts plain
    /// `http` to any host. The secret, card numbers and tokens then travel
    /// unencrypted: use it only for test servers on a network you trust,
    /// never for OCTO itself.
    pub fn with_insecure_base_url(self, base_url: &str) -> Result<Self, InputError> {
        let uri = parse_base_url(base_url)?;
        Ok(self.set_base_url(base_url, uri))
    }

    fn set_base_url(mut self, base_url: &str, uri: http::Uri) -> Self {
        self.base_url = base_url.trim_end_matches('/').to_owned();
        self.base_uri = uri;
        self.known = KnownUris::under(&self.base_url, &self.base_uri);
        self
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

    /// Sets what every request says in `User-Agent` (default
    /// [`DEFAULT_USER_AGENT`]), such as `"my-shop/2.1 octo-rs/0.1"`.
    /// Printable ASCII (letters, digits, punctuation and spaces), 1 to
    /// [`MAX_USER_AGENT_LEN`] characters once leading and trailing spaces
    /// are dropped. Anything else is refused with an [`InputError`] on
    /// `user_agent`: [`InputProblem::Empty`], [`InputProblem::OutOfRange`]
    /// for the length, [`InputProblem::Format`] for any other character
    /// (a tab, a line break, a letter outside ASCII).
    pub fn with_user_agent(mut self, user_agent: &str) -> Result<Self, InputError> {
        let user_agent = user_agent.trim_matches(' ');
        if user_agent.is_empty() {
            return Err(InputError::new("user_agent", InputProblem::Empty));
        }
        if user_agent.len() > MAX_USER_AGENT_LEN {
            return Err(InputError::new(
                "user_agent",
                InputProblem::OutOfRange {
                    min: 1,
                    max: i64::try_from(MAX_USER_AGENT_LEN).unwrap_or(i64::MAX),
                },
            ));
        }
        let printable = user_agent.bytes().all(|b| (b' '..=b'~').contains(&b));
        let value = http::HeaderValue::from_str(user_agent)
            .ok()
            .filter(|_| printable)
            .ok_or(InputError::new(
                "user_agent",
                InputProblem::Format("printable ASCII"),
            ))?;
        self.user_agent = value;
        Ok(self)
    }

    /// What every request says in `User-Agent`.
    pub fn user_agent(&self) -> &str {
        // Only printable ASCII is ever stored.
        self.user_agent.to_str().unwrap_or(DEFAULT_USER_AGENT)
    }

    /// The `User-Agent` header value, for the request builders.
    pub(crate) fn user_agent_header(&self) -> &http::HeaderValue {
        &self.user_agent
    }

    /// OCTO's address, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether the base URL names this machine: `localhost`, or an address
    /// of the loopback range (`127.0.0.0/8`, `::1`, an IPv4-mapped one).
    /// Only such a base URL may be plain `http` without
    /// [`with_insecure_base_url`](Self::with_insecure_base_url), and the
    /// transports never send it through a proxy named in the environment
    /// (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`): the proxy would reach its
    /// own loopback, not this machine's server, and get the secret in plain
    /// `http` on the way.
    pub fn base_url_is_loopback(&self) -> bool {
        self.base_uri.host().is_some_and(is_loopback_host)
    }

    /// The URI of `path` under OCTO's address: a clone of the one built
    /// with the address for OCTO's fixed paths, else built now.
    pub(crate) fn uri_for(&self, path: &str) -> Option<http::Uri> {
        match self.known.get(path) {
            Some(uri) => Some(uri.clone()),
            None => uri_under(&self.base_url, &self.base_uri, path),
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

    /// `{"octo_shop_id":…,"octo_secret":"…"`: the opening of every body
    /// that carries the shop's credentials, without its closing brace.
    pub(crate) fn signed_prefix(&self) -> &[u8] {
        &self.signed.0
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

/// The URI of `path` under `base` (`base_url` parsed).
fn uri_under(base_url: &str, base: &http::Uri, path: &str) -> Option<http::Uri> {
    match (base.scheme(), base.authority(), base.path()) {
        // The usual case: an address without a path of its own, so the
        // parsed scheme and host are reused as they are.
        (Some(scheme), Some(authority), "/" | "") => http::Uri::builder()
            .scheme(scheme.clone())
            .authority(authority.clone())
            .path_and_query(path)
            .build()
            .ok(),
        _ => format!("{base_url}{path}").parse().ok(),
    }
}

/// `{"octo_shop_id":…,"octo_secret":"…"`, serialised by serde_json once
/// per config instead of once per request (the two keys and the secret
/// were escaped again for every body). It holds the secret, so it is wiped
/// on drop and never printed.
#[derive(Clone)]
struct SignedPrefix(zeroize::Zeroizing<Vec<u8>>);

impl SignedPrefix {
    fn of(shop_id: ShopId, secret: &OctoSecret) -> Self {
        #[derive(serde::Serialize)]
        struct Credentials<'a> {
            octo_shop_id: ShopId,
            octo_secret: &'a str,
        }
        let secret = secret.expose_secret();
        // Room for the worst case (every byte of the secret escaped as
        // `\u00XX`), so that no copy of the secret is left behind by a
        // reallocation.
        let mut bytes = Vec::with_capacity(64 + 6 * secret.len());
        let credentials = Credentials {
            octo_shop_id: shop_id,
            octo_secret: secret,
        };
        // Writing a number and a string into a `Vec` cannot fail.
        if serde_json::to_writer(&mut bytes, &credentials).is_ok() {
            // The object stays open for the operation's own fields.
            bytes.pop();
        }
        Self(zeroize::Zeroizing::new(bytes))
    }
}

impl PartialEq for SignedPrefix {
    /// Always equal: the prefix is written from `shop_id` and `secret`,
    /// which `Config` compares itself (the secret in constant time).
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SignedPrefix {}

impl std::fmt::Debug for SignedPrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// The paths of OCTO's endpoints that never change, whose URIs
/// [`KnownUris`] builds once per address.
const FIXED_PATHS: [&str; 8] = [
    "/prepare_payment",
    "/set_accept",
    "/refund",
    "/bind_card",
    "/verificationInfo/",
    "/check_pan",
    "/block_card_token",
    "/fiscal-data",
];

/// The URI of each of [`FIXED_PATHS`] under one address: a request clones
/// its URI (a few reference counts) instead of building and checking it.
#[derive(Clone, PartialEq, Eq)]
struct KnownUris(std::sync::Arc<[(&'static str, http::Uri)]>);

impl KnownUris {
    fn under(base_url: &str, base: &http::Uri) -> Self {
        let uris = FIXED_PATHS
            .iter()
            .filter_map(|path| Some((*path, uri_under(base_url, base, path)?)))
            .collect();
        Self(uris)
    }

    fn get(&self, path: &str) -> Option<&http::Uri> {
        self.0
            .iter()
            .find(|(known, _)| *known == path)
            .map(|(_, uri)| uri)
    }
}

impl Default for KnownUris {
    /// The URIs under [`DEFAULT_BASE_URL`].
    fn default() -> Self {
        Self::under(DEFAULT_BASE_URL, &http::Uri::from_static(DEFAULT_BASE_URL))
    }
}

impl std::fmt::Debug for KnownUris {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Derived from `base_url`, which `Config`'s Debug already shows.
        f.write_str("..")
    }
}

/// An absolute `http` or `https` URL with a host, and no query and no user
/// or password.
fn parse_base_url(base_url: &str) -> Result<http::Uri, InputError> {
    let trimmed = base_url.trim_end_matches('/');
    let uri: http::Uri = trimmed
        .parse()
        .map_err(|_| InputError::new("base_url", InputProblem::Format("an absolute URL")))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    // A user or password in the address (`https://user:pw@host`) is never
    // sent by any transport, yet the address is printed (this `Config`'s
    // `Debug`, the HTTP clients' errors): refused, like in the request URLs.
    let userinfo = uri.authority().is_some_and(|a| a.as_str().contains('@'));
    if !scheme_ok || uri.host().is_none() || uri.query().is_some() || userinfo {
        return Err(InputError::new(
            "base_url",
            InputProblem::Format("an http or https URL without user, password or query"),
        ));
    }
    Ok(uri)
}

/// `localhost`, or an IP address of the loopback range (IPv6 in brackets,
/// as URIs write it; an IPv4-mapped IPv6 address counts as its IPv4 one).
fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_base_urls_are_known_as_such() {
        let at = |url: &str| {
            let config = Config::new(1, "s").with_insecure_base_url(url).unwrap();
            config.base_url_is_loopback()
        };
        for url in [
            "http://127.0.0.1:8080",
            "http://127.3.2.1",
            "https://localhost:8443/api",
            "http://LOCALHOST",
            "http://[::1]:9000",
            "http://[::ffff:127.0.0.1]:9000",
        ] {
            assert!(at(url), "{url}");
        }
        for url in [
            "https://secure.octo.uz",
            "http://192.168.1.10:8080",
            "http://0.0.0.0:8080",
            "http://[::]:8080",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
        ] {
            assert!(!at(url), "{url}");
        }
        assert!(!Config::new(1, "s").base_url_is_loopback());
    }

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
    fn fixed_paths_clone_the_uri_built_with_the_address() {
        for base in [
            DEFAULT_BASE_URL,
            "http://127.0.0.1:8080/",
            "https://gw.example/octo/",
            "https://[::1]:8443",
        ] {
            let c = Config::new(1, "s").with_insecure_base_url(base).unwrap();
            for path in FIXED_PATHS {
                let known = c.known.get(path).expect("built with the address");
                let fresh = uri_under(c.base_url(), &c.base_uri, path).unwrap();
                assert_eq!(known, &fresh, "{base} {path}");
                assert_eq!(c.uri_for(path).as_ref(), Some(&fresh));
                assert_eq!(fresh.to_string(), format!("{}{path}", c.base_url()));
            }
            // A path that is not fixed is built when asked for.
            assert!(c.known.get("/pay/abc").is_none());
            assert_eq!(
                c.uri_for("/pay/abc").unwrap().to_string(),
                format!("{}/pay/abc", c.base_url())
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://[::1]:9000/",
            "http://localhost:3000",
            "http://LOCALHOST",
            "https://gw.example",
            "https://10.0.0.5:8443",
        ] {
            let c = Config::new(1, "s").with_base_url(url);
            assert!(c.is_ok(), "{url}: {c:?}");
        }
        for url in [
            "http://gw.example",
            "http://10.0.0.5:8080",
            "http://0.0.0.0:8080",
            "http://[::]:8080",
            "http://192.168.1.20",
            "http://localhost.gw.example",
            "http://127.0.0.1.gw.example",
        ] {
            let error = Config::new(1, "s").with_base_url(url).unwrap_err();
            assert_eq!(error.field, "base_url", "{url}");
            assert_eq!(error.problem, InputProblem::PlainHttp, "{url}");
        }
        // Opting in by name: any http host, still a checked URL.
        let c = Config::new(1, "s")
            .with_insecure_base_url("http://10.0.0.5:8080/")
            .unwrap();
        assert_eq!(c.base_url(), "http://10.0.0.5:8080");
        assert!(
            Config::new(1, "s")
                .with_insecure_base_url("https://gw.example")
                .is_ok()
        );
        assert!(
            Config::new(1, "s")
                .with_insecure_base_url("ftp://x")
                .is_err()
        );
        assert!(
            Config::new(1, "s")
                .with_insecure_base_url("http://x/?q=1")
                .is_err()
        );
    }

    #[test]
    fn a_base_url_with_a_user_or_password_is_refused() {
        // No transport sends the URL's user and password (each drops
        // them), but the base URL is printed: `Config`'s Debug and the
        // HTTP clients' errors show it whole.
        for url in [
            "https://shop:hunter2@gw.example",
            "https://shop@gw.example/octo",
            "http://shop:hunter2@127.0.0.1:8080",
        ] {
            let refused = Config::new(1, "s").with_base_url(url);
            assert!(
                matches!(&refused, Err(e) if e.field == "base_url"),
                "{url}: {refused:?}"
            );
            let refused = Config::new(1, "s").with_insecure_base_url(url);
            assert!(refused.is_err(), "{url}: {refused:?}");
            let shown = format!("{refused:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
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

    #[test]
    fn every_request_carries_the_user_agent() {
        use crate::Operation;
        let op = crate::op::PaymentStatusCheck::new("order-1".parse().unwrap());
        let agents = |config: &Config| {
            let request = op.build_request(config).unwrap();
            request
                .headers()
                .get_all(http::header::USER_AGENT)
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let c = Config::new(1, "s");
        assert_eq!(c.user_agent(), DEFAULT_USER_AGENT);
        assert!(DEFAULT_USER_AGENT.starts_with("octo-rs/"));
        assert_eq!(agents(&c), [DEFAULT_USER_AGENT]);
        let c = c
            .with_user_agent("  my-shop/2.1 (+https://shop.example) octo-rs ")
            .unwrap();
        assert_eq!(
            c.user_agent(),
            "my-shop/2.1 (+https://shop.example) octo-rs"
        );
        assert_eq!(agents(&c), ["my-shop/2.1 (+https://shop.example) octo-rs"]);
    }

    #[test]
    fn a_user_agent_that_is_not_printable_ascii_is_refused() {
        let c = Config::new(1, "s");
        let longest = "a".repeat(MAX_USER_AGENT_LEN);
        assert!(c.clone().with_user_agent(&longest).is_ok());
        let not_printable = InputProblem::Format("printable ASCII");
        for (bad, problem) in [
            ("", InputProblem::Empty),
            ("   ", InputProblem::Empty),
            ("shop\r\nX-Injected: 1", not_printable.clone()),
            ("shop/1\r\n", not_printable.clone()),
            ("\tshop", not_printable.clone()),
            ("shop\tname", not_printable.clone()),
            ("\u{3000}shop", not_printable.clone()),
            ("магазин/1", not_printable.clone()),
            ("shop\u{7f}", not_printable),
            (
                &*format!("{longest}a"),
                InputProblem::OutOfRange { min: 1, max: 256 },
            ),
        ] {
            let err = c.clone().with_user_agent(bad).unwrap_err();
            assert_eq!(err.field, "user_agent", "{bad:?}");
            assert_eq!(err.problem, problem, "{bad:?}");
        }
        // Spaces around are dropped, and only spaces.
        assert_eq!(
            c.clone().with_user_agent("  shop/1 ").unwrap().user_agent(),
            "shop/1"
        );
        // A refusal leaves nothing half set.
        assert_eq!(c.user_agent(), DEFAULT_USER_AGENT);
    }
}
