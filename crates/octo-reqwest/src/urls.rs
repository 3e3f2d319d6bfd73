//! The `Url` reqwest wants, made from the request's `http::Uri` without
//! parsing the whole address on every call.
//!
//! reqwest takes a `Url`, and its conversion from an `http::Request` prints
//! the URI and parses it again: host and all, about 6 k instructions a
//! call. A client talks to one origin (OCTO's base URL), so [`Urls`] keeps
//! the last origin it parsed and, for a request to the same scheme and
//! authority, copies it and sets only the path and query. Anything else
//! (another origin, a URI without one) is parsed in full, as before; the
//! tests check that both ways give the same `Url`.

use std::sync::{Mutex, PoisonError};

use reqwest::Url;

/// The last origin parsed, kept to build the next URLs from.
#[derive(Default)]
pub(crate) struct Urls {
    last: Mutex<Option<Origin>>,
}

/// Prints nothing of the origin: a base URL may carry a user and password.
impl std::fmt::Debug for Urls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Urls").finish_non_exhaustive()
    }
}

/// A scheme and authority as the URI wrote them, and a `Url` parsed from
/// an address with them.
struct Origin {
    scheme: String,
    authority: String,
    url: Url,
}

impl Urls {
    /// The `Url` of `uri`, the same as `Url::parse` of its text.
    pub(crate) fn url(&self, uri: &http::Uri) -> Result<Url, url::ParseError> {
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Url::parse(&uri.to_string());
        };
        let known = {
            let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            last.as_ref()
                .filter(|o| o.scheme == scheme && o.authority == authority.as_str())
                .map(|o| o.url.clone())
        };
        if let Some(mut url) = known {
            url.set_path(uri.path());
            url.set_query(uri.query());
            return Ok(url);
        }
        let url = Url::parse(&uri.to_string())?;
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(Origin {
            scheme: scheme.to_owned(),
            authority: authority.as_str().to_owned(),
            url: url.clone(),
        });
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn parsed(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    /// `Urls` after one call on `first`, then on `second`.
    fn after(first: &str, second: &str) -> Result<Url, url::ParseError> {
        let urls = Urls::default();
        urls.url(&first.parse().unwrap())?;
        urls.url(&second.parse().unwrap())
    }

    #[test]
    fn the_same_origin_reuses_it_and_gives_the_same_url() {
        let urls = Urls::default();
        for text in [
            "http://127.0.0.1:8080/prepare_payment",
            "http://127.0.0.1:8080/pay/e3f40dc3-4955-412a-853a-2ddd28d3201f",
            "http://127.0.0.1:8080/verificationInfo/",
            "http://127.0.0.1:8080/x?a=1&b=%20",
            "http://127.0.0.1:8080/a/../b/./c/%2e%2e/d",
            "http://127.0.0.1:8080/caf%C3%A9?",
            "http://127.0.0.1:8080",
        ] {
            assert_eq!(urls.url(&text.parse().unwrap()).unwrap(), parsed(text));
        }
        let origin = urls.last.lock().unwrap();
        assert_eq!(
            origin.as_ref().map(|o| o.authority.as_str()),
            Some("127.0.0.1:8080")
        );
    }

    #[test]
    fn debug_shows_nothing_of_the_origin() {
        let urls = Urls::default();
        urls.url(&"https://shop:hunter2@pay.example/x".parse().unwrap())
            .unwrap();
        let printed = format!("{urls:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("pay.example"), "{printed}");
    }

    #[test]
    fn another_origin_is_parsed_in_full() {
        for (first, second) in [
            ("https://secure.octo.uz/a", "https://other.example/b"),
            ("https://secure.octo.uz/a", "http://secure.octo.uz/b"),
            ("https://secure.octo.uz/a", "https://secure.octo.uz:8443/b"),
            ("https://secure.octo.uz:443/a", "https://secure.octo.uz/b"),
            ("http://[::1]:9000/a", "http://[::1]:9001/b?q"),
        ] {
            assert_eq!(after(first, second).unwrap(), parsed(second), "{second}");
        }
    }

    #[test]
    fn a_uri_without_an_origin_is_refused_as_url_refuses_it() {
        let urls = Urls::default();
        let relative: http::Uri = "/prepare_payment".parse().unwrap();
        assert_eq!(
            urls.url(&relative).unwrap_err(),
            Url::parse("/prepare_payment").unwrap_err()
        );
    }

    proptest! {
        /// Whatever the path and query, and whether the origin was seen
        /// before, the `Url` is the one a full parse gives.
        #[test]
        fn every_path_and_query_give_the_full_parse(
            origin in prop::sample::select(vec![
                "http://127.0.0.1:8080",
                "https://secure.octo.uz",
                "https://secure.octo.uz:443",
                "http://localhost:80",
                "http://[::1]:9000",
                "https://user:pw@pay.example:8443",
            ]),
            path in "(/[A-Za-z0-9._~!$&'()*+,;=:@%-]{0,12}){0,4}",
            query in proptest::option::of("[A-Za-z0-9._~!$&'()*+,;=:@/?%-]{0,16}"),
            warm in any::<bool>(),
        ) {
            let text = match &query {
                Some(q) => format!("{origin}{path}?{q}"),
                None => format!("{origin}{path}"),
            };
            // Only what `http::Uri` accepts reaches a backend.
            if let Ok(uri) = text.parse::<http::Uri>() {
                let urls = Urls::default();
                if warm {
                    urls.url(&format!("{origin}/before").parse().unwrap()).unwrap();
                }
                let full = Url::parse(&uri.to_string());
                prop_assert_eq!(urls.url(&uri), full);
            }
        }
    }
}
