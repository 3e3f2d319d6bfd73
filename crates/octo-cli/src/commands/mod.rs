//! One module per kind of command: OCTO's API, notification checks, the
//! sandbox. The demo lives in [`crate::demo`].

pub mod api;
pub mod sandbox;
pub mod verify;
