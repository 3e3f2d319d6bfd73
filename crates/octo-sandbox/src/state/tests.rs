//! What a failed write leaves behind, and what is kept of a card.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use octo_proto::op::{BindCard, BlockCardToken, PaymentStatusCheck, PreparePayment};
use octo_proto::{CardExpiry, Operation, Pan, PaymentMethod, PaymentStatus, TokenStatus};
use octo_testkit::octo_code;
use sha1::{Digest, Sha1};

use crate::cards::{CardBehaviour, test_card};
use crate::{CustomerError, ManualClock, Sandbox, SandboxHandle, Step};

/// A card number that is not a listed test card and whose middle digits
/// appear nowhere else (Luhn-valid, Visa: it binds through 3-D Secure).
const PAN: &str = "4532015112830366";

fn data_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("octo-sandbox-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

async fn send<O: Operation>(sb: &SandboxHandle, op: &O) -> Result<O::Output, octo_proto::Error> {
    let request = op.build_request(&sb.client_config()).unwrap();
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
    let client = Client::builder(TokioExecutor::new()).build_http();
    let response = tokio::time::timeout(Duration::from_secs(10), client.request(request))
        .await
        .unwrap()
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    op.parse_response(&http::Response::from_parts(parts, bytes))
}

fn prepare(id: &str) -> PreparePayment {
    octo_testkit::payments::payment(id, "1000")
}

fn bind(id: &str, bind_notify_url: Option<&str>) -> BindCard {
    let callback = bind_notify_url.map(str::to_owned);
    octo_testkit::cards::binding(id, PAN, PaymentMethod::BankCard, callback)
}

fn status(sb: &SandboxHandle, uuid: &str) -> PaymentStatus {
    sb.payment(uuid).unwrap().status
}

fn fail_next_writes(sb: &SandboxHandle, n: u32) {
    sb.engine.data_file.as_ref().unwrap().fail_next_writes(n);
}

/// A sandbox keeping its state in `path`.
async fn on_file(path: &std::path::Path) -> SandboxHandle {
    Sandbox::builder().data_file(path).start().await.unwrap()
}

/// Prepares `op`, then has the customer pay it while the next `failures`
/// writes fail: the payment's uuid and what paying gave.
async fn paid_while_writes_fail(
    sb: &SandboxHandle,
    op: &PreparePayment,
    failures: u32,
) -> (String, Result<Step, CustomerError>) {
    let uuid = send(sb, op).await.unwrap().octo_payment_uuid;
    fail_next_writes(sb, failures);
    let paid = sb
        .customer()
        .pay(uuid.as_str(), &test_card(CardBehaviour::Success));
    (uuid.as_str().to_owned(), paid)
}

#[tokio::test]
async fn a_failed_write_is_carried_by_the_next_write() {
    let path = data_file("failed-write.redb");
    let sb = on_file(&path).await;
    // The customer pays, but the write fails: the request fails (it was
    // not acknowledged), the ledger keeps the change as unsaved.
    let (a, paid) = paid_while_writes_fail(&sb, &prepare("fw-a"), 2).await;
    assert!(matches!(paid, Err(CustomerError::Internal(_))), "{paid:?}");
    // While it is unsaved, even a status check is not answered: it would
    // acknowledge a status the file does not have.
    let check = send(&sb, &PaymentStatusCheck::new("fw-a".parse().unwrap())).await;
    assert_eq!(octo_code(check), 4);

    // The next write is about another payment, and carries the first.
    let b = send(&sb, &prepare("fw-b")).await.unwrap().octo_payment_uuid;
    let check = send(&sb, &PaymentStatusCheck::new("fw-a".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(check.status, PaymentStatus::Succeeded);
    assert!(sb.engine.read(|l| l.unsaved.is_empty()));
    sb.shutdown().await;

    let sb = on_file(&path).await;
    assert_eq!(status(&sb, &a), PaymentStatus::Succeeded);
    assert_eq!(status(&sb, b.as_str()), PaymentStatus::Created);
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn the_expiry_sweep_saves_what_is_unsaved_without_any_request() {
    let path = data_file("failed-write-sweep.redb");
    let sb = Sandbox::builder()
        .data_file(&path)
        .configure(|c| c.sweep_interval = Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let (a, paid) = paid_while_writes_fail(&sb, &prepare("fws-a"), 1).await;
    assert!(paid.is_err());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !sb.engine.read(|l| l.unsaved.is_empty()) {
        assert!(tokio::time::Instant::now() < deadline, "never saved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sb.shutdown().await;
    let sb = on_file(&path).await;
    assert_eq!(status(&sb, &a), PaymentStatus::Succeeded);
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_failed_write_holds_its_notification_until_a_write_succeeds() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let path = data_file("failed-write-notify.redb");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify = format!("http://{}/n", listener.local_addr().unwrap());
    let sb = on_file(&path).await;
    let mut op = prepare("fwn-a");
    op.notify_url = Some(notify);
    let (_, paid) = paid_while_writes_fail(&sb, &op, 1).await;
    assert!(paid.is_err());
    // Nothing is announced about a change the file does not hold.
    let early = tokio::time::timeout(Duration::from_millis(300), listener.accept()).await;
    assert!(
        early.is_err(),
        "a notification went out before the change was saved"
    );
    send(&sb, &prepare("fwn-b")).await.unwrap();
    let (mut stream, _) = tokio::time::timeout(Duration::from_secs(10), listener.accept())
        .await
        .unwrap()
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("succeeded") {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "the notification ended early");
        seen.extend_from_slice(&buf[..n]);
    }
    let _ = stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        .await;
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn has_pan(sb: &SandboxHandle, uuid: &str) -> bool {
    sb.engine
        .pans
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .contains_key(uuid)
}

/// Binds [`PAN`] under `id` and returns the binding's uuid, with the PAN
/// held while the binding is pending.
async fn pending_binding(sb: &SandboxHandle, id: &str, url: Option<&str>) -> String {
    let uuid = send(sb, &bind(id, url)).await.unwrap().octo_payment_uuid;
    assert!(
        has_pan(sb, uuid.as_str()),
        "a pending binding keeps the number"
    );
    uuid.as_str().to_owned()
}

#[tokio::test]
async fn card_numbers_are_forgotten_whatever_ends_the_binding_and_never_stored() {
    let path = data_file("cards.redb");
    let clock = ManualClock::starting_now();
    let sb = Sandbox::builder()
        .data_file(&path)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    // A callback address nobody answers (a closed port): the number must
    // not wait for the callback either.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/bind", l.local_addr().unwrap())
    };

    // Bound (no callback address at all), then blocked.
    let bound = pending_binding(&sb, "c-bound", None).await;
    sb.customer().confirm_3ds(&bound).unwrap();
    assert!(!has_pan(&sb, &bound), "bound");
    let (token, token_status) = sb.binding_token(&bound).unwrap();
    assert_eq!(token_status, TokenStatus::Active);
    send(&sb, &BlockCardToken::new(token)).await.unwrap();
    assert!(!has_pan(&sb, &bound), "blocked");

    // Failed (3-D Secure refused), with a callback that never gets through.
    let failed = pending_binding(&sb, "c-failed", Some(&dead)).await;
    sb.customer().fail_3ds(&failed).unwrap();
    assert!(!has_pan(&sb, &failed), "failed");

    // Expired.
    let expired = pending_binding(&sb, "c-expired", None).await;
    clock.advance(time::Duration::hours(2));
    assert!(sb.expire_due() >= 1);
    assert_eq!(status(&sb, &expired), PaymentStatus::Canceled);
    assert!(!has_pan(&sb, &expired), "expired");

    // Still pending when the sandbox stops: the file never had it.
    let _pending = pending_binding(&sb, "c-pending", None).await;
    assert!(sb.engine.read(|l| l.unsaved.is_empty()));
    sb.shutdown().await;

    let bytes = std::fs::read(&path).unwrap();
    assert!(contains(&bytes, b"453201"), "the file holds the bindings");
    assert!(!contains(&bytes, PAN.as_bytes()), "the full number");
    assert!(!contains(&bytes, b"01511283"), "the hidden digits");
    for salt in [&b""[..], b"octo-sandbox card v1:"] {
        let digest = Sha1::new()
            .chain_update(salt)
            .chain_update(PAN.as_bytes())
            .finalize();
        assert!(!contains(&bytes, hex::encode(digest).as_bytes()));
        assert!(!contains(&bytes, hex::encode_upper(digest).as_bytes()));
        assert!(!contains(&bytes, &digest));
    }
    assert!(!contains(&bytes, b"\"digest\""));
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn an_older_data_file_loses_its_card_digests_on_open() {
    use super::DataFile;
    let path = data_file("scrub.redb");
    let sb = on_file(&path).await;
    let uuid = pending_binding(&sb, "s-1", None).await;
    sb.shutdown().await;
    // Write the records back as an older sandbox did, with the unkeyed
    // digest in the card.
    let old = Sha1::new()
        .chain_update(b"octo-sandbox card v1:")
        .chain_update(PAN.as_bytes())
        .finalize();
    let old = hex::encode(old);
    {
        let store = super::RedbFile::open(&path).unwrap();
        let mut snapshot = store.load().unwrap();
        for p in &mut snapshot.payments {
            if let Some(card) = p.card.as_mut() {
                card.digest = old.clone();
            }
        }
        let tx = store.db.begin_write().unwrap();
        {
            let mut payments = tx.open_table(super::file::PAYMENTS).unwrap();
            for p in &snapshot.payments {
                let mut value = serde_json::to_value(p).unwrap();
                value["card"]["digest"] = old.clone().into();
                let bytes = serde_json::to_vec(&value).unwrap();
                payments.insert(p.uuid.as_str(), bytes.as_slice()).unwrap();
            }
        }
        tx.commit().unwrap();
        assert!(contains(&std::fs::read(&path).unwrap(), old.as_bytes()));
    }
    let sb = on_file(&path).await;
    assert!(sb.payment(&uuid).is_some());
    sb.shutdown().await;
    // redb may keep a freed page's old bytes until it is reused; what is
    // read back must not hold it.
    let store = super::RedbFile::open(&path).unwrap();
    let tx = store.db.begin_read().unwrap();
    let payments = tx.open_table(super::file::PAYMENTS).unwrap();
    let row = payments.get(uuid.as_str()).unwrap().unwrap();
    assert!(!contains(row.value(), old.as_bytes()));
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn after_a_restart_card_rules_refuse_nothing_they_cannot_tell() {
    use octo_proto::op::{CheckPan, VerificationInfo};
    let path = data_file("restart-cards.redb");
    // A Uzcard number that asks for an SMS code.
    let sms = "8600000000000007";
    let bind_sms = |id: &str| BindCard {
        pan: Pan::new(sms).unwrap(),
        ..bind(id, None)
    };
    let sb = on_file(&path).await;
    let first = send(&sb, &bind_sms("r-1")).await.unwrap().octo_payment_uuid;
    // Before the restart the same card is recognised: error 20.
    assert_eq!(octo_code(send(&sb, &bind_sms("r-2")).await), 20);
    sb.shutdown().await;

    let sb = on_file(&path).await;
    let verification = send(&sb, &VerificationInfo::new(first.clone()))
        .await
        .unwrap();
    let resend = CheckPan {
        pan: Pan::new(sms).unwrap(),
        exp: CardExpiry::parse_yymm("3012").unwrap(),
        payment_id: verification.payment_id.unwrap(),
    };
    // The OTP resend of the same card is matched on what is visible.
    send(&sb, &resend).await.unwrap();
    // Another card with other visible digits is still refused.
    let other = CheckPan {
        pan: Pan::new("8600000000000106").unwrap(),
        ..resend
    };
    assert_eq!(octo_code(send(&sb, &other).await), 1);
    // And a new binding of the card is not refused for a token the
    // sandbox can no longer tell is the same card.
    send(&sb, &bind_sms("r-3")).await.unwrap();
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}
