//! Macros that write a transport's public methods, which must stay inherent
//! methods of each transport's own types: one copy of their code and docs
//! here, one expansion per transport.

/// The settings methods of a transport's `ClientBuilder`, which must have a
/// field `settings: octo_transport::Settings`. The attributes given (doc
/// comments) go on `connect_timeout`, whose caveats differ per backend.
#[macro_export]
macro_rules! builder_settings {
    ($(#[$connect_doc:meta])*) => {
        $(#[$connect_doc])*
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.settings.connect_timeout = timeout;
            self
        }

        /// How long one attempt may take in all, body included.
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.settings.timeout = timeout;
            self
        }

        /// When to retry (default:
        /// [`RetryPolicy::default`](octo_proto::RetryPolicy::default)).
        pub fn retry_policy(mut self, policy: $crate::octo_proto::RetryPolicy) -> Self {
            self.settings.retry = policy;
            self
        }

        /// One attempt per call, never a retry.
        pub fn no_retry(self) -> Self {
            self.retry_policy($crate::octo_proto::RetryPolicy::none())
        }

        /// The largest response body accepted; a larger one fails with
        /// [`TransportErrorKind::BodyTooLarge`](octo_proto::TransportErrorKind::BodyTooLarge).
        pub fn max_response_bytes(mut self, limit: usize) -> Self {
            self.settings.max_response_bytes = limit;
            self
        }
    };
}

/// One method per OCTO endpoint on `$client`, each a named shorthand for
/// its `send`. `operation_methods!(Client, async)` writes async methods,
/// `operation_methods!(Client)` blocking ones.
#[macro_export]
macro_rules! operation_methods {
    ($client:ident $(, $async:ident)?) => {
        $crate::operation_methods! {
            @each $client ($($async)?)
            /// `POST /prepare_payment`: creates a payment (or returns the one
            /// already created under the same `shop_transaction_id`).
            prepare_payment(PreparePayment);
            /// `POST /prepare_payment` with only the id: the payment's status.
            payment_status(PaymentStatusCheck);
            /// `POST /pay/{octo_payment_UUID}`: pays with a card token.
            pay_with_token(PayWithToken);
            /// `POST /set_accept`: captures or cancels a held payment.
            set_accept(SetAccept);
            /// `POST /refund`.
            refund(Refund);
            /// `POST /bind_card`: starts binding a card.
            bind_card(BindCard);
            /// `POST /verificationInfo/`: the state of the binding OTP.
            verification_info(VerificationInfo);
            /// `POST /bind_card/check_sms_key`: the customer's binding OTP.
            check_sms_key(CheckSmsKey);
            /// `POST /check_pan`: resends the OTP.
            check_pan(CheckPan);
            /// `POST /block_card_token`.
            block_card_token(BlockCardToken);
            /// `POST /fiscal-data`: the payment's fiscal receipt.
            fiscal_data(FiscalData);
        }
    };
    (@each $client:ident (async) $($(#[$doc:meta])* $method:ident($op:ident);)*) => {
        impl $client {
            $(
                $(#[$doc])*
                pub async fn $method(
                    &self,
                    op: &$crate::octo_proto::op::$op,
                ) -> ::std::result::Result<
                    <$crate::octo_proto::op::$op as $crate::octo_proto::Operation>::Output,
                    $crate::octo_proto::Error,
                > {
                    self.send(op).await
                }
            )*
        }
    };
    (@each $client:ident () $($(#[$doc:meta])* $method:ident($op:ident);)*) => {
        impl $client {
            $(
                $(#[$doc])*
                pub fn $method(
                    &self,
                    op: &$crate::octo_proto::op::$op,
                ) -> ::std::result::Result<
                    <$crate::octo_proto::op::$op as $crate::octo_proto::Operation>::Output,
                    $crate::octo_proto::Error,
                > {
                    self.send(op)
                }
            )*
        }
    };
}

/// An async transport's `FlowHandler` trait and its `$client::run`. The
/// trait is written into each transport rather than shared, so that one
/// type can implement octo-reqwest's and octo-hyper's handlers side by
/// side. `$sleep` is the runtime's sleep, for the default `wait`;
/// `$client` must have `send_command(&self, &Command) -> Reply` (async).
#[macro_export]
macro_rules! async_flow_handler {
    ($client:ident, $sleep:path) => {
        /// What only the shop can supply while a flow runs: sending the
        /// customer to a page, the customer's SMS code, the capture
        /// decision, and the notifications or callbacks OCTO sends to the
        /// shop's server.
        pub trait FlowHandler {
            /// The customer must go to `url` (payment page, OTP form, 3-D
            /// Secure).
            fn redirect(&mut self, url: &str) -> impl ::std::future::Future<Output = ()> + Send;

            /// The customer's answer to `prompt`:
            /// [`Input::Code`](octo_proto::machine::Input::Code) or
            /// [`Input::ResendCode`](octo_proto::machine::Input::ResendCode).
            fn code(
                &mut self,
                prompt: &$crate::octo_proto::machine::CodePrompt,
            ) -> impl ::std::future::Future<Output = $crate::octo_proto::machine::Input> + Send;

            /// The decision on held money:
            /// [`Input::Capture`](octo_proto::machine::Input::Capture) or
            /// [`Input::Cancel`](octo_proto::machine::Input::Cancel).
            fn decide(
                &mut self,
                hold: &$crate::octo_proto::machine::Hold,
            ) -> impl ::std::future::Future<Output = $crate::octo_proto::machine::Input> + Send;

            /// Waits for what `wait` names (a verified notification, a
            /// tokenization callback) and returns it as an input, or
            /// [`Input::Timeout`](octo_proto::machine::Input::Timeout) once
            /// `wait.until` has passed; `None` ends the run with
            /// [`RunError::Stalled`].
            ///
            /// The default waits for no callback at all: it sleeps until
            /// the deadline and reports a timeout, after which the machines
            /// check the status themselves.
            fn wait(
                &mut self,
                wait: &$crate::octo_proto::machine::Wait,
            ) -> impl ::std::future::Future<Output = Option<$crate::octo_proto::machine::Input>>
            + Send {
                let until = wait.until;
                async move {
                    let until = until?;
                    let left = until - ::time::OffsetDateTime::now_utc();
                    if left.is_positive() {
                        $sleep(left.unsigned_abs()).await;
                    }
                    Some($crate::octo_proto::machine::Input::Timeout)
                }
            }
        }

        impl $client {
            /// Drives `machine` until it is done or fails: commands go to
            /// OCTO through this client (with its timeouts and retries),
            /// everything else to `handler`. Notifications for another
            /// transaction are skipped.
            pub async fn run<M, H>(
                &self,
                machine: &mut M,
                handler: &mut H,
            ) -> ::std::result::Result<M::Outcome, $crate::RunError>
            where
                M: $crate::octo_proto::machine::Machine,
                H: FlowHandler,
            {
                /// The client and the handler as one flow.
                struct Steps<'a, H> {
                    client: &'a $client,
                    handler: &'a mut H,
                }

                impl<H: FlowHandler> $crate::AsyncFlow for Steps<'_, H> {
                    fn send(
                        &mut self,
                        command: &$crate::octo_proto::machine::Command,
                    ) -> impl ::std::future::Future<Output = $crate::octo_proto::machine::Reply> + Send
                    {
                        self.client.send_command(command)
                    }

                    fn redirect(&mut self, url: &str) -> impl ::std::future::Future<Output = ()> + Send {
                        self.handler.redirect(url)
                    }

                    fn code(
                        &mut self,
                        prompt: &$crate::octo_proto::machine::CodePrompt,
                    ) -> impl ::std::future::Future<Output = $crate::octo_proto::machine::Input> + Send
                    {
                        self.handler.code(prompt)
                    }

                    fn decide(
                        &mut self,
                        hold: &$crate::octo_proto::machine::Hold,
                    ) -> impl ::std::future::Future<Output = $crate::octo_proto::machine::Input> + Send
                    {
                        self.handler.decide(hold)
                    }

                    fn wait(
                        &mut self,
                        wait: &$crate::octo_proto::machine::Wait,
                    ) -> impl ::std::future::Future<
                        Output = Option<$crate::octo_proto::machine::Input>,
                    > + Send {
                        self.handler.wait(wait)
                    }
                }

                $crate::run_async(machine, &mut Steps { client: self, handler }).await
            }
        }
    };
}
