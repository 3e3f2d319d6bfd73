//! `docs/webhooks.md` shows the example handler in full; this keeps the two
//! from drifting apart (the doc's copy also runs as a doctest).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

#[test]
fn the_guide_shows_the_example_handler_verbatim() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("../../docs/webhooks.md")).unwrap();
    let example = std::fs::read_to_string(root.join("examples/webhook_handler.rs")).unwrap();
    let start = guide.find("```rust\n").expect("a rust block in the guide") + "```rust\n".len();
    let len = guide[start..].find("\n```").expect("the block's end");
    assert_eq!(
        guide.get(start..start + len).unwrap(),
        example.trim_end(),
        "docs/webhooks.md and examples/webhook_handler.rs differ"
    );
}
