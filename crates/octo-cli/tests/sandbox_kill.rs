//! `octo sandbox --data FILE` killed with SIGKILL in the middle of a load,
//! twice, each time started again on the same file: every payment it acknowledged is
//! there, with the last status it acknowledged (or the one a request that
//! was in flight at the kill was moving it to).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{SandboxProcess, temp_file};
use octo_proto::op::{PaymentStatusCheck, PreparePayment, SetAccept};
use octo_proto::{Config, Currency, OctoSecret, PaymentStatus, ShopId};

/// Clients driving the sandbox at once.
const WORKERS: usize = 8;
/// Payments each client makes at most.
const PER_WORKER: usize = 150;
/// Loads, each ended by SIGKILL and followed by a restart on the file.
const ROUNDS: usize = 2;
/// Acknowledged answers before each kill.
const KILL_AFTER: usize = 120;
/// Every request, and the whole load, are bounded.
const REQUEST_LIMIT: Duration = Duration::from_secs(5);
const LOAD_LIMIT: Duration = Duration::from_secs(60);

fn client(base_url: &str) -> octo_ureq::Client {
    let config = Config::new(
        ShopId(octo_sandbox::DEFAULT_SHOP_ID),
        OctoSecret::new(octo_sandbox::DEFAULT_SHOP_SECRET),
    )
    .with_test(true)
    .with_insecure_base_url(base_url)
    .unwrap();
    octo_ureq::Client::builder(config)
        .timeout(REQUEST_LIMIT)
        .connect_timeout(REQUEST_LIMIT)
        .no_retry()
        .build()
}

/// Posts the card form of the payment page, as a customer; the HTTP status.
fn pay_on_page(base_url: &str, uuid: &str) -> Option<u16> {
    let addr = base_url.strip_prefix("http://")?;
    let mut stream = TcpStream::connect_timeout(&addr.parse().ok()?, REQUEST_LIMIT).ok()?;
    stream.set_read_timeout(Some(REQUEST_LIMIT)).ok()?;
    stream.set_write_timeout(Some(REQUEST_LIMIT)).ok()?;
    let body = "pan=4111111111111111&exp=12%2F30";
    write!(
        stream,
        "POST /pay/{uuid}/card HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1)?.parse().ok()
}

/// What the clients know of one payment.
#[derive(Debug, Clone, Default)]
struct Known {
    /// The last status the sandbox acknowledged.
    acknowledged: Option<PaymentStatus>,
    /// The status a request without an answer yet was moving it to.
    in_flight: Option<PaymentStatus>,
}

type Book = Arc<Mutex<HashMap<String, Known>>>;

fn note(book: &Book, id: &str, f: impl FnOnce(&mut Known)) {
    f(book.lock().unwrap().entry(id.to_owned()).or_default());
}

/// One client: payments one after another, each prepared, paid on the
/// page, checked, and (two-stage ones) captured or cancelled. Stops at the
/// first failure (the kill).
fn drive(
    worker: &str,
    base_url: &str,
    book: &Book,
    acks: &AtomicUsize,
    stop: &AtomicBool,
) -> String {
    let client = client(base_url);
    for i in 0..PER_WORKER {
        if stop.load(Ordering::SeqCst) {
            return "stopped".into();
        }
        let id = format!("kill-{worker}-{i}");
        let two_stage = i % 2 == 1;
        let mut op = PreparePayment::new(
            id.parse().unwrap(),
            "1000".parse().unwrap(),
            Currency::Uzs,
            "load",
            "https://shop.example/r",
            time::macros::datetime!(2024-05-02 09:17:00),
        );
        if two_stage {
            op = op.two_stage();
        }
        note(book, &id, |k| k.in_flight = Some(PaymentStatus::Created));
        let created = match client.send(&op) {
            Ok(created) => created,
            Err(e) => return format!("{id}: prepare_payment: {e}"),
        };
        note(book, &id, |k| {
            k.acknowledged = Some(created.status.clone());
            k.in_flight = None;
        });
        acks.fetch_add(1, Ordering::SeqCst);

        let paid = if two_stage {
            PaymentStatus::WaitingForCapture
        } else {
            PaymentStatus::Succeeded
        };
        note(book, &id, |k| k.in_flight = Some(paid.clone()));
        if pay_on_page(base_url, created.octo_payment_uuid.as_str()).is_none() {
            return format!("{id}: the payment page did not answer");
        }
        let checked = match client.send(&PaymentStatusCheck::new(id.parse().unwrap())) {
            Ok(checked) => checked,
            Err(e) => return format!("{id}: payment_status: {e}"),
        };
        assert_eq!(checked.status, paid, "{id}");
        note(book, &id, |k| {
            k.acknowledged = Some(checked.status.clone());
            k.in_flight = None;
        });
        acks.fetch_add(1, Ordering::SeqCst);

        if two_stage {
            let (decision, target) = if i % 4 == 1 {
                (
                    SetAccept::capture(created.octo_payment_uuid.clone()),
                    PaymentStatus::Succeeded,
                )
            } else {
                (
                    SetAccept::cancel(created.octo_payment_uuid.clone()),
                    PaymentStatus::Canceled,
                )
            };
            note(book, &id, |k| k.in_flight = Some(target.clone()));
            if let Err(e) = client.send(&decision) {
                return format!("{id}: set_accept: {e}");
            }
            note(book, &id, |k| {
                k.acknowledged = Some(target);
                k.in_flight = None;
            });
            acks.fetch_add(1, Ordering::SeqCst);
        }
    }
    "done".into()
}

/// Checks every acknowledged payment in `book` against the sandbox at
/// `base_url`; how many it checked.
fn verify(base_url: &str, book: &Book) -> usize {
    let client = client(base_url);
    let book = book.lock().unwrap().clone();
    let mut checked = 0;
    for (id, known) in &book {
        let Some(acknowledged) = &known.acknowledged else {
            continue;
        };
        let found = client
            .send(&PaymentStatusCheck::new(id.parse().unwrap()))
            .unwrap_or_else(|e| panic!("{id} was acknowledged and is gone: {e}"));
        assert!(
            &found.status == acknowledged || known.in_flight.as_ref() == Some(&found.status),
            "{id}: acknowledged {acknowledged:?} (then {:?} in flight), found {:?}",
            known.in_flight,
            found.status
        );
        checked += 1;
    }
    checked
}

#[test]
fn every_acknowledged_payment_survives_a_sigkill_with_its_last_acknowledged_status() {
    let data = temp_file("sandbox-kill.redb", "");
    std::fs::remove_file(&data).unwrap();
    let data = data.to_str().unwrap().to_owned();

    let book: Book = Arc::default();
    for round in 0..ROUNDS {
        let mut sandbox = SandboxProcess::start(&["--data", &data]);
        // From the second round on, this start is the restart after a kill.
        verify(&sandbox.base_url, &book);
        let acks = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                let (base_url, book, acks, stop) = (
                    sandbox.base_url.clone(),
                    Arc::clone(&book),
                    Arc::clone(&acks),
                    Arc::clone(&stop),
                );
                let worker = format!("{round}-{w}");
                std::thread::spawn(move || drive(&worker, &base_url, &book, &acks, &stop))
            })
            .collect();
        let deadline = Instant::now() + LOAD_LIMIT;
        while acks.load(Ordering::SeqCst) < KILL_AFTER
            && Instant::now() < deadline
            && !workers.iter().all(std::thread::JoinHandle::is_finished)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        let early = workers.iter().filter(|w| w.is_finished()).count();
        sandbox.kill();
        stop.store(true, Ordering::SeqCst);
        let ends: Vec<String> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        let acknowledged = acks.load(Ordering::SeqCst);
        assert!(
            acknowledged >= KILL_AFTER,
            "round {round}: the load made only {acknowledged} acknowledged changes before \
             the kill ({} clients had stopped before it): {ends:?}",
            early
        );
        assert!(
            acknowledged < WORKERS * PER_WORKER * 2,
            "the kill came after the load ended"
        );
    }

    // The same file opens again, and holds everything acknowledged.
    let sandbox = SandboxProcess::start(&["--data", &data]);
    let checked = verify(&sandbox.base_url, &book);
    assert!(
        checked >= KILL_AFTER / 3 * ROUNDS,
        "only {checked} payments checked"
    );
    drop(sandbox);
    let _ = std::fs::remove_file(&data);
}
