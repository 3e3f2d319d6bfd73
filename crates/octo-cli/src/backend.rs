//! The transport that carries the calls. The async clients (reqwest, hyper)
//! run on a tokio runtime the command owns; the blocking one (ureq) runs on
//! the calling thread, with no runtime in between.

use std::time::Duration;

use octo_proto::{Config, Error, Operation};
use tokio::runtime::Handle;

use crate::cli::Transport;
use crate::failure::Failure;

/// How long one attempt may take before it counts as a timeout.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// A client over the chosen transport, with one blocking `send` for all.
pub enum Backend {
    /// octo-reqwest, driven on `runtime`.
    Reqwest {
        /// The client.
        client: octo_reqwest::Client,
        /// The runtime it runs on.
        runtime: Handle,
    },
    /// octo-ureq, on the calling thread.
    Ureq(octo_ureq::Client),
    /// octo-hyper, driven on `runtime`.
    Hyper {
        /// The client.
        client: octo_hyper::Client,
        /// The runtime it runs on.
        runtime: Handle,
    },
}

impl Backend {
    /// A client of `transport` for `config`; the async ones are built
    /// inside `runtime`, which later drives them.
    pub fn new(transport: Transport, config: Config, runtime: &Handle) -> Result<Self, Failure> {
        let _inside = runtime.enter();
        let failed = |e: octo_proto::TransportError| {
            Failure::new(
                crate::failure::exit::NETWORK,
                format!("cannot set up the HTTP client: {e}"),
                None,
            )
        };
        Ok(match transport {
            Transport::Reqwest => Self::Reqwest {
                client: octo_reqwest::Client::builder(config)
                    .timeout(CALL_TIMEOUT)
                    .build()
                    .map_err(failed)?,
                runtime: runtime.clone(),
            },
            Transport::Ureq => Self::Ureq(
                octo_ureq::Client::builder(config)
                    .timeout(CALL_TIMEOUT)
                    .build(),
            ),
            Transport::Hyper => Self::Hyper {
                client: octo_hyper::Client::builder(config)
                    .timeout(CALL_TIMEOUT)
                    .build()
                    .map_err(failed)?,
                runtime: runtime.clone(),
            },
        })
    }

    /// The transport's name, for the demo's narration.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Reqwest { .. } => "octo-reqwest (async)",
            Self::Ureq(_) => "octo-ureq (blocking)",
            Self::Hyper { .. } => "octo-hyper (async)",
        }
    }

    /// Sends `op` and waits for its result. Must not be called from inside
    /// the runtime (the command's main thread never is).
    pub fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        match self {
            Self::Reqwest { client, runtime } => runtime.block_on(client.send(op)),
            Self::Ureq(client) => client.send(op),
            Self::Hyper { client, runtime } => runtime.block_on(client.send(op)),
        }
    }
}

/// The runtime the command owns: small, since the command does one thing
/// at a time and shares two cores with whatever else runs.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            Failure::new(
                crate::failure::exit::NETWORK,
                format!("cannot start the async runtime: {e}"),
                None,
            )
        })
}
