//! The three transports side by side: every fixture through reqwest, ureq
//! and hyper, against one replay server. Their outcomes must equal each
//! other and the sans-IO parse of the same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use octo_proto::{Config, Error, Operation};
use octo_testkit::replay::ReplayServer;
use octo_testkit::{AsyncDriver, Driver, Fixture, load_all};
use serde_json::Value;

struct Hyper(octo_hyper::Client);
struct Reqwest(octo_reqwest::Client);
struct Ureq(octo_ureq::Client);

impl AsyncDriver for Hyper {
    fn call<O: Operation>(
        &mut self,
        op: &O,
        _config: &Config,
    ) -> impl Future<Output = Result<O::Output, Error>> {
        self.0.send(op)
    }
}

impl AsyncDriver for Reqwest {
    fn call<O: Operation>(
        &mut self,
        op: &O,
        _config: &Config,
    ) -> impl Future<Output = Result<O::Output, Error>> {
        self.0.send(op)
    }
}

impl Driver for Ureq {
    fn call<O: Operation>(&mut self, op: &O, _config: &Config) -> Result<O::Output, Error> {
        self.0.send(op)
    }
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// Runs one fixture through all three; the outcomes by transport name.
async fn three_outcomes(fixture: &Fixture, server: &ReplayServer) -> [(&'static str, Value); 3] {
    let config = fixture.config(Some(&server.url()));
    let mut hyper = Hyper(
        octo_hyper::Client::builder(config.clone())
            .no_retry()
            .timeout(TIMEOUT)
            .build()
            .unwrap(),
    );
    let mut reqwest = Reqwest(
        octo_reqwest::Client::builder(config.clone())
            .no_retry()
            .timeout(TIMEOUT)
            .build()
            .unwrap(),
    );
    let mut ureq = Ureq(
        octo_ureq::Client::builder(config.clone())
            .no_retry()
            .timeout(TIMEOUT)
            .build(),
    );
    for _ in 0..3 {
        server.push_fixture(fixture);
    }
    [
        (
            "hyper",
            fixture.operation.run_async(&mut hyper, &config).await,
        ),
        (
            "reqwest",
            fixture.operation.run_async(&mut reqwest, &config).await,
        ),
        // Blocking on the test's runtime thread is fine: the replay server
        // runs on its own thread.
        ("ureq", fixture.operation.run(&mut ureq, &config)),
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
