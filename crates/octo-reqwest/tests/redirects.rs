//! A `reqwest::Client` supplied by the caller that follows redirects is
//! caught after the fact, and its answer not used (the shared trap in
//! octo-testkit). That no transport follows a redirect itself is the
//! shared suite's `transport_faults::redirects_are_refused_and_never_followed`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use octo_proto::RetryPolicy;
use octo_reqwest::{Client, ReqwestBuilderExt};
use octo_testkit::replay::RedirectTrap;

fn quick_retries() -> RetryPolicy {
    // A redirect taken for a passing failure would show up as a second
    // request.
    RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(5))
}

/// A client of the caller's with reqwest's default policy (up to ten
/// redirects): the request does reach the other server, which is why the
/// method's documentation requires `redirect::Policy::none()`, but the
/// answer from there is never taken for OCTO's.
#[tokio::test]
async fn a_supplied_client_that_follows_is_caught() {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    let following = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap();
    for status in [307, 308] {
        let trap = RedirectTrap::start_answering(status).unwrap();
        let client = Client::builder(trap.config())
            .retry_policy(quick_retries())
            .timeout(Duration::from_secs(5))
            .reqwest_client(following.clone())
            .build()
            .unwrap();
        let result = client.send(&trap.operation()).await;
        if let Err(problems) = trap.check_followed(&result) {
            panic!("HTTP {status}: {problems}");
        }
    }
}
