//! A notification the shop refused does not hold back the later statuses
//! of the same payment: the newest one goes out at once, and the refused
//! one is retried on its own schedule.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{LIMIT, Receiver, answer, notifying, pay, prepared, started};
use octo_proto::op::SetAccept;
use octo_sandbox::cards::{CardBehaviour, test_card};
use octo_sandbox::{Sandbox, SandboxHandle, Step};

/// Retries three seconds apart: "promptly" below means well within that
/// (with room for a loaded machine).
const RETRY_DELAY: Duration = Duration::from_secs(3);
const PROMPT: Duration = Duration::from_millis(1500);

async fn sandbox() -> SandboxHandle {
    started(Sandbox::builder().fast_callbacks(3, RETRY_DELAY)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_status_does_not_hold_back_the_next_one() {
    let receiver = Receiver::start().await;
    let sb = sandbox().await;
    let uuid = prepared(&sb, &notifying("order-1", "5000", &receiver)).await;
    let uuid = uuid.as_str();
    let card = test_card(CardBehaviour::SmsCode);
    receiver.answer_next(500, "refused");
    let step = sb.customer().enter_card(uuid, card.pan, "12/30").unwrap();
    assert!(matches!(step, Step::CodeRequired { .. }), "{step:?}");
    assert_eq!(receiver.next().await.json["status"], "wait_user_action");

    sb.customer().enter_code(uuid, sb.otp_code()).unwrap();
    let next = receiver
        .next_within(PROMPT)
        .await
        .expect("the newer status goes out without waiting for the refused one's retries");
    assert_eq!(next.json["status"], "succeeded");

    // The refused one is still retried, separately.
    let retry = tokio::time::timeout(LIMIT, receiver.next()).await.unwrap();
    assert_eq!(retry.json["status"], "wait_user_action");
    assert_eq!(retry.json["octo_payment_UUID"], uuid);
    assert!(sb.wait_for_callbacks(LIMIT).await);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_waiting_for_capture_does_not_hold_back_the_capture() {
    let receiver = Receiver::start().await;
    let sb = sandbox().await;
    let uuid = prepared(&sb, &notifying("order-2", "5000", &receiver).two_stage()).await;
    receiver.answer_next(500, "refused");
    pay(&sb, uuid.as_str(), CardBehaviour::Success);
    assert_eq!(receiver.next().await.json["status"], "waiting_for_capture");

    answer(&sb, &SetAccept::capture(uuid)).await;
    let next = receiver
        .next_within(PROMPT)
        .await
        .expect("the capture is announced without waiting for the refused notification");
    assert_eq!(next.json["status"], "succeeded");
    // A decided payment needs no more waiting_for_capture: its retries stop.
    assert!(sb.wait_for_callbacks(LIMIT).await);
    assert!(receiver.silent_for(Duration::from_millis(200)).await);
    sb.shutdown().await;
}
