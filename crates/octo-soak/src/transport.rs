//! The three transports behind one `send`, each call bounded in time.

use std::future::Future;
use std::time::Duration;

use octo_proto::{Config, Error, Operation, RetryPolicy, TransportError, TransportErrorKind};
use octo_transport::{Backend, ClientBuilder};

/// Which transport a payment goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `octo_reqwest::Client`.
    Reqwest,
    /// `octo_ureq::Client` (blocking, run on tokio's blocking pool).
    Ureq,
    /// `octo_hyper::Client`.
    Hyper,
}

impl Kind {
    /// The three, in the order payments take them.
    pub const ALL: [Kind; 3] = [Kind::Reqwest, Kind::Ureq, Kind::Hyper];

    /// The crate's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Reqwest => "reqwest",
            Self::Ureq => "ureq",
            Self::Hyper => "hyper",
        }
    }
}

/// The client timings the harness uses.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// One attempt, answer included.
    pub attempt: Duration,
    /// Connecting.
    pub connect: Duration,
    /// One call, every retry included: the outer bound.
    pub call: Duration,
    /// The transports' own retries of idempotent calls.
    pub retry: RetryPolicy,
}

/// One of the three clients.
#[derive(Clone)]
pub enum Transport {
    /// Over reqwest.
    Reqwest(octo_reqwest::Client),
    /// Over ureq.
    Ureq(octo_ureq::Client),
    /// Over hyper.
    Hyper(octo_hyper::Client),
}

/// A client builder with the harness's timings and retry policy.
fn timed<B: Backend>(builder: ClientBuilder<B>, t: &Timings) -> ClientBuilder<B> {
    builder
        .timeout(t.attempt)
        .connect_timeout(t.connect)
        .retry_policy(t.retry)
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Transport({})", self.kind().name())
    }
}

impl Transport {
    /// A client of `kind` for `config`.
    pub fn new(kind: Kind, config: Config, t: &Timings) -> Result<Self, TransportError> {
        Ok(match kind {
            Kind::Reqwest => {
                Self::Reqwest(timed(octo_reqwest::Client::builder(config), t).build()?)
            }
            Kind::Ureq => Self::Ureq(timed(octo_ureq::Client::builder(config), t).build()),
            Kind::Hyper => Self::Hyper(timed(octo_hyper::Client::builder(config), t).build()?),
        })
    }

    /// Which one it is.
    pub fn kind(&self) -> Kind {
        match self {
            Self::Reqwest(_) => Kind::Reqwest,
            Self::Ureq(_) => Kind::Ureq,
            Self::Hyper(_) => Kind::Hyper,
        }
    }

    /// Sends `op` with the client's own retries, within `limit`; the
    /// blocking client runs on tokio's blocking pool.
    pub async fn send<O>(&self, op: &O, limit: Duration) -> Result<O::Output, Error>
    where
        O: Operation + Clone + Send + Sync + 'static,
        O::Output: Send + 'static,
    {
        match self {
            Self::Reqwest(c) => bounded(limit, c.send(op)).await,
            Self::Hyper(c) => bounded(limit, c.send(op)).await,
            Self::Ureq(c) => {
                let (c, op) = (c.clone(), op.clone());
                let call = tokio::task::spawn_blocking(move || c.send(&op));
                match bounded(limit, async { Ok(call.await) }).await {
                    Ok(Ok(result)) => result,
                    Ok(Err(join)) => Err(Error::Transport(TransportError::new(
                        TransportErrorKind::Other,
                        join.to_string(),
                    ))),
                    Err(e) => Err(e),
                }
            }
        }
    }
}

async fn bounded<T>(
    limit: Duration,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
        Err(Error::Transport(TransportError::new(
            TransportErrorKind::Timeout,
            "the call did not end within the harness's bound",
        )))
    })
}
