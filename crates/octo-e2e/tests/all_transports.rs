//! The three transports side by side: every fixture through reqwest, ureq
//! and hyper, against one replay server. Their outcomes must equal each
//! other and the sans-IO parse of the same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use octo_testkit::replay::ReplayServer;
use octo_testkit::{AnyClient, Fixture, load_all};
use octo_transport::ClientBuilder;
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(10);

/// One fixture's outcome through the client type `C`.
async fn outcome<C: AnyClient>(fixture: &Fixture, server: &ReplayServer) -> Value {
    let config = fixture.config(Some(&server.url()));
    let client = C::build(ClientBuilder::new(config).no_retry().timeout(TIMEOUT));
    server.push_fixture(fixture);
    fixture.operation.run_on(&client).await
}

/// Runs one fixture through all three; the outcomes by transport name.
async fn three_outcomes(fixture: &Fixture, server: &ReplayServer) -> [(&'static str, Value); 3] {
    [
        (
            "hyper",
            outcome::<octo_hyper::Client>(fixture, server).await,
        ),
        (
            "reqwest",
            outcome::<octo_reqwest::Client>(fixture, server).await,
        ),
        // Blocking on the test's runtime thread is fine: the replay server
        // runs on its own thread.
        ("ureq", outcome::<octo_ureq::Client>(fixture, server).await),
    ]
}

#[tokio::test]
async fn every_fixture_reaches_one_outcome_over_all_three_transports() {
    let fixtures = load_all().expect("fixtures load");
    assert!(!fixtures.is_empty(), "no fixtures found");
    let server = ReplayServer::start().unwrap();
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let outcomes = three_outcomes(fixture, &server).await;
        if let Err(problems) = server.finish() {
            failures.push(format!("{}: server: {problems}", fixture.name));
        }
        let reference = match &fixture.response {
            Some(response) => fixture.operation.parse_outcome(&response.to_http()),
            None => fixture.outcome.clone(),
        };
        for (transport, outcome) in &outcomes {
            if *outcome != reference || *outcome != fixture.outcome {
                failures.push(format!(
                    "{}: {transport}\n  got:      {outcome}\n  sans-IO:  {reference}\n  expected: {}",
                    fixture.name, fixture.outcome
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
