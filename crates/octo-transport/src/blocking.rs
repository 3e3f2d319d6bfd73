//! The blocking mode's calls, the same for every blocking backend: each
//! call runs on the calling thread, with no async runtime anywhere.

use octo_proto::machine::{Command, Machine, Reply};
use octo_proto::op::{
    BindCard, BlockCardToken, CheckPan, CheckSmsKey, FiscalData, PayWithToken, PaymentStatusCheck,
    PreparePayment, Refund, SetAccept, VerificationInfo,
};
use octo_proto::{Error, Operation};

use crate::attempt::{Call, Op};
use crate::backend::BlockingBackend;
use crate::client::BlockingClient;
use crate::handler::BlockingFlowHandler;
use crate::handler_flow::{HandlerFlow, SendCommandBlocking};
use crate::retry;
use crate::run::{RunError, run_blocking};

impl<B: BlockingBackend> BlockingClient<B> {
    /// Sends any operation: builds its request, sends it (again, when the
    /// retry policy allows, sleeping on this thread in between), and parses
    /// the answer.
    pub fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        self.call(Op(op))
    }

    /// Sends a state machine's command with the same timeouts and retries
    /// as [`send`](Self::send), and returns the reply to hand back.
    pub fn send_command(&self, command: &Command) -> Reply {
        self.call(command)
    }

    /// One call through the attempt loop, this backend exchanging and
    /// sleeping.
    fn call<C: Call>(&self, call: C) -> C::Answer {
        let settings = self.settings();
        retry::send_blocking(
            settings,
            call,
            |request| self.backend().exchange(settings, request),
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
    pub fn run<M, H>(&self, machine: &mut M, handler: &mut H) -> Result<M::Outcome, RunError>
    where
        M: Machine,
        H: BlockingFlowHandler,
    {
        run_blocking(machine, &mut HandlerFlow::new(self, handler))
    }

    /// `POST /prepare_payment`: creates a payment (or returns the one
    /// already created under the same `shop_transaction_id`).
    pub fn prepare_payment(
        &self,
        op: &PreparePayment,
    ) -> Result<<PreparePayment as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /prepare_payment` with only the id: the payment's status.
    pub fn payment_status(
        &self,
        op: &PaymentStatusCheck,
    ) -> Result<<PaymentStatusCheck as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /pay/{octo_payment_UUID}`: pays with a card token.
    pub fn pay_with_token(
        &self,
        op: &PayWithToken,
    ) -> Result<<PayWithToken as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /set_accept`: captures or cancels a held payment.
    pub fn set_accept(&self, op: &SetAccept) -> Result<<SetAccept as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /refund`.
    pub fn refund(&self, op: &Refund) -> Result<<Refund as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /bind_card`: starts binding a card.
    pub fn bind_card(&self, op: &BindCard) -> Result<<BindCard as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /verificationInfo/`: the state of the binding OTP.
    pub fn verification_info(
        &self,
        op: &VerificationInfo,
    ) -> Result<<VerificationInfo as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /bind_card/check_sms_key`: the customer's binding OTP.
    pub fn check_sms_key(
        &self,
        op: &CheckSmsKey,
    ) -> Result<<CheckSmsKey as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /check_pan`: resends the OTP.
    pub fn check_pan(&self, op: &CheckPan) -> Result<<CheckPan as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /block_card_token`.
    pub fn block_card_token(
        &self,
        op: &BlockCardToken,
    ) -> Result<<BlockCardToken as Operation>::Output, Error> {
        self.send(op)
    }

    /// `POST /fiscal-data`: the payment's fiscal receipt.
    pub fn fiscal_data(&self, op: &FiscalData) -> Result<<FiscalData as Operation>::Output, Error> {
        self.send(op)
    }
}

impl<B: BlockingBackend> SendCommandBlocking for BlockingClient<B> {
    fn send_command(&self, command: &Command) -> Reply {
        BlockingClient::<B>::send_command(self, command)
    }
}
