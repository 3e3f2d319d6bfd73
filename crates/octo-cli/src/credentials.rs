//! Where the shop's credentials come from: the environment or a file, never
//! the command line (arguments end up in shell history and in `ps`).

use std::path::{Path, PathBuf};

use octo_proto::callback::SignatureScheme;
use octo_proto::{Config, InputProblem, NotificationKey, OctoSecret, ShopId};

use crate::cli::CheckScheme;
use crate::failure::Failure;

/// The environment variables holding the shop id and the secret: the same
/// ones [`Config::from_env`] reads.
pub use octo_proto::{SECRET_VAR, SHOP_ID_VAR};
/// The environment variable holding the notification key.
pub const NOTIFY_KEY_VAR: &str = "OCTO_NOTIFY_KEY";
/// The environment variable naming a credentials file.
pub const FILE_VAR: &str = "OCTO_CREDENTIALS";

/// What was found, before deciding what a command needs. (`Debug` shows
/// the secret and the key as their own `Debug` does: redacted.)
#[derive(Default, Debug)]
pub struct Credentials {
    shop_id: Option<String>,
    secret: Option<OctoSecret>,
    notify_key: Option<NotificationKey>,
}

impl Credentials {
    /// Reads `file` (or the file named by `OCTO_CREDENTIALS`), then fills
    /// what it lacks from the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Failure> {
        let file: Option<PathBuf> = file
            .map(Path::to_owned)
            .or_else(|| std::env::var_os(FILE_VAR).map(PathBuf::from));
        let mut values = Values::default();
        if let Some(path) = &file {
            let mut text = std::fs::read_to_string(path).map_err(|e| {
                Failure::credentials(format!("cannot read {}: {e}", path.display()))
            })?;
            let parsed = Values::parse(&text);
            zeroize::Zeroize::zeroize(&mut text);
            values = parsed.map_err(|line| {
                Failure::credentials(format!("{}: line {line} is not KEY=VALUE", path.display()))
            })?;
        }
        let pick = |from_file: Option<String>, var: &str| {
            from_file
                .or_else(|| std::env::var(var).ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Ok(Self {
            shop_id: pick(values.shop_id.take(), SHOP_ID_VAR),
            secret: pick(values.secret.take(), SECRET_VAR).map(OctoSecret::new),
            notify_key: pick(values.notify_key.take(), NOTIFY_KEY_VAR).map(NotificationKey::new),
        })
    }

    /// The SDK config for calling OCTO: needs the shop id and the secret.
    /// A plain `http://` base URL off loopback needs `insecure_http`.
    pub fn config(
        &self,
        base_url: Option<&str>,
        insecure_http: bool,
        test: bool,
    ) -> Result<Config, Failure> {
        let (Some(shop_id), Some(secret)) = (&self.shop_id, &self.secret) else {
            return Err(Failure::credentials(format!(
                "no shop credentials: set {SHOP_ID_VAR} and {SECRET_VAR}, or put them in a \
                 file as KEY=VALUE lines and pass --credentials FILE (or set {FILE_VAR})"
            )));
        };
        let shop_id: u64 = shop_id.parse().map_err(|_| {
            Failure::credentials(format!(
                "{SHOP_ID_VAR} must be a number (your shop id in OCTO's cabinet)"
            ))
        })?;
        let config = Config::new(ShopId(shop_id), secret.clone()).with_test(test);
        let config = match base_url {
            Some(url) if insecure_http => config.with_insecure_base_url(url),
            Some(url) => config.with_base_url(url),
            None => return Ok(config),
        };
        config.map_err(|e| match e.problem {
            InputProblem::PlainHttp => Failure::usage(
                "--base-url: plain http:// is allowed only to this machine (127.0.0.1, ::1, \
                 localhost); use https://, or pass --insecure-http to send the secret unencrypted",
            ),
            _ => Failure::usage(format!("--base-url: {e}")),
        })
    }

    /// The key (or keys) that check notifications under `scheme`.
    pub fn scheme(&self, scheme: CheckScheme) -> Result<SignatureScheme, Failure> {
        let (key, missing) = match scheme {
            CheckScheme::UniqueKey => (
                self.notify_key.clone().map(SignatureScheme::UniqueKey),
                format!(
                    "no notification key: set {NOTIFY_KEY_VAR} (the key OCTO issued for \
                     signatures), or pass --scheme secret-hash-key to check with {SECRET_VAR}"
                ),
            ),
            CheckScheme::SecretHashKey => (
                self.secret.clone().map(SignatureScheme::SecretAndHashKey),
                format!(
                    "no secret: set {SECRET_VAR}, or pass --scheme unique-key to check with \
                     {NOTIFY_KEY_VAR}"
                ),
            ),
            CheckScheme::Either => (
                self.notify_key
                    .clone()
                    .zip(self.secret.clone())
                    .map(|(key, secret)| SignatureScheme::either(key, secret)),
                format!(
                    "--scheme either checks with both keys: set {NOTIFY_KEY_VAR} and {SECRET_VAR}, \
                     or pass the --scheme whose key you have"
                ),
            ),
        };
        key.ok_or_else(|| Failure::credentials(missing))
    }
}

#[derive(Default)]
struct Values {
    shop_id: Option<String>,
    secret: Option<String>,
    notify_key: Option<String>,
}

impl std::fmt::Debug for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "[REDACTED]");
        f.debug_struct("Values")
            .field("shop_id", &self.shop_id)
            .field("secret", &hidden(&self.secret))
            .field("notify_key", &hidden(&self.notify_key))
            .finish()
    }
}

impl Drop for Values {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.secret.zeroize();
        self.notify_key.zeroize();
    }
}

impl Values {
    /// `KEY=VALUE` lines, as in a `.env` file: `#` starts a comment, a
    /// leading `export ` and quotes around the value are allowed.
    fn parse(text: &str) -> Result<Self, usize> {
        let mut values = Self::default();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, value) = line.split_once('=').ok_or(index + 1)?;
            let value = value.trim().trim_matches('"').trim_matches('\'').to_owned();
            match key.trim() {
                SHOP_ID_VAR => values.shop_id = Some(value),
                SECRET_VAR => values.secret = Some(value),
                NOTIFY_KEY_VAR => values.notify_key = Some(value),
                _ => {}
            }
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_key_value_files() {
        let v = Values::parse("# shop\nOCTO_SHOP_ID=123\nexport OCTO_SECRET=\"abc\"\n\nOTHER=1\n")
            .unwrap();
        assert_eq!(v.shop_id.as_deref(), Some("123"));
        assert_eq!(v.secret.as_deref(), Some("abc"));
        assert_eq!(v.notify_key, None);
        assert_eq!(Values::parse("OCTO_SHOP_ID 123").unwrap_err(), 1);
        let shown = format!("{v:?}");
        assert!(shown.contains("123") && !shown.contains("abc"), "{shown}");
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = Credentials {
            shop_id: Some("1".into()),
            secret: Some(OctoSecret::new("s3cr3t-value")),
            notify_key: Some(NotificationKey::new("k3y-value")),
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t-value") && !shown.contains("k3y-value"));
    }

    #[test]
    fn plain_http_off_this_machine_needs_insecure_http_by_name() {
        let c = Credentials {
            shop_id: Some("1".into()),
            secret: Some(OctoSecret::new("s3cr3t-value")),
            notify_key: None,
        };
        let refused = c
            .config(Some("http://gw.example:8080"), false, true)
            .unwrap_err();
        assert!(refused.to_string().contains("--insecure-http"), "{refused}");
        assert!(!refused.to_string().contains("s3cr3t-value"));
        let config = c
            .config(Some("http://gw.example:8080"), true, true)
            .unwrap();
        assert_eq!(config.base_url(), "http://gw.example:8080");
        assert!(c.config(Some("http://127.0.0.1:9"), false, true).is_ok());
        assert!(c.config(Some("https://gw.example"), false, true).is_ok());
    }
}
