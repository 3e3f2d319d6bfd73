//! Support for the end-to-end tests: each flow runs through every
//! transport as octo-testkit's `AnyClient`, a callback receiver built on octo-hyper's `CallbackService`,
//! a shopper that stands in for the customer when a state machine runs, and
//! a sandbox set up for all of it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::any::TypeId;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::service::service_fn;
use octo_hyper::{CallbackHandler, CallbackService};
use octo_proto::callback::{
    NotificationReply, SignatureScheme, TokenizationCallback, TokenizationReply,
    VerifiedNotification,
};
use octo_proto::machine::{Awaiting, CodePrompt, Hold, Input, Wait};
use octo_proto::op::{BindCard, Payment, PaymentStatusCheck, PreparePayment, SmsCode};
use octo_proto::{
    Config, Currency, NotificationKey, Operation, PaymentMethod, PaymentStatus, PaymentUuid,
    RetryPolicy,
};
use octo_sandbox::cards::{CardBehaviour, TestCard, test_card};
use octo_sandbox::{
    ManualClock, PaymentSummary, Sandbox, SandboxBuilder, SandboxHandle, Signing, Step,
};
use octo_testkit::AnyClient;
use octo_transport::{BlockingFlowHandler, ClientBuilder, FlowHandler};
use rust_decimal::Decimal;
use tokio::sync::mpsc;

/// Every call and every wait in these tests is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(20);

/// Runs one async flow, written once and generic over the client type,
/// through each transport: a module per flow with one `#[tokio::test]`
/// per transport (`one_stage::ureq`, ...).
#[macro_export]
macro_rules! each_transport {
    ($($flow:ident),* $(,)?) => {
        $(
            mod $flow {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn reqwest() {
                    super::$flow::<octo_reqwest::Client>().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn ureq() {
                    super::$flow::<octo_ureq::Client>().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn hyper() {
                    super::$flow::<octo_hyper::Client>().await;
                }
            }
        )*
    };
}

/// A client of type `C` for `config`, with short timeouts and `retry`.
fn client<C: AnyClient>(config: Config, retry: RetryPolicy) -> C {
    let timeout = Duration::from_secs(5);
    C::build(
        ClientBuilder::new(config)
            .timeout(timeout)
            .connect_timeout(timeout)
            .retry_policy(retry),
    )
}

/// A call or a run, bounded by [`LIMIT`] (a blocking client blocks in
/// place, handing this worker's other tasks to the other thread).
pub async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, future)
        .await
        .expect("no answer within the limit")
}
/// What the receiver answers to a notification of a held payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A plain 200: the shop decides later with `set_accept`.
    Later,
    Capture,
    Cancel,
}

struct Handler {
    notifications: mpsc::UnboundedSender<VerifiedNotification>,
    tokenizations: mpsc::UnboundedSender<TokenizationCallback>,
    accepted: Arc<AtomicUsize>,
    decision: Arc<Mutex<Decision>>,
}

impl CallbackHandler for Handler {
    fn notification(
        &self,
        notification: VerifiedNotification,
    ) -> impl Future<Output = NotificationReply> + Send {
        self.accepted.fetch_add(1, Ordering::SeqCst);
        let reply = if notification.awaits_decision() {
            match *self.decision.lock().unwrap() {
                Decision::Later => NotificationReply::acknowledge(),
                Decision::Capture => NotificationReply::capture(),
                Decision::Cancel => NotificationReply::cancel(),
            }
        } else {
            NotificationReply::acknowledge()
        };
        let _ = self.notifications.send(notification);
        async move { reply }
    }

    fn tokenization(
        &self,
        callback: TokenizationCallback,
    ) -> impl Future<Output = TokenizationReply> + Send {
        self.accepted.fetch_add(1, Ordering::SeqCst);
        let _ = self.tokenizations.send(callback);
        async { TokenizationReply::stored("stored") }
    }
}

/// The paths on which the receiver serves each callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackPaths {
    /// Where payment notifications go (`notify_url`).
    pub notify: &'static str,
    /// Where tokenization callbacks go (`bind_notify_url`).
    pub bind_notify: &'static str,
}

impl CallbackPaths {
    /// octo-hyper's defaults: a path for each callback.
    pub const SEPARATE: Self = Self {
        notify: octo_hyper::callback::DEFAULT_NOTIFY_PATH,
        bind_notify: octo_hyper::callback::DEFAULT_BIND_NOTIFY_PATH,
    };

    /// One path for both: a shop that gives OCTO the same URL as
    /// `notify_url` and `bind_notify_url`.
    pub const SHARED: Self = Self {
        notify: "/octo/callbacks",
        bind_notify: "/octo/callbacks",
    };
}

/// The shop's callback endpoint on loopback: octo-hyper's `CallbackService`
/// (head checks, body cap, signature verification, parsing, replies), with
/// a count of every request that reached it.
pub struct Callbacks {
    pub addr: SocketAddr,
    paths: CallbackPaths,
    notifications: tokio::sync::Mutex<mpsc::UnboundedReceiver<VerifiedNotification>>,
    tokenizations: tokio::sync::Mutex<mpsc::UnboundedReceiver<TokenizationCallback>>,
    requests: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
    decision: Arc<Mutex<Decision>>,
}

impl Callbacks {
    /// On octo-hyper's default paths, one for each callback.
    pub async fn start(scheme: SignatureScheme) -> Self {
        Self::start_on(scheme, CallbackPaths::SEPARATE).await
    }

    /// On `paths`, which may name one path for both callbacks.
    pub async fn start_on(scheme: SignatureScheme, paths: CallbackPaths) -> Self {
        let (ntx, nrx) = mpsc::unbounded_channel();
        let (ttx, trx) = mpsc::unbounded_channel();
        let requests = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(AtomicUsize::new(0));
        let decision = Arc::new(Mutex::new(Decision::Later));
        let service = CallbackService::new(
            Handler {
                notifications: ntx,
                tokenizations: ttx,
                accepted: Arc::clone(&accepted),
                decision: Arc::clone(&decision),
            },
            scheme,
        )
        .with_notify_path(paths.notify)
        .with_bind_notify_path(paths.bind_notify);
        let counter = Arc::clone(&requests);
        let addr = octo_testkit::loopback::serve(service_fn(move |request| {
            counter.fetch_add(1, Ordering::SeqCst);
            let service = service.clone();
            async move { Ok::<_, Infallible>(service.handle(request).await) }
        }))
        .await
        .unwrap();
        Self {
            addr,
            paths,
            notifications: tokio::sync::Mutex::new(nrx),
            tokenizations: tokio::sync::Mutex::new(trx),
            requests,
            accepted,
            decision,
        }
    }

    /// Where payment notifications go.
    pub fn notify_url(&self) -> String {
        format!("http://{}{}", self.addr, self.paths.notify)
    }

    /// Where tokenization callbacks go.
    pub fn bind_notify_url(&self) -> String {
        format!("http://{}{}", self.addr, self.paths.bind_notify)
    }

    /// How held payments are answered from now on.
    pub fn decide(&self, decision: Decision) {
        *self.decision.lock().unwrap() = decision;
    }

    /// The next verified notification, within `wait`.
    pub async fn next_notification_within(&self, wait: Duration) -> Option<VerifiedNotification> {
        next_within(&self.notifications, wait).await
    }

    /// The next verified notification, within [`LIMIT`].
    pub async fn next_notification(&self) -> VerifiedNotification {
        next(&self.notifications, "notification").await
    }

    /// Verified notifications of `uuid` up to and including the first with
    /// `status` (others are skipped), within [`LIMIT`].
    pub async fn notifications_until(
        &self,
        uuid: &str,
        status: PaymentStatus,
    ) -> Vec<VerifiedNotification> {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + LIMIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(n) = self.next_notification_within(left).await else {
                panic!(
                    "no {status} notification for {uuid}; got {:?}",
                    seen.iter()
                        .map(|n: &VerifiedNotification| n.status.clone())
                        .collect::<Vec<_>>()
                );
            };
            if n.octo_payment_uuid.as_str() != uuid {
                continue;
            }
            let done = n.status == status;
            seen.push(n);
            if done {
                return seen;
            }
        }
    }

    /// The next tokenization callback within `wait`.
    pub async fn next_tokenization_within(&self, wait: Duration) -> Option<TokenizationCallback> {
        next_within(&self.tokenizations, wait).await
    }

    /// The next tokenization callback, within [`LIMIT`].
    pub async fn next_tokenization(&self) -> TokenizationCallback {
        next(&self.tokenizations, "tokenization callback").await
    }

    /// Requests that reached the endpoint.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Callbacks that were verified and handed to the handler.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// The next message on `queue` within `wait`.
async fn next_within<T>(
    queue: &tokio::sync::Mutex<mpsc::UnboundedReceiver<T>>,
    wait: Duration,
) -> Option<T> {
    tokio::time::timeout(wait, queue.lock().await.recv())
        .await
        .ok()
        .flatten()
}

/// The next message on `queue` within [`LIMIT`]; `what` names it when
/// none comes.
async fn next<T>(queue: &tokio::sync::Mutex<mpsc::UnboundedReceiver<T>>, what: &str) -> T {
    let next = next_within(queue, LIMIT).await;
    next.unwrap_or_else(|| panic!("no {what} within the limit"))
}

/// The `unique_key` an [`Env`]'s sandbox signs with (when it does) and
/// its receiver checks with.
pub const UNIQUE_KEY: &str = "e2e-unique-key-5f1c";

/// How the receiver of an [`Env`] verifies notifications.
#[derive(Debug, Clone, Copy)]
pub enum Verify {
    /// With the scheme the sandbox signs with.
    AsSigned,
    /// With [`SignatureScheme::Either`] and both keys.
    Either,
    /// With [`SignatureScheme::UniqueKey`] and [`UNIQUE_KEY`], whatever the
    /// transport (the sandbox must then be told to sign with it).
    UniqueKey,
}

/// A sandbox, a callback receiver that verifies with the sandbox's
/// signing scheme, and a client of one transport.
pub struct Env<C> {
    pub sb: SandboxHandle,
    pub callbacks: Callbacks,
    pub client: C,
}

impl<C: AnyClient + 'static> Env<C> {
    /// Whether the sandbox signs this transport's notifications with a
    /// unique key (octo-reqwest's) rather than the shop's secret, so that
    /// both schemes are verified end to end.
    pub fn signs_with_unique_key() -> bool {
        TypeId::of::<C>() == TypeId::of::<octo_reqwest::Client>()
    }

    /// The default set-up: notifications retried quickly, the system clock.
    pub async fn start() -> Self {
        Self::start_with(|b| b, RetryPolicy::default()).await
    }

    /// With a manual clock.
    pub async fn with_clock(clock: ManualClock) -> Self {
        Self::start_with(move |b| b.clock(clock), RetryPolicy::default()).await
    }

    /// With changes to the sandbox and a retry policy. Notifications are
    /// signed with a unique key when the client is octo-reqwest's and with
    /// the shop's secret otherwise, so both schemes are verified end to end.
    pub async fn start_with(
        change: impl FnOnce(SandboxBuilder) -> SandboxBuilder,
        retry: RetryPolicy,
    ) -> Self {
        Self::start_on(change, retry, CallbackPaths::SEPARATE).await
    }

    /// As [`Env::start_with`], with the receiver serving the callbacks on
    /// `paths`.
    pub async fn start_on(
        change: impl FnOnce(SandboxBuilder) -> SandboxBuilder,
        retry: RetryPolicy,
        paths: CallbackPaths,
    ) -> Self {
        Self::start_verifying(change, retry, paths, Verify::AsSigned).await
    }

    /// As [`Env::start_on`], the receiver verifying as `verify` says.
    pub async fn start_verifying(
        change: impl FnOnce(SandboxBuilder) -> SandboxBuilder,
        retry: RetryPolicy,
        paths: CallbackPaths,
        verify: Verify,
    ) -> Self {
        let key = NotificationKey::new(UNIQUE_KEY);
        let builder = Sandbox::builder().fast_callbacks(4, Duration::from_millis(50));
        let unique_key = Self::signs_with_unique_key();
        let builder = if unique_key {
            builder.signing(Signing::UniqueKey(key.clone()))
        } else {
            builder.signing(Signing::SecretAndHashKey)
        };
        let sb = change(builder).start().await.unwrap();
        let scheme = match verify {
            Verify::Either => SignatureScheme::either(key, sb.shop_secret()),
            Verify::UniqueKey => SignatureScheme::UniqueKey(key),
            Verify::AsSigned if unique_key => SignatureScheme::UniqueKey(key),
            Verify::AsSigned => SignatureScheme::SecretAndHashKey(sb.shop_secret()),
        };
        let callbacks = Callbacks::start_on(scheme, paths).await;
        let client = client(sb.client_config(), retry);
        Self {
            sb,
            callbacks,
            client,
        }
    }

    /// A one-stage payment of `total` UZS that notifies this receiver.
    pub fn payment(&self, id: &str, total: &str) -> PreparePayment {
        let mut p = PreparePayment::new(
            id.parse().unwrap(),
            dec(total),
            Currency::Uzs,
            "Two yoghurts",
            "https://shop.example/orders/done",
            init_time(),
        );
        p.notify_url = Some(self.callbacks.notify_url());
        p
    }

    /// Sends `op`, which must succeed: OCTO's answer.
    pub async fn answer<O: Operation>(&self, op: &O) -> O::Output {
        self.client.send(op).await.unwrap()
    }

    /// The customer pays `uuid` on the sandbox with the test card that
    /// behaves as `behaviour`: where the payment page lands.
    pub fn pay(&self, uuid: &str, behaviour: CardBehaviour) -> Step {
        self.sb.customer().pay(uuid, &test_card(behaviour)).unwrap()
    }

    /// Sends `prepare`, pays it with `behaviour` and waits for its
    /// notification with `status`: the payment's uuid and its notifications
    /// up to that one.
    pub async fn pay_until(
        &self,
        prepare: &PreparePayment,
        behaviour: CardBehaviour,
        status: PaymentStatus,
    ) -> (PaymentUuid, Vec<VerifiedNotification>) {
        let uuid = self.answer(prepare).await.octo_payment_uuid;
        self.pay(uuid.as_str(), behaviour);
        let notes = self
            .callbacks
            .notifications_until(uuid.as_str(), status)
            .await;
        (uuid, notes)
    }

    /// The verified notifications of `uuid` up to the one with `status`.
    pub async fn until(&self, uuid: &str, status: PaymentStatus) -> Vec<VerifiedNotification> {
        self.callbacks.notifications_until(uuid, status).await
    }

    /// The status check of `shop_transaction_id`, which must answer.
    pub async fn checked(&self, shop_transaction_id: &str) -> Payment {
        let check = PaymentStatusCheck::new(shop_transaction_id.parse().unwrap());
        self.client.send(&check).await.unwrap()
    }

    /// The sandbox's own record of `uuid`.
    pub fn record(&self, uuid: &str) -> PaymentSummary {
        self.sb
            .payment(uuid)
            .expect("the sandbox holds the payment")
    }

    /// A card binding of `pan` whose tokenization callback comes to this
    /// receiver.
    pub fn bind_card(&self, id: &str, pan: &str, method: PaymentMethod) -> BindCard {
        let callback = Some(self.callbacks.bind_notify_url());
        octo_testkit::cards::binding(id, pan, method, callback)
    }

    /// A two-stage payment of `total` paid with `behaviour`, once its
    /// `waiting_for_capture` notification arrived: its uuid.
    pub async fn held(&self, id: &str, total: &str, behaviour: CardBehaviour) -> PaymentUuid {
        let held = self.payment(id, total).two_stage();
        let waiting = PaymentStatus::WaitingForCapture;
        self.pay_until(&held, behaviour, waiting).await.0
    }

    /// Checks every callback (as [`Env::all_callbacks_verified`]), then
    /// stops the sandbox.
    pub async fn finish(self) {
        self.all_callbacks_verified().await;
        self.shutdown().await;
    }

    /// Waits for the sandbox's callbacks to settle, then checks that every
    /// request the receiver got was verified and accepted.
    pub async fn all_callbacks_verified(&self) {
        assert!(
            self.sb.wait_for_callbacks(LIMIT).await,
            "callbacks still in flight"
        );
        assert!(self.callbacks.requests() > 0, "no callback arrived at all");
        assert_eq!(
            self.callbacks.accepted(),
            self.callbacks.requests(),
            "every callback verified"
        );
    }

    /// Once the sandbox's callbacks have settled: every try it made
    /// reached the receiver and was handed to the handler, and there were
    /// as many tries as distinct callbacks (`delivered`, plus any still
    /// queued here), so each was acknowledged on its first try. The
    /// notifications still queued are returned.
    pub async fn each_acknowledged_at_first_try(
        &self,
        delivered: usize,
    ) -> Vec<VerifiedNotification> {
        assert!(
            self.sb.wait_for_callbacks(LIMIT).await,
            "callbacks still in flight"
        );
        let quiet = Duration::from_millis(100);
        let mut late = 0;
        let mut queued = Vec::new();
        while let Some(n) = self.callbacks.next_notification_within(quiet).await {
            late += 1;
            assert!(n.warnings().is_empty(), "{:?}", n.warnings());
            queued.push(n);
        }
        while self
            .callbacks
            .next_tokenization_within(quiet)
            .await
            .is_some()
        {
            late += 1;
        }
        let requests = self.callbacks.requests();
        assert_eq!(
            self.sb.callback_attempts(),
            u64::try_from(requests).unwrap(),
            "every try of the sandbox reached the receiver"
        );
        assert_eq!(
            self.callbacks.accepted(),
            requests,
            "every request accepted"
        );
        assert_eq!(
            requests,
            delivered + late,
            "one try per callback: none refused and retried"
        );
        queued
    }

    pub async fn shutdown(self) {
        self.sb.shutdown().await;
    }
}

/// Stands in for the customer and the shop's server while a transport's
/// runner drives a state machine: pays on redirects, types the sandbox's
/// SMS code, decides holds, and hands in the callbacks the receiver got.
pub struct Shopper<'a> {
    pub sb: &'a SandboxHandle,
    pub callbacks: &'a Callbacks,
    pub card: TestCard,
    pub decision: Input,
    pub redirects: Vec<String>,
    pub prompts: Vec<CodePrompt>,
    pub holds: Vec<Hold>,
}

impl<'a> Shopper<'a> {
    pub fn new<C>(env: &'a Env<C>, card: TestCard) -> Self {
        Self {
            sb: &env.sb,
            callbacks: &env.callbacks,
            card,
            decision: Input::Capture { final_amount: None },
            redirects: Vec::new(),
            prompts: Vec::new(),
            holds: Vec::new(),
        }
    }

    /// The next callback the machine waits for, as an input; `None` when
    /// none came within [`LIMIT`].
    async fn next_callback(&self, wait: Wait) -> Option<Input> {
        match wait.awaiting {
            Awaiting::Notification => self
                .callbacks
                .next_notification_within(LIMIT)
                .await
                .map(|n| Input::from(&n)),
            Awaiting::Tokenization => self
                .callbacks
                .next_tokenization_within(LIMIT)
                .await
                .map(|c| Input::from(&c)),
            // A refund OCTO has not finished: sleep until the machine asks
            // about it again (bounded by LIMIT), then hand in the timeout.
            Awaiting::Refund => {
                let left = wait.until? - time::OffsetDateTime::now_utc();
                if left.is_positive() {
                    tokio::time::sleep(left.unsigned_abs().min(LIMIT)).await;
                }
                Some(Input::Timeout)
            }
            _ => None,
        }
    }
}

// The async handler answers as the blocking one does, at once, but waits
// for callbacks without blocking.
impl FlowHandler for Shopper<'_> {
    fn redirect(&mut self, url: &str) -> impl Future<Output = ()> + Send {
        BlockingFlowHandler::redirect(self, url);
        async {}
    }

    fn code(&mut self, prompt: &CodePrompt) -> impl Future<Output = Input> + Send {
        let input = BlockingFlowHandler::code(self, prompt);
        async move { input }
    }

    fn decide(&mut self, hold: &Hold) -> impl Future<Output = Input> + Send {
        let input = BlockingFlowHandler::decide(self, hold);
        async move { input }
    }

    fn wait(&mut self, wait: &Wait) -> impl Future<Output = Option<Input>> + Send {
        self.next_callback(wait.clone())
    }
}

impl BlockingFlowHandler for Shopper<'_> {
    fn redirect(&mut self, url: &str) {
        self.redirects.push(url.to_owned());
        let uuid = octo_sandbox::page_uuid(url).expect("a payment page URL");
        if url.split('?').next().unwrap().ends_with("/otp") {
            self.sb
                .customer()
                .enter_code(uuid, self.sb.otp_code())
                .unwrap();
        } else {
            self.sb.customer().pay(uuid, &self.card).unwrap();
        }
    }

    fn code(&mut self, prompt: &CodePrompt) -> Input {
        self.prompts.push(prompt.clone());
        Input::Code(SmsCode::new(self.sb.otp_code()).unwrap())
    }

    fn decide(&mut self, hold: &Hold) -> Input {
        self.holds.push(hold.clone());
        match &self.decision {
            Input::Capture { final_amount } => Input::Capture {
                final_amount: *final_amount,
            },
            _ => Input::Cancel,
        }
    }

    // Called inside `block_in_place`, so the runtime is still at hand.
    fn wait(&mut self, wait: &Wait) -> Option<Input> {
        tokio::runtime::Handle::current().block_on(self.next_callback(wait.clone()))
    }
}

pub fn init_time() -> time::PrimitiveDateTime {
    time::macros::datetime!(2024-05-02 09:17:00)
}

pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A page step of the test `case` that finished the payment with `status`.
#[track_caller]
pub fn assert_finished(step: &Step, status: PaymentStatus, case: &str) {
    let done = matches!(step, Step::Finished { status: s, .. } if *s == status);
    assert!(done, "{case}: expected the payment {status}: {step:?}");
}

/// The OCTO error code of a failed call.
#[allow(unused_imports)]
pub use octo_testkit::octo_code as code;

/// An amount written exactly as `expected` (digits and scale).
#[track_caller]
pub fn assert_amount(actual: Option<Decimal>, expected: &str) {
    assert_eq!(
        actual.map(|d| d.to_string()).as_deref(),
        Some(expected),
        "amount"
    );
}
