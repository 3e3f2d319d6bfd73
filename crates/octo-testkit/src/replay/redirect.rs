//! The redirect trap every transport is tested against: OCTO's address
//! answers with a redirect to a second loopback server, which records
//! every connection. A transport passes when nothing reaches the second
//! server and the call ends in [`Error::Redirect`] after one attempt.

use std::fmt::Debug;

use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, Error};

use super::{Canned, ReplayServer};

/// The shop secret the trap's config carries, to look for where it must
/// not be.
pub const TRAP_SECRET: &str = "trap-secret-5b1f0c7e";

/// The marker put into the redirect target's query; no error may show it.
const QUERY_MARKER: &str = "trap-query-91d2";

/// Two loopback servers: `origin` (the configured base URL) redirects the
/// first request to `elsewhere`.
#[derive(Debug)]
pub struct RedirectTrap {
    origin: ReplayServer,
    elsewhere: ReplayServer,
    status: u16,
}

impl RedirectTrap {
    /// A trap whose origin answers with `status` (301, 302, 303, 307 or
    /// 308); the second server answers any request with status 599.
    pub fn start(status: u16) -> std::io::Result<Self> {
        Self::with_elsewhere(status, ReplayServer::start()?)
    }

    /// A trap whose second server answers every request with a payment that
    /// succeeded: for a client that follows redirects despite being told
    /// not to, the answer it must not use.
    pub fn start_answering(status: u16) -> std::io::Result<Self> {
        let paid = r#"{"error":0,"data":{"shop_transaction_id":"order-trap","octo_payment_UUID":"e3f40dc3-4955-412a-853a-2ddd28d3201f","status":"succeeded","total_sum":1000.00}}"#;
        Self::with_elsewhere(status, ReplayServer::always(Canned::json(200, paid))?)
    }

    fn with_elsewhere(status: u16, elsewhere: ReplayServer) -> std::io::Result<Self> {
        let origin = ReplayServer::start()?;
        let location = format!(
            "{}/payment_status?octo_secret={QUERY_MARKER}",
            elsewhere.url()
        );
        origin.push_reply(Canned::Full {
            status,
            headers: vec![
                ("location".to_owned(), location),
                ("content-type".to_owned(), "text/plain".to_owned()),
            ],
            body: bytes::Bytes::new(),
        });
        Ok(Self {
            origin,
            elsewhere,
            status,
        })
    }

    /// A config pointing at the origin, with [`TRAP_SECRET`].
    pub fn config(&self) -> Config {
        Config::new(123, TRAP_SECRET)
            .with_base_url(&self.origin.url())
            .unwrap_or_else(|_| Config::new(123, TRAP_SECRET))
    }

    /// The call to make: a status check, which carries the secret and is
    /// idempotent, so a transport that took the redirect for a failure
    /// worth retrying would show it.
    #[allow(clippy::expect_used)]
    pub fn operation(&self) -> PaymentStatusCheck {
        PaymentStatusCheck::new("order-trap".parse().expect("a valid order id"))
    }

    /// The origin (for its address and counts).
    pub fn origin(&self) -> &ReplayServer {
        &self.origin
    }

    /// The server the redirect points to.
    pub fn elsewhere(&self) -> &ReplayServer {
        &self.elsewhere
    }

    /// Checks a transport that refuses redirects: one request reached the
    /// origin, no connection reached the other server, and the call ended
    /// in a refused [`Error::Redirect`] naming the status and the host but
    /// neither the target's path and query nor the secret.
    pub fn check<T: Debug>(&self, result: &Result<T, Error>) -> Result<(), String> {
        let mut problems = Vec::new();
        let reached = self.elsewhere.connections();
        if reached != 0 {
            problems.push(format!(
                "{reached} connection(s) reached the redirect's target"
            ));
        }
        self.check_common(result, false, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }

    /// Checks a client that followed the redirect on its own (a backend
    /// client configured to follow): its answer must not be used, the call
    /// ends in an [`Error::Redirect`] marked as followed.
    pub fn check_followed<T: Debug>(&self, result: &Result<T, Error>) -> Result<(), String> {
        let mut problems = Vec::new();
        self.check_common(result, true, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }

    fn check_common<T: Debug>(
        &self,
        result: &Result<T, Error>,
        followed: bool,
        problems: &mut Vec<String>,
    ) {
        let attempts = self.origin.received();
        if attempts != 1 {
            problems.push(format!("{attempts} request(s) reached the origin, not 1"));
        }
        let error = match result {
            Ok(output) => {
                problems.push(format!("the call succeeded: {output:?}"));
                return;
            }
            Err(error) => error,
        };
        let Error::Redirect(redirect) = error else {
            problems.push(format!("not a redirect error: {error:?}"));
            return;
        };
        if redirect.followed != followed {
            problems.push(format!(
                "followed is {}, expected {followed}",
                redirect.followed
            ));
        }
        if !followed && redirect.status.as_u16() != self.status {
            problems.push(format!(
                "status {} instead of {}",
                redirect.status, self.status
            ));
        }
        if redirect.location_host.as_deref() != Some("127.0.0.1") {
            problems.push(format!(
                "location host {:?} instead of 127.0.0.1",
                redirect.location_host
            ));
        }
        for shown in [error.to_string(), format!("{error:?}")] {
            for hidden in [QUERY_MARKER, TRAP_SECRET, "/payment_status"] {
                if shown.contains(hidden) {
                    problems.push(format!("the error shows {hidden:?}: {shown}"));
                }
            }
        }
    }
}
