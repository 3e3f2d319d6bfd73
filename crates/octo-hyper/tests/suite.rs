//! The tests every transport must pass (octo-testkit's `suite`), run
//! through octo-hyper: transport faults, a state machine run to its end, and
//! every fixture replayed over loopback.

octo_testkit::transport_suite!(octo_hyper::Client, "hyper");
