//! End to end, through each transport: OCTO's notification comes without
//! `hash_key` (the sandbox is told to leave it out), signed with the
//! `unique_key` formula, which does not use it. octo-hyper's
//! `CallbackService`, with its default limits, must verify and acknowledge
//! every such notification on the sandbox's first try, whether the shop
//! checks with the unique key alone or with `SignatureScheme::Either`: a
//! refusal would make OCTO retry and then give up, and the shop would lose
//! the callback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use octo_proto::callback::SchemeName;
use octo_proto::{NotificationKey, PaymentStatus, RetryPolicy};
use octo_sandbox::cards::CardBehaviour;
use octo_sandbox::{NotificationHashKey, Signing};
use octo_testkit::AnyClient;
use support::{CallbackPaths, Env, UNIQUE_KEY, Verify, assert_amount};

each_transport!(a_notification_without_hash_key_is_verified_and_acknowledged);

async fn a_notification_without_hash_key_is_verified_and_acknowledged<C: AnyClient + 'static>() {
    for (verify, id) in [
        (Verify::UniqueKey, "order-no-salt"),
        (Verify::Either, "order-no-salt-either"),
    ] {
        let env = Env::<C>::start_verifying(
            |b| {
                b.signing(Signing::UniqueKey(NotificationKey::new(UNIQUE_KEY)))
                    .notification_hash_key(NotificationHashKey::LeftOut)
            },
            RetryPolicy::default(),
            CallbackPaths::SEPARATE,
            verify,
        )
        .await;
        let prepare = env.payment(id, "3100.25");
        let (_, notes) = env
            .pay_until(&prepare, CardBehaviour::SmsCode, PaymentStatus::Succeeded)
            .await;
        assert_eq!(
            notes.iter().map(|n| n.status.clone()).collect::<Vec<_>>(),
            [PaymentStatus::WaitUserAction, PaymentStatus::Succeeded],
            "{verify:?}"
        );
        for n in &notes {
            assert_eq!(n.signed_with(), SchemeName::UniqueKey, "{verify:?}: {n:?}");
            assert!(n.hash_key.is_empty(), "{verify:?}: {n:?}");
            assert_eq!(n.shop_transaction_id.as_str(), id);
        }
        assert_amount(notes.last().unwrap().total_sum, "3100.25");
        for late in env.each_acknowledged_at_first_try(notes.len()).await {
            assert_eq!(late.signed_with(), SchemeName::UniqueKey, "{late:?}");
            assert!(late.hash_key.is_empty(), "{late:?}");
        }
        env.finish().await;
    }
}
