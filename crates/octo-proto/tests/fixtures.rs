//! Every recorded exchange in `fixtures/`: the built request equals the
//! recorded one, and the parsed outcome equals the expected one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use octo_testkit::{SansIoDriver, load_all};

#[test]
fn every_fixture_builds_its_request_and_reaches_its_outcome() {
    let fixtures = load_all().expect("fixtures load");
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let config = fixture.config(None);
        match (&fixture.request, &fixture.response) {
            (Some(expected), Some(response)) => {
                let built = fixture.operation.build_request(&config);
                match built {
                    Ok(request) => {
                        assert_eq!(
                            request.uri().to_string(),
                            format!("https://secure.octo.uz{}", expected.path),
                            "{}",
                            fixture.name
                        );
                        if let Err(diff) = expected.check_request(&request) {
                            failures.push(format!("{}: request: {diff}", fixture.name));
                        }
                    }
                    Err(e) => failures.push(format!("{}: build failed: {e}", fixture.name)),
                }
                let response = response.to_http();
                let mut driver = SansIoDriver(|_req| response.clone());
                let outcome = fixture.run(&mut driver, &config);
                if outcome != fixture.outcome {
                    failures.push(format!(
                        "{}: outcome\n  got:      {outcome}\n  expected: {}",
                        fixture.name, fixture.outcome
                    ));
                }
            }
            _ => {
                // Input the SDK must refuse before sending anything.
                let mut driver =
                    SansIoDriver(|_req: http::Request<Vec<u8>>| -> http::Response<Vec<u8>> {
                        panic!("{} must not send a request", fixture.name)
                    });
                let outcome = fixture.run(&mut driver, &config);
                if outcome != fixture.outcome {
                    failures.push(format!(
                        "{}: outcome\n  got:      {outcome}\n  expected: {}",
                        fixture.name, fixture.outcome
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixtures_cover_every_operation() {
    let fixtures = load_all().expect("fixtures load");
    let covered: BTreeSet<&str> = fixtures.iter().map(|f| f.operation.name()).collect();
    for endpoint in octo_proto::Endpoint::ALL {
        assert!(
            covered.contains(endpoint.name()),
            "no fixture for {endpoint}"
        );
    }
    assert!(fixtures.len() >= 40, "only {} fixtures", fixtures.len());
}
