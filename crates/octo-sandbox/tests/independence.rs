//! The sandbox judges the SDK, so it must not borrow the SDK's reading of
//! the wire: it may name octo-proto's types (ids, statuses, secrets) and
//! `ErrorCode` (whose numbers `src/codes.rs` pins to the pages), but it
//! reads and writes OCTO's text with its own code. A parser, writer or
//! signer shared by both would let one mistake pass on both sides.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// octo-proto's wire logic: times, JSON, callbacks (and their signatures),
/// the client's state machines, request building and answer reading.
const SDK_WIRE_LOGIC: &[&str] = &[
    "datetime",
    "json::",
    "callback",
    "machine",
    "signature",
    "SignatureScheme",
    "build_request",
    "parse_response",
    "Operation",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `octo_proto::…` path in `text`, up to the end of its item list.
fn sdk_paths(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("octo_proto::") {
        let tail = &rest[at..];
        let end = tail.find([';', '\n', '(']).unwrap_or(tail.len());
        let mut path = &tail[..end];
        // A `use` with braces may span lines: take it to its closing brace.
        if path.starts_with("octo_proto::{") && !path.contains('}') {
            path = &tail[..tail.find('}').map_or(tail.len(), |i| i + 1)];
        }
        found.push(path);
        rest = &tail["octo_proto::".len()..];
    }
    found
}

#[test]
fn the_sandbox_uses_none_of_the_sdks_wire_logic() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10, "{files:?}");
    let mut shared = Vec::new();
    for file in &files {
        // The sandbox's own unit tests may drive the SDK against it.
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap();
        for path in sdk_paths(text) {
            if SDK_WIRE_LOGIC.iter().any(|name| path.contains(name)) {
                shared.push(format!("{}: {path}", file.display()));
            }
        }
    }
    assert!(shared.is_empty(), "{shared:#?}");
}

#[test]
fn the_scan_sees_what_it_looks_for() {
    let text = "use octo_proto::{OctoSecret, Pan, datetime};\nlet t = octo_proto::datetime::format_octo(x);\nuse octo_proto::ErrorCode;";
    let paths = sdk_paths(text);
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(paths[0].contains("datetime"));
    assert!(paths[1].contains("datetime"));
    assert!(!paths[2].contains("datetime"));
}
