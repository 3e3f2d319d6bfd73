//! The async client, the same for every async backend.

use std::sync::Arc;

use octo_proto::machine::{Command, Machine, Reply};
use octo_proto::op::{
    BindCard, BlockCardToken, CheckPan, CheckSmsKey, FiscalData, PayWithToken, PaymentStatusCheck,
    PreparePayment, Refund, SetAccept, VerificationInfo,
};
use octo_proto::{Config, Error, Operation};

use crate::backend::AsyncBackend;
use crate::builder::ClientBuilder;
use crate::handler::{FlowHandler, HandlerFlow};
use crate::retry;
use crate::run::{RunError, run_async};
use crate::settings::Settings;

/// An async OCTO client over backend `B`. Cloning it is cheap and shares
/// the backend's connection pool. The transports name it for their
/// backend (`octo_reqwest::Client`, `octo_hyper::Client`).
#[derive(Clone)]
pub struct Client<B> {
    backend: B,
    settings: Arc<Settings>,
}

impl<B> std::fmt::Debug for Client<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_client(f, &self.settings)
    }
}

/// The fields both clients print; `Config`'s own Debug hides the secret.
pub(crate) fn debug_client(
    f: &mut std::fmt::Formatter<'_>,
    settings: &Settings,
) -> std::fmt::Result {
    f.debug_struct("Client")
        .field("config", &settings.config)
        .field("timeout", &settings.timeout)
        .field("retry", &settings.retry)
        .finish_non_exhaustive()
}

impl<B: AsyncBackend> Client<B> {
    /// A client with the default timeouts, retry policy and size cap; as
    /// [`Backend::Built`](crate::Backend::Built) says, wrapped in a `Result`
    /// when the backend's setup can fail.
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
    /// backend's [`Backend::build`](crate::Backend::build) ends with.
    pub fn from_parts(backend: B, settings: Settings) -> Self {
        Self {
            backend,
            settings: Arc::new(settings),
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

    /// Sends any operation: builds its request, sends it (again, when the
    /// retry policy allows), and parses the answer.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        retry::send_async(
            &self.settings,
            op,
            |request| self.backend.exchange(&self.settings, request),
            B::sleep,
        )
        .await
    }

    /// Sends a state machine's command with the same timeouts and retries
    /// as [`send`](Self::send), and returns the reply to hand back.
    pub async fn send_command(&self, command: &Command) -> Reply {
        retry::send_command_async(
            &self.settings,
            command,
            |request| self.backend.exchange(&self.settings, request),
            B::sleep,
        )
        .await
    }

    /// Drives `machine` until it is done or fails: commands go to OCTO
    /// through this client (with its timeouts and retries), everything else
    /// to `handler`. Notifications for another transaction are skipped.
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
