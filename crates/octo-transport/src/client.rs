//! The client, the same for every backend: what both modes share, and
//! the async mode's calls (the blocking ones are in `blocking.rs`).

use std::marker::PhantomData;
use std::sync::Arc;

use octo_proto::machine::{Command, Machine, Reply};
use octo_proto::op::{
    BindCard, BlockCardToken, CheckPan, CheckSmsKey, FiscalData, PayWithToken, PaymentStatusCheck,
    PreparePayment, Refund, SetAccept, VerificationInfo,
};
use octo_proto::{Config, Error, Operation};

use crate::attempt::{Call, Op};
use crate::backend::{AsyncBackend, Backend};
use crate::builder::ClientBuilder;
use crate::handler::FlowHandler;
use crate::handler_flow::{HandlerFlow, SendCommand};
use crate::retry;
use crate::run::{RunError, run_async};
use crate::settings::Settings;

/// An OCTO client over backend `B`, in mode `M`: used through its two
/// names, [`Client<B>`] (async) and [`BlockingClient<B>`]. Cloning it is
/// cheap and shares the backend's connection pool.
///
/// Both modes have the same methods: `send`, `send_command`, `run` and one
/// per operation; the async ones return futures, the blocking ones run on
/// the calling thread. What does not depend on the mode (building, the
/// backend, the config) is written once here.
pub struct OctoClient<B, M> {
    backend: B,
    settings: Arc<Settings>,
    mode: PhantomData<M>,
}

/// The async mode of [`OctoClient`]: calls return futures, run on tokio.
#[derive(Debug, Clone, Copy)]
pub struct Async;

/// The blocking mode of [`OctoClient`]: each call runs on the calling
/// thread, with no async runtime anywhere.
#[derive(Debug, Clone, Copy)]
pub struct Blocking;

/// An async OCTO client over backend `B`. The transports name it for their
/// backend (`octo_reqwest::Client`, `octo_hyper::Client`).
pub type Client<B> = OctoClient<B, Async>;

/// A blocking OCTO client over backend `B`. octo-ureq names it
/// `octo_ureq::Client`.
pub type BlockingClient<B> = OctoClient<B, Blocking>;

impl<B: Clone, M> Clone for OctoClient<B, M> {
    fn clone(&self) -> Self {
        Self {
            backend: self.backend.clone(),
            settings: Arc::clone(&self.settings),
            mode: PhantomData,
        }
    }
}

impl<B, M> std::fmt::Debug for OctoClient<B, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `Config`'s own Debug hides the secret.
        f.debug_struct("Client")
            .field("config", &self.settings.config)
            .field("timeout", &self.settings.timeout)
            .field("retry", &self.settings.retry)
            .finish_non_exhaustive()
    }
}

impl<B: Backend, M> OctoClient<B, M> {
    /// A client with the default timeouts, retry policy and size cap; as
    /// [`Backend::Built`] says, wrapped in a `Result` when the backend's
    /// setup can fail.
    // The backend decides whether building can fail, so `new` returns what
    // the builder does rather than `Self`.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(config: Config) -> B::Built {
        Self::builder(config).build()
    }

    /// Starts configuring a client.
    pub fn builder(config: Config) -> ClientBuilder<B> {
        ClientBuilder::new(config)
    }

    /// A client from a backend already set up for `settings`; what a
    /// backend's [`Backend::build`] ends with.
    pub fn from_parts(backend: B, settings: Settings) -> Self {
        Self {
            backend,
            settings: Arc::new(settings),
            mode: PhantomData,
        }
    }

    /// The backend that carries the exchanges.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The shop's config in use.
    pub fn config(&self) -> &Config {
        &self.settings.config
    }

    /// The settings the client was built with.
    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }
}

impl<B: AsyncBackend> Client<B> {
    /// Sends any operation: builds its request, sends it (again, when the
    /// retry policy allows), and parses the answer.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        self.call(Op(op)).await
    }

    /// Sends a state machine's command with the same timeouts and retries
    /// as [`send`](Self::send), and returns the reply to hand back.
    pub async fn send_command(&self, command: &Command) -> Reply {
        self.call(command).await
    }

    /// One call through the attempt loop, this backend exchanging and
    /// sleeping.
    fn call<C: Call>(&self, call: C) -> impl Future<Output = C::Answer> {
        let settings = &*self.settings;
        retry::send_async(
            settings,
            call,
            |request| self.backend.exchange(settings, request),
            B::sleep,
        )
    }

    /// Drives `machine` until it is done or fails: commands go to OCTO
    /// through this client (with its timeouts and retries), everything else
    /// to `handler`. Notifications for another transaction are skipped.
    ///
    /// [`RunError::Failed`](crate::RunError::Failed) is a failure the
    /// machine reported, not always the end of the flow: if
    /// `machine.is_terminal()` is `false`, the payment or binding is still
    /// open (a failed status check, a refused capture, a lost token
    /// charge, …). Keep the machine and run it again, or check the status,
    /// before treating it as over.
    ///
    /// A machine left waiting for the reply to a command that an earlier,
    /// interrupted run sent is told that command's outcome is unknown, and
    /// settles it as after a timeout (a status check where resending is
    /// not safe).
    pub async fn run<M, H>(&self, machine: &mut M, handler: &mut H) -> Result<M::Outcome, RunError>
    where
        M: Machine,
        H: FlowHandler,
    {
        run_async(machine, &mut HandlerFlow::new(self, handler)).await
    }

    /// `POST /prepare_payment`: creates a payment (or returns the one
    /// already created under the same `shop_transaction_id`).
    pub async fn prepare_payment(
        &self,
        op: &PreparePayment,
    ) -> Result<<PreparePayment as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /prepare_payment` with only the id: the payment's status.
    pub async fn payment_status(
        &self,
        op: &PaymentStatusCheck,
    ) -> Result<<PaymentStatusCheck as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /pay/{octo_payment_UUID}`: pays with a card token.
    pub async fn pay_with_token(
        &self,
        op: &PayWithToken,
    ) -> Result<<PayWithToken as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /set_accept`: captures or cancels a held payment.
    pub async fn set_accept(
        &self,
        op: &SetAccept,
    ) -> Result<<SetAccept as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /refund`.
    pub async fn refund(&self, op: &Refund) -> Result<<Refund as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /bind_card`: starts binding a card.
    pub async fn bind_card(&self, op: &BindCard) -> Result<<BindCard as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /verificationInfo/`: the state of the binding OTP.
    pub async fn verification_info(
        &self,
        op: &VerificationInfo,
    ) -> Result<<VerificationInfo as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /bind_card/check_sms_key`: the customer's binding OTP.
    pub async fn check_sms_key(
        &self,
        op: &CheckSmsKey,
    ) -> Result<<CheckSmsKey as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /check_pan`: resends the OTP.
    pub async fn check_pan(&self, op: &CheckPan) -> Result<<CheckPan as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /block_card_token`.
    pub async fn block_card_token(
        &self,
        op: &BlockCardToken,
    ) -> Result<<BlockCardToken as Operation>::Output, Error> {
        self.send(op).await
    }

    /// `POST /fiscal-data`: the payment's fiscal receipt.
    pub async fn fiscal_data(
        &self,
        op: &FiscalData,
    ) -> Result<<FiscalData as Operation>::Output, Error> {
        self.send(op).await
    }
}

impl<B: AsyncBackend> SendCommand for Client<B> {
    fn send_command(&self, command: &Command) -> impl Future<Output = Reply> + Send {
        Client::<B>::send_command(self, command)
    }
}
