//! A redirect is never followed over hyper: the shared trap in octo-testkit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use octo_hyper::Client;
use octo_proto::RetryPolicy;
use octo_testkit::replay::RedirectTrap;

#[tokio::test]
async fn redirects_are_refused_and_never_followed() {
    for status in [301, 302, 303, 307, 308] {
        let trap = RedirectTrap::start(status).unwrap();
        // Quick retries: a redirect taken for a passing failure would show
        // up as a second request.
        let client = Client::builder(trap.config())
            .retry_policy(RetryPolicy::new(
                3,
                Duration::from_millis(1),
                Duration::from_millis(5),
            ))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let result = client.send(&trap.operation()).await;
        if let Err(problems) = trap.check(&result) {
            panic!("HTTP {status}: {problems}");
        }
    }
}
