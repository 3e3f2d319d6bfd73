//! Any OCTO client, async or blocking, behind one async face, so that one
//! test is written once and run through every transport.

use std::future::Future;

use octo_proto::machine::Machine;
use octo_proto::{Error, Operation, TransportError};
use octo_transport::{
    AsyncBackend, BlockingBackend, BlockingClient, BlockingFlowHandler, Client, ClientBuilder,
    FlowHandler, RunError,
};

/// A client of one of the transports, as the shared tests see it. Both of
/// octo-transport's clients are one: `octo_reqwest::Client`,
/// `octo_hyper::Client` and `octo_ureq::Client` all qualify.
pub trait AnyClient: Sized {
    /// Its backend.
    type Backend: octo_transport::Backend;

    /// Builds the client; a backend that cannot be set up fails the test.
    fn build(builder: ClientBuilder<Self::Backend>) -> Self;

    /// Sends `op`. A blocking client blocks in place (handing its worker's
    /// other tasks to another thread on a multi-threaded runtime).
    fn send<O: Operation>(&self, op: &O) -> impl Future<Output = Result<O::Output, Error>>;

    /// Runs `machine` to its end with `handler`.
    fn run<M: Machine, H: AnyHandler>(
        &self,
        machine: &mut M,
        handler: &mut H,
    ) -> impl Future<Output = Result<M::Outcome, RunError>>;
}

/// A flow handler for both kinds of client: async and blocking. Every type
/// that is both is one.
pub trait AnyHandler: FlowHandler + BlockingFlowHandler {}

impl<H: FlowHandler + BlockingFlowHandler> AnyHandler for H {}

impl<B> AnyClient for Client<B>
where
    B: AsyncBackend<Built = Result<Client<B>, TransportError>>,
{
    type Backend = B;

    // Test support: a transport that cannot be set up fails the test.
    #[allow(clippy::panic)]
    fn build(builder: ClientBuilder<B>) -> Self {
        match builder.build() {
            Ok(client) => client,
            Err(error) => panic!("the client cannot be set up: {error}"),
        }
    }

    fn send<O: Operation>(&self, op: &O) -> impl Future<Output = Result<O::Output, Error>> {
        Client::send(self, op)
    }

    fn run<M: Machine, H: AnyHandler>(
        &self,
        machine: &mut M,
        handler: &mut H,
    ) -> impl Future<Output = Result<M::Outcome, RunError>> {
        Client::run(self, machine, handler)
    }
}

impl<B> AnyClient for BlockingClient<B>
where
    B: BlockingBackend<Built = BlockingClient<B>>,
{
    type Backend = B;

    fn build(builder: ClientBuilder<B>) -> Self {
        builder.build()
    }

    async fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        blocking(|| BlockingClient::send(self, op))
    }

    async fn run<M: Machine, H: AnyHandler>(
        &self,
        machine: &mut M,
        handler: &mut H,
    ) -> Result<M::Outcome, RunError> {
        blocking(|| BlockingClient::run(self, machine, handler))
    }
}

/// Runs `work` on this thread; inside a multi-threaded runtime, the
/// worker's other tasks move elsewhere meanwhile (the sandbox may be
/// among them).
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}
