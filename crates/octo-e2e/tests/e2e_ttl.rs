//! End to end: a payment machine and OCTO (the sandbox) agree on when a
//! payment stops being payable, even when OCTO's own default lifetime is
//! not the machine's.
//!
//! OCTO documents no default `ttl`. The sandbox here gives a payment sent
//! without one an hour, where the machine's `PaymentParams::ttl` is 15
//! minutes. A machine that left the field out reported the payment expired
//! at minute 15 while the customer could still pay until minute 60: a shop
//! that stopped there was charged for an order it gave up. The machine is
//! driven by hand, on the sandbox's manual clock, so that minutes pass
//! without sleeping.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use octo_proto::machine::{
    Command, Failure, Input, Machine, Output, PaymentMachine, PaymentOutcome, PaymentParams, Reply,
    Wait,
};
use octo_proto::{PaymentStatus, RetryPolicy};
use octo_sandbox::cards::CardBehaviour;
use octo_sandbox::{Clock, ManualClock};
use octo_testkit::AnyClient;
use support::{Env, assert_finished, bounded};
use time::{Duration, OffsetDateTime};

each_transport!(
    params_ttl_is_octos_ttl,
    params_ttl_in_seconds_is_octos_ttl_in_minutes,
    shops_ttl_is_octos_ttl,
);

/// The lifetime the sandbox gives a payment prepared without `ttl`.
const OCTO_DEFAULT: Duration = Duration::minutes(60);

/// Runs `m` until it idles, at `now`: its commands go to the sandbox, the
/// rest of its outputs are returned with the wait it ends on.
async fn drive<C: AnyClient>(
    env: &Env<C>,
    m: &mut PaymentMachine,
    now: OffsetDateTime,
) -> (Vec<Output<PaymentOutcome>>, Wait) {
    let mut seen = Vec::new();
    for _ in 0..16 {
        let reply = match m.poll_output() {
            Output::Send(Command::PreparePayment(p)) => {
                Reply::PreparePayment(bounded(env.client.send(&p)).await)
            }
            Output::Send(Command::PaymentStatus(c)) => {
                Reply::PaymentStatus(bounded(env.client.send(&c)).await)
            }
            Output::Send(other) => panic!("unexpected command {:?}", other.endpoint()),
            Output::Wait(wait) => return (seen, wait),
            other => {
                seen.push(other);
                continue;
            }
        };
        m.handle_input(Input::Reply(reply), now).unwrap();
    }
    panic!("the machine never idles");
}

/// A payment prepared under `id` (with the shop's `ttl`, if any) by a
/// machine with `params`, against a sandbox whose default lifetime is
/// [`OCTO_DEFAULT`]: the customer can pay until the machine's deadline,
/// which is `minutes` after the start, and not from then on; at that
/// deadline the machine finds the payment ended, instead of reporting an
/// expiry OCTO knows nothing of.
async fn agree<C: AnyClient + 'static>(
    id: &str,
    ttl: Option<u32>,
    params: PaymentParams,
    minutes: i64,
) {
    let clock = ManualClock::starting_now();
    let sandbox_clock = clock.clone();
    let env = Env::<C>::start_with(
        move |b| {
            b.clock(sandbox_clock)
                .configure(|c| c.default_ttl = OCTO_DEFAULT)
        },
        RetryPolicy::default(),
    )
    .await;
    let start = clock.now();
    let mut prepare = env.payment(id, "5000");
    prepare.ttl = ttl;
    let mut machine = PaymentMachine::new(prepare, params, start);
    let (seen, wait) = drive(&env, &mut machine, start).await;
    assert!(
        matches!(seen.as_slice(), [Output::Redirect(_)]),
        "the customer is sent to the payment page"
    );
    let deadline = wait.until.expect("the machine waits for a deadline");
    assert_eq!(
        deadline,
        start + Duration::minutes(minutes),
        "the machine's deadline"
    );
    let uuid = machine.octo_payment_uuid().unwrap().as_str().to_owned();

    // Up to the machine's deadline OCTO still takes the payment: the
    // machine never gives the customer less time than OCTO does.
    clock.set(deadline - Duration::seconds(1));
    assert_eq!(env.checked(id).await.status, PaymentStatus::Created);

    // At its deadline the machine asks, and OCTO has ended the payment.
    clock.set(deadline);
    machine.handle_input(Input::Timeout, deadline).unwrap();
    let (seen, _) = drive(&env, &mut machine, deadline).await;
    assert!(
        !seen
            .iter()
            .any(|o| matches!(o, Output::Failed(Failure::Expired { .. }))),
        "the machine reported an expiry while OCTO still took the payment"
    );
    assert!(machine.is_terminal(), "the machine saw the payment end");
    assert_eq!(machine.status(), &PaymentStatus::Canceled);

    // A customer who comes back after the shop gave up is not charged.
    clock.set(start + Duration::minutes(minutes + 5));
    let late = env.pay(&uuid, CardBehaviour::Success);
    assert_finished(
        &late,
        PaymentStatus::Canceled,
        "paid after the machine's deadline",
    );
    assert_eq!(env.record(&uuid).status, PaymentStatus::Canceled);
    env.until(&uuid, PaymentStatus::Canceled).await;
    env.finish().await;
}

/// No `ttl` from the shop: the machine's 15 minutes are OCTO's.
async fn params_ttl_is_octos_ttl<C: AnyClient + 'static>() {
    agree::<C>("ttl-params-1", None, PaymentParams::default(), 15).await;
}

/// A params' ttl of 90 seconds goes out as 2 minutes, and the machine
/// counts 2 minutes.
async fn params_ttl_in_seconds_is_octos_ttl_in_minutes<C: AnyClient + 'static>() {
    let params = PaymentParams {
        ttl: Duration::seconds(90),
        ..PaymentParams::default()
    };
    agree::<C>("ttl-params-2", None, params, 2).await;
}

/// The shop's own `ttl` is OCTO's and the machine's.
async fn shops_ttl_is_octos_ttl<C: AnyClient + 'static>() {
    agree::<C>("ttl-shop-1", Some(25), PaymentParams::default(), 25).await;
}
