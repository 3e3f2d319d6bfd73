//! Transport benchmarks (written below).

fn main() {}
