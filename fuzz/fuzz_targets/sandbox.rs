//! Any bytes, as a short run of requests on the sandbox's routes (JSON
//! endpoints, payment pages, unknown paths), answered in-process: the
//! request readers and routes must answer every one, never panic.
//!
//! The input is cut at each `0xFF` byte into up to four requests; each
//! request's first byte picks the path, the method and whether the sandbox
//! is strict, the rest is the body.

#![no_main]

use libfuzzer_sys::fuzz_target;
use octo_sandbox::InProcess;

fuzz_target!(|data: &[u8]| {
    let strict = data.first().is_some_and(|b| b & 0x80 != 0);
    let sandbox = InProcess::new(strict);
    for request in data.split(|&b| b == 0xFF).take(4) {
        let Some((&selector, body)) = request.split_first() else {
            continue;
        };
        let paths = InProcess::PATHS;
        let Some(template) = paths.get(usize::from(selector & 0x1F) % paths.len()) else {
            continue;
        };
        let path = template.replace("{uuid}", sandbox.payment_uuid());
        let method = match (selector >> 5) & 0x3 {
            0 | 1 => http::Method::POST,
            2 => http::Method::GET,
            _ => http::Method::PUT,
        };
        let answer = sandbox.answer(&method, &path, body);
        // Every JSON answer is an OCTO envelope with a numeric error code.
        let is_json = answer
            .headers()
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if is_json {
            let value: serde_json::Value =
                serde_json::from_slice(answer.body()).expect("a JSON answer that is not JSON");
            assert!(value.get("error").is_some(), "no error field: {value}");
        }
    }
});
