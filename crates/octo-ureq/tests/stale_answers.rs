//! A connection given up on (the attempt timed out while the server was
//! still working) is never used again: the late answer that arrives on it
//! afterwards must not be read as the answer to the next call.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use octo_proto::op::PaymentStatusCheck;
use octo_proto::{Config, PaymentStatus};
use octo_ureq::Client;

/// A status answer for `order-42` in `status`, with its head.
fn answer(status: &str) -> String {
    let body = format!(
        r#"{{"error":0,"data":{{"shop_transaction_id":"order-42","octo_payment_UUID":"e3f4","status":"{status}"}}}}"#
    );
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Reads one request (head and `Content-Length` body); `false` when the
/// connection ends or fails first.
fn read_request(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 || !matches!(stream.read(&mut byte), Ok(1)) {
            return false;
        }
        head.extend_from_slice(&byte);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).is_ok()
}

/// A loopback server whose first request is answered `canceled` after
/// `late`, and every later one `succeeded` at once, on whichever
/// connection it comes.
fn late_first_answer(late: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for _ in 0..4 {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                for _ in 0..4 {
                    if !read_request(&mut stream) {
                        return;
                    }
                    let reply = if requests.fetch_add(1, Ordering::SeqCst) == 0 {
                        std::thread::sleep(late);
                        answer("canceled")
                    } else {
                        answer("succeeded")
                    };
                    if stream.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[test]
fn a_late_answer_to_a_timed_out_attempt_is_not_taken_for_the_next() {
    // The first answer comes 1.5 s late, after the 1 s deadline and within
    // the next call's: a reused connection would hand it to that call.
    let url = late_first_answer(Duration::from_millis(1500));
    let config = Config::new(123, "537da54b-835a-4968-9864-c2ae02c5902e")
        .with_base_url(&url)
        .unwrap();
    let client = Client::builder(config)
        .no_retry()
        .timeout(Duration::from_secs(1))
        .build();
    let op = PaymentStatusCheck::new("order-42".parse().unwrap());
    let first = client.send(&op);
    assert!(first.is_err(), "{first:?}");
    let second = client.send(&op).unwrap();
    assert_eq!(second.status, PaymentStatus::Succeeded);
}
