//! Where OCTO's host is: the addresses of a host name, kept for a while.
//!
//! ureq looks the host up on every call, even when an idle pooled
//! connection will carry the request, and with a timeout set (octo-ureq
//! always sets one) it does the lookup on a thread started for that call.
//! So each call to OCTO cost a new thread and a DNS query. [`AddressBook`]
//! sits in front of ureq's resolver:
//!
//! - an IP address in the URL is its own answer: no thread, no lookup;
//! - a host name is looked up through ureq's resolver (with the same
//!   timeout as before) and its addresses are kept for `ttl` (60 s unless
//!   [`UreqBuilderExt::address_ttl`](crate::UreqBuilderExt::address_ttl)
//!   says otherwise; zero keeps nothing);
//! - a host whose connection fails is forgotten at once, so the next
//!   attempt looks it up afresh instead of trying an address that moved.
//!
//! The resolver interface is in ureq's `unversioned` module, which ureq
//! may change in a minor release; the workspace holds ureq to 3.5.x for
//! that reason, and a change would fail to compile here rather than
//! behave differently.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a host name's addresses are kept unless the builder says
/// otherwise.
pub(crate) const DEFAULT_ADDRESS_TTL: Duration = Duration::from_secs(60);

/// At most this many hosts are kept (a client talks to one: OCTO's).
const MAX_HOSTS: usize = 8;

/// A host name's addresses, and until when they are used without asking
/// again.
#[derive(Debug)]
struct Known {
    host: String,
    port: u16,
    addresses: ResolvedSocketAddrs,
    /// `None` when the ttl reaches past what the clock can count: kept
    /// for good.
    until: Option<Instant>,
}

impl Known {
    /// Whether the addresses may still be used at `now`.
    fn fresh(&self, now: Instant) -> bool {
        self.until.is_none_or(|until| now < until)
    }
}

/// The addresses of the hosts a client has looked up, kept for `ttl`, in
/// front of another resolver (ureq's own in a client).
#[derive(Debug)]
pub(crate) struct AddressBook<R = DefaultResolver> {
    inner: R,
    ttl: Duration,
    known: Mutex<Vec<Known>>,
}

impl<R: Resolver> AddressBook<R> {
    /// Looks names up through `inner`, keeping each answer for `ttl`.
    pub(crate) fn new(inner: R, ttl: Duration) -> Self {
        Self {
            inner,
            ttl,
            known: Mutex::new(Vec::new()),
        }
    }

    /// Forgets what is known of `uri`'s host, so that the next call looks
    /// it up again.
    pub(crate) fn forget(&self, uri: &Uri) {
        if let Some((host, port)) = host_and_port(uri) {
            self.lock().retain(|k| !(k.host == host && k.port == port));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Known>> {
        // The list holds no invariant a panic elsewhere could break.
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lookup(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some((host, port)) = host_and_port(uri) else {
            // Not a URL ureq can call: its resolver says why.
            return self.inner.resolve(uri, config, timeout);
        };
        if let Some(ip) = ip_literal(host) {
            let mut addresses = self.inner.empty();
            addresses.push(SocketAddr::new(ip, port));
            return Ok(addresses);
        }
        let now = Instant::now();
        if let Some(known) = self
            .lock()
            .iter()
            .find(|k| k.host == host && k.port == port && k.fresh(now))
        {
            return Ok(known.addresses.clone());
        }
        let addresses = self.inner.resolve(uri, config, timeout)?;
        if !self.ttl.is_zero() {
            let mut known = self.lock();
            known.retain(|k| !(k.host == host && k.port == port) && k.fresh(now));
            if known.len() >= MAX_HOSTS {
                known.remove(0);
            }
            known.push(Known {
                host: host.to_owned(),
                port,
                addresses: addresses.clone(),
                until: now.checked_add(self.ttl),
            });
        }
        Ok(addresses)
    }
}

/// The host and port a call to `uri` connects to (the scheme's port when
/// the URL names none); `None` when `uri` has no host or an unknown scheme
/// without a port.
fn host_and_port(uri: &Uri) -> Option<(&str, u16)> {
    let host = uri.host()?;
    let port = uri.port_u16().or_else(|| match uri.scheme_str()? {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })?;
    Some((host, port))
}

/// The address a host written as an IP address stands for (IPv6 in its
/// URL brackets).
fn ip_literal(host: &str) -> Option<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

/// The book as ureq's agent holds it, shared with the backend (which
/// forgets a host whose connection failed).
#[derive(Debug, Clone)]
pub(crate) struct Shared(pub(crate) Arc<AddressBook>);

impl Resolver for Shared {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.0.lookup(uri, config, timeout)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A resolver that counts its lookups and answers one fixed address,
    /// or fails when told to.
    #[derive(Debug, Default)]
    struct Counting {
        lookups: Arc<AtomicUsize>,
        fail: bool,
    }

    impl Resolver for Counting {
        fn resolve(
            &self,
            _uri: &Uri,
            _config: &Config,
            _timeout: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return Err(ureq::Error::HostNotFound);
            }
            let mut addresses = self.empty();
            addresses.push(SocketAddr::from(([192, 0, 2, 7], 443)));
            Ok(addresses)
        }
    }

    /// A book over a counting resolver, and the count of its lookups.
    fn book(ttl: Duration) -> (Arc<AtomicUsize>, AddressBook<Counting>) {
        let counting = Counting::default();
        (counting.lookups.clone(), AddressBook::new(counting, ttl))
    }

    fn resolve<R: Resolver>(book: &AddressBook<R>, url: &str) -> Vec<SocketAddr> {
        let uri: Uri = url.parse().unwrap();
        let config = Config::default();
        book.lookup(&uri, &config, NextTimeout::default())
            .unwrap()
            .to_vec()
    }

    #[test]
    fn a_name_is_looked_up_once_and_its_addresses_kept() {
        let (counting, book) = book(Duration::from_secs(60));
        for _ in 0..5 {
            let addresses = resolve(&book, "https://secure.octo.uz/prepare_payment");
            assert_eq!(addresses, [SocketAddr::from(([192, 0, 2, 7], 443))]);
        }
        assert_eq!(counting.load(Ordering::SeqCst), 1);
        // Another port of the same host is another entry.
        resolve(&book, "https://secure.octo.uz:8443/prepare_payment");
        assert_eq!(counting.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn kept_addresses_expire_and_a_zero_ttl_keeps_nothing() {
        let (counting, book) = book(Duration::from_millis(30));
        resolve(&book, "https://secure.octo.uz/");
        resolve(&book, "https://secure.octo.uz/");
        assert_eq!(counting.load(Ordering::SeqCst), 1);
        std::thread::sleep(Duration::from_millis(60));
        resolve(&book, "https://secure.octo.uz/");
        assert_eq!(counting.load(Ordering::SeqCst), 2);

        let (counting, none) = book_with_zero_ttl();
        for _ in 0..3 {
            resolve(&none, "https://secure.octo.uz/");
        }
        assert_eq!(counting.load(Ordering::SeqCst), 3);
        assert!(none.lock().is_empty());
    }

    fn book_with_zero_ttl() -> (Arc<AtomicUsize>, AddressBook<Counting>) {
        book(Duration::ZERO)
    }

    #[test]
    fn an_ip_address_in_the_url_needs_no_lookup() {
        let (counting, book) = book(Duration::from_secs(60));
        assert_eq!(
            resolve(&book, "http://127.0.0.1:8080/x"),
            [SocketAddr::from(([127, 0, 0, 1], 8080))]
        );
        assert_eq!(
            resolve(&book, "http://[::1]/x"),
            ["[::1]:80".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&book, "https://192.0.2.1/x"),
            [SocketAddr::from(([192, 0, 2, 1], 443))]
        );
        assert_eq!(counting.load(Ordering::SeqCst), 0);
        assert!(book.lock().is_empty());
    }

    #[test]
    fn a_forgotten_host_is_looked_up_again() {
        let (counting, book) = book(Duration::from_secs(60));
        resolve(&book, "https://secure.octo.uz/");
        resolve(&book, "https://other.example/");
        book.forget(&"https://secure.octo.uz/refund".parse().unwrap());
        resolve(&book, "https://secure.octo.uz/");
        resolve(&book, "https://other.example/");
        assert_eq!(counting.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_failed_lookup_is_passed_on_and_not_kept() {
        let failing = Counting {
            lookups: Arc::default(),
            fail: true,
        };
        let counting = failing.lookups.clone();
        let book = AddressBook::new(failing, Duration::from_secs(60));
        let uri: Uri = "https://secure.octo.uz/".parse().unwrap();
        for _ in 0..2 {
            let refused = book.lookup(&uri, &Config::default(), NextTimeout::default());
            assert!(matches!(refused, Err(ureq::Error::HostNotFound)));
        }
        assert_eq!(counting.load(Ordering::SeqCst), 2);
        assert!(book.lock().is_empty());
    }

    #[test]
    fn a_ttl_too_long_for_the_clock_keeps_the_addresses_for_good() {
        // `address_ttl(Duration::MAX)` reads as "never look it up again";
        // the deadline must not overflow the clock (which panics).
        let (counting, book) = book(Duration::MAX);
        for _ in 0..3 {
            resolve(&book, "https://secure.octo.uz/");
        }
        assert_eq!(counting.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn no_more_than_the_bound_of_hosts_is_kept() {
        let (counting, book) = book(Duration::from_secs(60));
        for n in 0..MAX_HOSTS + 3 {
            resolve(&book, &format!("https://h{n}.example/"));
        }
        assert_eq!(book.lock().len(), MAX_HOSTS);
        // The newest are the ones kept.
        resolve(&book, &format!("https://h{}.example/", MAX_HOSTS + 2));
        assert_eq!(
            counting.load(Ordering::SeqCst),
            MAX_HOSTS + 3,
            "the newest host was kept"
        );
    }
}
