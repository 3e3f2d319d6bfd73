//! The transport that carries the calls, chosen on the command line. Every
//! choice becomes the same client: octo-transport's blocking client over
//! [`AnyBackend`], whose exchange is the chosen transport's backend. The
//! async backends (reqwest, hyper) run each exchange on a tokio runtime the
//! command owns; the blocking one (ureq) on the calling thread.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use octo_proto::machine::Machine;
use octo_proto::{Config, Error, Operation, TransportError};
use octo_transport::{
    AsyncBackend, BlockingBackend, BlockingClient, BlockingFlowHandler, ClientBuilder, Exchanged,
    RunError, Settings,
};
use tokio::runtime::Handle;

use crate::cli::Transport;
use crate::failure::Failure;

/// How long one attempt may take before it counts as a timeout.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// One exchange of the chosen transport.
type Exchange = dyn Fn(&Settings, &http::Request<Vec<u8>>) -> Exchanged<Vec<u8>> + Send + Sync;

/// The backend of the transport chosen at run time, as one blocking
/// backend.
#[derive(Clone)]
pub struct AnyBackend {
    exchange: Arc<Exchange>,
}

/// Which transport [`AnyBackend`] sets up, and the runtime the async ones
/// run on.
#[derive(Debug, Default)]
pub struct Choice {
    transport: Option<Transport>,
    runtime: Option<Handle>,
}

impl octo_transport::Backend for AnyBackend {
    type Options = Choice;
    type Built = Result<BlockingClient<Self>, TransportError>;

    fn build(settings: Settings, choice: Choice) -> Self::Built {
        let exchange: Arc<Exchange> = match (choice.transport, choice.runtime) {
            (Some(Transport::Reqwest), Some(runtime)) => {
                let client =
                    octo_reqwest::ReqwestBackend::build(settings.clone(), Default::default())?;
                on_runtime(client.backend().clone(), runtime)
            }
            (Some(Transport::Hyper), Some(runtime)) => {
                let client = octo_hyper::HyperBackend::build(settings.clone(), Default::default())?;
                on_runtime(client.backend().clone(), runtime)
            }
            _ => {
                let client = octo_ureq::UreqBackend::build(settings.clone(), Default::default());
                let backend = client.backend().clone();
                Arc::new(move |settings, request| backend.exchange(settings, request))
            }
        };
        Ok(BlockingClient::from_parts(Self { exchange }, settings))
    }
}

/// An async backend's exchange, run to its end on `runtime`.
fn on_runtime<B: AsyncBackend + 'static>(backend: B, runtime: Handle) -> Arc<Exchange> {
    Arc::new(move |settings, request| {
        // The same method, URI, headers and body (octo-proto's requests
        // carry no extensions), the body as the async backends take it.
        let outgoing = request.clone().map(Bytes::from);
        let response = runtime.block_on(backend.exchange(settings, outgoing))?;
        Ok(response.map(Vec::from))
    })
}

impl BlockingBackend for AnyBackend {
    fn exchange(
        &self,
        settings: &Settings,
        request: &http::Request<Vec<u8>>,
    ) -> Exchanged<Vec<u8>> {
        (self.exchange)(settings, request)
    }
}

/// A client over the chosen transport, with one blocking `send` for all.
pub struct Backend {
    client: BlockingClient<AnyBackend>,
    transport: Transport,
}

impl Backend {
    /// A client of `transport` for `config`; the async ones are built
    /// inside `runtime`, which later drives them.
    pub fn new(transport: Transport, config: Config, runtime: &Handle) -> Result<Self, Failure> {
        let mut builder = ClientBuilder::<AnyBackend>::new(config).timeout(CALL_TIMEOUT);
        *builder.options_mut() = Choice {
            transport: Some(transport),
            runtime: Some(runtime.clone()),
        };
        // hyper-util's pool needs the runtime at hand when it is made.
        let _inside = runtime.enter();
        let client = builder.build().map_err(|e| {
            Failure::new(
                crate::failure::exit::NETWORK,
                format!("cannot set up the HTTP client: {e}"),
                None,
            )
        })?;
        Ok(Self { client, transport })
    }

    /// The transport's name, for the demo's narration.
    pub fn name(&self) -> &'static str {
        match self.transport {
            Transport::Reqwest => "octo-reqwest (async)",
            Transport::Ureq => "octo-ureq (blocking)",
            Transport::Hyper => "octo-hyper (async)",
        }
    }

    /// Sends `op` and waits for its result. Must not be called from inside
    /// the runtime (the command's main thread never is).
    pub fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        self.client.send(op)
    }

    /// Runs `machine` to its end with `handler`, the commands sent as by
    /// [`send`](Self::send). Must not be called from inside the runtime.
    pub fn run<M, H>(&self, machine: &mut M, handler: &mut H) -> Result<M::Outcome, RunError>
    where
        M: Machine,
        H: BlockingFlowHandler,
    {
        self.client.run(machine, handler)
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
