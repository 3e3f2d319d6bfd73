//! A [`Config`] from the environment variables every octo-rs program reads:
//! the examples, the `octo` command, a shop's own service.

use std::borrow::Cow;

use crate::config::Config;
use crate::error::{InputError, InputProblem};
use crate::secret::OctoSecret;

/// The environment variable holding the shop id, a whole number.
pub const SHOP_ID_VAR: &str = "OCTO_SHOP_ID";

/// The environment variable holding the shop's secret (`octo_secret`).
pub const SECRET_VAR: &str = "OCTO_SECRET";

/// The environment variable that, when set, points the config elsewhere
/// than OCTO (see [`Config::with_base_url`]).
pub const BASE_URL_VAR: &str = "OCTO_BASE_URL";

impl Config {
    /// The config named by the process's environment: the shop id from
    /// [`SHOP_ID_VAR`], the secret from [`SECRET_VAR`], and OCTO's address
    /// from [`BASE_URL_VAR`] when it is set (production otherwise). Values
    /// are trimmed; an empty one counts as unset. Test mode and the other
    /// settings stay as [`Config::new`] leaves them.
    ///
    /// A missing or malformed value is an [`InputError`] naming the
    /// variable, never quoting the secret. A value that is not Unicode is
    /// malformed.
    ///
    /// ```no_run
    /// let config = octo_proto::Config::from_env()?.with_test(true);
    /// # Ok::<(), octo_proto::InputError>(())
    /// ```
    pub fn from_env() -> Result<Self, InputError> {
        Self::from_lookup(|name| match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(InputError::new(name, InputProblem::Format("Unicode text")))
            }
        })
    }

    /// [`from_env`](Self::from_env), with the variables looked up by
    /// `lookup` instead (a map in tests, a secret store): `lookup` gets each
    /// variable's name and answers its value, or `None` when it is unset.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, InputError> {
        Self::from_lookup(|name| Ok(lookup(name)))
    }

    fn from_lookup(
        lookup: impl Fn(&'static str) -> Result<Option<String>, InputError>,
    ) -> Result<Self, InputError> {
        let read = |name: &'static str| -> Result<Option<String>, InputError> {
            Ok(lookup(name)?
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty()))
        };
        let required = |name: &'static str| read(name)?.ok_or(missing(name));
        let shop_id: u64 = required(SHOP_ID_VAR)?
            .parse()
            .map_err(|_| InputError::new(SHOP_ID_VAR, InputProblem::Format("a whole number")))?;
        let secret = OctoSecret::new(required(SECRET_VAR)?);
        let config = Config::new(shop_id, secret);
        match read(BASE_URL_VAR)? {
            Some(url) => config.with_base_url(&url).map_err(|e| InputError {
                field: Cow::Borrowed(BASE_URL_VAR),
                ..e
            }),
            None => Ok(config),
        }
    }
}

fn missing(name: &'static str) -> InputError {
    InputError::new(name, InputProblem::Empty)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Config, InputError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn reads_the_shop_and_its_secret_trimmed() {
        let config = from(&[(SHOP_ID_VAR, " 123\n"), (SECRET_VAR, "s3cret-value\n")]).unwrap();
        assert_eq!(config.shop_id().get(), 123);
        assert_eq!(config.secret().expose_secret(), "s3cret-value");
        assert_eq!(config.base_url(), crate::DEFAULT_BASE_URL);
        assert!(!config.test());
    }

    #[test]
    fn a_base_url_points_elsewhere_under_the_usual_rules() {
        let vars = [(SHOP_ID_VAR, "7"), (SECRET_VAR, "s")];
        let local = from(&[vars[0], vars[1], (BASE_URL_VAR, "http://127.0.0.1:8080/")]);
        assert_eq!(local.unwrap().base_url(), "http://127.0.0.1:8080");
        let empty = from(&[vars[0], vars[1], (BASE_URL_VAR, "  ")]);
        assert_eq!(empty.unwrap().base_url(), crate::DEFAULT_BASE_URL);
        let plain = from(&[vars[0], vars[1], (BASE_URL_VAR, "http://gateway.example")]);
        assert_eq!(
            plain.unwrap_err(),
            InputError::new(BASE_URL_VAR, InputProblem::PlainHttp)
        );
    }

    #[test]
    fn missing_or_malformed_values_name_the_variable_not_the_secret() {
        let cases: [(&[(&str, &str)], InputError); 4] = [
            (&[(SECRET_VAR, "hidden-42")], missing(SHOP_ID_VAR)),
            (
                &[(SHOP_ID_VAR, "1"), (SECRET_VAR, " ")],
                missing(SECRET_VAR),
            ),
            (&[(SHOP_ID_VAR, "1")], missing(SECRET_VAR)),
            (
                &[(SHOP_ID_VAR, "shop-1"), (SECRET_VAR, "hidden-42")],
                InputError::new(SHOP_ID_VAR, InputProblem::Format("a whole number")),
            ),
        ];
        for (vars, expected) in cases {
            let err = from(vars).unwrap_err();
            assert_eq!(err, expected, "{vars:?}");
            assert!(!format!("{err} {err:?}").contains("hidden-42"), "{err:?}");
        }
    }
}
