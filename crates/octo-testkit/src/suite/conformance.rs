//! Every fixture in `fixtures/`, replayed over loopback through one transport:
//! the server checks the request, and the outcome must equal both the
//! fixture's and the sans-IO parse of the same bytes.

use std::time::Duration;

use octo_transport::ClientBuilder;

use crate::client::AnyClient;
use crate::load_all;
use crate::replay::ReplayServer;

/// Every fixture through `C`; `name` is the transport's, for messages.
pub async fn every_fixture<C: AnyClient>(name: &str) {
    let fixtures = load_all().expect("fixtures load");
    assert!(!fixtures.is_empty(), "no fixtures found");
    let server = ReplayServer::start().unwrap();
    let mut failures = Vec::new();
    let mut exchanges = 0;
    for fixture in &fixtures {
        exchanges += usize::from(fixture.request.is_some());
        let config = fixture.config(Some(&server.url()));
        // One attempt: a fixture records one exchange, and a retry would
        // show up as an unexpected request.
        let client = C::build(
            ClientBuilder::new(config.clone())
                .no_retry()
                .timeout(Duration::from_secs(10)),
        );
        server.push_fixture(fixture);
        let outcome = fixture.operation.run_on(&client).await;
        if let Err(problems) = server.finish() {
            failures.push(format!("{}: server: {problems}", fixture.name));
        }
        if outcome != fixture.outcome {
            failures.push(format!(
                "{}: outcome\n  got:      {outcome}\n  expected: {}",
                fixture.name, fixture.outcome
            ));
        }
        if let Some(response) = &fixture.response {
            let sans_io = fixture.operation.parse_outcome(&response.to_http());
            if outcome != sans_io {
                failures.push(format!(
                    "{}: differs from the sans-IO parse\n  got:     {outcome}\n  sans-IO: {sans_io}",
                    fixture.name
                ));
            }
        }
    }
    assert_eq!(
        server.received(),
        exchanges,
        "requests that reached the server"
    );
    assert!(
        failures.is_empty(),
        "{} of {} fixture(s) failed over {name}:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}
