//! Tests that run across the OCTO transports, kept out of any one
//! transport's crate so that none of them depends on the others. The crate
//! itself is empty; everything is under `tests/`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
