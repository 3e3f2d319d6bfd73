//! Running an octo-proto state machine to its end: the client sends its
//! commands, a [`FlowHandler`] stands in for the customer and OCTO's
//! callbacks. The loop lives in octo-transport; the trait is this crate's
//! own, so a type can implement it beside octo-hyper's.

use crate::client::Client;

pub use octo_transport::RunError;

octo_transport::async_flow_handler!(Client, tokio::time::sleep);
